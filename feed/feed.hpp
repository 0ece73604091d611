// One stream of BGP events from any source — MRT replay or live sessions — into the RIBs and
// the analyzer. Replay and serve hand it the same things (messages as on the wire, state
// changes in RFC 6396 numbers), so a replay of a capture decides exactly what the live run did:
// the same triggers, with the same text, at the same times.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analyzer/analyzer.hpp"
#include "bgp/wire/header.hpp"
#include "bgp/wire/update.hpp"
#include "feed/initial_tables.hpp"
#include "feed/peer_lifecycle.hpp"
#include "feed/peer_stats.hpp"

namespace bgpfa::feed {

class Feed {
 public:
  explicit Feed(analyzer::Analyzer& a) : a_(a), lifecycle_(a), initial_(a) {}

  // The analyzer's index of a peer; -1 for one the configuration does not name (remembered in
  // unknown_peers(), so that the caller can summarise them once).
  [[nodiscard]] int peer_of(const wire::IpAddress& peer) { return peer_of(std::nullopt, peer); }
  // The session (gateway-side address, peer address); `local` unknown (or all zeros, as MRT
  // writes it when it does not know): the peer's first session.
  [[nodiscard]] int peer_of(const std::optional<wire::IpAddress>& local, const wire::IpAddress& peer);
  [[nodiscard]] const std::vector<std::string>& unknown_peers() const noexcept { return unknown_; }
  // How many peers the analyzer has: peer_of()'s answers hold while this is the same.
  [[nodiscard]] std::size_t peer_count() const noexcept { return a_.peers().size(); }
  // "er1 primary", "vpn 0": the role of a peer, as triggers and causes name it.
  [[nodiscard]] const std::string& role(int peer);

  // A session state change, RFC 6396 numbers (Idle = 1 ... Established = 6). True when the
  // session went down gracefully and the peer's routes are kept as stale.
  bool state_change(std::uint64_t t, int peer, int from, int to);
  // A decoded UPDATE received from the peer.
  void update(std::uint64_t t, int peer, const wire::Update& u, const wire::DecodeContext& ctx, bool withdraw_all);
  // Any other message body, received or sent by the recorded speaker (`local`): OPENs decide
  // graceful restart, NOTIFICATIONs are triggers, every received message is a sign of life.
  void control(std::uint64_t t, int peer, wire::MessageType type, wire::Bytes body, bool local);
  // A whole message as on the wire (live sessions): decoded, then update() or control().
  // `add_path` as MRT records it: the message's NLRI carry path identifiers.
  void message(std::uint64_t t, int peer, wire::Bytes whole, bool add_path, bool four_octet_as, bool local);
  // RIB dumps read before any update are the baseline (see Analyzer::begin_baseline) unless
  // events from the start are asked for.
  void baseline_from_dumps(bool on) noexcept { baseline_wanted_ = on; }
  void finish(std::uint64_t t) {  // end of input (a baseline of RIB dumps only ends here)
    flush();
    live(t);
    initial_.finish(t);
  }
  // The clock moved with no message (serve's tick): quiet periods end initial tables, episodes close.
  void advance(std::uint64_t t) {
    flush();
    initial_.advance(t);
    a_.advance(t);
  }
  // Each session's initial table is a baseline (InitialTables); off: every change makes episodes.
  void initial_tables(bool on) noexcept { initial_.enable(on); }
  // Called as each initial table ends (serve logs it).
  void on_initial_table(std::function<void(const analyzer::InitialTable&)> f) { initial_.on_done = std::move(f); }
  // A route from a RIB dump (TABLE_DUMP / TABLE_DUMP_V2). Routes are held, their attribute
  // identities built, and applied a batch at a time, each one's set and table slot prefetched a
  // few routes ahead: a dump's routes then run through interning and the analyzer back to back
  // instead of each between two records' decoding (1.14x on a bview's stage). Every other input
  // applies what is held first; a caller that reads the analyzer calls flush() before.
  void snapshot_route(std::uint64_t t, int peer, const wire::Prefix& p, std::uint32_t path_id,
                      const wire::PathAttributes& attrs, bool four_octet_as);
  // Applies the RIB-dump routes held, in the order they came.
  void flush() {
    if (held_) apply_held();  // every message in serve passes here: no call when nothing is held
  }
  // The replay's clock reaches `t`, the time of the next record: the analyzer's timers run.
  // Routes held from an earlier time are applied first; those of this very time need not be
  // (nothing the clock does at `t` depends on them: a quiet period is at least 1 us).
  void clock(std::uint64_t t) {
    if (holds_routes_before(t)) flush();
    a_.advance(t);
  }
  [[nodiscard]] bool holds_routes_before(std::uint64_t t) const noexcept { return held_ && held_routes_[held_ - 1].t != t; }

  // The session's gateway-side address as the connection has it (serve); all zeros: unknown.
  void saw_local(int peer, const wire::IpAddress& local) {
    if (std::any_of(local.octets.begin(), local.octets.end(), [](std::uint8_t b) { return b != 0; })) stats_.local_address(peer, local);
  }
  // An UPDATE the recorded speaker sent (replay): counted, not learned.
  void update_sent(std::uint64_t t, int peer) {
    flush();
    stats_.counted(t, peer, wire::MessageType::Update, true);
  }

  [[nodiscard]] const PeerLifecycle& lifecycle() const noexcept { return lifecycle_; }
  [[nodiscard]] const InitialTables& initial_tables() const noexcept { return initial_; }
  // States, OPENs, NOTIFICATIONs and message counts per peer (ListPeers).
  [[nodiscard]] const PeerStats& stats() const noexcept { return stats_; }
  // The UPDATE the last message() call decoded.
  [[nodiscard]] const wire::Update& last_update() const noexcept { return scratch_; }
  // The last message heard from each peer (µs; 0: none yet), KEEPALIVEs included.
  [[nodiscard]] std::uint64_t last_heard(int peer) const;
  // Per session, for monitoring: its last state (RFC 6396 numbers; 0: no state change seen),
  // since when it is Established (µs; 0: it is not), and the NOTIFICATIONs sent and received.
  struct SessionStats {
    int state = 0;
    std::uint64_t established_us = 0;
    std::uint64_t notifications_sent = 0, notifications_received = 0;
  };
  [[nodiscard]] SessionStats session_stats(int peer) const;

 private:
  void heard(std::uint64_t t, int peer);
  // A RIB-dump route not yet applied, with its attribute set's identity (~30 KB for 256).
  struct HeldRoute {
    std::uint64_t t = 0;
    int peer = 0;
    wire::Prefix prefix;
    std::uint32_t path_id = 0;
    rib::AttrStore::Identity attrs;
  };
  void apply_held();
  static constexpr std::size_t kHeld = 256;
  // How far ahead a held route's set and table slot are prefetched: far enough for a miss to
  // arrive (a route takes ~150 ns), near enough that the lines are still in L1 when used (16
  // measured no faster; no prefetch at all, 0.93x).
  static constexpr std::size_t kPrefetchAhead = 8;
  std::array<HeldRoute, kHeld> held_routes_;
  std::vector<analyzer::Analyzer::SnapshotRoute> prefix_routes_;  // apply_held's: one prefix's routes
  std::size_t held_ = 0;
  // The failure window of a session that ended at `t` without a message saying so.
  [[nodiscard]] analyzer::FailureWindow silent_failure(std::uint64_t t, int peer, bool hold_timer) const;
  struct Session {
    std::uint64_t last_heard_us = 0;
    bool keepalives = false;        // KEEPALIVEs from the peer were seen (the dump records them)
    std::uint16_t local_hold = 0, remote_hold = 0;  // from the OPENs; negotiated = the smaller
    // Unicast families each OPEN offered (rib::kFamily* bits; 0: no OPEN seen).
    std::uint8_t local_families = 0, remote_families = 0;
  };
  std::vector<Session> sessions_;
  Session& session(int peer);
  void live(std::uint64_t t);  // the first non-RIB record ends the baseline
  bool baseline_wanted_ = false;
  bool started_ = false;
  analyzer::Analyzer& a_;
  PeerLifecycle lifecycle_;
  InitialTables initial_;
  PeerStats stats_;
  std::vector<std::string> roles_;
  std::vector<analyzer::CauseId> snapshot_causes_;  // "RIB snapshot of ADDRESS (ROLE)" per peer
  std::vector<std::string> update_causes_;  // "UPDATE from ADDRESS (ROLE)" per peer
  [[nodiscard]] const std::string& update_cause(int peer);
  std::set<std::string> unknown_set_;
  // peer_of()'s last answer: RIB dumps give runs of one peer's routes. Peers are only ever
  // added, so the answer holds while their number is the same.
  struct PeerMemo {
    bool valid = false;
    std::optional<wire::IpAddress> local;
    wire::IpAddress ip;
    std::size_t peers = 0;
    int index = -1;
  } peer_memo_;
  std::vector<std::string> unknown_;
  wire::Update scratch_;
};

}  // namespace bgpfa::feed
