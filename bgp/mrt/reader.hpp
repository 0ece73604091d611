// Splits an MRT byte stream into records; survives corrupt framing by resynchronising.
#pragma once
#include <cstdint>
#include <exception>
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
  Reader(std::unique_ptr<ByteSource> src, std::string name, std::size_t initial_buffer = 256u << 10);
  // Opens a file ("-": stdin) by its magic bytes.
  explicit Reader(const std::string& path);

  // Next record, or false at end of input. Framing errors go to on_error and reading goes on
  // with the next plausible record header: a header is believed only if its type is an MRT
  // type, its length fits the input, its timestamp is within kMaxTimeGap of the last record's
  // (or of the next record's: concatenated dumps) and the header after it is plausible too.
  // A broken compressed stream throws its std::runtime_error once every whole record inflated
  // before the damage has been returned.
  [[nodiscard]] bool next(Record& out);

  std::function<void(const ReadError&)> on_error;
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const ByteSource& source() const noexcept { return *src_; }
  [[nodiscard]] std::uint64_t error_count() const noexcept { return errors_; }
  [[nodiscard]] std::size_t buffer_capacity() const noexcept { return cap_; }  // for tests

  static constexpr std::uint32_t kMaxRecordLength = 64u << 20;
  // Resynchronisation candidates: real records stay well below this.
  static constexpr std::uint32_t kMaxCandidateLength = 1u << 20;
  static constexpr std::uint32_t kMaxTimeGap = 86400;  // seconds

 private:
  // At least n bytes buffered from begin_, or false at EOF. The buffer grows only when it is
  // full of bytes that did arrive, never on a length's say-so. A source that throws (a broken
  // compressed stream) is an EOF here, its error kept for raise_source_error().
  bool ensure(std::size_t n) { return end_ - begin_ >= n || fill(n); }  // inline: 3 calls a record
  bool fill(std::size_t n);
  // Where the input ends: throws the source's error, if it had one, instead of reporting a
  // truncation (the records before it were all returned).
  void raise_source_error() const;
  // Header at buf_[begin_ + at]: plausible type, subtype and length (at most max_length).
  [[nodiscard]] bool plausible_shape(std::size_t at, std::uint32_t max_length) const;
  [[nodiscard]] std::uint32_t time_at(std::size_t at) const;
  [[nodiscard]] std::uint32_t length_at(std::size_t at) const;
  // Whether a plausible record chain starts at begin_ + at: a candidate header (time near
  // `ref`, 0: any) followed by another plausible header or the end of the input.
  bool chain_at(std::size_t at, std::uint32_t ref);
  // Skips to the next chain after begin_ (reporting `why`, the offset and the bytes skipped);
  // false when none is left. `truncated`: what to say instead when no chain is found.
  bool resync(const std::string& why, const std::string& truncated = {});
  void report(std::uint64_t offset, std::string what);

  std::unique_ptr<ByteSource> src_;
  std::string name_;
  std::unique_ptr<std::uint8_t[]> buf_;  // not zero-filled: untouched pages cost nothing
  std::size_t cap_ = 0;
  std::size_t begin_ = 0, end_ = 0;
  std::uint64_t stream_pos_ = 0;  // offset of buf_[begin_]
  std::uint64_t checked_pos_ = ~0ull;  // a header known plausible starts here (it followed a record)
  std::uint64_t index_ = 0;
  std::uint64_t errors_ = 0;
  std::uint32_t last_time_ = 0;
  bool eof_ = false;
  std::exception_ptr source_error_;
};

}  // namespace bgpfa::mrt
