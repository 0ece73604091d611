#include "analyzer/analyzer.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace bgpfa::analyzer {

using rib::Candidate;
using rib::PrefixKey;
using rib::Reason;

namespace {

// Best of a candidate list by the RFC 4271 process; `why` is the step that made it win.
const Candidate* pick(const std::vector<Candidate>& cs, Reason& why) {
  if (cs.empty()) return nullptr;
  const Candidate* best = &cs[0];
  why = Reason::OnlyPath;
  for (std::size_t i = 1; i < cs.size(); ++i) {
    Reason r;
    if (rib::better(cs[i], *best, r)) best = &cs[i];
    why = r;
  }
  return best;
}

// Azure treats two routes as equal for ECMP when neither is preferred by local-pref or length.
bool equal_for_ecmp(const Candidate& a, const Candidate& b) {
  return a.attrs->local_pref == b.attrs->local_pref && a.attrs->as_path_length == b.attrs->as_path_length;
}

}  // namespace

Analyzer::Analyzer(Policy policy, std::vector<PeerRole> peers)
    : policy_(std::move(policy)), peers_(std::move(peers)), ribs_(peers_.size()), peer_stats_(peers_.size()),
      episodes_(policy_.quiet_period_us) {
  for (std::size_t i = 0; i < peers_.size(); ++i) {
    peer_stats_[i].address = wire::to_string(peers_[i].address);
    peer_stats_[i].role = peers_[i].label(policy_.circuits);
    peer_stats_[i].asn = peers_[i].asn;
    peer_stats_[i].description = peers_[i].description;
  }
}

int Analyzer::peer_index(const wire::IpAddress& a) const {
  for (std::size_t i = 0; i < peers_.size(); ++i)
    if (peers_[i].address == a) return static_cast<int>(i);
  return -1;
}

Analyzer::Choice Analyzer::decide(const PrefixKey& p, bool details) const {
  Choice out;
  // Candidates per gateway; ExpressRoute grouped by circuit.
  std::vector<Candidate> er_all, vpn_all;
  std::vector<std::vector<Candidate>> by_circuit(policy_.circuits.size());
  for (std::size_t i = 0; i < peers_.size(); ++i) {
    const rib::PathList* paths = ribs_[i].find(p);
    if (!paths) continue;
    for (const auto& path : *paths) {
      Candidate c{path.attrs.get(), static_cast<std::uint16_t>(i), path.path_id, peers_[i].asn != policy_.local_as,
                  &peers_[i].address};
      if (peers_[i].gateway == Gateway::Vpn) {
        vpn_all.push_back(c);
      } else {
        er_all.push_back(c);
        if (peers_[i].circuit >= 0) by_circuit[static_cast<std::size_t>(peers_[i].circuit)].push_back(c);
      }
    }
  }
  Reason why = Reason::OnlyPath;
  const Candidate* er_best = nullptr;
  ActivePath er_path;
  // Among circuits: connection weight, then AS-path length (Azure's rule 3).
  int best_circuit = -1;
  const Candidate* circuit_best = nullptr;
  for (std::size_t c = 0; c < by_circuit.size(); ++c) {
    Reason r;
    const Candidate* b = pick(by_circuit[c], r);
    if (!b) continue;
    const bool wins = !circuit_best || policy_.weights[c] > policy_.weights[static_cast<std::size_t>(best_circuit)] ||
                      (policy_.weights[c] == policy_.weights[static_cast<std::size_t>(best_circuit)] &&
                       b->attrs->as_path_length < circuit_best->attrs->as_path_length);
    if (wins) {
      best_circuit = static_cast<int>(c);
      circuit_best = b;
    }
  }
  if (circuit_best) {
    er_best = circuit_best;
    // Within the circuit: links whose best is as good as the circuit's best share the traffic.
    bool primary = false, secondary = false;
    for (const auto& c : by_circuit[static_cast<std::size_t>(best_circuit)]) {
      if (!equal_for_ecmp(c, *circuit_best)) continue;
      (peers_[c.peer].link == Link::Primary ? primary : secondary) = true;
    }
    er_path.kind = primary && secondary ? PathKind::ErEcmp : primary ? PathKind::ErPrimary : PathKind::ErSecondary;
    er_path.circuit = static_cast<std::int16_t>(best_circuit);
  }
  Reason vwhy = Reason::OnlyPath;
  const Candidate* vpn_best = pick(vpn_all, vwhy);
  ActivePath vpn_path;
  if (vpn_best) {
    vpn_path.kind = PathKind::Vpn;
    for (const auto& c : vpn_all)
      if (equal_for_ecmp(c, *vpn_best)) vpn_path.vpn_instances |= static_cast<std::uint8_t>(1u << (peers_[c.peer].vpn_instance & 1));
  }
  if (er_best && vpn_best) {
    switch (policy_.preference) {
      case RoutingPreference::ExpressRoute: out.active = er_path; break;
      case RoutingPreference::Vpn: out.active = vpn_path; break;
      case RoutingPreference::AsPath:
        out.active = vpn_best->attrs->as_path_length < er_best->attrs->as_path_length ? vpn_path : er_path;
        break;
    }
  } else if (er_best) {
    out.active = er_path;
  } else if (vpn_best) {
    out.active = vpn_path;
  }
  if (details) {
    if (er_best) {
      pick(er_all, why);  // the gateway's own decision over all its links and circuits
      out.er = describe_best(*er_best, why, er_all.size());
    }
    if (vpn_best) out.vpn = describe_best(*vpn_best, vwhy, vpn_all.size());
  }
  return out;
}

GatewayBest Analyzer::describe_best(const Candidate& c, Reason why, std::size_t n) const {
  GatewayBest g;
  g.peer = wire::to_string(peers_[c.peer].address);
  g.role = peers_[c.peer].label(policy_.circuits);
  g.as_path = c.attrs->as_path_text();
  g.local_pref = c.attrs->local_pref;
  g.next_hop = wire::to_string(c.attrs->next_hop);
  g.reason = rib::to_string(why);
  g.candidates = n;
  return g;
}

void Analyzer::changed(std::uint64_t t, const PrefixKey& p, const std::string& cause) {
  bool has_route = false;
  for (const auto& r : ribs_)
    if (r.find(p)) {
      has_route = true;
      break;
    }
  if (has_route) {
    all_.insert(p);
    orphans_.erase(p);
  } else {
    all_.erase(p);
  }
  ActivePath now = decide(p, false).active;
  if (!has_route) {
    orphans_.insert(p);
    // Longest-prefix match: a less specific route still carries the traffic.
    if (auto cover = all_.longest_covering(p, false)) {
      now = decide(*cover, false).active;
      now.via_covering = true;
    }
  }
  auto [it, fresh] = active_.try_emplace(p, ActivePath{});
  const ActivePath before = it->second;
  if (before != now) {
    it->second = now;
    events_.push_back(Event{t, p.to_prefix(), before, now, cause});
    episodes_.change(t, p, before, now);
  }
  recompute_orphans_under(t, p, cause);
}

void Analyzer::recompute_orphans_under(std::uint64_t t, const PrefixKey& p, const std::string& cause) {
  // Rows without a route of their own follow their covering prefix: refresh those under p.
  if (orphans_.empty()) return;
  scratch_.clear();
  for (const auto& o : orphans_)
    if (o != p && p.covers(o)) scratch_.push_back(o);
  for (const auto& o : scratch_) {
    ActivePath now;
    if (auto cover = all_.longest_covering(o, false)) {
      now = decide(*cover, false).active;
      now.via_covering = true;
    }
    ActivePath& cur = active_[o];
    if (cur != now) {
      events_.push_back(Event{t, o.to_prefix(), cur, now, cause});
      episodes_.change(t, o, cur, now);
      cur = now;
    }
  }
}

void Analyzer::announce(std::uint64_t t, int peer, const wire::Prefix& prefix, std::uint32_t path_id,
                        const rib::AttrRef& attrs, const std::string& cause) {
  last_us_ = t;
  if (!first_us_) first_us_ = t;
  const PrefixKey p = PrefixKey::from(prefix);
  auto& rib = ribs_[static_cast<std::size_t>(peer)];
  if (!rib.announce(p, path_id, attrs)) return;
  auto& st = peer_stats_[static_cast<std::size_t>(peer)];
  st.max_prefixes = std::max(st.max_prefixes, rib.prefixes());
  changed(t, p, cause);
}

void Analyzer::withdraw(std::uint64_t t, int peer, const wire::Prefix& prefix, std::uint32_t path_id,
                        const std::string& cause) {
  last_us_ = t;
  if (!first_us_) first_us_ = t;
  const PrefixKey p = PrefixKey::from(prefix);
  if (!ribs_[static_cast<std::size_t>(peer)].withdraw(p, path_id)) return;
  changed(t, p, cause);
}

void Analyzer::update_received(std::uint64_t t, int peer) {
  ++peer_stats_[static_cast<std::size_t>(peer)].updates;
  episodes_.update_from(t, peers_[static_cast<std::size_t>(peer)].gateway == Gateway::Vpn ? "vpn" : "expressroute");
}

void Analyzer::session_up(std::uint64_t t, int peer, const std::string& why) {
  last_us_ = std::max(last_us_, t);
  peer_stats_[static_cast<std::size_t>(peer)].established = true;
  episodes_.trigger(t, why);
}

void Analyzer::session_down(std::uint64_t t, int peer, const std::string& why) {
  last_us_ = std::max(last_us_, t);
  peer_stats_[static_cast<std::size_t>(peer)].established = false;
  episodes_.trigger(t, why);
  std::vector<PrefixKey> affected;
  ribs_[static_cast<std::size_t>(peer)].clear(affected);
  std::sort(affected.begin(), affected.end());  // deterministic event order
  for (const auto& p : affected) changed(t, p, why);
}

void Analyzer::trigger(std::uint64_t t, const std::string& why) { episodes_.trigger(t, why); }

void Analyzer::advance(std::uint64_t t) { episodes_.advance(t); }

std::size_t Analyzer::routes() const noexcept {
  std::size_t n = 0;
  for (const auto& r : ribs_) n += r.paths();
  return n;
}

std::size_t Analyzer::memory_bytes() const noexcept {
  std::size_t n = store_.bytes() + active_.capacity() * (sizeof(std::pair<PrefixKey, ActivePath>) + 1);
  for (const auto& r : ribs_) n += r.memory_bytes();
  return n;
}

PrefixRow Analyzer::row(const PrefixKey& p) const {
  PrefixRow r;
  r.prefix = p.to_prefix();
  auto it = active_.find(p);
  if (it != active_.end()) r.active = it->second;
  const PrefixKey source = r.active.via_covering ? all_.longest_covering(p, false).value_or(p) : p;
  if (r.active.via_covering) r.covering = source.to_prefix();
  Choice c = decide(source, true);
  r.expressroute = std::move(c.er);
  r.vpn = std::move(c.vpn);
  return r;
}

std::vector<Finding> Analyzer::findings() const {
  std::vector<Finding> out;
  std::vector<PrefixKey> keys;
  keys.reserve(active_.size());
  for (const auto& [p, a] : active_) keys.push_back(p);
  std::sort(keys.begin(), keys.end());

  auto gateway_has = [&](const PrefixKey& p, Gateway g) {
    for (std::size_t i = 0; i < peers_.size(); ++i)
      if (peers_[i].gateway == g && ribs_[i].find(p)) return true;
    return false;
  };
  // 1. VPN more specific than ExpressRoute: ExpressRoute is bypassed for that range.
  for (const auto& p : keys) {
    if (!gateway_has(p, Gateway::Vpn) || gateway_has(p, Gateway::ExpressRoute)) continue;
    for (auto c = all_.longest_covering(p, false); c; c = all_.longest_covering(*c, false)) {
      if (!gateway_has(*c, Gateway::ExpressRoute)) continue;
      out.push_back({"vpn-more-specific", "warning",
                     fmt::format("VPN advertises a more specific prefix than ExpressRoute: ExpressRoute is bypassed for {} "
                                 "(ExpressRoute carries {})",
                                 wire::to_string(p.to_prefix()), wire::to_string(c->to_prefix())),
                     {p.to_prefix()}});
      break;
    }
  }
  // 2./3. Per circuit: prefixes on one link only, and links that differ.
  for (std::size_t c = 0; c < policy_.circuits.size(); ++c) {
    int links_configured = 0;
    for (const auto& r : peers_) links_configured |= (r.gateway == Gateway::ExpressRoute && r.circuit == static_cast<int>(c)) ? (r.link == Link::Primary ? 1 : 2) : 0;
    Finding single{"single-link", "warning", "", {}}, unequal{"unequal-links", "warning", "", {}};
    std::size_t prepended = 0;
    for (const auto& p : keys) {
      const rib::AttrSet* link_best[2] = {nullptr, nullptr};
      for (std::size_t i = 0; i < peers_.size(); ++i) {
        if (peers_[i].gateway != Gateway::ExpressRoute || peers_[i].circuit != static_cast<int>(c)) continue;
        if (const auto* paths = ribs_[i].find(p)) link_best[peers_[i].link == Link::Primary ? 0 : 1] = (*paths)[0].attrs.get();
      }
      if (!link_best[0] && !link_best[1]) continue;
      if (!link_best[0] || !link_best[1]) {
        if (links_configured == 3) single.prefixes.push_back(p.to_prefix());
      } else if (link_best[0]->local_pref != link_best[1]->local_pref ||
                 link_best[0]->as_path_length != link_best[1]->as_path_length) {
        unequal.prefixes.push_back(p.to_prefix());
        prepended += (link_best[0]->prepended || link_best[1]->prepended) ? 1 : 0;
      }
    }
    const std::string& name = policy_.circuits[c];
    if (!single.prefixes.empty()) {
      single.message = fmt::format("{} prefix(es) reachable over only one link of circuit {}: no redundancy (e.g. {})",
                                   single.prefixes.size(), name, wire::to_string(single.prefixes.front()));
      out.push_back(std::move(single));
    }
    if (!unequal.prefixes.empty()) {
      const bool intent = prepended == unequal.prefixes.size();
      unequal.severity = intent ? "info" : "warning";
      unequal.message = fmt::format("{} prefix(es) differ between the links of circuit {} (one link passive){} (e.g. {})",
                                    unequal.prefixes.size(), name,
                                    intent ? ": AS-path prepending, likely intended" : " without AS-path prepending",
                                    wire::to_string(unequal.prefixes.front()));
      out.push_back(std::move(unequal));
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
  r.peers = peer_stats_;
  for (std::size_t i = 0; i < peers_.size(); ++i) r.peers[i].prefixes = ribs_[i].prefixes();
  std::vector<PrefixKey> keys;
  keys.reserve(active_.size());
  for (const auto& [p, a] : active_) keys.push_back(p);
  std::sort(keys.begin(), keys.end());
  r.active_paths.reserve(keys.size());
  for (const auto& p : keys) {
    r.active_paths.push_back(row(p));
    ++r.summary.active_by_kind[to_string(r.active_paths.back().active.kind)];
  }
  r.events = events_;
  r.episodes = episodes_.done();
  r.findings = findings();
  r.summary.first_us = first_us_;
  r.summary.last_us = last_us_;
  r.summary.routes = routes();
  r.summary.prefixes = keys.size();
  r.summary.attribute_sets = store_.size();
  r.summary.events = events_.size();
  return r;
}

}  // namespace bgpfa::analyzer
