// libFuzzer: the configuration grammar never crashes and always explains a rejection: every
// message is non-empty, bounded, free of raw control bytes and of C++ type names (X3 names an
// unnamed parser by its mangled type).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "app/config/model.hpp"

namespace {
void check(const bgpfa::config::ConfigError& e, std::string_view input) {
  if (e.message.empty() || e.message.size() > 1000) std::abort();
  for (const unsigned char c : e.message)
    if (c < 0x20 || c == 0x7f) std::abort();
  for (const std::string_view mangled : {"N5boost", "spirit2x3", "St17basic"})
    if (e.message.find(mangled) != std::string::npos && input.find(mangled) == std::string_view::npos) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto r = bgpfa::config::parse_config(input, "fuzz.conf");
  for (const auto& e : r.errors) check(e, input);
  for (const auto& w : r.warnings) check(w, input);
  if (r.errors.size() > bgpfa::config::kMaxMessages || r.warnings.size() > bgpfa::config::kMaxMessages) std::abort();
  return 0;
}
