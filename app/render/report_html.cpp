// Self-contained HTML: tables plus one SVG timeline per episode (a lane per prefix, coloured by
// the active path). No external assets.
#include <iterator>
#include <map>

#include <fmt/format.h>

#include "app/render/report_format.hpp"

namespace bgpfa::app {

using namespace analyzer;

namespace {

std::string secs(std::uint64_t us) {
  if (us >= 10'000'000) return fmt::format("{:.1f} s", static_cast<double>(us) / 1e6);
  return fmt::format("{:.1f} ms", static_cast<double>(us) / 1e3);
}

std::string esc(std::string_view v) {
  std::string s;
  for (char c : v) {
    switch (c) {
      case '<': s += "&lt;"; break;
      case '>': s += "&gt;"; break;
      case '&': s += "&amp;"; break;
      case '"': s += "&quot;"; break;
      default: s += c;
    }
  }
  return s;
}

const char* colour(PathKind k) {
  switch (k) {
    case PathKind::ErPrimary: return "#2b6cb0";
    case PathKind::ErSecondary: return "#63b3ed";
    case PathKind::ErEcmp: return "#2f855a";
    case PathKind::Vpn: return "#dd6b20";
    case PathKind::None: return "#c53030";
    case PathKind::System: return "#718096";
  }
  return "#999";
}

void timeline(std::string& s, const Episode& e, const std::vector<Event>& events) {
  // Lanes: prefixes with events inside the episode, in first-change order.
  std::vector<wire::Prefix> order;
  std::map<std::string, std::vector<const Event*>> lanes;
  for (const auto& ev : events) {
    if (ev.time_us < e.start_us || ev.time_us > e.end_us) continue;
    auto key = wire::to_string(ev.prefix);
    if (!lanes.count(key)) order.push_back(ev.prefix);
    lanes[key].push_back(&ev);
  }
  const std::size_t max_lanes = 60;
  const double span = std::max<double>(1.0, static_cast<double>(e.end_us - e.start_us)) * 1.1;
  const int left = 150, width = 760, lane_h = 16;
  const int n = static_cast<int>(std::min(order.size(), max_lanes));
  const int height = n * lane_h + 30;
  auto x = [&](std::uint64_t t) { return left + static_cast<double>(t - e.start_us) / span * width; };
  auto out = std::back_inserter(s);
  fmt::format_to(out, "<svg width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"episode timeline\">\n", left + width + 10, height);
  for (int i = 0; i < n; ++i) {
    const auto key = wire::to_string(order[static_cast<std::size_t>(i)]);
    const auto& evs = lanes[key];
    const int y = 5 + i * lane_h;
    fmt::format_to(out, "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text>\n", left - 6, y + 11, esc(key));
    PathKind cur = evs.front()->from.kind;
    std::uint64_t from = e.start_us;
    for (const Event* ev : evs) {
      fmt::format_to(out, "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"><title>{}</title></rect>\n",
                     x(from), y, std::max(0.5, x(ev->time_us) - x(from)), lane_h - 4, colour(cur), to_string(cur));
      cur = ev->to.kind;
      from = ev->time_us;
    }
    const std::uint64_t end = e.start_us + static_cast<std::uint64_t>(span);
    fmt::format_to(out, "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"><title>{}</title></rect>\n",
                   x(from), y, std::max(0.5, x(end) - x(from)), lane_h - 4, colour(cur), to_string(cur));
  }
  const int axis_y = n * lane_h + 12;
  fmt::format_to(out, "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#444\"/>\n", left, axis_y, left + width, axis_y);
  for (int k = 0; k <= 4; ++k) {
    const double t = span * k / 4 / 1000.0;
    fmt::format_to(out, "<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">+{:.0f} ms</text>\n",
                   left + width * k / 4, axis_y + 12, t);
  }
  s += "</svg>\n";
  if (order.size() > max_lanes) fmt::format_to(out, "<p>{} more prefixes not drawn.</p>\n", order.size() - max_lanes);
}

}  // namespace

std::string render_html(const Report& r, const std::vector<std::string>& circuits) {
  std::string s;
  auto out = std::back_inserter(s);
  s += "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>bgpfa report</title>\n<style>"
       "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
       "td,th{border:1px solid #ccc;padding:2px 8px;font-size:13px;text-align:left}th{background:#f3f3f3}"
       ".legend span{display:inline-block;padding:2px 8px;margin-right:6px;color:#fff;font-size:12px}"
       ".warning{color:#b7791f}.error{color:#c53030}.info{color:#2b6cb0}</style></head><body>\n";
  fmt::format_to(out, "<h1>bgpfa report</h1>\n<p>{} peers, {} prefixes, {} routes, {} events, {} episodes",
                 r.peers.size(), r.summary.prefixes, r.summary.routes, r.summary.events, r.episodes.size());
  if (r.summary.first_us) fmt::format_to(out, "; updates from {} to {}", rfc3339(r.summary.first_us), rfc3339(r.summary.last_us));
  s += ".</p>\n";
  for (const auto& t : r.summary.initial_tables)
    fmt::format_to(out, "<p class=\"initial\">Initial table from {} ({}): {} prefixes in {} (ended by {}): a baseline, not an episode.</p>\n",
                   esc(t.peer), esc(t.role), t.prefixes, secs(t.end_us - t.start_us), esc(t.ended_by));
  s += "<div class=\"legend\">";
  for (PathKind k : {PathKind::ErPrimary, PathKind::ErSecondary, PathKind::ErEcmp, PathKind::Vpn, PathKind::None})
    fmt::format_to(out, "<span style=\"background:{}\">{}</span>", colour(k), to_string(k));
  s += "</div>\n<h2>Peers</h2>\n<table><tr><th>peer</th><th>role</th><th>AS</th><th>state</th><th>prefixes</th><th>max</th><th>updates</th></tr>\n";
  for (const auto& p : r.peers)
    fmt::format_to(out, "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                   esc(p.address), esc(p.role), p.asn, p.established ? "established" : "down", p.prefixes,
                   p.max_prefixes, p.updates);
  s += "</table>\n<h2>Convergence episodes</h2>\n";
  for (std::size_t i = 0; i < r.episodes.size(); ++i) {
    const auto& e = r.episodes[i];
    fmt::format_to(out, "<h3>#{} {} &mdash; {}</h3>\n<p>{} prefixes changed; convergence p50 {:.1f} ms, p90 {:.1f} ms, "
                        "p99 {:.1f} ms, max {:.1f} ms; black hole {} prefixes ({:.3f} prefix-seconds); path exploration {}.</p>\n",
                   i + 1, rfc3339(e.trigger_us), esc(e.trigger), e.prefixes_changed, e.p50_us / 1e3, e.p90_us / 1e3,
                   e.p99_us / 1e3, e.max_us / 1e3, e.blackholed_prefixes, e.blackhole_prefix_seconds, e.path_exploration);
    if (const auto& w = e.failure; w.known && w.after_us != w.before_us)
      fmt::format_to(out, "<p>Failure between {} and {}, noticed {}&ndash;{} later by {}; prefixes moved {}&ndash;{} after the failure.</p>\n",
                     rfc3339(w.after_us), rfc3339(w.before_us), secs(e.detection_min_us), secs(e.detection_max_us),
                     esc(w.detected_by), secs(e.failover_min_us), secs(e.failover_max_us));
    else if (!w.known && !w.note.empty())
      fmt::format_to(out, "<p>Detection time {}.</p>\n", esc(w.note));
    if (const auto& p = e.projection)
      fmt::format_to(out, "<p class=\"projection\"><b>Projection with Azure's timers</b> ({} {}): detected {}&ndash;{} after the "
                          "failure by {}; with the propagation observed here ({}), failover {}&ndash;{}.</p>\n",
                     esc(p->gateway), esc(p->timers), secs(p->detection_min_us), secs(p->detection_max_us),
                     esc(p->detected_by), secs(p->propagation_us), secs(p->failover_min_us), secs(p->failover_max_us));
    timeline(s, e, r.events);
  }
  if (r.what_if) {
    std::string failed;
    for (const auto& f : r.what_if->failed) failed += (failed.empty() ? "" : " and ") + f;
    fmt::format_to(out, "<h2>What if {} failed</h2>\n<p>{} prefixes would change their path.</p>\n", esc(failed),
                   r.what_if->changes.size());
    if (!r.what_if->changes.empty()) s += "<table><tr><th>prefix</th><th>now</th><th>then</th></tr>\n";
    for (const auto& c : r.what_if->changes)
      fmt::format_to(out, "<tr><td>{}</td><td style=\"color:{}\">{}</td><td style=\"color:{}\">{}</td></tr>\n",
                     esc(wire::to_string(c.prefix)), colour(c.before.kind), esc(describe(c.before)), colour(c.after.kind),
                     esc(describe(c.after)));
    if (!r.what_if->changes.empty()) s += "</table>\n";
  }
  s += "<h2>Findings</h2>\n<ul>\n";
  for (const auto& f : r.findings)
    fmt::format_to(out, "<li class=\"{}\">{}: {}</li>\n", esc(f.severity), esc(f.severity), esc(f.message));
  s += "</ul>\n<h2>Active paths</h2>\n<table><tr><th>prefix</th><th>active</th><th>ExpressRoute best</th><th>VPN best</th></tr>\n";
  for (const auto& row : r.active_paths) {
    fmt::format_to(out, "<tr><td>{}</td><td style=\"color:{}\">{}</td><td>{}</td><td>{}</td></tr>\n",
                   esc(wire::to_string(row.prefix)), colour(row.active.kind), esc(describe(row.active)),
                   row.expressroute ? esc(row.expressroute->as_path + " via " + row.expressroute->peer + " (" + row.expressroute->reason + ")") : "",
                   row.vpn ? esc(row.vpn->as_path + " via " + row.vpn->peer) : "");
  }
  (void)circuits;
  s += "</table>\n</body></html>\n";
  return s;
}

}  // namespace bgpfa::app
