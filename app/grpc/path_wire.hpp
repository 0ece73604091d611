// ListPaths' rows written straight into protobuf's wire format. Building a v1::Path per row and
// serializing it costs more than building the row: this writes the same bytes from the row
// itself, and encodes what rows share (the active path: kind, interned carrying set, text) once
// per set. The bytes equal v1::Path::SerializeAsString() of to_proto(row) (tested), so every
// protobuf client reads them as the Path they are.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <absl/container/flat_hash_map.h>

#include "analyzer/report.hpp"
#include "app/grpc/convert.hpp"

namespace bgpfa::app {

class PathWire {
 public:
  // Appends `row` to `batch` as one `paths` entry (field 1) of a v1::PathBatch.
  void append(std::string& batch, const analyzer::PrefixRow& row, const Names& names);
  // Appends a built Path (rows with candidates) the same way.
  static void append(std::string& batch, const v1::Path& path);

 private:
  struct Active {
    std::string head;  // kind, carrying, via_covering (fields 3-5)
    std::string text;  // field 9
  };
  [[nodiscard]] const Active& active(const analyzer::ActivePath& p, const Names& names);
  // Interned carrying sets never change: a set's bytes stay right for the stream's life.
  absl::flat_hash_map<std::uint32_t, Active> active_;
  Active uncached_;   // a set newer than the names (encoded each time)
  std::string path_;  // the row being written, before its length is known
};

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
