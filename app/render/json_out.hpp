// Streaming JSON text into a std::string, with no format-string parsing: the report's hot rows
// (one per prefix and per event) are written piece by piece. Output is what fmt and
// json_quote() give for the same values.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "bgp/wire/ip.hpp"

namespace bgpfa::app {

// Writes go straight into the string's bytes: it is grown a window at a time (resize) and cut
// back to what was written by sync(), text() or the destructor. Between those, `s` holds the
// window's unused tail too: whoever else appends to `s` calls sync() first.
class JsonOut {
 public:
  explicit JsonOut(std::string& s) : s_(s) {}
  ~JsonOut() { sync(); }
  JsonOut(const JsonOut&) = delete;
  JsonOut& operator=(const JsonOut&) = delete;

  JsonOut& raw(std::string_view v) {
    char* p = room(v.size());
    std::memcpy(p, v.data(), v.size());
    p_ = p + v.size();
    return *this;
  }
  JsonOut& ch(char c) {
    *room(1) = c;
    ++p_;
    return *this;
  }
  JsonOut& num(std::uint64_t v) {
    const fmt::format_int f(v);
    return raw({f.data(), f.size()});
  }
  JsonOut& num_signed(std::int64_t v) {
    const fmt::format_int f(v);
    return raw({f.data(), f.size()});
  }
  // A JSON string literal (json_quote's escaping).
  JsonOut& str(std::string_view v) {
    char* p = room(2 + 6 * v.size());  // every byte escaped as \u00XX at worst
    *p++ = '"';
    std::size_t i = 0;
    // Eight bytes at a time while none needs escaping (exact tests for a byte < 0x20, '"', '\\').
    for (; i + 8 <= v.size(); i += 8) {
      std::uint64_t w;
      std::memcpy(&w, v.data() + i, 8);
      constexpr std::uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
      const std::uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
      if ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & high) break;
      std::memcpy(p, &w, 8);
      p += 8;
    }
    for (; i < v.size(); ++i) {
      const auto c = static_cast<unsigned char>(v[i]);
      if (c != '"' && c != '\\' && c >= 0x20) [[likely]] {
        *p++ = static_cast<char>(c);
      } else if (c < 0x20) {
        static constexpr char hex[] = "0123456789abcdef";
        const char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        std::memcpy(p, esc, 6);
        p += 6;
      } else {
        *p++ = '\\';
        *p++ = static_cast<char>(c);
      }
    }
    *p++ = '"';
    p_ = p;
    return *this;
  }
  // "192.0.2.0/24" (wire::to_string of the prefix, quoted).
  JsonOut& prefix(const wire::Prefix& p) {
    char* e = room(64);
    *e++ = '"';
    e = p.address.afi == wire::Afi::Ipv6 ? wire::format_ipv6(p.address.octets.data(), e)
                                         : wire::format_ipv4(p.address.octets.data(), e);
    *e++ = '/';
    const fmt::format_int n(p.length);
    for (std::size_t i = 0; i < n.size(); ++i) *e++ = n.data()[i];
    *e++ = '"';
    p_ = e;
    return *this;
  }
  // Milliseconds with three decimals ("{:.3f}" of us / 1000.0, exact for integers).
  JsonOut& ms(std::uint64_t us) {
    num(us / 1000);
    const unsigned r = static_cast<unsigned>(us % 1000);
    const char frac[4] = {'.', static_cast<char>('0' + r / 100), static_cast<char>('0' + r / 10 % 10),
                          static_cast<char>('0' + r % 10)};
    return raw({frac, 4});
  }
  // RFC 3339 UTC with microseconds, quoted (rfc3339()); the date part is kept per second.
  JsonOut& time(std::uint64_t us) {
    const std::uint64_t sec = us / 1000000;
    if (sec != time_sec_ || !time_valid_) {
      const std::time_t t = static_cast<std::time_t>(sec);
      std::tm tm{};
      gmtime_r(&t, &tm);
      const char* e = fmt::format_to(time_, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1,
                                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
      time_len_ = static_cast<std::size_t>(e - time_);
      time_sec_ = sec;
      time_valid_ = true;
    }
    char* e = room(time_len_ + 12);
    *e++ = '"';
    std::memcpy(e, time_, time_len_);
    e += time_len_;
    *e++ = '.';
    std::uint32_t f = static_cast<std::uint32_t>(us % 1000000);
    for (int i = 5; i >= 0; --i, f /= 10) e[i] = static_cast<char>('0' + f % 10);
    e += 6;
    *e++ = 'Z';
    *e++ = '"';
    p_ = e;
    return *this;
  }
  // Bytes written so far, the string's own and these.
  [[nodiscard]] std::size_t size() const noexcept { return p_ ? static_cast<std::size_t>(p_ - s_.data()) : s_.size(); }
  // Cuts the string back to what was written: from here on others may append to it.
  void sync() {
    if (!p_) return;
    s_.resize(static_cast<std::size_t>(p_ - s_.data()));
    p_ = end_ = nullptr;
  }
  // Hands everything written so far (the string's bytes and these) to `write` and starts again at
  // the string's beginning: its window is written over again, not grown and zero-filled anew.
  template <class Write>
  void drain(Write&& write) {
    if (!p_) {
      write(std::string_view(s_));
      s_.clear();
      return;
    }
    write(std::string_view(s_.data(), static_cast<std::size_t>(p_ - s_.data())));
    p_ = s_.data();
  }
  [[nodiscard]] std::string& text() {
    sync();
    return s_;
  }

 private:
  static constexpr std::size_t kWindow = 64 << 10;
  // Where the next n bytes go (p_ is moved past what is written by the caller).
  char* room(std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n) [[unlikely]]
      grow(n);
    return p_;
  }
  void grow(std::size_t n) {
    const std::size_t used = size();
    s_.resize(used + std::max(n, kWindow));
    p_ = s_.data() + used;
    end_ = s_.data() + s_.size();
  }

  std::string& s_;
  char* p_ = nullptr;    // the next byte to write, inside s_ (nullptr: synced)
  char* end_ = nullptr;  // the end of s_'s window
  char time_[64]{};
  std::size_t time_len_ = 0;
  std::uint64_t time_sec_ = 0;
  bool time_valid_ = false;
};

}  // namespace bgpfa::app
