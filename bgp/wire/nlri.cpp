#include "bgp/wire/nlri.hpp"

#include <cstring>

#include <fmt/format.h>

namespace bgpfa::wire {

std::optional<DecodeError> validate_nlri(Bytes f, Afi afi, bool add_path, std::size_t base, std::size_t* good,
                                         bool* truncated) {
  const unsigned max_bits = max_prefix_bits(afi);
  std::size_t pos = 0;
  while (pos < f.size()) {
    const std::size_t start = pos;
    if (good) *good = start;
    if (truncated) *truncated = true;
    if (add_path) {
      if (f.size() - pos < 5) {
        return DecodeError{notify::kUpdateMessageError, update_error::kInvalidNetworkField, base + start,
                           {}, ErrorAction::SessionReset,
                           fmt::format("NLRI entry with path identifier truncated: {} octets left", f.size() - pos)};
      }
      pos += 4;
    }
    const unsigned bits = f[pos];
    if (bits > max_bits) {
      if (truncated) *truncated = false;
      return DecodeError{notify::kUpdateMessageError, update_error::kInvalidNetworkField, base + pos,
                         {}, ErrorAction::SessionReset,
                         fmt::format("prefix length {} exceeds {} for {}", bits, max_bits,
                                     afi == Afi::Ipv6 ? "IPv6" : "IPv4")};
    }
    const std::size_t octets = (bits + 7) / 8;
    if (f.size() - pos - 1 < octets) {
      return DecodeError{notify::kUpdateMessageError, update_error::kInvalidNetworkField, base + pos,
                         {}, ErrorAction::SessionReset,
                         fmt::format("prefix /{} needs {} octets, {} left", bits, octets, f.size() - pos - 1)};
    }
    pos += 1 + octets;
  }
  if (good) *good = pos;
  if (truncated) *truncated = false;
  return std::nullopt;
}

bool NlriReader::next(NlriEntry& out) noexcept {
  if (pos_ >= field_.size()) return false;
  const std::uint8_t* p = field_.data() + pos_;
  if (add_path_) {
    out.path_id = load_u32(p);
    p += 4;
  } else {
    out.path_id = 0;
  }
  const unsigned bits = *p++;
  const unsigned octets = (bits + 7) / 8;
  out.prefix.length = static_cast<std::uint8_t>(bits);
  out.prefix.address.afi = afi_;
  out.prefix.address.octets = {};
  std::memcpy(out.prefix.address.octets.data(), p, octets);
  if (bits % 8) out.prefix.address.octets[octets - 1] &= static_cast<std::uint8_t>(0xff00u >> (bits % 8));
  pos_ = static_cast<std::size_t>(p + octets - field_.data());
  return true;
}

std::size_t NlriReader::count() const noexcept {
  std::size_t n = 0, pos = 0;
  while (pos < field_.size()) {
    pos += add_path_ ? 4 : 0;
    pos += 1 + (field_[pos] + 7u) / 8;
    ++n;
  }
  return n;
}

std::size_t read_raw_prefix(Bytes in, Afi afi, Prefix& out) noexcept {
  if (in.empty()) return 0;
  const unsigned bits = in[0];
  if (bits > max_prefix_bits(afi)) return 0;
  const std::size_t octets = (bits + 7) / 8;
  if (in.size() < 1 + octets) return 0;
  out.length = static_cast<std::uint8_t>(bits);
  out.address.afi = afi;
  out.address.octets = {};
  std::memcpy(out.address.octets.data(), in.data() + 1, octets);
  return 1 + octets;
}

void encode_prefix(const Prefix& p, std::uint8_t*& out) noexcept {
  *out++ = p.length;
  const std::size_t octets = (p.length + 7u) / 8;
  std::memcpy(out, p.address.octets.data(), octets);
  out += octets;
}

}  // namespace bgpfa::wire
