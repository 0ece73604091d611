// The RIB as an MRT TABLE_DUMP_V2 snapshot (RFC 6396 4.3): every configured peer's routes as the
// analyzer holds them, readable by `bgpfa mrt dump`, bgpdump and other MRT tools.
#pragma once
#include <cstdint>
#include <string>

#include "analyzer/analyzer.hpp"

namespace bgpfa::app {

// Written to PATH.tmp, then renamed over PATH (readers never see half a snapshot). Prefixes in
// address order, IPv4 first. Returns an error message, empty on success.
[[nodiscard]] std::string write_rib_snapshot(const analyzer::Analyzer& a, const std::string& path, std::uint32_t time,
                                             std::uint32_t collector_id);

}  // namespace bgpfa::app
