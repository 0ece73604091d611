// Prometheus text exposition format 0.0.4: HELP and TYPE lines once per family, samples with
// escaped label values, histograms as cumulative _bucket{le} series with +Inf, _sum and _count.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bgpfa::app::metrics {

using Labels = std::vector<std::pair<std::string_view, std::string>>;

// A label value as the format wants it: backslash, double quote and line feed escaped.
[[nodiscard]] std::string escape_label(std::string_view v);
// HELP text: backslash and line feed escaped (quotes stay).
[[nodiscard]] std::string escape_help(std::string_view v);
// A sample value: integers exactly, others shortest round-trip, +Inf / -Inf / NaN spelled out.
[[nodiscard]] std::string format_value(double v);

class Exposition {
 public:
  // Starts a family: `type` is counter, gauge or histogram. A family's samples follow it.
  void family(std::string_view name, std::string_view type, std::string_view help);
  // A sample of the current family; `suffix` is appended to its name (_bucket, _sum, _count).
  void sample(const Labels& labels, double value, std::string_view suffix = {});
  void sample(double value) { sample({}, value); }
  // A whole histogram sample set: `bounds` ascending upper bounds, `counts` per bucket (not
  // cumulative, one more than bounds: the last is above every bound), `sum` of the observations.
  void histogram(const Labels& labels, const std::vector<double>& bounds, const std::vector<std::uint64_t>& counts,
                 double sum);
  [[nodiscard]] const std::string& text() const noexcept { return out_; }

 private:
  std::string out_;
  std::string name_;
};

}  // namespace bgpfa::app::metrics
