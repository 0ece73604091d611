#include "bgp/wire/as_path.hpp"

#include <fmt/format.h>

namespace bgpfa::wire {

unsigned AsPathView::decision_length() const noexcept {
  unsigned n = 0;
  for_each_segment([&](SegmentType t, const std::uint8_t*, unsigned count) {
    if (t == SegmentType::Sequence) n += count;
    else if (t == SegmentType::Set) n += 1;
  });
  return n;
}

std::uint32_t AsPathView::first_asn() const noexcept {
  std::uint32_t asn = 0;
  bool found = false;
  for_each_segment([&](SegmentType t, const std::uint8_t* p, unsigned count) {
    if (!found && t == SegmentType::Sequence && count > 0) {
      asn = asn_at(p);
      found = true;
    }
  });
  return asn;
}

std::uint32_t AsPathView::origin_asn() const noexcept {
  std::uint32_t asn = 0;
  for_each_segment([&](SegmentType t, const std::uint8_t* p, unsigned count) {
    asn = (t == SegmentType::Sequence && count > 0) ? asn_at(p + (count - 1) * asn_size) : 0;
  });
  return asn;
}

std::optional<DecodeError> validate_as_path(Bytes d, std::uint8_t asn_size, std::size_t base) {
  std::size_t pos = 0;
  auto fail = [&](std::size_t at, std::string what) {
    return DecodeError{notify::kUpdateMessageError, update_error::kMalformedAsPath, base + at, {},
                       ErrorAction::TreatAsWithdraw, std::move(what)};
  };
  while (pos < d.size()) {
    if (d.size() - pos < 2) return fail(pos, "AS path segment header truncated");
    const unsigned type = d[pos];
    const unsigned count = d[pos + 1];
    if (type < 1 || type > 4) return fail(pos, fmt::format("unknown AS path segment type {}", type));
    if (count == 0) return fail(pos + 1, "AS path segment of length zero");
    const std::size_t need = 2 + std::size_t{count} * asn_size;
    if (d.size() - pos < need) {
      return fail(pos + 1, fmt::format("AS path segment of {} ASNs overruns the attribute by {} octets",
                                       count, need - (d.size() - pos)));
    }
    pos += need;
  }
  return std::nullopt;
}

namespace {
void put_segment(std::vector<std::uint8_t>& out, SegmentType t, const AsPathView& v, const std::uint8_t* p,
                 unsigned count) {
  out.push_back(static_cast<std::uint8_t>(t));
  out.push_back(static_cast<std::uint8_t>(count));
  for (unsigned i = 0; i < count; ++i) {
    std::uint8_t b[4];
    store_u32(b, v.asn_at(p + i * v.asn_size));
    out.insert(out.end(), b, b + 4);
  }
}
}  // namespace

std::vector<std::uint8_t> widen_as_path(const AsPathView& path) {
  if (path.asn_size == 4) return {path.data.begin(), path.data.end()};
  std::vector<std::uint8_t> out;
  out.reserve(path.data.size() * 2);
  path.for_each_segment([&](SegmentType t, const std::uint8_t* p, unsigned n) { put_segment(out, t, path, p, n); });
  return out;
}

std::vector<std::uint8_t> merge_as4_path(const AsPathView& as_path, const AsPathView& as4_path) {
  // Confederation segments are not counted on either side (RFC 6793 4.2.3).
  const unsigned n = as_path.decision_length();
  const unsigned m = as4_path.decision_length();
  if (n < m) return widen_as_path(as_path);
  unsigned keep = n - m;
  std::vector<std::uint8_t> out;
  as_path.for_each_segment([&](SegmentType t, const std::uint8_t* p, unsigned count) {
    if (keep == 0) return;
    if (t == SegmentType::Set) {
      put_segment(out, t, as_path, p, count);
      --keep;
    } else if (t == SegmentType::Sequence) {
      const unsigned take = count < keep ? count : keep;
      put_segment(out, t, as_path, p, take);
      keep -= take;
    } else {
      put_segment(out, t, as_path, p, count);  // confed segments ride along, uncounted
    }
  });
  const auto wide4 = widen_as_path(as4_path);
  out.insert(out.end(), wide4.begin(), wide4.end());
  return out;
}

}  // namespace bgpfa::wire
