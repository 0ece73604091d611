// bgpdump's text forms and the CLI's behaviour on bad input.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "app/render/bgpdump_format.hpp"
#include "app/render/json_format.hpp"
#include "bgp/mrt/writer.hpp"
#include "bgp/wire/update.hpp"
#include "tests/app/run.hpp"
#include "tests/hex.hpp"

using namespace bgpfa;
using bgpfa::test::hex;
using bgpfa::test::run_bgpfa;
using bgpfa::test::TempFile;

namespace {
std::string path_text(const char* attrs, bool four_octet) {
  const auto b = hex(attrs);
  wire::DecodeContext ctx;
  ctx.four_octet_as = four_octet;
  wire::PathAttributes a;
  REQUIRE_FALSE(wire::decode_path_attributes(b, ctx, false, a));
  return app::BgpdumpFormat::as_path_text(a, four_octet);
}
}  // namespace

TEST_CASE("bgpdump AS path text: sets, confederations", "[app][bgpdump]") {
  // SEQ(1 2) SET{3 4} CONFED_SEQ(5) CONFED_SET[6 7] SEQ(8)
  CHECK(path_text("40022a 0202 00000001 00000002 0102 00000003 00000004 0301 00000005 0402 00000006 00000007 0201 00000008",
                  true) == "1 2 {3,4} (5) [6,7] 8");
  CHECK(path_text("40020a 0102 00000003 00000004", true) == "{3,4}");
  CHECK(path_text("400200", true).empty());
}

TEST_CASE("bgpdump AS4_PATH merge, including its first-segment quirk", "[app][bgpdump]") {
  // AS_PATH (2-octet): SEQ(100 23456) SET{200 300} ; AS4_PATH: SET{200 300}: 2 ASes kept.
  CHECK(path_text("40020c 0202 0064 5ba0 0102 00c8 012c c0110a 0102 000000c8 0000012c", false) == "100 23456 {200,300}");
  // AS_PATH SEQ(100) SEQ(200 300), AS4_PATH SEQ(4200000001): RFC 6793 gives "100 200 4200000001";
  // bgpdump never leaves the first segment and prints "100 100 4200000001".
  CHECK(path_text("40020a 0201 0064 0202 00c8 012c c01106 0201 fa56ea01", false) == "100 100 4200000001");
  // Plain RFC case: 65001 23456 + AS4 4200000001 -> "65001 4200000001"
  CHECK(path_text("400206 0202 fde9 5ba0 c01106 0201 fa56ea01", false) == "65001 4200000001");
}

TEST_CASE("JSON attributes are typed", "[app][json]") {
  const auto b = hex("40010100 40020a 0202 0000fde9 0000fdea 400304c0000201 c00804 fde90064 c0200c 00000001 00000002 00000003");
  wire::PathAttributes a;
  REQUIRE_FALSE(wire::decode_path_attributes(b, wire::DecodeContext{}, true, a));
  CHECK(app::JsonFormat::attributes_json(a, true) ==
        R"({"origin":"IGP","as_path":[{"sequence":[65001,65002]}],"next_hop":"192.0.2.1","communities":["65001:100"],"large_communities":["1:2:3"]})");
}

namespace {

// The session of the scripted captures: AS 12076 at 192.0.2.1, bgpfa (AS 65515) at 192.0.2.100.
mrt::Bgp4mpPeer scripted_peer() {
  mrt::Bgp4mpPeer peer;
  peer.peer_as = 12076;
  peer.local_as = 65515;
  peer.peer_ip = wire::IpAddress::v4(0xc0000201);
  peer.local_ip = wire::IpAddress::v4(0xc0000264);
  return peer;
}

}  // namespace

TEST_CASE("mrt dump on a scripted capture: bgpdump lines, JSON, and a malformed UPDATE", "[app][cli]") {
  const mrt::Bgp4mpPeer peer = scripted_peer();
  std::vector<std::uint8_t> dump;
  mrt::append_bgp4mp_et_state_change(dump, {1700000000, 5}, peer, 5, 6);
  mrt::append_bgp4mp_et_message(dump, {1700000001, 250000}, peer, false,
                                wire::encode_update({}, hex("40010100 400206 0201 00002f2c 400304c0000201"), hex("180a0102")));
  // ORIGIN value 7: RFC 7606 treat-as-withdraw.
  mrt::append_bgp4mp_et_message(dump, {1700000002, 0}, peer, false,
                                wire::encode_update({}, hex("40010107 400206 0201 00002f2c 400304c0000201"), hex("180a0103")));
  TempFile f;
  f.write(dump);
  auto r = run_bgpfa("mrt dump -m " + f.path());
  CHECK(r.out ==
        "BGP4MP_ET|1700000000.000005|STATE|192.0.2.1|12076|5|6\n"
        "BGP4MP_ET|1700000001.250000|A|192.0.2.1|12076|10.1.2.0/24|12076|IGP|192.0.2.1|0|0||NAG||\n"
        "BGP4MP_ET|1700000002.000000|W|192.0.2.1|12076|10.1.3.0/24\n");
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("record=2") && Catch::Contains("Invalid ORIGIN Attribute") &&
                        Catch::Contains("treat-as-withdraw") && Catch::Contains("peer 192.0.2.1"));
  auto j = run_bgpfa("mrt dump --json " + f.path());
  CHECK_THAT(j.out, Catch::Contains(R"({"type":"state","mrt":"BGP4MP_ET/STATE_CHANGE_AS4","record":0,"time":"2023-11-14T22:13:20.000005Z")"));
  CHECK_THAT(j.out, Catch::Contains(R"("prefix":"10.1.2.0/24","attributes":{"origin":"IGP","as_path":[{"sequence":[12076]}])"));
  auto human = run_bgpfa("mrt dump -M " + f.path());
  CHECK_THAT(human.out, Catch::Contains("BGP4MP_ET|11/14/23 22:13:21.250000|A|192.0.2.1|12076|10.1.2.0/24|12076|IGP\n"));
}

TEST_CASE("CLI errors are clear", "[app][cli]") {
  auto r = run_bgpfa("mrt dump -m /nonexistent.mrt");
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("/nonexistent.mrt: cannot open"));
  auto both = run_bgpfa("mrt dump -m -M /dev/null");
  CHECK(both.status == 2);
}

TEST_CASE("mrt dump: a RIB route rendered from the tail cache without decoding is the decoded one's line, "
          "and a block with a problem is decoded (and reported) for every route", "[app][cli][bgpdump]") {
  mrt::PeerIndexTable peers;
  for (std::uint32_t i = 0; i < 2; ++i) {
    mrt::PeerEntry p;
    p.type = 2;  // IPv4, 4-octet AS
    p.bgp_id = 0x0a000001 + i;
    p.ip = wire::IpAddress::v4(0xc0000201 + i);
    p.asn = 65001 + i;
    peers.peers.push_back(p);
  }
  const auto clean = hex("40010100 400206 0201 0000fde9 400304c0000201");
  // ATOMIC_AGGREGATE of length 1: attribute-discard, a warning (the route is kept; bgpdump,
  // which looks only for the attribute, prints AG).
  const auto odd = hex("40010100 400206 0201 0000fde9 400304c0000201 40060100");
  std::vector<std::uint8_t> dump;
  mrt::append_peer_index_table(dump, 1700000000, peers);
  for (std::uint32_t k = 0; k < 3; ++k) {
    wire::Prefix pfx;
    pfx.address = wire::IpAddress::v4(0x0a010000 + (k << 8));
    pfx.length = 24;
    std::vector<mrt::RibSnapshotEntry> entries{{0, 1600000000 + k, 0, clean}, {1, 1600000100 + k, 0, odd}};
    mrt::append_rib_record(dump, 1700000000, k, pfx, false, entries);
  }
  TempFile f;
  f.write(dump);
  auto r = run_bgpfa("mrt dump -m -t change " + f.path());
  CHECK(r.out ==
        "TABLE_DUMP2|1600000000|B|192.0.2.1|65001|10.1.0.0/24|65001|IGP|192.0.2.1|0|0||NAG||\n"
        "TABLE_DUMP2|1600000100|B|192.0.2.2|65002|10.1.0.0/24|65001|IGP|192.0.2.1|0|0||AG||\n"
        "TABLE_DUMP2|1600000001|B|192.0.2.1|65001|10.1.1.0/24|65001|IGP|192.0.2.1|0|0||NAG||\n"
        "TABLE_DUMP2|1600000101|B|192.0.2.2|65002|10.1.1.0/24|65001|IGP|192.0.2.1|0|0||AG||\n"
        "TABLE_DUMP2|1600000002|B|192.0.2.1|65001|10.1.2.0/24|65001|IGP|192.0.2.1|0|0||NAG||\n"
        "TABLE_DUMP2|1600000102|B|192.0.2.2|65002|10.1.2.0/24|65001|IGP|192.0.2.1|0|0||AG||\n");
  // One warning per route of the odd block, with its own record number.
  for (int rec = 1; rec <= 3; ++rec) CHECK_THAT(r.err, Catch::Contains(fmt::format("record={} ", rec)));
  std::size_t warnings = 0;
  for (std::size_t at = 0; (at = r.err.find("warning", at)) != std::string::npos; ++at) ++warnings;
  CHECK(warnings == 3);
}

TEST_CASE("OutBuffer::format_u64 writes every digit count, two digits at a time", "[app][bgpdump]") {
  std::uint64_t v = 0;
  for (int digits = 1; digits <= 20; ++digits) {
    for (const std::uint64_t x : {v, v + 1, v * 10 + 9}) {
      if (digits == 20 && x != v) continue;  // past 2^64
      char buf[24];
      char* end = app::OutBuffer::format_u64(x, buf);
      CHECK(std::string(buf, end) == std::to_string(x));
    }
    v = v * 10 + 9;  // 9, 99, 999, ...
  }
  char buf[24];
  CHECK(std::string(buf, app::OutBuffer::format_u64(UINT64_MAX, buf)) == "18446744073709551615");
  CHECK(std::string(buf, app::OutBuffer::format_u64(4294967295u, buf)) == "4294967295");
  CHECK(std::string(buf, app::OutBuffer::format_u64(100, buf)) == "100");
}

TEST_CASE("bgpdump community texts come right through the community text cache's hits and evictions",
          "[app][bgpdump]") {
  const mrt::Bgp4mpPeer peer = scripted_peer();
  std::vector<std::uint8_t> dump;
  std::string want;
  // 300 distinct sets (more than the cache's 256 slots), each met twice, sets of the same size
  // and the same first and last community among them.
  for (unsigned i = 0; i < 600; ++i) {
    const unsigned k = i % 300;
    const std::string comms = fmt::format("fde80001 {:04x}{:04x} ffffff01", 65000 + k % 17, k);
    mrt::append_bgp4mp_et_message(
        dump, {1700000000 + i, 0}, peer, false,
        wire::encode_update({}, hex("40010100 400206 0201 00002f2c 400304c0000201 c0080c " + comms), hex("180a0102")));
    want += fmt::format("BGP4MP_ET|{}.000000|A|192.0.2.1|12076|10.1.2.0/24|12076|IGP|192.0.2.1|0|0|65000:1 {}:{} "
                        "no-export|NAG||\n",
                        1700000000 + i, 65000 + k % 17, k);
  }
  TempFile f;
  f.write(dump);
  const auto r = run_bgpfa("mrt dump -m " + f.path());
  CHECK(r.status == 0);
  CHECK(r.out == want);
}

TEST_CASE("OutBuffer::format_6_digits writes the last six digits, zero-padded", "[app][bgpdump]") {
  char buf[8];
  CHECK(std::string(buf, app::OutBuffer::format_6_digits(0, buf)) == "000000");
  CHECK(std::string(buf, app::OutBuffer::format_6_digits(5, buf)) == "000005");
  CHECK(std::string(buf, app::OutBuffer::format_6_digits(250000, buf)) == "250000");
  CHECK(std::string(buf, app::OutBuffer::format_6_digits(999999, buf)) == "999999");
  CHECK(std::string(buf, app::OutBuffer::format_6_digits(4294967295u, buf)) == "967295");  // as the digit loop it replaces
}

TEST_CASE("bgpdump AS path text stops at its 8000-byte buffer with \"...\", for 4- and 2-octet ASNs",
          "[app][bgpdump]") {
  for (const bool four : {true, false}) {
    INFO((four ? "4-octet" : "2-octet"));
    const std::uint32_t asn = four ? 4200000000u : 65000u;
    std::string segs;
    for (int seg = 0; seg < 8; ++seg) {  // 8 AS_SEQUENCEs of 255 ASNs: past 8000 characters
      segs += "02ff";
      for (int i = 0; i < 255; ++i) segs += four ? fmt::format("{:08x}", asn) : fmt::format("{:04x}", asn);
    }
    const std::string attr = fmt::format("5002{:04x}", segs.size() / 2) + segs;
    std::string want;
    while (want.size() <= 7900) {  // bgpdump checks after each ASN
      if (!want.empty()) want += ' ';
      want += std::to_string(asn);
    }
    want += "...";
    CHECK(path_text(attr.c_str(), four) == want);
  }
}
