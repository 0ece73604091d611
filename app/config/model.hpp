// The configuration file as data: one router, its neighbours and their gateway roles, the
// analyzer's policy and the gRPC listener.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bgp/wire/ip.hpp"

namespace bgpfa::config {

struct SourcePos {
  int line = 0;
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
  bool passive = false;       // only accept connections, never dial
  std::uint16_t hold_time = 0;  // 0: the default (90 s)
  // maximum-prefix: above this many routes the session is reset with Cease/Maximum Number of
  // Prefixes Reached (RFC 4486), or only a warning is logged; 0: no limit.
  std::uint32_t max_prefixes = 0;
  bool max_prefix_warning_only = false;
  std::chrono::seconds max_prefix_restart{0};  // 0: stays down until SIGHUP or a restart
  SourcePos pos;              // of its first statement
};

enum class RoutingPreference : std::uint8_t { ExpressRoute, Vpn, AsPath };

struct Config {
  std::string file;
  std::uint32_t local_as = 0;
  std::optional<wire::IpAddress> router_id;
  std::vector<Neighbor> neighbors;
  RoutingPreference routing_preference = RoutingPreference::ExpressRoute;
  std::map<std::string, int> connection_weight;  // circuit -> 0..32000
  std::chrono::microseconds quiet_period{std::chrono::seconds(5)};
  std::string er_sku = "standard";  // prefix limit: standard 4000, premium 10000
  std::string grpc_listen = "127.0.0.1:50051";
  // A listen address off loopback needs allow-remote, and TLS (cert and key files) or insecure.
  bool grpc_allow_remote = false;
  std::string grpc_tls_cert, grpc_tls_key;
  bool grpc_insecure = false;
  std::string capture_dir;
  std::chrono::seconds capture_rotate{0};

  [[nodiscard]] const Neighbor* find(const wire::IpAddress& a) const;
};

struct ConfigError {
  std::string file;
  SourcePos pos;
  std::string message;
  [[nodiscard]] std::string to_string() const;  // "file:line:col: error: message"
};

// Parses and validates; every error found is returned (syntax errors stop at the first per line).
struct ParseResult {
  Config config;
  std::vector<ConfigError> errors;
};
[[nodiscard]] ParseResult parse_config(std::string_view text, const std::string& file);
[[nodiscard]] ParseResult load_config(const std::string& path);

}  // namespace bgpfa::config
