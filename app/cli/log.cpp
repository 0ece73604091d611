#include "app/cli/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

#include <fmt/format.h>

#include "app/render/json_text.hpp"

namespace bgpfa::app::log {

namespace {

std::atomic<Level> least_level{Level::Info};
std::atomic<Format> line_format{Format::Text};

const char* name_of(Level l) {
  switch (l) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warning: return "warning";
    case Level::Error: return "error";
  }
  return "info";
}

std::string now_rfc3339() {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::time_t t = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec, us % 1000000);
}

}  // namespace

std::optional<Level> level_named(std::string_view name) {
  for (Level l : {Level::Debug, Level::Info, Level::Warning, Level::Error})
    if (name == name_of(l)) return l;
  return std::nullopt;
}

void configure(Level least, Format format) {
  least_level = least;
  line_format = format;
}

void write(Level level, std::string_view message, std::string_view peer) {
  if (level < least_level.load()) return;
  std::string line;
  if (line_format.load() == Format::Json) {
    line = fmt::format("{{\"time\":\"{}\",\"level\":\"{}\"", now_rfc3339(), name_of(level));
    if (!peer.empty()) line += ",\"peer\":" + json_quote(peer);
    line += ",\"msg\":" + json_quote(message) + "}\n";
  } else {
    line = fmt::format("{} {:<7} bgpfa: ", now_rfc3339(), name_of(level));
    if (!peer.empty()) {
      line += "peer=";
      line.append(peer);
      line += ' ';
    }
    line.append(message);
    line += '\n';
  }
  std::fwrite(line.data(), 1, line.size(), stderr);  // one write: lines of two threads do not mix
}

void say(std::string_view message, std::string_view peer) {
  const auto starts = [&](std::string_view p) { return message.substr(0, p.size()) == p; };
  write(starts("error: ") || message.find(": error: ") != std::string_view::npos ? Level::Error
        : starts("warning: ")                                                    ? Level::Warning
                                                                                 : Level::Info,
        message, peer);
}

}  // namespace bgpfa::app::log
