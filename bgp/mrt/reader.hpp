// Splits an MRT byte stream into records; survives corrupt framing by resynchronising.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bgp/mrt/input.hpp"
#include "bgp/mrt/record.hpp"

namespace bgpfa::mrt {

struct ReadError {
  std::string file;
  std::uint64_t record_index = 0;  // the record being framed when it happened
  std::uint64_t offset = 0;        // in the uncompressed stream
  std::string what;
};

class Reader {
 public:
  Reader(std::unique_ptr<ByteSource> src, std::string name, std::size_t initial_buffer = 1u << 20);
  // Opens a file ("-": stdin) by its magic bytes.
  explicit Reader(const std::string& path);

  // Next record, or false at end of input. Framing errors go to on_error and reading goes on
  // with the next plausible record header.
  [[nodiscard]] bool next(Record& out);

  std::function<void(const ReadError&)> on_error;
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const ByteSource& source() const noexcept { return *src_; }
  [[nodiscard]] std::uint64_t error_count() const noexcept { return errors_; }

  static constexpr std::uint32_t kMaxRecordLength = 64u << 20;

 private:
  bool ensure(std::size_t n);  // at least n bytes buffered from begin_, or false at EOF
  [[nodiscard]] bool plausible_header(std::size_t at, std::uint32_t& length) const;
  bool resync();
  void report(std::uint64_t offset, std::string what);

  std::unique_ptr<ByteSource> src_;
  std::string name_;
  std::unique_ptr<std::uint8_t[]> buf_;  // not zero-filled: untouched pages cost nothing
  std::size_t cap_ = 0;
  std::size_t begin_ = 0, end_ = 0;
  std::uint64_t stream_pos_ = 0;  // offset of buf_[begin_]
  std::uint64_t index_ = 0;
  std::uint64_t errors_ = 0;
  std::uint32_t last_time_ = 0;
  bool eof_ = false;
};

}  // namespace bgpfa::mrt
