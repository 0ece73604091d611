#include "bgp/mrt/reader.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "bgp/wire/bytes.hpp"

namespace bgpfa::mrt {

using wire::load_u16;
using wire::load_u32;

bool known_type(std::uint16_t type, std::uint16_t subtype) noexcept {
  switch (static_cast<Type>(type)) {
    case Type::Bgp: return subtype <= 7 || subtype == 133;
    case Type::TableDump: return subtype >= 1 && subtype <= 4;
    case Type::TableDumpV2: return subtype >= 1 && subtype <= 12 && subtype != 7;
    case Type::Bgp4mp:
    case Type::Bgp4mpEt: return subtype <= 11;
  }
  return false;
}

std::string type_name(std::uint16_t type, std::uint16_t subtype) {
  static constexpr const char* td2[] = {"?", "PEER_INDEX_TABLE", "RIB_IPV4_UNICAST", "RIB_IPV4_MULTICAST",
                                        "RIB_IPV6_UNICAST", "RIB_IPV6_MULTICAST", "RIB_GENERIC", "?",
                                        "RIB_IPV4_UNICAST_ADDPATH", "RIB_IPV4_MULTICAST_ADDPATH",
                                        "RIB_IPV6_UNICAST_ADDPATH", "RIB_IPV6_MULTICAST_ADDPATH",
                                        "RIB_GENERIC_ADDPATH"};
  static constexpr const char* mp[] = {"STATE_CHANGE", "MESSAGE", "ENTRY", "SNAPSHOT", "MESSAGE_AS4",
                                       "STATE_CHANGE_AS4", "MESSAGE_LOCAL", "MESSAGE_AS4_LOCAL",
                                       "MESSAGE_ADDPATH", "MESSAGE_AS4_ADDPATH", "MESSAGE_LOCAL_ADDPATH",
                                       "MESSAGE_AS4_LOCAL_ADDPATH"};
  switch (static_cast<Type>(type)) {
    case Type::Bgp: return fmt::format("BGP/{}", subtype);
    case Type::TableDump: return fmt::format("TABLE_DUMP/{}", subtype == 2 || subtype == 4 ? "AFI_IPv6" : "AFI_IPv4");
    case Type::TableDumpV2: return fmt::format("TABLE_DUMP_V2/{}", subtype < std::size(td2) ? td2[subtype] : "?");
    case Type::Bgp4mp:
    case Type::Bgp4mpEt:
      return fmt::format("{}/{}", type == 16 ? "BGP4MP" : "BGP4MP_ET", subtype < std::size(mp) ? mp[subtype] : "?");
  }
  return fmt::format("type {} subtype {}", type, subtype);
}

Reader::Reader(std::unique_ptr<ByteSource> src, std::string name, std::size_t initial_buffer)
    : src_(std::move(src)), name_(std::move(name)),
      buf_(std::make_unique_for_overwrite<std::uint8_t[]>(std::max<std::size_t>(initial_buffer, 64))),
      cap_(std::max<std::size_t>(initial_buffer, 64)) {}

Reader::Reader(const std::string& path) : Reader(open_input(path), path == "-" ? "<stdin>" : path) {}

void Reader::report(std::uint64_t offset, std::string what) {
  ++errors_;
  if (on_error) on_error(ReadError{name_, index_, offset, std::move(what)});
}

bool Reader::ensure(std::size_t n) {
  while (end_ - begin_ < n) {
    if (eof_) return false;
    if (begin_ + n > cap_) {
      if (n > cap_) {
        const std::size_t cap = n + (1u << 20);
        auto bigger = std::make_unique_for_overwrite<std::uint8_t[]>(cap);
        std::memcpy(bigger.get(), buf_.get() + begin_, end_ - begin_);
        buf_ = std::move(bigger);
        cap_ = cap;
      } else if (begin_ > 0) {
        std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
      }
      end_ -= begin_;
      begin_ = 0;
    }
    const std::size_t r = src_->read(buf_.get() + end_, cap_ - end_);
    if (r == 0) eof_ = true;
    end_ += r;
  }
  return true;
}

bool Reader::plausible_header(std::size_t at, std::uint32_t& length) const {
  const std::uint8_t* h = buf_.get() + at;
  const std::uint32_t time = load_u32(h);
  const std::uint16_t type = load_u16(h + 4), subtype = load_u16(h + 6);
  length = load_u32(h + 8);
  if (!known_type(type, subtype) || length > (1u << 20)) return false;
  if (type == static_cast<std::uint16_t>(Type::Bgp4mpEt) && length < 4) return false;
  // Within a day of the last good record: random bytes rarely pass this and the type test.
  if (last_time_ != 0 && (time + 86400u < last_time_ || time > last_time_ + 86400u)) return false;
  return true;
}

bool Reader::resync() {
  // Look for a header that is plausible and followed by another plausible header (or the end).
  const std::uint64_t from = stream_pos_;
  for (std::size_t skip = 1;; ++skip) {
    if (!ensure(skip + kHeaderSize)) {
      report(from, fmt::format("no further record header found after offset {}; {} bytes skipped to end", from,
                               end_ - begin_));
      stream_pos_ += end_ - begin_;
      begin_ = end_;
      return false;
    }
    std::uint32_t len = 0;
    if (!plausible_header(begin_ + skip, len)) continue;
    const std::size_t next = skip + kHeaderSize + len;
    std::uint32_t len2 = 0;
    const bool has_next = ensure(next + kHeaderSize);
    if (has_next ? plausible_header(begin_ + next, len2) : ensure(next)) {
      report(from, fmt::format("resynchronised at offset {} after skipping {} bytes", from + skip, skip));
      begin_ += skip;
      stream_pos_ += skip;
      return true;
    }
  }
}

bool Reader::next(Record& out) {
  for (;;) {
    if (!ensure(kHeaderSize)) {
      if (end_ > begin_) {
        report(stream_pos_, fmt::format("truncated MRT header: {} of {} bytes at end of input", end_ - begin_,
                                        kHeaderSize));
        stream_pos_ += end_ - begin_;
        begin_ = end_;
      }
      return false;
    }
    const std::uint8_t* h = buf_.get() + begin_;
    RecordHeader hdr;
    hdr.seconds = load_u32(h);
    hdr.type = load_u16(h + 4);
    hdr.subtype = load_u16(h + 6);
    hdr.length = load_u32(h + 8);
    const bool et = hdr.type == static_cast<std::uint16_t>(Type::Bgp4mpEt);
    if (hdr.length > kMaxRecordLength || (et && hdr.length < 4)) {
      report(stream_pos_, fmt::format("implausible record length {} for {}", hdr.length,
                                      type_name(hdr.type, hdr.subtype)));
      if (!resync()) return false;
      continue;
    }
    if (!ensure(kHeaderSize + hdr.length)) {
      report(stream_pos_, fmt::format("truncated record: {} declares {} body bytes, only {} remain",
                                      type_name(hdr.type, hdr.subtype), hdr.length, end_ - begin_ - kHeaderSize));
      stream_pos_ += end_ - begin_;
      begin_ = end_;
      return false;
    }
    h = buf_.get() + begin_;
    out.offset = stream_pos_;
    out.index = index_++;
    std::size_t body_at = begin_ + kHeaderSize;
    std::size_t body_len = hdr.length;
    if (et) {
      hdr.microseconds = load_u32(h + kHeaderSize);
      body_at += 4;
      body_len -= 4;
      hdr.length -= 4;
    }
    out.header = hdr;
    out.body = Bytes(buf_.get() + body_at, body_len);
    begin_ += kHeaderSize + (et ? 4 : 0) + body_len;
    stream_pos_ += kHeaderSize + (et ? 4 : 0) + body_len;
    if (known_type(hdr.type, hdr.subtype)) last_time_ = hdr.seconds;
    return true;
  }
}

}  // namespace bgpfa::mrt
