#include "feed/update_feed.hpp"

#include "bgp/wire/nlri.hpp"
#include "rib/route_table.hpp"

namespace bgpfa::feed {

std::uint8_t end_of_rib_family(const wire::Update& u) {
  if (!u.is_end_of_rib()) return 0;
  const auto& attrs = u.attributes;
  if (attrs.all.empty()) return rib::kFamilyIpv4;
  if (attrs.mp_unreach.safi != 1) return 0;
  return attrs.mp_unreach.afi == 1 ? rib::kFamilyIpv4 : attrs.mp_unreach.afi == 2 ? rib::kFamilyIpv6 : 0;
}

void feed_update(analyzer::Analyzer& a, std::uint64_t t, int peer, const wire::Update& u,
                 const wire::DecodeContext& ctx, bool withdraw_all, const std::string& cause) {
  const auto& attrs = u.attributes;
  if (u.is_end_of_rib()) {  // RFC 4724 2: the peer's initial routes of this family are all in
    if (const std::uint8_t f = end_of_rib_family(u)) a.end_of_rib(t, peer, f, "End-of-RIB: " + cause);
    return;
  }
  auto known = [](std::uint16_t afi, std::uint8_t safi) { return (afi == 1 || afi == 2) && safi == 1; };
  auto each = [&](wire::Bytes field, wire::Afi afi, auto&& fn) {
    // Decoded kAhead prefixes before their turn, so that each one's table lookup has started
    // (a prefix's lookup is a cache miss in a large table; an UPDATE carries hundreds).
    constexpr std::size_t kAhead = 8;
    wire::NlriReader rd(field, afi, ctx.add_path(afi, wire::Safi::Unicast));
    wire::NlriEntry ring[kAhead];
    std::size_t n = 0;
    while (rd.next(ring[n % kAhead])) {
      a.prefetch(ring[n % kAhead].prefix);
      if (++n >= kAhead) fn(ring[n % kAhead]);  // the oldest, decoded kAhead - 1 entries ago
    }
    for (std::size_t i = n >= kAhead ? n - kAhead + 1 : 0; i < n; ++i) fn(ring[i % kAhead]);
  };
  auto withdraw = [&](const wire::NlriEntry& n) { a.withdraw(t, peer, n.prefix, n.path_id, cause); };
  each(u.withdrawn, wire::Afi::Ipv4, withdraw);
  if (attrs.has(wire::AttrType::MpUnreachNlri) && known(attrs.mp_unreach.afi, attrs.mp_unreach.safi))
    each(attrs.mp_unreach.nlri, static_cast<wire::Afi>(attrs.mp_unreach.afi), withdraw);
  const bool mp = attrs.has(wire::AttrType::MpReachNlri) && known(attrs.mp_reach.afi, attrs.mp_reach.safi);
  if (withdraw_all) {  // RFC 7606 treat-as-withdraw
    each(u.nlri, wire::Afi::Ipv4, withdraw);
    if (mp) each(attrs.mp_reach.nlri, static_cast<wire::Afi>(attrs.mp_reach.afi), withdraw);
    return;
  }
  if (u.nlri.empty() && !(mp && !attrs.mp_reach.nlri.empty())) return;
  const rib::AttrRef set = a.intern(attrs, ctx.four_octet_as);
  const analyzer::CauseId cause_id = a.cause_id(cause);
  auto announce = [&](const wire::NlriEntry& n) { a.announce(t, peer, n.prefix, n.path_id, rib::AttrRef(set), cause_id); };
  each(u.nlri, wire::Afi::Ipv4, announce);
  if (mp) each(attrs.mp_reach.nlri, static_cast<wire::Afi>(attrs.mp_reach.afi), announce);
}

}  // namespace bgpfa::feed
