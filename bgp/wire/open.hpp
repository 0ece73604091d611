// OPEN message and capabilities (RFC 4271 4.2, RFC 5492, RFC 4760, RFC 6793, RFC 2918, RFC 7911,
// RFC 4724, RFC 8654, FQDN draft). Unknown capabilities are kept raw and ignored.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bgp/wire/bytes.hpp"
#include "bgp/wire/ip.hpp"
#include "bgp/wire/result.hpp"

namespace bgpfa::wire {

namespace capability {
inline constexpr std::uint8_t kMultiprotocol = 1;
inline constexpr std::uint8_t kRouteRefresh = 2;
inline constexpr std::uint8_t kExtendedMessage = 6;
inline constexpr std::uint8_t kGracefulRestart = 64;
inline constexpr std::uint8_t kFourOctetAs = 65;
inline constexpr std::uint8_t kAddPath = 69;
inline constexpr std::uint8_t kEnhancedRouteRefresh = 70;
inline constexpr std::uint8_t kFqdn = 73;
}  // namespace capability

namespace open_error {
inline constexpr std::uint8_t kUnsupportedVersion = 1;
inline constexpr std::uint8_t kBadPeerAs = 2;
inline constexpr std::uint8_t kBadBgpIdentifier = 3;
inline constexpr std::uint8_t kUnsupportedOptionalParameter = 4;
inline constexpr std::uint8_t kUnacceptableHoldTime = 6;
inline constexpr std::uint8_t kUnsupportedCapability = 7;
}  // namespace open_error

inline constexpr std::uint16_t kAsTrans = 23456;

struct AddPathFamily {
  Afi afi = Afi::Ipv4;
  Safi safi = Safi::Unicast;
  bool receive = false;  // the sender can receive multiple paths
  bool send = false;     // the sender can send multiple paths
  friend bool operator==(const AddPathFamily&, const AddPathFamily&) = default;
};

// RFC 4724 3: the restart flags, the time the peer asks us to wait, and the families whose
// routes we keep (stale) across its restart, with whether it preserved their forwarding state.
struct GracefulRestartFamily {
  std::uint16_t afi = 1;
  std::uint8_t safi = 1;
  bool forwarding_preserved = false;  // F bit
  friend bool operator==(const GracefulRestartFamily&, const GracefulRestartFamily&) = default;
};
struct GracefulRestart {
  bool restarting = false;    // R bit: the sender has just restarted
  bool notification = false;  // N bit (RFC 8538), parsed only
  std::uint16_t restart_time = 0;  // seconds, 12 bits
  std::vector<GracefulRestartFamily> families;
  [[nodiscard]] const GracefulRestartFamily* find(std::uint16_t afi, std::uint8_t safi) const noexcept {
    for (const auto& f : families)
      if (f.afi == afi && f.safi == safi) return &f;
    return nullptr;
  }
};

struct Capabilities {
  std::vector<std::pair<std::uint16_t, std::uint8_t>> multiprotocol;  // (AFI, SAFI)
  bool route_refresh = false;
  bool enhanced_route_refresh = false;
  bool extended_message = false;
  std::optional<std::uint32_t> four_octet_as;
  std::vector<AddPathFamily> add_path;
  bool graceful_restart = false;
  GracefulRestart gr;  // meaningful when graceful_restart
  std::string fqdn_host, fqdn_domain;
  std::vector<std::pair<std::uint8_t, std::vector<std::uint8_t>>> unknown;  // (code, value)

  [[nodiscard]] bool supports(std::uint16_t afi, std::uint8_t safi) const;
};

struct Open {
  std::uint8_t version = 4;
  std::uint16_t my_as = 0;  // 2-octet field: AS_TRANS when the real AS needs 4 octets
  std::uint16_t hold_time = 90;
  std::uint32_t bgp_id = 0;
  Capabilities caps;

  // The speaker's AS: the 4-octet capability when present, else the 2-octet field.
  [[nodiscard]] std::uint32_t asn() const { return caps.four_octet_as.value_or(my_as); }
};

// Body after the header. Errors are OPEN Message Errors (RFC 4271 6.2) with the offset.
[[nodiscard]] Result<Open> decode_open(Bytes body, std::size_t base_offset = 0);
// The whole message, header included.
[[nodiscard]] std::vector<std::uint8_t> encode_open(const Open& o);

// What both sides agreed (RFC 5492: a capability is in use only when both advertised it).
struct Negotiated {
  bool four_octet_as = false;
  bool extended_message = false;
  bool route_refresh = false;
  std::uint16_t hold_time = 0;  // min of both; 0 = no keepalives
  std::vector<AddPathFamily> add_path_rx;  // families where we receive path ids
  std::vector<std::pair<std::uint16_t, std::uint8_t>> families;
  // Both sides advertised graceful restart: the remote's capability applies to its restarts.
  std::optional<GracefulRestart> peer_graceful_restart;
};
[[nodiscard]] Negotiated negotiate(const Open& local, const Open& remote);

}  // namespace bgpfa::wire
