// One decoded UPDATE into the analyzer: the same for replayed and live messages.
#pragma once
#include <cstdint>
#include <string>

#include "analyzer/analyzer.hpp"
#include "bgp/wire/update.hpp"

namespace bgpfa::feed {

// Withdrawals, then announcements (one interned attribute set), of one UPDATE from `peer`;
// `ctx` says per family whether NLRI carry path identifiers.
void feed_update(analyzer::Analyzer& a, std::uint64_t t, int peer, const wire::Update& u,
                 const wire::DecodeContext& ctx, bool withdraw_all, const std::string& cause);

}  // namespace bgpfa::feed
