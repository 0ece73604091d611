#include "bgp/wire/attribute.hpp"

#include <bitset>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "bgp/wire/nlri.hpp"

namespace bgpfa::wire {

namespace {

constexpr std::uint8_t kWellKnown = attr_flag::kTransitive;
constexpr std::uint8_t kOptTrans = attr_flag::kOptional | attr_flag::kTransitive;
constexpr std::uint8_t kOptNonTrans = attr_flag::kOptional;

std::array<AttrDescriptor, 256> make_table() {
  std::array<AttrDescriptor, 256> t{};
  using A = ErrorAction;
  t[1] = {"ORIGIN", kWellKnown, 1, 1, A::TreatAsWithdraw};
  t[2] = {"AS_PATH", kWellKnown, -1, 1, A::TreatAsWithdraw};
  t[3] = {"NEXT_HOP", kWellKnown, 4, 1, A::TreatAsWithdraw};
  t[4] = {"MULTI_EXIT_DISC", kOptNonTrans, 4, 1, A::TreatAsWithdraw};
  t[5] = {"LOCAL_PREF", kWellKnown, 4, 1, A::TreatAsWithdraw};
  t[6] = {"ATOMIC_AGGREGATE", kWellKnown, 0, 1, A::AttributeDiscard};
  t[7] = {"AGGREGATOR", kOptTrans, -1, 1, A::AttributeDiscard};  // 6 or 8: checked with the context
  t[8] = {"COMMUNITIES", kOptTrans, -1, 4, A::TreatAsWithdraw};
  t[9] = {"ORIGINATOR_ID", kOptNonTrans, 4, 1, A::TreatAsWithdraw};
  t[10] = {"CLUSTER_LIST", kOptNonTrans, -1, 4, A::TreatAsWithdraw};
  t[14] = {"MP_REACH_NLRI", kOptNonTrans, -1, 1, A::SessionReset};
  t[15] = {"MP_UNREACH_NLRI", kOptNonTrans, -1, 1, A::SessionReset};
  t[16] = {"EXTENDED_COMMUNITIES", kOptTrans, -1, 8, A::TreatAsWithdraw};
  t[17] = {"AS4_PATH", kOptTrans, -1, 1, A::AttributeDiscard};
  t[18] = {"AS4_AGGREGATOR", kOptTrans, 8, 1, A::AttributeDiscard};
  t[32] = {"LARGE_COMMUNITY", kOptTrans, -1, 12, A::TreatAsWithdraw};
  return t;
}
const std::array<AttrDescriptor, 256> kTable = make_table();

struct Decoder {
  const DecodeContext& ctx;
  PathAttributes& out;
  std::ptrdiff_t fatal = -1;  // index in out.errors of the first error demanding a session reset

  void note(std::uint8_t subcode, std::size_t at, ErrorAction action, const RawAttribute* raw, std::string what) {
    DecodeError e{notify::kUpdateMessageError, subcode, ctx.base_offset + at, {}, action, std::move(what)};
    if (raw) {  // RFC 4271 6.3: the data field carries the erroneous attribute
      e.data.resize(2 + raw->value.size());
      e.data[0] = raw->flags;
      e.data[1] = raw->type;
      std::copy(raw->value.begin(), raw->value.end(), e.data.begin() + 2);
    }
    out.action = std::max(out.action, action);
    if (action == ErrorAction::SessionReset && fatal < 0) fatal = static_cast<std::ptrdiff_t>(out.errors.size());
    out.errors.push_back(std::move(e));
  }

  // Returns false when the attribute was malformed (and so was not recorded as present).
  bool interpret(const RawAttribute& a, std::size_t value_at) {
    const Bytes v = a.value;
    const AttrDescriptor& d = kTable[a.type];
    switch (static_cast<AttrType>(a.type)) {
      case AttrType::Origin:
        if (v[0] > 2) {
          note(update_error::kInvalidOriginAttribute, value_at, ErrorAction::TreatAsWithdraw, &a,
               fmt::format("ORIGIN value {} is not IGP, EGP or INCOMPLETE", v[0]));
          return false;
        }
        out.origin = v[0];
        return true;
      case AttrType::AsPath:
      case AttrType::As4Path: {
        const std::uint8_t size = (a.type == 17 || ctx.four_octet_as) ? 4 : 2;
        if (auto err = validate_as_path(v, size, value_at)) {
          err->action = d.on_malformed;
          err->offset += ctx.base_offset;
          err->data = {a.flags, a.type};
          err->data.insert(err->data.end(), v.begin(), v.end());
          if (a.type == 17) err->subcode = update_error::kOptionalAttributeError;
          err->what = fmt::format("{}: {}", d.name, err->what);
          out.action = std::max(out.action, err->action);
          out.errors.push_back(std::move(*err));
          return false;
        }
        if (a.type == 17) {
          // RFC 6793 6: confederation segments in AS4_PATH are discarded (we drop the attribute).
          bool confed = false;
          AsPathView{v, 4}.for_each_segment([&](SegmentType t, const std::uint8_t*, unsigned) {
            confed |= t == SegmentType::ConfedSequence || t == SegmentType::ConfedSet;
          });
          if (confed) {
            note(update_error::kOptionalAttributeError, value_at, ErrorAction::AttributeDiscard, &a,
                 "AS4_PATH carries confederation segments");
            return false;
          }
          out.as4_path = {v, 4};
        } else {
          out.as_path = {v, size};
        }
        return true;
      }
      case AttrType::NextHop: std::memcpy(out.next_hop.data(), v.data(), 4); return true;
      case AttrType::MultiExitDisc: out.med = load_u32(v.data()); return true;
      case AttrType::LocalPref: out.local_pref = load_u32(v.data()); return true;
      case AttrType::AtomicAggregate: return true;
      case AttrType::Aggregator: {
        const std::size_t want = ctx.four_octet_as || (ctx.aggregator_either_width && v.size() == 8) ? 8 : 6;
        if (v.size() != want) {
          note(update_error::kAttributeLengthError, value_at - 1, ErrorAction::AttributeDiscard, &a,
               fmt::format("AGGREGATOR length {} (expected {})", v.size(), want));
          return false;
        }
        out.aggregator.asn = want == 8 ? load_u32(v.data()) : load_u16(v.data());
        std::memcpy(out.aggregator.address.data(), v.data() + want - 4, 4);
        return true;
      }
      case AttrType::As4Aggregator:
        out.as4_aggregator.asn = load_u32(v.data());
        std::memcpy(out.as4_aggregator.address.data(), v.data() + 4, 4);
        return true;
      case AttrType::Communities: out.communities = v; return true;
      case AttrType::ExtendedCommunities: out.extended_communities = v; return true;
      case AttrType::LargeCommunities: out.large_communities = v; return true;
      case AttrType::OriginatorId: std::memcpy(out.originator_id.data(), v.data(), 4); return true;
      case AttrType::ClusterList: out.cluster_list = v; return true;
      case AttrType::MpReachNlri: return mp_reach(a, value_at);
      case AttrType::MpUnreachNlri: return mp_unreach(a, value_at);
    }
    return true;
  }

  bool mp_fail(const RawAttribute& a, std::size_t at, std::string what) {
    note(update_error::kOptionalAttributeError, at, ErrorAction::SessionReset, &a, std::move(what));
    return false;
  }

  static bool known_family(std::uint16_t afi, std::uint8_t safi) {
    return (afi == 1 || afi == 2) && safi >= 1 && safi <= 3;
  }

  bool next_hop_into(MpReach& m, const std::uint8_t* p, std::uint8_t len) {
    m.next_hop_length = len;
    std::memcpy(m.next_hop.data(), p, std::min<std::size_t>(len, 32));
    return len == 4 || len == 16 || len == 32 || len == 12 || len == 24;
  }

  bool mp_reach(const RawAttribute& a, std::size_t at) {
    const Bytes v = a.value;
    MpReach& m = out.mp_reach;
    m = {};
    if (ctx.mrt_rib_entry && !v.empty() && v[0] != 0) {
      // Abbreviated: next-hop length and next hop only.
      m.abbreviated = true;
      if (v.size() < 1u + v[0] || v[0] > 32 || !next_hop_into(m, v.data() + 1, v[0]))
        return mp_fail(a, at, fmt::format("MP_REACH_NLRI (RIB form) next hop length {} invalid", v[0]));
      return true;
    }
    if (v.size() < 5) return mp_fail(a, at, fmt::format("MP_REACH_NLRI of {} octets is too short", v.size()));
    m.afi = load_u16(v.data());
    m.safi = v[2];
    const std::uint8_t nh_len = v[3];
    if (v.size() < 5u + nh_len) return mp_fail(a, at + 3, fmt::format("MP_REACH_NLRI next hop length {} overruns the attribute", nh_len));
    if (nh_len > 32 || (known_family(m.afi, m.safi) && !next_hop_into(m, v.data() + 4, nh_len)))
      return mp_fail(a, at + 3, fmt::format("MP_REACH_NLRI next hop length {} invalid for AFI {} SAFI {}", nh_len, m.afi, m.safi));
    if (!known_family(m.afi, m.safi)) {
      m.next_hop_length = nh_len;
      std::memcpy(m.next_hop.data(), v.data() + 4, nh_len);
    }
    std::size_t pos = 4 + nh_len;
    const unsigned snpa = v[pos++];  // RFC 4760: reserved; RFC 2858 SNPAs are skipped
    for (unsigned i = 0; i < snpa; ++i) {
      if (pos >= v.size() || v.size() - pos - 1 < (v[pos] + 1u) / 2)
        return mp_fail(a, at + pos, "MP_REACH_NLRI SNPA overruns the attribute");
      pos += 1 + (v[pos] + 1u) / 2;
    }
    m.nlri = v.subspan(pos);
    m.nlri_offset = at + pos;
    return check_mp_nlri(m.nlri, m.afi, m.safi, m.nlri_offset, "MP_REACH_NLRI");
  }

  bool check_mp_nlri(Bytes& nlri, std::uint16_t afi, std::uint8_t safi, std::size_t at, const char* what) {
    if (!known_family(afi, safi)) return true;
    const auto f = static_cast<Afi>(afi);
    std::size_t good = 0;
    bool truncated = false;
    auto err = validate_nlri(nlri, f, ctx.add_path(f, static_cast<Safi>(safi)), ctx.base_offset + at, &good, &truncated);
    if (!err) return true;
    err->what = std::string(what) + ": " + err->what;
    const bool salvage = ctx.salvage_truncated_nlri && truncated;
    if (salvage) {
      err->what += fmt::format("; the {} well-formed octets before it were kept", good);
      nlri = nlri.first(good);
    }
    out.action = ErrorAction::SessionReset;
    if (!salvage && fatal < 0) fatal = static_cast<std::ptrdiff_t>(out.errors.size());
    out.errors.push_back(std::move(*err));
    return salvage;
  }

  bool mp_unreach(const RawAttribute& a, std::size_t at) {
    const Bytes v = a.value;
    MpUnreach& m = out.mp_unreach;
    m = {};
    if (v.size() < 3) return mp_fail(a, at, fmt::format("MP_UNREACH_NLRI of {} octets is too short", v.size()));
    m.afi = load_u16(v.data());
    m.safi = v[2];
    m.nlri = v.subspan(3);
    m.nlri_offset = at + 3;
    return check_mp_nlri(m.nlri, m.afi, m.safi, m.nlri_offset, "MP_UNREACH_NLRI");
  }
};

}  // namespace

const AttrDescriptor& descriptor(std::uint8_t type) noexcept { return kTable[type]; }

void PathAttributes::clear() noexcept {
  present.reset();
  seen.reset();
  origin = 2;
  as_path = {};
  as4_path = {};
  next_hop = {};
  med = local_pref = 0;
  aggregator = as4_aggregator = {};
  communities = extended_communities = large_communities = cluster_list = {};
  originator_id = {};
  mp_reach = {};
  mp_unreach = {};
  all.clear();
  errors.clear();
  action = ErrorAction::None;
}

std::optional<DecodeError> decode_path_attributes(Bytes block, const DecodeContext& ctx, bool has_nlri,
                                                  PathAttributes& out) {
  out.clear();
  out.block = block;
  Decoder dec{ctx, out};
  std::size_t pos = 0;
  while (pos < block.size()) {
    const std::size_t start = pos;
    const std::size_t left = block.size() - pos;
    const std::uint8_t flags = block[pos];
    const std::size_t header = (flags & attr_flag::kExtendedLength) ? 4 : 3;
    if (left < header) {  // RFC 7606 4: too short for an attribute header
      dec.note(update_error::kMalformedAttributeList, start, ErrorAction::TreatAsWithdraw, nullptr,
               fmt::format("{} octets left in the attribute block, too few for an attribute header", left));
      break;
    }
    const std::uint8_t type = block[pos + 1];
    const std::size_t len = header == 4 ? load_u16(&block[pos + 2]) : block[pos + 2];
    if (left - header < len) {  // RFC 7606 4: attribute overruns the block
      dec.note(update_error::kAttributeLengthError, start + 2, ErrorAction::TreatAsWithdraw, nullptr,
               fmt::format("attribute type {} of length {} overruns the attribute block by {} octets", type, len,
                           len - (left - header)));
      break;
    }
    pos += header + len;
    const RawAttribute raw{flags, type, static_cast<std::uint32_t>(start), block.subspan(start + header, len)};
    const AttrDescriptor& d = kTable[type];

    if (out.present.test(type)) {  // RFC 7606 3(g)
      const bool mp = type == 14 || type == 15;
      dec.note(update_error::kMalformedAttributeList, start, mp ? ErrorAction::SessionReset : ErrorAction::AttributeDiscard,
               &raw, fmt::format("duplicate {} attribute", d.name ? d.name : "attribute"));
      continue;
    }
    out.all.push_back(raw);
    out.seen.set(type);
    if (!d.name) {
      if (!(flags & attr_flag::kOptional) || type == 0) {
        dec.note(update_error::kUnrecognizedWellKnownAttribute, start, type == 0 ? ErrorAction::AttributeDiscard : ErrorAction::TreatAsWithdraw,
                 &raw, fmt::format("unrecognized well-known attribute type {}", type));
      }
      continue;  // unknown optional attributes are kept raw in `all`
    }
    if ((flags & (attr_flag::kOptional | attr_flag::kTransitive)) != d.flags) {  // RFC 7606 3(c)
      dec.note(update_error::kAttributeFlagsError, start, d.on_malformed, &raw,
               fmt::format("{} flags 0x{:02x}, expected optional/transitive bits 0x{:02x}", d.name, flags, d.flags));
      continue;
    }
    if ((d.fixed_length >= 0 && len != static_cast<std::size_t>(d.fixed_length)) || (d.unit > 1 && len % d.unit != 0)) {
      dec.note(update_error::kAttributeLengthError, start + 2, d.on_malformed, &raw,
               d.fixed_length >= 0 ? fmt::format("{} length {} (expected {})", d.name, len, d.fixed_length)
                                   : fmt::format("{} length {} is not a multiple of {}", d.name, len, d.unit));
      continue;
    }
    if (dec.interpret(raw, start + header)) out.present.set(type);
  }

  if (!ctx.mrt_rib_entry && (has_nlri || out.has(AttrType::MpReachNlri))) {  // RFC 7606 3(d)
    const AttrType needed[] = {AttrType::Origin, AttrType::AsPath, AttrType::NextHop};
    for (AttrType t : needed) {
      if (t == AttrType::NextHop && !has_nlri) continue;
      // out.seen: met, even if malformed (reported already), so not also "missing"
      if (!out.has(t) && !out.seen.test(static_cast<std::uint8_t>(t))) {
        dec.note(update_error::kMissingWellKnownAttribute, 0, ErrorAction::TreatAsWithdraw, nullptr,
                 fmt::format("missing well-known attribute {}", kTable[static_cast<std::uint8_t>(t)].name));
        out.errors.back().data = {static_cast<std::uint8_t>(t)};
      }
    }
  }
  if (dec.fatal >= 0) return out.errors[static_cast<std::size_t>(dec.fatal)];
  return std::nullopt;
}

void encode_attribute(std::vector<std::uint8_t>& out, std::uint8_t type, Bytes value, std::uint8_t extra_flags) {
  std::uint8_t flags = static_cast<std::uint8_t>(kTable[type].name ? kTable[type].flags : kOptTrans) | extra_flags;
  if (value.size() > 255) flags |= attr_flag::kExtendedLength;
  out.push_back(flags);
  out.push_back(type);
  if (flags & attr_flag::kExtendedLength) {
    out.push_back(static_cast<std::uint8_t>(value.size() >> 8));
  }
  out.push_back(static_cast<std::uint8_t>(value.size()));
  out.insert(out.end(), value.begin(), value.end());
}

}  // namespace bgpfa::wire
