#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iterator>

#include <fmt/format.h>

#include "app/render/json_out.hpp"
#include "app/render/json_text.hpp"
#include "app/render/report_format.hpp"

namespace bgpfa::app {

using namespace analyzer;

bool write_report(const Report& r, const std::vector<std::string>& circuits, const std::string& format,
                  const std::string& path, const TextOptions& text, const ReportStream* stream) {
  std::FILE* f = path.empty() ? stdout : std::fopen(path.c_str(), "w");
  if (!f) {
    fmt::print(stderr, "bgpfa: error: cannot open {}: {}\n", path, std::strerror(errno));
    return false;
  }
  bool ok = true;
  const auto write = [&](std::string_view v) { ok = ok && std::fwrite(v.data(), 1, v.size(), f) == v.size(); };
  if (format == "json") render_json(r, circuits, write, stream);  // streamed: a big table never sits whole in memory
  else write(format == "html" ? render_html(r, circuits) : render_text(r, circuits, text));
  if (f != stdout) std::fclose(f);
  else std::fflush(stdout);
  return ok;
}

std::string check_output_file(const std::string& path) {
  if (path.empty()) return {};
  std::error_code ec;
  const auto p = std::filesystem::path(path);
  if (std::filesystem::is_directory(p, ec)) return fmt::format("cannot write the report to {}: it is a directory", path);
  if (std::filesystem::exists(p, ec)) {
    if (::access(path.c_str(), W_OK) != 0) return fmt::format("cannot write the report to {}: {}", path, std::strerror(errno));
    return {};
  }
  const auto dir = p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::is_directory(dir, ec))
    return fmt::format("cannot write the report to {}: directory {} does not exist", path, dir.string());
  if (::access(dir.c_str(), W_OK) != 0)
    return fmt::format("cannot write the report to {}: directory {}: {}", path, dir.string(), std::strerror(errno));
  return {};
}

std::string rfc3339(std::uint64_t us) {
  const std::time_t t = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, us % 1000000);
}

namespace {

std::string q(std::string_view v) { return json_quote(v); }

// Appends a list item, comma-separated after the first.
void append_item(std::string& s, std::size_t index, const std::string& item) {
  if (index) s += ',';
  s += item;
}

std::string ms(std::uint64_t us) { return fmt::format("{:.3f}", static_cast<double>(us) / 1000.0); }

// The carrying set of an active path as JSON, rendered once per interned set.
class PathJson {
 public:
  explicit PathJson(const Report& r) : r_(r), sets_(r.path_sets.size()) {}
  void operator()(JsonOut& o, const ActivePath& p) {
    std::string& head = kind_head_[static_cast<std::size_t>(p.kind) % std::size(kind_head_)];
    if (head.empty()) {  // {"kind":"er-primary", once per kind
      JsonOut h(head);
      h.raw("{\"kind\":").str(to_string(p.kind)).ch(',');
    }
    o.raw(head).raw(set(p.set));
    o.raw(p.via_covering ? ",\"via_covering\":true}" : ",\"via_covering\":false}");
  }

 private:
  const std::string& set(std::uint32_t id) {
    static const std::string kEmpty = "\"circuits\":[],\"vpn_instances\":[],\"paths\":[]";
    if (id >= sets_.size()) return kEmpty;
    std::string& s = sets_[id];
    if (!s.empty()) return s;
    std::vector<std::string> circuits;
    std::vector<int> instances;
    std::string paths;
    for (const auto& c : r_.path_sets[id]) {
      if (!paths.empty()) paths += ',';
      if (c.gateway == Gateway::ExpressRoute) {
        if (std::find(circuits.begin(), circuits.end(), c.circuit) == circuits.end()) circuits.push_back(c.circuit);
        paths += fmt::format("{{\"gateway\":\"expressroute\",\"circuit\":{},\"link\":\"{}\",\"peer\":{}", q(c.circuit),
                             c.link == Link::Primary ? "primary" : "secondary", q(c.peer));
      } else {
        if (std::find(instances.begin(), instances.end(), c.vpn_instance) == instances.end()) instances.push_back(c.vpn_instance);
        paths += fmt::format("{{\"gateway\":\"vpn\",\"instance\":{},\"site\":{},\"peer\":{}", c.vpn_instance, q(c.site),
                             q(c.peer));
      }
      if (!c.local.empty()) paths += fmt::format(",\"local\":{}", q(c.local));
      paths += '}';
    }
    std::sort(instances.begin(), instances.end());
    s = "\"circuits\":[";
    for (std::size_t i = 0; i < circuits.size(); ++i) append_item(s, i, q(circuits[i]));
    s += "],\"vpn_instances\":[";
    for (std::size_t i = 0; i < instances.size(); ++i) s += fmt::format("{}{}", i ? "," : "", instances[i]);
    s += "],\"paths\":[" + paths + "]";
    return s;
  }
  const Report& r_;
  std::vector<std::string> sets_;
  std::string kind_head_[static_cast<std::size_t>(PathKind::System) + 1];
};

void best_json(JsonOut& o, const GatewayBest& g) {
  o.raw("{\"peer\":").str(g.peer).raw(",\"role\":").str(g.role).raw(",\"as_path\":").str(g.as_path);
  o.raw(",\"local_pref\":").num(g.local_pref).raw(",\"next_hop\":").str(g.next_hop).raw(",\"reason\":").str(g.reason);
  o.raw(",\"candidates\":").num(g.candidates).ch('}');
}

}  // namespace

std::string render_json(const Report& r, const std::vector<std::string>& circuits) {
  std::string all;
  all.reserve(4096 + r.active_paths.size() * 400 + r.events.size() * 260);  // one allocation, no regrowth copies
  render_json(r, circuits, [&](std::string_view v) { all += v; });
  return all;
}

void render_json(const Report& r, const std::vector<std::string>&, const std::function<void(std::string_view)>& write,
                 const ReportStream* stream) {
  PathJson path_json(r);
  constexpr std::size_t kChunk = 1 << 20;
  std::string s;
  s.reserve(kChunk + 64 * 1024);
  auto out = std::back_inserter(s);
  JsonOut* rows_out = nullptr;  // while set, `s` is written through it (JsonOut::sync before other writes)
  auto flush_if_big = [&] {
    if ((rows_out ? rows_out->size() : s.size()) < kChunk) return;
    if (rows_out) return rows_out->drain(write);
    write(s);
    s.clear();
  };
  s += "{\n\"summary\":{";
  if (!r.summary.vnet.empty()) {
    fmt::format_to(out, "\"vnet\":{},\"vnets\":[", q(r.summary.vnet));
    for (std::size_t i = 0; i < r.summary.vnets.size(); ++i) append_item(s, i, q(r.summary.vnets[i]));
    s += "],";
  }
  if (const auto& b = r.summary.baseline; b.start_us)
    fmt::format_to(out, "\"baseline\":{{\"prefixes\":{},\"routes\":{},\"start\":{},\"end\":{}}},", b.prefixes, b.routes,
                   q(rfc3339(b.start_us)), q(rfc3339(b.end_us)));
  if (!r.summary.initial_tables.empty()) {
    s += "\"initial_tables\":[";
    for (std::size_t i = 0; i < r.summary.initial_tables.size(); ++i) {
      const auto& t = r.summary.initial_tables[i];
      fmt::format_to(out, "{}{{\"peer\":{},\"role\":{},\"established\":{},\"end\":{},\"prefixes\":{},\"duration_ms\":{},\"ended_by\":{}}}",
                     i ? "," : "", q(t.peer), q(t.role), q(rfc3339(t.start_us)), q(rfc3339(t.end_us)), t.prefixes,
                     ms(t.end_us - t.start_us), q(t.ended_by));
    }
    s += "],";
  }
  fmt::format_to(out, "\"first_update\":{},\"last_update\":{},\"prefixes\":{},\"routes\":{},\"attribute_sets\":{},\"events\":{},\"episodes\":{},\"findings\":{},\"active_by_kind\":{{",
                 q(r.summary.first_us ? rfc3339(r.summary.first_us) : ""), q(r.summary.last_us ? rfc3339(r.summary.last_us) : ""),
                 r.summary.prefixes, r.summary.routes, r.summary.attribute_sets, r.summary.events, r.episodes.size(),
                 r.findings.size());
  bool first = true;
  for (const auto& [k, n] : r.summary.active_by_kind) {
    fmt::format_to(out, "{}{}:{}", first ? "" : ",", q(k), n);
    first = false;
  }
  s += "},\"unknown_peers\":[";
  for (std::size_t i = 0; i < r.summary.unknown_peers.size(); ++i) append_item(s, i, q(r.summary.unknown_peers[i]));
  s += "]},\n\"peers\":[";
  for (std::size_t i = 0; i < r.peers.size(); ++i) {
    const auto& p = r.peers[i];
    fmt::format_to(out, "{}\n{{\"address\":{},\"role\":{},\"asn\":{},\"description\":{},\"established\":{},\"prefixes\":{},\"max_prefixes\":{},\"updates\":{},\"limit_drops\":{}}}",
                   i ? "," : "", q(p.address), q(p.role), p.asn, q(p.description), p.established ? "true" : "false",
                   p.prefixes, p.max_prefixes, p.updates, p.limit_drops);
  }
  s += "],\n\"active_paths\":[";
  // The rows: one per prefix and per event, written without format strings.
  JsonOut o(s);
  rows_out = &o;
  std::size_t item = 0;  // rows, then events: the first of each list has no comma
  const auto row_json = [&](const PrefixRow& row) {
    o.raw(item++ ? ",\n{\"prefix\":" : "\n{\"prefix\":").prefix(row.prefix).raw(",\"active\":");
    path_json(o, row.active);
    if (row.covering) o.raw(",\"covering_prefix\":").prefix(*row.covering);
    o.raw(",\"gateway_best\":{");
    if (row.expressroute) {
      o.raw("\"expressroute\":");
      best_json(o, *row.expressroute);
    }
    if (row.vpn) {
      o.raw(row.expressroute ? ",\"vpn\":" : "\"vpn\":");
      best_json(o, *row.vpn);
    }
    o.raw("}}");
    flush_if_big();
  };
  if (stream && stream->filled()) stream->each_row(row_json);
  else for (const auto& row : r.active_paths) row_json(row);
  o.raw("],\n\"events\":[");
  item = 0;
  const auto event_json = [&](const Event& e) {
    o.raw(item++ ? ",\n{\"time\":" : "\n{\"time\":").time(e.time_us).raw(",\"prefix\":").prefix(e.prefix).raw(",\"from\":");
    path_json(o, e.from);
    o.raw(",\"to\":");
    path_json(o, e.to);
    o.raw(",\"cause\":").str(e.cause).ch('}');
    flush_if_big();
  };
  if (stream && stream->filled()) stream->each_event(event_json);
  else for (const auto& e : r.events) event_json(e);
  o.sync();
  s += "],\n\"episodes\":[";
  for (std::size_t i = 0; i < r.episodes.size(); ++i) {
    const auto& e = r.episodes[i];
    fmt::format_to(out,
                   "{}\n{{\"trigger\":{},\"trigger_time\":{},\"start\":{},\"end\":{},\"duration_ms\":{},\"prefixes_changed\":{},"
                   "\"p50_ms\":{},\"p90_ms\":{},\"p99_ms\":{},\"max_ms\":{},"
                   "\"blackholed_prefixes\":{},\"blackhole_prefix_seconds\":{:.6f},\"still_unreachable\":{},\"path_exploration\":{},\"transitions\":{{",
                   i ? "," : "", q(e.trigger), q(rfc3339(e.trigger_us)), q(rfc3339(e.start_us)), q(rfc3339(e.end_us)),
                   ms(e.end_us - e.start_us), e.prefixes_changed, ms(e.p50_us), ms(e.p90_us), ms(e.p99_us), ms(e.max_us), e.blackholed_prefixes,
                   e.blackhole_prefix_seconds, e.still_unreachable, e.path_exploration);
    bool f = true;
    for (const auto& [k, n] : e.transitions) {
      fmt::format_to(out, "{}{}:{}", f ? "" : ",", q(k), n);
      f = false;
    }
    s += "},\"gateway_lag\":{";
    f = true;
    for (const auto& [g, lag] : e.gateway_lag) {
      fmt::format_to(out, "{}{}:{{\"first_update_ms\":{},\"last_update_ms\":{},\"updates\":{}}}", f ? "" : ",", q(g),
                     ms(lag.first_update_us), ms(lag.last_update_us), lag.updates);
      f = false;
    }
    s += "},\"other_triggers\":[";
    for (std::size_t j = 0; j < e.other_triggers.size(); ++j) append_item(s, j, q(e.other_triggers[j]));
    s += "],";
    if (const auto& p = e.prediction; p.made) {
      s += "\"prediction\":{\"failed\":[";
      for (std::size_t j = 0; j < p.failed.size(); ++j) append_item(s, j, q(p.failed[j]));
      s += "],\"predicted\":{";
      bool first_kind = true;
      for (const auto& [k, n] : p.predicted) {
        fmt::format_to(out, "{}{}:{}", first_kind ? "" : ",", q(k), n);
        first_kind = false;
      }
      s += "},\"observed\":{";
      first_kind = true;
      for (const auto& [k, n] : p.observed) {
        fmt::format_to(out, "{}{}:{}", first_kind ? "" : ",", q(k), n);
        first_kind = false;
      }
      fmt::format_to(out, "}},\"matched\":{},\"differed\":{},\"unpredicted\":{},\"misses\":[", p.matched, p.differed,
                     p.unpredicted);
      for (std::size_t j = 0; j < p.misses.size(); ++j)
        fmt::format_to(out, "{}{{\"prefix\":{},\"predicted\":{},\"observed\":{}}}", j ? "," : "",
                       q(wire::to_string(p.misses[j].prefix)), q(to_string(p.misses[j].predicted)), q(to_string(p.misses[j].observed)));
      s += "]},";
    }
    if (const auto& p = e.projection)
      fmt::format_to(out,
                     "\"projection\":{{\"label\":\"projection with Azure's timers\",\"gateway\":{},\"timers\":{},"
                     "\"detected_by\":{},\"detection_min_ms\":{},\"detection_max_ms\":{},\"propagation_ms\":{},"
                     "\"failover_min_ms\":{},\"failover_max_ms\":{}}},",
                     q(p->gateway), q(p->timers), q(p->detected_by), ms(p->detection_min_us), ms(p->detection_max_us),
                     ms(p->propagation_us), ms(p->failover_min_us), ms(p->failover_max_us));
    else
      s += "\"projection\":null,";
    if (const auto& w = e.failure; w.known)
      fmt::format_to(out,
                     "\"failure_after\":{},\"failure_before\":{},\"detected_by\":{},\"detection_min_ms\":{},"
                     "\"detection_max_ms\":{},\"failover_min_ms\":{},\"failover_max_ms\":{}}}",
                     q(rfc3339(w.after_us)), q(rfc3339(w.before_us)), q(w.detected_by), ms(e.detection_min_us),
                     ms(e.detection_max_us), ms(e.failover_min_us), ms(e.failover_max_us));
    else
      fmt::format_to(out, "\"failure_after\":null,\"failure_before\":null,\"detection\":{}}}", w.note.empty() ? "null" : q(w.note));
  }
  s += "],\n\"findings\":[";
  for (std::size_t i = 0; i < r.findings.size(); ++i) {
    const auto& f = r.findings[i];
    fmt::format_to(out, "{}\n{{\"kind\":{},\"severity\":{},\"message\":{},\"prefixes\":[", i ? "," : "", q(f.kind),
                   q(f.severity), q(f.message));
    for (std::size_t j = 0; j < f.prefixes.size(); ++j) {
      if (j) o.ch(',');
      o.prefix(f.prefixes[j]);
    }
    o.sync();
    s += "]}";
    flush_if_big();
  }
  s += "]";
  if (r.what_if) {
    s += ",\n\"what_if\":{\"failed\":[";
    for (std::size_t i = 0; i < r.what_if->failed.size(); ++i) append_item(s, i, q(r.what_if->failed[i]));
    s += "],\"transitions\":{";
    bool f = true;
    for (const auto& [k, n] : r.what_if->transitions) {
      fmt::format_to(out, "{}{}:{}", f ? "" : ",", q(k), n);
      f = false;
    }
    s += "},\"changes\":[";
    for (std::size_t i = 0; i < r.what_if->changes.size(); ++i) {
      const auto& c = r.what_if->changes[i];
      o.raw(i ? ",\n{\"prefix\":" : "\n{\"prefix\":").prefix(c.prefix).raw(",\"from\":");
      path_json(o, c.before);
      o.raw(",\"to\":");
      path_json(o, c.after);
      o.ch('}');
      flush_if_big();
    }
    o.sync();
    s += "]}";
  }
  s += "\n}\n";
  write(s);
}

}  // namespace bgpfa::app
