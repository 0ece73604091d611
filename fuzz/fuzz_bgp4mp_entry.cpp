// libFuzzer: one BGP4MP_ENTRY record body (OpenBGPD's table-mp) through the decoder, then framed
// as a record through the MRT decoder and both renderers; the first byte picks BGP4MP or _ET.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "app/cli/mrt_decoder.hpp"
#include "app/render/bgpdump_format.hpp"
#include "app/render/json_format.hpp"
#include "bgp/mrt/bgp4mp.hpp"
#include "fuzz/memory_source.hpp"

namespace {
int devnull() {
  static int fd = ::open("/dev/null", O_WRONLY);
  return fd;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bgpfa;
  if (size < 1 || size > (1u << 20)) return 0;
  const bool et = data[0] & 1;
  const wire::Bytes body(data + 1, size - 1);

  mrt::Record r;
  r.header.seconds = 1444843446;
  r.header.type = 16;
  r.header.subtype = mrt::bgp4mp::kEntry;
  r.header.length = static_cast<std::uint32_t>(body.size());
  r.body = body;
  if (auto e = mrt::decode_bgp4mp_entry(r)) {
    // The attributes end the body; the prefix fits its family.
    if (e->attributes_offset + e->attributes.size() != body.size()) std::abort();
    if (e->interpreted() && e->prefix.length > (e->afi == 1 ? 32 : 128)) std::abort();
  }

  std::vector<std::uint8_t> stream(12);
  wire::store_u32(stream.data(), 1444843446);
  wire::store_u16(stream.data() + 4, et ? 17 : 16);
  wire::store_u16(stream.data() + 6, mrt::bgp4mp::kEntry);
  wire::store_u32(stream.data() + 8, static_cast<std::uint32_t>(body.size() + (et ? 4 : 0)));
  if (et) stream.insert(stream.end(), {0, 0, 0, 1});
  stream.insert(stream.end(), body.begin(), body.end());
  for (int json = 0; json < 2; ++json) {
    app::OutBuffer out(devnull(), 4096);
    std::unique_ptr<app::DumpSink> sink;
    if (json) sink = std::make_unique<app::JsonFormat>(out);
    else sink = std::make_unique<app::BgpdumpFormat>(out, app::BgpdumpOptions{false, true, true, true, true});
    mrt::Reader reader(std::make_unique<fuzz::MemorySource>(stream.data(), stream.size()), "fuzz", 4096);
    app::MrtDecoder decoder(*sink, "fuzz", true, /*silent=*/true);
    reader.on_error = [&](const mrt::ReadError& e) { decoder.read_error(e); };
    mrt::Record rec;
    while (reader.next(rec)) decoder.record(rec);
  }
  return 0;
}
