// Configuration grammar (Boost.Spirit X3), one statement per line, FRR style:
//   router bgp ASN / bgp router-id A / neighbor A remote-as ASN / neighbor A description TEXT /
//   neighbor A gateway expressroute circuit NAME link primary|secondary /
//   neighbor A gateway vpn instance 0|1 / analyzer / routing-preference expressroute|vpn|as-path /
//   connection-weight CIRCUIT N / quiet-period DURATION / er-sku standard|premium / grpc /
//   listen HOST:PORT / allow-remote / tls cert FILE key FILE / insecure / capture DIR [rotate DURATION]. Lines starting with ! or # are comments;
//   a line "!" also ends the current section.

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/spirit/home/x3.hpp>
#include <fmt/format.h>

#include "app/config/model.hpp"

namespace bgpfa::config {

namespace x3 = boost::spirit::x3;

const Neighbor* Config::find(const wire::IpAddress& a) const {
  for (const auto& n : neighbors)
    if (n.address == a) return &n;
  return nullptr;
}

std::string ConfigError::to_string() const {
  return fmt::format("{}:{}:{}: error: {}", file, pos.line, pos.column, message);
}

namespace {

using It = std::string_view::const_iterator;

// A keyword matches a whole word only ("neighbors" is not "neighbor"); named for error messages.
struct keyword_id;
auto kw(const char* s) {
  return x3::rule<keyword_id, x3::unused_type>{s} = x3::lexeme[x3::lit(s) >> !x3::graph];
}

struct Token {
  std::string text;
  It at{};
};

// The parse of one statement; which fields are set depends on the statement.
struct Statement {
  enum Kind { RouterBgp, Analyzer, Grpc, Capture, RouterId, Neighbor, RoutingPref, ConnWeight, QuietPeriod, ErSku,
              Listen, AllowRemote, Tls, Insecure } kind{};
  std::uint32_t number = 0;
  Token a, b;  // address/name tokens
  std::string neighbor_kind;  // remote-as | description | expressroute | vpn
  std::string word;           // link / preference / sku
  Token duration, rotate;
};

template <class Attr>
struct Set {
  Attr Statement::*field;
};

// Keyword rules are named by the keyword itself; quote those, leave descriptions as they are.
std::string quote_keyword(const std::string& which) {
  return which.find(' ') == std::string::npos && which.find('-') != 0 ? "\"" + which + "\"" : which;
}

std::optional<std::chrono::microseconds> parse_duration(std::string_view s) {
  std::uint64_t n = 0;
  std::size_t i = 0;
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) return std::nullopt;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
    n = n * 10 + static_cast<unsigned>(s[i] - '0');
    if (n > 1'000'000'000'000ull) return std::nullopt;  // far beyond any sensible period
  }
  const std::string_view unit = s.substr(i);
  std::uint64_t per = 0;  // microseconds per unit
  if (unit == "us") per = 1;
  else if (unit == "ms") per = 1000;
  else if (unit == "s" || unit.empty()) per = 1'000'000;
  else if (unit == "m" || unit == "min") per = 60'000'000;
  else if (unit == "h") per = 3'600'000'000ull;
  else return std::nullopt;
  constexpr std::uint64_t kYear = 366ull * 24 * 3'600'000'000ull;
  if (n > kYear / per) return std::nullopt;  // also keeps the product from overflowing
  return std::chrono::microseconds(static_cast<std::int64_t>(n * per));
}

using wire::parse_address;

class Parser {
 public:
  Parser(std::string_view text, const std::string& file) : text_(text) { result_.config.file = file; }

  ParseResult run() {
    std::size_t start = 0;
    int line_no = 0;
    while (start <= text_.size()) {
      std::size_t end = text_.find('\n', start);
      if (end == std::string_view::npos) end = text_.size();
      std::string_view line = text_.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      ++line_no;
      statement(line, line_no);
      if (end == text_.size()) break;
      start = end + 1;
    }
    validate();
    std::stable_sort(result_.errors.begin(), result_.errors.end(), [](const ConfigError& a, const ConfigError& b) {
      return a.pos.line != b.pos.line ? a.pos.line < b.pos.line : a.pos.column < b.pos.column;
    });
    return std::move(result_);
  }

 private:
  enum class Section { None, Router, Analyzer, Grpc };

  void error(int line, int column, std::string msg) {
    result_.errors.push_back({result_.config.file, {line, column}, std::move(msg)});
  }
  int column_of(std::string_view line, It at) const { return static_cast<int>(at - line.begin()) + 1; }

  void statement(std::string_view line, int line_no) {
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos) return;
    if (line[first] == '!' || line[first] == '#') {
      if (line.substr(first).find_first_not_of("! \t") == std::string_view::npos && line[first] == '!')
        section_ = Section::None;
      return;
    }
    Statement st;
    auto tok = [](Token Statement::*f) {
      return [f](auto& ctx) {
        auto& s = x3::get<Statement>(ctx).get();
        const auto& r = x3::_attr(ctx);
        (s.*f).text.assign(r.begin(), r.end());
        (s.*f).at = r.begin();
      };
    };
    auto kind = [](Statement::Kind k) { return [k](auto& ctx) { x3::get<Statement>(ctx).get().kind = k; }; };
    auto num = [](auto& ctx) { x3::get<Statement>(ctx).get().number = x3::_attr(ctx); };
    auto nkind = [](const char* k) { return [k](auto& ctx) { x3::get<Statement>(ctx).get().neighbor_kind = k; }; };
    auto word_is = [](const char* w) { return [w](auto& ctx) { x3::get<Statement>(ctx).get().word = w; }; };

    using Range = boost::iterator_range<It>;
    const auto token = x3::rule<class token_, Range>{"a word"} = x3::raw[x3::lexeme[+x3::graph]];
    const auto address = x3::rule<class address_, Range>{"an IPv4 or IPv6 address"} = x3::raw[x3::lexeme[+x3::graph]];
    const auto name = x3::rule<class name_, Range>{"a name"} = x3::raw[x3::lexeme[+x3::graph]];
    const auto duration = x3::rule<class duration_, Range>{"a duration such as 5s or 500ms"} = x3::raw[x3::lexeme[+x3::graph]];
    // Numbers with their action inside the named rule, so an expectation failure names the rule.
    const auto asn = x3::rule<class asn_, x3::unused_type>{"an AS number"} = x3::uint32[num];
    const auto weight = x3::rule<class weight_, x3::unused_type>{"a weight 0-32000"} = x3::uint32[num];
    const auto instance = x3::rule<class instance_, x3::unused_type>{"VPN instance 0 or 1"} = x3::uint32[num];
    const auto rest = x3::rule<class rest_, Range>{"a description"} = x3::raw[x3::lexeme[+x3::char_]];
    const auto link = x3::rule<class link_, x3::unused_type>{"primary or secondary"} =
        kw("primary")[word_is("primary")] | kw("secondary")[word_is("secondary")];
    const auto preference = x3::rule<class pref_, x3::unused_type>{"expressroute, vpn or as-path"} =
        kw("expressroute")[word_is("expressroute")] | kw("vpn")[word_is("vpn")] | kw("as-path")[word_is("as-path")];
    const auto sku = x3::rule<class sku_, x3::unused_type>{"standard or premium"} =
        kw("standard")[word_is("standard")] | kw("premium")[word_is("premium")];

    const auto hold = x3::rule<class hold_, x3::unused_type>{"a hold time (0 or 3-65535 seconds)"} = x3::uint32[num];
    const auto limit = x3::rule<class limit_, x3::unused_type>{"a number of prefixes"} = x3::uint32[num];
    const auto neighbor_tail = x3::rule<class ntail_, x3::unused_type>{
        "remote-as, description, gateway, passive, timers or maximum-prefix"} =
        (kw("remote-as")[nkind("remote-as")] > asn) | kw("passive")[nkind("passive")] |
        (kw("maximum-prefix")[nkind("maximum-prefix")] > limit >
         (kw("warning-only")[word_is("warning-only")] | (kw("restart") > duration[tok(&Statement::duration)]) | x3::eps)) |
        (kw("timers") > kw("holdtime")[nkind("holdtime")] > hold) |
        (kw("description")[nkind("description")] > rest[tok(&Statement::b)]) |
        (kw("gateway") > ((kw("expressroute")[nkind("expressroute")] > kw("circuit") > name[tok(&Statement::b)] >
                           kw("link") > link) |
                          (kw("vpn")[nkind("vpn")] > kw("instance") > instance)));
    const auto top = x3::rule<class top_, x3::unused_type>{"router bgp, analyzer, grpc or capture"} =
        (kw("router") > kw("bgp") > asn)[kind(Statement::RouterBgp)] | kw("analyzer")[kind(Statement::Analyzer)] |
        kw("grpc")[kind(Statement::Grpc)] |
        (kw("capture") > token[tok(&Statement::a)] > ((kw("rotate") > duration[tok(&Statement::rotate)]) | x3::eps))
            [kind(Statement::Capture)];
    const auto router = x3::rule<class router_, x3::unused_type>{"neighbor or bgp router-id"} =
        (kw("bgp") > kw("router-id") > address[tok(&Statement::a)])[kind(Statement::RouterId)] |
        (kw("neighbor") > address[tok(&Statement::a)] > neighbor_tail)[kind(Statement::Neighbor)];
    const auto analyzer = x3::rule<class analyzer_, x3::unused_type>{
        "routing-preference, connection-weight, quiet-period or er-sku"} =
        (kw("routing-preference") > preference)[kind(Statement::RoutingPref)] |
        (kw("connection-weight") > name[tok(&Statement::b)] > weight)[kind(Statement::ConnWeight)] |
        (kw("quiet-period") > duration[tok(&Statement::duration)])[kind(Statement::QuietPeriod)] |
        (kw("er-sku") > sku)[kind(Statement::ErSku)];
    const auto grpc = x3::rule<class grpc_, x3::unused_type>{"listen, allow-remote, tls or insecure"} =
        (kw("listen") > token[tok(&Statement::a)])[kind(Statement::Listen)] |
        kw("allow-remote")[kind(Statement::AllowRemote)] |
        (kw("tls") > kw("cert") > token[tok(&Statement::a)] > kw("key") > token[tok(&Statement::b)])[kind(Statement::Tls)] |
        kw("insecure")[kind(Statement::Insecure)];

    It it = line.begin();
    const It end = line.end();
    std::reference_wrapper<Statement> ref = st;
    bool ok = false;
    try {
      auto run = [&](const auto& section_rule) {
        return x3::phrase_parse(it, end, x3::with<Statement>(ref)[(section_rule | top) > x3::eoi], x3::blank);
      };
      switch (section_) {
        case Section::Router: ok = run(router); break;
        case Section::Analyzer: ok = run(analyzer); break;
        case Section::Grpc: ok = run(grpc); break;
        case Section::None: ok = x3::phrase_parse(it, end, x3::with<Statement>(ref)[top > x3::eoi], x3::blank); break;
      }
    } catch (const x3::expectation_failure<It>& e) {
      auto where = e.where();
      while (where != end && (*where == ' ' || *where == '\t')) ++where;
      const auto found = where == end ? std::string("end of line")
                                      : fmt::format("\"{}\"", std::string(where, std::find_if(where, end, [](char c) {
                                                                             return c == ' ' || c == '\t';
                                                                           })));
      error(line_no, column_of(line, where),
            fmt::format("expected {}, found {}", e.which() == "eoi" ? "end of line" : quote_keyword(e.which()), found));
      return;
    }
    if (!ok) {
      const char* expected = section_ == Section::Router     ? "neighbor, bgp router-id or a new section"
                             : section_ == Section::Analyzer ? "routing-preference, connection-weight, quiet-period, er-sku or a new section"
                             : section_ == Section::Grpc     ? "listen or a new section"
                                                             : "router bgp, analyzer, grpc or capture";
      const auto word_end = std::find_if(line.begin() + static_cast<std::ptrdiff_t>(first), end,
                                         [](char c) { return c == ' ' || c == '\t'; });
      error(line_no, static_cast<int>(first) + 1,
            fmt::format("unknown statement \"{}\": expected {}",
                        std::string(line.begin() + static_cast<std::ptrdiff_t>(first), word_end), expected));
      return;
    }
    apply(st, line, line_no);
  }

  void apply(const Statement& st, std::string_view line, int line_no) {
    Config& c = result_.config;
    auto col = [&](const Token& t) { return column_of(line, t.at); };
    switch (st.kind) {
      case Statement::RouterBgp:
        if (c.local_as) error(line_no, 1, "a second router bgp section (bgpfa models one router)");
        c.local_as = st.number;
        section_ = Section::Router;
        return;
      case Statement::Analyzer: section_ = Section::Analyzer; return;
      case Statement::Grpc: section_ = Section::Grpc; return;
      case Statement::Capture:
        c.capture_dir = st.a.text;
        if (!st.rotate.text.empty()) {
          auto d = parse_duration(st.rotate.text);
          if (!d) return error(line_no, col(st.rotate), fmt::format("\"{}\" is not a duration (e.g. 15m)", st.rotate.text));
          c.capture_rotate = std::chrono::duration_cast<std::chrono::seconds>(*d);
        }
        return;
      case Statement::RouterId: {
        auto a = parse_address(st.a.text);
        if (!a || a->afi != wire::Afi::Ipv4)
          return error(line_no, col(st.a), fmt::format("\"{}\" is not an IPv4 address", st.a.text));
        c.router_id = a;
        return;
      }
      case Statement::Neighbor: return neighbor(st, line, line_no);
      case Statement::RoutingPref:
        c.routing_preference = st.word == "vpn"       ? RoutingPreference::Vpn
                               : st.word == "as-path" ? RoutingPreference::AsPath
                                                      : RoutingPreference::ExpressRoute;
        return;
      case Statement::ConnWeight:
        if (st.number > 32000)
          return error(line_no, static_cast<int>(line.rfind(std::to_string(st.number))) + 1,
                       fmt::format("connection weight {} is outside 0-32000", st.number));
        weight_pos_[st.b.text] = {line_no, col(st.b)};
        c.connection_weight[st.b.text] = static_cast<int>(st.number);
        return;
      case Statement::QuietPeriod: {
        auto d = parse_duration(st.duration.text);
        if (!d || d->count() == 0)
          return error(line_no, col(st.duration), fmt::format("\"{}\" is not a positive duration (e.g. 5s, 500ms)", st.duration.text));
        c.quiet_period = *d;
        return;
      }
      case Statement::ErSku: c.er_sku = st.word; return;
      case Statement::Listen: c.grpc_listen = st.a.text; return;
      case Statement::AllowRemote: c.grpc_allow_remote = true; return;
      case Statement::Tls:
        c.grpc_tls_cert = st.a.text;
        c.grpc_tls_key = st.b.text;
        return;
      case Statement::Insecure: c.grpc_insecure = true; return;
    }
  }

  void neighbor(const Statement& st, std::string_view line, int line_no) {
    Config& c = result_.config;
    const int acol = column_of(line, st.a.at);
    auto addr = parse_address(st.a.text);
    if (!addr) return error(line_no, acol, fmt::format("\"{}\" is not an IPv4 or IPv6 address", st.a.text));
    Neighbor* n = nullptr;
    for (auto& x : c.neighbors)
      if (x.address == *addr) n = &x;
    if (st.neighbor_kind == "remote-as") {
      if (n && n->remote_as)
        return error(line_no, acol, fmt::format("duplicate neighbor {} (first declared at line {})", st.a.text, n->pos.line));
      if (!n) {
        c.neighbors.push_back({});
        n = &c.neighbors.back();
        n->address = *addr;
        n->pos = {line_no, acol};
      }
      n->remote_as = st.number;
      return;
    }
    if (!n) return error(line_no, acol, fmt::format("neighbor {} has no remote-as yet (declare it first)", st.a.text));
    if (st.neighbor_kind == "passive") {
      n->passive = true;
    } else if (st.neighbor_kind == "holdtime") {
      if (st.number != 0 && (st.number < 3 || st.number > 65535))
        return error(line_no, static_cast<int>(line.rfind(std::to_string(st.number))) + 1,
                     fmt::format("hold time {} (0, or 3 to 65535 seconds)", st.number));
      n->hold_time = static_cast<std::uint16_t>(st.number);
    } else if (st.neighbor_kind == "maximum-prefix") {
      if (st.number == 0)
        return error(line_no, static_cast<int>(line.rfind(" 0")) + 2, "maximum-prefix 0 (at least 1; leave it out for no limit)");
      n->max_prefixes = st.number;
      n->max_prefix_warning_only = st.word == "warning-only";
      if (!st.duration.text.empty()) {
        auto d = parse_duration(st.duration.text);
        if (!d || *d < std::chrono::seconds(1))
          return error(line_no, column_of(line, st.duration.at),
                       fmt::format("\"{}\" is not a restart interval of at least 1s (e.g. 5m)", st.duration.text));
        n->max_prefix_restart = std::chrono::duration_cast<std::chrono::seconds>(*d);
      }
    } else if (st.neighbor_kind == "description") {
      n->description = st.b.text;
    } else if (st.neighbor_kind == "expressroute") {
      if (n->gateway != GatewayKind::None)
        return error(line_no, acol, fmt::format("neighbor {} already has a gateway role", st.a.text));
      n->gateway = GatewayKind::ExpressRoute;
      n->circuit = st.b.text;
      n->link = st.word == "secondary" ? Link::Secondary : Link::Primary;
      const std::string key = n->circuit + (n->link == Link::Primary ? "/primary" : "/secondary");
      if (auto [it, fresh] = links_.emplace(key, line_no); !fresh)
        return error(line_no, acol, fmt::format("circuit {} link {} is already taken (line {})", n->circuit, st.word, it->second));
    } else if (st.neighbor_kind == "vpn") {
      if (n->gateway != GatewayKind::None)
        return error(line_no, acol, fmt::format("neighbor {} already has a gateway role", st.a.text));
      if (st.number > 1)
        return error(line_no, static_cast<int>(line.rfind(std::to_string(st.number))) + 1,
                     fmt::format("VPN instance {} (a VPN gateway has instances 0 and 1)", st.number));
      n->gateway = GatewayKind::Vpn;
      n->vpn_instance = static_cast<int>(st.number);
    }
  }

  void validate() {
    Config& c = result_.config;
    if (c.local_as == 0 && result_.errors.empty()) error(1, 1, "no router bgp section");
    std::set<std::string> circuits;
    for (const auto& n : c.neighbors) {
      if (n.gateway == GatewayKind::ExpressRoute) circuits.insert(n.circuit);
      if (n.gateway == GatewayKind::None)
        error(n.pos.line, n.pos.column,
              fmt::format("neighbor {} has no gateway role (gateway expressroute ... or gateway vpn ...)",
                          wire::to_string(n.address)));
    }
    for (const auto& [circuit, pos] : weight_pos_)
      if (!circuits.count(circuit))
        error(pos.line, pos.column, fmt::format("connection-weight for unknown circuit \"{}\"", circuit));
  }

  std::string_view text_;
  ParseResult result_;
  Section section_ = Section::None;
  std::map<std::string, int> links_;
  std::map<std::string, SourcePos> weight_pos_;
};

}  // namespace

ParseResult parse_config(std::string_view text, const std::string& file) { return Parser(text, file).run(); }

ParseResult load_config(const std::string& path) {
  std::ifstream f(path);
  if (!f) {
    ParseResult r;
    r.errors.push_back({path, {0, 0}, "cannot open the configuration file"});
    return r;
  }
  std::ostringstream s;
  s << f.rdbuf();
  const std::string text = s.str();
  return parse_config(text, path);
}

}  // namespace bgpfa::config
