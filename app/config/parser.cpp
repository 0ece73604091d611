// Configuration grammar (Boost.Spirit X3), one statement per line, FRR style:
//   router bgp ASN / bgp router-id A / neighbor A remote-as ASN / neighbor A description TEXT /
//   neighbor A passive / neighbor A timers holdtime N / neighbor A timers KEEPALIVE HOLD /
//   neighbor A timers connect N / neighbor A maximum-prefix N [warning-only | restart DURATION] /
//   neighbor A gateway expressroute circuit NAME link primary|secondary /
//   neighbor A gateway vpn instance 0|1 / address-family ipv4|ipv6 [unicast] ... exit-address-family
//   (only "neighbor A activate" inside; ignored with a warning) / analyzer /
//   routing-preference expressroute|vpn|as-path / connection-weight CIRCUIT N /
//   quiet-period DURATION / er-sku standard|premium / grpc / listen HOST:PORT /
//   capture DIR [rotate DURATION] [keep DURATION] / exit. Lines starting with ! or # are comments; a "!" in the
//   first column also ends the current section (an indented one, as FRR writes inside router bgp
//   and address-family blocks, does not). Known FRR statements bgpfa does not implement are named
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
std::string quote_text(std::string_view s) {
  constexpr std::size_t kMax = 80;
  std::string out = "\"";
  std::size_t i = 0;
  for (; i < s.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;  // a well-formed UTF-8 sequence of 2-4 bytes, no C1 controls
    if (c >= 0xc2 && c <= 0xf4) {
      len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
      if (i + len > s.size()) len = 0;
      for (std::size_t k = 1; k < len; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) len = 0;
      if (len && c == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0) len = 0;
    }
    if (len) {
      out.append(s.substr(i, len));
      i += len - 1;
    } else if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  if (i < s.size()) out += fmt::format(" (and {} more bytes)", s.size() - i);
  return out;
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
              RoutingPref, ConnWeight, QuietPeriod, ErSku, Listen } kind{};
  std::uint32_t number = 0, number2 = 0;
  It number_at{}, number2_at{};
  Token a, b;  // address/name tokens
  std::string neighbor_kind;  // remote-as | description | expressroute | vpn | holdtime | ...
  std::string word;           // link / preference / sku / family
  Token duration, rotate, keep;
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
    {"neighbor * bfd", true, "BFD is not implemented; failures are detected by the hold timer"},
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
    {"bfd", true, "BFD is not implemented; failures are detected by the hold timer", Block::Section},
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
  enum class Section { None, Router, AddressFamily, Analyzer, Grpc, Skipped, SkippedFamily };

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
    const auto link = x3::rule<class link_, U>{"primary or secondary"} =
        kw("primary")[word_is("primary")] | kw("secondary")[word_is("secondary")];
    const auto preference = x3::rule<class pref_, U>{"expressroute, vpn or as-path"} =
        kw("expressroute")[word_is("expressroute")] | kw("vpn")[word_is("vpn")] | kw("as-path")[word_is("as-path")];
    const auto sku = x3::rule<class sku_, U>{"standard or premium"} =
        kw("standard")[word_is("standard")] | kw("premium")[word_is("premium")];
    const auto max_prefix_option = x3::rule<class mpo_, U>{"warning-only, restart or end of line"} =
        kw("warning-only")[word_is("warning-only")] | (kw("restart") > restart) | end_of_line;
    const auto keep = x3::rule<class ke_, U>{"a retention time such as 7d"} = word[tok(&Statement::keep)];
    const auto keep_option = x3::rule<class ko_, U>{"keep or end of line"} = (kw("keep") > keep) | end_of_line;
    const auto capture_option = x3::rule<class co_, U>{"rotate, keep or end of line"} =
        (kw("rotate") > rotate > keep_option) | (kw("keep") > keep) | end_of_line;
    const auto timers = x3::rule<class timers_, U>{"holdtime, connect or a keepalive interval in seconds"} =
        (kw("holdtime")[nkind("holdtime")] > hold) | (kw("connect")[nkind("connect")] > connect) |
        (keepalive[nkind("keepalive-hold")] > hold2);
    const auto gateway = x3::rule<class gw_, U>{"expressroute or vpn"} =
        (kw("expressroute")[nkind("expressroute")] > kw("circuit") > circuit > kw("link") > link) |
        (kw("vpn")[nkind("vpn")] > kw("instance") > instance);
    const auto neighbor_tail = x3::rule<class ntail_, U>{
        "remote-as, description, gateway, passive, timers or maximum-prefix"} =
        (kw("remote-as")[nkind("remote-as")] > asn) | kw("passive")[nkind("passive")] |
        (kw("maximum-prefix")[nkind("maximum-prefix")] > limit > max_prefix_option) | (kw("timers") > timers) |
        (kw("description")[nkind("description")] > description_text) | (kw("gateway") > gateway);
    const auto safi = x3::rule<class safi_, U>{"unicast or end of line"} = kw("unicast") | end_of_line;
    const auto family = x3::rule<class fam_, U>{"ipv4 or ipv6"} =
        (kw("ipv4")[word_is("ipv4")] | kw("ipv6")[word_is("ipv6")]) > safi;
    const auto top = x3::rule<class top_, U>{"router bgp, analyzer, grpc or capture"} =
        (kw("router") > kw("bgp") > asn)[kind(Statement::RouterBgp)] | kw("analyzer")[kind(Statement::Analyzer)] |
        kw("grpc")[kind(Statement::Grpc)] | (kw("capture") > directory > capture_option)[kind(Statement::Capture)] |
        kw("exit")[kind(Statement::Exit)];
    const auto router = x3::rule<class router_, U>{"neighbor, bgp router-id or address-family"} =
        (kw("bgp") > kw("router-id") > router_id)[kind(Statement::RouterId)] |
        (kw("neighbor") > neighbor_address > neighbor_tail)[kind(Statement::Neighbor)] |
        (kw("address-family") > family)[kind(Statement::AddressFamily)];
    const auto address_family = x3::rule<class af_, U>{"neighbor ADDRESS activate or exit-address-family"} =
        (kw("neighbor") > neighbor_address > kw("activate"))[kind(Statement::Activate)] |
        kw("exit-address-family")[kind(Statement::ExitAf)];
    const auto analyzer = x3::rule<class analyzer_, U>{
        "routing-preference, connection-weight, quiet-period or er-sku"} =
        (kw("routing-preference") > preference)[kind(Statement::RoutingPref)] |
        (kw("connection-weight") > circuit > weight)[kind(Statement::ConnWeight)] |
        (kw("quiet-period") > quiet)[kind(Statement::QuietPeriod)] | (kw("er-sku") > sku)[kind(Statement::ErSku)];
    const auto grpc = x3::rule<class grpc_, U>{"listen"} = (kw("listen") > listen_address)[kind(Statement::Listen)];

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
      }
      return;
    }
    if (!ok) {
      if (unsupported(line, line_no, first)) return;
      const char* expected =
          section_ == Section::Router          ? "neighbor, bgp router-id, address-family or a new section"
          : section_ == Section::AddressFamily ? "neighbor ADDRESS activate, exit-address-family or a new section"
          : section_ == Section::Analyzer      ? "routing-preference, connection-weight, quiet-period, er-sku or a new section"
          : section_ == Section::Grpc          ? "listen or a new section"
                                               : "router bgp, analyzer, grpc or capture";
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
      case Statement::ErSku: c.er_sku = st.word; return;
      case Statement::Listen:
        if (auto why = listen_address_problem(st.a.text))
          return error(line_no, col(st.a), fmt::format("listen {}: {}", quote_text(st.a.text), *why));
        c.grpc_listen = st.a.text;
        return;
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
      n->circuit = st.b.text;
      n->link = st.word == "secondary" ? Link::Secondary : Link::Primary;
      const std::string key = n->circuit + (n->link == Link::Primary ? "/primary" : "/secondary");
      if (auto [it, fresh] = links_.emplace(key, line_no); !fresh)
        return neighbor_error(address, line_no, acol,
                              fmt::format("circuit {} link {} is already taken (line {})", n->circuit, st.word, it->second));
    } else if (st.neighbor_kind == "vpn") {
      // Several neighbours on one VPN instance is normal: one per site (multi-site VPN).
      if (n->gateway != GatewayKind::None)
        return neighbor_error(address, line_no, acol, fmt::format("neighbor {} already has a gateway role", address));
      if (st.number > 1)
        return neighbor_error(address, line_no, column_of(line, st.number_at),
                              fmt::format("VPN instance {} (a VPN gateway has instances 0 and 1)", st.number));
      n->gateway = GatewayKind::Vpn;
      n->vpn_instance = static_cast<int>(st.number);
    }
  }

  void validate() {
    Config& c = result_.config;
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
