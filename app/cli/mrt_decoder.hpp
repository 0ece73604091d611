// Decodes MRT records (errors reported with file, record, offset, peer; RFC 7606 handling;
// ADD-PATH mislabel detection) and hands the results to a DumpSink. Shared by `mrt dump` and
// `replay`.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "app/render/dump_sink.hpp"
#include "bgp/mrt/reader.hpp"
#include "bgp/mrt/table_dump_v2.hpp"

namespace bgpfa::app {

// A decoder's stderr messages held back (a dump worker's batch, printed in file order later).
struct DecoderMessages {
  std::string text;
  // Where the once-per-file "mislabelled ADD-PATH" warning is in `text`: it is dropped when an
  // earlier batch gave it already.
  std::size_t first_mislabel_at = 0, first_mislabel_size = 0;
  void clear() noexcept {
    text.clear();
    first_mislabel_at = first_mislabel_size = 0;
  }
};

class MrtDecoder {
 public:
  // quiet: errors only; silent: count errors without printing (fuzzing).
  MrtDecoder(DumpSink& sink, std::string file, bool quiet, bool silent = false);
  ~MrtDecoder();
  MrtDecoder(MrtDecoder&&) noexcept;
  void record(const mrt::Record& r);
  void read_error(const mrt::ReadError& e);
  void finish();  // end of file: summary warnings
  [[nodiscard]] std::uint64_t errors() const noexcept;

  // For a dump worker: messages go to `into` (nullptr: stderr again).
  void collect_messages(DecoderMessages* into) noexcept;
  // A batch of a file starts with `peers` the PEER_INDEX_TABLE in force there (nullptr: none
  // yet); the error and mislabelled-record counts restart from 0.
  void start_batch(std::shared_ptr<const mrt::PeerIndexTable> peers);
  [[nodiscard]] std::uint64_t mislabelled() const noexcept;
  // A worker's batch counted into this (the file's) decoder, for errors() and finish().
  void add_counts(std::uint64_t errors, std::uint64_t mislabelled) noexcept;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bgpfa::app
