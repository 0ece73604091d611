// What `bgpfa mrt dump` hands to an output format, one call per decoded record or route.
#pragma once
#include <cstdint>

#include "bgp/mrt/bgp4mp.hpp"
#include "bgp/mrt/table_dump.hpp"
#include "bgp/mrt/table_dump_v2.hpp"
#include "bgp/wire/attribute.hpp"
#include "bgp/wire/header.hpp"
#include "bgp/wire/update.hpp"

namespace bgpfa::app {

struct UpdateInfo {
  const mrt::Record& record;
  const mrt::Bgp4mpPeer& peer;
  bool local = false;      // sent by the recorded speaker
  bool add_path = false;   // as decoded (after any ADD-PATH relabelling)
  bool four_octet_as = false;
  const wire::Update& update;
  bool withdraw_all = false;  // RFC 7606 treat-as-withdraw: every prefix becomes a withdrawal
  bool mrtd = false;          // the deprecated MRTD BGP type (5)
};

class DumpSink {
 public:
  virtual ~DumpSink() = default;
  virtual void table_dump(const mrt::Record& r, const mrt::TableDumpRoute& t, const wire::PathAttributes& a) = 0;
  virtual void rib_entry(const mrt::Record& r, const mrt::Rib& rib, const mrt::RibEntry& e, const mrt::PeerEntry& peer,
                         const wire::PathAttributes& a) = 0;
  // A BGP4MP_ENTRY route (2-octet ASNs; its next hop is in `a`, as NEXT_HOP or MP_REACH_NLRI).
  virtual void bgp4mp_entry(const mrt::Record& r, const mrt::Bgp4mpEntry& e, const wire::PathAttributes& a) = 0;
  virtual void state_change(const mrt::Record& r, const mrt::StateChange& s, bool mrtd) = 0;
  virtual void update(const UpdateInfo& u) = 0;
  // OPEN, NOTIFICATION, KEEPALIVE, ROUTE-REFRESH: bgpdump's one-line modes print nothing for them.
  virtual void other_message(const mrt::Record& r, const mrt::Bgp4mpMessage& m, wire::MessageType type,
                             wire::Bytes body) = 0;
  virtual void peer_index_table(const mrt::Record& r, const mrt::PeerIndexTable& t) = 0;
  // A sink that can render a RIB route from the bytes of its attribute block alone (they
  // decoded cleanly before, in the same context) does so here and returns true: MrtDecoder
  // then skips decoding the block.
  virtual bool table_dump_cached(const mrt::Record&, const mrt::TableDumpRoute&) { return false; }
  virtual bool rib_entry_cached(const mrt::Record&, const mrt::Rib&, const mrt::RibEntry&, const mrt::PeerEntry&) {
    return false;
  }
  // Records bgpdump would have parsed (its -p packet index counts only those).
  std::uint64_t packet_index = 0;
};

}  // namespace bgpfa::app
