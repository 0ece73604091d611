#include "feed/initial_tables.hpp"

#include <algorithm>

namespace bgpfa::feed {

InitialTables::Session& InitialTables::session(int peer) {
  const auto i = static_cast<std::size_t>(peer);
  if (sessions_.size() <= i) sessions_.resize(i + 1);
  return sessions_[i];
}

void InitialTables::established(std::uint64_t t, int peer, std::uint8_t families, const std::string& peer_name,
                                const std::string& role) {
  advance(t);
  Session& s = session(peer);
  if (!on_ || s.state != State::Before) return;
  s.state = State::Open;
  s.pending = families;
  s.eor_known = families != 0;
  s.start_us = s.last_us = t;
  s.peer = peer_name;
  s.role = role;
  ++open_;
  a_.initial_table(peer, true);
}

void InitialTables::after_update(std::uint64_t t, int peer, std::uint8_t end_of_rib) {
  if (static_cast<std::size_t>(peer) >= sessions_.size()) return;
  Session& s = sessions_[static_cast<std::size_t>(peer)];
  if (s.state != State::Open) return;
  s.last_us = t;
  s.heard = true;
  s.pending = static_cast<std::uint8_t>(s.pending & ~end_of_rib);
  if (s.eor_known && !s.pending) end(peer, t, "End-of-RIB");
}

void InitialTables::down(std::uint64_t t, int peer) {
  if (static_cast<std::size_t>(peer) >= sessions_.size()) return;
  advance(t);
  if (sessions_[static_cast<std::size_t>(peer)].state == State::Open) end(peer, t, "session down");
}

void InitialTables::advance(std::uint64_t t) {
  if (!open_) return;
  const std::uint64_t quiet = a_.policy().quiet_period_us;
  for (std::size_t i = 0; i < sessions_.size(); ++i) {
    const Session& s = sessions_[i];
    // Ends at its last UPDATE: the quiet period after it says the table was complete then.
    if (s.state != State::Open) continue;
    if (s.heard && t >= s.last_us + quiet) end(static_cast<int>(i), s.last_us, "quiet period");
    else if (!s.heard && t >= s.start_us + std::max(quiet, kFirstUpdateWaitUs)) end(static_cast<int>(i), s.start_us, "no UPDATE");
  }
}

bool InitialTables::open_at(int peer, std::uint64_t t) const {
  if (peer < 0 || static_cast<std::size_t>(peer) >= sessions_.size()) return false;
  const Session& s = sessions_[static_cast<std::size_t>(peer)];
  if (s.state != State::Open) return false;
  const std::uint64_t quiet = a_.policy().quiet_period_us;  // as advance() decides
  return s.heard ? t < s.last_us + quiet : t < s.start_us + std::max(quiet, kFirstUpdateWaitUs);
}

void InitialTables::finish(std::uint64_t t) {
  advance(t);
  for (std::size_t i = 0; i < sessions_.size(); ++i)
    if (sessions_[i].state == State::Open) end(static_cast<int>(i), sessions_[i].last_us, "end of input");
}

void InitialTables::end(int peer, std::uint64_t at, const char* why) {
  Session& s = sessions_[static_cast<std::size_t>(peer)];
  s.state = State::Done;
  --open_;
  a_.initial_table(peer, false);
  analyzer::InitialTable t;
  t.peer = s.peer;
  t.role = s.role;
  t.start_us = s.start_us;
  t.end_us = at;
  t.prefixes = a_.peer_routes(peer);
  t.ended_by = why;
  a_.initial_table_done(t);
  if (on_done) on_done(t);
}

}  // namespace bgpfa::feed
