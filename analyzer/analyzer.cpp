#include "analyzer/analyzer.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "analyzer/findings.hpp"
#include "analyzer/projection.hpp"
#include "analyzer/rows.hpp"
#include "analyzer/what_if.hpp"

namespace bgpfa::analyzer {

using rib::PrefixEntry;
using rib::PrefixKey;

namespace {

PeerSummary summary_of(const Topology& topo, std::size_t i) {
  PeerSummary s;
  const PeerRole& r = topo.role(i);
  s.address = wire::to_string(r.address);
  s.role = topo.label(i);
  s.asn = r.asn;
  s.description = r.description;
  return s;
}

}  // namespace

Analyzer::Analyzer(Policy policy, std::vector<PeerRole> peers)
    : topo_(std::move(policy), std::move(peers)), table_(topo_.size()), stale_timers_(topo_.size()), limits_(topo_.size()),
      initial_(topo_.size(), 0) {
  for (std::size_t i = 0; i < topo_.size(); ++i) peer_stats_.push_back(summary_of(topo_, i));
  events_.set_capacity(topo_.policy().history_events);
  episodes_.set_capacity(topo_.policy().history_episodes);
  episodes_.marks = &marks_;
  episodes_.judge = [this](Episode& ep, const WhatIf& w, const std::vector<PrefixKey>& changed) {
    analyzer::judge(ep, w, changed, table_, rules_);
  };
  episodes_.project = [this](Episode& ep) { ep.projection = project(ep, topo_.policy(), topo_.peers()); };
}

int Analyzer::add_peer(PeerRole role) {
  bool added = false;
  const int i = topo_.add_peer(std::move(role), added);
  if (!added) return i;
  table_.add_peer();
  stale_timers_.add_peer();
  limits_.add_peer();
  initial_.push_back(0);
  peer_stats_.push_back(summary_of(topo_, static_cast<std::size_t>(i)));
  return i;
}

std::string Analyzer::who(std::size_t peer) const {
  return fmt::format("{} ({})", peer_stats_[peer].address, peer_stats_[peer].role);
}

void Analyzer::predict(int peer) {
  if (baseline_) return;
  episodes_.predict(what_if({peer}));  // from the state just before the session's routes go
}

WhatIf Analyzer::what_if(const std::vector<int>& failed) const {
  return analyzer::what_if(topo_, rules_, table_, limits_, failed);
}

void Analyzer::predict_from_log(int peer, std::size_t first) {
  if (baseline_) return;
  // Made when the episode closes, from the changes logged now (first to end): they stay in the
  // log, and the failure's own analysis is done sooner.
  const std::size_t end = events_.size();
  episodes_.predict_at_close([this, peer, first, end] { return prediction_from_log(peer, first, end); });
}

WhatIf Analyzer::prediction_from_log(int peer, std::size_t first, std::size_t end) const {
  // The session's routes are gone: the changes just logged are what what_if({peer}) computes
  // aside (the same decision over the surviving routes, uncovered rows following their longest
  // surviving cover), read here without a second pass over the table at the failure.
  WhatIf w;
  w.failed.push_back(who(static_cast<std::size_t>(peer)));
  first = std::max(first, events_.first());  // bounded history: never before the oldest kept
  std::vector<std::pair<PrefixKey, std::size_t>> order;
  end = std::max(end, first);
  order.reserve(end - first);
  for (std::size_t i = first; i < end; ++i) order.emplace_back(events_[i].prefix, i);
  // Usually in order already (a session's end changes its prefixes in order; orphans refreshed
  // under a cover come out of order).
  const auto by_prefix = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (!std::is_sorted(order.begin(), order.end(), by_prefix)) std::stable_sort(order.begin(), order.end(), by_prefix);
  TransitionCounts counts;
  w.changes.reserve(order.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && order[j].first == order[i].first) ++j;
    const Change& a = events_[order[i].second];
    const Change& b = events_[order[j - 1].second];
    i = j;
    if (a.before == b.after) continue;  // changed and back: no change predicted
    const ActivePath before = rules_.active_of(a.before), after = rules_.active_of(b.after);
    counts.add(before.kind, after.kind);
    w.changes.push_back(WhatIfChange{a.prefix.to_prefix(), before, after});
  }
  counts.into(w.transitions);
  return w;
}

void Analyzer::install_static(int peer, const std::vector<wire::Prefix>& prefixes) {
  // A static site's prefixes are VPN routes from the start (configured, not learned): no
  // events, and the input's clock is untouched.
  const bool was = baseline_;
  const auto first = first_us_, last = last_us_;
  baseline_ = true;
  wire::PathAttributes none;  // no AS path: the site is the gateway's own configuration
  const rib::AttrRef attrs = store_.intern(none, true);
  const std::string why = "static route of VPN site " + topo_.role(static_cast<std::size_t>(peer)).site;
  for (const auto& p : prefixes) announce(0, peer, p, 0, attrs, why);
  baseline_ = was;
  first_us_ = first;
  last_us_ = last;
}

void Analyzer::check_limit(std::uint64_t t, int peer) {
  const auto pi = static_cast<std::uint16_t>(peer);
  const std::size_t all = table_.peer_routes(pi), v6 = table_.peer_routes_v6(pi);
  const bool now = PrefixLimits::exceeded(topo_.policy(), topo_.role(pi), all - v6, v6);
  if (now == limits_.dropped(pi)) return;
  const std::string over = now ? PrefixLimits::over(topo_.policy(), topo_.role(pi), all - v6, v6) : std::string();
  const std::string why = now ? fmt::format("prefix limit exceeded: {} advertised {}: the session is dropped", who(pi), over)
                              : fmt::format("back under the prefix limit: {} ({} prefixes): the session counts again", who(pi), all);
  if (now) ++peer_stats_[pi].limit_drops;
  trigger(t, why, nullptr, peer, SessionMark::Kind::PrefixLimit);
  const bool quiet = quiet_;
  quiet_ = false;  // a session dropped at its limit is news, initial table or not
  if (now) predict(peer);  // with the session's routes still counting
  limits_.set_dropped(pi, now);
  const std::uint32_t cause = cause_id(why).value;
  std::vector<rib::Touched> affected;
  table_.routes_of(pi, affected);
  for (const auto& [p, e] : affected) changed(t, p, *e, cause);
  quiet_ = quiet;
}

ActivePath Analyzer::covered_path(const PrefixKey& p) const {
  if (topo_.system_route(p, topo_.hub())) return Topology::system_path();
  // Longest-prefix match: without a route of its own, a less specific route carries the traffic.
  ActivePath now;
  if (auto cover = table_.longest_covering(p, false)) {
    now = unpack(table_.find(*cover)->state);  // itself via its own cover when it has no usable route
    if (now.kind == PathKind::None) return ActivePath{};  // nothing carries it: a plain black hole
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
  events_.push_back(Change{t, p, before, packed, cause, quiet_});
  if (quiet_) episodes_.initial_change(events_.back());  // an event (watchers see it), no episode
  else episodes_.changed(t);
}

void Analyzer::changed(std::uint64_t t, const PrefixKey& p, PrefixEntry& e, std::uint32_t cause) {
  const Decision d = rules_.decide(e, p.length == 0, limits_.flags());
  e.best[kEr] = d.best[kEr];
  e.best[kVpn] = d.best[kVpn];
  // No usable route of its own (none at all, or only from sessions dropped at a prefix limit, or
  // a default route over VNet-to-VNet): longest-prefix match goes on to a less specific route.
  if (d.active.kind == PathKind::None) {
    orphans_.insert(p);
    set_active(t, p, e, covered_path(p), cause);
  } else {
    orphans_.erase(p);
    set_active(t, p, e, topo_.system_route(p, topo_.hub()) ? Topology::system_path() : d.active, cause);
  }
  refresh_orphans_under(t, p, cause);
}

void Analyzer::refresh_orphans_under(std::uint64_t t, const PrefixKey& p, std::uint32_t cause) {
  if (orphans_.empty()) return;
  orphans_.under(p, scratch_);
  for (const auto& o : scratch_) set_active(t, o, table_.entry(o), covered_path(o), cause);
}

void Analyzer::announce(std::uint64_t t, int peer, const wire::Prefix& prefix, std::uint32_t path_id, rib::AttrRef attrs,
                        CauseId cause) {
  last_us_ = t;
  if (!first_us_) first_us_ = t;
  const PrefixKey p = PrefixKey::from(prefix);
  const auto pi = static_cast<std::uint16_t>(peer);
  PrefixEntry* e = table_.announce(p, pi, path_id, std::move(attrs));
  if (!e) return;
  auto& st = peer_stats_[pi];
  st.max_prefixes = std::max(st.max_prefixes, table_.peer_routes(pi));
  quiet_ = initial_[pi];
  changed(t, p, *e, cause.value);
  check_limit(t, peer);
  quiet_ = false;
}

void Analyzer::announce_snapshot(std::uint64_t t, const wire::Prefix& prefix, std::vector<SnapshotRoute>& routes) {
  if (!baseline_) {  // every change is an event: the same as one by one, in order
    for (auto& r : routes) announce(t, r.peer, prefix, r.path_id, std::move(r.attrs), r.cause);
    return;
  }
  last_us_ = t;
  if (!first_us_) first_us_ = t;
  const PrefixKey p = PrefixKey::from(prefix);
  PrefixEntry* e = nullptr;
  CauseId cause;
  table_.expect_routes(p, routes.size());
  for (auto& r : routes) {
    const auto pi = static_cast<std::uint16_t>(r.peer);
    PrefixEntry* now = table_.announce(p, pi, r.path_id, std::move(r.attrs));
    r.changed = now != nullptr;
    if (!now) continue;
    e = now;
    cause = r.cause;
    auto& st = peer_stats_[pi];
    st.max_prefixes = std::max(st.max_prefixes, table_.peer_routes(pi));
  }
  if (!e) return;
  // The baseline logs nothing, so the decisions in between could not be seen; a session that
  // goes over its limit on one of these routes has its prefixes decided again by check_limit.
  changed(t, p, *e, cause.value);
  for (const auto& r : routes)
    if (r.changed) check_limit(t, r.peer);
}

void Analyzer::withdraw(std::uint64_t t, int peer, const wire::Prefix& prefix, std::uint32_t path_id,
                        const std::string& cause) {
  last_us_ = t;
  if (!first_us_) first_us_ = t;
  const PrefixKey p = PrefixKey::from(prefix);
  if (PrefixEntry* e = table_.withdraw(p, static_cast<std::uint16_t>(peer), path_id)) {
    quiet_ = initial_[static_cast<std::size_t>(peer)];
    changed(t, p, *e, cause_id(cause).value);
    check_limit(t, peer);  // a withdrawal may bring a dropped session back under its limit
    quiet_ = false;
  }
}

void Analyzer::update_received(std::uint64_t t, int peer) {
  ++peer_stats_[static_cast<std::size_t>(peer)].updates;
  if (initial_[static_cast<std::size_t>(peer)]) return;  // no episode's lag
  episodes_.update_from(t, topo_.role(static_cast<std::size_t>(peer)).gateway == Gateway::Vpn ? "vpn" : "expressroute");
}

void Analyzer::session_up(std::uint64_t t, int peer, const std::string& why, std::uint8_t preserved_families) {
  last_us_ = std::max(last_us_, t);
  const auto pi = static_cast<std::size_t>(peer);
  peer_stats_[pi].established = true;
  session_marks_.add(t, peer, SessionMark::Kind::Up, why);
  if (!initial_[pi]) episodes_.trigger(t, why);  // a first establishment is a baseline, not news
  if (!stale_routes(peer)) return;
  // RFC 4724 4.2: families the restarted peer no longer preserves lose their stale routes now;
  // the others wait for End-of-RIB, at most the stale-path time.
  const std::uint8_t gone = static_cast<std::uint8_t>(~preserved_families & (rib::kFamilyIpv4 | rib::kFamilyIpv6));
  if (gone) drop_stale(t, peer, gone, why + ": forwarding state not preserved, stale routes withdrawn");
  if (!stale_routes(peer)) {
    stale_timers_.disarm(pi);
    return;
  }
  stale_timers_.arm(pi, t + kStalePathTimeUs,
                    fmt::format("no End-of-RIB from {} within {} s: stale routes withdrawn", peer_stats_[pi].address,
                                kStalePathTimeUs / 1000000));
}

void Analyzer::session_down(std::uint64_t t, int peer, const std::string& why, std::uint8_t retain_families,
                            std::uint32_t restart_time_s, const FailureWindow* window) {
  last_us_ = std::max(last_us_, t);
  const auto pi = static_cast<std::size_t>(peer);
  peer_stats_[pi].established = false;
  trigger(t, why, window, peer, SessionMark::Kind::Down);
  const std::size_t first_change = events_.size();
  std::vector<rib::Touched> affected;
  if (retain_families) table_.retain_stale(static_cast<std::uint16_t>(peer), retain_families, affected);
  else table_.clear_peer(static_cast<std::uint16_t>(peer), affected);
  const std::uint32_t cause = cause_id(why).value;
  for (const auto& [p, e] : affected) changed(t, p, *e, cause);
  if (!retain_families) predict_from_log(peer, first_change);  // a graceful restart keeps the routes: nothing to predict
  if (!table_.peer_routes(static_cast<std::uint16_t>(peer))) limits_.set_dropped(pi, false);  // a new session starts under its limit
  if (!stale_routes(peer)) {
    stale_timers_.disarm(pi);
    return;
  }
  stale_timers_.arm(pi, t + std::uint64_t{restart_time_s} * 1000000,
                    fmt::format("{} did not come back within its restart time ({} s): stale routes withdrawn",
                                peer_stats_[pi].address, restart_time_s));
}

void Analyzer::end_of_rib(std::uint64_t t, int peer, std::uint8_t families, const std::string& why) {
  last_us_ = std::max(last_us_, t);
  if (!stale_routes(peer)) return;
  drop_stale(t, peer, families, why);
  if (!stale_routes(peer)) stale_timers_.disarm(static_cast<std::size_t>(peer));
}

void Analyzer::drop_stale(std::uint64_t t, int peer, std::uint8_t families, const std::string& why) {
  std::vector<rib::Touched> affected;
  table_.sweep_stale(static_cast<std::uint16_t>(peer), families, affected);
  if (affected.empty()) return;
  session_marks_.add(t, peer, SessionMark::Kind::Other, why);
  episodes_.trigger(t, why);
  const std::uint32_t cause = cause_id(why).value;
  for (const auto& [p, e] : affected) changed(t, p, *e, cause);
  check_limit(t, peer);
}

void Analyzer::trigger(std::uint64_t t, const std::string& why, const FailureWindow* window, int peer,
                       SessionMark::Kind kind) {
  session_marks_.add(t, peer, kind, why);
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
  for (const auto& due : stale_timers_.take_due(t))
    drop_stale(due.at_us, static_cast<int>(due.peer), rib::kFamilyIpv4 | rib::kFamilyIpv6, due.why);
  episodes_.advance(t);
}

std::size_t Analyzer::memory_bytes() const noexcept { return store_.bytes() + table_.memory_bytes() + orphans_.bytes(); }

PrefixRow Analyzer::row(const PrefixKey& p) const { return RowBuilder(topo_, rules_, table_).row(p); }

Report Analyzer::report(bool final, int vnet, ReportStream* stream) {
  if (final) episodes_.finish(last_us_);
  Report r;
  r.peers = peer_summaries();
  SortedEntries sorted = sorted_entries(table_);
  const bool spoke = vnet >= 0 && vnet != topo_.hub();
  if (stream) {  // rows and events come from the stream; the counts are the rows' kinds
    std::size_t by_kind[static_cast<int>(PathKind::System) + 1] = {};
    for (const auto& [p, e] : sorted) {
      const ActivePath a = rules_.active_of(e->state);
      ++by_kind[static_cast<int>(spoke ? topo_.in_vnet(p, a, vnet).kind : a.kind)];
    }
    for (int k = 0; k <= static_cast<int>(PathKind::System); ++k)
      if (by_kind[k]) r.summary.active_by_kind[to_string(static_cast<PathKind>(k))] = by_kind[k];
  } else {
    r.active_paths.reserve(sorted.size());
    RowBuilder rows(topo_, rules_, table_);
    for (const auto& [p, e] : sorted) {
      r.active_paths.push_back(rows.row(p, *e));
      if (!spoke) ++r.summary.active_by_kind[to_string(r.active_paths.back().active.kind)];
    }
    r.events = events_since(0);
  }
  r.path_sets.reserve(rules_.set_count());
  for (std::uint32_t i = 0; i < rules_.set_count(); ++i) r.path_sets.push_back(rules_.carrying(i));
  r.episodes.assign(episodes_.done().begin(), episodes_.done().end());
  r.findings = scan_findings(topo_, table_, sorted, peer_stats_, limits_);
  r.marks.assign(session_marks_.marks().begin(), session_marks_.marks().end());
  r.marks_dropped = session_marks_.dropped();
  r.summary.first_us = first_us_;
  r.summary.last_us = last_us_;
  r.summary.routes = routes();
  r.summary.prefixes = sorted.size();
  r.summary.attribute_sets = store_.size();
  r.summary.events = events_.size();
  r.summary.path_sets = rules_.set_count() - 1;
  const auto& vnets = topo_.policy().vnets;
  for (const auto& v : vnets)
    r.summary.vnets.push_back(v.name + (v.hub ? " (hub)" : v.transit ? " (spoke, gateway transit)" : " (spoke, no gateway transit)"));
  if (spoke) {  // the answers as that spoke sees them
    r.summary.vnet = vnets[static_cast<std::size_t>(vnet)].name;
    for (auto& row : r.active_paths) {
      row.active = topo_.in_vnet(PrefixKey::from(row.prefix), row.active, vnet);
      if (row.active.kind == PathKind::System || row.active.kind == PathKind::None) {
        row.expressroute.reset();
        row.vpn.reset();
      }
      ++r.summary.active_by_kind[to_string(row.active.kind)];
    }
  } else if (topo_.hub() >= 0) {
    r.summary.vnet = vnets[static_cast<std::size_t>(topo_.hub())].name;
  }
  r.summary.baseline = baseline_info_;
  r.summary.initial_tables = initial_tables_;
  if (stream) {
    stream->analyzer_ = this;
    stream->sorted_ = std::move(sorted);
    stream->vnet_ = spoke ? vnet : -1;
  }
  return r;
}

std::vector<Event> Analyzer::events_since(std::size_t first) const {
  std::vector<Event> out;
  first = std::max(first, events_.first());  // the oldest may have been dropped (bounded history)
  if (first >= events_.size()) return out;
  out.reserve(events_.size() - first);
  for (std::size_t i = first; i < events_.size(); ++i) {
    const Change& c = events_[i];
    out.push_back(Event{c.time_us, c.prefix.to_prefix(), rules_.active_of(c.from()), rules_.active_of(c.to()), causes_[c.cause]});
  }
  return out;
}

std::vector<Event> Analyzer::events_range(std::size_t first, std::size_t n) const {
  std::vector<Event> out;
  if (first < events_.first()) return out;  // dropped: the caller checks first_event() (bounded history)
  if (first >= events_.size()) return out;
  const std::size_t last = first + std::min(n, events_.size() - first);
  out.reserve(last - first);
  for (std::size_t i = first; i < last; ++i) {
    const Change& c = events_[i];
    out.push_back(Event{c.time_us, c.prefix.to_prefix(), unpack(c.from()), unpack(c.to()), causes_[c.cause]});
  }
  return out;
}

std::vector<PeerSummary> Analyzer::peer_summaries() const {
  std::vector<PeerSummary> out = peer_stats_;
  for (std::size_t i = 0; i < out.size(); ++i) out[i].prefixes = table_.peer_routes(static_cast<std::uint16_t>(i));
  return out;
}

std::vector<PrefixRow> Analyzer::rows(const std::optional<PrefixKey>& within) const {
  const SortedEntries sorted = sorted_entries(table_, within ? &*within : nullptr);
  std::vector<PrefixRow> out;
  out.reserve(sorted.size());
  RowBuilder rows(topo_, rules_, table_);
  for (const auto& [p, e] : sorted) out.push_back(rows.row(p, *e));
  return out;
}

std::vector<Analyzer::KeyedEntry> Analyzer::entries_after(const std::optional<PrefixKey>& after, std::size_t n,
                                                          const std::optional<PrefixKey>& within) const {
  return analyzer::entries_after(table_, after, n, within);
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
  RowBuilder rows(topo_, rules_, table_);
  // The entries lie in hash order: each is a cache miss, and so is its spilled route array.
  // Fetch both ahead of use (entries 16 rows ahead, their routes 8 ahead).
  for (std::size_t i = 0; i < n && i < 16; ++i) __builtin_prefetch(first[i].second);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + 16 < n) __builtin_prefetch(first[i + 16].second);
    if (i + 8 < n) __builtin_prefetch(first[i + 8].second->routes.begin());
    out.push_back(rows.row(first[i].first, *first[i].second));
  }
  return out;
}

std::vector<PrefixRow> Analyzer::rows_for(const std::vector<PrefixKey>& keys) const {
  std::vector<PrefixRow> out;
  out.reserve(keys.size());
  RowBuilder rows(topo_, rules_, table_);
  for (const auto& p : keys) out.push_back(rows.row(p));
  return out;
}

std::vector<PrefixRow> Analyzer::rows_after(const std::optional<PrefixKey>& after, std::size_t n,
                                           const std::optional<PrefixKey>& within) const {
  return rows_for(keys_after(after, n, within));
}

std::vector<Finding> Analyzer::findings() const {
  return scan_findings(topo_, table_, sorted_entries(table_), peer_stats_, limits_);
}

}  // namespace bgpfa::analyzer
