// `bgpfa` is built twice: `bgpfa-live` has every command, `bgpfa` all but those that need gRPC
// (serve, replay --serve and the clients of a running serve), which it hands to bgpfa-live by
// exec. A plain `mrt dump` or `replay` then loads no gRPC, protobuf or OpenSSL: about 40 shared
// libraries fewer, ~30 M instructions of dynamic linking and protobuf's descriptor registration.
#pragma once
#include <string>
#include <vector>

namespace bgpfa::app {

// Where bgpfa-live is looked for, in order, for a bgpfa at `self` (its resolved path): beside
// it (the build tree), then at `from_bindir` relative to its directory (the installed layout).
[[nodiscard]] std::vector<std::string> live_candidates(const std::string& self, const std::string& from_bindir);

// Replaces this process with bgpfa-live given the same arguments (same pid: systemd's notify
// and ambient capabilities carry over). Returns only when that failed, with exit status 2,
// having said which paths were tried.
[[nodiscard]] int exec_live(char** argv, const std::string& command);

}  // namespace bgpfa::app
