#include "app/metrics/exposition.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace bgpfa::app::metrics {

std::string escape_label(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (const char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string escape_help(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (const char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Counts up to 2^53 are integers: print them without an exponent.
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) return fmt::format("{}", static_cast<std::int64_t>(v));
  return fmt::format("{}", v);
}

void Exposition::family(std::string_view name, std::string_view type, std::string_view help) {
  name_ = name;
  fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, escape_help(help), name, type);
}

void Exposition::sample(const Labels& labels, double value, std::string_view suffix) {
  if (name_.empty()) throw std::logic_error("metrics: a sample before its family");
  out_ += name_;
  out_ += suffix;
  if (!labels.empty()) {
    out_ += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i) out_ += ',';
      fmt::format_to(std::back_inserter(out_), "{}=\"{}\"", labels[i].first, escape_label(labels[i].second));
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += format_value(value);
  out_ += '\n';
}

void Exposition::histogram(const Labels& labels, const std::vector<double>& bounds, const std::vector<std::uint64_t>& counts,
                           double sum) {
  if (counts.size() != bounds.size() + 1) throw std::logic_error("metrics: a histogram needs one count per bound, plus one");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += counts[i];
    Labels with = labels;
    with.emplace_back("le", i < bounds.size() ? format_value(bounds[i]) : "+Inf");
    sample(with, static_cast<double>(cumulative), "_bucket");
  }
  sample(labels, sum, "_sum");
  sample(labels, static_cast<double>(cumulative), "_count");
}

}  // namespace bgpfa::app::metrics
