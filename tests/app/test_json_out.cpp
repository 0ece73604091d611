// The report's direct JSON writer gives the bytes of the fmt/json_quote forms it replaces.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "app/render/json_out.hpp"
#include "app/render/json_text.hpp"
#include "app/render/report_format.hpp"

using namespace bgpfa;

TEST_CASE("JsonOut strings, prefixes, times and milliseconds match json_quote, to_string, rfc3339 and {:.3f}",
          "[app][json]") {
  std::string all_bytes;
  for (int c = 1; c < 256; ++c) all_bytes.push_back(static_cast<char>(c));
  for (const std::string& v : {std::string(), std::string("plain"), std::string("a\"b\\c"), all_bytes,
                               std::string("tail\n"), std::string("\x01x"), std::string("0123456789abcdef\"012345678\x1f"),
                               std::string("65001 65002 65003 {65004,65005}\\")}) {
    std::string s;
    app::JsonOut(s).str(v);
    CHECK(s == app::json_quote(v));
  }
  for (const char* p : {"0.0.0.0/0", "10.1.2.0/24", "255.255.255.255/32", "2001:db8::/32", "::/0", "::ffff:10.0.0.0/104"}) {
    const auto prefix = wire::parse_prefix(p);
    REQUIRE(prefix);
    std::string s;
    app::JsonOut(s).prefix(*prefix);
    std::string quoted = "\"";
    quoted += wire::to_string(*prefix);
    quoted += '"';
    CHECK(s == quoted);
  }
  std::string s;
  app::JsonOut o(s);
  std::string want;
  // Several times within one second and across seconds and days: the kept date part is renewed.
  for (std::uint64_t us : {0ull, 1ull, 999999ull, 1000000ull, 1700000000120000ull, 1700000000999999ull, 1700000001000000ull,
                           1700086400000005ull, 1027381055000000ull}) {
    o.time(us).ch(' ');
    want += app::json_quote(app::rfc3339(us));
    want += ' ';
  }
  for (std::uint64_t us : {0ull, 1ull, 999ull, 1000ull, 1234567ull, 86400000000ull, 18446744073709ull}) {
    o.ms(us).ch(' ');
    want += fmt::format("{:.3f} ", static_cast<double>(us) / 1000.0);
  }
  CHECK(o.text() == want);
  // Written through the window, then cut back: the string holds exactly the bytes written.
  std::string big;
  {
    app::JsonOut w(big);
    for (int k = 0; k < 20000; ++k) w.str("65001 65002").ch(',');
    CHECK(w.size() == 20000u * 14);
  }
  CHECK(big.size() == 20000u * 14);
  CHECK(big.substr(0, 28) == "\"65001 65002\",\"65001 65002\",");
  // Drained: what was written so far goes out whole, and writing starts again at the beginning.
  std::string chunks, buf = "head,";
  {
    app::JsonOut w(buf);
    w.str("a");
    w.drain([&](std::string_view v) { chunks += v; });
    w.str("b").ch(',');
    w.drain([&](std::string_view v) { chunks += v; });
    w.str("c");
  }
  CHECK(chunks == "head,\"a\"\"b\",");
  CHECK(buf == "\"c\"");
}
