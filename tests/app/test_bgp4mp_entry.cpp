// BGP4MP_ENTRY (OpenBGPD's `dump table-mp`) through `mrt dump -m`, `--json` and `replay`.
#include <catch2/catch.hpp>

#include <filesystem>

#include "bgp/wire/bytes.hpp"
#include "tests/app/run.hpp"
#include "tests/hex.hpp"

using bgpfa::test::hex;
using bgpfa::test::run_bgpfa;
using bgpfa::test::slurp;
using bgpfa::test::TempFile;
namespace fs = std::filesystem;

namespace {

void append_record(std::vector<std::uint8_t>& out, std::uint32_t t, const std::vector<std::uint8_t>& body) {
  std::uint8_t h[12];
  bgpfa::wire::store_u32(h, t);
  bgpfa::wire::store_u16(h + 4, 16);  // BGP4MP
  bgpfa::wire::store_u16(h + 6, 2);   // ENTRY
  bgpfa::wire::store_u32(h + 8, static_cast<std::uint32_t>(body.size()));
  out.insert(out.end(), h, h + 12);
  out.insert(out.end(), body.begin(), body.end());
}

// Three routes as OpenBGPD writes them (local AS and address first, then the peer's).
std::vector<std::uint8_t> entry_dump() {
  std::vector<std::uint8_t> d;
  // A 4-octet-AS peer: AS_TRANS in the AS field and AS_PATH, AS4_PATH beside it, and OpenBGPD's
  // 8-octet AGGREGATOR in this 2-octet record.
  append_record(d, 1444843446,
                hex("fde8 5ba0 0000 0001 c0a80166 c0000201 0000 0001 561e8d53 0001 01 04 c0000201 10 0a01"
                    "0033 40010100 400206 0202 5ba0 fbf4 40050400000064 c00804fbf40001 c00708 fa56ea01 c0000201"
                    "c0110a 0202 fa56ea01 0000fbf4"));
  // IPv6 peer and route, next hop global + link-local.
  append_record(d, 1444843446,
                hex("fde8 fbf5 0000 0002 20010db8000000000000000000000064 20010db8000000000000000000000002 0000 0001 561e8d53"
                    "0002 01 20 20010db8000000000000000000000002 fe800000000000000000000000000002 28 20010db801"
                    "0012 40010102 400204 0201 fbf5 80040400000005"));
  // VPNv4 (SAFI 128): not a bgpdump line, a JSON object with the NLRI in hex.
  append_record(d, 1444843446,
                hex("fde8 5ba0 0000 0001 c0a80166 c0000201 0000 0001 561e8d53 0001 80 0c 0000000000000000c0000201"
                    "70 000011 0000fbf400000001 0a0102 0007 40010100 400200"));
  return d;
}

}  // namespace

TEST_CASE("BGP4MP_ENTRY records print as TABLE_DUMP2 lines and RIB JSON objects", "[app][bgp4mp][entry]") {
  TempFile f(".mrt");
  f.write(entry_dump());
  auto m = run_bgpfa("mrt dump -m " + f.path());
  CHECK(m.err.empty());
  CHECK(m.status == 0);
  CHECK(m.out ==
        "TABLE_DUMP2|1444843446|B|192.0.2.1|23456|10.1.0.0/16|4200000001 64500|IGP|192.0.2.1|100|0|64500:1|NAG|"
        "4200000001 192.0.2.1|\n"
        "TABLE_DUMP2|1444843446|B|2001:db8::2|64501|2001:db8:100::/40|64501|INCOMPLETE|2001:db8::2|0|5||NAG||\n");
  auto t = run_bgpfa("mrt dump -m -t change " + f.path());
  CHECK_THAT(t.out, Catch::StartsWith("TABLE_DUMP2|1444842835|B|192.0.2.1|"));

  auto j = run_bgpfa("mrt dump --json " + f.path());
  CHECK(j.status == 0);
  CHECK_THAT(j.out, Catch::Contains(
      R"({"type":"rib","mrt":"BGP4MP/ENTRY","record":0,"time":"2015-10-14T17:24:06.000000Z","timestamp_us":1444843446000000,)"
      R"("peer_ip":"192.0.2.1","peer_as":23456,"afi":1,"safi":1,"prefix":"10.1.0.0/16","originated":"2015-10-14T17:13:55.000000Z",)"
      R"("attributes":{"origin":"IGP","as_path":[{"sequence":[4200000001,64500]}],"next_hop":"192.0.2.1","local_pref":100,)"
      R"("aggregator":{"asn":4200000001,"address":"192.0.2.1"},"communities":["64500:1"]}})"));
  CHECK_THAT(j.out, Catch::Contains(R"("peer_ip":"2001:db8::2","peer_as":64501,"afi":2,"safi":1,"prefix":"2001:db8:100::/40")"));
  CHECK_THAT(j.out, Catch::Contains(R"("afi":1,"safi":128,"prefix":"700000110000fbf4000000010a0102")"));
}

TEST_CASE("replay takes BGP4MP_ENTRY routes as RIB entries", "[replay][bgp4mp][entry]") {
  TempFile dump(".mrt"), conf, snapshot;
  dump.write(entry_dump());
  const std::string text =
      "router bgp 65515\n"
      " neighbor 192.0.2.1 remote-as 4200000001\n neighbor 192.0.2.1 gateway expressroute circuit er1 link primary\n"
      " neighbor 2001:db8::2 remote-as 64501\n neighbor 2001:db8::2 gateway vpn instance 0\n";
  conf.write({text.begin(), text.end()});
  auto r = run_bgpfa("replay -q -c " + conf.path() + " --rib-snapshot " + snapshot.path() + " " + dump.path());
  REQUIRE(r.status == 0);
  auto back = run_bgpfa("mrt dump -m " + snapshot.path());
  CHECK(back.err.empty());
  // The snapshot (TABLE_DUMP_V2, 4-octet ASNs) holds both unicast routes with their next hops.
  CHECK_THAT(back.out, Catch::Contains("|192.0.2.1|4200000001|10.1.0.0/16|4200000001 64500|IGP|192.0.2.1|100|0|64500:1|NAG|"
                                       "4200000001 192.0.2.1|\n"));
  CHECK_THAT(back.out, Catch::Contains("|2001:db8::2|64501|2001:db8:100::/40|64501|INCOMPLETE|2001:db8::2|0|5||NAG||\n"));
  auto json = run_bgpfa("replay -q --report json -c " + conf.path() + " " + dump.path());
  CHECK_THAT(json.out, Catch::Contains("\"10.1.0.0/16\""));
}

TEST_CASE("OpenBGPD's table-mp sample gives the lines bgpdump prints for its table-v2 sibling", "[golden][entry]") {
  // The samples are the same RIB dumped three ways (mrtparse's OpenBGPD samples); bgpdump
  // rejects table-mp, so its table-v2 output is the reference, times aside.
  const fs::path samples = BGPFA_SHARED_DIR "/fixtures/mrt/samples";
  if (!fs::exists(samples / "openbgpd_rib_table-mp") || !fs::exists(samples / "openbgpd_rib_table-v2.bgpdump-vm")) {
    WARN("skipped: " << samples << " has no openbgpd_rib_table-mp (tests/openbgpd/table_mp.sh checks a live OpenBGPD)");
    return;
  }
  auto strip_time = [](const std::string& s) {
    std::string out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) {
      const auto a = l.find('|'), b = l.find('|', a + 1);
      out += l.substr(0, a) + l.substr(b) + "\n";
    }
    return out;
  };
  auto got = run_bgpfa("mrt dump -m " + (samples / "openbgpd_rib_table-mp").string());
  CHECK(got.err.empty());
  CHECK(strip_time(got.out) == strip_time(slurp((samples / "openbgpd_rib_table-v2.bgpdump-vm").string())));
}
