#include "bgp/wire/update.hpp"

#include <fmt/format.h>

#include "bgp/wire/header.hpp"
#include "bgp/wire/nlri.hpp"

namespace bgpfa::wire {

bool Update::is_end_of_rib() const noexcept {
  if (!withdrawn.empty() || !nlri.empty()) return false;
  if (attributes.all.empty()) return true;  // IPv4 unicast
  return attributes.all.size() == 1 && attributes.has(AttrType::MpUnreachNlri) && attributes.mp_unreach.nlri.empty();
}

std::optional<DecodeError> check_nlri_field(Bytes& field, Afi afi, bool add_path, const DecodeContext& ctx,
                                            std::size_t at, const char* what, std::vector<DecodeError>& salvaged) {
  std::size_t good = 0;
  bool truncated = false;
  auto e = validate_nlri(field, afi, add_path, ctx.base_offset + at, &good, &truncated);
  if (!e) return std::nullopt;
  e->what = std::string(what) + ": " + e->what;
  if (!(ctx.salvage_truncated_nlri && truncated)) return e;
  e->what += fmt::format("; the {} well-formed octets before it were kept", good);
  field = field.first(good);
  salvaged.push_back(std::move(*e));
  return std::nullopt;
}

std::optional<DecodeError> decode_update(Bytes body, const DecodeContext& ctx, Update& out) {
  auto fail = [&](std::size_t at, std::string what) {
    return DecodeError{notify::kUpdateMessageError, update_error::kMalformedAttributeList, ctx.base_offset + at, {},
                       ErrorAction::SessionReset, std::move(what)};
  };
  if (body.size() < 4) return fail(0, fmt::format("UPDATE body of {} octets is too short", body.size()));
  const std::size_t wlen = load_u16(body.data());
  if (body.size() - 2 < wlen + 2)
    return fail(0, fmt::format("withdrawn routes length {} overruns the message", wlen));
  const std::size_t alen = load_u16(&body[2 + wlen]);
  if (body.size() - 4 - wlen < alen)
    return fail(2 + wlen, fmt::format("total path attribute length {} overruns the message by {} octets", alen,
                                      alen - (body.size() - 4 - wlen)));
  out.withdrawn = body.subspan(2, wlen);
  out.withdrawn_offset = 2;
  out.nlri_offset = 4 + wlen + alen;
  out.nlri = body.subspan(out.nlri_offset);
  const bool ap = ctx.add_path(Afi::Ipv4, Safi::Unicast);
  std::vector<DecodeError> salvaged;
  if (auto e = check_nlri_field(out.withdrawn, Afi::Ipv4, ap, ctx, 2, "withdrawn routes", salvaged)) return e;
  if (auto e = check_nlri_field(out.nlri, Afi::Ipv4, ap, ctx, out.nlri_offset, "NLRI", salvaged)) return e;
  DecodeContext actx = ctx;
  actx.base_offset += 4 + wlen;
  auto fatal = decode_path_attributes(body.subspan(4 + wlen, alen), actx, !out.nlri.empty(), out.attributes);
  for (auto& e : salvaged) {
    out.attributes.action = std::max(out.attributes.action, e.action);
    out.attributes.errors.push_back(std::move(e));
  }
  return fatal;
}

Result<Update> decode_update(Bytes body, const DecodeContext& ctx) {
  Update u;
  if (auto e = decode_update(body, ctx, u)) return std::move(*e);
  return u;
}

std::vector<std::uint8_t> encode_update(Bytes withdrawn, Bytes attributes, Bytes nlri) {
  std::vector<std::uint8_t> m(kHeaderSize + 4 + withdrawn.size() + attributes.size() + nlri.size());
  encode_header(m.data(), static_cast<std::uint16_t>(m.size()), MessageType::Update);
  std::uint8_t* p = m.data() + kHeaderSize;
  store_u16(p, static_cast<std::uint16_t>(withdrawn.size()));
  p = std::copy(withdrawn.begin(), withdrawn.end(), p + 2);
  store_u16(p, static_cast<std::uint16_t>(attributes.size()));
  p = std::copy(attributes.begin(), attributes.end(), p + 2);
  std::copy(nlri.begin(), nlri.end(), p);
  return m;
}

}  // namespace bgpfa::wire
