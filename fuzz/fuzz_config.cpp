// libFuzzer: the configuration grammar never crashes and always explains a rejection.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "app/config/model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto r = bgpfa::config::parse_config(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.conf");
  for (const auto& e : r.errors)
    if (e.message.empty()) std::abort();
  return 0;
}
