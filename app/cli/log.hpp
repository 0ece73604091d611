// serve's log: one line per event on stderr, timestamped (RFC 3339, µs, UTC) with a level, as
// text ("2026-12-01T22:05:35.123456Z info bgpfa: peer=192.0.2.1 state Idle -> Active") or as
// one JSON object per line ({"time", "level", "peer"?, "msg"}). Thread-safe (one write per line).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace bgpfa::app::log {

enum class Level { Debug, Info, Warning, Error };
enum class Format { Text, Json };

[[nodiscard]] std::optional<Level> level_named(std::string_view name);  // debug, info, warning, error
void configure(Level least, Format format);
// A message; one that starts with "error: " or "warning: " gets that level (the text stays).
void say(std::string_view message, std::string_view peer = {});
void write(Level level, std::string_view message, std::string_view peer = {});

}  // namespace bgpfa::app::log
