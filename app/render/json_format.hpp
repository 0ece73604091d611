// `bgpfa mrt dump --json`: one JSON object per route or event, every field typed.
#pragma once
#include <string>

#include "app/render/dump_sink.hpp"
#include "app/render/out_buffer.hpp"

namespace bgpfa::app {

class JsonFormat final : public DumpSink {
 public:
  explicit JsonFormat(OutBuffer& out) : out_(out) {}
  void table_dump(const mrt::Record& r, const mrt::TableDumpRoute& t, const wire::PathAttributes& a) override;
  void rib_entry(const mrt::Record& r, const mrt::Rib& rib, const mrt::RibEntry& e, const mrt::PeerEntry& peer,
                 const wire::PathAttributes& a) override;
  void bgp4mp_entry(const mrt::Record& r, const mrt::Bgp4mpEntry& e, const wire::PathAttributes& a) override;
  void state_change(const mrt::Record& r, const mrt::StateChange& s, bool mrtd) override;
  void update(const UpdateInfo& u) override;
  void other_message(const mrt::Record& r, const mrt::Bgp4mpMessage& m, wire::MessageType type,
                     wire::Bytes body) override;
  void peer_index_table(const mrt::Record& r, const mrt::PeerIndexTable& t) override;

  // The "attributes" object for one attribute set (exposed for tests).
  [[nodiscard]] static std::string attributes_json(const wire::PathAttributes& a, bool four_octet_as);

 private:
  void begin(const mrt::Record& r, const char* kind);
  OutBuffer& out_;
  std::string line_;
  std::string attrs_;
};

}  // namespace bgpfa::app
