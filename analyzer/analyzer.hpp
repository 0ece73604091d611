// Gateway RIBs + Azure policy: the active path of every prefix, its changes as events, and
// convergence episodes, on a clock given by the inputs (MRT timestamps or receive times).
#pragma once
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <tuple>
#include <string>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include "analyzer/active_path.hpp"
#include "analyzer/episodes.hpp"
#include "analyzer/path_sets.hpp"
#include "analyzer/policy.hpp"
#include "analyzer/report.hpp"
#include "analyzer/roles.hpp"
#include "rib/attr_store.hpp"
#include "rib/decision.hpp"
#include "rib/route_table.hpp"

namespace bgpfa::analyzer {

class Analyzer {
 public:
  Analyzer(Policy policy, std::vector<PeerRole> peers);

  [[nodiscard]] int peer_index(const wire::IpAddress& a) const;
  // The session (gateway-side address, peer address): the role whose `local` is `local`, else
  // the first role of that peer without a gateway-side address (or any, when `local` is unknown).
  [[nodiscard]] int peer_index(const std::optional<wire::IpAddress>& local, const wire::IpAddress& a) const;
  [[nodiscard]] const std::vector<PeerRole>& peers() const noexcept { return peers_; }

  // Inputs, in time order (µs since the epoch). `cause` names the message for events.
  [[nodiscard]] rib::AttrRef intern(const wire::PathAttributes& a, bool four_octet_as) { return store_.intern(a, four_octet_as); }
  void announce(std::uint64_t t, int peer, const wire::Prefix& p, std::uint32_t path_id, const rib::AttrRef& attrs,
                const std::string& cause);
  void withdraw(std::uint64_t t, int peer, const wire::Prefix& p, std::uint32_t path_id, const std::string& cause);
  void update_received(std::uint64_t t, int peer);
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
  int add_circuit(const std::string& name, int weight);
  [[nodiscard]] const Policy& policy() const noexcept { return policy_; }
  void trigger(std::uint64_t t, const std::string& why, const FailureWindow* window = nullptr);  // NOTIFICATION, hold timer, mark
  // RIB dumps before the first update are the starting state, not convergence: while the
  // baseline lasts, routes change the active paths without events or episodes.
  void begin_baseline(std::uint64_t t) {
    baseline_ = true;
    baseline_info_.start_us = t;
  }
  void end_baseline(std::uint64_t t);
  [[nodiscard]] bool in_baseline() const noexcept { return baseline_; }
  void advance(std::uint64_t t);  // closes episodes that went quiet, runs out restart timers

  // The report as of now; `final` closes the open episode (end of input).
  // `vnet`: the answers as that VNet sees them (-1 or the hub: the hub's, as kept).
  [[nodiscard]] Report report(bool final, int vnet = -1);
  [[nodiscard]] PrefixRow row(const rib::PrefixKey& p) const;
  [[nodiscard]] std::optional<rib::PrefixKey> lookup(const wire::IpAddress& a) const { return table_.lookup(a); }
  [[nodiscard]] std::size_t routes() const noexcept { return table_.routes(); }
  [[nodiscard]] const rib::RouteTable& table() const noexcept { return table_; }  // every peer's routes
  [[nodiscard]] std::size_t peer_routes(int peer) const { return table_.peer_routes(static_cast<std::uint16_t>(peer)); }
  [[nodiscard]] std::size_t memory_bytes() const noexcept;  // route table + interned sets (the RIB)
  [[nodiscard]] std::size_t log_bytes() const noexcept { return events_.size() * sizeof(Change); }
  [[nodiscard]] std::size_t event_count() const noexcept { return events_.size(); }
  // Active-path changes from index `first` of the change log (live watchers), and the peers as
  // the report shows them, without building a whole report.
  [[nodiscard]] std::vector<Event> events_since(std::size_t first) const;
  [[nodiscard]] std::vector<PeerSummary> peer_summaries() const;
  // What-if: the active paths as they would be without the routes of `failed` peers, computed
  // aside (nothing in the analyzer changes). match_peers() reads a target: a peer address,
  // "er1" (both links of a circuit), "er1 primary", "expressroute", "vpn", "vpn 0".
  [[nodiscard]] WhatIf what_if(const std::vector<int>& failed) const;
  [[nodiscard]] std::vector<int> match_peers(const std::string& target) const;
  // Every prefix's row, in prefix order (`within` set: only prefixes inside it).
  [[nodiscard]] std::vector<PrefixRow> rows(const std::optional<rib::PrefixKey>& within = {}) const;
  // VNets: the index of a VNet by name (-1: none); whether p is a system route (VNet or
  // peering address space) seen from it; a prefix's answer as that VNet sees it (the analyzer
  // keeps the hub's; a spoke without gateway transit has no on-premises route).
  [[nodiscard]] int vnet_index(const std::string& name) const;
  [[nodiscard]] bool system_route(const rib::PrefixKey& p, int vnet) const;
  [[nodiscard]] ActivePath in_vnet(const rib::PrefixKey& p, const ActivePath& hub_view, int vnet) const;
  // The sessions of an interned carrying set (ActivePath::set), named.
  [[nodiscard]] std::vector<CarryingPath> carrying(std::uint32_t set) const;
  [[nodiscard]] std::size_t path_set_count() const noexcept { return path_sets_.size(); }
  // True while the peer's session counts as dropped at a prefix limit.
  [[nodiscard]] bool dropped_at_limit(int peer) const { return dropped_[static_cast<std::size_t>(peer)] != 0; }
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
  [[nodiscard]] const std::vector<Episode>& episodes() const noexcept { return episodes_.done(); }
  [[nodiscard]] std::vector<Finding> findings() const;

 private:
  struct Decision {
    ActivePath active;
    rib::LocRibBest best[2];  // per gateway, into the entry's routes
  };
  Decision decide(const rib::PrefixEntry& e, bool default_route = false) const;
  [[nodiscard]] rib::Candidate candidate(const rib::Route& r) const;
  void summarise(ActivePath& p) const;
  [[nodiscard]] ActivePath active_of(std::uint32_t state) const;
  void check_limit(std::uint64_t t, int peer);
  [[nodiscard]] int hub_index() const;
  [[nodiscard]] static ActivePath system_path() {
    ActivePath a;
    a.kind = PathKind::System;
    return a;
  }
  void predict(int peer);  // what-if of this session failing, for the open episode
  void judge(Episode& ep, const WhatIf& w, const std::vector<rib::PrefixKey>& changed) const;
  [[nodiscard]] bool covered_on_link(const rib::PrefixKey& p, int circuit, Link link) const;
  void changed(std::uint64_t t, const rib::PrefixKey& p, rib::PrefixEntry& e, std::uint32_t cause);
  void set_active(std::uint64_t t, const rib::PrefixKey& p, rib::PrefixEntry& e, const ActivePath& now, std::uint32_t cause);
  void refresh_orphans_under(std::uint64_t t, const rib::PrefixKey& p, std::uint32_t cause);
  [[nodiscard]] ActivePath covered_path(const rib::PrefixKey& p) const;
  std::uint32_t cause_id(const std::string& cause);
  void drop_stale(std::uint64_t t, int peer, std::uint8_t families, const std::string& why);
  void run_stale_timers(std::uint64_t t);
  GatewayBest describe_best(const rib::PrefixEntry& e, const rib::LocRibBest& b, std::size_t n) const;
  [[nodiscard]] const std::string& as_path_text(const rib::AttrSet* s) const;  // cached per interned set
  [[nodiscard]] std::vector<Finding> findings(const std::vector<std::pair<rib::PrefixKey, const rib::PrefixEntry*>>& sorted) const;
  [[nodiscard]] PrefixRow row_of(const rib::PrefixKey& p, const rib::PrefixEntry& e) const;

  Policy policy_;
  std::vector<PeerRole> peers_;
  rib::AttrStore store_;  // before the table: its AttrRefs release into the store
  rib::RouteTable table_;
  std::vector<PeerSummary> peer_stats_;
  struct StaleTimer {
    std::uint64_t deadline_us = 0;  // 0: none running
    std::string why;
  };
  std::vector<StaleTimer> stale_timers_;  // per peer
  std::uint64_t next_stale_deadline_ = 0;
  // Rows without a route of their own, ordered by address so that those under a prefix are one
  // contiguous range (a full table withdrawn at once must not make every change scan them all).
  struct ByAddress {
    bool operator()(const rib::PrefixKey& a, const rib::PrefixKey& b) const noexcept {
      return std::tie(a.v6, a.hi, a.lo, a.length) < std::tie(b.v6, b.hi, b.lo, b.length);
    }
  };
  std::set<rib::PrefixKey, ByAddress> orphans_;
  std::deque<Change> events_;  // every active-path change, in time order (chunked: no regrowth copies)
  std::vector<std::string> causes_;
  EpisodeTracker episodes_{policy_.quiet_period_us, events_};
  std::uint64_t first_us_ = 0, last_us_ = 0;
  std::vector<rib::PrefixKey> scratch_;
  int hub_ = -1;  // the VNet holding the gateways (-1: no VNet model)
  bool baseline_ = false;
  Baseline baseline_info_;
  std::vector<std::uint8_t> dropped_;  // per peer: the session counts as dropped at a prefix limit
  mutable PathSets path_sets_;         // decide() interns (what-if's sets too)
  mutable std::vector<std::uint16_t> carry_scratch_[2];
  mutable std::vector<std::uint32_t> single_sets_;  // per peer: the id of {peer}
  [[nodiscard]] std::uint32_t intern_set(const std::vector<std::uint16_t>& peers) const;
  mutable absl::flat_hash_map<const rib::AttrSet*, std::string> path_text_;  // during report()  // decide(): best route index per circuit
};

}  // namespace bgpfa::analyzer
