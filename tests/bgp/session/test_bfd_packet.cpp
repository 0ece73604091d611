// The BFD control packet codec against hex bytes: every field both ways, and each reception
// check of RFC 5880 6.8.6 that decode() makes, with its offset.
#include <catch2/catch.hpp>

#include "bgp/session/bfd_packet.hpp"
#include "tests/hex.hpp"

using namespace bgpfa::session::bfd;
using bgpfa::test::hex;

namespace {
// Down, your discriminator 0, 1 s / 1 s, mult 3: the first packet a session sends.
const auto kDown = "20 40 03 18  00 00 00 01  00 00 00 00  00 0f 42 40  00 0f 42 40  00 00 00 00";
}

TEST_CASE("bfd decode: every field of a Down packet", "[bfd]") {
  const auto r = decode(hex(kDown));
  REQUIRE(r.ok());
  CHECK(r->version == 1);
  CHECK(r->diag == Diag::None);
  CHECK(r->state == State::Down);
  CHECK_FALSE(r->poll);
  CHECK_FALSE(r->final);
  CHECK_FALSE(r->control_plane_independent);
  CHECK_FALSE(r->demand);
  CHECK(r->detect_mult == 3);
  CHECK(r->length == 24);
  CHECK(r->my_discriminator == 1);
  CHECK(r->your_discriminator == 0);
  CHECK(r->desired_min_tx_us == 1'000'000);
  CHECK(r->required_min_rx_us == 1'000'000);
  CHECK(r->required_min_echo_rx_us == 0);
}

TEST_CASE("bfd decode: diag, state, flag bits and intervals", "[bfd]") {
  // Version 1 diag 3, Up with P, mult 5, my 0x01020304 your 0xa0b0c0d0, 300 ms / 250 ms / echo 50 ms.
  const auto r = decode(hex("23 e0 05 18  01 02 03 04  a0 b0 c0 d0  00 04 93 e0  00 03 d0 90  00 00 c3 50"));
  REQUIRE(r.ok());
  CHECK(r->diag == Diag::NeighborSignaledSessionDown);
  CHECK(r->state == State::Up);
  CHECK(r->poll);
  CHECK_FALSE(r->final);
  CHECK(r->detect_mult == 5);
  CHECK(r->my_discriminator == 0x01020304u);
  CHECK(r->your_discriminator == 0xa0b0c0d0u);
  CHECK(r->desired_min_tx_us == 300'000);
  CHECK(r->required_min_rx_us == 250'000);
  CHECK(r->required_min_echo_rx_us == 50'000);

  CHECK(decode(hex("21 d0 03 18 00 00 00 01 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00 00"))->final);
  const auto c = decode(hex("27 88 03 18 00 00 00 01 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00 00"));
  REQUIRE(c.ok());
  CHECK(c->diag == Diag::AdministrativelyDown);
  CHECK(c->state == State::Init);
  CHECK(c->control_plane_independent);
  CHECK_FALSE(c->poll);
  const auto d = decode(hex("21 02 03 18 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"));
  REQUIRE(d.ok());
  CHECK(d->state == State::AdminDown);
  CHECK(d->diag == Diag::ControlDetectionTimeExpired);
  CHECK(d->demand);
  // Reserved diagnostics are kept as received.
  CHECK(static_cast<int>(decode(hex("3f 40 03 18 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"))->diag) == 31);
}

TEST_CASE("bfd decode: trailing octets beyond Length are ignored", "[bfd]") {
  auto bytes = hex(kDown);
  bytes.push_back(0xee);
  const auto r = decode(bytes);
  REQUIRE(r.ok());
  CHECK(r->length == 24);
}

TEST_CASE("bfd encode: every field", "[bfd]") {
  Packet p;
  CHECK(encode(p) == std::array<std::uint8_t, 24>{0x20, 0x40, 0, 24});
  p.diag = Diag::ControlDetectionTimeExpired;
  p.state = State::Up;
  p.detect_mult = 3;
  p.my_discriminator = 0x11223344;
  p.your_discriminator = 0x55667788;
  p.desired_min_tx_us = 300'000;
  p.required_min_rx_us = 300'000;
  auto expect = hex("21 c0 03 18  11 22 33 44  55 66 77 88  00 04 93 e0  00 04 93 e0  00 00 00 00");
  auto out = encode(p);
  CHECK(std::vector<std::uint8_t>(out.begin(), out.end()) == expect);
  p.poll = true;
  CHECK(encode(p)[1] == 0xe0);
  p.poll = false;
  p.final = true;
  CHECK(encode(p)[1] == 0xd0);
  p.final = false;
  p.control_plane_independent = true;
  CHECK(encode(p)[1] == 0xc8);
  p.control_plane_independent = false;
  p.demand = true;
  CHECK(encode(p)[1] == 0xc2);
  p.demand = false;
  p.state = State::AdminDown;
  p.diag = Diag::AdministrativelyDown;
  CHECK(encode(p)[0] == 0x27);
  CHECK(encode(p)[1] == 0x00);
  p.required_min_echo_rx_us = 0x0a0b0c0d;
  CHECK(encode(p)[20] == 0x0a);
  CHECK(encode(p)[23] == 0x0d);
  p.length = 99;  // no authentication section: always 24
  CHECK(encode(p)[3] == 24);
}

TEST_CASE("bfd encode and decode round-trip", "[bfd]") {
  Packet p;
  p.diag = Diag::NeighborSignaledSessionDown;
  p.state = State::Init;
  p.final = true;
  p.detect_mult = 7;
  p.my_discriminator = 42;
  p.your_discriminator = 4242;
  p.desired_min_tx_us = 10'000;
  p.required_min_rx_us = 20'000;
  p.required_min_echo_rx_us = 30'000;
  const auto bytes = encode(p);
  const auto r = decode(bytes);
  REQUIRE(r.ok());
  CHECK(r.value() == p);
}

namespace {
DecodeError fails(const std::string& h) {
  const auto r = decode(hex(h));
  REQUIRE_FALSE(r.ok());
  return r.error();
}
}  // namespace

TEST_CASE("bfd decode: reception checks of RFC 5880 6.8.6", "[bfd]") {
  using R = DecodeError::Reason;
  SECTION("shorter than the mandatory section") {
    const auto e = fails("20 40 03 18 00 00 00 01 00 00 00 00 00 0f 42 40 00 0f 42 40 00 00 00");
    CHECK(e.reason == R::TooShort);
    CHECK(e.what == "BFD control packet: 23 octets, the mandatory section is 24 (offset 0)");
  }
  SECTION("version 0 and 2") {
    auto e = fails("00 40 03 18 00 00 00 01 00 00 00 00 00 0f 42 40 00 0f 42 40 00 00 00 00");
    CHECK(e.reason == R::BadVersion);
    CHECK(e.offset == 0);
    CHECK(e.what == "BFD control packet: version 0, expected 1 (offset 0)");
    CHECK(fails("40 40 03 18 00 00 00 01 00 00 00 00 00 0f 42 40 00 0f 42 40 00 00 00 00").reason == R::BadVersion);
  }
  SECTION("Length below 24") {
    const auto e = fails("20 40 03 17 00 00 00 01 00 00 00 00 00 0f 42 40 00 0f 42 40 00 00 00 00");
    CHECK(e.reason == R::BadLength);
    CHECK(e.offset == 3);
    CHECK(e.what == "BFD control packet: Length 23 is below the minimum 24 (offset 3)");
  }
  SECTION("A bit with Length 24: below the minimum with authentication") {
    const auto e = fails("20 44 03 18 00 00 00 01 00 00 00 00 00 0f 42 40 00 0f 42 40 00 00 00 00");
    CHECK(e.reason == R::BadLength);
    CHECK(e.what == "BFD control packet: Length 24 is below the minimum 26 with the A bit (offset 3)");
  }
  SECTION("Length beyond the datagram") {
    const auto e = fails("20 40 03 1c 00 00 00 01 00 00 00 00 00 0f 42 40 00 0f 42 40 00 00 00 00");
    CHECK(e.reason == R::LengthExceedsDatagram);
    CHECK(e.offset == 3);
    CHECK(e.what == "BFD control packet: Length 28 exceeds the 24 octets of the datagram (offset 3)");
  }
  SECTION("Detect Mult 0") {
    const auto e = fails("20 40 00 18 00 00 00 01 00 00 00 00 00 0f 42 40 00 0f 42 40 00 00 00 00");
    CHECK(e.reason == R::ZeroDetectMult);
    CHECK(e.offset == 2);
  }
  SECTION("Multipoint bit") {
    const auto e = fails("20 41 03 18 00 00 00 01 00 00 00 00 00 0f 42 40 00 0f 42 40 00 00 00 00");
    CHECK(e.reason == R::Multipoint);
    CHECK(e.offset == 1);
  }
  SECTION("My Discriminator 0") {
    const auto e = fails("20 40 03 18 00 00 00 00 00 00 00 00 00 0f 42 40 00 0f 42 40 00 00 00 00");
    CHECK(e.reason == R::ZeroMyDiscriminator);
    CHECK(e.offset == 4);
  }
  SECTION("Your Discriminator 0 is allowed only in Down and AdminDown") {
    auto e = fails("20 80 03 18 00 00 00 01 00 00 00 00 00 0f 42 40 00 0f 42 40 00 00 00 00");
    CHECK(e.reason == R::ZeroYourDiscriminator);
    CHECK(e.offset == 8);
    CHECK(e.what ==
          "BFD control packet: Your Discriminator is 0 with State Init (allowed only in Down or AdminDown) (offset 8)");
    CHECK(fails("20 c0 03 18 00 00 00 01 00 00 00 00 00 0f 42 40 00 0f 42 40 00 00 00 00").reason ==
          R::ZeroYourDiscriminator);
    CHECK(decode(hex("20 00 03 18 00 00 00 01 00 00 00 00 00 0f 42 40 00 0f 42 40 00 00 00 00")).ok());
    CHECK(decode(hex(kDown)).ok());
  }
  SECTION("authentication section present") {
    // A bit, Length 33: Keyed SHA1 is type 4; the section itself is never parsed.
    const auto e = fails("20 44 03 21 00 00 00 01 00 00 00 00 00 0f 42 40 00 0f 42 40 00 00 00 00"
                         "04 09 01 00 00 00 00 00 00");
    CHECK(e.reason == R::AuthenticationUnsupported);
    CHECK(e.offset == 1);
    CHECK(e.what ==
          "BFD control packet: Authentication Present (A) bit is set (auth type 4): authentication is not supported "
          "(offset 1)");
  }
}

TEST_CASE("bfd describe", "[bfd]") {
  const auto r = decode(hex("23 e0 05 18  01 02 03 04  a0 b0 c0 d0  00 04 93 e0  00 03 d0 91  00 00 00 00"));
  REQUIRE(r.ok());
  CHECK(describe(r.value()) == "Up diag=3 P mult=5 my=16909060 your=2695938256 tx=300ms rx=250001us echo=0ms");
}
