// Configuration grammar (Boost.Spirit X3), one statement per line, FRR style:
//   router bgp ASN / bgp router-id A / neighbor A remote-as ASN / neighbor A description TEXT /
//   neighbor A passive / neighbor A timers holdtime N / neighbor A timers KEEPALIVE HOLD /
//   neighbor A timers connect N / neighbor A maximum-prefix N [warning-only | restart DURATION] /
//   neighbor A bfd [interval MS] [multiplier N] /
//   neighbor A gateway expressroute circuit NAME link primary|secondary /
//   neighbor A gateway vpn instance 0|1 [site NAME] / neighbor A gateway vpn site NAME /
//   address-family ipv4|ipv6 [unicast] ... exit-address-family (only "neighbor A activate"
//   inside; ignored with a warning) / vpn-gateway / instance 0|1 bgp-address A /
//   site NAME static-prefix P... / site NAME vnet-to-vnet /
//   vnet NAME address-space P... [peering HUB [use-remote-gateway]] / analyzer /
//   routing-preference expressroute|vpn|as-path / route-server branch-to-branch /
//   connection-weight CIRCUIT N / quiet-period DURATION / er-sku standard|premium /
//   prefix-limits azure|off / azure-timers expressroute|vpn hold N [bfd MSxN] / history [events N] [episodes N] /
//   grpc / listen HOST:PORT / allow-remote / tls cert FILE key FILE / insecure / metrics / listen HOST:PORT /
//   allow-remote / capture DIR [rotate DURATION] [keep DURATION] / exit. Lines starting with ! or # are
//   comments; a "!" in the first column also ends the current section (an indented one, as FRR
//   writes inside router bgp and address-family blocks, does not). Known FRR statements bgpfa does not implement are named
//   as such: an error when honouring them would change what bgpfa does, else a warning.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <unordered_set>

#include <boost/spirit/home/x3.hpp>
#include <fmt/format.h>

#include "bgp/wire/text.hpp"

#include "app/config/model.hpp"

namespace bgpfa::config {

namespace x3 = boost::spirit::x3;

std::size_t AddressHash::operator()(const wire::IpAddress& a) const noexcept {
  std::size_t h = 14695981039346656037ull;  // FNV-1a
  for (const auto o : a.octets) h = (h ^ o) * 1099511628211ull;
  return h ^ static_cast<std::size_t>(a.afi);
}

const VpnSite* VpnGateway::site(const std::string& name) const {
  for (const auto& s : sites)
    if (s.name == name) return &s;
  return nullptr;
}

const Neighbor* Config::find(const wire::IpAddress& a) const {
  if (const auto it = index.find(a); it != index.end() && it->second < neighbors.size() &&
                                     neighbors[it->second].address == a)
    return &neighbors[it->second];
  for (const auto& n : neighbors)
    if (n.address == a) return &n;
  return nullptr;
}

std::string ConfigError::to_string() const {
  const char* level = warning ? "warning" : "error";
  if (pos.line <= 0) return fmt::format("{}: {}: {}", file, level, message);
  return fmt::format("{}:{}:{}: {}: {}", file, pos.line, pos.column, level, message);
}

std::vector<std::string> ParseResult::lines() const {
  std::vector<const ConfigError*> all;
  for (const auto& e : errors) all.push_back(&e);
  for (const auto& w : warnings) all.push_back(&w);
  std::stable_sort(all.begin(), all.end(), [](const ConfigError* a, const ConfigError* b) {
    return a->pos.line != b->pos.line ? a->pos.line < b->pos.line : a->pos.column < b->pos.column;
  });
  std::vector<std::string> out;
  out.reserve(all.size() + 2);
  for (const auto* e : all) out.push_back(e->to_string());
  if (more_errors) out.push_back(fmt::format("... and {} more error{}", more_errors, more_errors == 1 ? "" : "s"));
  if (more_warnings)
    out.push_back(fmt::format("... and {} more warning{}", more_warnings, more_warnings == 1 ? "" : "s"));
  return out;
}

namespace {

using It = std::string_view::const_iterator;

// File text in a message: quoted, control bytes and bytes that are not UTF-8 as \xNN (so a config
// cannot put escape sequences on the terminal or forge lines), at most 80 bytes of it.
std::string quote_text(std::string_view s) { return wire::quote_text(s, 80); }

// A name from the file (a site, a VNet) as it is when printable, else quoted and escaped.
std::string name_text(std::string_view s) {
  const bool plain = !s.empty() && s.size() <= 80 &&
                     std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f && c != '"'; });
  return plain ? std::string(s) : quote_text(s);
}

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
  enum Kind { RouterBgp, Analyzer, Grpc, Capture, Exit, RouterId, Neighbor, AddressFamily, Activate, ExitAf,
              RoutingPref, ConnWeight, QuietPeriod, ErSku, PrefixLimits, Listen, VpnGatewaySection, InstanceAddress, Site, Vnet,
              RouteServer, AllowRemote, Tls, Insecure, AzureTimers, Metrics, History } kind{};
  std::uint32_t number = 0, number2 = 0;
  It number_at{}, number2_at{};
  Token a, b;  // address/name tokens
  Token c;     // site name (neighbor gateway vpn, vpn-gateway site), hub name (vnet ... peering)
  Token d;     // use-remote-gateway (where it was written)
  Token role;  // expressroute | vpn after "gateway"; the routing-preference value
  std::vector<Token> list;  // prefixes: static-prefix, address-space
  bool instance_given = false;
  bool interval_given = false, multiplier_given = false;  // neighbor A bfd [interval N] [multiplier M]
  bool events_given = false, episodes_given = false;      // history [events N] [episodes M]
  std::string neighbor_kind;  // remote-as | description | expressroute | vpn | holdtime | ...
  std::string word;           // link / preference / sku / family
  Token duration, rotate, keep;
  Token bfd;  // azure-timers ... bfd 300x3
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
  else if (unit == "d") per = 86'400'000'000ull;  // capture retention: "keep 7d"
  else return std::nullopt;
  constexpr std::uint64_t kYear = 366ull * 24 * 3'600'000'000ull;
  if (n > kYear / per) return std::nullopt;  // also keeps the product from overflowing
  return std::chrono::microseconds(static_cast<std::int64_t>(n * per));
}

using wire::parse_address;

// Known FRR statements that bgpfa does not implement. `*` stands for any one word (an address, a
// name). An error when ignoring the statement would make bgpfa behave otherwise than the operator
// means (sessions, policy, path selection, routes), a warning when it changes nothing here.
enum class Block : std::uint8_t { None, Section, AddressFamily };  // a block whose lines are skipped
struct Frr {
  std::string_view pattern;
  bool error;
  std::string_view why;
  Block block = Block::None;
};

// Inside router bgp (older configurations also put the address-family statements there).
constexpr Frr kRouterFrr[] = {
    {"neighbor * password", true, "TCP MD5 signatures, RFC 2385: a peer that requires one drops bgpfa's connections"},
    {"neighbor * ebgp-multihop", false, "ignored: bgpfa does not limit the TTL, so a peer further away connects anyway"},
    {"neighbor * ttl-security", true, "GTSM, RFC 5082: bgpfa does not check the TTL of received packets"},
    {"neighbor * update-source", true, "bgpfa dials from the address the system chooses"},
    {"neighbor * peer-group", true, "peer groups: write each neighbour's statements out"},
    {"neighbor * remote-as internal", true, "give the neighbour's AS number"},
    {"neighbor * remote-as external", true, "give the neighbour's AS number"},
    {"neighbor * local-as", true, "bgpfa speaks as the router bgp AS only"},
    {"neighbor * shutdown", true, "leave the neighbour out instead"},
    {"neighbor * interface", true, "give the neighbour's address"},
    {"neighbor * port", true, "bgpfa serve --port sets the port for every neighbour"},
    {"neighbor * capability", true, "bgpfa's capabilities are fixed"},
    {"neighbor * dont-capability-negotiate", true, "bgpfa always sends its capabilities"},
    {"neighbor * override-capability", true, "bgpfa's capabilities are fixed"},
    {"neighbor * strict-capability-match", true, "bgpfa's capabilities are fixed"},
    {"neighbor * enforce-first-as", true, "bgpfa does not check the first AS of the path"},
    {"neighbor * timers delayopen", true, "bgpfa sends its OPEN at once"},
    {"neighbor * advertisement-interval", false, "ignored: bgpfa advertises no routes"},
    {"neighbor * disable-connected-check", false, "ignored: bgpfa does not check that a peer is directly connected"},
    {"neighbor * solo", false, "ignored: bgpfa advertises no routes"},
    {"neighbor * activate", false, "ignored: bgpfa offers IPv4 and IPv6 unicast to every neighbour"},
    {"bgp log-neighbor-changes", false, "ignored: bgpfa always logs session changes"},
    {"no bgp ebgp-requires-policy", false, "ignored: bgpfa accepts every route and advertises none"},
    {"bgp ebgp-requires-policy", true, "bgpfa applies no policy: it accepts every route"},
    {"bgp bestpath", true, "bgpfa selects paths as the Azure gateways do; see analyzer routing-preference"},
    {"bgp deterministic-med", true, "bgpfa selects paths as the Azure gateways do"},
    {"bgp always-compare-med", true, "bgpfa selects paths as the Azure gateways do"},
    {"bgp default local-preference", true, "bgpfa selects paths as the Azure gateways do"},
    {"bgp default", false, "ignored: bgpfa offers IPv4 and IPv6 unicast to every neighbour"},
    {"no bgp default", false, "ignored: bgpfa offers IPv4 and IPv6 unicast to every neighbour"},
    {"timers bgp", true, "set them per neighbour: neighbor ADDRESS timers KEEPALIVE HOLD"},
    {"bgp graceful-restart restart-time", true, "bgpfa advertises a restart time of 120 s"},
    {"bgp graceful-restart stalepath-time", true, "bgpfa keeps stale routes for the peer's advertised restart time"},
    {"bgp graceful-restart", false, "ignored: bgpfa always takes part in graceful restart as the receiving speaker"},
    {"bgp cluster-id", true, "bgpfa does not reflect routes"},
    {"bgp confederation", true, "confederations are not modelled"},
    {"bgp fast-external-failover", true, "bgpfa detects failures by the hold timer, not by interface state"},
    {"no bgp fast-external-failover", false, "ignored: bgpfa never resets a session on interface state"},
    {"bgp network import-check", false, "ignored: bgpfa originates no routes"},
    {"no bgp network import-check", false, "ignored: bgpfa originates no routes"},
    {"bgp suppress-fib-pending", false, "ignored: bgpfa installs no routes"},
    {"no auto-summary", false, "ignored: bgpfa originates no routes"},
    {"no synchronization", false, "ignored: synchronization does not exist here"},
    {"address-family ipv4 multicast", true, "bgpfa negotiates unicast only", Block::AddressFamily},
    {"address-family ipv6 multicast", true, "bgpfa negotiates unicast only", Block::AddressFamily},
    {"address-family ipv4 vpn", true, "bgpfa negotiates unicast only", Block::AddressFamily},
    {"address-family ipv6 vpn", true, "bgpfa negotiates unicast only", Block::AddressFamily},
    {"address-family ipv4 labeled-unicast", true, "bgpfa negotiates unicast only", Block::AddressFamily},
    {"address-family ipv6 labeled-unicast", true, "bgpfa negotiates unicast only", Block::AddressFamily},
    {"address-family ipv4 flowspec", true, "bgpfa negotiates unicast only", Block::AddressFamily},
    {"address-family ipv6 flowspec", true, "bgpfa negotiates unicast only", Block::AddressFamily},
    {"address-family l2vpn", true, "bgpfa negotiates unicast only", Block::AddressFamily},
};

// Inside address-family ipv4|ipv6 unicast (and, from older configurations, router bgp).
constexpr Frr kFamilyFrr[] = {
    {"no neighbor * activate", true, "bgpfa offers IPv4 and IPv6 unicast to every neighbour"},
    {"neighbor * route-map", true, "bgpfa applies no policy: it sees every route as received"},
    {"neighbor * prefix-list", true, "bgpfa applies no policy: it sees every route as received"},
    {"neighbor * filter-list", true, "bgpfa applies no policy: it sees every route as received"},
    {"neighbor * distribute-list", true, "bgpfa applies no policy: it sees every route as received"},
    {"neighbor * unsuppress-map", true, "bgpfa applies no policy"},
    {"neighbor * allowas-in", true, "bgpfa applies no policy"},
    {"neighbor * weight", true, "bgpfa selects paths as the Azure gateways do; see analyzer connection-weight"},
    {"neighbor * maximum-prefix", true, "write neighbor ADDRESS maximum-prefix N directly under router bgp"},
    {"neighbor * default-originate", true, "bgpfa originates no routes"},
    {"neighbor * route-reflector-client", true, "bgpfa does not reflect routes"},
    {"neighbor * route-server-client", true, "bgpfa is not a route server"},
    {"neighbor * remove-private-AS", true, "bgpfa advertises no routes"},
    {"neighbor * as-override", true, "bgpfa advertises no routes"},
    {"neighbor * attribute-unchanged", true, "bgpfa advertises no routes"},
    {"neighbor * next-hop-self", false, "ignored: bgpfa advertises no routes"},
    {"neighbor * send-community", false, "ignored: bgpfa advertises no routes"},
    {"neighbor * soft-reconfiguration", false, "ignored: bgpfa keeps every route it receives"},
    {"neighbor * addpath-tx-all-paths", false, "ignored: bgpfa advertises no routes"},
    {"neighbor * addpath-tx-bestpath-per-AS", false, "ignored: bgpfa advertises no routes"},
    {"network", true, "bgpfa originates no routes"},
    {"redistribute", true, "bgpfa originates no routes"},
    {"aggregate-address", true, "bgpfa originates no routes"},
    {"maximum-paths", true, "bgpfa selects paths as the Azure gateways do"},
    {"distance", true, "bgpfa installs no routes"},
    {"table-map", true, "bgpfa installs no routes"},
};

// Outside any section (and ending one when not indented).
constexpr Frr kTopFrr[] = {
    {"frr version", false, "ignored"},
    {"frr defaults", false, "ignored"},
    {"hostname", false, "ignored"},
    {"log", false, "ignored: bgpfa logs to stderr"},
    {"service", false, "ignored"},
    {"password", false, "ignored: bgpfa has no vty"},
    {"enable password", false, "ignored: bgpfa has no vty"},
    {"debug", false, "ignored"},
    {"end", false, "ignored"},
    {"agentx", false, "ignored"},
    {"line vty", false, "ignored: bgpfa has no vty", Block::Section},
    {"ip prefix-list", false, "ignored: bgpfa applies no policy"},
    {"ipv6 prefix-list", false, "ignored: bgpfa applies no policy"},
    {"bgp as-path access-list", false, "ignored: bgpfa applies no policy"},
    {"bgp community-list", false, "ignored: bgpfa applies no policy"},
    {"bgp large-community-list", false, "ignored: bgpfa applies no policy"},
    {"bgp extcommunity-list", false, "ignored: bgpfa applies no policy"},
    {"access-list", false, "ignored: bgpfa applies no policy"},
    {"route-map", false, "ignored: bgpfa applies no policy", Block::Section},
    {"interface", false, "ignored: configure the host's interfaces outside bgpfa", Block::Section},
    {"ip forwarding", false, "ignored: bgpfa forwards nothing"},
    {"ipv6 forwarding", false, "ignored: bgpfa forwards nothing"},
    {"ip route", true, "bgpfa installs no routes: configure static routes on the host", Block::None},
    {"ipv6 route", true, "bgpfa installs no routes: configure static routes on the host", Block::None},
    {"vrf", true, "VRFs are not modelled", Block::Section},
    {"router bgp * vrf", true, "VRFs are not modelled", Block::Section},
    {"bfd", true, "write neighbor ADDRESS bfd [interval MS] [multiplier N] under router bgp instead", Block::Section},
    {"router ospf", true, "bgpfa speaks BGP only", Block::Section},
    {"router ospf6", true, "bgpfa speaks BGP only", Block::Section},
    {"router isis", true, "bgpfa speaks BGP only", Block::Section},
    {"router rip", true, "bgpfa speaks BGP only", Block::Section},
    {"router ripng", true, "bgpfa speaks BGP only", Block::Section},
    {"router openfabric", true, "bgpfa speaks BGP only", Block::Section},
    {"router eigrp", true, "bgpfa speaks BGP only", Block::Section},
};

struct Word {
  std::string_view text;
  std::size_t at;
};

std::vector<Word> words(std::string_view line, std::size_t max) {
  std::vector<Word> out;
  std::size_t i = 0;
  while (out.size() < max) {
    i = line.find_first_not_of(" \t", i);
    if (i == std::string_view::npos) break;
    const std::size_t e = std::min(line.find_first_of(" \t", i), line.size());
    out.push_back({line.substr(i, e - i), i});
    i = e;
  }
  return out;
}

class Parser {
 public:
  Parser(std::string_view text, const std::string& file) : text_(text) { result_.config.file = file; }

  ParseResult run() {
    // A UTF-8 byte order mark (some editors write one) is not part of the first statement.
    if (text_.substr(0, 3) == "\xef\xbb\xbf") text_.remove_prefix(3);
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
    errors_.finish(result_.errors, result_.more_errors);
    warnings_.finish(result_.warnings, result_.more_warnings);
    return std::move(result_);
  }

 private:
  enum class Section { None, Router, AddressFamily, Analyzer, Grpc, Metrics, VpnGateway, Skipped, SkippedFamily };

  // Keeps the first kMaxMessages by position of any number added, in bounded memory (a file of
  // garbage has an error on each of its lines).
  class Bounded {
   public:
    void add(ConfigError e) {
      list_.push_back(std::move(e));
      if (list_.size() >= 4 * kMaxMessages) prune();
    }
    void finish(std::vector<ConfigError>& out, std::size_t& more) {
      prune();
      out = std::move(list_);
      more = dropped_;
    }

   private:
    void prune() {
      std::stable_sort(list_.begin(), list_.end(), [](const ConfigError& a, const ConfigError& b) {
        return a.pos.line != b.pos.line ? a.pos.line < b.pos.line : a.pos.column < b.pos.column;
      });
      if (list_.size() > kMaxMessages) {
        dropped_ += list_.size() - kMaxMessages;
        list_.resize(kMaxMessages);
      }
    }
    std::vector<ConfigError> list_;
    std::size_t dropped_ = 0;
  };

  void error(int line, int column, std::string msg) {
    errors_.add({result_.config.file, {line, column}, std::move(msg), false});
    ++error_count_;
  }
  void warning(int line, int column, std::string msg) {
    warnings_.add({result_.config.file, {line, column}, std::move(msg), true});
  }
  // An error about a neighbour: its later "no remote-as yet" and "no gateway role" would only be
  // consequences of this one.
  void neighbor_error(const std::string& address, int line, int column, std::string msg) {
    if (auto a = parse_address(address)) erred_.insert(*a);
    error(line, column, std::move(msg));
  }
  int column_of(std::string_view line, It at) const { return static_cast<int>(at - line.begin()) + 1; }

  void statement(std::string_view line, int line_no) {
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos) return;
    if (line[first] == '!' || line[first] == '#') {
      if (first == 0 && line[0] == '!' && line.find_first_not_of("! \t") == std::string_view::npos)
        section_ = Section::None;
      return;
    }
    // The lines of a block bgpfa does not implement (reported once, at its first line).
    if (section_ == Section::Skipped) {
      if (first > 0) return;
      section_ = Section::None;
    } else if (section_ == Section::SkippedFamily) {
      const auto w = words(line, 1);
      if (w[0].text == "exit-address-family" || w[0].text == "exit") {
        section_ = Section::Router;
        return;
      }
      if (first > 0) return;
      section_ = Section::None;
    }
    // A trailing "! ..." or "# ..." after a blank is a comment; a description is free text to the end.
    if (const auto w = words(line, 3); !(w.size() == 3 && w[0].text == "neighbor" && w[2].text == "description"))
      for (std::size_t i = first + 1; i < line.size(); ++i)
        if ((line[i] == '!' || line[i] == '#') && (line[i - 1] == ' ' || line[i - 1] == '\t')) {
          line = line.substr(0, i);
          break;
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
    auto num2 = [](auto& ctx) { x3::get<Statement>(ctx).get().number2 = x3::_attr(ctx); };
    // Where a number starts (an empty raw[] range there; X3 1.74's _where is the text after a match).
    auto at = [](It Statement::*f) { return [f](auto& ctx) { x3::get<Statement>(ctx).get().*f = x3::_attr(ctx).begin(); }; };
    auto nkind = [](const char* k) { return [k](auto& ctx) { x3::get<Statement>(ctx).get().neighbor_kind = k; }; };
    auto word_is = [](const char* w) { return [w](auto& ctx) { x3::get<Statement>(ctx).get().word = w; }; };
    auto push = [](auto& ctx) {
      const auto& r = x3::_attr(ctx);
      x3::get<Statement>(ctx).get().list.push_back({std::string(r.begin(), r.end()), r.begin()});
    };
    auto given = [](auto& ctx) { x3::get<Statement>(ctx).get().instance_given = true; };
    auto interval_given = [](auto& ctx) { x3::get<Statement>(ctx).get().interval_given = true; };
    auto multiplier_given = [](auto& ctx) { x3::get<Statement>(ctx).get().multiplier_given = true; };

    // Every operand of `>` is a rule named in words with its action inside: X3 names what was
    // expected by the rule's name, and by a C++ type name for anything else (an action, a
    // sequence, an alternative).
    using Range = boost::iterator_range<It>;
    using U = x3::unused_type;
    const auto word = x3::raw[x3::lexeme[+x3::graph]];
    const auto neighbor_address = x3::rule<class na_, U>{"an IPv4 or IPv6 address"} = word[tok(&Statement::a)];
    const auto router_id = x3::rule<class ri_, U>{"an IPv4 address (the BGP Identifier)"} = word[tok(&Statement::a)];
    const auto directory = x3::rule<class dir_, U>{"a directory"} = word[tok(&Statement::a)];
    const auto listen_address = x3::rule<class la_, U>{"an address such as 127.0.0.1:50051"} = word[tok(&Statement::a)];
    const auto circuit = x3::rule<class ci_, U>{"a circuit name"} = word[tok(&Statement::b)];
    const auto description = x3::rule<class de_, Range>{"a description"} = x3::raw[x3::lexeme[+x3::char_]];
    const auto description_text = x3::rule<class dt_, U>{"a description"} = description[tok(&Statement::b)];
    const auto quiet = x3::rule<class qp_, U>{"a duration such as 5s or 500ms"} = word[tok(&Statement::duration)];
    const auto restart = x3::rule<class rs_, U>{"a restart interval such as 5m"} = word[tok(&Statement::duration)];
    const auto rotate = x3::rule<class ro_, U>{"a rotation interval such as 15m"} = word[tok(&Statement::rotate)];
    // Numbers are whole words ("9x" is not 9 followed by "x").
    const auto n1 = x3::lexeme[x3::raw[x3::eps][at(&Statement::number_at)] >> x3::uint32[num] >> !x3::graph];
    const auto n2 = x3::lexeme[x3::raw[x3::eps][at(&Statement::number2_at)] >> x3::uint32[num2] >> !x3::graph];
    const auto asn = x3::rule<class asn_, U>{"an AS number"} = n1;
    const auto weight = x3::rule<class weight_, U>{"a weight 0-32000"} = n1;
    const auto instance = x3::rule<class instance_, U>{"a VPN instance (0 or 1)"} = n1;
    const auto hold = x3::rule<class hold_, U>{"a hold time in seconds (0, or 3 to 65535)"} = n1;
    const auto keepalive = x3::rule<class ka_, U>{"a keepalive interval in seconds"} = n1;
    const auto hold2 = x3::rule<class hold2_, U>{"a hold time in seconds (0, or 3 to 65535)"} = n2;
    const auto connect = x3::rule<class connect_, U>{"a connect retry interval in seconds"} = n1;
    const auto limit = x3::rule<class limit_, U>{"a number of prefixes"} = n1;
    const auto end_of_line = &x3::eoi;
    const auto bfd_interval = x3::rule<class bfdi_, U>{"a BFD interval in milliseconds"} = n1;
    const auto bfd_multiplier = x3::rule<class bfdm_, U>{"a BFD detect multiplier (1 to 255)"} = n2;
    const auto bfd_multiplier_option = x3::rule<class bfdmo_, U>{"multiplier or end of line"} =
        (kw("multiplier")[multiplier_given] > bfd_multiplier) | end_of_line;
    const auto bfd_option = x3::rule<class bfdo_, U>{"interval, multiplier or end of line"} =
        (kw("interval")[interval_given] > bfd_interval > bfd_multiplier_option) |
        (kw("multiplier")[multiplier_given] > bfd_multiplier) | end_of_line;
    const auto link = x3::rule<class link_, U>{"primary or secondary"} =
        kw("primary")[word_is("primary")] | kw("secondary")[word_is("secondary")];
    const auto preference = x3::rule<class pref_, U>{"expressroute, vpn or as-path"} =
        x3::raw[kw("expressroute")[word_is("expressroute")] | kw("vpn")[word_is("vpn")] |
                kw("as-path")[word_is("as-path")]][tok(&Statement::role)];
    const auto sku = x3::rule<class sku_, U>{"standard or premium"} =
        kw("standard")[word_is("standard")] | kw("premium")[word_is("premium")];
    const auto limits_mode = x3::rule<class lm_, U>{"azure or off"} = kw("azure")[word_is("azure")] | kw("off")[word_is("off")];
    const auto max_prefix_option = x3::rule<class mpo_, U>{"warning-only, restart or end of line"} =
        kw("warning-only")[word_is("warning-only")] | (kw("restart") > restart) | end_of_line;
    const auto keep = x3::rule<class ke_, U>{"a retention time such as 7d"} = word[tok(&Statement::keep)];
    const auto keep_option = x3::rule<class ko_, U>{"keep or end of line"} = (kw("keep") > keep) | end_of_line;
    const auto capture_option = x3::rule<class co_, U>{"rotate, keep or end of line"} =
        (kw("rotate") > rotate > keep_option) | (kw("keep") > keep) | end_of_line;
    const auto timers = x3::rule<class timers_, U>{"holdtime, connect or a keepalive interval in seconds"} =
        (kw("holdtime")[nkind("holdtime")] > hold) | (kw("connect")[nkind("connect")] > connect) |
        (keepalive[nkind("keepalive-hold")] > hold2);
    const auto site_name = x3::rule<class sn_, U>{"a site name"} = word[tok(&Statement::c)];
    const auto vpn_site_option = x3::rule<class vso_, U>{"site or end of line"} = (kw("site") > site_name) | end_of_line;
    // `gateway vpn site NAME` without an instance: the session's gateway-side address decides.
    const auto vpn_target = x3::rule<class vt_, U>{"instance or site"} =
        (kw("instance")[given] > instance > vpn_site_option) | (kw("site") > site_name);
    const auto gateway = x3::rule<class gw_, U>{"expressroute or vpn"} =
        (x3::raw[kw("expressroute")[nkind("expressroute")]][tok(&Statement::role)] > kw("circuit") > circuit >
         kw("link") > link) |
        (x3::raw[kw("vpn")[nkind("vpn")]][tok(&Statement::role)] > vpn_target);
    const auto neighbor_tail = x3::rule<class ntail_, U>{
        "remote-as, description, gateway, passive, timers, maximum-prefix or bfd"} =
        (kw("remote-as")[nkind("remote-as")] > asn) | kw("passive")[nkind("passive")] |
        (kw("bfd")[nkind("bfd")] > bfd_option) |
        (kw("maximum-prefix")[nkind("maximum-prefix")] > limit > max_prefix_option) | (kw("timers") > timers) |
        (kw("description")[nkind("description")] > description_text) | (kw("gateway") > gateway);
    const auto safi = x3::rule<class safi_, U>{"unicast or end of line"} = kw("unicast") | end_of_line;
    const auto family = x3::rule<class fam_, U>{"ipv4 or ipv6"} =
        (kw("ipv4")[word_is("ipv4")] | kw("ipv6")[word_is("ipv6")]) > safi;
    // vnet NAME address-space P... [peering HUB [use-remote-gateway]]: the prefixes run up to a keyword.
    const auto vnet_keyword = kw("peering") | kw("use-remote-gateway");
    const auto vnet_name = x3::rule<class vn_, U>{"a VNet name"} = word[tok(&Statement::a)];
    const auto hub_name = x3::rule<class hn_, U>{"the hub VNet's name"} = !kw("use-remote-gateway") >> word[tok(&Statement::c)];
    const auto space_prefix = x3::rule<class sp_, U>{"an address prefix such as 10.1.0.0/16"} = !vnet_keyword >> word[push];
    const auto address_space = x3::rule<class as_, U>{"an address prefix such as 10.1.0.0/16"} = space_prefix >> *space_prefix;
    const auto remote_gateway = x3::raw[kw("use-remote-gateway")][tok(&Statement::d)];
    const auto transit_option = x3::rule<class to_, U>{"use-remote-gateway or end of line"} = remote_gateway | end_of_line;
    const auto vnet_tail = x3::rule<class vtl_, U>{"an address prefix, peering, use-remote-gateway or end of line"} =
        (kw("peering") > hub_name > transit_option) | remote_gateway | end_of_line;
    const auto top = x3::rule<class top_, U>{"router bgp, analyzer, vpn-gateway, vnet, grpc, metrics or capture"} =
        (kw("router") > kw("bgp") > asn)[kind(Statement::RouterBgp)] | kw("analyzer")[kind(Statement::Analyzer)] |
        kw("vpn-gateway")[kind(Statement::VpnGatewaySection)] |
        (kw("vnet") > vnet_name > kw("address-space") > address_space > vnet_tail)[kind(Statement::Vnet)] |
        kw("grpc")[kind(Statement::Grpc)] | kw("metrics")[kind(Statement::Metrics)] | (kw("capture") > directory > capture_option)[kind(Statement::Capture)] |
        kw("exit")[kind(Statement::Exit)];
    const auto router = x3::rule<class router_, U>{"neighbor, bgp router-id or address-family"} =
        (kw("bgp") > kw("router-id") > router_id)[kind(Statement::RouterId)] |
        (kw("neighbor") > neighbor_address > neighbor_tail)[kind(Statement::Neighbor)] |
        (kw("address-family") > family)[kind(Statement::AddressFamily)];
    const auto address_family = x3::rule<class af_, U>{"neighbor ADDRESS activate or exit-address-family"} =
        (kw("neighbor") > neighbor_address > kw("activate"))[kind(Statement::Activate)] |
        kw("exit-address-family")[kind(Statement::ExitAf)];
    const auto azure_gateway = x3::rule<class ag_, U>{"expressroute or vpn"} =
        x3::raw[kw("expressroute") | kw("vpn")][tok(&Statement::role)];
    const auto azure_hold = x3::rule<class ah_, U>{"a hold time in seconds (3 to 65535)"} = n1;
    const auto azure_bfd = x3::rule<class ab_, U>{"BFD timers such as 300x3 (interval in ms x multiplier)"} =
        word[tok(&Statement::bfd)];
    const auto azure_bfd_option = x3::rule<class abo_, U>{"bfd or end of line"} = (kw("bfd") > azure_bfd) | end_of_line;
    auto events_given = [](auto& ctx) { x3::get<Statement>(ctx).get().events_given = true; };
    auto episodes_given = [](auto& ctx) { x3::get<Statement>(ctx).get().episodes_given = true; };
    const auto history_events = x3::rule<class hev_, U>{"a number of changes"} = n1;
    const auto history_episodes = x3::rule<class hep_, U>{"a number of episodes"} = n2;
    const auto history_part = x3::rule<class hpa_, U>{"events N or episodes N"} =
        (kw("events")[events_given] > history_events) | (kw("episodes")[episodes_given] > history_episodes);
    const auto history_rest = x3::rule<class hre_, U>{"events N, episodes N or end of line"} = history_part | end_of_line;
    const auto analyzer = x3::rule<class analyzer_, U>{
        "routing-preference, route-server, connection-weight, quiet-period, er-sku, prefix-limits, azure-timers or history"} =
        (kw("routing-preference") > preference)[kind(Statement::RoutingPref)] |
        (kw("route-server") > kw("branch-to-branch"))[kind(Statement::RouteServer)] |
        (kw("connection-weight") > circuit > weight)[kind(Statement::ConnWeight)] |
        (kw("quiet-period") > quiet)[kind(Statement::QuietPeriod)] | (kw("er-sku") > sku)[kind(Statement::ErSku)] |
        (kw("prefix-limits") > limits_mode)[kind(Statement::PrefixLimits)] |
        (kw("azure-timers") > azure_gateway > kw("hold") > azure_hold > azure_bfd_option)[kind(Statement::AzureTimers)] |
        (kw("history") > history_part > history_rest)[kind(Statement::History)];
    const auto tls_file = x3::rule<class tf_, U>{"a file"} = word[tok(&Statement::a)];
    const auto tls_key = x3::rule<class tk_, U>{"a file"} = word[tok(&Statement::b)];
    const auto grpc = x3::rule<class grpc_, U>{"listen, allow-remote, tls or insecure"} =
        (kw("listen") > listen_address)[kind(Statement::Listen)] | kw("allow-remote")[kind(Statement::AllowRemote)] |
        (kw("tls") > kw("cert") > tls_file > kw("key") > tls_key)[kind(Statement::Tls)] |
        kw("insecure")[kind(Statement::Insecure)];
    const auto metrics = x3::rule<class metrics_, U>{"listen or allow-remote"} =
        (kw("listen") > listen_address)[kind(Statement::Listen)] | kw("allow-remote")[kind(Statement::AllowRemote)];
    const auto instance_address = x3::rule<class ia_, U>{"an IPv4 or IPv6 address (the instance's BGP address)"} =
        word[tok(&Statement::a)];
    const auto static_prefix = x3::rule<class stp_, U>{"an address prefix such as 10.70.0.0/16"} = word[push];
    const auto static_prefixes = x3::rule<class stps_, U>{"an address prefix such as 10.70.0.0/16"} =
        static_prefix >> *static_prefix;
    const auto site_kind = x3::rule<class sk_, U>{"static-prefix or vnet-to-vnet"} =
        (kw("static-prefix") > static_prefixes) | kw("vnet-to-vnet")[word_is("vnet-to-vnet")];
    const auto vpn_gateway = x3::rule<class vg_, U>{"instance or site"} =
        (kw("instance") > instance > kw("bgp-address") > instance_address)[kind(Statement::InstanceAddress)] |
        (kw("site") > site_name > site_kind)[kind(Statement::Site)];

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
        case Section::AddressFamily: ok = run(address_family); break;
        case Section::Analyzer: ok = run(analyzer); break;
        case Section::Grpc: ok = run(grpc); break;
        case Section::Metrics: ok = run(metrics); break;
        case Section::VpnGateway: ok = run(vpn_gateway); break;
        case Section::None:
        case Section::Skipped:
        case Section::SkippedFamily:
          ok = x3::phrase_parse(it, end, x3::with<Statement>(ref)[top > x3::eoi], x3::blank);
          break;
      }
    } catch (const x3::expectation_failure<It>& e) {
      auto where = e.where();
      while (where != end && (*where == ' ' || *where == '\t')) ++where;
      const auto at = static_cast<std::size_t>(where - line.begin());
      if (unsupported(line, line_no, at)) return;
      const auto found = where == end ? std::string("end of line")
                                      : quote_text(std::string_view(&*where, static_cast<std::size_t>(
                                                                             std::find_if(where, end, [](char c) {
                                                                               return c == ' ' || c == '\t';
                                                                             }) - where)));
      const std::string message =
          fmt::format("expected {}, found {}", e.which() == "eoi" ? "end of line" : quote_keyword(e.which()), found);
      const auto w = words(line, 2);
      // A broken vnet or instance line: what names it (a peering, an instance-less neighbour) is
      // wrong only as a consequence.
      if (w[0].text == "vnet" && w.size() > 1) vnet_erred_.insert(std::string(w[1].text));
      if (section_ == Section::VpnGateway && w[0].text == "instance") instance_error_ = true;
      if (w[0].text == "neighbor" && w.size() > 1) {
        neighbor_error(std::string(w[1].text), line_no, column_of(line, where), message);
        if (st.neighbor_kind == "expressroute") gateway_error_ = true;
      } else {
        error(line_no, column_of(line, where), message);
      }
      // A section's opening line with a mistake still opens it: its statements are not each wrong.
      if (w[0].text == "router" && w.size() > 1 && w[1].text == "bgp") {
        section_ = Section::Router;
        if (!router_line_) router_line_ = line_no;
      } else if (w[0].text == "analyzer") {
        section_ = Section::Analyzer;
      } else if (w[0].text == "grpc") {
        section_ = Section::Grpc;
      } else if (w[0].text == "metrics") {
        section_ = Section::Metrics;
      } else if (w[0].text == "vpn-gateway") {
        section_ = Section::VpnGateway;
      }
      return;
    }
    if (!ok) {
      if (unsupported(line, line_no, first)) return;
      const char* expected =
          section_ == Section::Router          ? "neighbor, bgp router-id, address-family or a new section"
          : section_ == Section::AddressFamily ? "neighbor ADDRESS activate, exit-address-family or a new section"
          : section_ == Section::Analyzer      ? "routing-preference, route-server, connection-weight, quiet-period, er-sku, prefix-limits, azure-timers, history or a new section"
          : section_ == Section::Grpc          ? "listen, allow-remote, tls, insecure or a new section"
          : section_ == Section::Metrics       ? "listen, allow-remote or a new section"
          : section_ == Section::VpnGateway    ? "instance, site or a new section"
                                               : "router bgp, analyzer, vpn-gateway, vnet, grpc, metrics or capture";
      const auto word_end = std::find_if(line.begin() + static_cast<std::ptrdiff_t>(first), end,
                                         [](char c) { return c == ' ' || c == '\t'; });
      error(line_no, static_cast<int>(first) + 1,
            fmt::format("unknown statement {}: expected {}",
                        quote_text(std::string_view(&line[first], static_cast<std::size_t>(word_end - line.begin()) - first)),
                        expected));
      return;
    }
    apply(st, line, line_no);
  }

  // A known FRR statement the grammar stopped at (the parse failed at or before the last word of
  // its pattern, so a bgpfa statement that merely starts the same way keeps its own message).
  bool unsupported(std::string_view line, int line_no, std::size_t fail_at) {
    const auto w = words(line, 6);
    auto try_table = [&](const auto& table) -> const Frr* {
      for (const Frr& f : table) {
        const auto p = words(f.pattern, 6);
        if (p.size() > w.size() || w[p.size() - 1].at < fail_at) continue;
        bool match = true;
        for (std::size_t i = 0; i < p.size() && match; ++i) match = p[i].text == "*" || p[i].text == w[i].text;
        if (match) return &f;
      }
      return nullptr;
    };
    const Frr* f = nullptr;
    if (section_ == Section::Router) f = try_table(kRouterFrr);
    if (!f && (section_ == Section::Router || section_ == Section::AddressFamily)) f = try_table(kFamilyFrr);
    if (!f) f = try_table(kTopFrr);
    if (!f) return false;
    const std::size_t n = words(f->pattern, 6).size();
    std::string statement;
    for (std::size_t i = 0; i < n; ++i) {
      const bool plain = std::all_of(w[i].text.begin(), w[i].text.end(), [](char c) { return c > 0x20 && c < 0x7f; });
      if (i) statement += ' ';
      statement += plain ? std::string(w[i].text) : quote_text(w[i].text);
    }
    const int column = static_cast<int>(w[0].at) + 1;
    const std::string message = fmt::format("not supported by bgpfa: {} ({})", statement, f->why);
    f->error ? error(line_no, column, message) : warning(line_no, column, message);
    // "neighbor NAME peer-group" declares a group: later statements naming it are consequences.
    if (f->pattern == "neighbor * peer-group" && words(line, 4).size() == 3) peer_groups_.insert(std::string(w[1].text));
    // "remote-as external" declares nothing: the neighbour's other statements would say so each.
    if (f->pattern.find("remote-as") != std::string_view::npos)
      if (auto a = parse_address(std::string(w[1].text))) erred_.insert(*a);
    if (f->block == Block::Section) section_ = Section::Skipped;
    if (f->block == Block::AddressFamily) section_ = Section::SkippedFamily;
    return true;
  }

  // azure-timers expressroute|vpn hold N [bfd MSxN]: the cloud side's real timers, for projections.
  void azure_timers(const Statement& st, std::string_view line, int line_no) {
    const bool vpn = st.role.text == "vpn";
    AzureTimers& t = result_.config.azure_timers[vpn ? 1 : 0];
    if (t.line)
      return error(line_no, column_of(line, st.role.at),
                   fmt::format("a second azure-timers {} (the first is at line {})", st.role.text, t.line));
    if (st.number < 3 || st.number > 65535)
      return error(line_no, column_of(line, st.number_at),
                   fmt::format("hold time {} s is outside 3-65535 (Azure's gateways keep a hold timer)", st.number));
    AzureTimers parsed;
    parsed.hold_s = st.number;
    if (!st.bfd.text.empty()) {
      // "300x3": the interval in milliseconds, x, the detect multiplier.
      const std::string& b = st.bfd.text;
      const auto x = b.find('x');
      auto number = [](std::string_view v, std::uint32_t& out) {
        if (v.empty() || v.size() > 6 || v.find_first_not_of("0123456789") != std::string_view::npos) return false;
        out = static_cast<std::uint32_t>(std::stoul(std::string(v)));
        return true;
      };
      std::uint32_t interval = 0, mult = 0;
      if (x == std::string::npos || !number(std::string_view(b).substr(0, x), interval) ||
          !number(std::string_view(b).substr(x + 1), mult))
        return error(line_no, column_of(line, st.bfd.at),
                     fmt::format("expected BFD timers such as 300x3 (interval in ms x multiplier), found {}", quote_text(b)));
      if (interval < 10 || interval > 60000)
        return error(line_no, column_of(line, st.bfd.at), fmt::format("BFD interval {} ms is outside 10-60000", interval));
      if (mult < 1 || mult > 255)
        return error(line_no, column_of(line, st.bfd.at) + static_cast<int>(x) + 1,
                     fmt::format("BFD multiplier {} is outside 1-255", mult));
      parsed.bfd_interval_ms = interval;
      parsed.bfd_multiplier = mult;
    }
    parsed.line = line_no;
    t = parsed;
  }

  void apply(const Statement& st, std::string_view line, int line_no) {
    Config& c = result_.config;
    auto col = [&](const Token& t) { return column_of(line, t.at); };
    switch (st.kind) {
      case Statement::RouterBgp:
        if (router_line_)
          error(line_no, static_cast<int>(line.find_first_not_of(" \t")) + 1,
                fmt::format("a second router bgp section (the first is at line {}; bgpfa models one router)", router_line_));
        else
          router_line_ = line_no;
        if (st.number == 0) error(line_no, column_of(line, st.number_at), "router bgp 0: AS 0 is reserved (RFC 7607)");
        if (!c.local_as) c.local_as = st.number;
        section_ = Section::Router;
        return;
      case Statement::Analyzer: section_ = Section::Analyzer; return;
      case Statement::Grpc: section_ = Section::Grpc; return;
      case Statement::Metrics:
        section_ = Section::Metrics;
        if (c.metrics_listen.empty()) c.metrics_listen = kDefaultMetricsListen;
        return;
      case Statement::Exit: section_ = section_ == Section::AddressFamily ? Section::Router : Section::None; return;
      case Statement::AddressFamily:
        section_ = Section::AddressFamily;
        warning(line_no, static_cast<int>(line.find_first_not_of(" \t")) + 1,
                fmt::format("address-family {} unicast block ignored: bgpfa offers IPv4 and IPv6 unicast to every "
                            "neighbour (inside it, only neighbor ADDRESS activate is accepted)",
                            st.word));
        return;
      case Statement::ExitAf: section_ = Section::Router; return;
      case Statement::Activate: {
        const auto a = parse_address(st.a.text);
        if (!a) {
          if (!peer_groups_.count(st.a.text))
            error(line_no, col(st.a), fmt::format("{} is not an IPv4 or IPv6 address", quote_text(st.a.text)));
          return;
        }
        if (!c.index.count(*a) && !erred_.count(*a))
          error(line_no, col(st.a),
                fmt::format("neighbor {} activate: no such neighbour (neighbor {} remote-as ASN comes first)",
                            wire::to_string(*a), wire::to_string(*a)));
        return;
      }
      case Statement::Capture:
        c.capture_dir = st.a.text;
        c.capture_pos = {line_no, col(st.a)};
        if (!st.rotate.text.empty()) {
          auto d = parse_duration(st.rotate.text);
          if (!d) return error(line_no, col(st.rotate), fmt::format("{} is not a duration (e.g. 15m)", quote_text(st.rotate.text)));
          c.capture_rotate = std::chrono::duration_cast<std::chrono::seconds>(*d);
        }
        if (!st.keep.text.empty()) {
          auto d = parse_duration(st.keep.text);
          if (!d) return error(line_no, col(st.keep), fmt::format("{} is not a duration (e.g. 7d)", quote_text(st.keep.text)));
          if (*d < std::chrono::seconds(1))
            return error(line_no, col(st.keep), fmt::format("keep {}: capture files must be kept at least 1s", st.keep.text));
          c.capture_keep = std::chrono::duration_cast<std::chrono::seconds>(*d);
        }
        return;
      case Statement::RouterId: {
        auto a = parse_address(st.a.text);
        if (!a || a->afi != wire::Afi::Ipv4)
          return error(line_no, col(st.a), fmt::format("{} is not an IPv4 address", quote_text(st.a.text)));
        if (router_id_line_)
          return error(line_no, col(st.a), fmt::format("a second bgp router-id (the first is at line {})", router_id_line_));
        router_id_line_ = line_no;
        if (a->v4_value() == 0)
          return error(line_no, col(st.a), "bgp router-id 0.0.0.0: the BGP Identifier must not be zero (RFC 6286)");
        c.router_id = a;
        return;
      }
      case Statement::Neighbor: return neighbor(st, line, line_no);
      case Statement::RoutingPref:
        preference_pos_ = {line_no, col(st.role)};
        c.routing_preference = st.word == "vpn"       ? RoutingPreference::Vpn
                               : st.word == "as-path" ? RoutingPreference::AsPath
                                                      : RoutingPreference::ExpressRoute;
        return;
      case Statement::ConnWeight:
        if (st.number > 32000)
          return error(line_no, column_of(line, st.number_at), fmt::format("connection weight {} is outside 0-32000", st.number));
        weight_pos_[st.b.text] = {line_no, col(st.b)};
        c.connection_weight[st.b.text] = static_cast<int>(st.number);
        return;
      case Statement::QuietPeriod: {
        auto d = parse_duration(st.duration.text);
        if (!d || d->count() == 0)
          return error(line_no, col(st.duration),
                       fmt::format("{} is not a positive duration (e.g. 5s, 500ms)", quote_text(st.duration.text)));
        c.quiet_period = *d;
        return;
      }
      case Statement::History:
        if (st.events_given && st.number == 0)
          return error(line_no, column_of(line, st.number_at), "history events must be at least 1");
        if (st.episodes_given && st.number2 == 0)
          return error(line_no, column_of(line, st.number2_at), "history episodes must be at least 1");
        if (st.events_given) c.history_events = st.number;
        if (st.episodes_given) c.history_episodes = st.number2;
        return;
      case Statement::ErSku: c.er_sku = st.word; return;
      case Statement::PrefixLimits: c.prefix_limits = st.word == "azure"; return;
      case Statement::AzureTimers: return azure_timers(st, line, line_no);
      case Statement::VpnGatewaySection: section_ = Section::VpnGateway; return;
      case Statement::RouteServer: c.route_server_branch_to_branch = true; return;
      case Statement::InstanceAddress: return instance_address(st, line, line_no);
      case Statement::Site: return site(st, line, line_no);
      case Statement::Vnet: return vnet(st, line, line_no);
      case Statement::Listen:
        if (section_ == Section::Metrics) {
          if (auto why = metrics_address_problem(st.a.text))
            return error(line_no, col(st.a), fmt::format("listen {}: {}", quote_text(st.a.text), *why));
          c.metrics_listen = st.a.text;
          return;
        }
        if (auto why = listen_address_problem(st.a.text))
          return error(line_no, col(st.a), fmt::format("listen {}: {}", quote_text(st.a.text), *why));
        c.grpc_listen = st.a.text;
        return;
      case Statement::AllowRemote: (section_ == Section::Metrics ? c.metrics_allow_remote : c.grpc_allow_remote) = true; return;
      case Statement::Tls:
        c.grpc_tls_cert = st.a.text;
        c.grpc_tls_key = st.b.text;
        return;
      case Statement::Insecure: c.grpc_insecure = true; return;
    }
  }

  // "hold time N": RFC 4271 4.2 allows 0 (no keepalives) or at least 3 seconds.
  bool hold_ok(std::uint32_t hold, It at, std::string_view line, int line_no, const std::string& address) {
    if (hold == 0 || (hold >= 3 && hold <= 65535)) return true;
    neighbor_error(address, line_no, column_of(line, at),
                   fmt::format("hold time {} s: RFC 4271 allows 0 (no keepalives) or 3 to 65535 seconds", hold));
    return false;
  }

  void neighbor(const Statement& st, std::string_view line, int line_no) {
    Config& c = result_.config;
    const int acol = column_of(line, st.a.at);
    auto addr = parse_address(st.a.text);
    if (!addr) {
      if (!peer_groups_.count(st.a.text))  // a peer group's statements: its declaration was the error
        error(line_no, acol, fmt::format("{} is not an IPv4 or IPv6 address", quote_text(st.a.text)));
      if (st.neighbor_kind == "expressroute") gateway_error_ = true;
      return;
    }
    const std::string address = wire::to_string(*addr);
    const auto found = c.index.find(*addr);
    Neighbor* n = found == c.index.end() ? nullptr : &c.neighbors[found->second];
    if (st.neighbor_kind == "remote-as") {
      if (n)
        return neighbor_error(address, line_no, acol,
                              fmt::format("duplicate neighbor {} (first declared at line {})", address, n->pos.line));
      c.index.emplace(*addr, c.neighbors.size());
      c.neighbors.push_back({});
      n = &c.neighbors.back();
      n->address = *addr;
      n->pos = {line_no, acol};
      n->remote_as = st.number;
      n->remote_as_pos = {line_no, column_of(line, st.number_at)};  // AS 0: check_for_serve's error
      return;
    }
    if (!n) {
      if (st.neighbor_kind == "expressroute") gateway_error_ = true;
      if (erred_.count(*addr)) return;  // its remote-as line was wrong
      return neighbor_error(address, line_no, acol, fmt::format("neighbor {} has no remote-as yet (declare it first)", address));
    }
    if (st.neighbor_kind == "passive") {
      n->passive = true;
    } else if (st.neighbor_kind == "holdtime") {
      if (!hold_ok(st.number, st.number_at, line, line_no, address)) return;
      n->hold_time = static_cast<std::uint16_t>(st.number);
    } else if (st.neighbor_kind == "keepalive-hold") {
      // FRR's "timers KEEPALIVE HOLD": the keepalive sent is the smaller of KEEPALIVE and a third
      // of the negotiated hold time, as FRR does.
      const std::uint32_t keep = st.number, hold = st.number2;
      if (keep > 65535)
        return neighbor_error(address, line_no, column_of(line, st.number_at),
                              fmt::format("keepalive {} s is outside 0-65535", keep));
      if (!hold_ok(hold, st.number2_at, line, line_no, address)) return;
      if (hold && keep == 0)
        return neighbor_error(address, line_no, column_of(line, st.number_at),
                              fmt::format("keepalive 0 with hold time {} s: no KEEPALIVE would be sent and the peer's "
                                          "hold timer would expire (use 1 to {} s)", hold, std::max(1u, hold / 3)));
      if (hold && keep > hold / 3)
        warning(line_no, column_of(line, st.number_at),
                fmt::format("keepalive {} s is more than a third of the hold time {} s: bgpfa sends a KEEPALIVE every "
                            "third of the negotiated hold time instead, as FRR does", keep, hold));
      if (!hold && keep)
        warning(line_no, column_of(line, st.number_at),
                fmt::format("keepalive {} s has no effect with hold time 0 (no KEEPALIVEs are sent)", keep));
      n->keepalive_time = static_cast<std::uint16_t>(keep);
      n->hold_time = static_cast<std::uint16_t>(hold);
    } else if (st.neighbor_kind == "bfd") {
      // RFC 5880: intervals in microseconds on the wire; 10 ms is the least FRR accepts too.
      if (st.interval_given && (st.number < 10 || st.number > 60000))
        return neighbor_error(address, line_no, column_of(line, st.number_at),
                              fmt::format("BFD interval {} ms is outside 10-60000", st.number));
      if (st.multiplier_given && (st.number2 < 1 || st.number2 > 255))
        return neighbor_error(address, line_no, column_of(line, st.number2_at),
                              fmt::format("BFD multiplier {} is outside 1-255", st.number2));
      n->bfd = true;
      if (st.interval_given) n->bfd_interval_ms = st.number;
      if (st.multiplier_given) n->bfd_multiplier = static_cast<std::uint8_t>(st.number2);
    } else if (st.neighbor_kind == "connect") {
      if (st.number < 1 || st.number > 65535)
        return neighbor_error(address, line_no, column_of(line, st.number_at),
                              fmt::format("connect retry {} s is outside 1-65535", st.number));
      n->connect_retry = static_cast<std::uint16_t>(st.number);
    } else if (st.neighbor_kind == "maximum-prefix") {
      if (st.number == 0)
        return neighbor_error(address, line_no, column_of(line, st.number_at),
                              "maximum-prefix 0 (at least 1; leave it out for no limit)");
      n->max_prefixes = st.number;
      n->max_prefix_warning_only = st.word == "warning-only";
      if (!st.duration.text.empty()) {
        auto d = parse_duration(st.duration.text);
        if (!d || *d < std::chrono::seconds(1))
          return neighbor_error(address, line_no, column_of(line, st.duration.at),
                                fmt::format("{} is not a restart interval of at least 1s (e.g. 5m)", quote_text(st.duration.text)));
        n->max_prefix_restart = std::chrono::duration_cast<std::chrono::seconds>(*d);
      }
    } else if (st.neighbor_kind == "description") {
      // Descriptions reach the report and the logs: no control characters.
      if (const auto bad = std::find_if(st.b.text.begin(), st.b.text.end(),
                                        [](char ch) { return (ch >= 0 && ch < 0x20 && ch != '\t') || ch == 0x7f; });
          bad != st.b.text.end())
        return neighbor_error(address, line_no, column_of(line, st.b.at) + static_cast<int>(bad - st.b.text.begin()),
                              fmt::format("description contains the control character {}", quote_text(std::string(1, *bad))));
      n->description = st.b.text;
    } else if (st.neighbor_kind == "expressroute") {
      if (n->gateway != GatewayKind::None)
        return neighbor_error(address, line_no, acol, fmt::format("neighbor {} already has a gateway role", address));
      n->gateway = GatewayKind::ExpressRoute;
      n->gateway_pos = {line_no, column_of(line, st.role.at)};
      n->circuit = st.b.text;
      n->link = st.word == "secondary" ? Link::Secondary : Link::Primary;
      // Dual stack: a link carries one IPv4 and one IPv6 session.
      const bool v6 = n->address.afi == wire::Afi::Ipv6;
      const std::string key = n->circuit + (n->link == Link::Primary ? "/primary" : "/secondary") + (v6 ? "/6" : "/4");
      if (auto [it, fresh] = links_.emplace(key, line_no); !fresh)
        return neighbor_error(address, line_no, acol,
                              fmt::format("circuit {} link {} is already taken for {} (line {}; a link carries one IPv4 "
                                          "and one IPv6 session)",
                                          n->circuit, st.word, v6 ? "IPv6" : "IPv4", it->second));
    } else if (st.neighbor_kind == "vpn") {
      // Several neighbours on one VPN instance is normal: one per site (multi-site VPN).
      if (n->gateway != GatewayKind::None)
        return neighbor_error(address, line_no, acol, fmt::format("neighbor {} already has a gateway role", address));
      if (st.instance_given && st.number > 1)
        return neighbor_error(address, line_no, column_of(line, st.number_at),
                              fmt::format("VPN instance {} (a VPN gateway has instances 0 and 1)", st.number));
      n->gateway = GatewayKind::Vpn;
      n->gateway_pos = {line_no, column_of(line, st.role.at)};
      n->vpn_instance = st.instance_given ? static_cast<int>(st.number) : 0;
      n->vpn_instance_given = st.instance_given;
      n->site = st.c.text;
    }
  }

  // A prefix of the file: parsed, or an error (and nullopt); host bits set are a warning.
  std::optional<wire::Prefix> prefix(const Token& t, std::string_view line, int line_no) {
    const int col = column_of(line, t.at);
    auto p = wire::parse_prefix(t.text);
    if (!p) {
      error(line_no, col, fmt::format("{} is not an address prefix (ADDRESS/LENGTH, such as 10.70.0.0/16)", quote_text(t.text)));
      return std::nullopt;
    }
    if (parse_address(t.text.substr(0, t.text.find('/'))) != p->address)
      warning(line_no, col, fmt::format("{} has host bits set: read as {}", t.text, wire::to_string(*p)));
    return p;
  }

  // vpn-gateway: instance N bgp-address A
  void instance_address(const Statement& st, std::string_view line, int line_no) {
    VpnGateway& g = result_.config.vpn_gateway;
    if (st.number > 1) {
      instance_error_ = true;
      return error(line_no, column_of(line, st.number_at),
                   fmt::format("VPN instance {} (a VPN gateway has instances 0 and 1)", st.number));
    }
    const auto i = st.number;
    const SourcePos pos{line_no, column_of(line, st.a.at)};
    const auto a = parse_address(st.a.text);
    if (!a) {
      instance_error_ = true;
      return error(pos.line, pos.column, fmt::format("{} is not an IPv4 or IPv6 address", quote_text(st.a.text)));
    }
    if (g.instance_address[i])
      return error(pos.line, pos.column,
                   fmt::format("a second bgp-address for instance {} (the first is at line {})", i, g.instance_pos[i].line));
    if (const auto& other = g.instance_address[1 - i]; other && *other == *a)
      return error(pos.line, pos.column,
                   fmt::format("instance {} bgp-address {} is instance {}'s address too (line {}): each instance has "
                               "its own BGP address",
                               i, wire::to_string(*a), 1 - i, g.instance_pos[1 - i].line));
    g.instance_address[i] = a;
    g.instance_pos[i] = pos;
  }

  // vpn-gateway: site NAME static-prefix P... | site NAME vnet-to-vnet (repeatable: they add up)
  void site(const Statement& st, std::string_view line, int line_no) {
    auto& sites = result_.config.vpn_gateway.sites;
    const SourcePos pos{line_no, column_of(line, st.c.at)};
    const auto [it, fresh] = site_index_.emplace(st.c.text, sites.size());
    if (fresh) {
      sites.push_back({});
      sites.back().name = st.c.text;
      sites.back().pos = pos;
    }
    VpnSite& s = sites[it->second];
    if (st.word == "vnet-to-vnet") {
      if (const auto [first, new_mark] = vnet_to_vnet_line_.emplace(s.name, line_no); !new_mark)
        return warning(pos.line, pos.column,
                       fmt::format("site {} is already marked vnet-to-vnet (line {})", name_text(s.name), first->second));
      s.vnet_to_vnet = true;
      return;
    }
    static_pos_.emplace(s.name, pos);
    for (const auto& t : st.list) {
      const auto p = prefix(t, line, line_no);
      if (!p) continue;
      if (const auto [first, new_prefix] = static_line_.emplace(s.name + ' ' + wire::to_string(*p), line_no); !new_prefix) {
        warning(line_no, column_of(line, t.at),
                fmt::format("static-prefix {} is already listed for site {} (line {})", wire::to_string(*p),
                            name_text(s.name), first->second));
        continue;
      }
      s.static_prefixes.push_back(*p);
    }
  }

  // vnet NAME address-space P... [peering HUB [use-remote-gateway]]
  void vnet(const Statement& st, std::string_view line, int line_no) {
    Config& c = result_.config;
    const SourcePos pos{line_no, column_of(line, st.a.at)};
    if (const auto it = vnet_index_.find(st.a.text); it != vnet_index_.end())
      return error(pos.line, pos.column,
                   fmt::format("a second vnet {} (the first is at line {})", name_text(st.a.text), c.vnets[it->second].pos.line));
    Vnet v;
    v.name = st.a.text;
    v.pos = pos;
    v.peering = st.c.text;
    if (!v.peering.empty()) v.peering_pos = {line_no, column_of(line, st.c.at)};
    v.use_remote_gateway = !st.d.text.empty();
    if (v.use_remote_gateway && v.peering.empty()) {
      vnet_erred_.insert(v.name);
      error(line_no, column_of(line, st.d.at),
            fmt::format("use-remote-gateway without peering: only a spoke peered with the hub uses the hub's gateway "
                        "(vnet {} address-space ... peering HUB use-remote-gateway)",
                        name_text(v.name)));
    }
    if (v.peering == v.name) {
      vnet_erred_.insert(v.name);
      error(v.peering_pos.line, v.peering_pos.column, fmt::format("vnet {} cannot peer with itself", name_text(v.name)));
    }
    for (const auto& t : st.list)
      if (const auto p = prefix(t, line, line_no)) {
        v.address_space.push_back(*p);
        spaces_.push_back({*p, c.vnets.size(), {line_no, column_of(line, t.at)}});
      }
    vnet_index_.emplace(v.name, c.vnets.size());
    c.vnets.push_back(std::move(v));
  }

  void validate_vpn() {
    const Config& c = result_.config;
    const VpnGateway& g = c.vpn_gateway;
    // Without `instance N`, the session's gateway-side address says which instance it is on.
    if (!instance_error_)
      for (const auto& n : c.neighbors) {
        if (n.gateway != GatewayKind::Vpn || n.vpn_instance_given) continue;
        bool any = false, family = false;
        for (const auto& a : g.instance_address)
          if (a) {
            any = true;
            family = family || a->afi == n.address.afi;
          }
        if (family) continue;
        const std::string head = fmt::format("neighbor {} gateway vpn site {}: its VPN instance cannot be known",
                                             wire::to_string(n.address), name_text(n.site));
        error(n.gateway_pos.line, n.gateway_pos.column,
              any ? fmt::format("{}: no vpn-gateway instance has an {} bgp-address (write gateway vpn instance 0 site {}, "
                                "or give the instances {} addresses)",
                                head, n.address.afi == wire::Afi::Ipv6 ? "IPv6" : "IPv4", name_text(n.site),
                                n.address.afi == wire::Afi::Ipv6 ? "IPv6" : "IPv4")
                  : fmt::format("{}: no vpn-gateway instance has a bgp-address (write gateway vpn instance 0 site {}, or "
                                "add instance 0 bgp-address ADDRESS and instance 1 bgp-address ADDRESS under vpn-gateway)",
                                head, name_text(n.site)));
      }
    for (int i = 0; i < 2; ++i)
      if (const auto& a = g.instance_address[i])
        if (const Neighbor* n = c.find(*a))
          error(g.instance_pos[i].line, g.instance_pos[i].column,
                fmt::format("instance {} bgp-address {} is also the address of neighbor {} (line {}): the gateway "
                            "cannot be its own peer",
                            i, wire::to_string(*a), wire::to_string(*a), n->pos.line));
    // Sites: a static site that BGP neighbours also name, a VNet-to-VNet site that carries nothing.
    std::map<std::string, const Neighbor*> named;
    for (const auto& n : c.neighbors)
      if (n.gateway == GatewayKind::Vpn && !n.site.empty()) named.emplace(n.site, &n);
    for (const auto& s : g.sites) {
      const auto it = named.find(s.name);
      if (it != named.end() && !s.static_prefixes.empty()) {
        // A site's BGP peers' own addresses as its prefixes is Azure's documented set-up with BGP.
        const bool peers_only = std::all_of(s.static_prefixes.begin(), s.static_prefixes.end(), [&](const wire::Prefix& p) {
          const Neighbor* n = c.find(p.address);
          return n && n->site == s.name && p.length == wire::max_prefix_bits(p.address.afi);
        });
        const auto pos = static_pos_.at(s.name);
        if (!peers_only)
          warning(pos.line, pos.column,
                  fmt::format("site {} has static prefixes and BGP neighbours (neighbor {}, line {}): Azure routes both "
                              "over the site (with BGP, a site's static prefixes need only its BGP peers' addresses)",
                              name_text(s.name), wire::to_string(it->second->address), it->second->pos.line));
      }
      if (s.vnet_to_vnet && it == named.end() && s.static_prefixes.empty())
        warning(s.pos.line, s.pos.column,
                fmt::format("site {} is vnet-to-vnet but has no static-prefix and no neighbour names it (gateway vpn "
                            "... site {}): it carries no routes",
                            name_text(s.name), name_text(s.name)));
    }
  }

  void validate_vnets() {
    const Config& c = result_.config;
    const Vnet* hub = nullptr;
    for (const auto& v : c.vnets) {
      if (!v.peering.empty() || vnet_erred_.count(v.name)) continue;
      if (!hub) {
        hub = &v;
        continue;
      }
      error(v.pos.line, v.pos.column,
            fmt::format("a second hub: vnet {} has no peering, and vnet {} (line {}) is the hub (bgpfa models one hub "
                        "and its spokes: write peering {})",
                        name_text(v.name), name_text(hub->name), hub->pos.line, name_text(hub->name)));
    }
    for (const auto& v : c.vnets) {
      if (v.peering.empty() || v.peering == v.name) continue;
      const auto it = vnet_index_.find(v.peering);
      if (it == vnet_index_.end()) {
        if (!vnet_erred_.count(v.peering))
          error(v.peering_pos.line, v.peering_pos.column,
                fmt::format("vnet {} peers with {}, which is not defined (vnet {} address-space ... is missing)",
                            name_text(v.name), name_text(v.peering), name_text(v.peering)));
        continue;
      }
      const Vnet& target = c.vnets[it->second];
      if (!target.peering.empty() && !vnet_erred_.count(target.name))
        error(v.peering_pos.line, v.peering_pos.column,
              fmt::format("vnet {} peers with {}, which is a spoke (it peers with {}, line {}): gateway transit goes "
                          "through the hub in this model (peer {} with {})",
                          name_text(v.name), name_text(target.name), name_text(target.peering), target.pos.line,
                          name_text(v.name), hub ? name_text(hub->name) : std::string("the hub")));
    }
    // Overlapping address spaces: sorted by address then length, a prefix overlaps another only by
    // being inside it, and the innermost one containing it is on the stack (n log n, not n^2).
    auto sorted = spaces_;
    std::sort(sorted.begin(), sorted.end(), [](const Space& a, const Space& b) {
      if (a.prefix.address.afi != b.prefix.address.afi) return a.prefix.address.afi < b.prefix.address.afi;
      if (a.prefix.address.octets != b.prefix.address.octets) return a.prefix.address.octets < b.prefix.address.octets;
      return a.prefix.length < b.prefix.length;
    });
    auto contains = [](const wire::Prefix& outer, const wire::Prefix& inner) {
      if (outer.address.afi != inner.address.afi || outer.length > inner.length) return false;
      for (unsigned bit = 0; bit < outer.length; ++bit) {
        const auto mask = static_cast<std::uint8_t>(0x80u >> (bit % 8));
        if ((outer.address.octets[bit / 8] & mask) != (inner.address.octets[bit / 8] & mask)) return false;
      }
      return true;
    };
    std::vector<const Space*> open;
    for (const auto& s : sorted) {
      while (!open.empty() && !contains(open.back()->prefix, s.prefix)) open.pop_back();
      if (!open.empty()) {
        const Space* a = open.back();
        const Space* b = &s;
        if (b->pos.line < a->pos.line || (b->pos.line == a->pos.line && b->pos.column < a->pos.column)) std::swap(a, b);
        const Vnet& va = c.vnets[a->vnet];
        const Vnet& vb = c.vnets[b->vnet];
        if (a->vnet == b->vnet)
          error(b->pos.line, b->pos.column,
                fmt::format("vnet {}'s address space {} overlaps its {}: a VNet's address ranges must not overlap",
                            name_text(vb.name), wire::to_string(b->prefix), wire::to_string(a->prefix)));
        else
          error(b->pos.line, b->pos.column,
                fmt::format("vnet {}'s address space {} overlaps vnet {}'s {} (line {}): peered VNets' address spaces "
                            "must not overlap",
                            name_text(vb.name), wire::to_string(b->prefix), name_text(va.name), wire::to_string(a->prefix),
                            a->pos.line));
      }
      open.push_back(&s);
    }
  }

  void validate() {
    Config& c = result_.config;
    validate_vpn();
    validate_vnets();
    if (c.routing_preference != RoutingPreference::ExpressRoute && !c.route_server_branch_to_branch)
      warning(preference_pos_.line, preference_pos_.column,
              fmt::format("routing-preference {} without route-server branch-to-branch: Azure has the vpn and as-path "
                          "preferences only with Route Server branch-to-branch or a Virtual WAN hub; a VNet with "
                          "ExpressRoute and VPN gateways always prefers ExpressRoute for equal prefixes",
                          c.routing_preference == RoutingPreference::Vpn ? "vpn" : "as-path"));
    if (!router_line_ && error_count_ == 0)
      error(0, 0, "no router bgp section (a bgpfa configuration declares router bgp ASN and its neighbours)");
    std::set<std::string> circuits;
    for (const auto& n : c.neighbors) {
      if (n.gateway == GatewayKind::ExpressRoute) circuits.insert(n.circuit);
      if (n.gateway == GatewayKind::None && !erred_.count(n.address))
        error(n.pos.line, n.pos.column,
              fmt::format("neighbor {} has no gateway role (gateway expressroute ... or gateway vpn ...)",
                          wire::to_string(n.address)));
    }
    // A circuit whose gateway statement was wrong is unknown only as a consequence.
    if (!gateway_error_)
      for (const auto& [circuit, pos] : weight_pos_)
        if (!circuits.count(circuit))
          error(pos.line, pos.column, fmt::format("connection-weight for unknown circuit {}", quote_text(circuit)));
  }

  std::string_view text_;
  ParseResult result_;
  Bounded errors_, warnings_;
  std::size_t error_count_ = 0;
  Section section_ = Section::None;
  int router_line_ = 0, router_id_line_ = 0;
  std::map<std::string, int> links_;
  std::map<std::string, SourcePos> weight_pos_;
  std::unordered_set<wire::IpAddress, AddressHash> erred_;  // neighbours with an error of their own
  std::set<std::string> peer_groups_;
  bool gateway_error_ = false;
  SourcePos preference_pos_;
  bool instance_error_ = false;                  // a broken vpn-gateway instance line
  std::map<std::string, std::size_t> site_index_;  // vpn_gateway.sites by name
  std::map<std::string, int> vnet_to_vnet_line_;   // site -> its first vnet-to-vnet line
  std::map<std::string, SourcePos> static_pos_;    // site -> its first static-prefix statement
  std::map<std::string, int> static_line_;         // "site prefix" -> its line
  std::map<std::string, std::size_t> vnet_index_;  // vnets by name
  std::set<std::string> vnet_erred_;               // VNets with an error of their own
  struct Space {
    wire::Prefix prefix;
    std::size_t vnet;
    SourcePos pos;
  };
  std::vector<Space> spaces_;  // every VNet address-space prefix, for the overlap check
};

std::string errno_text(int e) { return std::strerror(e); }

}  // namespace

ParseResult parse_config(std::string_view text, const std::string& file) { return Parser(text, file).run(); }

ParseResult load_config(const std::string& path) {
  auto fail = [&](std::string message) {
    ParseResult r;
    r.config.file = path;
    r.errors.push_back({path, {}, std::move(message), false});
    return r;
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(fmt::format("cannot open the configuration file: {}", errno_text(errno)));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(fmt::format("cannot read the configuration file: {}", errno_text(errno)));
  if (S_ISDIR(st.st_mode)) return fail("is a directory, not a configuration file");
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(fmt::format("cannot read the configuration file: {}", errno_text(errno)));
    }
    if (n == 0) break;
    if (text.size() + static_cast<std::size_t>(n) > kMaxConfigBytes)
      return fail(fmt::format("larger than {} MiB: not a bgpfa configuration (stopped reading)", kMaxConfigBytes >> 20));
    text.append(buf, static_cast<std::size_t>(n));
  }
  return parse_config(text, path);
}

std::optional<std::string> listen_address_problem(std::string_view a) {
  if (a == "off") return std::nullopt;
  for (const std::string_view unix_prefix : {"unix:", "unix-abstract:"})
    if (a.substr(0, unix_prefix.size()) == unix_prefix)
      return a.size() > unix_prefix.size() ? std::nullopt : std::optional<std::string>("a socket path after unix:");
  const auto colon = a.rfind(':');
  if (colon == std::string_view::npos)
    return "expected IPv4:PORT, [IPv6]:PORT, localhost:PORT, unix:PATH or off (no port)";
  const std::string_view host = a.substr(0, colon), port = a.substr(colon + 1);
  if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return fmt::format("the port {} is not a number 0-65535", quote_text(port));
  if (std::stoul(std::string(port)) > 65535) return fmt::format("the port {} is outside 0-65535", port);
  if (host == "localhost") return std::nullopt;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    const auto v6 = parse_address(std::string(host.substr(1, host.size() - 2)));
    if (v6 && v6->afi == wire::Afi::Ipv6) return std::nullopt;
    return fmt::format("{} is not an IPv6 address", quote_text(host.substr(1, host.size() - 2)));
  }
  if (host.find(':') != std::string_view::npos) return "an IPv6 address needs brackets: [ADDRESS]:PORT";
  const auto v4 = parse_address(std::string(host));
  if (v4 && v4->afi == wire::Afi::Ipv4) return std::nullopt;
  return fmt::format("{} is not an IPv4 address, [IPv6 address] or localhost", quote_text(host));
}

std::optional<std::string> metrics_address_problem(std::string_view a) {
  if (a.substr(0, 5) == "unix:" || a.substr(0, 14) == "unix-abstract:")
    return "expected IPv4:PORT, [IPv6]:PORT, localhost:PORT or off (HTTP has no unix sockets here)";
  return listen_address_problem(a);
}

std::optional<std::string> capture_dir_problem(const std::string& dir_text) {
  namespace fs = std::filesystem;
  // The deepest existing ancestor decides: serve creates the rest below it.
  const fs::path dir(dir_text);
  fs::path probe = dir;
  std::error_code ec;
  for (;;) {
    const auto status = fs::status(probe, ec);
    if (!ec && fs::exists(status)) {
      if (!fs::is_directory(status))
        return probe == dir ? std::string("exists and is not a directory")
                            : fmt::format("cannot be created: {} is not a directory", quote_text(probe.string()));
      break;
    }
    if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory)
      return fmt::format("cannot be examined: {}: {}", quote_text(probe.string()), ec.message());
    // A missing component, or one that is a file (ENOTDIR): look further up.
    fs::path parent = probe.parent_path();
    if (parent.empty()) parent = ".";
    if (parent == probe) return std::string("no existing ancestor directory");
    probe = parent;
  }
  if (::access(probe.c_str(), W_OK | X_OK) != 0) {
    const std::string why = errno_text(errno);
    return probe == dir ? fmt::format("not writable: {}", why)
                        : fmt::format("cannot be created: {} is not writable: {}", quote_text(probe.string()), why);
  }
  return std::nullopt;
}

std::vector<ConfigError> check_for_serve(const Config& c, bool capture) {
  std::vector<ConfigError> out;
  for (const auto& n : c.neighbors)
    if (n.remote_as == 0 && out.size() < kMaxMessages)
      out.push_back({c.file, n.remote_as_pos,
                     "remote-as 0: AS 0 is reserved (RFC 7607), bgpfa serve opens no session with it (replay accepts it: "
                     "dumps record peers of AS 0)",
                     false});
  if (!capture || c.capture_dir.empty()) return out;
  if (auto why = capture_dir_problem(c.capture_dir))
    out.push_back({c.file, c.capture_pos, fmt::format("capture directory {}: {}", quote_text(c.capture_dir), *why), false});
  return out;
}

}  // namespace bgpfa::config
