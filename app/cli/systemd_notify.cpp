#include "app/cli/systemd_notify.hpp"

#include <systemd/sd-daemon.h>

#include <mutex>

#include <fmt/format.h>

namespace bgpfa::app {

namespace {
void send(const std::string& message) {
  // A failure to notify (a gone socket) must not disturb the speaker; systemd's own timeout reports it.
  (void)sd_notify(0, message.c_str());
}
}  // namespace

void notify_ready() { send("READY=1"); }

void notify_status(const std::string& status) {
  static std::mutex m;
  static std::string last;
  std::lock_guard lock(m);
  if (status == last) return;
  last = status;
  send("STATUS=" + status);
}

void notify_stopping() { send("STOPPING=1"); }

std::string peers_status(const std::map<std::string, std::string>& states) {
  std::size_t up = 0;
  for (const auto& [address, state] : states) up += state == "Established";
  return fmt::format("{} of {} peers established", up, states.size());
}

}  // namespace bgpfa::app
