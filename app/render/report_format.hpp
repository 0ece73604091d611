// Report renderers: text for people, JSON for programs, HTML (one timeline of the whole input,
// per-episode detail, a prefix table built in the browser from compact data).
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/report.hpp"
#include "analyzer/report_stream.hpp"

namespace bgpfa::app {

[[nodiscard]] std::string render_text(const analyzer::Report& r, const std::vector<std::string>& circuits);
// Text report choices: how many active-path rows (0: all; interesting ones first) and of which kind.
struct TextOptions {
  std::size_t limit = 200;
  std::optional<analyzer::PathKind> kind;
};
[[nodiscard]] std::string render_text(const analyzer::Report& r, const std::vector<std::string>& circuits,
                                      const TextOptions& opt);
// "er-ecmp [er1+er2]", "vpn (instances 0+1) [hq+branch-a]": describe() plus the circuits or
// sites that carry it when the configuration has several.
[[nodiscard]] std::string path_text(const analyzer::ActivePath& p, const analyzer::Report& r,
                                    const std::vector<std::string>& circuits);
[[nodiscard]] std::string render_json(const analyzer::Report& r, const std::vector<std::string>& circuits);
// The same, handed out in chunks of about a megabyte as it is rendered. With a filled `stream`
// the rows and events come from it (Analyzer::report(final, vnet, &stream)), one at a time.
void render_json(const analyzer::Report& r, const std::vector<std::string>& circuits,
                 const std::function<void(std::string_view)>& write, const analyzer::ReportStream* stream = nullptr);
[[nodiscard]] std::string render_html(const analyzer::Report& r, const std::vector<std::string>& circuits);

// Renders `r` as text, json or html and writes it to `path` (empty: stdout). False (with a
// message on stderr) when the file cannot be written.
// json: `stream` as for render_json.
[[nodiscard]] bool write_report(const analyzer::Report& r, const std::vector<std::string>& circuits,
                                const std::string& format, const std::string& path, const TextOptions& text = {},
                                const analyzer::ReportStream* stream = nullptr);

// Whether a report can be written to `path` later (empty: stdout, always): "" or why not, in
// words with the path. Nothing is created or truncated.
[[nodiscard]] std::string check_output_file(const std::string& path);

// RFC 3339 UTC with microseconds: 2023-11-14T22:13:20.120000Z
[[nodiscard]] std::string rfc3339(std::uint64_t us);

}  // namespace bgpfa::app
