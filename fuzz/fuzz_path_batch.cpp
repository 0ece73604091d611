// libFuzzer: a server's ListPaths batch as `bgpfa paths` reads it in place (app/grpc/path_view):
// any bytes are either read or refused, never read past their end; every view it hands out lies
// inside the input.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "app/grpc/path_view.hpp"

namespace {

void inside(std::string_view all, std::string_view part) {
  if (part.empty()) return;
  if (part.data() < all.data() || part.data() + part.size() > all.data() + all.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)bgpfa::app::for_each_path(in, [&](const bgpfa::app::PathView& p) {
    for (const auto s : {p.bytes, p.prefix, p.text, p.covering_prefix, p.first_circuit, p.expressroute.role,
                         p.expressroute.as_path, p.expressroute.next_hop, p.expressroute.reason, p.vpn.role, p.vpn.as_path,
                         p.vpn.next_hop, p.vpn.reason})
      inside(in, s);
  });
  return 0;
}
