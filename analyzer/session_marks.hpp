// Session events as they happened (state changes and what ended sessions), for a timeline of
// the whole input; bounded, so a flapping session cannot grow it forever.
#pragma once
#include <deque>
#include <string>

#include "analyzer/report.hpp"

namespace bgpfa::analyzer {

class SessionMarks {
 public:
  void add(std::uint64_t t, int peer, SessionMark::Kind kind, const std::string& text) {
    if (marks_.size() == kSessionMarks) {
      marks_.pop_front();
      ++dropped_;
    }
    marks_.push_back(SessionMark{t, peer, kind, text});
  }
  [[nodiscard]] const std::deque<SessionMark>& marks() const noexcept { return marks_; }
  [[nodiscard]] std::size_t dropped() const noexcept { return dropped_; }  // older ones no longer kept

 private:
  std::deque<SessionMark> marks_;  // the most recent kSessionMarks
  std::size_t dropped_ = 0;
};

}  // namespace bgpfa::analyzer
