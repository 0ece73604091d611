// A generated table for the analyzer's benchmarks: n /24s under /16s under /8s over both links of
// an ExpressRoute circuit and a VPN gateway.
#pragma once
#include <cstddef>
#include <memory>

#include "analyzer/analyzer.hpp"

namespace bgpfa::bench {

// Both ExpressRoute links (peers 0, 1) carry the /8s and most /24s, the VPN (peer 2) the /16s
// and every fourth /24 alone (VPN more specific than ExpressRoute: findings walk covers).
[[nodiscard]] std::unique_ptr<analyzer::Analyzer> loaded_analyzer(std::size_t n);

}  // namespace bgpfa::bench
