#include "app/cli/mrt_dump.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "app/cli/mrt_decoder.hpp"
#include "app/cli/parallel_dump.hpp"
#include "app/render/json_format.hpp"
#include "bgp/mrt/reader.hpp"
#include "bgp/wire/header.hpp"

namespace bgpfa::app {

namespace {

// Returns 2 when the file cannot be opened, else 0 (record errors are counted by the decoder).
int dump_file(const std::string& path, DumpSink& sink, OutBuffer& out, const MrtDumpOptions& opt,
              std::uint64_t& errors) {
  // Records decode independently for the bgpdump text: idle cores decode and render batches of
  // them (in file order on the output) unless a running packet index or a progress line ties
  // the output to one thread. Counted before the reader's decompression thread starts.
  const unsigned idle = opt.json || opt.bgpdump.packet_index ? 0 : idle_dump_workers(2);
  std::optional<mrt::Reader> reader;
  try {
    reader.emplace(path);
  } catch (const std::exception& e) {
    fmt::print(stderr, "bgpfa: error: {}\n", e.what());
    return 2;
  }
  MrtDecoder decoder(sink, reader->name(), opt.quiet);
  reader->on_error = [&](const mrt::ReadError& e) { decoder.read_error(e); };
  const auto& src = reader->source();
  const bool compressed = src.compression() != mrt::Compression::None;
  Progress progress(reader->name(), src.stored_size(),
                    progress_wanted(opt.progress, ::isatty(STDERR_FILENO) == 1, compressed ? 0 : src.stored_size(),
                                    compressed ? src.stored_size() : 0));
  const unsigned workers = progress.on() ? 0 : idle;
  if (workers >= 2) {
    ParallelDumpOptions p;
    p.workers = workers;
    p.quiet = opt.quiet;
    p.format = opt.bgpdump;
    dump_parallel(*reader, decoder, out, p);
    decoder.finish();
    errors += decoder.errors();
    return 0;
  }
  mrt::Record r;
  try {
    while (reader->next(r)) {
      decoder.record(r);
      progress.record(r.index, [&] { return src.stored_consumed(); });
    }
  } catch (const std::exception& e) {  // decompression failure mid-file
    decoder.read_error(mrt::ReadError{reader->name(), r.index + 1, 0, e.what()});
  }
  progress.finish();
  decoder.finish();
  errors += decoder.errors();
  return 0;
}

}  // namespace

int run_mrt_dump(const MrtDumpOptions& opt) {
  int fd = STDOUT_FILENO;
  if (!opt.output.empty()) {
    fd = ::open(opt.output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
      fmt::print(stderr, "bgpfa: error: cannot open output file {}: {}\n", opt.output, std::strerror(errno));
      return 2;
    }
  }
  int status = 0;
  {
    OutBuffer out(fd);
    std::unique_ptr<DumpSink> sink;
    if (opt.json) sink = std::make_unique<JsonFormat>(out);
    else sink = std::make_unique<BgpdumpFormat>(out, opt.bgpdump);
    std::uint64_t errors = 0;
    for (const auto& f : opt.files) status = std::max(status, dump_file(f, *sink, out, opt, errors));
    if (errors && status == 0) status = 1;
    out.flush();
    if (out.failed() && errno != EPIPE) {
      fmt::print(stderr, "bgpfa: error: writing output failed: {}\n", std::strerror(errno));
      status = 2;
    }
  }
  if (fd != STDOUT_FILENO) ::close(fd);
  return status;
}

}  // namespace bgpfa::app
