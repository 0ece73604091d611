// bgpfa: BGP route-propagation and failover analyzer.
#include <algorithm>
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/cli/compare_azure.hpp"
#include "app/cli/live_exec.hpp"
#include "app/cli/mrt_dump.hpp"
#include "app/cli/replay.hpp"
#include "app/cli/serve.hpp"
#include "app/grpc/client.hpp"
#include "app/config/model.hpp"

// The commands that need gRPC: bgpfa-live (BGPFA_LIVE) runs them, bgpfa hands them to it by exec
// (app/cli/live_exec.hpp), so that the rest never loads gRPC.
#ifdef BGPFA_LIVE
#define BGPFA_LIVE_COMMAND(name, call) return (call)
#else
#define BGPFA_LIVE_COMMAND(name, call) return bgpfa::app::exec_live(argv, name)
#endif

int main(int argc, char** argv) {
  CLI::App app{"bgpfa: BGP route-propagation and failover analyzer"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "bgpfa " BGPFA_VERSION);  // CMake's project version

  auto* mrt = app.add_subcommand("mrt", "MRT dump tools");
  mrt->require_subcommand(1);
  auto* dump = mrt->add_subcommand("dump", "Print MRT records one line each, byte-identical to bgpdump -m/-M");
  bgpfa::app::MrtDumpOptions opt;
  bool m = false, big_m = false, verbose = false, syslog_flag = false;
  std::string time_type = "dump";
  dump->add_flag("-m", m, "one line per entry with unix timestamps (default)");
  dump->add_flag("-M", big_m, "one line per entry with human readable timestamps");
  dump->add_option("-t", time_type, "RIB line timestamps: dump time or the route's last change")
      ->check(CLI::IsMember({"dump", "change"}));
  dump->add_flag("-p", opt.bgpdump.packet_index, "show the packet index in the second column");
  dump->add_flag("-l", opt.bgpdump.large_communities, "show large communities after communities");
  dump->add_flag("-u", opt.bgpdump.unknown_attributes, "show unassigned attributes");
  dump->add_option("-O", opt.output, "write to FILE instead of stdout");
  dump->add_flag("--json", opt.json, "one JSON object per route or event, typed fields");
  dump->add_flag("-q", opt.quiet, "errors only, no warnings");
  dump->add_flag("-v", verbose, "accepted for bgpdump compatibility (bgpfa always logs to stderr)");
  dump->add_flag("-s", syslog_flag, "accepted for bgpdump compatibility (bgpfa always logs to stderr)");
  auto* dump_progress = dump->add_flag("--progress", [&](std::int64_t) { opt.progress = bgpfa::app::ProgressMode::Always; },
                                       "progress on a terminal for any input (default: inputs over 64 MiB uncompressed)");
  dump->add_flag("--no-progress", [&](std::int64_t) { opt.progress = bgpfa::app::ProgressMode::Never; }, "never show progress")
      ->excludes(dump_progress);
  dump->add_option("FILE", opt.files, "MRT files (plain, gzip, bzip2, xz, zstd); - for stdin")->required();

  auto* check = app.add_subcommand("check-config", "Parse and validate a configuration file");
  std::string check_file;
  check->add_option("FILE", check_file, "configuration file")->required();

  const CLI::Validator metrics_address(
      [](const std::string& v) {
        const auto why = bgpfa::config::metrics_address_problem(v);
        return why ? fmt::format("--metrics {}: {}", v, *why) : std::string();
      },
      "ADDR");
  auto* replay = app.add_subcommand("replay", "Replay MRT dumps through the RIBs and the analyzer; print the report");
  bgpfa::app::ReplayOptions ropt;
  bool afap = false;
  replay->add_option("-c,--config", ropt.config, "configuration file")->required();
  auto* speed = replay->add_option("--speed", ropt.speed, "replay at N x real time (same report as --afap)")
                    ->check(CLI::Validator(
                        [](const std::string& v) -> std::string {
                          double x = 0;
                          const bool number = CLI::detail::lexical_cast(v, x);
                          return number && x > 0 && x <= 1e9 ? "" : "--speed takes a positive factor of real time, e.g. 10";
                        },
                        "FACTOR"));
  replay->add_flag("--afap", afap, "as fast as possible (the default)")->excludes(speed);
  replay->add_option("--report", ropt.report, "text, json or html")->check(CLI::IsMember({"text", "json", "html"}));
  replay->add_option("-o,--output", ropt.output, "write the report to FILE");
  replay->add_flag("-q", ropt.quiet, "errors only, no warnings");
  replay->add_option("--limit", ropt.limit, "text report: show N active-path rows, the interesting ones first (0: all; default 200)");
  replay->add_option("--kind", ropt.kind, "text report: only active paths of this kind")
      ->check(CLI::IsMember({"none", "er-primary", "er-secondary", "er-ecmp", "vpn", "system"}));
  replay->add_option("--vnet", ropt.vnet, "the active paths as this VNet sees them (default: the hub, which holds the gateways)");
  replay->add_flag("--events-from-start", ropt.events_from_start,
                   "RIB dumps before the first update, and each session's initial table, make events and episodes (default: they are baselines)");
  auto* replay_progress =
      replay->add_flag("--progress", [&](std::int64_t) { ropt.progress = bgpfa::app::ProgressMode::Always; },
                       "progress on a terminal for any input (default: inputs over 64 MiB uncompressed)");
  replay->add_flag("--no-progress", [&](std::int64_t) { ropt.progress = bgpfa::app::ProgressMode::Never; }, "never show progress")
      ->excludes(replay_progress);
  replay->add_flag("--stats", ropt.stats, "print RIB+analyzer routes/s and bytes per route to stderr");
  replay->add_option("--rib-snapshot", ropt.rib_snapshot, "write the final RIB to FILE as an MRT TABLE_DUMP_V2 snapshot");
  replay->add_option("--what-if", ropt.what_if,
                     "at the end, fail TARGET (a peer address, CIRCUIT, \"CIRCUIT primary\", expressroute, vpn, \"vpn 0\"; "
                     "repeat to fail several at once): the report lists the prefixes that would move")
      ->allow_extra_args(false);
  std::string replay_serve;
  auto* replay_serve_opt = replay->add_option(
      "--serve", replay_serve, "serve the analyzer over gRPC on ADDR (e.g. 127.0.0.1:50051) while replaying, then until interrupted");
  std::string replay_metrics;
  replay->add_option("--metrics", replay_metrics,
                     "with --serve: Prometheus metrics over HTTP on ADDR (default: the config's metrics section); off: none")
      ->needs(replay_serve_opt)
      ->check(metrics_address);
  replay->add_option("DUMP", ropt.dumps, "MRT dumps (TABLE_DUMP_V2 and BGP4MP mixed, any compression)")->required();

  auto* compare = app.add_subcommand("compare-azure", "Replay the dumps, then list where Azure's own route tables (az CLI JSON) differ from bgpfa's answer");
  bgpfa::app::CompareAzureOptions aopt;
  compare->add_option("-c,--config", aopt.config, "configuration file")->required();
  compare->add_option("--er-table", aopt.er_tables,
                      "CIRCUIT:LINK=FILE: az network express-route list-route-tables --path LINK of that circuit (repeatable)")
      ->allow_extra_args(false);
  compare->add_option("--effective-routes", aopt.effective_routes,
                      "[VNET=]FILE: az network nic show-effective-route-table of a NIC in VNET (default: the hub; repeatable)")
      ->allow_extra_args(false);
  compare->add_option("--next-hop", aopt.next_hops,
                      "ADDRESS=LABEL: a next hop Azure shows stands for \"CIRCUIT primary|secondary\" or \"vpn 0|1\" (repeatable)")
      ->allow_extra_args(false);
  compare->add_flag("--json", aopt.json, "the differences as one JSON object");
  compare->add_flag("-q", aopt.quiet, "errors only, no warnings");
  compare->add_option("DUMP", aopt.dumps, "MRT dumps (as for replay)")->required();

  auto* serve = app.add_subcommand("serve", "Peer with the configured routers; analyze live; capture to MRT");
  bgpfa::app::ServeOptions sopt;
  serve->add_option("-c,--config", sopt.config, "configuration file")->required();
  serve->add_option("--listen", sopt.listen, "address to accept BGP connections on (default ::, all)");
  serve->add_option("--port", sopt.port, "TCP port (default 179)")->check(CLI::Range(1, 65535));
  serve->add_option("--capture", sopt.capture, "write BGP4MP_ET captures into DIR");
  serve->add_option("--report", sopt.report, "report written at exit: text, json or html")->check(CLI::IsMember({"text", "json", "html"}));
  serve->add_option("-o,--output", sopt.output, "write the exit report to FILE");
  serve->add_option("--state-file", sopt.state_file, "keep FILE updated with each peer's session state");
  serve->add_option("--grpc", sopt.grpc, "gRPC listen address (default: the config's grpc listen, 127.0.0.1:50051); off: none");
  serve->add_option("--metrics", sopt.metrics,
                    "Prometheus metrics over HTTP on ADDR, e.g. 127.0.0.1:9180 (default: the config's metrics section); off: none")
      ->check(metrics_address);
  serve->add_option("--log-level", sopt.log_level, "least level logged: debug, info, warning or error (default info)")
      ->check(CLI::IsMember({"debug", "info", "warning", "error"}));
  serve->add_option("--log-format", sopt.log_format, "text (default) or json: one object per line")
      ->check(CLI::IsMember({"text", "json"}));
  serve->add_option("--rib-snapshot", sopt.rib_snapshot,
                    "write the RIB to FILE as an MRT TABLE_DUMP_V2 snapshot on SIGUSR1 and at exit");

  // Clients of a running `bgpfa serve` (or replay --serve).
  bgpfa::app::ClientOptions copt;
  std::uint64_t since = 0;
  auto client = [&](const char* name, const char* what) {
    auto* c = app.add_subcommand(name, what);
    c->add_option("-s,--server", copt.server, "bgpfa serve's gRPC address (default 127.0.0.1:50051)");
    c->add_flag("--json", copt.json, "one JSON object per line (the proto's JSON mapping)");
    c->add_option("--ca", copt.ca, "connect with TLS, trusting the server certificate signed by this PEM file");
    return c;
  };
  auto* peers = client("peers", "The neighbours of a running bgpfa serve (AS, Up/Down, state, routes); with ADDRESS, its details");
  peers->add_option("ADDRESS", copt.query, "one neighbour: state history, NOTIFICATIONs, capabilities, message counters");
  auto* paths = client("paths", "Active path per prefix of a running bgpfa serve (all, a prefix, or an address's match)");
  paths->add_option("QUERY", copt.query, "a prefix (10.1.0.0/16) or an address (longest match); none: every prefix");
  paths->add_flag("--longer", copt.longer, "the prefixes inside QUERY too");
  paths->add_flag("--shorter", copt.shorter, "the prefixes covering QUERY too");
  paths->add_option("--kind", copt.kinds, "only this kind: none, er-primary, er-secondary, er-ecmp, vpn (repeatable)");
  paths->add_option("--gateway", copt.gateway, "only prefixes with a route from this gateway: expressroute or vpn");
  paths->add_option("--peer", copt.peer, "only prefixes whose traffic this peer carries");
  paths->add_option("--origin-as", copt.origin_asn, "only prefixes with a route originated by this AS");
  paths->add_option("--community", copt.community, "only prefixes with a route carrying this community (ASN:VALUE)");
  paths->add_option("--vnet", copt.vnet, "the answers as this VNet sees them (default: the hub, which holds the gateways)");
  paths->add_flag("--routes", copt.routes, "with every candidate route: AS path, origin, next hop, MED, LOCAL_PREF, communities");
  auto* lookup = client("lookup", "The longest match of an address and its path");
  lookup->add_option("ADDRESS", copt.query, "an IPv4 or IPv6 address")->required();
  lookup->add_option("--vnet", copt.vnet, "the answer as this VNet sees it (default: the hub)");
  auto* events = client("events", "Active-path changes of the change log, in order");
  auto* events_since = events->add_option("--since", since, "changes after this sequence number");
  events->add_option("--prefix", copt.query, "only this prefix and those inside it");
  events->add_option("--limit", copt.limit, "at most N changes");
  events->add_option("--peer", copt.peer, "only changes this peer carried traffic for before or after (and its state changes)");
  events->add_option("--kind", copt.kinds, "only changes from or to this kind (repeatable)");
  events->add_flag("--marks", copt.marks, "also session state changes and episode starts and ends, at their place");
  auto* episodes = client("episodes", "Convergence episodes so far, with per-prefix times and black holes");
  episodes->add_option("--limit", copt.limit, "at most N episodes");
  auto* episode = client("episode", "One convergence episode and the prefixes it moved");
  episode->add_option("ID", copt.id, "episode number (1, 2, ...)")->required();
  auto* findings = client("findings", "What the analyzer finds wrong or notable in the table");
  auto* summary = client("summary", "Counts by path kind, peers up, the last episode");
  auto* watch = client("watch", "Stream a running bgpfa serve's active paths, then every change as it happens");
  watch->add_option("WITHIN", copt.query, "only prefixes inside this one");
  watch->add_option("-n,--count", copt.count, "stop after N changes");
  watch->add_flag("--no-snapshot", [&](std::int64_t) { copt.snapshot = false; }, "print changes only");
  watch->add_option("--kind", copt.kinds, "only rows of this kind and changes from or to it (repeatable)");
  auto* watch_since = watch->add_option("--since", since, "no snapshot: the changes after this sequence number, then live ones");
  auto* what_if = client("what-if", "Which prefixes of a running bgpfa serve would move if these peers failed");
  what_if->add_option("TARGET", copt.fail,
                      "a peer address, CIRCUIT, \"CIRCUIT primary|secondary\", expressroute, vpn, \"vpn 0|1\"")
      ->required();
  auto* report = client("report", "The report of a running bgpfa serve so far");
  report->add_option("--format", copt.format, "text, json or html")->check(CLI::IsMember({"text", "json", "html"}));

  // Exit codes: 0 ok, 1 not found / had errors, 2 usage error (CLI11's own codes are not used).
  if (argc > 1 && argv[1][0] != '-') {
    const std::string name = argv[1];
    const auto subs = app.get_subcommands([](const CLI::App*) { return true; });
    if (std::none_of(subs.begin(), subs.end(), [&](const CLI::App* c) { return c->get_name() == name; })) {
      std::string names;
      for (const auto* c : subs) {
        if (!names.empty()) names += ", ";
        names += c->get_name();
      }
      fmt::print(stderr, "bgpfa: error: unknown command \"{}\" (commands: {}; bgpfa --help)\n",
                 name.size() > 100 ? name.substr(0, 100) + "..." : name, names);
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    (void)app.exit(e);
    return 2;
  }
  if (check->parsed()) {
    auto r = bgpfa::config::load_config(check_file);
    // What serve would refuse at start (AS 0 neighbours, the capture directory) is an error here too.
    if (r.errors.empty())
      for (auto& e : bgpfa::config::check_for_serve(r.config)) r.errors.push_back(std::move(e));
    for (const auto& line : r.lines()) fmt::print(stderr, "{}\n", line);
    if (!r.errors.empty()) return 1;
    std::size_t er = 0, vpn = 0;
    for (const auto& n : r.config.neighbors) (n.gateway == bgpfa::config::GatewayKind::Vpn ? vpn : er)++;
    fmt::print("{}: ok: router bgp {}, {} ExpressRoute and {} VPN neighbours\n", check_file, r.config.local_as, er, vpn);
    return 0;
  }
  if (serve->parsed()) BGPFA_LIVE_COMMAND("serve", bgpfa::app::run_serve(sopt));
  if (compare->parsed()) return bgpfa::app::run_compare_azure(aopt);
  if (events_since->count() || watch_since->count()) copt.since = since;
  if (peers->parsed()) BGPFA_LIVE_COMMAND("peers", bgpfa::app::run_peers(copt));
  if (paths->parsed()) BGPFA_LIVE_COMMAND("paths", bgpfa::app::run_paths(copt));
  if (lookup->parsed()) BGPFA_LIVE_COMMAND("lookup", bgpfa::app::run_lookup(copt));
  if (events->parsed()) BGPFA_LIVE_COMMAND("events", bgpfa::app::run_events(copt));
  if (episodes->parsed()) BGPFA_LIVE_COMMAND("episodes", bgpfa::app::run_episodes(copt));
  if (episode->parsed()) BGPFA_LIVE_COMMAND("episode", bgpfa::app::run_episode(copt));
  if (findings->parsed()) BGPFA_LIVE_COMMAND("findings", bgpfa::app::run_findings(copt));
  if (summary->parsed()) BGPFA_LIVE_COMMAND("summary", bgpfa::app::run_summary(copt));
  if (watch->parsed()) BGPFA_LIVE_COMMAND("watch", bgpfa::app::run_watch(copt));
  if (report->parsed()) BGPFA_LIVE_COMMAND("report", bgpfa::app::run_report(copt));
  if (what_if->parsed()) BGPFA_LIVE_COMMAND("what-if", bgpfa::app::run_what_if(copt));
  if (replay->parsed()) {
    if (afap) ropt.speed = 0;
    if (!replay_serve.empty()) BGPFA_LIVE_COMMAND("replay --serve", bgpfa::app::serve_replay(ropt, replay_serve, replay_metrics));
    return bgpfa::app::run_replay(ropt);
  }
  if (dump->parsed()) {
    if (m && big_m) {
      fmt::print(stderr, "bgpfa: error: -m and -M exclude each other\n");
      return 2;
    }
    opt.bgpdump.human_time = big_m;
    opt.bgpdump.change_time = time_type == "change";
    return bgpfa::app::run_mrt_dump(opt);
  }
  return 0;
}
