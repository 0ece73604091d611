// libFuzzer: a whole MRT stream through the reader, the record decoders and both renderers.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>

#include "app/cli/mrt_decoder.hpp"
#include "app/render/bgpdump_format.hpp"
#include "app/render/json_format.hpp"
#include "fuzz/memory_source.hpp"

namespace {
int devnull() {
  static int fd = ::open("/dev/null", O_WRONLY);
  return fd;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bgpfa;
  for (int json = 0; json < 2; ++json) {
    app::OutBuffer out(devnull(), 4096);
    std::unique_ptr<app::DumpSink> sink;
    if (json) sink = std::make_unique<app::JsonFormat>(out);
    else sink = std::make_unique<app::BgpdumpFormat>(out, app::BgpdumpOptions{false, false, true, true, true});
    mrt::Reader reader(std::make_unique<fuzz::MemorySource>(data, size), "fuzz", 4096);
    app::MrtDecoder decoder(*sink, "fuzz", true, /*silent=*/true);
    reader.on_error = [&](const mrt::ReadError& e) { decoder.read_error(e); };
    mrt::Record r;
    while (reader.next(r)) decoder.record(r);
  }
  return 0;
}
