// ListPaths' rows written straight into protobuf's wire format. Building a v1::Path per row and
// serializing it costs more than building the row: this writes the same bytes from the row
// itself, and encodes what rows share (the active path: kind, interned carrying set, text) once
// per set. The bytes equal v1::Path::SerializeAsString() of to_proto(row) (tested), so every
// protobuf client reads them as the Path they are.
#pragma once
#include <cstdint>
#include <string>

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

}  // namespace bgpfa::app
