// libFuzzer: whole BGP messages as a session reads them: header, then OPEN (capabilities, graceful
// restart families included), NOTIFICATION (RFC 9003 text) or UPDATE; a decoded OPEN is
// re-encoded, decoded again and negotiated against bgpfa's own.
#include <cstddef>
#include <cstdint>

#include "bgp/wire/header.hpp"
#include "bgp/wire/notification.hpp"
#include "bgp/wire/open.hpp"
#include "bgp/wire/update.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bgpfa::wire;
  if (size < 1) return 0;
  const bool extended = data[0] & 1;
  const Bytes in(data + 1, size - 1);
  auto h = decode_header(in, extended);
  if (!h || h->length > in.size()) return 0;
  const Bytes body = in.subspan(kHeaderSize, h->length - kHeaderSize);
  switch (h->type) {
    case MessageType::Open: {
      auto o = decode_open(body, kHeaderSize);
      if (!o) return 0;
      const auto again = encode_open(o.value());
      if (auto back = decode_open(Bytes(again).subspan(kHeaderSize)); back) {
        Open mine;
        mine.caps.multiprotocol = {{1, 1}, {2, 1}};
        mine.caps.graceful_restart = true;
        mine.caps.four_octet_as = 65515;
        (void)negotiate(mine, back.value());
      }
      return 0;
    }
    case MessageType::Notification:
      if (auto n = decode_notification(body)) (void)n->describe();
      return 0;
    case MessageType::Update: {
      DecodeContext ctx;
      ctx.four_octet_as = data[0] & 2;
      Update u;
      if (!decode_update(body, ctx, u)) (void)u.is_end_of_rib();
      return 0;
    }
    default: return 0;
  }
}
