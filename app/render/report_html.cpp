// Self-contained HTML (no external assets): one SVG timeline of the whole input on a common
// axis (carrying share, changes, a lane per peer with its session marks, episodes as bands,
// failure windows shaded), a detail chart per episode, and the prefix table, built in the
// browser from compact embedded data so that a full table stays small and quick to open.
#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <iterator>
#include <numeric>
#include <unordered_map>

#include <absl/container/flat_hash_map.h>
#include <fmt/format.h>

#include "app/render/json_text.hpp"
#include "app/render/report_format.hpp"
#include "rib/prefix.hpp"

namespace bgpfa::app {

using namespace analyzer;

namespace {

using Kind = SessionMark::Kind;

std::string esc(std::string_view v) {
  std::string s;
  s.reserve(v.size());
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

// A JavaScript string literal that is safe inside <script> ("</script>" cannot occur).
std::string js(std::string_view v) {
  std::string q = json_quote(v), s;
  s.reserve(q.size());
  for (char c : q) {
    if (c == '<') s += "\\u003c";
    else s += c;
  }
  return s;
}

constexpr int kKinds = static_cast<int>(PathKind::System) + 1;

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

// Text shortened to about `chars` characters (SVG text does not wrap or clip by itself).
std::string fit(const std::string& v, double chars) {
  const auto n = static_cast<std::size_t>(std::max(4.0, chars));
  if (v.size() <= n) return v;
  return v.substr(0, n - 1) + "\u2026";
}

std::string us_text(std::uint64_t us) {
  if (us >= 10'000'000) return fmt::format("{:.1f} s", static_cast<double>(us) / 1e6);
  if (us >= 1000) return fmt::format("{:.1f} ms", static_cast<double>(us) / 1e3);
  return fmt::format("{} \u00b5s", us);
}

// Tick steps (µs) that read well: 1-2-5 below a second, then seconds, minutes, hours, days.
std::uint64_t tick_step(double span_us, int max_ticks) {
  static constexpr std::array<std::uint64_t, 40> kSteps = {
      1, 2, 5, 10, 20, 50, 100, 200, 500, 1'000, 2'000, 5'000, 10'000, 20'000, 50'000, 100'000, 200'000, 500'000,
      1'000'000, 2'000'000, 5'000'000, 10'000'000, 15'000'000, 30'000'000, 60'000'000, 120'000'000, 300'000'000,
      600'000'000, 900'000'000, 1'800'000'000, 3'600'000'000, 7'200'000'000, 10'800'000'000, 21'600'000'000,
      43'200'000'000, 86'400'000'000, 172'800'000'000, 604'800'000'000, 2'592'000'000'000, 31'536'000'000'000};
  for (std::uint64_t s : kSteps)
    if (span_us / static_cast<double>(s) <= max_ticks) return s;
  return kSteps.back();
}

// "+250 ms", "-6 s", "+0.2 ms", "+50 µs", "0": enough digits that neighbouring ticks differ.
std::string offset_text(std::int64_t off, std::uint64_t step) {
  if (off == 0) return "0";
  const char* sign = off < 0 ? "\u2212" : "+";
  const double a = static_cast<double>(off < 0 ? -off : off);
  if (step >= 60'000'000 && step % 60'000'000 == 0) return fmt::format("{}{:.0f} min", sign, a / 6e7);
  if (step >= 1'000'000) return fmt::format("{}{:.{}f} s", sign, a / 1e6, step % 1'000'000 ? 1 : 0);
  if (step >= 1'000) return fmt::format("{}{:.{}f} ms", sign, a / 1e3, step % 1'000 ? 1 : 0);
  return fmt::format("{}{:.0f} \u00b5s", sign, a);
}

// Time of day (UTC) with the precision the step needs.
std::string clock_text(std::uint64_t us, std::uint64_t step) {
  const std::time_t t = static_cast<std::time_t>(us / 1'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  if (step >= 86'400'000'000) return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  std::string s = fmt::format("{:02}:{:02}", tm.tm_hour, tm.tm_min);
  if (step < 60'000'000) s += fmt::format(":{:02}", tm.tm_sec);
  if (step < 1'000) s += fmt::format(".{:06}", us % 1'000'000);
  else if (step < 1'000'000) s += fmt::format(".{:03}", us % 1'000'000 / 1'000);
  return s;
}

// A time axis over [lo, hi] µs drawn on [x0, x1] user units.
struct Axis {
  std::uint64_t lo = 0, hi = 1;
  double x0 = 0, x1 = 1;
  [[nodiscard]] double x(std::uint64_t t) const {
    const double f = (static_cast<double>(t) - static_cast<double>(lo)) / static_cast<double>(hi - lo);
    return x0 + std::clamp(f, 0.0, 1.0) * (x1 - x0);
  }
  // [lo, hi] around [a, b], at least `min_span` wide, with a margin on both sides.
  static Axis around(std::uint64_t a, std::uint64_t b, std::uint64_t min_span, double x0, double x1) {
    Axis ax;
    ax.x0 = x0;
    ax.x1 = x1;
    const std::uint64_t span = std::max(b - a, min_span);
    const std::uint64_t mid = a + (b - a) / 2;
    const std::uint64_t half = span / 2 + span / 25 + 1;
    ax.lo = mid > half ? mid - half : 0;
    ax.hi = mid + half;
    return ax;
  }
};

std::string marker(Kind k, double x, double y) {
  switch (k) {
    case Kind::Up: return fmt::format("M{:.1f} {:.1f}l5 8h-10z", x, y - 4);
    case Kind::Down: return fmt::format("M{:.1f} {:.1f}l5 -8h-10z", x, y + 4);
    case Kind::Bfd:
    case Kind::HoldTimer:
    case Kind::Notification: return fmt::format("M{:.1f} {:.1f}l5 5l-5 5l-5 -5z", x, y - 5);
    case Kind::PrefixLimit: return fmt::format("M{:.1f} {:.1f}h8v8h-8z", x - 4, y - 4);
    case Kind::Other: break;
  }
  return fmt::format("M{:.1f} {:.1f}h6v6h-6z", x - 3, y - 3);
}
const char* mark_colour(Kind k) {
  switch (k) {
    case Kind::Up: return "#2f855a";
    case Kind::Down: return "#1a202c";
    case Kind::Bfd: return "#e53e3e";
    case Kind::HoldTimer: return "#d69e2e";
    case Kind::Notification: return "#b7791f";
    case Kind::PrefixLimit: return "#805ad5";
    case Kind::Other: break;
  }
  return "#718096";
}
const char* mark_name(Kind k) {
  switch (k) {
    case Kind::Up: return "session up";
    case Kind::Down: return "session down";
    case Kind::Bfd: return "BFD down";
    case Kind::HoldTimer: return "hold timer";
    case Kind::Notification: return "NOTIFICATION";
    case Kind::PrefixLimit: return "prefix limit";
    case Kind::Other: break;
  }
  return "other";
}

// Prefixes by key, not text: formatting each event's and row's prefix to look it up was a fifth
// of the HTML report of a bview + updates replay.
using PrefixIds = absl::flat_hash_map<rib::PrefixKey, std::uint32_t>;

// Everything the charts and the table share: a row index per prefix, changes per row.
struct Index {
  PrefixIds row;                       // prefix -> index into active_paths
  std::vector<std::uint32_t> changes;  // per row: events of that prefix
  bool events_in_time_order = true;    // then an episode's events are found by binary search
};

Index make_index(const Report& r) {
  Index ix;
  ix.row.reserve(r.active_paths.size());
  for (std::uint32_t i = 0; i < r.active_paths.size(); ++i) ix.row.emplace(rib::PrefixKey::from(r.active_paths[i].prefix), i);
  ix.changes.assign(r.active_paths.size(), 0);
  for (const auto& e : r.events)
    if (auto it = ix.row.find(rib::PrefixKey::from(e.prefix)); it != ix.row.end()) ++ix.changes[it->second];
  ix.events_in_time_order =
      std::is_sorted(r.events.begin(), r.events.end(), [](const Event& a, const Event& b) { return a.time_us < b.time_us; });
  return ix;
}

void ticks(std::string& s, const Axis& ax, double y_top, double y_bottom, double y_text, bool clock, std::uint64_t zero) {
  auto out = std::back_inserter(s);
  const std::uint64_t step = tick_step(static_cast<double>(ax.hi - ax.lo), 8);
  const auto origin = static_cast<std::int64_t>(clock ? 0 : zero);
  const auto st = static_cast<std::int64_t>(step);
  const std::int64_t rel = static_cast<std::int64_t>(ax.lo) - origin;
  const std::int64_t first = rel >= 0 ? rel / st : -((-rel + st - 1) / st);  // floor
  for (std::int64_t k = first;; ++k) {
    const std::int64_t off = k * st;
    const auto t = static_cast<std::uint64_t>(origin + off);
    if (t >= ax.hi) break;
    if (t <= ax.lo) continue;
    const double x = ax.x(t);
    fmt::format_to(out, "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" class=\"grid\"/>", x, y_top, y_bottom);
    fmt::format_to(out, "<text x=\"{:.1f}\" y=\"{}\" class=\"tick\">{}</text>\n", x, y_text,
                   clock ? clock_text(t, step) : offset_text(off, step));
  }
}

// The carrying share over time and the changes per column, from the events and the end state.
void share_chart(std::string& s, const Report& r, const Index& ix, const Axis& ax, double y, double h, double hy,
                 double hh) {
  constexpr int kCols = 405;
  constexpr int kHole = kKinds;  // a prefix that had a path and lost it
  constexpr int kCats = kKinds + 1;
  auto out = std::back_inserter(s);
  // Each prefix's state before its first event, the others as they ended.
  std::vector<std::int32_t> first_event(r.active_paths.size(), -1);
  PrefixIds gone;                                         // prefixes of events that are no rows now
  std::vector<int> cat;                                   // per tracked prefix
  std::vector<std::uint32_t> slot(r.events.size());
  std::array<std::int64_t, kCats> now{};
  for (std::size_t i = 0; i < r.events.size(); ++i) {
    const auto key = rib::PrefixKey::from(r.events[i].prefix);
    std::uint32_t id;
    if (auto it = ix.row.find(key); it != ix.row.end()) {
      id = it->second;
    } else {
      auto [g, fresh] = gone.emplace(key, static_cast<std::uint32_t>(r.active_paths.size() + gone.size()));
      id = g->second;
    }
    slot[i] = id;
  }
  cat.assign(r.active_paths.size() + gone.size(), -2);  // -2: not seen yet
  for (std::size_t i = 0; i < r.events.size(); ++i)
    if (cat[slot[i]] == -2) {
      const PathKind k = r.events[i].from.kind;
      cat[slot[i]] = k == PathKind::None ? -1 : static_cast<int>(k);  // -1: absent (or unknown)
    }
  for (std::size_t i = 0; i < r.active_paths.size(); ++i)
    if (cat[i] == -2) cat[i] = r.active_paths[i].active.kind == PathKind::None ? -1 : static_cast<int>(r.active_paths[i].active.kind);
  for (int c : cat)
    if (c >= 0) ++now[static_cast<std::size_t>(c)];
  std::vector<std::array<std::int64_t, kCats>> cols(kCols);
  std::vector<std::size_t> per_col(kCols, 0);
  std::size_t e = 0;
  const double w = (ax.x1 - ax.x0) / kCols;
  for (int c = 0; c < kCols; ++c) {
    const double t_end = static_cast<double>(ax.lo) + static_cast<double>(ax.hi - ax.lo) * (c + 1) / kCols;
    for (; e < r.events.size() && static_cast<double>(r.events[e].time_us) < t_end; ++e) {
      int& k = cat[slot[e]];
      if (k >= 0) --now[static_cast<std::size_t>(k)];
      const PathKind to = r.events[e].to.kind;
      k = to != PathKind::None ? static_cast<int>(to) : (k >= 0 || k == kHole) ? kHole : -1;
      if (k >= 0) ++now[static_cast<std::size_t>(k)];
      ++per_col[static_cast<std::size_t>(c)];
    }
    cols[static_cast<std::size_t>(c)] = now;
  }
  // Stacked shares, bottom to top: the ExpressRoute kinds, VPN, system, then black holes on top.
  static constexpr std::array<int, kCats> kOrder = {1, 3, 2, 4, 5, kHole, 0};
  std::vector<double> base(kCols, 0.0);
  std::vector<double> total(kCols, 0.0);
  for (int c = 0; c < kCols; ++c)
    for (int k = 0; k < kCats; ++k) total[static_cast<std::size_t>(c)] += static_cast<double>(cols[static_cast<std::size_t>(c)][static_cast<std::size_t>(k)]);
  for (int k : kOrder) {
    if (k == 0) continue;  // "none" never had a path here: absent, not drawn
    std::int64_t peak = 0;
    for (const auto& col : cols) peak = std::max(peak, col[static_cast<std::size_t>(k)]);
    if (peak == 0) continue;
    std::string top, bottom;
    for (int c = 0; c < kCols; ++c) {
      const auto ci = static_cast<std::size_t>(c);
      const double share = total[ci] > 0 ? static_cast<double>(cols[ci][static_cast<std::size_t>(k)]) / total[ci] : 0;
      const double y0 = y + h - base[ci] * h, y1 = y + h - (base[ci] + share) * h;
      const double xa = ax.x0 + c * w, xb = xa + w;
      const bool same = c > 0 && cols[ci] == cols[ci - 1];
      if (!same) {
        top += fmt::format("{:.1f},{:.1f} ", xa, y1);
        bottom = fmt::format("{:.1f},{:.1f} ", xa, y0) + bottom;
      }
      if (c + 1 == kCols || cols[ci + 1] != cols[ci]) {
        top += fmt::format("{:.1f},{:.1f} ", xb, y1);
        bottom = fmt::format("{:.1f},{:.1f} ", xb, y0) + bottom;
      }
      base[ci] += share;
    }
    const char* name = k == kHole ? "black hole (had a path, lost it)" : to_string(static_cast<PathKind>(k));
    fmt::format_to(out, "<polygon points=\"{}{}\" fill=\"{}\"><title>{}: up to {} prefixes</title></polygon>\n", top,
                   bottom, k == kHole ? "#c53030" : colour(static_cast<PathKind>(k)), name, peak);
  }
  fmt::format_to(out, "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"frame\"/>\n", ax.x0, y, ax.x1 - ax.x0, h);
  // Changes per column, log scale so that one change still shows next to a whole table.
  const std::size_t peak = *std::max_element(per_col.begin(), per_col.end());
  for (int c = 0; c < kCols && peak; ++c) {
    const std::size_t n = per_col[static_cast<std::size_t>(c)];
    if (!n) continue;
    const double bar = std::max(2.0, hh * std::log1p(static_cast<double>(n)) / std::log1p(static_cast<double>(peak)));
    fmt::format_to(out, "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"#4a5568\"><title>{} changes</title></rect>\n",
                   ax.x0 + c * w, hy + hh - bar, std::max(w, 1.5), bar, n);
  }
  fmt::format_to(out, "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"base\"/>\n", ax.x0, hy + hh, ax.x1, hy + hh);
}

// The whole input on one axis.
void overview(std::string& s, const Report& r, const Index& ix) {
  auto out = std::back_inserter(s);
  std::uint64_t lo = ~std::uint64_t{0}, hi = 0;
  auto take = [&](std::uint64_t t) {
    if (!t) return;
    lo = std::min(lo, t);
    hi = std::max(hi, t);
  };
  take(r.summary.first_us);
  take(r.summary.last_us);
  take(r.summary.baseline.start_us);
  for (const auto& m : r.marks) take(m.time_us);
  for (const auto& e : r.episodes) {
    take(e.start_us);
    take(e.end_us);
    for (auto t : e.other_trigger_us) take(t);
    if (e.failure.known) {
      take(e.failure.after_us);
      take(e.failure.before_us);
    }
  }
  if (hi == 0) {
    s += "<p>No updates and no session events in the input: nothing to draw.</p>\n";
    return;
  }
  constexpr double kX0 = 178, kX1 = 982;
  const Axis ax = Axis::around(lo, hi, 1'000, kX0, kX1);
  constexpr double kAxisY = 14, kEpY = 20, kShareY = 42, kShareH = 70, kHistY = 120, kHistH = 28,
                   kLaneY = 158, kLaneH = 26;
  // Lanes: one per peer, and one for marks that are not one peer's.
  const bool other_lane = std::any_of(r.marks.begin(), r.marks.end(), [](const SessionMark& m) { return m.peer < 0; });
  const std::size_t lanes = r.peers.size() + (other_lane ? 1 : 0);
  const double height = kLaneY + static_cast<double>(lanes) * kLaneH + 22;
  fmt::format_to(out, "<svg id=\"tl\" viewBox=\"0 0 1000 {:.0f}\" role=\"img\" aria-label=\"timeline of the whole input\">\n", height);
  ticks(s, ax, kEpY, height - 18, kAxisY, true, 0);
  ticks(s, ax, height - 18, height - 14, height - 4, true, 0);
  fmt::format_to(out, "<text x=\"4\" y=\"{}\" class=\"lbl\">UTC {}</text>\n", kAxisY, rfc3339(lo).substr(0, 10));
  fmt::format_to(out, "<text x=\"4\" y=\"{}\" class=\"lbl\">episodes</text>\n", kEpY + 12);
  fmt::format_to(out, "<text x=\"4\" y=\"{}\" class=\"lbl\">carrying (share)</text>\n", kShareY + 14);
  fmt::format_to(out, "<text x=\"4\" y=\"{}\" class=\"sub\">of the prefixes with a path</text>\n", kShareY + 27);
  fmt::format_to(out, "<text x=\"4\" y=\"{}\" class=\"lbl\">changes</text>\n", kHistY + 14);
  fmt::format_to(out, "<text x=\"4\" y=\"{}\" class=\"sub\">per column, log scale</text>\n", kHistY + 26);
  // The baseline (RIB dumps): the starting state, loaded, not converging.
  if (const auto& b = r.summary.baseline; b.start_us) {
    const double xa = ax.x(b.start_us), xb = std::max(ax.x(b.end_us), xa + 3);
    fmt::format_to(out, "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" class=\"baseline\"><title>baseline: {} prefixes from RIB dumps, {} to {}</title></rect>\n",
                   xa, kEpY, xb - xa, height - 18 - kEpY, b.prefixes, rfc3339(b.start_us), rfc3339(b.end_us));
    fmt::format_to(out, "<text x=\"{:.1f}\" y=\"{}\" class=\"tick\">baseline</text>\n", std::min(xa + (xb - xa) / 2, kX1 - 24), kEpY + 12);
  }
  share_chart(s, r, ix, ax, kShareY, kShareH, kHistY, kHistH);
  // Failure windows, shaded across every lane.
  for (std::size_t i = 0; i < r.episodes.size(); ++i) {
    const auto& w = r.episodes[i].failure;
    if (!w.known) continue;
    const double xa = ax.x(w.after_us), xb = std::max(ax.x(w.before_us), xa + 2);
    fmt::format_to(out, "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" class=\"fail\"><title>episode #{}: failure between {} and {} (detected by {})</title></rect>\n",
                   xa, kShareY, xb - xa, height - 18 - kShareY, i + 1, rfc3339(w.after_us), rfc3339(w.before_us), esc(w.detected_by));
  }
  // Episodes as bands (at least 3 units wide: an instantaneous one still shows).
  constexpr std::size_t kMaxBands = 1000;
  double last_label = -100;
  for (std::size_t i = 0; i < r.episodes.size() && i < kMaxBands; ++i) {
    const auto& e = r.episodes[i];
    std::uint64_t end = e.end_us;
    for (auto t : e.other_trigger_us) end = std::max(end, t);
    const double xa = ax.x(e.start_us), xb = std::max(ax.x(end), xa + 3);
    fmt::format_to(out, "<a href=\"#ep{0}\"><rect x=\"{1:.1f}\" y=\"{2}\" width=\"{3:.1f}\" height=\"{4}\" class=\"band\"><title>#{0} {5}: {6}; {7} prefixes changed in {8}</title></rect>",
                   i + 1, xa, kEpY, xb - xa, height - 18 - kEpY, rfc3339(e.trigger_us), esc(e.trigger), e.prefixes_changed,
                   us_text(e.end_us - e.start_us));
    if (xa - last_label >= 22) {
      fmt::format_to(out, "<text x=\"{:.1f}\" y=\"{}\" class=\"eplbl\">#{}</text>", std::min(xa + 2, kX1 - 16), kEpY + 12, i + 1);
      last_label = xa;
    }
    s += "</a>\n";
  }
  // A lane per peer: established (green) and down (grey) spans, and every mark.
  constexpr std::size_t kMaxMarks = 3000;  // the most recent, beyond that a note says how many
  const std::size_t skip = r.marks.size() > kMaxMarks ? r.marks.size() - kMaxMarks : 0;
  for (std::size_t li = 0; li < lanes; ++li) {
    const bool peer_lane = li < r.peers.size();
    const int pi = peer_lane ? static_cast<int>(li) : -1;
    const double y = kLaneY + static_cast<double>(li) * kLaneH;
    if (peer_lane) {
      const auto& p = r.peers[li];
      fmt::format_to(out, "<text x=\"4\" y=\"{}\" class=\"lbl\">{}</text><text x=\"4\" y=\"{}\" class=\"sub\">{}</text>\n", y + 10,
                     esc(fit(p.role, 28)), y + 21, esc(fit(p.address, 34)));
      // The state before the first change is the opposite of that change; without any, the
      // state at the end (sessions of a RIB dump are up when it is taken).
      int state = -1;  // 1 up, 0 down, -1 unknown
      for (const auto& m : r.marks)
        if (m.peer == pi && (m.kind == Kind::Up || m.kind == Kind::Down)) {
          state = m.kind == Kind::Up ? 0 : 1;
          break;
        }
      if (state < 0) state = p.established || p.prefixes ? 1 : -1;
      std::uint64_t from = ax.lo;
      auto span = [&](std::uint64_t to) {
        const char* cls = state == 1 ? "up" : state == 0 ? "down" : "unknown";
        fmt::format_to(out, "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"8\" class=\"{}\"/>", ax.x(from), y + 8,
                       std::max(0.0, ax.x(to) - ax.x(from)), cls);
      };
      for (const auto& m : r.marks) {
        if (m.peer != pi || (m.kind != Kind::Up && m.kind != Kind::Down)) continue;
        span(m.time_us);
        state = m.kind == Kind::Up ? 1 : 0;
        from = m.time_us;
      }
      span(ax.hi);
      s += "\n";
    } else {
      fmt::format_to(out, "<text x=\"4\" y=\"{}\" class=\"lbl\">other triggers</text>\n", y + 14);
    }
    for (std::size_t mi = skip; mi < r.marks.size(); ++mi) {
      const auto& m = r.marks[mi];
      if (m.peer != pi) continue;
      // Session changes on the lane's bar, what caused them just above it.
      const double my = m.kind == Kind::Up || m.kind == Kind::Down ? y + 12 : y + 3;
      fmt::format_to(out, "<path d=\"{}\" fill=\"{}\" class=\"mark\"><title>{} {}: {}</title></path>", marker(m.kind, ax.x(m.time_us), my),
                     mark_colour(m.kind), rfc3339(m.time_us), mark_name(m.kind), esc(m.text));
    }
    s += "\n";
  }
  s += "</svg>\n";
  if (r.episodes.size() > kMaxBands) fmt::format_to(out, "<p class=\"note\">The first {} episodes are drawn, of {}.</p>\n", kMaxBands, r.episodes.size());
  if (skip || r.marks_dropped)
    fmt::format_to(out, "<p class=\"note\">{} older session marks are not drawn.</p>\n", skip + r.marks_dropped);
}

// One episode on an axis of its own, relative to the trigger.
void episode_chart(std::string& s, const Report& r, const Episode& e, std::size_t number, const Index& ix) {
  auto out = std::back_inserter(s);
  struct Trig {
    std::uint64_t t;
    const std::string* text;
  };
  std::vector<Trig> trig{{e.trigger_us, &e.trigger}};
  for (std::size_t i = 0; i < e.other_triggers.size(); ++i)
    trig.push_back({i < e.other_trigger_us.size() ? e.other_trigger_us[i] : e.trigger_us, &e.other_triggers[i]});
  std::uint64_t lo = std::min(e.trigger_us, e.start_us), hi = e.end_us;
  for (const auto& t : trig) hi = std::max(hi, t.t);
  const auto& w = e.failure;
  if (w.known) {
    lo = std::min(lo, w.after_us);
    hi = std::max(hi, w.before_us);
  }
  constexpr double kX0 = 178, kX1 = 962;
  // At least a millisecond wide: an instantaneous failover still has an axis that reads.
  const Axis ax = Axis::around(lo, hi, 1'000, kX0, kX1);
  // Lanes: the prefixes of the episode's events, in first-change order.
  std::vector<std::uint32_t> order;
  std::unordered_map<std::uint32_t, std::vector<const Event*>> lanes;
  PrefixIds others;
  // The episode's events: a slice when the events are in time order (they are, unless the input
  // went back in time), else a scan of all.
  auto from = r.events.begin(), to = r.events.end();
  if (ix.events_in_time_order) {
    from = std::partition_point(from, to, [&](const Event& ev) { return ev.time_us < e.start_us; });
    to = std::partition_point(from, to, [&](const Event& ev) { return ev.time_us <= e.end_us; });
  }
  for (auto ev_it = from; ev_it != to; ++ev_it) {
    const Event& ev = *ev_it;
    if (ev.time_us < e.start_us || ev.time_us > e.end_us) continue;
    const auto key = rib::PrefixKey::from(ev.prefix);
    std::uint32_t id;
    if (auto it = ix.row.find(key); it != ix.row.end()) id = it->second;
    else id = others.emplace(key, static_cast<std::uint32_t>(r.active_paths.size() + others.size())).first->second;
    auto& v = lanes[id];
    if (v.empty()) order.push_back(id);
    v.push_back(&ev);
  }
  constexpr std::size_t kMaxTrig = 6, kMaxLanes = 24;
  const std::size_t nt = std::min(trig.size(), kMaxTrig), nl = std::min(order.size(), kMaxLanes);
  constexpr double kRow = 18;
  const double y_trig = 6, y_fail = y_trig + static_cast<double>(nt) * kRow, y_lanes = y_fail + (w.known ? 3 * kRow : 0) + 4;
  const double height = y_lanes + static_cast<double>(nl) * 16 + 30;
  fmt::format_to(out, "<svg viewBox=\"0 0 1000 {:.0f}\" role=\"img\" aria-label=\"episode {} timeline\">\n", height, number);
  fmt::format_to(out, "<rect x=\"{}\" y=\"0\" width=\"{}\" height=\"{:.0f}\" class=\"frame\"/>\n", kX0, kX1 - kX0, height - 24);
  ticks(s, ax, 0, height - 24, height - 10, false, e.trigger_us);
  // Triggers: a line through the chart, the text inside the box on the side with room.
  for (std::size_t i = 0; i < nt; ++i) {
    const double x = ax.x(trig[i].t), y = y_trig + static_cast<double>(i) * kRow;
    // The offset first: a long text loses its tail, not its time.
    const std::string label = i == 0 ? *trig[i].text : fmt::format("+{}: {}", us_text(trig[i].t - std::min(trig[i].t, e.trigger_us)), *trig[i].text);
    const bool right = x < (kX0 + kX1) / 2;
    const double room = (right ? kX1 - x : x - kX0) - 10;
    fmt::format_to(out, "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" class=\"{3}\"/>", x, y + 2, height - 24,
                   i ? "trig2" : "trig");
    fmt::format_to(out, "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"ttext\" text-anchor=\"{}\">{}<title>{} ({})</title></text>\n",
                   right ? x + 5 : x - 5, y + 13, right ? "start" : "end", esc(fit(label, room / 6.2)),
                   esc(*trig[i].text), rfc3339(trig[i].t));
  }
  fmt::format_to(out, "<text x=\"4\" y=\"{:.1f}\" class=\"lbl\">trigger{}</text>\n", y_trig + 13, nt > 1 ? "s" : "");
  if (w.known) {
    // Failure window, then detection (failure -> trigger) and failover (failure -> last change)
    // as ranges: pale where the failure may lie, solid where it had certainly happened.
    // The numbers go beside the bar, inside the chart, on the side with room.
    auto range = [&](double y, std::uint64_t a, std::uint64_t b, std::uint64_t to, const char* cls, const char* label,
                     const std::string& value) {
      const double xa = ax.x(a), xb = std::max(ax.x(b), xa + 4), xt = std::max(ax.x(to), xb);
      fmt::format_to(out, "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"10\" class=\"{}u\"/>", xa, y + 4, xb - xa, cls);
      if (xt > xb) fmt::format_to(out, "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"10\" class=\"{}\"/>", xb, y + 4, xt - xb, cls);
      fmt::format_to(out, "<text x=\"4\" y=\"{:.1f}\" class=\"lbl\">{}</text>", y + 13, label);
      const bool after = kX1 - xt >= xa - kX0;
      fmt::format_to(out, "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"ttext\" text-anchor=\"{}\">{}</text>\n", after ? xt + 5 : xa - 5, y + 13,
                     after ? "start" : "end", esc(value));
    };
    range(y_fail, w.after_us, w.before_us, w.before_us, "fw", "failure window",
          w.after_us == w.before_us ? fmt::format("at {}", rfc3339(w.after_us).substr(11))
                                     : fmt::format("{} \u2013 {}", rfc3339(w.after_us).substr(11), rfc3339(w.before_us).substr(11)));
    range(y_fail + kRow, w.after_us, w.before_us, e.trigger_us, "det", "detection",
          fmt::format("{}\u2013{} ({})", us_text(e.detection_min_us), us_text(e.detection_max_us), w.detected_by));
    range(y_fail + 2 * kRow, w.after_us, w.before_us, e.end_us, "fo", "failover",
          fmt::format("{}\u2013{}", us_text(e.failover_min_us), us_text(e.failover_max_us)));
  }
  for (std::size_t i = 0; i < nl; ++i) {
    const auto& evs = lanes[order[i]];
    const double y = y_lanes + static_cast<double>(i) * 16;
    fmt::format_to(out, "<text x=\"4\" y=\"{:.1f}\" class=\"pfx\">{}</text>", y + 11, esc(fit(wire::to_string(evs.front()->prefix), 28)));
    // The state before the first change, then each change's state until the next one, at
    // least 3 units wide so that a path explored and left at the same instant still shows.
    const double first = ax.x(evs.front()->time_us);
    const PathKind before = evs.front()->from.kind;
    // (No path before a first announcement is no route yet, pale; a path lost is a black hole, red.)
    if (first > ax.x0)
      fmt::format_to(out, "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"12\" fill=\"{}\"><title>{}</title></rect>", ax.x0, y,
                     first - ax.x0, before == PathKind::None ? "#e2e8f0" : colour(before),
                     before == PathKind::None ? "none (no route yet)" : to_string(before));
    double x = first;
    for (std::size_t k = 0; k < evs.size(); ++k) {
      const Event* ev = evs[k];
      const double xs = std::max(ax.x(ev->time_us), x);
      const double xe = k + 1 < evs.size() ? std::max(ax.x(evs[k + 1]->time_us), xs + 3) : std::max(ax.x1, xs + 3);
      fmt::format_to(out, "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"12\" fill=\"{}\"><title>{} {} -&gt; {} ({})</title></rect>",
                     xs, y, xe - xs, colour(ev->to.kind), rfc3339(ev->time_us), to_string(ev->from.kind), to_string(ev->to.kind),
                     esc(ev->cause));
      fmt::format_to(out, "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" class=\"chg\"/>", xs, y - 1, y + 13);
      x = xe;
    }
    s += "\n";
  }
  s += "</svg>\n";
  if (order.size() > kMaxLanes)
    fmt::format_to(out, "<p class=\"note\">{} more prefixes changed in this episode (the table below has them all).</p>\n", order.size() - kMaxLanes);
}

void episode_detail(std::string& s, const Report& r, const Episode& e, std::size_t number, const Index& ix) {
  auto out = std::back_inserter(s);
  fmt::format_to(out, "<section class=\"ep\" id=\"ep{0}\"><h3>#{0} {1} &mdash; {2}</h3>\n", number, rfc3339(e.trigger_us), esc(e.trigger));
  episode_chart(s, r, e, number, ix);
  fmt::format_to(out, "<p>{} prefixes changed in {}; convergence p50 {}, p90 {}, p99 {}, max {}; black hole: {} prefixes ({:.3f} prefix-seconds{}); path exploration {}.</p>\n",
                 e.prefixes_changed, us_text(e.end_us - e.start_us), us_text(e.p50_us), us_text(e.p90_us), us_text(e.p99_us),
                 us_text(e.max_us), e.blackholed_prefixes, e.blackhole_prefix_seconds,
                 e.still_unreachable ? fmt::format(", {} still unreachable", e.still_unreachable) : "", e.path_exploration);
  if (!e.other_triggers.empty()) {
    s += "<ul class=\"trig\">";
    for (std::size_t i = 0; i < e.other_triggers.size(); ++i) {
      const std::uint64_t t = i < e.other_trigger_us.size() ? e.other_trigger_us[i] : e.trigger_us;
      fmt::format_to(out, "<li>also at {} ({} after the trigger): {}</li>", rfc3339(t), us_text(t - std::min(t, e.trigger_us)),
                     esc(e.other_triggers[i]));
    }
    s += "</ul>\n";
  }
  if (const auto& w = e.failure; w.known && w.after_us != w.before_us)
    fmt::format_to(out, "<p>Failure between {} and {}, noticed {}\u2013{} later by {}; prefixes moved {}\u2013{} after the failure.</p>\n",
                   rfc3339(w.after_us), rfc3339(w.before_us), us_text(e.detection_min_us), us_text(e.detection_max_us),
                   esc(w.detected_by), us_text(e.failover_min_us), us_text(e.failover_max_us));
  else if (w.known)
    fmt::format_to(out, "<p>Failure at {}, said at once by {}; prefixes moved {} after it.</p>\n", rfc3339(w.after_us),
                   esc(w.detected_by), us_text(e.failover_max_us));
  else if (!w.note.empty())
    fmt::format_to(out, "<p>Detection time {}.</p>\n", esc(w.note));
  if (const auto& p = e.projection)
    fmt::format_to(out, "<p class=\"projection\"><b>Projection with Azure's timers</b> ({} {}): detected {}\u2013{} after the "
                        "failure by {}; with the propagation observed here ({}), failover {}\u2013{}.</p>\n",
                   esc(p->gateway), esc(p->timers), us_text(p->detection_min_us), us_text(p->detection_max_us),
                   esc(p->detected_by), us_text(p->propagation_us), us_text(p->failover_min_us), us_text(p->failover_max_us));
  if (!e.transitions.empty()) {
    s += "<p>Transitions:";
    for (const auto& [k, n] : e.transitions) fmt::format_to(out, " {} &times;{}", esc(k), n);
    for (const auto& [g, lag] : e.gateway_lag)
      fmt::format_to(out, "; {} updates {} (first after {}, last after {})", esc(g), lag.updates, us_text(lag.first_update_us),
                     us_text(lag.last_update_us));
    s += ".</p>\n";
  }
  if (const auto& p = e.prediction; p.made) {
    std::string failed;
    for (const auto& f : p.failed) failed += (failed.empty() ? "" : " and ") + f;
    fmt::format_to(out, "<p>Prediction (what-if of {} just before) against the outcome: <b>{}</b> as predicted, <b>{}</b> otherwise, "
                        "<b>{}</b> changed without being predicted.</p>\n",
                   esc(failed), p.matched, p.differed, p.unpredicted);
    std::map<std::string, std::pair<std::size_t, std::size_t>> both;
    for (const auto& [k, n] : p.predicted) both[k].first = n;
    for (const auto& [k, n] : p.observed) both[k].second = n;
    if (!both.empty()) {
      s += "<table class=\"pred\"><tr><th>transition</th><th>predicted</th><th>observed</th></tr>";
      for (const auto& [k, n] : both)
        fmt::format_to(out, "<tr{}><td>{}</td><td>{}</td><td>{}</td></tr>", n.first != n.second ? " class=\"differs\"" : "", esc(k),
                       n.first, n.second);
      s += "</table>\n";
    }
    for (const auto& m : p.misses)
      fmt::format_to(out, "<p class=\"note\">{} predicted {}, observed {}</p>\n", esc(wire::to_string(m.prefix)), to_string(m.predicted),
                     to_string(m.observed));
  }
  s += "</section>\n";
}

// Numbers as self-delimiting base-32 digits (continuation digits, then a final one), most
// significant first: small numbers, the common case, take one character.
void vlq(std::string& s, std::uint64_t v) {
  static constexpr char kFinal[] = "0123456789abcdefghijklmnopqrstuv";
  static constexpr char kMore[] = "wxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$";
  char buf[16];
  int n = 0;
  buf[n++] = kFinal[v & 31];
  for (v >>= 5; v; v >>= 5) buf[n++] = kMore[v & 31];
  while (n) s += buf[--n];
}

// Dictionary of distinct strings, numbered by frequency (the most used get the shortest codes).
class Dict {
 public:
  std::uint32_t add(const std::string& v) {
    auto [it, fresh] = ids_.emplace(v, static_cast<std::uint32_t>(values_.size()));
    if (fresh) {
      values_.push_back(v);
      uses_.push_back(0);
    }
    ++uses_[it->second];
    return it->second;
  }
  void freeze() {
    std::vector<std::uint32_t> by(values_.size());
    std::iota(by.begin(), by.end(), 0u);
    std::stable_sort(by.begin(), by.end(), [&](auto a, auto b) { return uses_[a] > uses_[b]; });
    rank_.assign(values_.size(), 0);
    for (std::uint32_t i = 0; i < by.size(); ++i) rank_[by[i]] = i;
    std::vector<std::string> sorted(values_.size());
    for (std::uint32_t i = 0; i < by.size(); ++i) sorted[i] = values_[by[i]];
    values_ = std::move(sorted);
  }
  [[nodiscard]] std::uint32_t code(std::uint32_t id) const { return rank_[id]; }
  [[nodiscard]] std::string array() const {
    std::string s = "[";
    for (std::size_t i = 0; i < values_.size(); ++i) {
      if (i) s += ',';
      s += js(values_[i]);
    }
    return s + "]";
  }

 private:
  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<std::string> values_;
  std::vector<std::size_t> uses_;
  std::vector<std::uint32_t> rank_;
};

// The prefix table's data: one string of compact records (see the decoder in kScript) plus
// dictionaries of active-path texts, "via peer (reason)" tags and AS paths.
void table_data(std::string& s, const Report& r, const std::vector<std::string>& circuits, const Index& ix) {
  Dict paths, tags, asps;
  struct Ids {
    std::uint32_t path, er_tag, er_asp, vpn_tag, vpn_asp;
  };
  std::vector<Ids> ids(r.active_paths.size());
  for (std::size_t i = 0; i < r.active_paths.size(); ++i) {
    const auto& row = r.active_paths[i];
    const std::string text = path_text(row.active, r, circuits);
    Ids& d = ids[i];
    d.path = paths.add(std::to_string(static_cast<int>(row.active.kind)) + text);
    d.er_tag = row.expressroute ? tags.add("via " + row.expressroute->peer + " (" + row.expressroute->reason + ")") + 1 : 0;
    d.er_asp = row.expressroute ? asps.add(row.expressroute->as_path) : 0;
    d.vpn_tag = row.vpn ? tags.add("via " + row.vpn->peer) + 1 : 0;
    d.vpn_asp = row.vpn ? asps.add(row.vpn->as_path) : 0;
  }
  paths.freeze();
  tags.freeze();
  asps.freeze();
  std::string rec, v6 = "[", cov = "{";
  rec.reserve(r.active_paths.size() * 10);
  std::uint64_t prev = 0;
  for (std::size_t i = 0; i < r.active_paths.size(); ++i) {
    const auto& row = r.active_paths[i];
    if (row.prefix.address.afi == wire::Afi::Ipv4) {
      // The address in units of the prefix's own size, counted from the previous IPv4 row's.
      const std::uint64_t a = row.prefix.address.v4_value();
      const unsigned shift = 32u - std::min<unsigned>(row.prefix.length, 32);
      if (a < prev) {  // not in address order: start again from 0
        rec += '!';
        prev = 0;
      }
      rec += static_cast<char>('0' + std::min<unsigned>(row.prefix.length, 32));
      vlq(rec, (a >> shift) - (prev >> shift));
      prev = a;
    } else {
      rec += '~';
      if (v6.size() > 1) v6 += ',';
      v6 += js(wire::to_string(row.prefix));
    }
    const Ids& d = ids[i];
    vlq(rec, paths.code(d.path));
    vlq(rec, d.er_tag ? tags.code(d.er_tag - 1) + 1 : 0);
    if (d.er_tag) vlq(rec, asps.code(d.er_asp));
    vlq(rec, d.vpn_tag ? tags.code(d.vpn_tag - 1) + 1 : 0);
    if (d.vpn_tag) vlq(rec, asps.code(d.vpn_asp));
    vlq(rec, ix.changes[i]);
    if (row.covering) {
      if (cov.size() > 1) cov += ',';
      cov += fmt::format("\"{}\":{}", i, js(wire::to_string(*row.covering)));
    }
  }
  auto out = std::back_inserter(s);
  fmt::format_to(out, "<script>\nconst D={{n:{},\npaths:{},\ntags:{},\nv6:{}],\ncov:{}}},\nasp:{},\nrec:", r.active_paths.size(),
                 paths.array(), tags.array(), v6, cov, asps.array());
  s += js(rec);
  s += "};\n</script>\n";
}

// The table, built from D on demand: the interesting rows first (black holes, changed, VPN,
// one link only), a filter over every row, rows added a hundred at a time.
constexpr const char* kScript = R"JS(<script>
(function(){
const t0=performance.now();
const K=["none","er-primary","er-secondary","er-ecmp","vpn","system"];
const C=["#c53030","#2b6cb0","#63b3ed","#2f855a","#dd6b20","#718096"];
const V=new Int8Array(128).fill(-1);
"0123456789abcdefghijklmnopqrstuv".split("").forEach((c,i)=>V[c.charCodeAt(0)]=i);
"wxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$".split("").forEach((c,i)=>V[c.charCodeAt(0)]=32+i);
const n=D.n,s=D.rec;
const pfx=new Array(n),addr=new Float64Array(n),plen=new Uint8Array(n),path=new Uint32Array(n),
  ert=new Uint32Array(n),era=new Uint32Array(n),vpt=new Uint32Array(n),vpa=new Uint32Array(n),chg=new Uint32Array(n);
let p=0,prev=0,six=0;
function num(){let v=0;for(;;){const d=V[s.charCodeAt(p++)];if(d>=32){v=v*32+d-32;}else{return v*32+d;}}}
for(let i=0;i<n;i++){
  let c=s.charCodeAt(p++);
  if(c===33){prev=0;c=s.charCodeAt(p++);}
  if(c===126){pfx[i]=D.v6[six++];addr[i]=-1;}
  else{const l=c-48,u=Math.pow(2,32-l),a=(Math.floor(prev/u)+num())*u;prev=a;addr[i]=a;plen[i]=l;
    pfx[i]=(a>>>24)+"."+((a>>>16)&255)+"."+((a>>>8)&255)+"."+(a&255)+"/"+l;}
  path[i]=num();ert[i]=num();if(ert[i])era[i]=num();vpt[i]=num();if(vpt[i])vpa[i]=num();chg[i]=num();
}
const pk=D.paths.map(x=>+x[0]),pt=D.paths.map(x=>x.slice(1));
function rank(i){const k=pk[path[i]];if(k===0)return 0;if(chg[i])return 1;if(k===4)return 2;if(k===1||k===2)return 3;return 4;}
const buckets=[[],[],[],[],[]];for(let i=0;i<n;i++)buckets[rank(i)].push(i);
const order=[].concat(...buckets);
const esc=x=>String(x).replace(/[&<>"]/g,c=>({"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;"})[c]);
const q=document.getElementById("q"),kind=document.getElementById("kind"),only=document.getElementById("chg"),
  body=document.getElementById("prows"),count=document.getElementById("pcount"),more=document.getElementById("more");
let shown=[],limit=100;
function ip(v){const m=/^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(v);if(!m)return -1;let a=0;for(let k=1;k<5;k++){if(+m[k]>255)return -1;a=a*256+(+m[k]);}return a;}
function filter(){
  const v=q.value.trim().toLowerCase(),k=kind.value===""?-1:+kind.value,c=only.checked,a=ip(v);
  const mp=pt.map((x,j)=>(k<0||pk[j]===k)),tp=D.tags.map(x=>v!==""&&x.toLowerCase().includes(v)),
    ap=D.asp.map(x=>v!==""&&x.includes(v)),pp=pt.map(x=>v!==""&&x.toLowerCase().includes(v));
  shown=order.filter(i=>{
    if(!mp[path[i]]||(c&&!chg[i]))return false;
    if(v==="")return true;
    if(a>=0)return addr[i]>=0&&a>=addr[i]&&a<addr[i]+Math.pow(2,32-plen[i]);
    return pfx[i].includes(v)||pp[path[i]]||(ert[i]&&(tp[ert[i]-1]||ap[era[i]]))||(vpt[i]&&(tp[vpt[i]-1]||ap[vpa[i]]));});
  if(a>=0)shown.sort((x,y)=>plen[y]-plen[x]);  // an address: the longest match (the one that carries it) first
  limit=100;draw();
}
function best(t,a){return t?esc(D.asp[a]===""?"(empty AS path)":D.asp[a])+" "+esc(D.tags[t-1]):"";}
function draw(){
  const h=[];
  for(let j=0;j<shown.length&&j<limit;j++){const i=shown[j],k=pk[path[i]];
    h.push("<tr><td>",esc(pfx[i]),"</td><td style=\"color:",C[k],"\">",esc(pt[path[i]]),D.cov[i]?" ("+esc(D.cov[i])+")":"",
      "</td><td class=\"n\">",chg[i]||"","</td><td>",best(ert[i],era[i]),"</td><td>",best(vpt[i],vpa[i]),"</td></tr>");}
  body.innerHTML=h.join("");
  count.textContent="showing "+Math.min(limit,shown.length).toLocaleString("en")+" of "+shown.length.toLocaleString("en")+" matching ("+n.toLocaleString("en")+" in all)";
  more.hidden=shown.length<=limit;
}
// A filter in the address (report.html#q=10.1.5.7) is applied at once: links to a prefix.
const h0=/^#q=(.*)$/.exec(location.hash);if(h0)q.value=decodeURIComponent(h0[1]);
let timer=0;q.addEventListener("input",()=>{clearTimeout(timer);timer=setTimeout(filter,120);});
kind.addEventListener("change",filter);only.addEventListener("change",filter);
more.addEventListener("click",()=>{limit+=100;draw();});
filter();
// For tests: where the charts and the table are, and how long building the table took.
const box=id=>{const e=document.getElementById(id);if(!e)return"";const b=e.getBoundingClientRect();return[b.left+scrollX,b.top+scrollY,b.width,b.height].map(Math.round).join(",");};
const de=document.documentElement.dataset;
de.timeline=box("tl");de.table=box("ptable");de.rows=body.rows.length;de.matching=shown.length;
de.firstRow=shown.length?pfx[shown[0]]:"";
de.buildMs=(performance.now()-t0).toFixed(1);de.readyMs=performance.now().toFixed(1);
// A checksum (FNV-1a) of what was decoded: prefix, AS paths and changes of every row, in order.
let x=0x811c9dc5;const mix=v=>{for(let j=0;j<v.length;j++){x=Math.imul(x^v.charCodeAt(j),16777619);}};
for(let i=0;i<n;i++)mix(pfx[i]+"|"+(ert[i]?D.asp[era[i]]:"-")+"|"+(vpt[i]?D.asp[vpa[i]]:"-")+"|"+chg[i]+"\n");
de.checksum=(x>>>0).toString(16);
})();
</script>
)JS";

}  // namespace

std::string render_html(const Report& r, const std::vector<std::string>& circuits) {
  const Index ix = make_index(r);
  std::string s;
  s.reserve(1 << 20);
  auto out = std::back_inserter(s);
  s += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>bgpfa report</title>\n<style>"
       "body{font-family:sans-serif;margin:1.5em auto;max-width:1200px;padding:0 1em;color:#222}"
       "h2{margin-top:1.6em;border-bottom:1px solid #ddd}h3{font-size:15px;margin:1.2em 0 .3em}"
       "table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:2px 8px;font-size:13px;text-align:left}"
       "th{background:#f3f3f3}td.n{text-align:right;white-space:nowrap}td.t{white-space:nowrap}svg{width:100%;height:auto;display:block}"
       ".legend span{display:inline-block;padding:2px 8px;margin:0 6px 4px 0;color:#fff;font-size:12px}"
       ".legend i{display:inline-block;margin:0 10px 0 2px;font-style:normal;font-size:12px}"
       ".warning{color:#b7791f}.error{color:#c53030}.info{color:#2b6cb0}.note{color:#555;font-size:13px}"
       ".filter{margin:.6em 0}.filter input[type=search]{width:26em;padding:3px}#pcount{margin-left:1em;color:#555;font-size:13px}"
       "tr.differs td{background:#fff5f5}ul.trig{font-size:13px;margin:.2em 0}"
       "svg text{font-size:11px;fill:#222}svg .tick{font-size:10px;text-anchor:middle;fill:#444}"
       "svg .lbl{font-weight:bold}svg .sub{font-size:9.5px;fill:#555}svg .pfx{font-family:monospace}"
       "svg .eplbl{font-size:10px;font-weight:bold;fill:#744210}"
       ".grid{stroke:#e2e8f0}.base{stroke:#a0aec0}.frame{fill:none;stroke:#cbd5e0}"
       ".band{fill:#f6e05e;fill-opacity:.22;stroke:#d69e2e;stroke-opacity:.7}.baseline{fill:#a0aec0;fill-opacity:.18}"
       ".fail{fill:#e53e3e;fill-opacity:.25}.up{fill:#9ae6b4}.down{fill:#e2e8f0}.unknown{fill:#edf2f7}"
       ".mark{stroke:#fff;stroke-width:.6}.trig{stroke:#1a202c;stroke-width:1.5}.trig2{stroke:#4a5568;stroke-dasharray:3 2}"
       ".chg{stroke:#1a202c;stroke-width:1.2}.ttext{font-size:11px}"
       ".fwu{fill:#e53e3e;fill-opacity:.45}.fw{fill:#e53e3e}.detu{fill:#d69e2e;fill-opacity:.35}.det{fill:#d69e2e}"
       ".fou{fill:#805ad5;fill-opacity:.3}.fo{fill:#805ad5}</style></head><body>\n";
  fmt::format_to(out, "<h1>bgpfa report</h1>\n<p>{} peers, {} prefixes, {} routes, {} events, {} episodes",
                 r.peers.size(), r.summary.prefixes, r.summary.routes, r.summary.events, r.episodes.size());
  if (r.summary.first_us) fmt::format_to(out, "; input from {} to {}", rfc3339(r.summary.first_us), rfc3339(r.summary.last_us));
  s += ".</p>\n";
  if (const auto& b = r.summary.baseline; b.start_us)
    fmt::format_to(out, "<p>Baseline: {} prefixes ({} routes) from RIB dumps up to {}: the starting state, not an episode.</p>\n",
                   b.prefixes, b.routes, rfc3339(b.end_us));
  for (const auto& t : r.summary.initial_tables)
    fmt::format_to(out, "<p class=\"initial\">Initial table from {} ({}): {} prefixes in {} (ended by {}): a baseline, not an episode.</p>\n",
                   esc(t.peer), esc(t.role), t.prefixes, us_text(t.end_us - t.start_us), esc(t.ended_by));
  if (!r.summary.vnet.empty()) fmt::format_to(out, "<p>Active paths as VNet {} sees them.</p>\n", esc(r.summary.vnet));
  if (!r.summary.unknown_peers.empty())
    fmt::format_to(out, "<p class=\"note\">Ignored: {} peer(s) not in the configuration.</p>\n", r.summary.unknown_peers.size());
  s += "<div class=\"legend\">";
  for (PathKind k : {PathKind::ErPrimary, PathKind::ErSecondary, PathKind::ErEcmp, PathKind::Vpn, PathKind::System, PathKind::None})
    fmt::format_to(out, "<span style=\"background:{}\">{}</span>", colour(k), k == PathKind::None ? "none (black hole)" : to_string(k));
  s += "<br>";
  for (Kind k : {Kind::Up, Kind::Down, Kind::Bfd, Kind::HoldTimer, Kind::Notification, Kind::PrefixLimit})
    fmt::format_to(out, "<svg width=\"12\" height=\"12\" viewBox=\"0 0 12 12\" style=\"display:inline;width:12px\"><path d=\"{}\" fill=\"{}\"/></svg><i>{}</i>",
                   marker(k, 6, 6), mark_colour(k), mark_name(k));
  s += "<svg width=\"24\" height=\"12\" style=\"display:inline;width:24px\"><rect width=\"24\" height=\"12\" class=\"band\"/></svg><i>episode</i>"
       "<svg width=\"24\" height=\"12\" style=\"display:inline;width:24px\"><rect width=\"24\" height=\"12\" class=\"fail\"/></svg><i>failure window</i></div>\n";

  s += "<h2>Timeline</h2>\n";
  overview(s, r, ix);

  s += "<h2>Convergence episodes</h2>\n";
  if (r.episodes.empty()) s += "<p>None.</p>\n";
  else {
    s += "<table><tr><th>#</th><th>trigger</th><th>time (UTC)</th><th>prefixes</th><th>duration</th><th>p90</th><th>black hole</th>"
         "<th>failure / detection</th><th>prediction</th></tr>\n";
    constexpr std::size_t kMaxRows = 1000;
    for (std::size_t i = 0; i < r.episodes.size() && i < kMaxRows; ++i) {
      const auto& e = r.episodes[i];
      std::string trig = esc(e.trigger);
      for (std::size_t j = 0; j < e.other_triggers.size() && j < 3; ++j) trig += "<br>also: " + esc(e.other_triggers[j]);
      if (e.other_triggers.size() > 3) trig += fmt::format("<br>and {} more", e.other_triggers.size() - 3);
      std::string det = "unknown";
      if (e.failure.known)
        det = fmt::format("detection {}\u2013{} ({})", us_text(e.detection_min_us), us_text(e.detection_max_us), esc(e.failure.detected_by));
      else if (e.failure.note.rfind("not observable", 0) == 0)
        det = "not observable";
      std::string pred;
      if (e.prediction.made)
        pred = fmt::format("{} as predicted, {} otherwise, {} unpredicted", e.prediction.matched, e.prediction.differed, e.prediction.unpredicted);
      fmt::format_to(out, "<tr><td><a href=\"#ep{0}\">{0}</a></td><td>{1}</td><td class=\"t\">{2}</td><td class=\"n\">{3}</td><td class=\"n\">{4}</td>"
                          "<td class=\"n\">{5}</td><td class=\"n\">{6}</td><td>{7}</td><td>{8}</td></tr>\n",
                     i + 1, trig, fmt::format("<span title=\"{}\">{}</span>", rfc3339(e.trigger_us), rfc3339(e.trigger_us).substr(11)), e.prefixes_changed, us_text(e.end_us - e.start_us), us_text(e.p90_us),
                     e.blackholed_prefixes, det, pred);
    }
    s += "</table>\n";
    if (r.episodes.size() > kMaxRows) fmt::format_to(out, "<p class=\"note\">The first {} of {} episodes.</p>\n", kMaxRows, r.episodes.size());
    // Detail for the episodes that moved the most prefixes (and every one with a failure
    // window), in time order.
    constexpr std::size_t kMaxDetail = 30;
    std::vector<std::size_t> pick(r.episodes.size());
    std::iota(pick.begin(), pick.end(), std::size_t{0});
    std::stable_sort(pick.begin(), pick.end(), [&](std::size_t a, std::size_t b) {
      const auto& x = r.episodes[a];
      const auto& y = r.episodes[b];
      if (x.failure.known != y.failure.known) return x.failure.known;
      return x.prefixes_changed > y.prefixes_changed;
    });
    if (pick.size() > kMaxDetail) pick.resize(kMaxDetail);
    std::sort(pick.begin(), pick.end());
    if (r.episodes.size() > kMaxDetail)
      fmt::format_to(out, "<p class=\"note\">Detail for {} of {} episodes: those with a failure window and those that moved the most prefixes.</p>\n",
                     pick.size(), r.episodes.size());
    for (std::size_t i : pick) episode_detail(s, r, r.episodes[i], i + 1, ix);
  }

  s += "<h2>Prefixes</h2>\n";
  {
    std::size_t none = 0, changed = 0, vpn = 0, one_link = 0;
    for (std::size_t i = 0; i < r.active_paths.size(); ++i) {
      const PathKind k = r.active_paths[i].active.kind;
      none += k == PathKind::None;
      changed += ix.changes[i] > 0;
      vpn += k == PathKind::Vpn;
      one_link += k == PathKind::ErPrimary || k == PathKind::ErSecondary;
    }
    fmt::format_to(out, "<p>{} prefixes: {} without a path, {} changed during the input, {} on VPN, {} on one ExpressRoute link "
                        "only. Those come first; the filter searches all of them (a prefix, an address for the prefixes that "
                        "cover it, a path, an AS path or a peer).</p>\n",
                   r.active_paths.size(), none, changed, vpn, one_link);
  }
  s += "<div class=\"filter\"><input type=\"search\" id=\"q\" placeholder=\"filter: 10.1., 10.1.5.7, vpn, 65100, 192.0.2.1\" aria-label=\"filter\"> "
       "<select id=\"kind\" aria-label=\"kind\"><option value=\"\">every kind</option>";
  for (int k = 0; k < kKinds; ++k) fmt::format_to(out, "<option value=\"{}\">{}</option>", k, to_string(static_cast<PathKind>(k)));
  s += "</select> <label><input type=\"checkbox\" id=\"chg\"> changed only</label><span id=\"pcount\"></span></div>\n"
       "<table id=\"ptable\"><thead><tr><th>prefix</th><th>active</th><th>changes</th><th>ExpressRoute best</th><th>VPN best</th></tr></thead>"
       "<tbody id=\"prows\"></tbody></table>\n<button id=\"more\" hidden>show 100 more</button>\n"
       "<noscript><p>The prefix table is built by JavaScript; the JSON report (--report json) has every row.</p></noscript>\n";

  s += "<h2>Findings</h2>\n<ul>\n";
  for (const auto& f : r.findings)
    fmt::format_to(out, "<li class=\"{}\">{}: {}</li>\n", esc(f.severity), esc(f.severity), esc(f.message));
  if (r.findings.empty()) s += "<li>none</li>\n";
  s += "</ul>\n";

  if (r.what_if) {
    std::string failed;
    for (const auto& f : r.what_if->failed) failed += (failed.empty() ? "" : " and ") + f;
    fmt::format_to(out, "<h2>What if {} failed</h2>\n<p>{} prefixes would change their path", esc(failed), r.what_if->changes.size());
    for (const auto& [k, n] : r.what_if->transitions) fmt::format_to(out, "; {} &times;{}", esc(k), n);
    s += ".</p>\n";
    constexpr std::size_t kMaxRows = 500;
    if (!r.what_if->changes.empty()) s += "<table><tr><th>prefix</th><th>now</th><th>then</th></tr>\n";
    for (std::size_t i = 0; i < r.what_if->changes.size() && i < kMaxRows; ++i) {
      const auto& c = r.what_if->changes[i];
      fmt::format_to(out, "<tr><td>{}</td><td style=\"color:{}\">{}</td><td style=\"color:{}\">{}</td></tr>\n",
                     esc(wire::to_string(c.prefix)), colour(c.before.kind), esc(path_text(c.before, r, circuits)),
                     colour(c.after.kind), esc(path_text(c.after, r, circuits)));
    }
    if (!r.what_if->changes.empty()) s += "</table>\n";
    if (r.what_if->changes.size() > kMaxRows)
      fmt::format_to(out, "<p class=\"note\">The first {} of {} (the JSON report has them all).</p>\n", kMaxRows, r.what_if->changes.size());
  }

  s += "<h2>Peers</h2>\n<table><tr><th>peer</th><th>role</th><th>AS</th><th>description</th><th>state</th><th>prefixes</th><th>max</th>"
       "<th>updates</th><th>limit drops</th></tr>\n";
  for (const auto& p : r.peers)
    fmt::format_to(out, "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                        "<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                   esc(p.address), esc(p.role), p.asn, esc(p.description), p.established ? "established" : "down", p.prefixes,
                   p.max_prefixes, p.updates, p.limit_drops);
  s += "</table>\n";
  table_data(s, r, circuits, ix);
  s += kScript;
  s += "</body></html>\n";
  return s;
}

}  // namespace bgpfa::app
