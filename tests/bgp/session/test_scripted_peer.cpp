// Sessions against a scripted peer on loopback: RFC 4271 6.8 connection collisions (the session
// connects to the peer while the peer connects to the speaker), RFC 4724 restarts, and
// maximum-prefix (RFC 4486).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "bgp/session/speaker.hpp"
#include "tests/scripted_peer.hpp"

using namespace bgpfa;
using namespace bgpfa::session;
namespace asio = boost::asio;
using asio::ip::tcp;
using namespace bgpfa::test;

namespace {

class RecordingSink final : public SessionSink {
 public:
  void state_changed(const NeighborConfig&, std::uint64_t, State, State to) override {
    std::lock_guard lock(m_);
    states_.push_back(to);
  }
  void message(const NeighborConfig&, std::uint64_t t, wire::Bytes bytes, bool, bool, bool local) override {
    std::lock_guard lock(m_);
    if (!local && bytes.size() >= wire::kHeaderSize) received_.emplace_back(bytes[18], t);
  }
  // (message type, receive time µs) of every message received
  std::vector<std::pair<std::uint8_t, std::uint64_t>> received() {
    std::lock_guard lock(m_);
    return received_;
  }
  std::optional<std::size_t> update(const NeighborConfig&, std::uint64_t, const wire::Update&, const wire::DecodeContext&, bool) override {
    return ++routes_;  // one route per UPDATE
  }
  void notification(const NeighborConfig&, std::uint64_t, const wire::Notification&, bool) override {}
  void log(const NeighborConfig&, const std::string& line) override {
    std::lock_guard lock(m_);
    logs_.push_back(line);
  }
  // Reads are allowed while fewer than this many UPDATEs arrived.
  std::atomic<std::size_t> read_limit{SIZE_MAX};
  bool may_read(const NeighborConfig&) override {
    std::lock_guard lock(m_);
    const auto updates = std::count_if(received_.begin(), received_.end(), [](const auto& r) { return r.first == 2; });
    return static_cast<std::size_t>(updates) < read_limit;
  }
  std::vector<State> states() {
    std::lock_guard lock(m_);
    return states_;
  }
  std::size_t count(const std::string& part) {
    std::lock_guard lock(m_);
    return static_cast<std::size_t>(std::count_if(logs_.begin(), logs_.end(), [&](const std::string& l) {
      return l.find(part) != std::string::npos;
    }));
  }
  bool logged(const std::string& part) {
    std::lock_guard lock(m_);
    for (const auto& l : logs_)
      if (l.find(part) != std::string::npos) return true;
    return false;
  }

 private:
  std::mutex m_;
  std::vector<State> states_;
  std::vector<std::string> logs_;
  std::vector<std::pair<std::uint8_t, std::uint64_t>> received_;
  std::size_t routes_ = 0;
};

std::uint64_t wall_us() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

void expect_collision_cease(tcp::socket& s) {
  auto m = read_message(s);
  REQUIRE(m);
  REQUIRE(m->type == wire::MessageType::Notification);
  auto n = wire::decode_notification(m->body);
  REQUIRE(n.ok());
  CHECK(n->code == wire::notify::kCease);
  CHECK(n->subcode == 7);
  CHECK_FALSE(read_message(s));  // then the connection is closed
}

// A speaker (with one neighbour, 127.0.0.1, local BGP Identifier `local_id`) running on its own
// thread, and the scripted peer's listener the neighbour connects to.
struct Rig {
  asio::io_context io;
  RecordingSink sink;
  Speaker speaker{io, sink};
  asio::io_context peer_io;
  tcp::acceptor peer_listener{peer_io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::thread thread;

  explicit Rig(std::uint32_t local_id, const std::function<void(NeighborConfig&)>& tweak = {}) {
    speaker.listen("127.0.0.1", 0);
    NeighborConfig n;
    n.address = wire::IpAddress::v4(0x7f000001);
    n.remote_as = 65001;
    n.local_as = 65515;
    n.router_id = local_id;
    n.port = peer_listener.local_endpoint().port();
    n.name = "peer";
    if (tweak) tweak(n);
    speaker.add(n);
    thread = std::thread([this] { io.run(); });
  }
  ~Rig() {
    io.stop();
    thread.join();
  }
  // The session's own connection, after its OPEN arrived (the session is in OpenSent).
  tcp::socket accept_session_connection() {
    tcp::socket s(peer_io);
    peer_listener.accept(s);
    expect(s, wire::MessageType::Open);
    return s;
  }
  tcp::socket connect_to_speaker() {
    tcp::socket s(peer_io);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), speaker.port()));
    return s;
  }
  bool reached(State st) {
    for (int i = 0; i < 100; ++i) {
      const auto v = sink.states();
      if (!v.empty() && v.back() == st) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
};

constexpr std::uint32_t kPeerId = 0x02020202;

// The session's connection, taken to Established (the peer's OPEN, with graceful restart when
// `gr`, and KEEPALIVE).
tcp::socket establish(Rig& rig, bool gr = false) {
  auto s = rig.accept_session_connection();
  asio::write(s, asio::buffer(peer_open(kPeerId, gr)));
  expect(s, wire::MessageType::Keepalive);
  asio::write(s, asio::buffer(keepalive()));
  REQUIRE(rig.reached(State::Established));
  return s;
}

}  // namespace

TEST_CASE("collision: lower local BGP Identifier gives up its own connection", "[session][collision]") {
  Rig rig(0x01010101);
  auto ours = rig.accept_session_connection();
  auto theirs = rig.connect_to_speaker();
  asio::write(ours, asio::buffer(peer_open(kPeerId, false)));
  expect(ours, wire::MessageType::Keepalive);  // the session is in OpenConfirm on its connection
  asio::write(theirs, asio::buffer(peer_open(kPeerId, false)));
  expect_collision_cease(ours);
  expect(theirs, wire::MessageType::Open);
  expect(theirs, wire::MessageType::Keepalive);
  asio::write(theirs, asio::buffer(keepalive()));
  CHECK(rig.reached(State::Established));
  CHECK(rig.sink.logged("connection collision: the peer's connection wins"));
}

TEST_CASE("collision: higher local BGP Identifier keeps its connection", "[session][collision]") {
  Rig rig(0x03030303);
  auto ours = rig.accept_session_connection();
  auto theirs = rig.connect_to_speaker();
  asio::write(theirs, asio::buffer(peer_open(kPeerId, false)));  // resolved in OpenSent
  expect_collision_cease(theirs);
  asio::write(ours, asio::buffer(peer_open(kPeerId, false)));
  expect(ours, wire::MessageType::Keepalive);
  asio::write(ours, asio::buffer(keepalive()));
  CHECK(rig.reached(State::Established));
  CHECK(rig.sink.logged("is higher than the peer's 2.2.2.2"));
}

TEST_CASE("a new connection while established: refused, unless the peer restarts gracefully", "[session][collision][gr]") {
  for (const bool gr : {false, true}) {
    Rig rig(0x01010101);
    auto ours = establish(rig, gr);
    expect(ours, wire::MessageType::Update);  // End-of-RIB, IPv4 unicast
    auto again = rig.connect_to_speaker();
    if (!gr) {
      expect_collision_cease(again);
      CHECK(rig.sink.states().back() == State::Established);
      continue;
    }
    // The old session ends without a NOTIFICATION (its routes stay, as stale), the new one opens.
    CHECK_FALSE(read_message(ours));
    expect(again, wire::MessageType::Open);
    asio::write(again, asio::buffer(peer_open(kPeerId, true)));
    expect(again, wire::MessageType::Keepalive);
    asio::write(again, asio::buffer(keepalive()));
    CHECK(rig.reached(State::Established));
    const auto states = rig.sink.states();
    CHECK(std::count(states.begin(), states.end(), State::Established) == 2);
    CHECK(rig.sink.logged("the peer restarted (graceful restart)"));
  }
}

TEST_CASE("maximum-prefix: Cease/1 with the RFC 4486 data, held down until resumed", "[session][max-prefix]") {
  Rig rig(0x01010101, [](NeighborConfig& n) { n.max_prefixes = 2; });
  auto ours = establish(rig);
  expect(ours, wire::MessageType::Update);  // End-of-RIB
  for (std::uint8_t i = 1; i <= 3; ++i) asio::write(ours, asio::buffer(route_update(i)));
  auto m = read_message(ours);
  REQUIRE(m);
  REQUIRE(m->type == wire::MessageType::Notification);
  // Cease / Maximum Number of Prefixes Reached: AFI 1, SAFI 1, limit 2.
  CHECK(m->body == std::vector<std::uint8_t>{6, 1, 0, 1, 1, 0, 0, 0, 2});
  CHECK_FALSE(read_message(ours));
  CHECK(rig.reached(State::Idle));
  // Held down: no reconnection, and the peer's own connection is rejected.
  auto again = rig.connect_to_speaker();
  auto refused = read_message(again);
  REQUIRE(refused);
  CHECK(refused->body == std::vector<std::uint8_t>{6, 5});
  asio::post(rig.io, [&] { rig.speaker.resume(wire::IpAddress::v4(0x7f000001)); });
  auto back = rig.accept_session_connection();  // it dials again
  CHECK(rig.sink.logged("above maximum-prefix 2: session reset, held down"));
}

namespace {
// The NOTIFICATION the speaker answers `bytes` with, sent right after its OPEN (OpenSent) or,
// with `established`, once the session is up.
std::optional<Message> answer_to(const std::vector<std::uint8_t>& bytes, bool established) {
  Rig rig(0x01010101);
  auto ours = rig.accept_session_connection();
  if (established) {
    asio::write(ours, asio::buffer(peer_open(kPeerId, false)));
    expect(ours, wire::MessageType::Keepalive);
    asio::write(ours, asio::buffer(keepalive()));
    REQUIRE(rig.reached(State::Established));
    expect(ours, wire::MessageType::Update);  // End-of-RIB
  }
  asio::write(ours, asio::buffer(bytes));
  for (auto m = read_message(ours); m; m = read_message(ours))
    if (m->type == wire::MessageType::Notification) return m;
  return std::nullopt;
}
}  // namespace

TEST_CASE("NOTIFICATION data: bad length, bad type, unsupported version, FSM error", "[session][notification]") {
  SECTION("RFC 4271 6.1: Bad Message Length carries the erroneous Length field") {
    auto m = keepalive();
    m[16] = 0;
    m[17] = 18;  // shorter than a header
    auto n = answer_to(m, true);
    REQUIRE(n);
    CHECK(n->body == std::vector<std::uint8_t>{1, 2, 0, 18});
  }
  SECTION("RFC 4271 6.1: Bad Message Type carries the type") {
    auto m = keepalive();
    m[18] = 9;
    auto n = answer_to(m, true);
    REQUIRE(n);
    CHECK(n->body == std::vector<std::uint8_t>{1, 3, 9});
  }
  SECTION("RFC 4271 6.2: Unsupported Version Number carries the largest supported version") {
    auto m = peer_open(kPeerId, false);
    m[wire::kHeaderSize] = 3;
    auto n = answer_to(m, false);
    REQUIRE(n);
    CHECK(n->body == std::vector<std::uint8_t>{2, 1, 0, 4});
  }
  SECTION("RFC 6608: an UPDATE in OpenSent is an FSM error carrying the message type") {
    auto n = answer_to(route_update(1), false);
    REQUIRE(n);
    CHECK(n->body == std::vector<std::uint8_t>{5, 1, 2});
  }
}

TEST_CASE("descriptors used up: accept backs off and says so once, then recovers", "[session][emfile]") {
  Rig rig(0x01010101);
  rlimit old{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &old) == 0);
  std::vector<int> fds;
  rlimit low = old;
  low.rlim_cur = std::min<rlim_t>(old.rlim_cur, 4096);
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  for (int fd; (fd = ::open("/dev/null", O_RDONLY)) >= 0;) fds.push_back(fd);
  ::close(fds.back());  // one left, for the connection: the speaker's accept() gets EMFILE
  fds.pop_back();
  tcp::socket c(rig.peer_io);
  c.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), rig.speaker.port()));
  bool said = false;
  for (int i = 0; i < 100 && !said; ++i) {
    said = rig.sink.logged("cannot accept connections: Too many open files; retrying every second");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the retry fails again: still one line
  const auto lines = rig.sink.count("cannot accept connections");
  for (int fd : fds) ::close(fd);
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &old) == 0);
  CHECK(said);
  CHECK(lines == 1);
  bool again = false;
  for (int i = 0; i < 150 && !again; ++i) {
    again = rig.sink.logged("accepting connections again");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(again);
}

TEST_CASE("configured timers: keepalive interval and connect retry reach the session", "[session][timers]") {
  SECTION("timers 1 9: a KEEPALIVE every second, not every 3 s") {
    Rig rig(0x01010101, [](NeighborConfig& n) {
      n.hold_time = 9;
      n.keepalive_time = 1;
    });
    auto ours = establish(rig);
    expect(ours, wire::MessageType::Update);  // End-of-RIB
    expect(ours, wire::MessageType::Keepalive);
    const auto t0 = std::chrono::steady_clock::now();
    expect(ours, wire::MessageType::Keepalive);
    expect(ours, wire::MessageType::Keepalive);
    const auto took = std::chrono::steady_clock::now() - t0;
    // Two gaps of the configured 1 s; a third of the hold time (3 s) would make them 6 s. Timers
    // fire late on a loaded machine, never early: the margin is on the upper side.
    CHECK(took > std::chrono::milliseconds(1500));
    CHECK(took < std::chrono::milliseconds(5500));
  }
  SECTION("timers connect 1: the session dials again a second after losing its connection, not 5 s") {
    Rig rig(0x01010101, [](NeighborConfig& n) { n.connect_retry = std::chrono::seconds(1); });
    {
      auto first = rig.accept_session_connection();
    }  // closed: the session goes to Active and starts its ConnectRetry timer
    const auto t0 = std::chrono::steady_clock::now();
    pollfd p{rig.peer_listener.native_handle(), POLLIN, 0};
    REQUIRE(::poll(&p, 1, 4000) == 1);
    const auto took = std::chrono::steady_clock::now() - t0;
    CHECK(took > std::chrono::milliseconds(700));  // and at most the 4 s the poll waits (the default is 5 s)
    auto again = rig.accept_session_connection();
  }
}

TEST_CASE("receive times are the kernel's: a message is timed when it arrived, not when it was read", "[session][rx-time]") {
  Rig rig(0x01010101);
  auto ours = establish(rig);
  // The session's thread is busy for 400 ms (as on a loaded machine, or behind a large table);
  // the UPDATE arrives 50 ms into it and waits in the socket.
  std::atomic<bool> busy{false};
  asio::post(rig.io, [&busy] {
    busy = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
  });
  while (!busy) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const std::uint64_t sent = wall_us();
  asio::write(ours, asio::buffer(route_update(1)));
  std::optional<std::uint64_t> t;
  for (int i = 0; i < 200 && !t; ++i) {
    for (const auto& [type, at] : rig.sink.received())
      if (type == static_cast<std::uint8_t>(wire::MessageType::Update)) t = at;
    if (!t) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(t);
  // Stamped on loopback right after the write; read at least 300 ms later.
  CHECK(*t + 1000 >= sent);
  CHECK(*t < sent + 100'000);
}

TEST_CASE("a backlog is read in large reads: every message of a table that waited in the socket arrives whole",
          "[session][rx-time]") {
  Rig rig(0x01010101);
  auto ours = establish(rig);
  std::atomic<bool> busy{false};
  asio::post(rig.io, [&busy] {
    busy = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  });
  while (!busy) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // 6000 UPDATEs (about 300 KiB: more than one 256 KiB read, messages split across reads)
  // while the session's thread is busy.
  std::vector<std::uint8_t> table;
  for (int i = 0; i < 6000; ++i) {
    const auto u = route_update(static_cast<std::uint8_t>(i));
    table.insert(table.end(), u.begin(), u.end());
  }
  const std::uint64_t sent = wall_us();
  asio::write(ours, asio::buffer(table));
  std::vector<std::uint64_t> times;
  for (int i = 0; i < 500 && times.size() < 6000; ++i) {
    times.clear();
    for (const auto& [type, at] : rig.sink.received())
      if (type == static_cast<std::uint8_t>(wire::MessageType::Update)) times.push_back(at);
    if (times.size() < 6000) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(times.size() == 6000);
  CHECK(std::is_sorted(times.begin(), times.end()));
  CHECK(times.front() + 1000 >= sent);
  CHECK(rig.sink.count("UPDATE") == 0);  // no decode error logged: no message was cut
  CHECK(rig.sink.states().back() == State::Established);
}

TEST_CASE("a sink that is behind stops the reads; resume_reading() takes the rest", "[session][backpressure]") {
  Rig rig(0x01010101);
  auto ours = establish(rig);
  rig.sink.read_limit = 100;
  // 20,000 UPDATEs (920 KB): one read takes at most 256 KiB (~5,700 of them) once allowed, so
  // however the reads fall, most of the table is left when the reads stop.
  constexpr std::size_t kTable = 20000;
  std::vector<std::uint8_t> table;
  for (std::size_t i = 0; i < kTable; ++i) {
    const auto u = route_update(static_cast<std::uint8_t>(i));
    table.insert(table.end(), u.begin(), u.end());
  }
  // From another thread: with the reads stopped, the socket's buffers fill and the write waits.
  std::thread writer([&] { asio::write(ours, asio::buffer(table)); });
  auto updates = [&] {
    std::size_t n = 0;
    for (const auto& [type, at] : rig.sink.received()) n += type == static_cast<std::uint8_t>(wire::MessageType::Update);
    return n;
  };
  for (int i = 0; i < 100 && updates() < 100; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(updates() >= 100);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const std::size_t held = updates();
  CHECK(held < kTable);  // the rest waits in the socket
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(updates() == held);  // and stays there: nothing reads it
  rig.sink.read_limit = SIZE_MAX;
  asio::post(rig.io, [&] { rig.speaker.resume_reading(); });
  for (int i = 0; i < 500 && updates() < kTable; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  writer.join();
  CHECK(updates() == kTable);
  CHECK(rig.sink.count("UPDATE") == 0);  // no message was cut at the pause
  CHECK(rig.sink.states().back() == State::Established);
}
