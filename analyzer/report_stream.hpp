// The two big lists of a report, the rows (one per prefix) and the events (one per change), one
// at a time instead of materialised in Report::active_paths and Report::events: a renderer that
// writes as it goes (the JSON report) holds one row and one event, each reused, so no row or
// event costs a heap allocation once their strings have grown. Filled by
// Analyzer::report(final, vnet, &stream); valid while the analyzer does not change.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "analyzer/findings.hpp"
#include "analyzer/report.hpp"
#include "analyzer/rows.hpp"

namespace bgpfa::analyzer {

class Analyzer;

class ReportStream {
 public:
  // Every row in prefix order, as Report::active_paths would hold it (for `vnet` too).
  void each_row(const std::function<void(const PrefixRow&)>& fn) const;
  // Every event kept, oldest first, as Report::events would hold it.
  void each_event(const std::function<void(const Event&)>& fn) const;
  [[nodiscard]] std::size_t rows() const noexcept { return sorted_.size(); }
  [[nodiscard]] bool filled() const noexcept { return analyzer_ != nullptr; }

 private:
  friend class Analyzer;
  const Analyzer* analyzer_ = nullptr;
  SortedEntries sorted_;
  int vnet_ = -1;  // a spoke's view: rows are seen from it (Analyzer::report)
};

}  // namespace bgpfa::analyzer
