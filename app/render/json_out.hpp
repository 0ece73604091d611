// Streaming JSON text into a std::string, with no format-string parsing: the report's hot rows
// (one per prefix and per event) are written piece by piece. Output is what fmt and
// json_quote() give for the same values.
#pragma once
#include <cstdint>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "bgp/wire/ip.hpp"

namespace bgpfa::app {

class JsonOut {
 public:
  explicit JsonOut(std::string& s) : s_(s) {}
  JsonOut& raw(std::string_view v) {
    s_.append(v.data(), v.size());
    return *this;
  }
  JsonOut& ch(char c) {
    s_.push_back(c);
    return *this;
  }
  JsonOut& num(std::uint64_t v) {
    const fmt::format_int f(v);
    s_.append(f.data(), f.size());
    return *this;
  }
  JsonOut& num_signed(std::int64_t v) {
    const fmt::format_int f(v);
    s_.append(f.data(), f.size());
    return *this;
  }
  // A JSON string literal (json_quote's escaping).
  JsonOut& str(std::string_view v) {
    s_.push_back('"');
    std::size_t from = 0;
    std::size_t i = 0;
    // Eight bytes at a time while none needs escaping (exact tests for a byte < 0x20, '"', '\\').
    for (; i + 8 <= v.size(); i += 8) {
      std::uint64_t w;
      std::memcpy(&w, v.data() + i, 8);
      constexpr std::uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
      const std::uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
      if ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & high) break;
    }
    for (; i < v.size(); ++i) {
      const auto c = static_cast<unsigned char>(v[i]);
      if (c != '"' && c != '\\' && c >= 0x20) [[likely]]
        continue;
      s_.append(v.data() + from, i - from);
      from = i + 1;
      if (c < 0x20) {
        static constexpr char hex[] = "0123456789abcdef";
        const char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        s_.append(esc, 6);
      } else {
        const char esc[2] = {'\\', static_cast<char>(c)};
        s_.append(esc, 2);
      }
    }
    s_.append(v.data() + from, v.size() - from);
    s_.push_back('"');
    return *this;
  }
  // "192.0.2.0/24" (wire::to_string of the prefix, quoted).
  JsonOut& prefix(const wire::Prefix& p) {
    char buf[64];
    char* e = buf;
    *e++ = '"';
    e = p.address.afi == wire::Afi::Ipv6 ? wire::format_ipv6(p.address.octets.data(), e)
                                         : wire::format_ipv4(p.address.octets.data(), e);
    *e++ = '/';
    const fmt::format_int n(p.length);
    for (std::size_t i = 0; i < n.size(); ++i) *e++ = n.data()[i];
    *e++ = '"';
    s_.append(buf, e);
    return *this;
  }
  // Milliseconds with three decimals ("{:.3f}" of us / 1000.0, exact for integers).
  JsonOut& ms(std::uint64_t us) {
    num(us / 1000);
    const unsigned r = static_cast<unsigned>(us % 1000);
    const char frac[4] = {'.', static_cast<char>('0' + r / 100), static_cast<char>('0' + r / 10 % 10),
                          static_cast<char>('0' + r % 10)};
    s_.append(frac, 4);
    return *this;
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
    char buf[48];
    char* e = buf;
    *e++ = '"';
    for (std::size_t i = 0; i < time_len_; ++i) *e++ = time_[i];
    *e++ = '.';
    std::uint32_t f = static_cast<std::uint32_t>(us % 1000000);
    for (int i = 5; i >= 0; --i, f /= 10) e[i] = static_cast<char>('0' + f % 10);
    e += 6;
    *e++ = 'Z';
    *e++ = '"';
    s_.append(buf, e);
    return *this;
  }
  [[nodiscard]] std::string& text() noexcept { return s_; }

 private:
  std::string& s_;
  char time_[64]{};
  std::size_t time_len_ = 0;
  std::uint64_t time_sec_ = 0;
  bool time_valid_ = false;
};

}  // namespace bgpfa::app
