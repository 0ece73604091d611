#include "app/cli/live_exec.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#ifndef BGPFA_LIVE_FROM_BINDIR
#define BGPFA_LIVE_FROM_BINDIR "../libexec/bgpfa/bgpfa-live"
#endif

namespace bgpfa::app {

std::vector<std::string> live_candidates(const std::string& self, const std::string& from_bindir) {
  const std::filesystem::path dir = std::filesystem::path(self).parent_path();
  return {(dir / "bgpfa-live").string(), (dir / from_bindir).lexically_normal().string()};
}

int exec_live(char** argv, const std::string& command) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) {
    fmt::print(stderr, "bgpfa: error: {} needs bgpfa-live, found beside bgpfa: cannot read /proc/self/exe: {}\n", command,
               ec.message());
    return 2;
  }
  std::string tried;
  for (const auto& path : live_candidates(self.string(), BGPFA_LIVE_FROM_BINDIR)) {
    ::execv(path.c_str(), argv);
    fmt::format_to(std::back_inserter(tried), "{}{} ({})", tried.empty() ? "" : ", ", path, std::strerror(errno));
  }
  fmt::print(stderr, "bgpfa: error: {} needs bgpfa-live (bgpfa's gRPC half), which could not be run: tried {}\n",
             command, tried);
  return 2;
}

}  // namespace bgpfa::app
