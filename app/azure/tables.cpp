#include "app/azure/tables.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "app/azure/json.hpp"

namespace bgpfa::azure {

namespace {

using Type = JsonValue::Type;

struct Bad {
  std::string message;
};

class Reader {
 public:
  explicit Reader(const std::string& file) : file_(file) {}

  [[nodiscard]] Where at(const JsonValue& v) const { return Where{file_, v.line, v.column}; }
  [[noreturn]] void fail(const JsonValue& v, const std::string& m) const { throw Bad{at(v).str() + ": " + m}; }

  const JsonValue& member(const JsonValue& entry, const char* key, Type t, const char* what) const {
    const JsonValue* m = entry.get(key);
    if (!m) fail(entry, fmt::format("{} has no \"{}\" member", what, key));
    if (!m->is(t)) fail(*m, fmt::format("\"{}\" must be {}, found {}", key, type_name(t), type_name(m->type)));
    return *m;
  }
  // A member that may be absent or null (az prints null for unset fields).
  const JsonValue* optional(const JsonValue& entry, const char* key, Type t) const {
    const JsonValue* m = entry.get(key);
    if (!m || m->is(Type::Null)) return nullptr;
    if (!m->is(t)) fail(*m, fmt::format("\"{}\" must be {}, found {}", key, type_name(t), type_name(m->type)));
    return m;
  }
  wire::Prefix prefix(const JsonValue& v, const char* key) const {
    const auto p = wire::parse_prefix(v.text);
    if (!p) fail(v, fmt::format("\"{}\": {} is not a prefix (expected ADDRESS/LENGTH, e.g. 10.1.0.0/16)", key, azure::quoted(v.text)));
    return *p;
  }

 private:
  std::string file_;
};

// az prints {"nextLink": null, "value": [...]}; with --query value, only the array.
const JsonValue& entries_of(const Reader& r, const JsonValue& doc) {
  if (doc.is(Type::Array)) return doc;
  if (doc.is(Type::Object)) {
    const JsonValue* v = doc.get("value");
    if (!v) r.fail(doc, "expected the az CLI's output: an object with a \"value\" array, or the array itself");
    if (!v->is(Type::Array)) r.fail(*v, fmt::format("\"value\" must be an array, found {}", type_name(v->type)));
    return *v;
  }
  r.fail(doc, fmt::format("expected the az CLI's output (an object with a \"value\" array, or the array), found {}",
                          type_name(doc.type)));
}

std::vector<std::uint32_t> as_numbers(const Reader& r, const JsonValue& v) {
  // "65100 65200", "65100 {65201,65202}": the AS_SET braces and commas are separators here.
  std::vector<std::uint32_t> out;
  std::string token;
  auto flush = [&] {
    if (token.empty()) return;
    errno = 0;
    char* end = nullptr;
    const unsigned long long n = std::strtoull(token.c_str(), &end, 10);
    if (*end || errno || n > 0xffffffffull) r.fail(v, fmt::format("\"path\": {} is not an AS number", azure::quoted(token)));
    out.push_back(static_cast<std::uint32_t>(n));
    token.clear();
  };
  for (const char c : v.text) {
    if (c == ' ' || c == '{' || c == '}' || c == ',' || c == '(' || c == ')' || c == '[' || c == ']') flush();
    else token += c;
  }
  flush();
  return out;
}

void read_er(const Reader& r, const JsonValue& entries, Table& t) {
  for (const JsonValue& e : entries.items) {
    if (!e.is(Type::Object)) r.fail(e, fmt::format("expected a route (an object), found {}", type_name(e.type)));
    if (!e.get("network") && e.get("addressPrefix"))
      r.fail(e, "this is an effective route table (addressPrefix), not an ExpressRoute circuit route table: "
                "give it to --effective-routes");
    const char* what = "an ExpressRoute route table entry";
    ErRoute x;
    x.at = r.at(e);
    x.network = r.prefix(r.member(e, "network", Type::String, what), "network");
    if (const auto* nh = r.optional(e, "nextHop", Type::String)) x.next_hop = nh->text;
    if (const auto* p = r.optional(e, "path", Type::String)) {
      x.path_text = p->text;
      x.path = as_numbers(r, *p);
    }
    if (const auto* lp = e.get("locPrf"); lp && !lp->is(Type::Null)) {
      if (lp->is(Type::String) || lp->is(Type::Number)) x.loc_prf = lp->text;
      else r.fail(*lp, fmt::format("\"locPrf\" must be a string, found {}", type_name(lp->type)));
    }
    if (const auto* w = r.optional(e, "weight", Type::Number)) {
      if (w->number != std::floor(w->number) || std::fabs(w->number) > 1e15)
        r.fail(*w, fmt::format("\"weight\" must be an integer, found {}", azure::quoted(w->text)));
      x.weight = static_cast<std::int64_t>(w->number);
    }
    t.er.push_back(std::move(x));
  }
}

void read_effective(const Reader& r, const JsonValue& entries, Table& t) {
  for (const JsonValue& e : entries.items) {
    if (!e.is(Type::Object)) r.fail(e, fmt::format("expected a route (an object), found {}", type_name(e.type)));
    if (!e.get("addressPrefix") && e.get("network"))
      r.fail(e, "this is an ExpressRoute circuit route table (network), not an effective route table: "
                "give it to --er-table CIRCUIT:LINK=FILE");
    const char* what = "an effective route";
    EffectiveRoute x;
    x.at = r.at(e);
    const JsonValue& prefixes = r.member(e, "addressPrefix", Type::Array, what);
    for (const JsonValue& p : prefixes.items) {
      if (!p.is(Type::String)) r.fail(p, fmt::format("\"addressPrefix\" holds strings, found {}", type_name(p.type)));
      x.prefixes.push_back(r.prefix(p, "addressPrefix"));
    }
    if (const auto* hops = r.optional(e, "nextHopIpAddress", Type::Array)) {
      for (const JsonValue& h : hops->items) {
        if (!h.is(Type::String)) r.fail(h, fmt::format("\"nextHopIpAddress\" holds strings, found {}", type_name(h.type)));
        const auto a = wire::parse_address(h.text);
        if (!a) r.fail(h, fmt::format("\"nextHopIpAddress\": {} is not an IP address", azure::quoted(h.text)));
        x.next_hops.push_back(*a);
      }
    }
    x.next_hop_type = r.member(e, "nextHopType", Type::String, what).text;
    if (const auto* s = r.optional(e, "source", Type::String)) x.source = s->text;
    if (const auto* n = r.optional(e, "name", Type::String)) x.name = n->text;
    const JsonValue& state = r.member(e, "state", Type::String, what);
    if (state.text == "Active") x.active = true;
    else if (state.text == "Invalid") x.active = false;
    else r.fail(state, fmt::format("\"state\" must be \"Active\" or \"Invalid\", found {}", azure::quoted(state.text)));
    t.effective.push_back(std::move(x));
  }
}

}  // namespace

std::string Where::str() const { return fmt::format("{}:{}:{}", file, line, column); }

std::variant<Table, std::string> parse_table(const std::string& text, const std::string& file, TableKind kind) {
  auto doc = parse_json(text);
  if (const auto* e = std::get_if<JsonError>(&doc)) return fmt::format("{}:{}:{}: {}", file, e->line, e->column, e->message);
  const JsonValue& root = std::get<JsonValue>(doc);
  Reader r(file);
  Table t;
  t.kind = kind;
  t.file = file;
  try {
    const JsonValue& entries = entries_of(r, root);
    if (kind == TableKind::ExpressRoute) read_er(r, entries, t);
    else read_effective(r, entries, t);
  } catch (const Bad& b) {
    return b.message;
  }
  return t;
}

std::variant<Table, std::string> read_table(const std::string& file, TableKind kind) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) return fmt::format("{}: is a directory, not the az CLI's JSON output", file);
  std::ifstream f(file, std::ios::binary);
  if (!f) return fmt::format("{}: cannot open: {}", file, std::strerror(errno));
  std::ostringstream s;
  s << f.rdbuf();
  if (f.bad()) return fmt::format("{}: cannot read: {}", file, std::strerror(errno));
  return parse_table(s.str(), file, kind);
}

}  // namespace bgpfa::azure
