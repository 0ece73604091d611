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

// Azure treats two routes as equal for ECMP when neither is preferred by local-pref or length.
bool equal_for_ecmp(const rib::AttrSet& a, const rib::AttrSet& b) {
  return a.local_pref == b.local_pref && a.as_path_length == b.as_path_length;
}

}  // namespace

Analyzer::Analyzer(Policy policy, std::vector<PeerRole> peers)
    : policy_(std::move(policy)), peers_(std::move(peers)), table_(peers_.size()), peer_stats_(peers_.size()),
      stale_timers_(peers_.size()) {
  for (std::size_t i = 0; i < peers_.size(); ++i) {
    peer_stats_[i].address = wire::to_string(peers_[i].address);
    peer_stats_[i].role = peers_[i].label(policy_.circuits);
    peer_stats_[i].asn = peers_[i].asn;
    peer_stats_[i].description = peers_[i].description;
  }
}

int Analyzer::add_circuit(const std::string& name, int weight) {
  const auto it = std::find(policy_.circuits.begin(), policy_.circuits.end(), name);
  if (it != policy_.circuits.end()) return static_cast<int>(it - policy_.circuits.begin());
  policy_.circuits.push_back(name);
  policy_.weights.push_back(weight);
  return static_cast<int>(policy_.circuits.size() - 1);
}

int Analyzer::add_peer(PeerRole role) {
  if (const int i = peer_index(role.address); i >= 0) return i;
  peers_.push_back(std::move(role));
  table_.add_peer();
  stale_timers_.emplace_back();
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
    if (peers_[i].address == a) return static_cast<int>(i);
  return -1;
}

Analyzer::Decision Analyzer::decide(const PrefixEntry& e) const {
  Decision d;
  const auto& routes = e.routes;
  auto candidate = [&](std::size_t i) {
    const auto& r = routes[i];
    return Candidate{r.attrs.get(), r.peer, r.path_id, peers_[r.peer].asn != policy_.local_as, &peers_[r.peer].address};
  };
  // Each gateway's Loc-RIB best by the RFC 4271 process, and the best per ExpressRoute circuit.
  circuit_best_.assign(policy_.circuits.size(), rib::kNoBest);
  for (std::size_t i = 0; i < routes.size(); ++i) {
    const PeerRole& role = peers_[routes[i].peer];
    const int g = role.gateway == Gateway::Vpn ? kVpn : kEr;
    rib::LocRibBest& best = d.best[g];
    if (best.index == rib::kNoBest) {
      best = {static_cast<std::uint8_t>(i), Reason::OnlyPath};
    } else {
      Reason why;
      const bool wins = rib::better(candidate(i), candidate(best.index), why);
      if (wins) best.index = static_cast<std::uint8_t>(i);
      best.reason = why;
    }
    if (g == kEr && role.circuit >= 0) {
      auto& cb = circuit_best_[static_cast<std::size_t>(role.circuit)];
      Reason why;
      if (cb == rib::kNoBest || rib::better(candidate(i), candidate(cb), why)) cb = static_cast<std::uint8_t>(i);
    }
  }
  // Among circuits: connection weight, then AS-path length (Azure's rule 3).
  int circuit = -1;
  for (std::size_t c = 0; c < circuit_best_.size(); ++c) {
    if (circuit_best_[c] == rib::kNoBest) continue;
    if (circuit < 0) {
      circuit = static_cast<int>(c);
      continue;
    }
    const auto cur = static_cast<std::size_t>(circuit);
    const auto& a = *routes[circuit_best_[c]].attrs;
    const auto& b = *routes[circuit_best_[cur]].attrs;
    if (policy_.weights[c] > policy_.weights[cur] ||
        (policy_.weights[c] == policy_.weights[cur] && a.as_path_length < b.as_path_length))
      circuit = static_cast<int>(c);
  }
  ActivePath er_path, vpn_path;
  if (circuit >= 0) {
    // Within the circuit: links whose route is as good as the circuit's best share the traffic.
    const auto& best = *routes[circuit_best_[static_cast<std::size_t>(circuit)]].attrs;
    bool primary = false, secondary = false;
    for (const auto& r : routes) {
      const PeerRole& role = peers_[r.peer];
      if (role.gateway != Gateway::ExpressRoute || role.circuit != circuit || !equal_for_ecmp(*r.attrs, best)) continue;
      (role.link == Link::Primary ? primary : secondary) = true;
    }
    er_path.kind = primary && secondary ? PathKind::ErEcmp : primary ? PathKind::ErPrimary : PathKind::ErSecondary;
    er_path.circuit = static_cast<std::int16_t>(circuit);
  }
  if (d.best[kVpn].index != rib::kNoBest) {
    const auto& best = *routes[d.best[kVpn].index].attrs;
    vpn_path.kind = PathKind::Vpn;
    for (const auto& r : routes)
      if (peers_[r.peer].gateway == Gateway::Vpn && equal_for_ecmp(*r.attrs, best))
        vpn_path.vpn_instances |= static_cast<std::uint8_t>(1u << (peers_[r.peer].vpn_instance & 1));
  }
  const bool er = circuit >= 0, vpn = vpn_path.kind == PathKind::Vpn;
  if (er && vpn) {
    switch (policy_.preference) {
      case RoutingPreference::ExpressRoute: d.active = er_path; break;
      case RoutingPreference::Vpn: d.active = vpn_path; break;
      case RoutingPreference::AsPath: {
        const auto& ea = *routes[circuit_best_[static_cast<std::size_t>(circuit)]].attrs;
        const auto& va = *routes[d.best[kVpn].index].attrs;
        d.active = va.as_path_length < ea.as_path_length ? vpn_path : er_path;
        break;
      }
    }
  } else if (er) {
    d.active = er_path;
  } else if (vpn) {
    d.active = vpn_path;
  }
  return d;
}

std::uint32_t Analyzer::cause_id(const std::string& cause) {
  if (causes_.empty() || causes_.back() != cause) causes_.push_back(cause);
  return static_cast<std::uint32_t>(causes_.size() - 1);
}

ActivePath Analyzer::covered_path(const PrefixKey& p) const {
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
  events_.push_back(Change{t, p, Change::narrow(before) | Change::narrow(packed) << 16, cause});
  episodes_.changed(t);
}

void Analyzer::changed(std::uint64_t t, const PrefixKey& p, PrefixEntry& e, std::uint32_t cause) {
  const Decision d = decide(e);
  e.best[kEr] = d.best[kEr];
  e.best[kVpn] = d.best[kVpn];
  if (e.routes.empty()) {
    orphans_.insert(p);
    set_active(t, p, e, covered_path(p), cause);
  } else {
    if (!orphans_.empty()) orphans_.erase(p);
    set_active(t, p, e, d.active, cause);
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
}

void Analyzer::withdraw(std::uint64_t t, int peer, const wire::Prefix& prefix, std::uint32_t path_id,
                        const std::string& cause) {
  last_us_ = t;
  if (!first_us_) first_us_ = t;
  const PrefixKey p = PrefixKey::from(prefix);
  if (PrefixEntry* e = table_.withdraw(p, static_cast<std::uint16_t>(peer), path_id)) changed(t, p, *e, cause_id(cause));
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
                            std::uint32_t restart_time_s) {
  last_us_ = std::max(last_us_, t);
  const auto pi = static_cast<std::size_t>(peer);
  peer_stats_[pi].established = false;
  episodes_.trigger(t, why);
  std::vector<PrefixKey> affected;
  if (retain_families) table_.retain_stale(static_cast<std::uint16_t>(peer), retain_families, affected);
  else table_.clear_peer(static_cast<std::uint16_t>(peer), affected);
  const std::uint32_t cause = cause_id(why);
  for (const auto& p : affected) changed(t, p, table_.entry(p), cause);
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

void Analyzer::trigger(std::uint64_t t, const std::string& why) { episodes_.trigger(t, why); }

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
  return row_of(p, *e);
}

PrefixRow Analyzer::row_of(const PrefixKey& p, const PrefixEntry& entry) const {
  PrefixRow r;
  r.prefix = p.to_prefix();
  const PrefixEntry* e = &entry;
  r.active = unpack(e->state);
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
        if (links_configured[c] == 3) single[c].prefixes.push_back(p.to_prefix());
      } else if (!equal_for_ecmp(*a, *b)) {
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
  // 4. Azure's prefix limits per BGP peer.
  for (std::size_t i = 0; i < peers_.size(); ++i) {
    const std::size_t limit = peers_[i].gateway == Gateway::Vpn ? policy_.vpn_prefix_limit : policy_.er_prefix_limit;
    if (peer_stats_[i].max_prefixes > limit)
      out.push_back({"prefix-limit", "error",
                     fmt::format("peer {} ({}) advertised up to {} prefixes, above Azure's limit of {}",
                                 peer_stats_[i].address, peer_stats_[i].role, peer_stats_[i].max_prefixes, limit),
                     {}});
  }
  return out;
}

Report Analyzer::report(bool final) {
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
  r.episodes = episodes_.done();
  r.findings = findings(sorted);
  r.summary.first_us = first_us_;
  r.summary.last_us = last_us_;
  r.summary.routes = routes();
  r.summary.prefixes = sorted.size();
  r.summary.attribute_sets = store_.size();
  r.summary.events = events_.size();
  return r;
}

std::vector<Event> Analyzer::events_since(std::size_t first) const {
  std::vector<Event> out;
  if (first >= events_.size()) return out;
  out.reserve(events_.size() - first);
  for (auto it = events_.begin() + static_cast<std::ptrdiff_t>(first); it != events_.end(); ++it)
    out.push_back(Event{it->time_us, it->prefix.to_prefix(), unpack(it->from()), unpack(it->to()), causes_[it->cause]});
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

std::vector<PrefixKey> Analyzer::keys_after(const std::optional<PrefixKey>& after, std::size_t n,
                                            const std::optional<PrefixKey>& within) const {
  // The n smallest keys above `after` in one pass: collect up to 2n, keep the n smallest
  // (nth_element), and from then on only keys below the largest kept.
  std::vector<PrefixKey> keys;
  if (n == 0) return keys;
  keys.reserve(2 * n);
  std::optional<PrefixKey> bound;
  table_.for_each([&](const PrefixKey& p, const PrefixEntry&) {
    if ((after && !(*after < p)) || (bound && *bound < p) || (within && !within->covers(p))) return;
    keys.push_back(p);
    if (keys.size() == 2 * n) {
      std::nth_element(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(n - 1), keys.end());
      keys.resize(n);
      bound = *std::max_element(keys.begin(), keys.end());
    }
  });
  std::sort(keys.begin(), keys.end());
  if (keys.size() > n) keys.resize(n);
  keys.shrink_to_fit();  // the caller keeps them for a while
  return keys;
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
    else after[p] = decide(scratch).active;
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
  for (const auto& [p, a] : after) {
    const ActivePath before = unpack(table_.find(p)->state);
    if (before == a) continue;
    out.changes.push_back(WhatIfChange{p.to_prefix(), before, a});
    ++out.transitions[fmt::format("{}->{}", to_string(before.kind), to_string(a.kind))];
  }
  std::sort(out.changes.begin(), out.changes.end(), [](const WhatIfChange& x, const WhatIfChange& y) {
    return PrefixKey::from(x.prefix) < PrefixKey::from(y.prefix);
  });
  return out;
}

}  // namespace bgpfa::analyzer
