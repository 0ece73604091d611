// NLRI encoding (RFC 4271 4.3, RFC 4760, RFC 7911 path identifiers).
#pragma once
#include <cstdint>
#include <optional>

#include "bgp/wire/bytes.hpp"
#include "bgp/wire/error.hpp"
#include "bgp/wire/ip.hpp"

namespace bgpfa::wire {

struct NlriEntry {
  Prefix prefix;
  std::uint32_t path_id = 0;
};

// Checks a whole NLRI field: every prefix length fits the AFI and no entry overruns.
// Offsets in the error are relative to `field` plus `base_offset`.
// `good` receives the length of the leading run of well-formed entries; `truncated` whether the
// problem is only that the last entry runs past the end of the field.
[[nodiscard]] std::optional<DecodeError> validate_nlri(Bytes field, Afi afi, bool add_path,
                                                       std::size_t base_offset, std::size_t* good = nullptr,
                                                       bool* truncated = nullptr);

// Iterates a field that validate_nlri accepted. Trailing bits beyond the prefix length are
// cleared (RFC 4271: their value is irrelevant), so equal prefixes compare equal.
class NlriReader {
 public:
  NlriReader(Bytes field, Afi afi, bool add_path) noexcept : field_(field), afi_(afi), add_path_(add_path) {}
  [[nodiscard]] bool next(NlriEntry& out) noexcept;
  [[nodiscard]] std::size_t count() const noexcept;  // entries in the whole field

 private:
  Bytes field_;
  std::size_t pos_ = 0;
  Afi afi_;
  bool add_path_;
};

// Reads one prefix (length octet + significant octets) without masking, as MRT RIB records
// store it; returns the octets consumed or 0 if it does not fit.
[[nodiscard]] std::size_t read_raw_prefix(Bytes in, Afi afi, Prefix& out) noexcept;

void encode_prefix(const Prefix& p, std::uint8_t*& out) noexcept;

}  // namespace bgpfa::wire
