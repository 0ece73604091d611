// Graceful restart (RFC 4724, receiving speaker) end to end through `bgpfa replay`: a capture
// holding both OPENs, a TCP reset (no NOTIFICATION), the peer's return and its End-of-RIB.
#include <catch2/catch.hpp>

#include "bgp/mrt/writer.hpp"
#include "bgp/wire/attribute.hpp"
#include "bgp/wire/notification.hpp"
#include "bgp/wire/open.hpp"
#include "bgp/wire/update.hpp"
#include "tests/app/run.hpp"

using namespace bgpfa;
using bgpfa::test::run_bgpfa;

namespace {

const std::string kConfig =
    "router bgp 65515\n"
    " neighbor 192.0.2.1 remote-as 12076\n"
    " neighbor 192.0.2.1 gateway expressroute circuit er1 link primary\n"
    " neighbor 192.0.2.2 remote-as 12076\n"
    " neighbor 192.0.2.2 gateway expressroute circuit er1 link secondary\n";

mrt::Bgp4mpPeer peer(std::uint32_t addr) {
  mrt::Bgp4mpPeer p;
  p.peer_as = 12076;
  p.local_as = 65515;
  p.peer_ip = wire::IpAddress::v4(addr);
  p.local_ip = wire::IpAddress::v4(0xc0000264);
  return p;
}

// `families`: the capability names IPv4 unicast (else none: a helper-only capability, FRR's default).
std::vector<std::uint8_t> open(bool gr, bool restarting = false, bool families = true) {
  wire::Open o;
  o.my_as = 12076;
  o.bgp_id = 0x01010101;
  o.caps.four_octet_as = 12076;
  o.caps.graceful_restart = gr;
  o.caps.gr.restarting = restarting;
  o.caps.gr.restart_time = 120;
  if (families) o.caps.gr.families = {{1, 1, true}};
  return wire::encode_open(o);
}

// 10.<n>.0.0/16 with AS path 12076 65100 [65100], next hop 192.0.2.x.
std::vector<std::uint8_t> announce(std::uint8_t n, bool prepended) {
  std::vector<std::uint8_t> a;
  const std::uint8_t origin = 0;
  wire::encode_attribute(a, 1, wire::Bytes(&origin, 1));
  std::vector<std::uint8_t> seg{2, static_cast<std::uint8_t>(prepended ? 3 : 2), 0, 0, 0x2f, 0x2c, 0, 0, 0xfe, 0x4c};
  if (prepended) seg.insert(seg.end(), {0, 0, 0xfe, 0x4c});
  wire::encode_attribute(a, 2, seg);
  const std::uint8_t nh[4] = {192, 0, 2, 1};
  wire::encode_attribute(a, 3, wire::Bytes(nh, 4));
  const std::uint8_t nlri[3] = {16, 10, n};
  return wire::encode_update({}, a, wire::Bytes(nlri, 3));
}

struct Capture {
  std::vector<std::uint8_t> bytes;
  void msg(std::uint32_t t, std::uint32_t who, const std::vector<std::uint8_t>& m, bool local = false) {
    mrt::append_bgp4mp_et_message(bytes, {t, 0}, peer(who), false, m, true, local);
  }
  void state(std::uint32_t t, std::uint32_t who, std::uint16_t from, std::uint16_t to) {
    mrt::append_bgp4mp_et_state_change(bytes, {t, 0}, peer(who), from, to);
  }
};

constexpr std::uint32_t kPrimary = 0xc0000201, kSecondary = 0xc0000202;

// Both peers up; the primary carries 10.1/16 and 10.2/16, the secondary 10.2/16 prepended.
// At 1010 the primary's TCP connection drops (with `notification`, a NOTIFICATION first); it is
// back at 1012 and announces only 10.1/16, then End-of-RIB at 1013.
std::string replay(bool local_gr, bool notification, bool peer_families = true) {
  Capture c;
  for (auto who : {kPrimary, kSecondary}) {
    c.msg(1000, who, open(local_gr), true);
    c.msg(1000, who, open(true, false, peer_families));
    c.state(1000, who, 5, 6);
  }
  c.msg(1001, kPrimary, announce(1, false));
  c.msg(1001, kPrimary, announce(2, false));
  c.msg(1001, kSecondary, announce(2, true));
  if (notification) c.msg(1010, kPrimary, wire::encode_notification({wire::notify::kCease, 2, {}}));
  c.state(1010, kPrimary, 6, 1);
  c.msg(1012, kPrimary, open(local_gr), true);
  c.msg(1012, kPrimary, open(true, true));
  c.state(1012, kPrimary, 5, 6);
  c.msg(1012, kPrimary, announce(1, false));
  c.msg(1013, kPrimary, wire::encode_update({}, {}, {}));  // End-of-RIB, IPv4 unicast
  bgpfa::test::TempFile conf, dump;
  conf.write({kConfig.begin(), kConfig.end()});
  dump.write(c.bytes);
  auto r = run_bgpfa("replay -q -c " + conf.path() + " " + dump.path());
  REQUIRE(r.status == 0);
  return r.out;
}

}  // namespace

TEST_CASE("replay: a graceful restart keeps routes until End-of-RIB", "[replay][gr]") {
  const auto out = replay(true, false);
  // 10.1/16 never moves; 10.2/16 moves to the secondary only at End-of-RIB.
  CHECK(out.find("10.1.0.0/16          er-primary -> none") == std::string::npos);
  CHECK_THAT(out, Catch::Contains("10.2.0.0/16          er-primary -> er-secondary  (End-of-RIB: UPDATE from 192.0.2.1"));
  CHECK(out.find("10.2.0.0/16          er-primary -> none") == std::string::npos);
}

TEST_CASE("replay: no graceful restart after a NOTIFICATION or without our capability", "[replay][gr]") {
  for (const auto& [local_gr, notification] : {std::pair{true, true}, std::pair{false, false}}) {
    const auto out = replay(local_gr, notification);
    CHECK_THAT(out, Catch::Contains("10.1.0.0/16          er-primary -> none  (session down 192.0.2.1"));
    CHECK_THAT(out, Catch::Contains("10.2.0.0/16          er-primary -> er-secondary  (session down 192.0.2.1"));
  }
}

TEST_CASE("replay: the trigger says how many routes a graceful restart kept, and nothing when it kept none",
          "[replay][gr]") {
  const std::string down = "session down 192.0.2.1 (er1 primary): Established -> Idle";
  CHECK_THAT(replay(true, false), Catch::Contains(down + " (graceful restart: 2 routes kept as stale)"));
  // FRR's default capability (helper mode) names no family: every route goes, as after any failure.
  const auto out = replay(true, false, false);
  CHECK_THAT(out, Catch::Contains("10.1.0.0/16          er-primary -> none  (" + down + ")"));
  CHECK(out.find("kept as stale") == std::string::npos);
}
