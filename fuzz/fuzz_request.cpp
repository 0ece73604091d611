// libFuzzer: the strings of gRPC requests (GetPaths queries, WatchRequest.within, what-if
// targets): wire::parse_address / parse_prefix and Analyzer::match_peers. What parses must
// print and parse back to the same value, hold no NUL, and a prefix has no host bits.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "analyzer/analyzer.hpp"
#include "bgp/wire/ip.hpp"

namespace {

const bgpfa::analyzer::Analyzer& analyzer() {
  using namespace bgpfa;
  static const std::unique_ptr<analyzer::Analyzer> a = [] {
    analyzer::Policy p;
    p.circuits = {"er1"};
    p.weights = {100};
    analyzer::PeerRole primary, secondary, vpn;
    primary.address = *wire::parse_address("192.0.2.1");
    primary.circuit = 0;
    secondary.address = *wire::parse_address("2001:db8::2");
    secondary.circuit = 0;
    secondary.link = analyzer::Link::Secondary;
    vpn.address = *wire::parse_address("192.0.2.3");
    vpn.gateway = analyzer::Gateway::Vpn;
    return std::make_unique<analyzer::Analyzer>(p, std::vector<analyzer::PeerRole>{primary, secondary, vpn});
  }();
  return *a;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bgpfa::wire;
  const std::string s(reinterpret_cast<const char*>(data), size);
  if (auto a = parse_address(s)) {
    if (s.find('\0') != std::string::npos) std::abort();
    const std::string text = to_string(*a);
    if (parse_address(text) != a) std::abort();
  }
  if (auto p = parse_prefix(s)) {
    if (s.find('\0') != std::string::npos) std::abort();
    const unsigned max = p->address.afi == Afi::Ipv4 ? 32 : 128;
    if (p->length > max) std::abort();
    for (unsigned bit = p->length; bit < max; ++bit)
      if (p->address.octets[bit / 8] & (0x80u >> (bit % 8))) std::abort();
    if (parse_prefix(to_string(*p)) != p) std::abort();
  }
  const auto hit = analyzer().match_peers(s);
  for (int i : hit)
    if (i < 0 || i >= 3) std::abort();
  return 0;
}
