#include "bgp/wire/open.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "bgp/wire/header.hpp"

namespace bgpfa::wire {

bool Capabilities::supports(std::uint16_t afi, std::uint8_t safi) const {
  // RFC 4760 8: a speaker that advertises no multiprotocol capability carries IPv4 unicast only.
  if (multiprotocol.empty()) return afi == 1 && safi == 1;
  return std::find(multiprotocol.begin(), multiprotocol.end(), std::pair{afi, safi}) != multiprotocol.end();
}

namespace {

DecodeError open_err(std::uint8_t sub, std::size_t at, std::string what, std::vector<std::uint8_t> data = {}) {
  return DecodeError{notify::kOpenMessageError, sub, at, std::move(data), ErrorAction::SessionReset, std::move(what)};
}

std::optional<DecodeError> decode_capability(std::uint8_t code, Bytes v, std::size_t at, Capabilities& c) {
  auto bad_len = [&](std::size_t want) {
    return open_err(0, at, fmt::format("capability {} of length {} (expected {})", code, v.size(), want));
  };
  switch (code) {
    case capability::kMultiprotocol:
      if (v.size() != 4) return bad_len(4);
      c.multiprotocol.emplace_back(load_u16(v.data()), v[3]);
      return std::nullopt;
    case capability::kRouteRefresh:
    case 128:  // pre-standard Cisco code
      c.route_refresh = true;
      return std::nullopt;
    case capability::kEnhancedRouteRefresh: c.enhanced_route_refresh = true; return std::nullopt;
    case capability::kExtendedMessage: c.extended_message = true; return std::nullopt;
    case capability::kFourOctetAs:
      if (v.size() != 4) return bad_len(4);
      c.four_octet_as = load_u32(v.data());
      return std::nullopt;
    case capability::kAddPath:
      if (v.size() % 4) return bad_len(v.size() / 4 * 4 + 4);
      for (std::size_t i = 0; i < v.size(); i += 4) {
        const std::uint16_t afi = load_u16(&v[i]);
        if (afi != 1 && afi != 2) continue;
        AddPathFamily f{static_cast<Afi>(afi), static_cast<Safi>(v[i + 2]), (v[i + 3] & 1) != 0, (v[i + 3] & 2) != 0};
        c.add_path.push_back(f);
      }
      return std::nullopt;
    case capability::kGracefulRestart:
      if (v.size() < 2) return bad_len(2);
      c.graceful_restart = true;  // a partial family tuple at the end is ignored, as FRR does
      c.gr.restarting = (v[0] & 0x80) != 0;
      c.gr.notification = (v[0] & 0x40) != 0;
      c.gr.restart_time = load_u16(v.data()) & 0x0fff;
      c.gr.families.clear();
      for (std::size_t i = 2; i + 4 <= v.size(); i += 4)
        c.gr.families.push_back({load_u16(&v[i]), v[i + 2], (v[i + 3] & 0x80) != 0});
      return std::nullopt;
    case capability::kFqdn: {
      // Tolerated (draft-walton-bgp-hostname-capability): host and domain, length-prefixed.
      if (v.empty() || v.size() < 1u + v[0]) return std::nullopt;
      c.fqdn_host.assign(reinterpret_cast<const char*>(v.data() + 1), v[0]);
      const std::size_t d = 1u + v[0];
      if (d < v.size() && v.size() >= d + 1 + v[d]) c.fqdn_domain.assign(reinterpret_cast<const char*>(v.data() + d + 1), v[d]);
      return std::nullopt;
    }
    default: c.unknown.emplace_back(code, std::vector<std::uint8_t>(v.begin(), v.end())); return std::nullopt;
  }
}

}  // namespace

Result<Open> decode_open(Bytes b, std::size_t base) {
  if (b.size() < 10) return open_err(0, base, fmt::format("OPEN body of {} octets is too short", b.size()));
  Open o;
  o.version = b[0];
  if (o.version != 4) return open_err(open_error::kUnsupportedVersion, base, fmt::format("BGP version {}", o.version), {0, 4});
  o.my_as = load_u16(&b[1]);
  o.hold_time = load_u16(&b[3]);
  if (o.hold_time == 1 || o.hold_time == 2)
    return open_err(open_error::kUnacceptableHoldTime, base + 3, fmt::format("hold time {} (must be 0 or at least 3)", o.hold_time));
  o.bgp_id = load_u32(&b[5]);
  if (o.bgp_id == 0) return open_err(open_error::kBadBgpIdentifier, base + 5, "BGP identifier 0.0.0.0");
  std::size_t opt_len = b[9];
  std::size_t pos = 10;
  // RFC 9072: extended optional parameters length.
  bool extended = false;
  if (opt_len == 255 && b.size() >= 13 && b[10] == 255) {
    extended = true;
    opt_len = load_u16(&b[11]);
    pos = 13;
  }
  if (b.size() - pos != opt_len)
    return open_err(0, base + 9, fmt::format("optional parameters length {} but {} octets follow", opt_len, b.size() - pos));
  while (pos < b.size()) {
    const std::size_t hdr = extended ? 3 : 2;
    if (b.size() - pos < hdr) return open_err(0, base + pos, "optional parameter header truncated");
    const std::uint8_t type = b[pos];
    const std::size_t len = extended ? load_u16(&b[pos + 1]) : b[pos + 1];
    if (b.size() - pos - hdr < len) return open_err(0, base + pos + 1, fmt::format("optional parameter of length {} overruns the OPEN", len));
    const std::size_t start = pos + hdr;
    pos = start + len;
    if (type != 2)
      return open_err(open_error::kUnsupportedOptionalParameter, base + start - hdr,
                      fmt::format("unsupported optional parameter type {}", type));
    for (std::size_t c = start; c < start + len;) {
      if (start + len - c < 2) return open_err(0, base + c, "capability header truncated");
      const std::uint8_t code = b[c];
      const std::size_t clen = b[c + 1];
      if (start + len - c - 2 < clen) return open_err(0, base + c + 1, fmt::format("capability {} of length {} overruns its parameter", code, clen));
      if (auto e = decode_capability(code, b.subspan(c + 2, clen), base + c, o.caps)) return std::move(*e);
      c += 2 + clen;
    }
  }
  return o;
}

std::vector<std::uint8_t> encode_open(const Open& o) {
  std::vector<std::uint8_t> caps;
  auto cap = [&](std::uint8_t code, std::initializer_list<std::uint8_t> v) {
    caps.push_back(code);
    caps.push_back(static_cast<std::uint8_t>(v.size()));
    caps.insert(caps.end(), v);
  };
  for (const auto& [afi, safi] : o.caps.multiprotocol)
    cap(capability::kMultiprotocol, {static_cast<std::uint8_t>(afi >> 8), static_cast<std::uint8_t>(afi), 0, safi});
  if (o.caps.route_refresh) cap(capability::kRouteRefresh, {});
  if (o.caps.enhanced_route_refresh) cap(capability::kEnhancedRouteRefresh, {});
  if (o.caps.extended_message) cap(capability::kExtendedMessage, {});
  if (o.caps.four_octet_as) {
    const std::uint32_t a = *o.caps.four_octet_as;
    cap(capability::kFourOctetAs, {static_cast<std::uint8_t>(a >> 24), static_cast<std::uint8_t>(a >> 16),
                                   static_cast<std::uint8_t>(a >> 8), static_cast<std::uint8_t>(a)});
  }
  if (!o.caps.add_path.empty()) {
    caps.push_back(capability::kAddPath);
    caps.push_back(static_cast<std::uint8_t>(4 * o.caps.add_path.size()));
    for (const auto& f : o.caps.add_path) {
      const auto afi = static_cast<std::uint16_t>(f.afi);
      caps.push_back(static_cast<std::uint8_t>(afi >> 8));
      caps.push_back(static_cast<std::uint8_t>(afi));
      caps.push_back(static_cast<std::uint8_t>(f.safi));
      caps.push_back(static_cast<std::uint8_t>((f.receive ? 1 : 0) | (f.send ? 2 : 0)));
    }
  }
  if (o.caps.graceful_restart) {
    const auto& g = o.caps.gr;
    caps.push_back(capability::kGracefulRestart);
    caps.push_back(static_cast<std::uint8_t>(2 + 4 * g.families.size()));
    caps.push_back(static_cast<std::uint8_t>((g.restarting ? 0x80 : 0) | (g.notification ? 0x40 : 0) |
                                             ((g.restart_time >> 8) & 0x0f)));
    caps.push_back(static_cast<std::uint8_t>(g.restart_time));
    for (const auto& f : g.families) {
      caps.push_back(static_cast<std::uint8_t>(f.afi >> 8));
      caps.push_back(static_cast<std::uint8_t>(f.afi));
      caps.push_back(f.safi);
      caps.push_back(f.forwarding_preserved ? 0x80 : 0);
    }
  }
  std::vector<std::uint8_t> m(kHeaderSize + 10);
  m[kHeaderSize] = o.version;
  store_u16(&m[kHeaderSize + 1], o.my_as);
  store_u16(&m[kHeaderSize + 3], o.hold_time);
  store_u32(&m[kHeaderSize + 5], o.bgp_id);
  m[kHeaderSize + 9] = static_cast<std::uint8_t>(caps.empty() ? 0 : caps.size() + 2);
  if (!caps.empty()) {
    m.push_back(2);  // capabilities parameter
    m.push_back(static_cast<std::uint8_t>(caps.size()));
    m.insert(m.end(), caps.begin(), caps.end());
  }
  encode_header(m.data(), static_cast<std::uint16_t>(m.size()), MessageType::Open);
  return m;
}

Negotiated negotiate(const Open& local, const Open& remote) {
  Negotiated n;
  n.four_octet_as = local.caps.four_octet_as.has_value() && remote.caps.four_octet_as.has_value();
  n.extended_message = local.caps.extended_message && remote.caps.extended_message;
  n.route_refresh = local.caps.route_refresh && remote.caps.route_refresh;
  n.hold_time = std::min(local.hold_time, remote.hold_time);
  for (const auto& f : local.caps.multiprotocol)
    if (remote.caps.supports(f.first, f.second)) n.families.push_back(f);
  if (local.caps.multiprotocol.empty() && remote.caps.supports(1, 1)) n.families.emplace_back(1, 1);
  for (const auto& mine : local.caps.add_path) {
    if (!mine.receive) continue;
    for (const auto& theirs : remote.caps.add_path)
      if (theirs.afi == mine.afi && theirs.safi == mine.safi && theirs.send) n.add_path_rx.push_back(mine);
  }
  if (local.caps.graceful_restart && remote.caps.graceful_restart) n.peer_graceful_restart = remote.caps.gr;
  return n;
}

}  // namespace bgpfa::wire
