// libFuzzer: an UPDATE body under every decode context; the NLRI readers walk what validated.
#include <cstddef>
#include <cstdint>

#include "bgp/wire/nlri.hpp"
#include "bgp/wire/update.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  using namespace bgpfa::wire;
  DecodeContext ctx;
  ctx.four_octet_as = data[0] & 1;
  ctx.set_add_path_all(data[0] & 2);
  ctx.salvage_truncated_nlri = data[0] & 4;
  Update u;
  if (decode_update(Bytes(data + 1, size - 1), ctx, u)) return 0;
  const bool ap = ctx.add_path(Afi::Ipv4, Safi::Unicast);
  NlriEntry n;
  for (NlriReader r(u.withdrawn, Afi::Ipv4, ap); r.next(n);) {}
  for (NlriReader r(u.nlri, Afi::Ipv4, ap); r.next(n);) {}
  const auto& a = u.attributes;
  if (a.has(AttrType::MpReachNlri) && (a.mp_reach.afi == 1 || a.mp_reach.afi == 2) && a.mp_reach.safi >= 1 && a.mp_reach.safi <= 3)
    for (NlriReader r(a.mp_reach.nlri, static_cast<Afi>(a.mp_reach.afi), ap); r.next(n);) {}
  if (a.has(AttrType::AsPath)) (void)a.as_path.decision_length();
  if (a.has(AttrType::AsPath) && a.has(AttrType::As4Path) && !ctx.four_octet_as) (void)merge_as4_path(a.as_path, a.as4_path);
  (void)u.is_end_of_rib();
  return 0;
}
