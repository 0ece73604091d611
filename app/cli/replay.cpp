#include "app/cli/replay.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <queue>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "analyzer/analyzer.hpp"
#include "app/cli/mrt_decoder.hpp"
#include "feed/feed.hpp"
#include "app/cli/rib_snapshot.hpp"
#include "app/cli/stage_clock.hpp"
#include "app/cli/roles.hpp"
#include "app/config/model.hpp"
#include "app/render/report_format.hpp"
#include "bgp/wire/nlri.hpp"
#include "bgp/wire/notification.hpp"

namespace bgpfa::app {

namespace {

using analyzer::Analyzer;

std::uint64_t micros(const mrt::Record& r) {
  return std::uint64_t{r.header.seconds} * 1000000 + r.header.microseconds;
}

// MRT records into the feed: routes of configured peers, session states, messages. Peers the
// configuration does not name are ignored (and summarised once at the end).
class ReplaySink final : public DumpSink {
 public:
  explicit ReplaySink(feed::Feed& f) : f_(f) {}

  void table_dump(const mrt::Record& r, const mrt::TableDumpRoute& t, const wire::PathAttributes& attrs) override {
    if (const int peer = f_.peer_of(t.peer_ip); peer >= 0) f_.snapshot_route(micros(r), peer, t.prefix, 0, attrs, t.four_octet_as);
  }
  void rib_entry(const mrt::Record& r, const mrt::Rib& rib, const mrt::RibEntry& e, const mrt::PeerEntry& p,
                 const wire::PathAttributes& attrs) override {
    if (!rib.generic_nlri.empty() || rib.safi != 1) return;  // unicast routes only
    if (const int peer = peer_of_entry(e.peer_index, p.ip); peer >= 0)
      f_.snapshot_route(micros(r), peer, rib.prefix, e.path_id, attrs, true);
  }
  void bgp4mp_entry(const mrt::Record& r, const mrt::Bgp4mpEntry& e, const wire::PathAttributes& attrs) override {
    if (!e.interpreted() || e.safi != 1) return;  // unicast routes only
    if (const int peer = f_.peer_of(e.peer.peer_ip); peer >= 0) f_.snapshot_route(micros(r), peer, e.prefix, 0, attrs, false);
  }
  void state_change(const mrt::Record& r, const mrt::StateChange& s, bool) override {
    if (const int peer = f_.peer_of(s.peer.local_ip, s.peer.peer_ip); peer >= 0) f_.state_change(micros(r), peer, s.old_state, s.new_state);
  }
  void update(const UpdateInfo& u) override {
    const int peer = f_.peer_of(u.peer.local_ip, u.peer.peer_ip);
    if (peer < 0) return;
    if (u.local) return f_.update_sent(micros(u.record), peer);  // what the recorded speaker sent is not what it learned
    wire::DecodeContext ctx;
    ctx.four_octet_as = u.four_octet_as;
    ctx.set_add_path_all(u.add_path);
    f_.update(micros(u.record), peer, u.update, ctx, u.withdraw_all);
  }
  void other_message(const mrt::Record& r, const mrt::Bgp4mpMessage& m, wire::MessageType type,
                     wire::Bytes body) override {
    if (const int peer = f_.peer_of(m.peer.local_ip, m.peer.peer_ip); peer >= 0) f_.control(micros(r), peer, type, body, m.local);
  }
  void peer_index_table(const mrt::Record&, const mrt::PeerIndexTable&) override {}

 private:
  // A TABLE_DUMP_V2 record's entries alternate between peers, so the feed's memo of its last
  // answer misses on nearly every one: the answer is kept per PEER_INDEX_TABLE index too. It is
  // checked against the address (dumps merged by time interleave their tables' indexes) and the
  // number of peers (an answer holds while no peer is added).
  struct IndexedPeer {
    wire::IpAddress ip;
    std::size_t peers = 0;
    int peer = -1;
    bool valid = false;
  };
  int peer_of_entry(std::uint16_t index, const wire::IpAddress& ip) {
    if (by_index_.size() <= index) by_index_.resize(index + 1u);
    IndexedPeer& c = by_index_[index];
    if (!c.valid || c.peers != f_.peer_count() || !(c.ip == ip)) c = {ip, f_.peer_count(), f_.peer_of(ip), true};
    return c.peer;
  }
  feed::Feed& f_;
  std::vector<IndexedPeer> by_index_;
};

// Measures the RIB + analyzer stage: time inside the replay sink (decoding happens before).
class TimedSink final : public DumpSink {
 public:
  explicit TimedSink(DumpSink& inner) : inner_(inner) {}
  void table_dump(const mrt::Record& r, const mrt::TableDumpRoute& t, const wire::PathAttributes& a) override {
    Timer t_(*this, 1);
    inner_.table_dump(r, t, a);
  }
  void rib_entry(const mrt::Record& r, const mrt::Rib& rib, const mrt::RibEntry& e, const mrt::PeerEntry& p,
                 const wire::PathAttributes& a) override {
    Timer t_(*this, 1);
    inner_.rib_entry(r, rib, e, p, a);
  }
  void bgp4mp_entry(const mrt::Record& r, const mrt::Bgp4mpEntry& e, const wire::PathAttributes& a) override {
    Timer t_(*this, 1);
    inner_.bgp4mp_entry(r, e, a);
  }
  void state_change(const mrt::Record& r, const mrt::StateChange& s, bool mrtd) override {
    Timer t_(*this, 0);
    inner_.state_change(r, s, mrtd);
  }
  void update(const UpdateInfo& u) override {
    const auto& a = u.update.attributes;
    std::size_t n = wire::NlriReader(u.update.withdrawn, wire::Afi::Ipv4, u.add_path).count() +
                    wire::NlriReader(u.update.nlri, wire::Afi::Ipv4, u.add_path).count();
    if (a.has(wire::AttrType::MpReachNlri) && (a.mp_reach.afi == 1 || a.mp_reach.afi == 2))
      n += wire::NlriReader(a.mp_reach.nlri, static_cast<wire::Afi>(a.mp_reach.afi), u.add_path).count();
    if (a.has(wire::AttrType::MpUnreachNlri) && (a.mp_unreach.afi == 1 || a.mp_unreach.afi == 2))
      n += wire::NlriReader(a.mp_unreach.nlri, static_cast<wire::Afi>(a.mp_unreach.afi), u.add_path).count();
    Timer t_(*this, n);
    inner_.update(u);
  }
  void other_message(const mrt::Record& r, const mrt::Bgp4mpMessage& m, wire::MessageType type, wire::Bytes body) override {
    Timer t_(*this, 0);  // the RIB-dump routes the feed holds are applied first
    inner_.other_message(r, m, type, body);
  }
  void peer_index_table(const mrt::Record& r, const mrt::PeerIndexTable& t) override { inner_.peer_index_table(r, t); }
  // Stage work outside a record: the routes the feed still holds, applied between records.
  template <class F>
  void time(F&& f) {
    Timer t_(*this, 0);
    f();
  }

  // Time in the stage, without what the clock's own reads added to it (clock_overhead()).
  [[nodiscard]] std::chrono::nanoseconds spent() const { return clock_.to_time(ticks_ - std::min(ticks_, overhead())); }
  [[nodiscard]] std::chrono::nanoseconds clock_overhead() const { return clock_.to_time(std::min(ticks_, overhead())); }
  std::uint64_t routes = 0;

 private:
  struct Timer {
    TimedSink& s;
    std::uint64_t start = StageClock::ticks();
    Timer(TimedSink& sink, std::uint64_t n) : s(sink) {
      s.routes += n;
      ++s.intervals_;
    }
    ~Timer() { s.ticks_ += StageClock::ticks() - start; }
  };
  [[nodiscard]] std::uint64_t overhead() const noexcept { return intervals_ * overhead_ticks_; }
  StageClock clock_;
  std::uint64_t overhead_ticks_ = StageClock::overhead_ticks();
  std::uint64_t ticks_ = 0, intervals_ = 0;
  DumpSink& inner_;
};

struct Input {
  std::unique_ptr<mrt::Reader> reader;
  std::unique_ptr<MrtDecoder> decoder;
  mrt::Record current;
  std::size_t order = 0;
};

}  // namespace

// Everything one replay holds: the analyzer and feed, the open dumps merged by timestamp.
struct ReplayRun::State {
  explicit State(const ReplayOptions& o, config::ParseResult p)
      : opt(o),
        parsed(std::move(p)),
        policy(policy_from(parsed.config)),
        analyzer(policy, roles_from(parsed.config, policy)),
        feed(analyzer),
        replay_sink(feed),
        timed(replay_sink) {}
  const ReplayOptions opt;
  config::ParseResult parsed;
  analyzer::Policy policy;
  Analyzer analyzer;
  feed::Feed feed;
  ReplaySink replay_sink;
  TimedSink timed;
  std::vector<Input> inputs;
  using Key = std::pair<std::uint64_t, std::size_t>;
  std::priority_queue<Key, std::vector<Key>, std::greater<>> heap;
  std::vector<bool> started;  // a record was read from it
  std::size_t records = 0;
  bool running = false;  // the first step has set the pacing origin
  std::chrono::steady_clock::time_point wall_start;
  std::uint64_t virtual_start = 0;
  std::unique_ptr<Progress> progress;  // over every dump: the stored bytes read of their total

  [[nodiscard]] std::uint64_t consumed() const {
    std::uint64_t n = 0;
    for (const auto& in : inputs) n += in.reader->source().stored_consumed();
    return n;
  }

  // The RIB-dump routes the feed holds, applied between records: timed as the stage under --stats.
  void flush() {
    if (opt.stats) timed.time([this] { feed.flush(); });
    else feed.flush();
  }

  void advance_input(std::size_t i) {
    try {
      if (inputs[i].reader->next(inputs[i].current)) {
        heap.emplace(micros(inputs[i].current), i);
        started[i] = true;
      }
    } catch (const std::exception& e) {
      inputs[i].decoder->read_error(mrt::ReadError{inputs[i].reader->name(), inputs[i].current.index + 1, 0, e.what()});
    }
  }
};

std::unique_ptr<ReplayRun> ReplayRun::open(const ReplayOptions& opt, int& status) {
  status = 2;
  auto parsed = config::load_config(opt.config);
  for (const auto& line : parsed.lines()) fmt::print(stderr, "{}\n", line);
  if (!parsed.errors.empty()) return nullptr;
  if (opt.report != "text" && opt.report != "json" && opt.report != "html" && opt.report != "none") {
    fmt::print(stderr, "bgpfa: error: --report must be text, json or html\n");
    return nullptr;
  }
  if (auto e = check_output_file(opt.output); !e.empty()) {  // before the replay, not after it
    fmt::print(stderr, "bgpfa: error: {}\n", e);
    return nullptr;
  }
  auto run = std::unique_ptr<ReplayRun>(new ReplayRun);  // NOLINT: the constructor is private
  run->s_ = std::make_unique<State>(opt, std::move(parsed));
  State& s = *run->s_;
  install_static_sites(s.parsed.config, s.analyzer);
  s.feed.baseline_from_dumps(!opt.events_from_start);
  s.feed.initial_tables(!opt.events_from_start);  // each session's first table: a baseline (as serve decides)
  DumpSink& sink = opt.stats ? static_cast<DumpSink&>(s.timed) : s.replay_sink;

  // Merge every dump by timestamp (ties: command-line order, then file order), like BGPStream.
  for (const auto& path : opt.dumps) {
    Input in;
    try {
      in.reader = std::make_unique<mrt::Reader>(path);
    } catch (const std::exception& e) {
      fmt::print(stderr, "bgpfa: error: {}\n", e.what());
      return nullptr;
    }
    in.decoder = std::make_unique<MrtDecoder>(sink, in.reader->name(), opt.quiet);
    in.reader->on_error = [d = in.decoder.get()](const mrt::ReadError& e) { d->read_error(e); };
    in.order = s.inputs.size();
    s.inputs.push_back(std::move(in));
  }
  s.started.assign(s.inputs.size(), false);
  for (std::size_t i = 0; i < s.inputs.size(); ++i) {
    s.advance_input(i);
    // Nothing at the start reads as MRT and nothing after it either: a wrong file, not a damaged
    // dump (a config, a text export). Say so and stop, rather than report on nothing.
    if (!s.started[i] && s.inputs[i].decoder->errors() > 0) {
      fmt::print(stderr, "bgpfa: error: {}: not an MRT file (no MRT record in it)\n", s.inputs[i].reader->name());
      return nullptr;
    }
  }
  std::uint64_t plain = 0, compressed = 0;
  for (const auto& in : s.inputs)
    (in.reader->source().compression() == mrt::Compression::None ? plain : compressed) += in.reader->source().stored_size();
  s.progress = std::make_unique<Progress>(
      "replay", plain + compressed, progress_wanted(opt.progress, ::isatty(STDERR_FILENO) == 1, plain, compressed));
  status = 0;
  return run;
}

ReplayRun::ReplayRun() = default;
ReplayRun::~ReplayRun() = default;

Analyzer& ReplayRun::analyzer() { return s_->analyzer; }
const feed::Feed& ReplayRun::feed() const { return s_->feed; }
const config::Config& ReplayRun::config() const { return s_->parsed.config; }
std::size_t ReplayRun::records() const { return s_->records; }

ReplayRun::Step ReplayRun::run_for(std::chrono::microseconds budget) {
  State& s = *s_;
  const auto now = std::chrono::steady_clock::now();
  if (!s.running) {  // --speed counts from the first record, not from opening the files
    s.running = true;
    s.wall_start = now;
    s.virtual_start = s.heap.empty() ? 0 : s.heap.top().first;
  }
  const auto stop = now + budget;
  while (!s.heap.empty()) {
    const auto [t, i] = s.heap.top();
    if (s.opt.speed > 0) {  // pace the virtual clock; the report does not depend on it
      const auto due = s.wall_start + std::chrono::microseconds(static_cast<std::int64_t>(
                                          static_cast<double>(t - s.virtual_start) / s.opt.speed));
      if (due > std::chrono::steady_clock::now()) {
        s.flush();  // the analyzer is read (served) while the replay waits
        return {false, due};
      }
    }
    s.heap.pop();
    if (s.feed.holds_routes_before(t)) s.flush();  // timed; the clock itself never was
    s.feed.clock(t);
    s.inputs[i].decoder->record(s.inputs[i].current);
    ++s.records;
    s.advance_input(i);
    s.progress->record(s.records, [&s] { return s.consumed(); }, s.opt.speed > 0);  // a paced replay trickles
    // The clock is read every 64 records: a record costs microseconds, a clock read ~20 ns.
    if ((s.records & 63) == 0 && std::chrono::steady_clock::now() >= stop) {
      s.flush();
      return {s.heap.empty(), std::nullopt};
    }
  }
  s.flush();
  return {true, std::nullopt};
}

int ReplayRun::finish() {
  State& s = *s_;
  const ReplayOptions& opt = s.opt;
  Analyzer& analyzer = s.analyzer;
  std::uint64_t errors = 0;
  s.progress->finish();
  for (auto& in : s.inputs) {
    in.decoder->finish();
    errors += in.decoder->errors();
  }
  s.flush();
  s.feed.finish(analyzer.last_input_us());  // not report(false).summary.last_us: that built a whole report
  if (const auto& unknown = s.feed.unknown_peers(); !unknown.empty() && !opt.quiet) {
    std::string some;
    for (std::size_t k = 0; k < unknown.size() && k < 5; ++k) {
      if (k) some += ", ";
      some += unknown[k];
    }
    fmt::print(stderr, "bgpfa: warning: {} peer{} in the dumps {} not in the configuration, {} routes ignored: {}{}\n",
               unknown.size(), unknown.size() == 1 ? "" : "s", unknown.size() == 1 ? "is" : "are",
               unknown.size() == 1 ? "its" : "their", some, unknown.size() > 5 ? ", ..." : "");
  }

  if (opt.stats) {
    const double secs = std::chrono::duration<double>(s.timed.spent()).count();
    const std::size_t routes = analyzer.routes(), bytes = analyzer.memory_bytes();
    fmt::print(stderr,
               "bgpfa: stats records={} routes_processed={} rib_analyzer_seconds={:.3f} routes_per_second={:.0f} "
               "stage_clock_overhead_seconds={:.4f} routes_in_rib={} rib_bytes={} bytes_per_route={:.1f} change_log_bytes={}\n",
               s.records, s.timed.routes, secs, secs > 0 ? static_cast<double>(s.timed.routes) / secs : 0.0,
               std::chrono::duration<double>(s.timed.clock_overhead()).count(), routes, bytes,
               routes ? static_cast<double>(bytes) / static_cast<double>(routes) : 0.0, analyzer.log_bytes());
  }
  if (!opt.rib_snapshot.empty()) {
    // Stamped with the last input time: the snapshot is the RIB as of the end of the dumps.
    const auto t = static_cast<std::uint32_t>(analyzer.last_input_us() / 1000000);
    const std::uint32_t id = s.parsed.config.router_id ? s.parsed.config.router_id->v4_value() : 0;
    if (auto e = write_rib_snapshot(analyzer, opt.rib_snapshot, t, id); !e.empty()) {
      fmt::print(stderr, "bgpfa: error: {}\n", e);
      return 2;
    }
  }
  const int vnet = opt.vnet.empty() ? -1 : analyzer.vnet_index(opt.vnet);
  if (!opt.vnet.empty() && vnet < 0) {
    fmt::print(stderr, "bgpfa: error: --vnet {}: no such VNet in the configuration\n", opt.vnet);
    return 2;
  }
  // JSON streams the rows and events from the analyzer (none is materialised); text and HTML
  // take them from the report.
  analyzer::ReportStream stream;
  auto report = analyzer.report(true, vnet, opt.report == "json" ? &stream : nullptr);  // closes the last episode
  if (const auto [events, episodes] = analyzer.take_history_drops(); (events || episodes) && !opt.quiet)
    fmt::print(stderr, "bgpfa: warning: history full: the oldest {} changes and {} episodes were dropped (`history events N "
                       "episodes N` in the analyzer section keeps more)\n", events, episodes);
  if (!opt.what_if.empty()) {
    const auto failed = resolve_targets(analyzer, opt.what_if);
    if (!failed.error.empty()) {
      fmt::print(stderr, "bgpfa: error: {}\n", failed.error);
      return 2;
    }
    report.what_if = analyzer.what_if(failed.peers);
  }
  report.summary.records = s.records;
  report.summary.unknown_peers = s.feed.unknown_peers();
  TextOptions text;
  text.limit = opt.limit;
  if (!opt.kind.empty()) {
    for (auto k : {analyzer::PathKind::None, analyzer::PathKind::ErPrimary, analyzer::PathKind::ErSecondary,
                   analyzer::PathKind::ErEcmp, analyzer::PathKind::Vpn, analyzer::PathKind::System})
      if (opt.kind == analyzer::to_string(k)) text.kind = k;
  }
  if (opt.report != "none" && !write_report(report, analyzer.policy().circuits, opt.report, opt.output, text, &stream)) return 2;
  std::fflush(stdout);
  return errors ? 1 : 0;
}

int run_replay(const ReplayOptions& opt) {
  int status = 0;
  auto run = ReplayRun::open(opt, status);
  if (!run) return status;
  for (;;) {
    const auto step = run->run_for(std::chrono::seconds(3600));
    if (step.done) break;
    if (step.due) std::this_thread::sleep_until(*step.due);
  }
  status = run->finish();
  if (status != 2 && opt.then)
    if (const int s = opt.then(run->analyzer()); s != 0) return s;
  return status;
}

}  // namespace bgpfa::app
