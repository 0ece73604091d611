// ListPaths' batches read in place on the client's side (no protobuf types: it reads the wire
// format itself, so it also serves the fuzz target without the gRPC libraries).
#pragma once
#include <cstdint>
#include <functional>
#include <string_view>

namespace bgpfa::app {

// The client's side: what `bgpfa paths` prints of each Path of a PathBatch's bytes, read in place
// (views into the bytes) instead of parsed into messages: protobuf's parser, with its UTF-8
// checks and a string per field, is most of a large listing's client CPU. Singular fields read
// last-wins and unknown fields are skipped, as protobuf reads them.
struct GatewayBestView {
  bool present = false;
  std::string_view role, as_path, next_hop, reason;
  std::uint64_t candidates = 0;
};
struct PathView {
  std::string_view bytes;  // the whole Path, for what this view does not hold (candidates)
  std::string_view prefix, text, covering_prefix, first_circuit;
  std::uint64_t kind = 0;
  GatewayBestView expressroute, vpn;
  bool has_candidates = false;
};
// Calls `each` for every path in order; false when the bytes are not a PathBatch (the paths
// before the damage were given).
[[nodiscard]] bool for_each_path(std::string_view batch, const std::function<void(const PathView&)>& each);

}  // namespace bgpfa::app
