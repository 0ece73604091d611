// Gateway RIBs + Azure policy: the active path of every prefix, its changes as events, and
// convergence episodes, on a clock given by the inputs (MRT timestamps or receive times).
// The analyzer owns the state and applies inputs to it; the concerns are classes of their own:
// the topology (topology.hpp), Azure's decision per prefix (azure_rules.hpp), prefix limits
// (prefix_limits.hpp), graceful-restart timers (rib/stale_timers.hpp), episodes (episodes.hpp),
// and the read-only views: rows (rows.hpp), findings (findings.hpp), what-if (what_if.hpp).
#pragma once
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/active_path.hpp"
#include "analyzer/azure_rules.hpp"
#include "analyzer/causes.hpp"
#include "analyzer/episodes.hpp"
#include "analyzer/orphans.hpp"
#include "analyzer/policy.hpp"
#include "analyzer/prefix_limits.hpp"
#include "analyzer/report.hpp"
#include "analyzer/report_stream.hpp"
#include "analyzer/roles.hpp"
#include "analyzer/session_marks.hpp"
#include "analyzer/topology.hpp"
#include "rib/attr_store.hpp"
#include "rib/route_table.hpp"
#include "rib/stale_timers.hpp"

namespace bgpfa::analyzer {

class Analyzer {
 public:
  Analyzer(Policy policy, std::vector<PeerRole> peers);
  Analyzer(const Analyzer&) = delete;  // its parts refer to each other
  Analyzer& operator=(const Analyzer&) = delete;

  [[nodiscard]] int peer_index(const wire::IpAddress& a) const { return topo_.peer_index(a); }
  // The session (gateway-side address, peer address): see Topology::peer_index.
  [[nodiscard]] int peer_index(const std::optional<wire::IpAddress>& local, const wire::IpAddress& a) const {
    return topo_.peer_index(local, a);
  }
  [[nodiscard]] const std::vector<PeerRole>& peers() const noexcept { return topo_.peers(); }
  [[nodiscard]] const Topology& topology() const noexcept { return topo_; }

  // Inputs, in time order (µs since the epoch). `cause` names the message for events.
  [[nodiscard]] rib::AttrRef intern(const wire::PathAttributes& a, bool four_octet_as) { return store_.intern(a, four_octet_as); }
  [[nodiscard]] rib::AttrStore& attr_store() noexcept { return store_; }
  void announce(std::uint64_t t, int peer, const wire::Prefix& p, std::uint32_t path_id, const rib::AttrRef& attrs,
                const std::string& cause) {
    announce(t, peer, p, path_id, rib::AttrRef(attrs), cause_id(cause));
  }
  // The same with the cause's number (cause_id) and the set handed over: a RIB dump's routes
  // look up neither their cause's text nor touch the set's count twice.
  void announce(std::uint64_t t, int peer, const wire::Prefix& p, std::uint32_t path_id, rib::AttrRef attrs, CauseId cause);
  [[nodiscard]] CauseId cause_id(const std::string& cause) { return {causes_.id(cause)}; }
  // The routes of one prefix from one RIB-dump record (the same time): while the baseline lasts
  // no change is logged, so the prefix is decided once after all of them instead of once after
  // each (a prefix with n peers' routes took n decisions over 1, 2 ... n routes). The end state,
  // triggers and limits are those of announcing them one by one, as it does outside the baseline.
  struct SnapshotRoute {
    int peer = 0;
    std::uint32_t path_id = 0;
    rib::AttrRef attrs;
    CauseId cause;
    bool changed = false;  // set by announce_snapshot: the peer's route changed
  };
  void announce_snapshot(std::uint64_t t, const wire::Prefix& p, std::vector<SnapshotRoute>& routes);
  void withdraw(std::uint64_t t, int peer, const wire::Prefix& p, std::uint32_t path_id, const std::string& cause);
  void update_received(std::uint64_t t, int peer);
  // A prefix announce() or withdraw() will be given soon: its lookup starts now (see RouteTable).
  void prefetch(const wire::Prefix& p) const { table_.prefetch(rib::PrefixKey::from(p)); }
  // Graceful restart, receiving speaker (RFC 4724 4.2). A session that ended without a
  // NOTIFICATION, with a peer that advertised the capability, keeps the peer's routes of
  // `retain_families` (rib::kFamily* bits) as stale for `restart_time_s`; the rest are withdrawn.
  // When it comes back, stale routes of families the peer did not preserve go at once, and each
  // family's End-of-RIB (or the stale-path timer) withdraws what was not re-announced.
  void session_up(std::uint64_t t, int peer, const std::string& why, std::uint8_t preserved_families = 0);
  void session_down(std::uint64_t t, int peer, const std::string& why, std::uint8_t retain_families = 0,
                    std::uint32_t restart_time_s = 0, const FailureWindow* window = nullptr);
  void end_of_rib(std::uint64_t t, int peer, std::uint8_t families, const std::string& why);
  [[nodiscard]] std::size_t stale_routes(int peer) const { return table_.stale_routes(static_cast<std::uint16_t>(peer)); }
  // How long stale routes wait for End-of-RIB once the session is back (FRR's stalepath-time).
  static constexpr std::uint64_t kStalePathTimeUs = 360'000'000;
  // A neighbour configured while running; returns its index. An ExpressRoute peer names its
  // circuit by index into policy().circuits: add_circuit() first when the circuit is new.
  int add_peer(PeerRole role);
  // A static VPN site's configured prefixes, as routes of its role (PeerRole::static_site).
  void install_static(int peer, const std::vector<wire::Prefix>& prefixes);
  int add_circuit(const std::string& name, int weight) { return topo_.add_circuit(name, weight); }
  [[nodiscard]] const Policy& policy() const noexcept { return topo_.policy(); }
  // NOTIFICATION, hold timer, BFD, mark; `peer` (-1: none) and `kind` place it on the timeline.
  void trigger(std::uint64_t t, const std::string& why, const FailureWindow* window = nullptr, int peer = -1,
               SessionMark::Kind kind = SessionMark::Kind::Other);
  // RIB dumps before the first update are the starting state, not convergence: while the
  // baseline lasts, routes change the active paths without events or episodes.
  void begin_baseline(std::uint64_t t) {
    baseline_ = true;
    baseline_info_.start_us = t;
  }
  void end_baseline(std::uint64_t t);
  [[nodiscard]] bool in_baseline() const noexcept { return baseline_; }
  // A session's initial table (the feed decides when it starts and ends): while on, the
  // session's changes are events but start or extend no episode, and its coming up is no trigger.
  void initial_table(int peer, bool on) { initial_[static_cast<std::size_t>(peer)] = on; }
  [[nodiscard]] bool in_initial_table(int peer) const { return initial_[static_cast<std::size_t>(peer)] != 0; }
  void initial_table_done(InitialTable t) { initial_tables_.push_back(std::move(t)); }
  void advance(std::uint64_t t);  // closes episodes that went quiet, runs out restart timers

  // The report as of now; `final` closes the open episode (end of input).
  // `vnet`: the answers as that VNet sees them (-1 or the hub: the hub's, as kept).
  // `stream` set: active_paths and events are left empty and `stream` yields them one at a time.
  [[nodiscard]] Report report(bool final, int vnet = -1, ReportStream* stream = nullptr);
  [[nodiscard]] PrefixRow row(const rib::PrefixKey& p) const;
  [[nodiscard]] std::optional<rib::PrefixKey> lookup(const wire::IpAddress& a) const { return table_.lookup(a); }
  [[nodiscard]] std::size_t routes() const noexcept { return table_.routes(); }
  [[nodiscard]] std::uint64_t last_input_us() const noexcept { return last_us_; }  // the clock: the latest input time
  [[nodiscard]] const rib::RouteTable& table() const noexcept { return table_; }  // every peer's routes
  [[nodiscard]] std::size_t peer_routes(int peer) const { return table_.peer_routes(static_cast<std::uint16_t>(peer)); }
  [[nodiscard]] std::size_t memory_bytes() const noexcept;  // route table + interned sets (the RIB)
  [[nodiscard]] std::size_t log_bytes() const noexcept { return events_.bytes(); }
  [[nodiscard]] std::size_t event_count() const noexcept { return events_.size(); }  // ever logged: the last sequence
  // Bounded history (`history events N episodes N`): the index of the oldest change kept, the id
  // of the oldest episode kept, and what was dropped since the last call (changes, episodes).
  [[nodiscard]] std::size_t first_event() const noexcept { return events_.first(); }
  [[nodiscard]] std::uint64_t first_episode_id() const noexcept { return episodes_.first_id(); }
  // Session state changes and episode starts/ends, placed among the changes (Watch).
  [[nodiscard]] const MarkLog& marks() const noexcept { return marks_; }
  void mark(Mark m) { marks_.add(std::move(m)); }
  [[nodiscard]] std::pair<std::size_t, std::size_t> take_history_drops() {
    return {events_.take_dropped(), episodes_.take_dropped()};
  }
  // Active-path changes from index `first` of the change log (live watchers), and the peers as
  // the report shows them, without building a whole report.
  [[nodiscard]] std::vector<Event> events_since(std::size_t first) const;
  [[nodiscard]] std::vector<PeerSummary> peer_summaries() const;
  // What-if: the active paths as they would be without the routes of `failed` peers, computed
  // aside (nothing in the analyzer changes). match_peers() reads a target: a peer address,
  // "er1" (both links of a circuit), "er1 primary", "expressroute", "vpn", "vpn 0".
  [[nodiscard]] WhatIf what_if(const std::vector<int>& failed) const;
  [[nodiscard]] std::vector<int> match_peers(const std::string& target) const { return topo_.match_peers(target); }
  // Every prefix's row, in prefix order (`within` set: only prefixes inside it).
  [[nodiscard]] std::vector<PrefixRow> rows(const std::optional<rib::PrefixKey>& within = {}) const;
  // VNets: the index of a VNet by name (-1: none); whether p is a system route (VNet or
  // peering address space) seen from it; a prefix's answer as that VNet sees it (the analyzer
  // keeps the hub's; a spoke without gateway transit has no on-premises route).
  [[nodiscard]] int vnet_index(const std::string& name) const { return topo_.vnet_index(name); }
  [[nodiscard]] bool system_route(const rib::PrefixKey& p, int vnet) const { return topo_.system_route(p, vnet); }
  [[nodiscard]] ActivePath in_vnet(const rib::PrefixKey& p, const ActivePath& hub_view, int vnet) const {
    return topo_.in_vnet(p, hub_view, vnet);
  }
  using SystemSpace = Topology::SystemSpace;
  [[nodiscard]] std::vector<SystemSpace> system_spaces(int vnet) const { return topo_.system_spaces(vnet); }
  // The sessions of an interned carrying set (ActivePath::set), named.
  [[nodiscard]] std::vector<CarryingPath> carrying(std::uint32_t set) const { return rules_.carrying(set); }
  [[nodiscard]] std::size_t path_set_count() const noexcept { return rules_.set_count(); }
  // True while the peer's session counts as dropped at a prefix limit.
  [[nodiscard]] bool dropped_at_limit(int peer) const { return limits_.dropped(static_cast<std::size_t>(peer)); }
  // Slices for streams that must not copy a whole table at once (gRPC): at most `n` rows in
  // prefix order after `after` (none: from the first), inside `within` when set; one pass over
  // the table each. And at most `n` changes of the log from index `first`.
  [[nodiscard]] std::vector<PrefixRow> rows_after(const std::optional<rib::PrefixKey>& after, std::size_t n,
                                                  const std::optional<rib::PrefixKey>& within = {}) const;
  // The same in two steps, so that one pass serves many slices: the first `n` keys in prefix
  // order after `after` (inside `within`), and the rows of given keys (a key the table no longer
  // holds gets a row without a path).
  [[nodiscard]] std::vector<rib::PrefixKey> keys_after(const std::optional<rib::PrefixKey>& after, std::size_t n,
                                                       const std::optional<rib::PrefixKey>& within = {}) const;
  [[nodiscard]] std::vector<PrefixRow> rows_for(const std::vector<rib::PrefixKey>& keys) const;
  // keys_after with each key's entry, and the rows of such entries without looking them up again
  // (a lookup per row is most of the cost of a large table's rows): only while
  // table().generation() is what it was when the entries were taken.
  using KeyedEntry = std::pair<rib::PrefixKey, const rib::PrefixEntry*>;
  [[nodiscard]] std::vector<KeyedEntry> entries_after(const std::optional<rib::PrefixKey>& after, std::size_t n,
                                                      const std::optional<rib::PrefixKey>& within = {}) const;
  [[nodiscard]] std::vector<PrefixRow> rows_of(const KeyedEntry* first, std::size_t n) const;
  [[nodiscard]] std::vector<Event> events_range(std::size_t first, std::size_t n) const;
  // Closed episodes, oldest first, and the findings of the table now, without a whole report.
  [[nodiscard]] const std::deque<Episode>& episodes() const noexcept { return episodes_.done(); }
  // Totals over every closed episode (counters: they never go down), with a convergence histogram.
  [[nodiscard]] const ConvergenceStats& convergence_stats() const noexcept { return episodes_.stats(); }
  [[nodiscard]] std::vector<Finding> findings() const;

 private:
  friend class ReportStream;  // reads the table and the change log as report() would
  void check_limit(std::uint64_t t, int peer);
  void predict(int peer);  // what-if of this session failing, for the open episode
  // The same, read from the changes logged since `first` by the session's end (no table pass).
  void predict_from_log(int peer, std::size_t first);
  [[nodiscard]] WhatIf prediction_from_log(int peer, std::size_t first, std::size_t end) const;
  void changed(std::uint64_t t, const rib::PrefixKey& p, rib::PrefixEntry& e, std::uint32_t cause);
  void set_active(std::uint64_t t, const rib::PrefixKey& p, rib::PrefixEntry& e, const ActivePath& now, std::uint32_t cause);
  void refresh_orphans_under(std::uint64_t t, const rib::PrefixKey& p, std::uint32_t cause);
  [[nodiscard]] ActivePath covered_path(const rib::PrefixKey& p) const;
  void drop_stale(std::uint64_t t, int peer, std::uint8_t families, const std::string& why);
  [[nodiscard]] std::string who(std::size_t peer) const;  // "192.0.2.1 (er1 primary)"

  Topology topo_;
  AzureRules rules_{topo_};
  rib::AttrStore store_;  // before the table: its AttrRefs release into the store
  rib::RouteTable table_;
  std::vector<PeerSummary> peer_stats_;
  rib::StaleTimers stale_timers_;
  PrefixLimits limits_;
  Orphans orphans_;
  MarkLog marks_;     // session state changes and episode starts/ends among the changes (Watch)
  ChangeLog events_;  // the active-path changes, in time order, the last policy().history_events of them
  Causes causes_;
  SessionMarks session_marks_;  // the report's timeline
  EpisodeTracker episodes_{topo_.policy().quiet_period_us, events_};
  std::uint64_t first_us_ = 0, last_us_ = 0;
  std::vector<rib::PrefixKey> scratch_;
  bool baseline_ = false;
  Baseline baseline_info_;
  std::vector<std::uint8_t> initial_;  // per peer: its initial table is loading
  bool quiet_ = false;                 // the change being made belongs to an initial table
  std::vector<InitialTable> initial_tables_;
};

}  // namespace bgpfa::analyzer
