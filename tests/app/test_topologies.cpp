// Golden replays of the design's topologies: tools/scenario writes each capture at test time,
// `bgpfa replay --report json` runs it with fixtures/topologies/NAME.conf, and a stable subset
// of the report (active paths by kind, each prefix's carrying paths, every event, each episode's
// trigger and counts, findings) must equal the hand-checked fixtures/topologies/NAME*.expected,
// whose comments name the Azure rule and its source (../shared/DESIGN.md, "Routing rules").
#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "app/azure/json.hpp"
#include "bgp/wire/ip.hpp"
#include "rib/prefix.hpp"
#include "tests/app/run.hpp"

using bgpfa::azure::JsonValue;
using bgpfa::test::run_bgpfa;
using bgpfa::test::slurp;
using bgpfa::test::TempFile;

namespace {

const std::string kDir = BGPFA_SOURCE_DIR "/fixtures/topologies/";

std::string str(const JsonValue* v) { return v && v->is(JsonValue::Type::String) ? v->text : (v ? v->text : ""); }

// "er-ecmp [er1 primary 192.0.2.1, er1 secondary 192.0.2.2]", "vpn [vpn 1 site hq 10.52.255.253]".
std::string path_words(const JsonValue& p) {
  std::vector<std::string> parts;
  if (const auto* paths = p.get("paths"))
    for (const auto& x : paths->items) {
      if (str(x.get("gateway")) == "vpn")
        parts.push_back(fmt::format("vpn {} site {} {}", str(x.get("instance")), str(x.get("site")), str(x.get("peer"))));
      else
        parts.push_back(fmt::format("{} {} {}", str(x.get("circuit")), str(x.get("link")), str(x.get("peer"))));
    }
  std::sort(parts.begin(), parts.end());
  std::string out = str(p.get("kind"));
  if (!parts.empty()) {
    out += " [";
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
    out += "]";
  }
  if (const auto* c = p.get("via_covering"); c && c->boolean) out += " via less specific";
  return out;
}

using Within = std::vector<bgpfa::wire::Prefix>;  // empty: everything

bool inside(const Within& within, const std::string& prefix) {
  if (within.empty()) return true;
  const auto p = bgpfa::wire::parse_prefix(prefix);
  return p && std::any_of(within.begin(), within.end(), [&](const bgpfa::wire::Prefix& w) {
           return bgpfa::rib::PrefixKey::from(w).covers(bgpfa::rib::PrefixKey::from(*p));
         });
}

// The stable subset of a replay's JSON report, one fact per line. Times are seconds after the
// first update, so that the scenario's script reads off the lines.
std::string subset(const std::string& json, const Within& within) {
  auto doc = bgpfa::azure::parse_json(json);
  REQUIRE(std::holds_alternative<JsonValue>(doc));
  const JsonValue& r = std::get<JsonValue>(doc);
  std::string out;
  const auto* summary = r.get("summary");
  REQUIRE(summary);
  out += "kinds";
  for (const auto& [k, v] : summary->get("active_by_kind")->members) out += fmt::format(" {}={}", k, v.text);
  out += '\n';
  if (const auto* vnet = summary->get("vnet"); vnet && !vnet->text.empty()) out += "vnet " + vnet->text + "\n";
  for (const auto& row : r.get("active_paths")->items) {
    const std::string p = str(row.get("prefix"));
    if (inside(within, p)) out += fmt::format("path {} {}\n", p, path_words(*row.get("active")));
  }
  auto seconds = [&](const std::string& rfc3339) {  // "2023-11-14T22:13:20.100000Z" -> 20.1 (minutes and seconds)
    const double m = std::stod(rfc3339.substr(14, 2)), sec = std::stod(rfc3339.substr(17, 9));
    return m * 60 + sec - 13 * 60 - 20;  // the scenarios start at 22:13:20
  };
  for (const auto& e : r.get("events")->items) {
    const std::string p = str(e.get("prefix"));
    if (!inside(within, p)) continue;
    out += fmt::format("event {:.3f} {} {} -> {}\n", seconds(str(e.get("time"))), p, path_words(*e.get("from")),
                       path_words(*e.get("to")));
  }
  for (const auto& ep : r.get("episodes")->items)
    out += fmt::format("episode {:.3f} {} | changed {} blackholed {}\n", seconds(str(ep.get("start"))), str(ep.get("trigger")),
                       str(ep.get("prefixes_changed")), str(ep.get("blackholed_prefixes")));
  for (const auto& f : r.get("findings")->items) out += fmt::format("finding {} {}\n", str(f.get("kind")), str(f.get("message")));
  return out;
}

std::string without_comments(const std::string& text) {
  std::string out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty() && l[0] != '#') out += l + "\n";
  return out;
}

struct View {
  const char* topology;
  const char* expected;  // file under fixtures/topologies/
  const char* args;      // extra replay arguments
  const char* within;    // only rows and events inside these prefixes (comma-separated; "": all)
};

const View kViews[] = {
    {"er-active-active", "er-active-active.expected", "", ""},
    {"er-prepend", "er-prepend.expected", "", ""},
    {"er-more-specific", "er-more-specific.expected", "", ""},
    {"er-weights", "er-weights.expected", "", ""},
    {"er-ecmp-circuits", "er-ecmp-circuits.expected", "", ""},
    {"vpn-single", "vpn-single.expected", "", ""},
    {"vpn-active-active", "vpn-active-active.expected", "", ""},
    {"er-vpn", "er-vpn.expected", "", ""},
    {"vpn-more-specific", "vpn-more-specific.expected", "", ""},
    {"vpn-multi-site", "vpn-multi-site.expected", "", ""},
    {"vnet-transit", "vnet-transit.expected", "", ""},
    {"vnet-transit", "vnet-transit.spoke1.expected", "--vnet spoke1", ""},
    {"vnet-transit", "vnet-transit.spoke2.expected", "--vnet spoke2", ""},
    {"prefix-limit", "prefix-limit.expected", "", "10.1.0.0/16"},
    {"er-dual-stack-limit", "er-dual-stack-limit.expected", "", "10.1.0.0/16,2001:db8:100::/48"},
};

}  // namespace

TEST_CASE("golden replays of the design's topologies (generated by tools/scenario)", "[golden][topology]") {
  for (const View& v : kViews) {
    INFO("topology " << v.topology << ", expectation " << v.expected);
    TempFile dump(".mrt");
    const std::string gen = std::string(BGPFA_SCENARIO) + " " + v.topology + " " + dump.path();
    REQUIRE(std::system(gen.c_str()) == 0);
    const auto r = run_bgpfa(fmt::format("replay -q -c {}{}.conf {} --report json {}", kDir, v.topology, v.args, dump.path()));
    REQUIRE(r.status == 0);
    Within within;
    std::istringstream list(v.within);
    for (std::string w; std::getline(list, w, ',');) within.push_back(*bgpfa::wire::parse_prefix(w));
    const std::string got = subset(r.out, within);
    const std::string want = without_comments(slurp(kDir + v.expected));
    if (got != want) FAIL_CHECK("replay's subset differs from " << v.expected << ":\n--- got\n" << got << "--- want\n" << want);
  }
}

TEST_CASE("every topology of the generator has a configuration and an expectation", "[golden][topology]") {
  const auto r = bgpfa::test::run_bgpfa("--version");  // the binary exists (the generator is beside it)
  REQUIRE(r.status == 0);
  TempFile list;
  REQUIRE(std::system((std::string(BGPFA_SCENARIO) + " --list >" + list.path()).c_str()) == 0);
  std::istringstream in(slurp(list.path()));
  std::set<std::string> tested;
  for (const View& v : kViews) tested.insert(v.topology);
  int n = 0;
  for (std::string name, rest; in >> name && std::getline(in, rest);) {
    ++n;
    INFO("topology " << name);
    CHECK(tested.count(name) == 1);
    CHECK(std::filesystem::exists(kDir + name + ".conf"));
  }
  CHECK(n == 13);
}
