// systemd's readiness protocol for `bgpfa serve` under Type=notify (sd_notify(3)). Each call is a
// no-op when NOTIFY_SOCKET is unset, i.e. when not started by systemd.
#pragma once
#include <map>
#include <string>

namespace bgpfa::app {

void notify_ready();                            // READY=1: the BGP listener and gRPC are up
void notify_status(const std::string& status);  // STATUS=...; sent only when it changed
void notify_stopping();                         // STOPPING=1: shutdown has begun
// "2 of 3 peers established" from serve's address -> FSM state map.
[[nodiscard]] std::string peers_status(const std::map<std::string, std::string>& states);

}  // namespace bgpfa::app
