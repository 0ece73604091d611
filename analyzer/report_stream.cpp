#include "analyzer/report_stream.hpp"

#include "analyzer/analyzer.hpp"

namespace bgpfa::analyzer {

void ReportStream::each_row(const std::function<void(const PrefixRow&)>& fn) const {
  if (!analyzer_) return;
  const Analyzer& a = *analyzer_;
  RowBuilder rows(a.topo_, a.rules_, a.table_);
  const bool spoke = vnet_ >= 0 && vnet_ != a.topo_.hub();
  PrefixRow row;
  const std::size_t n = sorted_.size();
  for (std::size_t i = 0; i < n; ++i) {
    // The entries lie in hash order: fetch them, and their spilled route arrays, ahead of use.
    if (i + 16 < n) __builtin_prefetch(sorted_[i + 16].second);
    if (i + 8 < n) __builtin_prefetch(sorted_[i + 8].second->routes.begin());
    const auto& [p, e] = sorted_[i];
    rows.row_into(row, p, *e);
    if (spoke) {  // as Analyzer::report shows a spoke's view
      row.active = a.topo_.in_vnet(p, row.active, vnet_);
      if (row.active.kind == PathKind::System || row.active.kind == PathKind::None) {
        row.expressroute.reset();
        row.vpn.reset();
      }
    }
    fn(row);
  }
}

void ReportStream::each_event(const std::function<void(const Event&)>& fn) const {
  if (!analyzer_) return;
  const Analyzer& a = *analyzer_;
  Event ev;
  for (std::size_t i = a.events_.first(); i < a.events_.size(); ++i) {
    const Change& c = a.events_[i];
    ev.time_us = c.time_us;
    ev.prefix = c.prefix.to_prefix();
    ev.from = a.rules_.active_of(c.from());
    ev.to = a.rules_.active_of(c.to());
    ev.cause = a.causes_[c.cause];
    fn(ev);
  }
}

}  // namespace bgpfa::analyzer
