#include "analyzer/analyzer.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace bgpfa::analyzer {

using rib::Candidate;
using rib::PrefixEntry;
using rib::PrefixKey;
using rib::Reason;

namespace {

constexpr int kEr = 0, kVpn = 1;

// Azure shares traffic between routes its rules do not tell apart: the same connection weight
// (ExpressRoute), LOCAL_PREF (from internal peers only) and AS-path length. Origin, MED and
// communities are not among its criteria (expressroute-routing, about-active-active-gateways).
bool azure_equal(const Candidate& a, const Candidate& b) {
  return a.weight == b.weight && a.local_pref() == b.local_pref() && a.attrs->as_path_length == b.attrs->as_path_length;
}

}  // namespace

Analyzer::Analyzer(Policy policy, std::vector<PeerRole> peers)
    : policy_(std::move(policy)), peers_(std::move(peers)), table_(peers_.size()), peer_stats_(peers_.size()),
      stale_timers_(peers_.size()), dropped_(peers_.size(), 0) {
  hub_ = hub_index();
  for (std::size_t i = 0; i < peers_.size(); ++i) {
    peer_stats_[i].address = wire::to_string(peers_[i].address);
    peer_stats_[i].role = peers_[i].label(policy_.circuits);
    peer_stats_[i].asn = peers_[i].asn;
    peer_stats_[i].description = peers_[i].description;
  }
  episodes_.judge = [this](Episode& ep, const WhatIf& w, const std::vector<PrefixKey>& changed) { judge(ep, w, changed); };
}

void Analyzer::predict(int peer) {
  if (baseline_ || episodes_.predicted()) return;
  episodes_.predict(what_if({peer}));  // from the state just before the session's routes go
}

void Analyzer::judge(Episode& ep, const WhatIf& w, const std::vector<PrefixKey>& changed) const {
  Prediction& p = ep.prediction;
  p.made = true;
  p.failed = w.failed;
  absl::flat_hash_set<PrefixKey> predicted;
  for (const auto& c : w.changes) {
    const PrefixKey k = PrefixKey::from(c.prefix);
    predicted.insert(k);
    const PrefixEntry* e = table_.find(k);
    const ActivePath now = e ? active_of(e->state) : ActivePath{};
    ++p.predicted[fmt::format("{}->{}", to_string(c.before.kind), to_string(c.after.kind))];
    ++p.observed[fmt::format("{}->{}", to_string(c.before.kind), to_string(now.kind))];
    if (now.kind == c.after.kind) {
      ++p.matched;
      continue;
    }
    ++p.differed;
    if (p.misses.size() < 20) p.misses.push_back({c.prefix, c.after.kind, now.kind});
  }
  for (const auto& k : changed) p.unpredicted += predicted.contains(k) ? 0 : 1;
}

int Analyzer::add_circuit(const std::string& name, int weight) {
  const auto it = std::find(policy_.circuits.begin(), policy_.circuits.end(), name);
  if (it != policy_.circuits.end()) return static_cast<int>(it - policy_.circuits.begin());
  policy_.circuits.push_back(name);
  policy_.weights.push_back(weight);
  return static_cast<int>(policy_.circuits.size() - 1);
}

int Analyzer::add_peer(PeerRole role) {
  if (const int i = peer_index(role.local, role.address); i >= 0 && peers_[static_cast<std::size_t>(i)].local == role.local)
    return i;  // the same session
  peers_.push_back(std::move(role));
  table_.add_peer();
  stale_timers_.emplace_back();
  dropped_.push_back(0);
  PeerSummary s;
  s.address = wire::to_string(peers_.back().address);
  s.role = peers_.back().label(policy_.circuits);
  s.asn = peers_.back().asn;
  s.description = peers_.back().description;
  peer_stats_.push_back(std::move(s));
  return static_cast<int>(peers_.size() - 1);
}

int Analyzer::peer_index(const wire::IpAddress& a) const {
  for (std::size_t i = 0; i < peers_.size(); ++i)
    if (peers_[i].address == a && !peers_[i].static_site) return static_cast<int>(i);
  return -1;
}

int Analyzer::peer_index(const std::optional<wire::IpAddress>& local, const wire::IpAddress& a) const {
  int any = -1;
  for (std::size_t i = 0; i < peers_.size(); ++i) {
    if (peers_[i].address != a || peers_[i].static_site) continue;
    if (peers_[i].local && local && *peers_[i].local == *local) return static_cast<int>(i);
    if (any < 0 && (!peers_[i].local || !local)) any = static_cast<int>(i);
  }
  return any;
}

Candidate Analyzer::candidate(const rib::Route& r) const {
  const PeerRole& role = peers_[r.peer];
  const int weight = role.gateway == Gateway::ExpressRoute && role.circuit >= 0
                         ? policy_.weights[static_cast<std::size_t>(role.circuit)]
                         : 0;
  return Candidate{r.attrs.get(), r.peer, r.path_id, role.asn != policy_.local_as, &role.address, weight};
}

Analyzer::Decision Analyzer::decide(const PrefixEntry& e, bool default_route) const {
  Decision d;
  const auto& routes = e.routes;
  // vpn-gateway/vpn-gateway-vnet-vnet-rm-ps: BGP transit over a VNet-to-VNet connection works,
  // except for the default route.
  const auto usable = [&](const rib::Route& r) {
    return !dropped_[r.peer] && !(default_route && peers_[r.peer].vnet_to_vnet);
  };
  // Each gateway's Loc-RIB best by the RFC 4271 process, connection weight first (Azure's rule
  // 3), LOCAL_PREF only from internal peers. Sessions Azure dropped at a prefix limit do not count.
  for (std::size_t i = 0; i < routes.size(); ++i) {
    if (!usable(routes[i])) continue;
    const int g = peers_[routes[i].peer].gateway == Gateway::Vpn ? kVpn : kEr;
    rib::LocRibBest& best = d.best[g];
    if (best.index == rib::kNoBest) {
      best = {static_cast<std::uint8_t>(i), Reason::OnlyPath};
      continue;
    }
    Reason why;
    if (rib::better(candidate(routes[i]), candidate(routes[best.index]), why)) best.index = static_cast<std::uint8_t>(i);
    best.reason = why;
  }
  // The carrying sessions of each gateway: every one whose route Azure cannot tell from the best
  // (ECMP across the links of a circuit, across circuits, across VPN instances and sites).
  std::vector<std::uint16_t>* carrying[2] = {&carry_scratch_[kEr], &carry_scratch_[kVpn]};
  for (int g = 0; g < 2; ++g) {
    carrying[g]->clear();
    if (d.best[g].index == rib::kNoBest) continue;
    if (d.best[g].reason == Reason::OnlyPath) {  // the common case: one route, one session
      carrying[g]->push_back(routes[d.best[g].index].peer);
      continue;
    }
    const Candidate best = candidate(routes[d.best[g].index]);
    for (const auto& r : routes)
      if (usable(r) && (peers_[r.peer].gateway == Gateway::Vpn) == (g == kVpn) && azure_equal(candidate(r), best))
        carrying[g]->push_back(r.peer);
    std::sort(carrying[g]->begin(), carrying[g]->end());
    carrying[g]->erase(std::unique(carrying[g]->begin(), carrying[g]->end()), carrying[g]->end());
    if (carrying[g]->size() > 1) d.best[g].reason = Reason::Ecmp;  // the best is one of several that carry
  }
  const bool er = !carrying[kEr]->empty(), vpn = !carrying[kVpn]->empty();
  int chosen = er ? kEr : vpn ? kVpn : -1;
  if (er && vpn) {  // equal prefixes: ExpressRoute over VPN unless a hub's routing preference says otherwise
    switch (policy_.preference) {
      case RoutingPreference::ExpressRoute: chosen = kEr; break;
      case RoutingPreference::Vpn: chosen = kVpn; break;
      case RoutingPreference::AsPath:
        chosen = routes[d.best[kVpn].index].attrs->as_path_length < routes[d.best[kEr].index].attrs->as_path_length ? kVpn : kEr;
        break;
    }
  }
  if (chosen < 0) return d;
  d.active.set = intern_set(*carrying[chosen]);
  if (chosen == kVpn) {
    d.active.kind = PathKind::Vpn;
  } else {
    bool primary = false, secondary = false;
    for (const std::uint16_t p : *carrying[kEr]) (peers_[p].link == Link::Primary ? primary : secondary) = true;
    d.active.kind = primary && secondary ? PathKind::ErEcmp : primary ? PathKind::ErPrimary : PathKind::ErSecondary;
  }
  return d;
}

void Analyzer::install_static(int peer, const std::vector<wire::Prefix>& prefixes) {
  // A static site's prefixes are VPN routes from the start (configured, not learned): no
  // events, and the input's clock is untouched.
  const bool was = baseline_;
  const auto first = first_us_, last = last_us_;
  baseline_ = true;
  wire::PathAttributes none;  // no AS path: the site is the gateway's own configuration
  const rib::AttrRef attrs = store_.intern(none, true);
  for (const auto& p : prefixes) announce(0, peer, p, 0, attrs, "static route of VPN site " + peers_[static_cast<std::size_t>(peer)].site);
  baseline_ = was;
  first_us_ = first;
  last_us_ = last;
}

int Analyzer::vnet_index(const std::string& name) const {
  for (std::size_t i = 0; i < policy_.vnets.size(); ++i)
    if (policy_.vnets[i].name == name) return static_cast<int>(i);
  return -1;
}

int Analyzer::hub_index() const {
  for (std::size_t i = 0; i < policy_.vnets.size(); ++i)
    if (policy_.vnets[i].hub) return static_cast<int>(i);
  return policy_.vnets.empty() ? -1 : 0;
}

bool Analyzer::system_route(const PrefixKey& p, int vnet) const {
  if (vnet < 0) return false;
  // virtual-network/virtual-networks-udr-overview: a VNet's own address space and its peers'
  // are system routes, which win over any BGP route, even a more specific one.
  const VnetModel& v = policy_.vnets[static_cast<std::size_t>(vnet)];
  auto covered_by = [&](const VnetModel& w) {
    return std::any_of(w.address_space.begin(), w.address_space.end(),
                       [&](const wire::Prefix& s) { return PrefixKey::from(s).covers(p); });
  };
  if (covered_by(v)) return true;
  for (std::size_t i = 0; i < policy_.vnets.size(); ++i) {
    const VnetModel& w = policy_.vnets[i];
    if (static_cast<int>(i) == vnet) continue;
    if ((v.hub && !w.hub) || (!v.hub && w.hub)) {  // peered: the hub with each spoke
      if (covered_by(w)) return true;
    }
  }
  return false;
}

ActivePath Analyzer::in_vnet(const PrefixKey& p, const ActivePath& hub_view, int vnet) const {
  if (vnet < 0) return hub_view;
  if (system_route(p, vnet)) {
    ActivePath sys;
    sys.kind = PathKind::System;
    return sys;
  }
  const VnetModel& v = policy_.vnets[static_cast<std::size_t>(vnet)];
  if (!v.hub && !v.transit) return ActivePath{};  // no gateway transit: no on-premises route at all
  ActivePath a = hub_view;
  if (a.kind == PathKind::System) a = ActivePath{};  // the hub's own peer, not this spoke's
  return a;
}

std::uint32_t Analyzer::intern_set(const std::vector<std::uint16_t>& peers) const {
  if (peers.size() != 1) return path_sets_.intern(peers);
  // One session: its set id is cached per peer (no hashing on the hot path of a table load).
  const std::uint16_t peer = peers.front();
  if (single_sets_.size() <= peer) single_sets_.resize(peer + 1u, 0);
  if (!single_sets_[peer]) single_sets_[peer] = path_sets_.intern(peers);
  return single_sets_[peer];
}

void Analyzer::summarise(ActivePath& p) const {
  p.vpn_instances = 0;
  p.circuit = -1;
  p.circuit_count = 0;
  std::uint64_t seen = 0;  // circuits counted (the first 64 exactly; more are rare)
  for (const std::uint16_t peer : path_sets_.get(p.set)) {
    const PeerRole& r = peers_[peer];
    if (r.gateway == Gateway::Vpn) {
      p.vpn_instances |= static_cast<std::uint8_t>(1u << (r.vpn_instance & 1));
      continue;
    }
    if (p.circuit < 0 || r.circuit < p.circuit) p.circuit = static_cast<std::int16_t>(r.circuit);
    const std::uint64_t bit = r.circuit >= 0 && r.circuit < 64 ? 1ull << r.circuit : 0;
    if (!(seen & bit) || !bit) ++p.circuit_count;
    seen |= bit;
  }
}

ActivePath Analyzer::active_of(std::uint32_t state) const {
  ActivePath p = unpack(state);
  summarise(p);
  return p;
}

std::vector<CarryingPath> Analyzer::carrying(std::uint32_t set) const {
  std::vector<CarryingPath> out;
  for (const std::uint16_t peer : path_sets_.get(set)) {
    const PeerRole& r = peers_[peer];
    CarryingPath c;
    c.gateway = r.gateway;
    if (r.gateway == Gateway::ExpressRoute && r.circuit >= 0) c.circuit = policy_.circuits[static_cast<std::size_t>(r.circuit)];
    c.link = r.link;
    c.vpn_instance = r.vpn_instance;
    if (r.gateway == Gateway::Vpn) c.site = r.site_name();
    c.peer = wire::to_string(r.address);
    if (r.local) c.local = wire::to_string(*r.local);
    out.push_back(std::move(c));
  }
  return out;
}

void Analyzer::check_limit(std::uint64_t t, int peer) {
  const auto pi = static_cast<std::uint16_t>(peer);
  const PeerRole& role = peers_[pi];
  const std::size_t all = table_.peer_routes(pi), v6 = table_.peer_routes_v6(pi), v4 = all - v6;
  // Azure drops the BGP session above its limits (expressroute-routing#route-aggregation-and-
  // prefix-limits, VPN FAQ), and so does bgpfa's own maximum-prefix: the routes stop counting.
  std::string over;
  const bool er = role.gateway == Gateway::ExpressRoute;
  if (policy_.azure_limits && er && v4 > policy_.er_prefix_limit)
    over = fmt::format("{} IPv4 prefixes, above Azure's ExpressRoute limit of {}", v4, policy_.er_prefix_limit);
  else if (policy_.azure_limits && er && v6 > policy_.er_ipv6_prefix_limit)
    over = fmt::format("{} IPv6 prefixes, above Azure's ExpressRoute limit of {}", v6, policy_.er_ipv6_prefix_limit);
  else if (policy_.azure_limits && !er && all > policy_.vpn_prefix_limit)
    over = fmt::format("{} prefixes, above Azure's limit of {} per VPN BGP peer", all, policy_.vpn_prefix_limit);
  if (over.empty() && role.max_prefixes && all > role.max_prefixes)
    over = fmt::format("{} prefixes, above its maximum-prefix {}", all, role.max_prefixes);
  const bool now = !over.empty();
  if (now == static_cast<bool>(dropped_[pi])) return;
  dropped_[pi] = now;
  const std::string who = fmt::format("{} ({})", peer_stats_[pi].address, peer_stats_[pi].role);
  const std::string why = now ? fmt::format("prefix limit exceeded: {} advertised {}: the session is dropped", who, over)
                              : fmt::format("back under the prefix limit: {} ({} prefixes): the session counts again", who, all);
  if (now) ++peer_stats_[pi].limit_drops;
  trigger(t, why);
  if (now) {  // predicted with the session's routes still counting
    dropped_[pi] = 0;
    predict(peer);
    dropped_[pi] = 1;
  }
  const std::uint32_t cause = cause_id(why);
  std::vector<PrefixKey> affected;
  table_.for_each([&](const PrefixKey& p, const PrefixEntry& e) {
    if (std::any_of(e.routes.begin(), e.routes.end(), [&](const rib::Route& r) { return r.peer == pi; })) affected.push_back(p);
  });
  std::sort(affected.begin(), affected.end());
  for (const auto& p : affected) changed(t, p, table_.entry(p), cause);
}

std::uint32_t Analyzer::cause_id(const std::string& cause) {
  if (causes_.empty() || causes_.back() != cause) causes_.push_back(cause);
  return static_cast<std::uint32_t>(causes_.size() - 1);
}

ActivePath Analyzer::covered_path(const PrefixKey& p) const {
  if (system_route(p, hub_)) return system_path();
  // Longest-prefix match: without a route of its own, a less specific route carries the traffic.
  ActivePath now;
  if (auto cover = table_.longest_covering(p, false)) {
    now = unpack(table_.find(*cover)->state);
    now.via_covering = true;
  }
  return now;
}

void Analyzer::set_active(std::uint64_t t, const PrefixKey& p, PrefixEntry& e, const ActivePath& now, std::uint32_t cause) {
  const std::uint32_t packed = pack(now);
  if (packed == e.state) return;
  const std::uint32_t before = e.state;
  e.state = packed;
  if (baseline_) return;  // the starting state: no change, no episode
  events_.push_back(Change{t, p, before, packed, cause});
  episodes_.changed(t);
}

void Analyzer::changed(std::uint64_t t, const PrefixKey& p, PrefixEntry& e, std::uint32_t cause) {
  const Decision d = decide(e, p.length == 0);
  e.best[kEr] = d.best[kEr];
  e.best[kVpn] = d.best[kVpn];
  if (e.routes.empty()) {
    orphans_.insert(p);
    set_active(t, p, e, covered_path(p), cause);
  } else {
    if (!orphans_.empty()) orphans_.erase(p);
    set_active(t, p, e, system_route(p, hub_) ? system_path() : d.active, cause);
  }
  refresh_orphans_under(t, p, cause);
}

void Analyzer::refresh_orphans_under(std::uint64_t t, const PrefixKey& p, std::uint32_t cause) {
  if (orphans_.empty()) return;
  scratch_.clear();
  // Orphans covered by p sit between p's first address and its last one.
  PrefixKey first = p;
  first.length = 0;
  PrefixKey last = p;
  const unsigned bits = p.v6 ? 128 : 32;
  const unsigned host = bits - p.length;
  if (p.v6) {
    if (host >= 64) {
      last.lo = ~0ull;
      last.hi |= host >= 128 ? ~0ull : (host == 64 ? 0 : (~0ull >> (128 - host)));
    } else {
      last.lo |= host == 0 ? 0 : (~0ull >> (64 - host));
    }
  } else {
    last.hi |= host == 0 ? 0 : ((~0ull >> (64 - host)) << 32);
  }
  last.length = 255;
  for (auto it = orphans_.lower_bound(first); it != orphans_.end() && !ByAddress{}(last, *it); ++it)
    if (*it != p && p.covers(*it)) scratch_.push_back(*it);
  std::sort(scratch_.begin(), scratch_.end());
  for (const auto& o : scratch_) set_active(t, o, table_.entry(o), covered_path(o), cause);
}

void Analyzer::announce(std::uint64_t t, int peer, const wire::Prefix& prefix, std::uint32_t path_id,
                        const rib::AttrRef& attrs, const std::string& cause) {
  last_us_ = t;
  if (!first_us_) first_us_ = t;
  const PrefixKey p = PrefixKey::from(prefix);
  const auto pi = static_cast<std::uint16_t>(peer);
  PrefixEntry* e = table_.announce(p, pi, path_id, attrs);
  if (!e) return;
  auto& st = peer_stats_[pi];
  st.max_prefixes = std::max(st.max_prefixes, table_.peer_routes(pi));
  changed(t, p, *e, cause_id(cause));
  check_limit(t, peer);
}

void Analyzer::withdraw(std::uint64_t t, int peer, const wire::Prefix& prefix, std::uint32_t path_id,
                        const std::string& cause) {
  last_us_ = t;
  if (!first_us_) first_us_ = t;
  const PrefixKey p = PrefixKey::from(prefix);
  if (PrefixEntry* e = table_.withdraw(p, static_cast<std::uint16_t>(peer), path_id)) {
    changed(t, p, *e, cause_id(cause));
    check_limit(t, peer);  // a withdrawal may bring a dropped session back under its limit
  }
}

void Analyzer::update_received(std::uint64_t t, int peer) {
  ++peer_stats_[static_cast<std::size_t>(peer)].updates;
  episodes_.update_from(t, peers_[static_cast<std::size_t>(peer)].gateway == Gateway::Vpn ? "vpn" : "expressroute");
}

void Analyzer::session_up(std::uint64_t t, int peer, const std::string& why, std::uint8_t preserved_families) {
  last_us_ = std::max(last_us_, t);
  const auto pi = static_cast<std::size_t>(peer);
  peer_stats_[pi].established = true;
  episodes_.trigger(t, why);
  if (!stale_routes(peer)) return;
  // RFC 4724 4.2: families the restarted peer no longer preserves lose their stale routes now;
  // the others wait for End-of-RIB, at most the stale-path time.
  const std::uint8_t gone = static_cast<std::uint8_t>(~preserved_families & (rib::kFamilyIpv4 | rib::kFamilyIpv6));
  if (gone) drop_stale(t, peer, gone, why + ": forwarding state not preserved, stale routes withdrawn");
  auto& timer = stale_timers_[pi];
  timer.deadline_us = stale_routes(peer) ? t + kStalePathTimeUs : 0;
  timer.why = fmt::format("no End-of-RIB from {} within {} s: stale routes withdrawn", peer_stats_[pi].address,
                          kStalePathTimeUs / 1000000);
  next_stale_deadline_ = 0;  // recomputed by the next advance()
}

void Analyzer::session_down(std::uint64_t t, int peer, const std::string& why, std::uint8_t retain_families,
                            std::uint32_t restart_time_s, const FailureWindow* window) {
  last_us_ = std::max(last_us_, t);
  const auto pi = static_cast<std::size_t>(peer);
  peer_stats_[pi].established = false;
  trigger(t, why, window);
  if (!retain_families) predict(peer);  // a graceful restart keeps the routes: nothing to predict
  std::vector<PrefixKey> affected;
  if (retain_families) table_.retain_stale(static_cast<std::uint16_t>(peer), retain_families, affected);
  else table_.clear_peer(static_cast<std::uint16_t>(peer), affected);
  const std::uint32_t cause = cause_id(why);
  for (const auto& p : affected) changed(t, p, table_.entry(p), cause);
  if (!table_.peer_routes(static_cast<std::uint16_t>(peer))) dropped_[pi] = 0;  // a new session starts under its limit
  auto& timer = stale_timers_[pi];
  timer.deadline_us = stale_routes(peer) ? t + std::uint64_t{restart_time_s} * 1000000 : 0;
  timer.why = fmt::format("{} did not come back within its restart time ({} s): stale routes withdrawn",
                          peer_stats_[pi].address, restart_time_s);
  next_stale_deadline_ = 0;
}

void Analyzer::end_of_rib(std::uint64_t t, int peer, std::uint8_t families, const std::string& why) {
  last_us_ = std::max(last_us_, t);
  if (!stale_routes(peer)) return;
  drop_stale(t, peer, families, why);
  if (!stale_routes(peer)) stale_timers_[static_cast<std::size_t>(peer)].deadline_us = 0;
}

void Analyzer::drop_stale(std::uint64_t t, int peer, std::uint8_t families, const std::string& why) {
  std::vector<PrefixKey> affected;
  table_.sweep_stale(static_cast<std::uint16_t>(peer), families, affected);
  if (affected.empty()) return;
  episodes_.trigger(t, why);
  const std::uint32_t cause = cause_id(why);
  for (const auto& p : affected) changed(t, p, table_.entry(p), cause);
  check_limit(t, peer);
}

void Analyzer::run_stale_timers(std::uint64_t t) {
  if (next_stale_deadline_ && t < next_stale_deadline_) return;
  next_stale_deadline_ = 0;
  for (std::size_t i = 0; i < stale_timers_.size(); ++i) {
    auto& timer = stale_timers_[i];
    if (!timer.deadline_us) continue;
    if (timer.deadline_us <= t) {
      const std::uint64_t at = timer.deadline_us;  // the change happened when the timer ran out
      timer.deadline_us = 0;
      drop_stale(at, static_cast<int>(i), rib::kFamilyIpv4 | rib::kFamilyIpv6, timer.why);
      continue;
    }
    if (!next_stale_deadline_ || timer.deadline_us < next_stale_deadline_) next_stale_deadline_ = timer.deadline_us;
  }
  if (!next_stale_deadline_) next_stale_deadline_ = ~std::uint64_t{0};
}

void Analyzer::trigger(std::uint64_t t, const std::string& why, const FailureWindow* window) {
  if (!baseline_) episodes_.trigger(t, why, window);
}

void Analyzer::end_baseline(std::uint64_t t) {
  if (!baseline_) return;
  baseline_ = false;
  baseline_info_.end_us = t;
  baseline_info_.prefixes = table_.prefixes();
  baseline_info_.routes = table_.routes();
}

void Analyzer::advance(std::uint64_t t) {
  run_stale_timers(t);
  episodes_.advance(t);
}

std::size_t Analyzer::memory_bytes() const noexcept {
  return store_.bytes() + table_.memory_bytes() + orphans_.size() * (sizeof(PrefixKey) + 32);
}

GatewayBest Analyzer::describe_best(const PrefixEntry& e, const rib::LocRibBest& b, std::size_t n) const {
  const rib::Route& r = e.routes[b.index];
  GatewayBest g;
  g.peer = wire::to_string(peers_[r.peer].address);
  g.role = peers_[r.peer].label(policy_.circuits);
  g.as_path = as_path_text(r.attrs.get());
  g.local_pref = r.attrs->local_pref;
  g.next_hop = wire::to_string(r.attrs->next_hop);
  g.reason = rib::to_string(b.reason);
  g.candidates = n;
  return g;
}

const std::string& Analyzer::as_path_text(const rib::AttrSet* s) const {
  auto [it, fresh] = path_text_.try_emplace(s);
  if (fresh) it->second = s->as_path_text();
  return it->second;
}

PrefixRow Analyzer::row(const PrefixKey& p) const {
  const PrefixEntry* e = table_.find(p);
  if (!e) {
    PrefixRow r;
    r.prefix = p.to_prefix();
    return r;
  }
  PrefixRow r = row_of(p, *e);
  path_text_.clear();  // keyed by set address: a set freed later may reuse it for another path
  return r;
}

PrefixRow Analyzer::row_of(const PrefixKey& p, const PrefixEntry& entry) const {
  PrefixRow r;
  r.prefix = p.to_prefix();
  const PrefixEntry* e = &entry;
  r.active = active_of(e->state);
  if (r.active.via_covering) {
    const auto cover = table_.longest_covering(p, false);
    if (!cover) return r;
    r.covering = cover->to_prefix();
    e = table_.find(*cover);
  }
  std::size_t n[2] = {0, 0};
  for (const auto& route : e->routes) ++n[peers_[route.peer].gateway == Gateway::Vpn ? kVpn : kEr];
  if (e->best[kEr].index != rib::kNoBest) r.expressroute = describe_best(*e, e->best[kEr], n[kEr]);
  if (e->best[kVpn].index != rib::kNoBest) r.vpn = describe_best(*e, e->best[kVpn], n[kVpn]);
  return r;
}

bool Analyzer::covered_on_link(const PrefixKey& p, int circuit, Link link) const {
  for (auto c = table_.longest_covering(p, false); c; c = table_.longest_covering(*c, false)) {
    const PrefixEntry* e = table_.find(*c);
    for (const auto& r : e->routes) {
      const PeerRole& role = peers_[r.peer];
      if (role.gateway == Gateway::ExpressRoute && role.circuit == circuit && role.link == link) return true;
    }
  }
  return false;
}

std::vector<Finding> Analyzer::findings(const std::vector<std::pair<PrefixKey, const PrefixEntry*>>& sorted) const {
  std::vector<Finding> out;
  auto gateway_has = [&](const PrefixEntry* e, Gateway g) {
    return e && !e->routes.empty() && e->best[g == Gateway::Vpn ? kVpn : kEr].index != rib::kNoBest;
  };
  // 1. VPN more specific than ExpressRoute: ExpressRoute is bypassed for that range.
  for (const auto& [p, e] : sorted) {
    if (!gateway_has(e, Gateway::Vpn) || gateway_has(e, Gateway::ExpressRoute)) continue;
    for (auto c = table_.longest_covering(p, false); c; c = table_.longest_covering(*c, false)) {
      if (!gateway_has(table_.find(*c), Gateway::ExpressRoute)) continue;
      out.push_back({"vpn-more-specific", "warning",
                     fmt::format("VPN advertises a more specific prefix than ExpressRoute: ExpressRoute is bypassed for {} "
                                 "(ExpressRoute carries {})",
                                 wire::to_string(p.to_prefix()), wire::to_string(c->to_prefix())),
                     {p.to_prefix()}});
      break;
    }
  }
  // 2./3. Per circuit: prefixes on one link only, and links that differ (one pass over the table).
  const std::size_t nc = policy_.circuits.size();
  std::vector<int> links_configured(nc, 0);
  for (const auto& r : peers_)
    if (r.gateway == Gateway::ExpressRoute && r.circuit >= 0) links_configured[static_cast<std::size_t>(r.circuit)] |= r.link == Link::Primary ? 1 : 2;
  std::vector<Finding> single(nc, Finding{"single-link", "warning", "", {}}), unequal(nc, Finding{"unequal-links", "warning", "", {}});
  std::vector<std::size_t> prepended(nc, 0);
  std::vector<const rib::AttrSet*> link_best(2 * nc);
  for (const auto& [p, e] : sorted) {
    if (e->routes.empty()) continue;
    std::fill(link_best.begin(), link_best.end(), nullptr);
    for (const auto& route : e->routes) {
      const PeerRole& role = peers_[route.peer];
      if (role.gateway != Gateway::ExpressRoute || role.circuit < 0) continue;
      auto& slot = link_best[2 * static_cast<std::size_t>(role.circuit) + (role.link == Link::Primary ? 0 : 1)];
      if (!slot) slot = route.attrs.get();
    }
    for (std::size_t c = 0; c < nc; ++c) {
      const rib::AttrSet* a = link_best[2 * c];
      const rib::AttrSet* b = link_best[2 * c + 1];
      if (!a && !b) continue;
      if (!a || !b) {
        // A less specific route on the other link still carries the traffic if this one fails.
        if (links_configured[c] == 3 && !covered_on_link(p, static_cast<int>(c), a ? Link::Secondary : Link::Primary))
          single[c].prefixes.push_back(p.to_prefix());
      } else if (a->as_path_length != b->as_path_length) {  // Azure's criterion between links
        unequal[c].prefixes.push_back(p.to_prefix());
        prepended[c] += (a->prepended || b->prepended) ? 1 : 0;
      }
    }
  }
  for (std::size_t c = 0; c < nc; ++c) {
    const std::string& name = policy_.circuits[c];
    if (!single[c].prefixes.empty()) {
      single[c].message = fmt::format("{} prefix(es) reachable over only one link of circuit {}: no redundancy (e.g. {})",
                                      single[c].prefixes.size(), name, wire::to_string(single[c].prefixes.front()));
      out.push_back(std::move(single[c]));
    }
    if (!unequal[c].prefixes.empty()) {
      const bool intent = prepended[c] == unequal[c].prefixes.size();
      unequal[c].severity = intent ? "info" : "warning";
      unequal[c].message = fmt::format("{} prefix(es) differ between the links of circuit {} (one link passive){} (e.g. {})",
                                       unequal[c].prefixes.size(), name,
                                       intent ? ": AS-path prepending, likely intended" : " without AS-path prepending",
                                       wire::to_string(unequal[c].prefixes.front()));
      out.push_back(std::move(unequal[c]));
    }
  }
  // 5. A BGP prefix equal to a VNet's address space is filtered (virtual-network-udr-overview):
  //    the VNet's system route carries it.
  for (const auto& v : policy_.vnets) {
    for (const auto& space : v.address_space) {
      const PrefixEntry* e = table_.find(PrefixKey::from(space));
      if (!e || e->routes.empty()) continue;
      out.push_back({"vnet-prefix-advertised", "warning",
                     fmt::format("{} is advertised over BGP by {} but is VNet {}'s address space: Azure filters it and "
                                 "the VNet's system route carries it",
                                 wire::to_string(space), peer_stats_[e->routes.front().peer].address, v.name),
                     {space}});
    }
  }
  // 4. Azure's prefix limits per BGP peer: the session is dropped while above them.
  for (std::size_t i = 0; i < peers_.size(); ++i) {
    if (!peer_stats_[i].limit_drops) continue;
    const bool now = dropped_[i] != 0;
    out.push_back({"prefix-limit", "error",
                   fmt::format("peer {} ({}) advertised up to {} prefixes, above its limit (Azure: 4,000 IPv4 / 10,000 "
                               "Premium / 100 IPv6 on ExpressRoute, 4,000 per VPN BGP peer): the session was dropped {} "
                               "time(s){}",
                               peer_stats_[i].address, peer_stats_[i].role, peer_stats_[i].max_prefixes,
                               peer_stats_[i].limit_drops, now ? " and is down now; its routes do not count" : ""),
                   {}});
  }
  return out;
}

Report Analyzer::report(bool final, int vnet) {
  if (final) episodes_.finish(last_us_);
  Report r;
  r.peers = peer_summaries();
  std::vector<std::pair<PrefixKey, const PrefixEntry*>> sorted;
  sorted.reserve(table_.prefixes());
  table_.for_each([&](const PrefixKey& p, const PrefixEntry& e) { sorted.emplace_back(p, &e); });
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  r.active_paths.reserve(sorted.size());
  path_text_.clear();
  for (const auto& [p, e] : sorted) {
    r.active_paths.push_back(row_of(p, *e));
    ++r.summary.active_by_kind[to_string(r.active_paths.back().active.kind)];
  }
  path_text_.clear();  // sets may have been freed and their addresses reused since
  r.events = events_since(0);
  r.path_sets.reserve(path_sets_.size());
  for (std::uint32_t i = 0; i < path_sets_.size(); ++i) r.path_sets.push_back(carrying(i));
  r.episodes = episodes_.done();
  r.findings = findings(sorted);
  r.summary.first_us = first_us_;
  r.summary.last_us = last_us_;
  r.summary.routes = routes();
  r.summary.prefixes = sorted.size();
  r.summary.attribute_sets = store_.size();
  r.summary.events = events_.size();
  r.summary.path_sets = path_sets_.size() - 1;
  for (const auto& v : policy_.vnets)
    r.summary.vnets.push_back(v.name + (v.hub ? " (hub)" : v.transit ? " (spoke, gateway transit)" : " (spoke, no gateway transit)"));
  if (vnet >= 0 && vnet != hub_) {  // the answers as that spoke sees them
    r.summary.vnet = policy_.vnets[static_cast<std::size_t>(vnet)].name;
    r.summary.active_by_kind.clear();
    for (auto& row : r.active_paths) {
      row.active = in_vnet(PrefixKey::from(row.prefix), row.active, vnet);
      if (row.active.kind == PathKind::System || row.active.kind == PathKind::None) {
        row.expressroute.reset();
        row.vpn.reset();
      }
      ++r.summary.active_by_kind[to_string(row.active.kind)];
    }
  } else if (hub_ >= 0) {
    r.summary.vnet = policy_.vnets[static_cast<std::size_t>(hub_)].name;
  }
  r.summary.baseline = baseline_info_;
  return r;
}

std::vector<Event> Analyzer::events_since(std::size_t first) const {
  std::vector<Event> out;
  if (first >= events_.size()) return out;
  out.reserve(events_.size() - first);
  for (auto it = events_.begin() + static_cast<std::ptrdiff_t>(first); it != events_.end(); ++it)
    out.push_back(Event{it->time_us, it->prefix.to_prefix(), active_of(it->from()), active_of(it->to()), causes_[it->cause]});
  return out;
}

std::vector<PeerSummary> Analyzer::peer_summaries() const {
  std::vector<PeerSummary> out = peer_stats_;
  for (std::size_t i = 0; i < peers_.size(); ++i) out[i].prefixes = table_.peer_routes(static_cast<std::uint16_t>(i));
  return out;
}

std::vector<PrefixRow> Analyzer::rows(const std::optional<PrefixKey>& within) const {
  std::vector<std::pair<PrefixKey, const PrefixEntry*>> sorted;
  table_.for_each([&](const PrefixKey& p, const PrefixEntry& e) {
    if (!within || within->covers(p)) sorted.emplace_back(p, &e);
  });
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<PrefixRow> out;
  out.reserve(sorted.size());
  for (const auto& [p, e] : sorted) out.push_back(row_of(p, *e));
  path_text_.clear();
  return out;
}

std::vector<Analyzer::KeyedEntry> Analyzer::entries_after(const std::optional<PrefixKey>& after, std::size_t n,
                                                          const std::optional<PrefixKey>& within) const {
  // The n smallest keys above `after` in one pass: collect up to 2n, keep the n smallest
  // (nth_element), and from then on only keys below the largest kept.
  std::vector<KeyedEntry> keys;
  if (n == 0) return keys;
  keys.reserve(2 * n);
  std::optional<PrefixKey> bound;
  // PrefixKey's order (hi, lo, length, v6) spelled out inline: this runs for every prefix of the
  // table, and the defaulted <=> is an out-of-line call.
  const auto less = [](const PrefixKey& a, const PrefixKey& b) {
    if (a.hi != b.hi) return a.hi < b.hi;
    if (a.lo != b.lo) return a.lo < b.lo;
    if (a.length != b.length) return a.length < b.length;
    return a.v6 < b.v6;
  };
  const auto by_key = [&](const KeyedEntry& a, const KeyedEntry& b) { return less(a.first, b.first); };
  table_.for_each([&](const PrefixKey& p, const PrefixEntry& e) {
    if ((after && !less(*after, p)) || (bound && less(*bound, p)) || (within && !within->covers(p))) return;
    keys.emplace_back(p, &e);
    if (keys.size() == 2 * n) {
      std::nth_element(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(n - 1), keys.end(), by_key);
      keys.resize(n);
      bound = std::max_element(keys.begin(), keys.end(), by_key)->first;
    }
  });
  std::sort(keys.begin(), keys.end(), by_key);
  if (keys.size() > n) keys.resize(n);
  keys.shrink_to_fit();  // the caller keeps them for a while
  return keys;
}

std::vector<PrefixKey> Analyzer::keys_after(const std::optional<PrefixKey>& after, std::size_t n,
                                            const std::optional<PrefixKey>& within) const {
  std::vector<PrefixKey> keys;
  for (const auto& k : entries_after(after, n, within)) keys.push_back(k.first);
  return keys;
}

std::vector<PrefixRow> Analyzer::rows_of(const KeyedEntry* first, std::size_t n) const {
  std::vector<PrefixRow> out;
  out.reserve(n);
  // The entries lie in hash order: each is a cache miss, and so is its spilled route array.
  // Fetch both ahead of use (entries 16 rows ahead, their routes 8 ahead).
  for (std::size_t i = 0; i < n && i < 16; ++i) __builtin_prefetch(first[i].second);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + 16 < n) __builtin_prefetch(first[i + 16].second);
    if (i + 8 < n) __builtin_prefetch(first[i + 8].second->routes.data());
    out.push_back(row_of(first[i].first, *first[i].second));
  }
  path_text_.clear();
  return out;
}

std::vector<PrefixRow> Analyzer::rows_for(const std::vector<PrefixKey>& keys) const {
  std::vector<PrefixRow> out;
  out.reserve(keys.size());
  for (const auto& p : keys) {
    if (const PrefixEntry* e = table_.find(p)) {
      out.push_back(row_of(p, *e));
    } else {
      out.emplace_back().prefix = p.to_prefix();
    }
  }
  path_text_.clear();
  return out;
}

std::vector<PrefixRow> Analyzer::rows_after(const std::optional<PrefixKey>& after, std::size_t n,
                                           const std::optional<PrefixKey>& within) const {
  return rows_for(keys_after(after, n, within));
}

std::vector<Finding> Analyzer::findings() const {
  std::vector<std::pair<PrefixKey, const PrefixEntry*>> sorted;
  sorted.reserve(table_.prefixes());
  table_.for_each([&](const PrefixKey& p, const PrefixEntry& e) { sorted.emplace_back(p, &e); });
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return findings(sorted);
}

std::vector<Event> Analyzer::events_range(std::size_t first, std::size_t n) const {
  std::vector<Event> out;
  if (first >= events_.size()) return out;
  const std::size_t last = first + std::min(n, events_.size() - first);
  out.reserve(last - first);
  for (auto it = events_.begin() + static_cast<std::ptrdiff_t>(first); it != events_.begin() + static_cast<std::ptrdiff_t>(last); ++it)
    out.push_back(Event{it->time_us, it->prefix.to_prefix(), unpack(it->from()), unpack(it->to()), causes_[it->cause]});
  return out;
}

std::vector<int> Analyzer::match_peers(const std::string& target) const {
  std::vector<int> out;
  const auto addr = wire::parse_address(target);
  for (std::size_t i = 0; i < peers_.size(); ++i) {
    const PeerRole& r = peers_[i];
    const bool er = r.gateway == Gateway::ExpressRoute;
    const std::string circuit = er && r.circuit >= 0 ? policy_.circuits[static_cast<std::size_t>(r.circuit)] : "";
    const bool hit = (addr && r.address == *addr) || target == r.label(policy_.circuits) ||
                     (er && (target == circuit || target == "expressroute")) ||
                     (!er && target == "vpn");
    if (hit) out.push_back(static_cast<int>(i));
  }
  return out;
}

WhatIf Analyzer::what_if(const std::vector<int>& failed_peers) const {
  std::vector<bool> failed(peers_.size(), false);
  WhatIf out;
  for (int i : failed_peers) {
    failed[static_cast<std::size_t>(i)] = true;
    out.failed.push_back(fmt::format("{} ({})", wire::to_string(peers_[static_cast<std::size_t>(i)].address),
                                     peers_[static_cast<std::size_t>(i)].label(policy_.circuits)));
  }
  auto survives = [&](const rib::Route& r) { return !failed[r.peer]; };
  // Prefixes whose own routes were hit get a new decision; those left without a surviving route
  // (and rows that never had one) follow their longest surviving covering prefix.
  absl::flat_hash_map<PrefixKey, ActivePath> after;
  std::vector<PrefixKey> uncovered;
  PrefixEntry scratch;
  table_.for_each([&](const PrefixKey& p, const PrefixEntry& e) {
    const bool hit = std::any_of(e.routes.begin(), e.routes.end(), [&](const rib::Route& r) { return !survives(r); });
    if (!hit) {
      if (e.routes.empty()) uncovered.push_back(p);
      return;
    }
    scratch.routes.clear();
    for (const auto& r : e.routes)
      if (survives(r)) scratch.routes.push_back(r);
    if (scratch.routes.empty()) uncovered.push_back(p);
    else after[p] = system_route(p, hub_) ? system_path() : decide(scratch, p.length == 0).active;
  });
  auto own_path = [&](const PrefixKey& k, const PrefixEntry& e) -> std::optional<ActivePath> {
    if (auto it = after.find(k); it != after.end()) return it->second;
    if (std::none_of(e.routes.begin(), e.routes.end(), survives)) return std::nullopt;
    return unpack(e.state);
  };
  for (const auto& p : uncovered) {
    ActivePath a;
    for (int len = p.length - 1; len >= 0; --len) {
      const PrefixKey k = p.truncated(static_cast<std::uint8_t>(len));
      const PrefixEntry* e = table_.find(k);
      if (!e) continue;
      if (auto own = own_path(k, *e)) {
        a = *own;
        a.via_covering = true;
        break;
      }
    }
    after[p] = a;
  }
  for (auto& [p, a] : after) {
    const ActivePath before = active_of(table_.find(p)->state);
    if (before == a) continue;
    summarise(a);
    out.changes.push_back(WhatIfChange{p.to_prefix(), before, a});
    ++out.transitions[fmt::format("{}->{}", to_string(before.kind), to_string(a.kind))];
  }
  std::sort(out.changes.begin(), out.changes.end(), [](const WhatIfChange& x, const WhatIfChange& y) {
    return PrefixKey::from(x.prefix) < PrefixKey::from(y.prefix);
  });
  return out;
}

}  // namespace bgpfa::analyzer
