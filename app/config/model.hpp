// The configuration file as data: one router, its neighbours and their gateway roles, the
// analyzer's policy and the gRPC listener.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "bgp/wire/ip.hpp"

namespace bgpfa::config {

struct SourcePos {
  int line = 0;  // 0: the whole file (no line:column is printed)
  int column = 0;
};

enum class GatewayKind : std::uint8_t { None, ExpressRoute, Vpn };
enum class Link : std::uint8_t { Primary, Secondary };

struct Neighbor {
  wire::IpAddress address;
  std::uint32_t remote_as = 0;
  std::string description;
  GatewayKind gateway = GatewayKind::None;
  std::string circuit;        // ExpressRoute
  Link link = Link::Primary;  // ExpressRoute
  int vpn_instance = 0;       // VPN: 0 or 1
  bool vpn_instance_given = false;  // `instance N` was written; else the vpn-gateway's instance addresses decide
  std::string site;           // VPN: `site NAME` (a local network gateway); "": the neighbour is its own site
  bool passive = false;       // only accept connections, never dial
  std::optional<std::uint16_t> hold_time;  // unset: the default (90 s); 0: no hold timer, no keepalives
  std::uint16_t keepalive_time = 0;        // 0: a third of the negotiated hold time (else the smaller of the two)
  std::uint16_t connect_retry = 0;         // seconds between connection attempts; 0: the default (5 s)
  // maximum-prefix: above this many routes the session is reset with Cease/Maximum Number of
  // Prefixes Reached (RFC 4486), or only a warning is logged; 0: no limit.
  std::uint32_t max_prefixes = 0;
  bool max_prefix_warning_only = false;
  std::chrono::seconds max_prefix_restart{0};  // 0: stays down until SIGHUP or a restart
  // neighbor A bfd [interval MS] [multiplier N] (RFC 5880/5881 single hop): a BFD Down ends the
  // BGP session at once (Cease/BFD Down, RFC 9384), as Azure's gateways do.
  bool bfd = false;
  std::uint32_t bfd_interval_ms = 300;
  std::uint8_t bfd_multiplier = 3;
  SourcePos pos;              // of its first statement
  SourcePos remote_as_pos;
  SourcePos gateway_pos;      // of the role word of its gateway statement (expressroute | vpn)
};

enum class RoutingPreference : std::uint8_t { ExpressRoute, Vpn, AsPath };

// `vpn-gateway` section: the instances' own BGP addresses and the sites (local network gateways).
struct VpnSite {
  std::string name;
  std::vector<wire::Prefix> static_prefixes;  // `site NAME static-prefix P...`: a static (non-BGP) site
  bool vnet_to_vnet = false;                  // `site NAME vnet-to-vnet`: its peer is another VNet's gateway
  SourcePos pos;
};
struct VpnGateway {
  std::optional<wire::IpAddress> instance_address[2];  // `instance N bgp-address A` (custom APIPA allowed)
  SourcePos instance_pos[2];
  std::vector<VpnSite> sites;
  [[nodiscard]] const VpnSite* site(const std::string& name) const;
};

// `vnet NAME address-space P... [peering HUB [use-remote-gateway]]`: the hub (no peering) and
// its peered spokes; a spoke that uses the hub's gateway (gateway transit) sees its routes.
struct Vnet {
  std::string name;
  std::vector<wire::Prefix> address_space;
  std::string peering;              // the hub it peers with; "": this is the hub
  bool use_remote_gateway = false;  // gateway transit
  SourcePos pos;
  SourcePos peering_pos;  // of the hub's name after `peering`
};

struct AddressHash {
  [[nodiscard]] std::size_t operator()(const wire::IpAddress& a) const noexcept;
};

// analyzer: azure-timers expressroute|vpn hold N [bfd MSxN], the cloud side's real timers.
struct AzureTimers {
  std::uint32_t hold_s = 0;  // 0: not stated
  std::uint32_t bfd_interval_ms = 0, bfd_multiplier = 0;  // 0: no BFD
  int line = 0;  // where it was stated
};

struct Config {
  std::string file;
  std::uint32_t local_as = 0;
  std::optional<wire::IpAddress> router_id;
  std::vector<Neighbor> neighbors;
  RoutingPreference routing_preference = RoutingPreference::ExpressRoute;
  std::map<std::string, int> connection_weight;  // circuit -> 0..32000
  std::chrono::microseconds quiet_period{std::chrono::seconds(5)};
  std::string er_sku = "standard";  // prefix limit: standard 4000, premium 10000
  bool route_server_branch_to_branch = false;  // analyzer: `route-server branch-to-branch`
  bool prefix_limits = true;  // analyzer: `prefix-limits off` analyses full tables Azure would refuse
  AzureTimers azure_timers[2];  // expressroute, vpn
  // analyzer: `history events N episodes N`: active-path changes and closed episodes kept (the
  // oldest go first); the defaults hold a day of a busy table (~96 MB + ~10 MB).
  std::size_t history_events = 2'000'000;
  std::size_t history_episodes = 10'000;
  VpnGateway vpn_gateway;
  std::vector<Vnet> vnets;
  std::string grpc_listen = "127.0.0.1:50051";
  // A listen address off loopback needs allow-remote, and TLS (cert and key files) or insecure.
  bool grpc_allow_remote = false;
  std::string grpc_tls_cert, grpc_tls_key;
  bool grpc_insecure = false;
  // `metrics` section: Prometheus /metrics over HTTP. Empty: none (no section); the section
  // without `listen`: kDefaultMetricsListen. Off loopback needs allow-remote there.
  std::string metrics_listen;
  bool metrics_allow_remote = false;
  std::string capture_dir;
  std::chrono::seconds capture_rotate{0};
  std::chrono::seconds capture_keep{0};  // capture files older than this are deleted; 0: kept
  SourcePos capture_pos;  // of the capture directory, for check_for_serve's errors
  // neighbors' indices by address, filled by the parser (a stale entry falls back to a scan).
  std::unordered_map<wire::IpAddress, std::size_t, AddressHash> index;

  [[nodiscard]] const Neighbor* find(const wire::IpAddress& a) const;
};

struct ConfigError {
  std::string file;
  SourcePos pos;
  std::string message;
  bool warning = false;
  // "file:line:col: error: message" ("warning:" for warnings; "file: error: ..." without a position)
  [[nodiscard]] std::string to_string() const;
};

// At most this many errors (and as many warnings) are kept: the first ones by position.
inline constexpr std::size_t kMaxMessages = 50;
// load_config stops reading there: no configuration is that large.
inline constexpr std::size_t kMaxConfigBytes = 16u << 20;

// Parses and validates; the errors found (syntax errors stop at the first per line), sorted by
// position, with the count of those beyond kMaxMessages. Warnings are statements accepted but
// ignored (FRR's that change nothing here, address-family blocks) and advice.
struct ParseResult {
  Config config;
  std::vector<ConfigError> errors;
  std::vector<ConfigError> warnings;
  std::size_t more_errors = 0;
  std::size_t more_warnings = 0;
  // Warnings and errors in position order, then "... and N more errors" when some were left out.
  [[nodiscard]] std::vector<std::string> lines() const;
};
[[nodiscard]] ParseResult parse_config(std::string_view text, const std::string& file);
// Reads the file (at most kMaxConfigBytes; a directory, a missing or unreadable file is an error
// naming the errno) and parses it.
[[nodiscard]] ParseResult load_config(const std::string& path);
// What serve needs beyond what replay does, checked by check-config too: no neighbour of AS 0
// (RFC 7607; replay accepts one, as MRT dumps record such peers) and, without changing the file
// system, a capture directory that exists writable or can be created (its deepest existing
// ancestor is a writable directory).
// `capture`: check the configured capture directory (serve's --capture replaces it).
[[nodiscard]] std::vector<ConfigError> check_for_serve(const Config& c, bool capture = true);
// The same for one directory: why it cannot serve as the capture directory, or nullopt.
[[nodiscard]] std::optional<std::string> capture_dir_problem(const std::string& dir);
// gRPC listen address: IPv4:PORT, [IPv6]:PORT, localhost:PORT, unix:PATH or off; else why not.
[[nodiscard]] std::optional<std::string> listen_address_problem(std::string_view address);
// The metrics listen address: IPv4:PORT, [IPv6]:PORT, localhost:PORT or off; else why not.
[[nodiscard]] std::optional<std::string> metrics_address_problem(std::string_view address);
inline constexpr const char* kDefaultMetricsListen = "127.0.0.1:9180";

}  // namespace bgpfa::config
