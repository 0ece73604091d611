#include "app/metrics/collect.hpp"

#include <unistd.h>

#include <array>
#include <cstdio>

#include "analyzer/convergence_stats.hpp"
#include "app/metrics/exposition.hpp"

namespace bgpfa::app::metrics {

namespace {
// RFC 6396 state numbers 1-6, as the state label spells them.
constexpr std::array<const char*, 6> kStates = {"idle", "connect", "active", "opensent", "openconfirm", "established"};
constexpr int kEstablished = 6;
}  // namespace

std::uint64_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long long size = 0, resident = 0;
  const int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)) : 0;
}

std::string render(const Context& c) {
  const analyzer::Analyzer& a = c.analyzer;
  Exposition x;
  const auto d = [](std::uint64_t v) { return static_cast<double>(v); };

  x.family("bgpfa_build_info", "gauge", "bgpfa's version (always 1)");
  x.sample({{"version", BGPFA_VERSION}}, 1);
  x.family("bgpfa_uptime_seconds", "gauge", "Seconds since this process started serving");
  x.sample(c.uptime_seconds);

  // Sessions: one per (gateway-side address, peer address); static VPN sites have none.
  struct Session {
    std::size_t index;
    Labels labels;
    feed::Feed::SessionStats stats;
  };
  std::vector<Session> sessions;
  const auto summaries = a.peer_summaries();
  for (std::size_t i = 0; i < a.peers().size(); ++i) {
    const auto& role = a.peers()[i];
    if (role.static_site) continue;
    auto stats = c.feed.session_stats(static_cast<int>(i));
    if (stats.state == 0 && c.live) stats.state = 1;  // serve: every session starts Idle
    sessions.push_back({i, {{"peer", wire::to_string(role.address)}, {"role", role.label(a.policy().circuits)}}, stats});
  }
  x.family("bgpfa_peer_info", "gauge", "A configured BGP session (always 1): its AS and description");
  for (const auto& s : sessions) {
    Labels l = s.labels;
    l.emplace_back("asn", std::to_string(a.peers()[s.index].asn));
    l.emplace_back("description", a.peers()[s.index].description);
    x.sample(l, 1);
  }
  x.family("bgpfa_peer_state", "gauge",
           "BGP FSM state of a session: 1 for its current state, 0 for the others (none is 1 before a replay records one)");
  for (const auto& s : sessions)
    for (int k = 1; k <= 6; ++k) {
      Labels l = s.labels;
      l.emplace_back("state", kStates[static_cast<std::size_t>(k - 1)]);
      x.sample(l, s.stats.state == k ? 1 : 0);
    }
  x.family("bgpfa_peer_up", "gauge", "1 when the session is Established");
  for (const auto& s : sessions) x.sample(s.labels, s.stats.state == kEstablished ? 1 : 0);
  x.family("bgpfa_peer_uptime_seconds", "gauge", "Seconds the session has been Established (0 when it is not)");
  for (const auto& s : sessions)
    x.sample(s.labels, s.stats.state == kEstablished && s.stats.established_us && c.now_us > s.stats.established_us
                           ? d(c.now_us - s.stats.established_us) / 1e6
                           : 0);
  x.family("bgpfa_peer_routes", "gauge", "Routes received from the session now (Adj-RIB-In, stale ones included)");
  for (std::size_t i = 0; i < a.peers().size(); ++i)
    x.sample({{"peer", wire::to_string(a.peers()[i].address)}, {"role", a.peers()[i].label(a.policy().circuits)}},
             d(a.peer_routes(static_cast<int>(i))));
  x.family("bgpfa_peer_stale_routes", "gauge", "Routes kept as stale for a gracefully restarting session");
  for (const auto& s : sessions) x.sample(s.labels, d(a.stale_routes(static_cast<int>(s.index))));
  x.family("bgpfa_peer_updates_received_total", "counter", "UPDATE messages received from the session");
  for (const auto& s : sessions) x.sample(s.labels, d(summaries[s.index].updates));
  x.family("bgpfa_peer_notifications_sent_total", "counter", "NOTIFICATION messages bgpfa sent on the session");
  for (const auto& s : sessions) x.sample(s.labels, d(s.stats.notifications_sent));
  x.family("bgpfa_peer_notifications_received_total", "counter", "NOTIFICATION messages received on the session");
  for (const auto& s : sessions) x.sample(s.labels, d(s.stats.notifications_received));

  // The answer per prefix, as the report's summary counts it.
  std::array<std::uint64_t, static_cast<std::size_t>(analyzer::PathKind::System) + 1> kinds{};
  a.table().for_each([&](const rib::PrefixKey&, const rib::PrefixEntry& e) {
    ++kinds[static_cast<std::size_t>(analyzer::unpack(e.state).kind)];
  });
  x.family("bgpfa_prefixes", "gauge", "Prefixes by the kind of path that carries their traffic now");
  for (std::size_t k = 0; k < kinds.size(); ++k)
    x.sample({{"kind", analyzer::to_string(static_cast<analyzer::PathKind>(k))}}, d(kinds[k]));
  x.family("bgpfa_prefixes_blackholed", "gauge", "Prefixes with no carrying path now (kind none)");
  x.sample(d(kinds[static_cast<std::size_t>(analyzer::PathKind::None)]));
  x.family("bgpfa_routes", "gauge", "Routes from every session (prefix, path id) now");
  x.sample(d(a.routes()));
  x.family("bgpfa_active_path_changes_total", "counter", "Changes of a prefix's carrying path (events)");
  x.sample(d(a.event_count()));

  const analyzer::ConvergenceStats& cs = a.convergence_stats();
  x.family("bgpfa_episodes_total", "counter", "Convergence episodes closed");
  x.sample(d(cs.episodes));
  x.family("bgpfa_episode_blackholed_prefixes_total", "counter",
           "Prefixes left without a path for a while during an episode, summed over closed episodes");
  x.sample(d(cs.blackholed_prefixes));
  x.family("bgpfa_convergence_seconds", "histogram",
           "Per prefix and closed episode: seconds from the episode's trigger to the prefix's last path change");
  std::vector<double> bounds;
  for (const auto b : analyzer::ConvergenceStats::kBoundsUs) bounds.push_back(d(b) / 1e6);
  x.histogram({}, bounds, std::vector<std::uint64_t>(cs.buckets.begin(), cs.buckets.end()), d(cs.sum_us) / 1e6);

  x.family("bgpfa_watch_clients", "gauge", "gRPC Watch streams open now");
  x.sample(d(c.watch_clients));
  x.family("bgpfa_watch_drops_total", "counter",
           "gRPC Watch streams the server ended: the client fell behind the change ring, or read nothing for 30 s");
  x.sample({{"reason", "fell_behind"}}, d(c.watch_fell_behind));
  x.sample({{"reason", "stalled"}}, d(c.watch_stalled));

  x.family("bgpfa_resident_memory_bytes", "gauge", "Resident set size of the bgpfa process");
  x.sample(d(resident_bytes()));
  x.family("bgpfa_rib_bytes", "gauge", "Memory of the RIB: the route table and interned attribute sets");
  x.sample(d(a.memory_bytes()));
  x.family("bgpfa_change_log_bytes", "gauge", "Memory of the change log (every active-path change)");
  x.sample(d(a.log_bytes()));
  return x.text();
}

}  // namespace bgpfa::app::metrics
