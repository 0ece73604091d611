// Analyzer results to their protobuf messages (bgpfa.proto).
#pragma once
#include <string>
#include <vector>

#include "analyzer/report.hpp"
#include "bgpfa.pb.h"

namespace bgpfa::app {

void to_proto(const analyzer::ActivePath& p, const std::vector<std::string>& circuits, v1::ActivePath& out);
void to_proto(const analyzer::PrefixRow& r, const std::vector<std::string>& circuits, v1::PrefixPath& out);
void to_proto(const analyzer::PeerSummary& s, const std::string& state, std::size_t stale_routes, v1::Peer& out);
void to_proto(const analyzer::WhatIf& w, const std::vector<std::string>& circuits, v1::WhatIfResponse& out);
void to_proto(const analyzer::Event& e, std::uint64_t sequence, const std::vector<std::string>& circuits, v1::Event& out);

}  // namespace bgpfa::app
