// Decodes MRT records (errors reported with file, record, offset, peer; RFC 7606 handling;
// ADD-PATH mislabel detection) and hands the results to a DumpSink. Shared by `mrt dump` and
// `replay`.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "app/render/dump_sink.hpp"
#include "bgp/mrt/reader.hpp"

namespace bgpfa::app {

class MrtDecoder {
 public:
  // quiet: errors only; silent: count errors without printing (fuzzing).
  MrtDecoder(DumpSink& sink, std::string file, bool quiet, bool silent = false);
  ~MrtDecoder();
  MrtDecoder(MrtDecoder&&) noexcept;
  void record(const mrt::Record& r);
  void read_error(const mrt::ReadError& e);
  void finish();  // end of file: summary warnings
  [[nodiscard]] std::uint64_t errors() const noexcept;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bgpfa::app
