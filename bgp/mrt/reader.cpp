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

namespace {

// RFC 6396 types bgpfa does not decode (control, RIP, IDRP, BGP4PLUS, OSPF, IS-IS): plausible in
// a dump, so the decoder reports and skips them; their subtypes are unused (0) or at most 7.
bool registered_type(std::uint16_t type, std::uint16_t subtype) noexcept {
  if (known_type(type, subtype)) return true;
  switch (type) {
    case 0: case 1: case 2: case 3: case 4: case 6: case 7: case 8: case 9: case 10: case 11:
    case 32: case 33: case 48: case 49:
      return subtype <= 7;
    default: return false;
  }
}

bool near(std::uint32_t t, std::uint32_t ref) noexcept {
  return ref == 0 || (t >= ref ? t - ref : ref - t) <= Reader::kMaxTimeGap;
}

}  // namespace

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

void Reader::raise_source_error() const {
  if (source_error_) std::rethrow_exception(source_error_);
}

void Reader::report(std::uint64_t offset, std::string what) {
  ++errors_;
  if (on_error) on_error(ReadError{name_, index_, offset, std::move(what)});
}

bool Reader::fill(std::size_t n) {
  while (end_ - begin_ < n) {
    if (eof_) return false;
    if (end_ == cap_) {
      if (begin_ > 0) {
        std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
      } else {
        // Full of bytes that did arrive: double. A header's length alone never grows it, so a
        // tiny input declaring 60 MB costs nothing.
        const std::size_t cap = cap_ * 2;
        auto bigger = std::make_unique_for_overwrite<std::uint8_t[]>(cap);
        std::memcpy(bigger.get(), buf_.get(), end_);
        buf_ = std::move(bigger);
        cap_ = cap;
      }
    }
    std::size_t r = 0;
    try {
      r = src_->read(buf_.get() + end_, cap_ - end_);
    } catch (...) {  // a broken stream: the whole records buffered before it are read first
      source_error_ = std::current_exception();
      eof_ = true;
      return false;
    }
    if (r == 0) eof_ = true;
    end_ += r;
  }
  return true;
}

std::uint32_t Reader::time_at(std::size_t at) const { return load_u32(buf_.get() + begin_ + at); }
std::uint32_t Reader::length_at(std::size_t at) const { return load_u32(buf_.get() + begin_ + at + 8); }

bool Reader::plausible_shape(std::size_t at, std::uint32_t max_length) const {
  const std::uint8_t* h = buf_.get() + begin_ + at;
  const std::uint16_t type = load_u16(h + 4), subtype = load_u16(h + 6);
  const std::uint32_t length = load_u32(h + 8);
  if (!registered_type(type, subtype) || length > max_length) return false;
  return !(type == static_cast<std::uint16_t>(Type::Bgp4mpEt) && length < 4);
}

bool Reader::chain_at(std::size_t at, std::uint32_t ref) {
  if (!plausible_shape(at, kMaxCandidateLength) || !near(time_at(at), ref)) return false;
  const std::size_t next = at + kHeaderSize + length_at(at);
  if (!ensure(next + kHeaderSize)) return ensure(next);  // the candidate ends the input
  return plausible_shape(next, kMaxRecordLength) && near(time_at(next), time_at(at));
}

bool Reader::resync(const std::string& why, const std::string& truncated) {
  const std::uint64_t from = stream_pos_;
  std::uint64_t skipped = 0;
  auto drop = [&](std::size_t n) {
    begin_ += n;
    stream_pos_ += n;
    skipped += n;
  };
  for (std::size_t at = 1;; ++at) {
    if (!ensure(at + kHeaderSize)) {
      raise_source_error();
      drop(end_ - begin_);
      if (!truncated.empty()) report(from, truncated);
      else report(from, fmt::format("{}; no further record header found, {} bytes skipped to the end of the input", why,
                                    skipped));
      return false;
    }
    if (chain_at(at, last_time_)) {
      drop(at);
      report(from, fmt::format("{}; resynchronised at offset {} after skipping {} bytes", why, stream_pos_, skipped));
      return true;
    }
    if (at >= (64u << 10)) {  // drop what was searched: a long damaged stretch costs no memory
      drop(at);
      at = 0;
    }
  }
}

bool Reader::next(Record& out) {
  for (;;) {
    if (!ensure(kHeaderSize)) {
      raise_source_error();
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
    // The header was found plausible already when it followed the previous record (checked_pos_).
    if (stream_pos_ != checked_pos_ && !plausible_shape(0, kMaxRecordLength)) {
      const std::string why =
          registered_type(hdr.type, hdr.subtype)
              ? fmt::format("implausible record length {} for {}", hdr.length, type_name(hdr.type, hdr.subtype))
              : fmt::format("implausible record header: type {} subtype {} is not an MRT record type", hdr.type,
                            hdr.subtype);
      if (!resync(why)) return false;
      continue;
    }
    const std::size_t size = kHeaderSize + hdr.length;
    if (!ensure(size)) {
      raise_source_error();
      // Runs past the end: a damaged header if a plausible record follows, else a truncated last record.
      const std::size_t remain = end_ - begin_ - kHeaderSize;
      const std::string what = fmt::format("{} declares {} body bytes, only {} remain", type_name(hdr.type, hdr.subtype),
                                           hdr.length, remain);
      if (!resync("implausible record header: " + what, "truncated record: " + what)) return false;
      continue;
    }
    const bool have_next = ensure(size + kHeaderSize);
    const bool next_plausible = have_next && plausible_shape(size, kMaxRecordLength);
    if (!near(hdr.seconds, last_time_)) {
      // Believable only if the next record agrees (dumps of different days concatenated).
      const bool agrees = have_next ? next_plausible && near(time_at(size), hdr.seconds) : end_ - begin_ == size;
      if (!agrees) {
        if (!resync(fmt::format("implausible record header: timestamp {} is more than {} s from the previous "
                                "record's ({}) and the next record's",
                                hdr.seconds, kMaxTimeGap, last_time_)))
          return false;
        continue;
      }
    } else if (have_next && !next_plausible) {
      // The header after this record is implausible. If a record chain starts inside this
      // record, this header's length is the damage: resynchronise there, dropping only it. The
      // chain's time must be near this record's (last_time_ is 0 at the first record, and
      // random bytes inside a body must not pass for records).
      std::size_t at = 1;
      while (at < size && !chain_at(at, hdr.seconds)) ++at;
      if (at < size) {
        const std::uint64_t from = stream_pos_;
        begin_ += at;
        stream_pos_ += at;
        report(from, fmt::format("implausible record header: {} of {} body bytes is followed by no plausible "
                                 "header, but a record starts inside it; resynchronised at offset {} after skipping "
                                 "{} bytes",
                                 type_name(hdr.type, hdr.subtype), hdr.length, stream_pos_, at));
        continue;
      }
    }
    if (next_plausible) checked_pos_ = stream_pos_ + size;
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
    begin_ += size;
    stream_pos_ += size;
    last_time_ = hdr.seconds;
    return true;
  }
}

}  // namespace bgpfa::mrt
