// One decoded UPDATE into the analyzer: the same for replayed and live messages.
#pragma once
#include <cstdint>
#include <string>

#include "analyzer/analyzer.hpp"
#include "bgp/wire/update.hpp"

namespace bgpfa::feed {

// The unicast family (rib::kFamily* bit) an End-of-RIB marker stands for; 0: not one.
[[nodiscard]] std::uint8_t end_of_rib_family(const wire::Update& u);

// Withdrawals, then announcements (one interned attribute set), of one UPDATE from `peer`;
// `ctx` says per family whether NLRI carry path identifiers.
void feed_update(analyzer::Analyzer& a, std::uint64_t t, int peer, const wire::Update& u,
                 const wire::DecodeContext& ctx, bool withdraw_all, const std::string& cause);

}  // namespace bgpfa::feed
