#include <algorithm>
#include <array>
#include <iterator>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <absl/container/flat_hash_set.h>

#include "app/render/report_format.hpp"
#include "rib/prefix.hpp"

namespace bgpfa::app {

using namespace analyzer;

namespace {

std::string ms(std::uint64_t us) {
  if (us >= 10'000'000) return fmt::format("{:.1f} s", static_cast<double>(us) / 1e6);
  return fmt::format("{:.1f} ms", static_cast<double>(us) / 1e3);
}

}  // namespace

// "er-ecmp [er1+er2]", "vpn (instances 0+1) [hq+branch-a]": the circuits or sites that carry it
// when the configuration has several.
std::string path_text(const ActivePath& p, const Report& r, const std::vector<std::string>& circuits) {
  std::string s = describe(p);
  if (p.set >= r.path_sets.size()) return s;
  std::vector<std::string> names;
  bool vpn = false;
  for (const auto& c : r.path_sets[p.set]) {
    vpn = c.gateway == Gateway::Vpn;
    const std::string& n = vpn ? c.site : c.circuit;
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  if (names.empty() || (vpn ? names.size() < 2 : circuits.size() < 2)) return s;
  std::string joined;
  for (const auto& n : names) {
    if (!joined.empty()) joined += '+';
    joined += n;
  }
  return s + " [" + joined + "]";
}

std::string render_text(const Report& r, const std::vector<std::string>& circuits) { return render_text(r, circuits, {}); }

std::string render_text(const Report& r, const std::vector<std::string>& circuits, const TextOptions& opt) {
  std::string s;
  auto out = std::back_inserter(s);
  fmt::format_to(out, "bgpfa replay: {} peers, {} prefixes, {} routes, {} events, {} convergence episodes\n",
                 r.peers.size(), r.summary.prefixes, r.summary.routes, r.summary.events, r.episodes.size());
  if (r.summary.first_us)
    fmt::format_to(out, "updates from {} to {}\n", rfc3339(r.summary.first_us), rfc3339(r.summary.last_us));
  if (!r.summary.vnet.empty())
    fmt::format_to(out, "active paths as VNet {} sees them; VNets: {}\n", r.summary.vnet, fmt::join(r.summary.vnets, ", "));
  if (const auto& b = r.summary.baseline; b.start_us)
    fmt::format_to(out, "baseline: {} prefixes ({} routes) from RIB dumps up to {}: the starting state, not an episode "
                        "(--events-from-start makes events of it)\n",
                   b.prefixes, b.routes, rfc3339(b.end_us));
  for (const auto& t : r.summary.initial_tables)
    fmt::format_to(out, "initial table from {} ({}): {} prefixes in {} (up at {}, ended by {}): a baseline, not an episode\n",
                   t.peer, t.role, t.prefixes, ms(t.end_us - t.start_us), rfc3339(t.start_us), t.ended_by);
  if (!r.summary.unknown_peers.empty()) {
    std::string some;
    for (std::size_t i = 0; i < r.summary.unknown_peers.size() && i < 10; ++i) {
      if (i) some += ", ";
      some += r.summary.unknown_peers[i];
    }
    fmt::format_to(out, "ignored: {} peer(s) not in the configuration: {}{}\n", r.summary.unknown_peers.size(), some,
                   r.summary.unknown_peers.size() > 10 ? ", ..." : "");
  }

  s += "\nPEERS\n";
  for (const auto& p : r.peers)
    fmt::format_to(out, "  {:<18} {:<16} AS{:<10} {:<11} {} prefixes (max {}), {} updates{}\n", p.address, p.role, p.asn,
                   p.established ? "established" : "down", p.prefixes, p.max_prefixes, p.updates,
                   p.description.empty() ? "" : "  \"" + p.description + "\"");

  s += "\nACTIVE PATHS (end of input)\n";
  for (const auto& [kind, n] : r.summary.active_by_kind) fmt::format_to(out, "  {:<13} {} prefixes\n", kind, n);
  s += "\n";
  // The interesting rows first: black holes, prefixes that changed during the input, VPN, one
  // link only (a passive or missing link); then the rest, each group in address order.
  absl::flat_hash_set<rib::PrefixKey> changed;
  for (const auto& e : r.events) changed.insert(rib::PrefixKey::from(e.prefix));
  const auto rank = [&](const PrefixRow& row) -> std::size_t {
    if (row.active.kind == PathKind::None) return 0;
    if (changed.contains(rib::PrefixKey::from(row.prefix))) return 1;
    if (row.active.kind == PathKind::Vpn) return 2;
    if (row.active.kind == PathKind::ErPrimary || row.active.kind == PathKind::ErSecondary) return 3;
    return 4;
  };
  // Ranked once per row, into groups kept in the rows' order (a sort that ranked in its
  // comparison formatted two prefixes per comparison: 12 % of a bview's replay).
  std::array<std::vector<const PrefixRow*>, 5> groups;
  for (const auto& row : r.active_paths)
    if (!opt.kind || row.active.kind == *opt.kind) groups[rank(row)].push_back(&row);
  std::vector<const PrefixRow*> shown;
  shown.reserve(r.active_paths.size());
  for (const auto& g : groups) shown.insert(shown.end(), g.begin(), g.end());
  const std::size_t limit = opt.limit ? opt.limit : shown.size();
  for (std::size_t i = 0; i < shown.size() && i < limit; ++i) {
    const auto& row = *shown[i];
    fmt::format_to(out, "  {:<20} {:<22}", wire::to_string(row.prefix), path_text(row.active, r, circuits));
    if (row.expressroute)
      fmt::format_to(out, " ER {} via {} ({})", row.expressroute->as_path, row.expressroute->peer, row.expressroute->reason);
    if (row.vpn) fmt::format_to(out, "{} VPN {} via {}", row.expressroute ? ";" : "", row.vpn->as_path, row.vpn->peer);
    if (row.covering) fmt::format_to(out, " (covered by {})", wire::to_string(*row.covering));
    s += "\n";
  }
  if (shown.size() > limit)
    fmt::format_to(out, "  ... {} more (--limit 0 for all, --kind K for one kind, --report json)\n", shown.size() - limit);

  s += "\nCONVERGENCE EPISODES\n";
  if (r.episodes.empty()) s += "  none\n";
  for (std::size_t i = 0; i < r.episodes.size(); ++i) {
    const auto& e = r.episodes[i];
    fmt::format_to(out, "  #{} {}  {}\n", i + 1, rfc3339(e.trigger_us), e.trigger);
    fmt::format_to(out, "     {} prefixes changed in {}; convergence p50 {}  p90 {}  p99 {}  max {}\n", e.prefixes_changed,
                   ms(e.end_us - e.start_us), ms(e.p50_us), ms(e.p90_us), ms(e.p99_us), ms(e.max_us));
    fmt::format_to(out, "     black hole: {} prefixes, {:.3f} prefix-seconds{}; path exploration: {}\n",
                   e.blackholed_prefixes, e.blackhole_prefix_seconds,
                   e.still_unreachable ? fmt::format(" ({} still unreachable)", e.still_unreachable) : "",
                   e.path_exploration);
    s += "     transitions:";
    for (const auto& [k, n] : e.transitions) fmt::format_to(out, " {} x{}", k, n);
    s += "\n";
    for (const auto& [g, lag] : e.gateway_lag)
      fmt::format_to(out, "     {} updates: {} (first after {}, last after {})\n", g, lag.updates, ms(lag.first_update_us),
                     ms(lag.last_update_us));
    for (std::size_t j = 0; j < e.other_triggers.size(); ++j) {
      const std::uint64_t t = j < e.other_trigger_us.size() ? e.other_trigger_us[j] : e.trigger_us;
      fmt::format_to(out, "     also: {} (+{})\n", e.other_triggers[j], ms(t - std::min(t, e.trigger_us)));
    }
    if (const auto& p = e.prediction; p.made) {
      fmt::format_to(out, "     predicted (what-if of {} just before):", fmt::join(p.failed, " and "));
      for (const auto& [k, n] : p.predicted) fmt::format_to(out, " {} x{}", k, n);
      s += "\n     observed for those prefixes:";
      for (const auto& [k, n] : p.observed) fmt::format_to(out, " {} x{}", k, n);
      fmt::format_to(out, "\n     {} as predicted, {} otherwise, {} changed without being predicted\n", p.matched, p.differed,
                     p.unpredicted);
      for (const auto& m : p.misses)
        fmt::format_to(out, "       {} predicted {}, observed {}\n", wire::to_string(m.prefix), to_string(m.predicted),
                       to_string(m.observed));
    }
    if (const auto& w = e.failure; w.known && w.after_us != w.before_us)
      fmt::format_to(out, "     failure between {} and {}, noticed {}-{} later by {}; prefixes moved {}-{} after the failure\n",
                     rfc3339(w.after_us), rfc3339(w.before_us), ms(e.detection_min_us), ms(e.detection_max_us),
                     w.detected_by, ms(e.failover_min_us), ms(e.failover_max_us));
    else if (w.known)
      fmt::format_to(out, "     failure at {}, said at once by {}; prefixes moved {} after it\n", rfc3339(w.after_us),
                     w.detected_by, ms(e.failover_max_us));
    else if (!w.note.empty())
      fmt::format_to(out, "     detection time {}\n", w.note);
    if (const auto& p = e.projection)
      fmt::format_to(out, "     projection with Azure's timers ({} {}): detected {}-{} after the failure by {}; "
                          "with the propagation observed here ({}), failover {}-{}\n",
                     p->gateway, p->timers, ms(p->detection_min_us), ms(p->detection_max_us), p->detected_by,
                     ms(p->propagation_us), ms(p->failover_min_us), ms(p->failover_max_us));
  }

  if (r.what_if) {
    fmt::format_to(out, "\nWHAT IF {} FAILED\n", fmt::join(r.what_if->failed, " and "));
    if (r.what_if->changes.empty()) s += "  no prefix would change its path\n";
    else fmt::format_to(out, "  {} prefixes would change their path:", r.what_if->changes.size());
    for (const auto& [k, n] : r.what_if->transitions) fmt::format_to(out, " {} x{}", k, n);
    if (!r.what_if->changes.empty()) s += "\n";
    for (const auto& c : r.what_if->changes)
      fmt::format_to(out, "  {:<20} {} -> {}\n", wire::to_string(c.prefix), path_text(c.before, r, circuits),
                     path_text(c.after, r, circuits));
  }

  s += "\nFINDINGS\n";
  if (r.findings.empty()) s += "  none\n";
  for (const auto& f : r.findings) fmt::format_to(out, "  {:<8} {}\n", f.severity, f.message);

  fmt::format_to(out, "\nEVENTS ({})\n", r.events.size());
  for (std::size_t i = 0; i < r.events.size() && i < limit; ++i) {
    const auto& e = r.events[i];
    fmt::format_to(out, "  {}  {:<20} {} -> {}  ({})\n", rfc3339(e.time_us), wire::to_string(e.prefix),
                   path_text(e.from, r, circuits), path_text(e.to, r, circuits), e.cause);
  }
  if (r.events.size() > limit) fmt::format_to(out, "  ... {} more\n", r.events.size() - limit);
  return s;
}

}  // namespace bgpfa::app
