// Each live session's initial table (its baseline): from the session's first establishment since
// the start of the input (serve's start, or the replayed capture's) to its End-of-RIB for every
// negotiated family, or to its last UPDATE before a quiet period with none (counted from the
// first UPDATE: routers take a moment to send it). Its changes are
// events, but no episode: a session coming up for the first time is not news. Later
// establishments (a recovery) are episodes as before. Decided from the message stream alone, so
// serve and a replay of its capture decide the same.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "analyzer/analyzer.hpp"

namespace bgpfa::feed {

class InitialTables {
 public:
  explicit InitialTables(analyzer::Analyzer& a) : a_(a) {}
  void enable(bool on) noexcept { on_ = on; }
  // Called when each one ends (serve logs it).
  std::function<void(const analyzer::InitialTable&)> on_done;

  // The session reached Established; `families`: the End-of-RIB markers to wait for
  // (rib::kFamily* bits of the negotiated unicast families; 0: unknown, the quiet period decides).
  void established(std::uint64_t t, int peer, std::uint8_t families, const std::string& peer_name, const std::string& role);
  // After an UPDATE from `peer` was fed (advance(t) before it: a quiet period that passed ends
  // the table first); `end_of_rib`: the family bit it marks the end of (0: none).
  void after_update(std::uint64_t t, int peer, std::uint8_t end_of_rib);
  // The session left Established: an open table ends there (before its routes go).
  void down(std::uint64_t t, int peer);
  void advance(std::uint64_t t);  // quiet periods that passed by `t`
  // Whether `peer`'s initial table is open and still will be for an UPDATE at `t` (no quiet
  // period ends it first): that UPDATE's changes belong to no episode.
  [[nodiscard]] bool open_at(int peer, std::uint64_t t) const;
  void finish(std::uint64_t t);   // end of input: open tables end incomplete

 private:
  enum class State : std::uint8_t { Before, Open, Done };
  struct Session {
    State state = State::Before;
    std::uint8_t pending = 0;  // End-of-RIB still awaited
    bool eor_known = false;    // the families are known: End-of-RIB can end it
    bool heard = false;        // an UPDATE arrived: the quiet period counts from the last one
    std::uint64_t start_us = 0, last_us = 0;
    std::string peer, role;
  };
  void end(int peer, std::uint64_t at, const char* why);
  // Routers wait a while before their first UPDATE (FRR's update-delay and coalescing): the
  // quiet period starts with it, but a session that sends nothing for this long has no table.
  static constexpr std::uint64_t kFirstUpdateWaitUs = 60'000'000;
  Session& session(int peer);
  analyzer::Analyzer& a_;
  bool on_ = true;
  std::vector<Session> sessions_;
  std::size_t open_ = 0;
};

}  // namespace bgpfa::feed
