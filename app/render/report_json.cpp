#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iterator>

#include <fmt/format.h>

#include "app/render/report_format.hpp"

namespace bgpfa::app {

using namespace analyzer;

bool write_report(const Report& r, const std::vector<std::string>& circuits, const std::string& format,
                  const std::string& path) {
  std::FILE* f = path.empty() ? stdout : std::fopen(path.c_str(), "w");
  if (!f) {
    fmt::print(stderr, "bgpfa: error: cannot open {}: {}\n", path, std::strerror(errno));
    return false;
  }
  bool ok = true;
  const auto write = [&](std::string_view v) { ok = ok && std::fwrite(v.data(), 1, v.size(), f) == v.size(); };
  if (format == "json") render_json(r, circuits, write);  // streamed: a big table never sits whole in memory
  else write(format == "html" ? render_html(r, circuits) : render_text(r, circuits));
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

std::string q(std::string_view v) {
  std::string s = "\"";
  for (unsigned char c : v) {
    if (c == '"' || c == '\\') {
      s += '\\';
      s += static_cast<char>(c);
    } else if (c < 0x20) {
      s += fmt::format("\\u{:04x}", c);
    } else {
      s += static_cast<char>(c);
    }
  }
  return s + "\"";
}

// Appends a list item, comma-separated after the first.
void append_item(std::string& s, std::size_t index, const std::string& item) {
  if (index) s += ',';
  s += item;
}

std::string ms(std::uint64_t us) { return fmt::format("{:.3f}", static_cast<double>(us) / 1000.0); }

std::string path_json(const ActivePath& p, const std::vector<std::string>& circuits) {
  std::string s = fmt::format("{{\"kind\":{}", q(to_string(p.kind)));
  if (p.circuit >= 0 && static_cast<std::size_t>(p.circuit) < circuits.size())
    s += fmt::format(",\"circuit\":{}", q(circuits[static_cast<std::size_t>(p.circuit)]));
  if (p.kind == PathKind::Vpn) {
    s += ",\"vpn_instances\":[";
    s += p.vpn_instances == 3 ? "0,1" : p.vpn_instances == 2 ? "1" : "0";
    s += "]";
  }
  if (p.via_covering) s += ",\"via_less_specific\":true";
  return s + "}";
}

std::string best_json(const GatewayBest& g) {
  return fmt::format(
      "{{\"peer\":{},\"role\":{},\"as_path\":{},\"local_pref\":{},\"next_hop\":{},\"reason\":{},\"candidates\":{}}}",
      q(g.peer), q(g.role), q(g.as_path), g.local_pref, q(g.next_hop), q(g.reason), g.candidates);
}

}  // namespace

std::string render_json(const Report& r, const std::vector<std::string>& circuits) {
  std::string all;
  all.reserve(4096 + r.active_paths.size() * 400 + r.events.size() * 260);  // one allocation, no regrowth copies
  render_json(r, circuits, [&](std::string_view v) { all += v; });
  return all;
}

void render_json(const Report& r, const std::vector<std::string>& circuits, const std::function<void(std::string_view)>& write) {
  constexpr std::size_t kChunk = 1 << 20;
  std::string s;
  s.reserve(kChunk + 64 * 1024);
  auto out = std::back_inserter(s);
  auto flush_if_big = [&] {
    if (s.size() < kChunk) return;
    write(s);
    s.clear();
  };
  s += "{\n\"summary\":{";
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
    fmt::format_to(out, "{}\n{{\"address\":{},\"role\":{},\"asn\":{},\"description\":{},\"established\":{},\"prefixes\":{},\"max_prefixes\":{},\"updates\":{}}}",
                   i ? "," : "", q(p.address), q(p.role), p.asn, q(p.description), p.established ? "true" : "false",
                   p.prefixes, p.max_prefixes, p.updates);
  }
  s += "],\n\"active_paths\":[";
  for (std::size_t i = 0; i < r.active_paths.size(); ++i) {
    const auto& row = r.active_paths[i];
    fmt::format_to(out, "{}\n{{\"prefix\":{},\"active\":{}", i ? "," : "", q(wire::to_string(row.prefix)),
                   path_json(row.active, circuits));
    if (row.covering) fmt::format_to(out, ",\"covering_prefix\":{}", q(wire::to_string(*row.covering)));
    s += ",\"gateway_best\":{";
    if (row.expressroute) s += "\"expressroute\":" + best_json(*row.expressroute);
    if (row.vpn) append_item(s, row.expressroute ? 1 : 0, "\"vpn\":" + best_json(*row.vpn));
    s += "}}";
    flush_if_big();
  }
  s += "],\n\"events\":[";
  for (std::size_t i = 0; i < r.events.size(); ++i) {
    const auto& e = r.events[i];
    fmt::format_to(out, "{}\n{{\"time\":{},\"prefix\":{},\"from\":{},\"to\":{},\"cause\":{}}}", i ? "," : "",
                   q(rfc3339(e.time_us)), q(wire::to_string(e.prefix)), path_json(e.from, circuits),
                   path_json(e.to, circuits), q(e.cause));
    flush_if_big();
  }
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
    s += "]}";
  }
  s += "],\n\"findings\":[";
  for (std::size_t i = 0; i < r.findings.size(); ++i) {
    const auto& f = r.findings[i];
    fmt::format_to(out, "{}\n{{\"kind\":{},\"severity\":{},\"message\":{},\"prefixes\":[", i ? "," : "", q(f.kind),
                   q(f.severity), q(f.message));
    for (std::size_t j = 0; j < f.prefixes.size(); ++j) append_item(s, j, q(wire::to_string(f.prefixes[j])));
    s += "]}";
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
      fmt::format_to(out, "{}\n{{\"prefix\":{},\"from\":{},\"to\":{}}}", i ? "," : "", q(wire::to_string(c.prefix)),
                     path_json(c.before, circuits), path_json(c.after, circuits));
    }
    s += "]}";
  }
  s += "\n}\n";
  write(s);
}

}  // namespace bgpfa::app
