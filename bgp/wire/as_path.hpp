// AS_PATH / AS4_PATH segments (RFC 4271 4.3, RFC 5065 confederations, RFC 6793 4-octet ASNs).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "bgp/wire/bytes.hpp"
#include "bgp/wire/error.hpp"

namespace bgpfa::wire {

enum class SegmentType : std::uint8_t { Set = 1, Sequence = 2, ConfedSequence = 3, ConfedSet = 4 };

// A validated AS path in wire form; asn_size is 2 or 4.
struct AsPathView {
  Bytes data;
  std::uint8_t asn_size = 4;

  // f(SegmentType, const std::uint8_t* asns, unsigned count); ASN i is at asns + i*asn_size.
  template <class F>
  void for_each_segment(F&& f) const {
    std::size_t pos = 0;
    while (pos + 2 <= data.size()) {
      const auto type = static_cast<SegmentType>(data[pos]);
      const unsigned count = data[pos + 1];
      f(type, data.data() + pos + 2, count);
      pos += 2 + std::size_t{count} * asn_size;
    }
  }
  [[nodiscard]] std::uint32_t asn_at(const std::uint8_t* p) const noexcept {
    return asn_size == 4 ? load_u32(p) : load_u16(p);
  }
  // Path length for best-path selection (RFC 4271 9.1.2.2 a; RFC 5065: confed segments count 0).
  [[nodiscard]] unsigned decision_length() const noexcept;
  // First AS of the first AS_SEQUENCE: the neighbour AS (0 when there is none).
  [[nodiscard]] std::uint32_t first_asn() const noexcept;
  // Last AS of the path: the origin AS (0 when the path is empty or ends in a set).
  [[nodiscard]] std::uint32_t origin_asn() const noexcept;
};

// Checks segment types, zero-length segments and overruns (RFC 7606 7.2).
[[nodiscard]] std::optional<DecodeError> validate_as_path(Bytes data, std::uint8_t asn_size,
                                                          std::size_t base_offset);

// Re-encodes a path with 4-octet ASNs (identity when it already has them).
[[nodiscard]] std::vector<std::uint8_t> widen_as_path(const AsPathView& path);

// RFC 6793 4.2.3: rebuild the true path from a 2-octet AS_PATH and AS4_PATH.
[[nodiscard]] std::vector<std::uint8_t> merge_as4_path(const AsPathView& as_path, const AsPathView& as4_path);

}  // namespace bgpfa::wire
