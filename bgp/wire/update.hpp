// UPDATE message body (RFC 4271 4.3) with RFC 7606 error handling.
#pragma once
#include <optional>

#include "bgp/wire/attribute.hpp"
#include "bgp/wire/result.hpp"

namespace bgpfa::wire {

struct Update {
  Bytes withdrawn;            // IPv4 unicast withdrawn routes field
  std::size_t withdrawn_offset = 0;
  PathAttributes attributes;  // includes MP_REACH / MP_UNREACH
  Bytes nlri;                 // IPv4 unicast NLRI field
  std::size_t nlri_offset = 0;

  // True when this UPDATE is an End-of-RIB marker (RFC 4724 2) for some family.
  [[nodiscard]] bool is_end_of_rib() const noexcept;
};

// Decodes the part after the 19-octet header. Offsets are relative to `body` (+ ctx.base_offset).
// Returns the error when the whole message must be dropped with a session reset; milder
// RFC 7606 outcomes are in out.attributes.errors/action.
[[nodiscard]] std::optional<DecodeError> decode_update(Bytes body, const DecodeContext& ctx, Update& out);
[[nodiscard]] Result<Update> decode_update(Bytes body, const DecodeContext& ctx);

// Validates one NLRI field; with ctx.salvage_truncated_nlri a truncated tail is cut off and its
// error appended to `salvaged` instead of being returned.
[[nodiscard]] std::optional<DecodeError> check_nlri_field(Bytes& field, Afi afi, bool add_path,
                                                          const DecodeContext& ctx, std::size_t at, const char* what,
                                                          std::vector<DecodeError>& salvaged);

// Builds a whole UPDATE message (header included) from already-encoded fields.
[[nodiscard]] std::vector<std::uint8_t> encode_update(Bytes withdrawn, Bytes attributes, Bytes nlri);

}  // namespace bgpfa::wire
