// Convergence episodes (RFC 4098 terms): from a trigger until a quiet period passes without any
// active-path change; per-prefix convergence, black holes, exploration, transitions, lag.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "analyzer/report.hpp"
#include "rib/prefix.hpp"

namespace bgpfa::analyzer {

class EpisodeTracker {
 public:
  explicit EpisodeTracker(std::uint64_t quiet_us) : quiet_us_(quiet_us) {}
  void trigger(std::uint64_t t, const std::string& why);
  void change(std::uint64_t t, const rib::PrefixKey& p, const ActivePath& from, const ActivePath& to);
  void update_from(std::uint64_t t, const std::string& gateway);
  void advance(std::uint64_t t);  // closes the open episode once quiet
  void close();                   // the open episode, now
  void finish(std::uint64_t end_us);  // end of input: close, and end pending black holes there
  [[nodiscard]] const std::vector<Episode>& done() const noexcept { return done_; }
  [[nodiscard]] bool open() const noexcept { return open_.has_value(); }

 private:
  struct PrefixTrack {
    std::uint64_t last_change = 0;
    std::uint32_t changes = 0;
    std::uint64_t none_since = 0;
    bool none = false;
    std::uint64_t none_total = 0;
    bool ever_none = false;
  };
  struct Open {
    Episode ep;
    std::uint64_t last_activity = 0;
    absl::flat_hash_map<rib::PrefixKey, PrefixTrack> prefixes;
  };
  void start(std::uint64_t t, const std::string& why);

  std::uint64_t quiet_us_;
  std::optional<Open> open_;
  // Prefixes that were still without a path when their episode closed: the black hole lasts
  // until they get a path again (credited to that episode: index, since).
  absl::flat_hash_map<rib::PrefixKey, std::pair<std::size_t, std::uint64_t>> pending_none_;
  std::vector<Episode> done_;
};

}  // namespace bgpfa::analyzer
