// bgpfa-bfd-probe: runs bgpfa's BFD endpoint for one peer and prints every state change with
// its times, one line each (for the interop lab test against FRR's bfdd):
//   change at_us=... at=RFC3339 Down->Up diag=0 "No Diagnostic" last_rx_us=... detection_ms=...
// Runs until SIGINT/SIGTERM.
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>

#include "bgp/session/asio_timers.hpp"
#include "bgp/session/bfd_endpoint.hpp"

using namespace bgpfa;
using namespace bgpfa::session::bfd;

namespace {

std::string rfc3339(std::uint64_t us) {
  const std::time_t s = static_cast<std::time_t>(us / 1'000'000);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:06}Z", buf, us % 1'000'000);
}

struct Printer final : EndpointListener {
  void bfd_state_changed(const PeerConfig& p, const StateChange& c) override {
    std::cout << fmt::format("change peer={} at_us={} at={} {}->{} diag={} \"{}\" event={} last_rx_us={} detection_ms={}",
                             p.name, c.at_us, rfc3339(c.at_us), to_string(c.from), to_string(c.to),
                             static_cast<unsigned>(c.diag), to_string(c.diag), to_string(c.event),
                             c.last_rx_us ? std::to_string(*c.last_rx_us) : "none",
                             static_cast<double>(c.detection_time.count()) / 1000.0)
              << std::endl;
  }
  void bfd_log(const PeerConfig*, const std::string& line) override { std::cout << "log " << line << std::endl; }
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bgpfa-bfd-probe: bgpfa's BFD endpoint for one peer, printing state changes"};
  std::string peer, local;
  unsigned interval_ms = 300, rx_ms = 0, multiplier = 3, port = kControlPort, peer_port = kControlPort;
  app.add_option("--peer", peer, "peer address")->required();
  app.add_option("--local", local, "source address (default: the kernel's choice)");
  app.add_option("--interval", interval_ms, "desired min TX in ms (default 300)")->check(CLI::Range(1u, 60000u));
  app.add_option("--rx-interval", rx_ms, "required min RX in ms (default: --interval)")->check(CLI::Range(1u, 60000u));
  app.add_option("--multiplier", multiplier, "detect multiplier (default 3)")->check(CLI::Range(1u, 255u));
  app.add_option("--port", port, "receive port (default 3784)")->check(CLI::Range(0u, 65535u));
  app.add_option("--peer-port", peer_port, "peer's port (default 3784)")->check(CLI::Range(1u, 65535u));
  CLI11_PARSE(app, argc, argv);

  PeerConfig pc;
  const auto a = wire::parse_address(peer);
  if (!a) {
    std::cerr << "bgpfa-bfd-probe: --peer " << peer << ": not an IPv4 or IPv6 address\n";
    return 2;
  }
  pc.address = *a;
  if (!local.empty()) {
    const auto l = wire::parse_address(local);
    if (!l) {
      std::cerr << "bgpfa-bfd-probe: --local " << local << ": not an IPv4 or IPv6 address\n";
      return 2;
    }
    pc.local = *l;
  }
  pc.desired_min_tx = std::chrono::milliseconds(interval_ms);
  pc.required_min_rx = std::chrono::milliseconds(rx_ms != 0 ? rx_ms : interval_ms);
  pc.detect_mult = static_cast<std::uint8_t>(multiplier);
  pc.port = static_cast<std::uint16_t>(peer_port);

  boost::asio::io_context io;
  session::AsioTimerService timers(io);
  Printer printer;
  EndpointConfig ec;
  ec.port = static_cast<std::uint16_t>(port);
  ec.ipv4 = pc.address.afi == wire::Afi::Ipv4;
  ec.ipv6 = !ec.ipv4;
  Endpoint endpoint(io, timers, printer, ec);
  try {
    endpoint.open();
    const Session& s = endpoint.add_peer(pc);
    std::cout << fmt::format("started peer={} discriminator={} port={}", pc.name.empty() ? peer : pc.name,
                             s.local_discriminator(), endpoint.local_port(pc.address.afi))
              << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "bgpfa-bfd-probe: " << e.what() << "\n";
    return 1;
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
  io.run();
  const auto& st = endpoint.stats();
  std::cout << fmt::format("stats received={} sent={} bad_ttl={} malformed={} no_session={} wrong_source={} send_errors={}",
                           st.received, st.sent, st.bad_ttl, st.malformed, st.no_session, st.wrong_source,
                           st.send_errors)
            << std::endl;
  return 0;
}
