// libFuzzer: the az CLI table reader (app/azure/) never crashes and always explains a rejection:
// every message starts with the file name and a line:column inside the input, is bounded, and
// carries no raw control bytes (text from the file is quoted and escaped).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <variant>

#include "app/azure/tables.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::size_t lines = 1;
  for (const char c : input) lines += c == '\n';
  for (const auto kind : {bgpfa::azure::TableKind::ExpressRoute, bgpfa::azure::TableKind::Effective}) {
    const auto r = bgpfa::azure::parse_table(input, "fuzz.json", kind);
    const auto* e = std::get_if<std::string>(&r);
    if (!e) continue;
    if (e->rfind("fuzz.json:", 0) != 0 || e->size() > 1000) std::abort();
    const std::size_t line = std::strtoul(e->c_str() + 10, nullptr, 10);
    if (line < 1 || line > lines) std::abort();
    for (const unsigned char c : *e)
      if (c < 0x20 || c == 0x7f) std::abort();
  }
  return 0;
}
