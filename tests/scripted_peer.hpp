// Test helper: a BGP peer scripted message by message over a blocking Asio socket.
#pragma once
#include <poll.h>

#include <cstdint>
#include <optional>
#include <vector>

#include <catch2/catch.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "bgp/wire/attribute.hpp"
#include "bgp/wire/header.hpp"
#include "bgp/wire/notification.hpp"
#include "bgp/wire/open.hpp"
#include "bgp/wire/update.hpp"

namespace bgpfa::test {

struct Message {
  wire::MessageType type{};
  std::vector<std::uint8_t> body;
};

// Blocking reads after waiting at most 5 s for data; nullopt on EOF or timeout.
inline std::optional<Message> read_message(boost::asio::ip::tcp::socket& s) {
  pollfd p{s.native_handle(), POLLIN, 0};
  if (::poll(&p, 1, 5000) != 1) return std::nullopt;
  std::uint8_t header[wire::kHeaderSize];
  boost::system::error_code ec;
  boost::asio::read(s, boost::asio::buffer(header), ec);
  if (ec) return std::nullopt;
  auto h = wire::decode_header(wire::Bytes(header, sizeof header), false);
  REQUIRE(h.ok());
  Message m{h->type, std::vector<std::uint8_t>(h->length - wire::kHeaderSize)};
  boost::asio::read(s, boost::asio::buffer(m.body), ec);
  if (ec) return std::nullopt;
  return m;
}

inline void send(boost::asio::ip::tcp::socket& s, const std::vector<std::uint8_t>& m) {
  boost::asio::write(s, boost::asio::buffer(m));
}

inline void expect(boost::asio::ip::tcp::socket& s, wire::MessageType type) {
  auto m = read_message(s);
  REQUIRE(m);
  CHECK(m->type == type);
}

inline std::vector<std::uint8_t> peer_open(std::uint32_t id, bool graceful_restart, std::uint32_t asn = 65001) {
  wire::Open o;
  o.my_as = static_cast<std::uint16_t>(asn);
  o.hold_time = 90;
  o.bgp_id = id;
  o.caps.four_octet_as = asn;
  o.caps.graceful_restart = graceful_restart;
  o.caps.gr.restart_time = 120;
  return wire::encode_open(o);
}

// 10.<i>.0.0/16, origin IGP, AS path <asn>, next hop 127.0.0.1.
inline std::vector<std::uint8_t> route_update(std::uint8_t i, std::uint32_t asn = 65001) {
  std::vector<std::uint8_t> a;
  std::uint8_t path[6] = {2, 1};
  wire::store_u32(path + 2, asn);
  const std::uint8_t origin = 0, nh[] = {127, 0, 0, 1}, nlri[] = {16, 10, i};
  wire::encode_attribute(a, 1, wire::Bytes(&origin, 1));
  wire::encode_attribute(a, 2, path);
  wire::encode_attribute(a, 3, nh);
  return wire::encode_update({}, a, nlri);
}

inline std::vector<std::uint8_t> keepalive() {
  std::vector<std::uint8_t> m(wire::kHeaderSize);
  wire::encode_header(m.data(), wire::kHeaderSize, wire::MessageType::Keepalive);
  return m;
}

}  // namespace bgpfa::test
