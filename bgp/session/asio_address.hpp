// wire::IpAddress <-> Asio addresses (IPv4-mapped IPv6 addresses become IPv4).
#pragma once
#include <algorithm>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "bgp/wire/ip.hpp"

namespace bgpfa::session {

[[nodiscard]] inline wire::IpAddress from_asio(const boost::asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return from_asio(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6()));
  wire::IpAddress out;
  if (a.is_v4()) {
    const auto b = a.to_v4().to_bytes();
    out.afi = wire::Afi::Ipv4;
    std::copy(b.begin(), b.end(), out.octets.begin());
  } else {
    const auto b = a.to_v6().to_bytes();
    out.afi = wire::Afi::Ipv6;
    std::copy(b.begin(), b.end(), out.octets.begin());
  }
  return out;
}

[[nodiscard]] inline boost::asio::ip::address to_asio(const wire::IpAddress& a) {
  if (a.afi == wire::Afi::Ipv4) {
    boost::asio::ip::address_v4::bytes_type b;
    std::copy_n(a.octets.begin(), 4, b.begin());
    return boost::asio::ip::address_v4(b);
  }
  boost::asio::ip::address_v6::bytes_type b;
  std::copy_n(a.octets.begin(), 16, b.begin());
  return boost::asio::ip::address_v6(b);
}

}  // namespace bgpfa::session
