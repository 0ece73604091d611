// `mrt dump` of one file in the bgpdump text on worker threads. The records are cut into
// batches of about `batch_bytes` (copied out of the reader), each batch is decoded and rendered
// by the next free worker (its own MrtDecoder and BgpdumpFormat) into a text of its own, and the
// texts, and each batch's stderr messages, are written in file order: the output is what one
// thread makes. For that text the records are independent but for two things, both handled
// here: the PEER_INDEX_TABLE in force (handed to each batch) and the once-per-file mislabelled
// ADD-PATH warning (dropped when an earlier batch gave it). Not for -p (a running packet
// index), the JSON format or a progress line.
#pragma once
#include <cstddef>
#include <string_view>

#include "app/cli/mrt_decoder.hpp"
#include "app/render/bgpdump_format.hpp"
#include "app/render/out_buffer.hpp"
#include "bgp/mrt/reader.hpp"

namespace bgpfa::app {

struct ParallelDumpOptions {
  unsigned workers = 2;
  std::size_t batch_bytes = 128 << 10;  // of MRT records
  bool quiet = false;
  BgpdumpOptions format;
};

// How many worker threads pay now: the cores no other process is running on, from the
// instantaneous count of running processes in /proc/stat, when the 1-minute load average also
// leaves a core free (0 or 1: decode on one thread). On a busy machine a second decoding thread
// only adds its overhead (batch copies, texts held in memory, a tail cache each, hand-overs:
// 15-25 % more CPU time for the same work).
[[nodiscard]] unsigned idle_dump_workers(unsigned max_workers);
// The procs_running figure of a /proc/stat text (0 when absent).
[[nodiscard]] unsigned procs_running(std::string_view proc_stat);
// The 1-minute load average, the first figure of a /proc/loadavg text (0 when absent).
[[nodiscard]] double load_average(std::string_view proc_loadavg);

// Reads `reader` to its end (framing errors and a decompression failure are reported where
// they happen in the file's order). `file_decoder` gets the batches' error and mislabelled
// counts (for its errors() and finish()); its own decoding state is not used.
void dump_parallel(mrt::Reader& reader, MrtDecoder& file_decoder, OutBuffer& out, const ParallelDumpOptions& opt);

}  // namespace bgpfa::app
