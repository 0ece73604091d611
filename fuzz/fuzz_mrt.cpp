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

namespace {
class MemorySource final : public bgpfa::mrt::ByteSource {
 public:
  MemorySource(const std::uint8_t* d, std::size_t n) : d_(d), n_(n) {}
  std::size_t read(std::uint8_t* dst, std::size_t n) override {
    const std::size_t k = std::min(n, n_ - pos_);
    std::memcpy(dst, d_ + pos_, k);
    pos_ += k;
    return k;
  }
  bgpfa::mrt::Compression compression() const noexcept override { return bgpfa::mrt::Compression::None; }
  std::uint64_t stored_size() const noexcept override { return n_; }
  std::uint64_t stored_consumed() const noexcept override { return pos_; }

 private:
  const std::uint8_t* d_;
  std::size_t n_, pos_ = 0;
};
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
    mrt::Reader reader(std::make_unique<MemorySource>(data, size), "fuzz", 4096);
    app::MrtDecoder decoder(*sink, "fuzz", true, /*silent=*/true);
    reader.on_error = [&](const mrt::ReadError& e) { decoder.read_error(e); };
    mrt::Record r;
    while (reader.next(r)) decoder.record(r);
  }
  return 0;
}
