// bgpdump 1.6 one-line output (-m / -M), byte for byte, quirks included (see bgpdump_format.cpp).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/render/dump_sink.hpp"
#include "app/render/out_buffer.hpp"

namespace bgpfa::app {

struct BgpdumpOptions {
  bool human_time = false;       // -M: MM/DD/YY HH:MM:SS and short announcement lines
  bool change_time = false;      // -t change: RIB lines carry the route's origination time
  bool packet_index = false;     // -p
  bool large_communities = false;  // -l
  bool unknown_attributes = false; // -u
};

class BgpdumpFormat final : public DumpSink {
 public:
  BgpdumpFormat(OutBuffer& out, BgpdumpOptions opt) : out_(out), opt_(opt) {}
  void table_dump(const mrt::Record& r, const mrt::TableDumpRoute& t, const wire::PathAttributes& a) override;
  void rib_entry(const mrt::Record& r, const mrt::Rib& rib, const mrt::RibEntry& e, const mrt::PeerEntry& peer,
                 const wire::PathAttributes& a) override;
  void bgp4mp_entry(const mrt::Record& r, const mrt::Bgp4mpEntry& e, const wire::PathAttributes& a) override;
  void state_change(const mrt::Record& r, const mrt::StateChange& s, bool mrtd) override;
  void update(const UpdateInfo& u) override;
  void other_message(const mrt::Record&, const mrt::Bgp4mpMessage&, wire::MessageType, wire::Bytes) override {}
  void peer_index_table(const mrt::Record&, const mrt::PeerIndexTable&) override {}
  bool table_dump_cached(const mrt::Record& r, const mrt::TableDumpRoute& t) override;
  bool rib_entry_cached(const mrt::Record& r, const mrt::Rib& rib, const mrt::RibEntry& e,
                        const mrt::PeerEntry& peer) override;

  // bgpdump's text for an AS path (AS4_PATH merged its own way); exposed for tests.
  [[nodiscard]] static std::string as_path_text(const wire::PathAttributes& a, bool four_octet_as);
  static void as_path_text(const wire::PathAttributes& a, bool four_octet_as, std::string& out);
  // The same at buf (kPathTextRoom bytes); returns the end.
  static constexpr std::size_t kPathTextRoom = 8064;
  static char* as_path_into(const wire::PathAttributes& a, bool four_octet_as, char* buf);

 private:
  void line_start(const char* format, std::uint32_t seconds, std::uint32_t usec, bool et, const char* kind);
  void time_text(std::uint32_t seconds, std::uint32_t usec, bool et);
  // format (<= 18), index (<= 20), time (<= 24), kind (<= 5), four '|'
  static constexpr std::size_t kHeadMax = 160;
  // "format|[index|]time|kind|" at p (time_text() done), kHeadMax bytes at most; returns the end.
  char* put_head(char* p, std::string_view format, std::string_view kind) const;
  // aggregator_by_length: a 2-octet record whose AGGREGATOR may hold a 4-octet ASN (BGP4MP_ENTRY).
  void attribute_texts(const wire::PathAttributes& a, bool four_octet_as, bool aggregator_by_length = false);
  enum class TailKind : std::uint8_t { TableDumpV4, TableDumpV6, TableDumpV2, Bgp4mpEntry };
  // add_path: the decoding context's (it changes how MP_REACH_NLRI decodes).
  const std::string& rib_tail(const wire::PathAttributes& a, bool four_octet_as, TailKind kind, bool add_path);
  void append_tail_after_next_hop(std::string& s, const wire::PathAttributes& a);
  char* put_tail_after_next_hop(char* p, const wire::PathAttributes& a) const;
  void table_dump_line(const mrt::Record& r, const mrt::TableDumpRoute& t, const std::string& tail);
  void rib_entry_line(const mrt::Record& r, const mrt::Rib& rib, const mrt::RibEntry& e, const mrt::PeerEntry& peer,
                      const std::string& tail);

  struct TailCacheEntry {
    bool valid = false;
    bool clean = false;       // the block decoded with no problem at all
    std::uint8_t variant = 0;  // tail_variant(): what else the text depends on
    std::uint64_t hash = 0;
    std::vector<std::uint8_t> key;
    std::string text;
  };
  static std::uint8_t tail_variant(TailKind kind, bool four_octet_as, bool add_path) noexcept {
    return static_cast<std::uint8_t>(static_cast<unsigned>(kind) | (four_octet_as ? 4u : 0u) | (add_path ? 8u : 0u));
  }
  // The cache slot of a block; `hit`: it holds that block's text.
  TailCacheEntry& tail_slot(wire::Bytes block, std::uint8_t variant, bool& hit);
  std::vector<TailCacheEntry> tail_cache_;  // sized on first use: RIB dumps only
  // bgpdump's text of recent distinct COMMUNITIES values: an update stream repeats a handful
  // (64 distinct ones in the 89 k UPDATEs of updates.et-header.2015.gz). Direct-mapped, 256 slots.
  struct CommunityText {
    bool valid = false;
    std::vector<std::uint8_t> key;
    std::string text;
  };
  const std::string& community_text_cached(wire::Bytes communities);
  std::vector<CommunityText> community_cache_;  // sized on first use
  const char* head_format_ = nullptr;
  const char* head_kind_ = nullptr;
  std::uint32_t head_seconds_ = 0, head_usec_ = 0;
  bool head_et_ = false;
  std::uint64_t head_index_ = ~0ull;
  static char* put_pref_med(char* p, const wire::PathAttributes& a, bool signed_fmt);
  // One line per prefix of `field`: head, prefix, then "|[path id|]" + tail, or for a
  // withdrawal (tail == nullptr) "[|path id]\n".
  void prefix_lines(std::string_view head, wire::Bytes field, wire::Afi afi, bool add_path,
                    const std::string_view* tail);
  std::unique_ptr<char[]> tail_buf_;  // update(): the tail after "prefix|", written in place
  std::size_t tail_cap_ = 0;
  std::uint32_t time_seconds_ = 0, time_usec_ = 0;
  bool time_et_ = false;
  char time_buf_[48]{};
  std::uint8_t time_len_ = 0, time_seconds_len_ = 0;

  OutBuffer& out_;
  BgpdumpOptions opt_;
  // Per attribute set, rebuilt for each record or RIB entry.
  std::unique_ptr<char[]> as_path_buf_ = std::make_unique_for_overwrite<char[]>(kPathTextRoom);
  std::string_view as_path_;  // in as_path_buf_
  std::string communities_;
  std::string large_communities_;
  std::string aggregator_;
  std::string unknown_;
  std::string head_;
  // update(): a line head with the peer columns, built in place.
  struct LineHead {
    char text[kHeadMax + 64];
    std::size_t size = 0;
    [[nodiscard]] std::string_view view() const noexcept { return {text, size}; }
  };
  LineHead head_w4_, head_w6_, head_a_;
};

}  // namespace bgpfa::app
