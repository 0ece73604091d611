// Gateway RIBs + Azure policy: the active path of every prefix, its changes as events, and
// convergence episodes, on a clock given by the inputs (MRT timestamps or receive times).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include "analyzer/active_path.hpp"
#include "analyzer/episodes.hpp"
#include "analyzer/policy.hpp"
#include "analyzer/report.hpp"
#include "analyzer/roles.hpp"
#include "rib/adj_rib_in.hpp"
#include "rib/attr_store.hpp"
#include "rib/decision.hpp"
#include "rib/lpm.hpp"

namespace bgpfa::analyzer {

class Analyzer {
 public:
  Analyzer(Policy policy, std::vector<PeerRole> peers);

  [[nodiscard]] int peer_index(const wire::IpAddress& a) const;
  [[nodiscard]] const std::vector<PeerRole>& peers() const noexcept { return peers_; }

  // Inputs, in time order (µs since the epoch). `cause` names the message for events.
  [[nodiscard]] rib::AttrRef intern(const wire::PathAttributes& a, bool four_octet_as) { return store_.intern(a, four_octet_as); }
  void announce(std::uint64_t t, int peer, const wire::Prefix& p, std::uint32_t path_id, const rib::AttrRef& attrs,
                const std::string& cause);
  void withdraw(std::uint64_t t, int peer, const wire::Prefix& p, std::uint32_t path_id, const std::string& cause);
  void update_received(std::uint64_t t, int peer);
  void session_up(std::uint64_t t, int peer, const std::string& why);
  void session_down(std::uint64_t t, int peer, const std::string& why);
  void trigger(std::uint64_t t, const std::string& why);  // NOTIFICATION, hold timer, explicit mark
  void advance(std::uint64_t t);                           // closes episodes that went quiet

  // The report as of now; `final` closes the open episode (end of input).
  [[nodiscard]] Report report(bool final);
  [[nodiscard]] PrefixRow row(const rib::PrefixKey& p) const;
  [[nodiscard]] std::optional<rib::PrefixKey> lookup(const wire::IpAddress& a) const { return all_.lookup(a); }
  [[nodiscard]] std::size_t routes() const noexcept;
  [[nodiscard]] std::size_t memory_bytes() const noexcept;  // RIB tables + interned sets

 private:
  struct Choice {
    ActivePath active;
    std::optional<GatewayBest> er, vpn;
  };
  Choice decide(const rib::PrefixKey& p, bool details) const;
  void changed(std::uint64_t t, const rib::PrefixKey& p, const std::string& cause);
  void recompute_orphans_under(std::uint64_t t, const rib::PrefixKey& p, const std::string& cause);
  GatewayBest describe_best(const rib::Candidate& c, rib::Reason why, std::size_t n) const;
  std::vector<Finding> findings() const;

  Policy policy_;
  std::vector<PeerRole> peers_;
  rib::AttrStore store_;  // before the RIBs: their AttrRefs release into it when destroyed
  std::vector<rib::AdjRibIn> ribs_;
  std::vector<PeerSummary> peer_stats_;
  absl::flat_hash_map<rib::PrefixKey, ActivePath> active_;  // every prefix ever seen
  rib::LpmIndex all_;                                        // prefixes with a route now
  absl::flat_hash_set<rib::PrefixKey> orphans_;              // rows without a route of their own
  std::vector<Event> events_;
  EpisodeTracker episodes_;
  std::uint64_t first_us_ = 0, last_us_ = 0;
  std::vector<rib::PrefixKey> scratch_;
};

}  // namespace bgpfa::analyzer
