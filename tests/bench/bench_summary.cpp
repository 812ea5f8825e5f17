// The one table scripts/bench ends with: every scenario's figure against issue 9's target, and
// as a ratio to this machine's own baselines, measured here in the same run, so that runs on
// different machines compare:
//  - HTTP: `wrk` (one thread, 64 keep-alive connections) against the benchmarks' sink
//    (bench_sink), in requests/s;
//  - PostgreSQL: `pgbench -N` (4 clients, as rollcalld's default pool; 2 threads) on a durable
//    throwaway cluster, in transactions/s, each a synchronous commit.
// It reads the benchmarks' JSON reports named on the command line; scenarios without a report
// (or not built yet) are listed as not measured.
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "bench_sink.hpp"
#include "bench_util.hpp"
#include "pg_cluster.hpp"

namespace {

using namespace rollcall;

struct options {
  int seconds = 10;  // each baseline's run
  bool skip_baselines = false;
  std::string report;
  std::vector<std::string> inputs;
};

void usage() { std::cerr << "usage: bench_summary [--seconds N] [--skip-baselines] [--report FILE] REPORT.json...\n"; }

// A command's standard output (and error), or nullopt if it could not be run or failed.
std::optional<std::string> capture(const std::string& command) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return std::nullopt;
  std::string out;
  char buf[4096];
  while (const auto n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  if (pclose(p) != 0) {
    std::cerr << "bench_summary: `" << command << "` failed:\n" << out << "\n";
    return std::nullopt;
  }
  return out;
}

// The number after `label` in `text` (e.g. "Requests/sec:" in wrk's output).
std::optional<double> number_after(const std::string& text, const std::string& label) {
  const auto at = text.find(label);
  if (at == std::string::npos) return std::nullopt;
  std::istringstream in{text.substr(at + label.size())};
  double v = 0;
  if (!(in >> v)) return std::nullopt;
  return v;
}

std::optional<double> http_baseline(int seconds) {
  if (!capture("command -v wrk")) return std::nullopt;
  bench::bench_sink sink;
  const auto out = capture("wrk -t1 -c64 -d" + std::to_string(seconds) + "s " + sink.url("/"));
  if (!out) return std::nullopt;
  return number_after(*out, "Requests/sec:");
}

// "host=/tmp/x user=rollcall dbname=t1_1" -> its fields.
std::map<std::string, std::string> conninfo_fields(const std::string& conninfo) {
  std::map<std::string, std::string> out;
  std::istringstream in{conninfo};
  std::string kv;
  while (in >> kv)
    if (const auto eq = kv.find('='); eq != std::string::npos) out[kv.substr(0, eq)] = kv.substr(eq + 1);
  return out;
}

std::optional<double> pg_baseline(int seconds) {
  testing::pg_cluster cluster{testing::pg_cluster::durability::durable};
  auto f = conninfo_fields(cluster.create_database());
  const std::string args = " -h " + f["host"] + " -U " + f["user"] + " " + f["dbname"];
  if (!capture("pgbench -i -q -s 4" + args)) return std::nullopt;
  const auto out = capture("pgbench -n -N -c 4 -j 2 -T " + std::to_string(seconds) + args);
  if (!out) return std::nullopt;
  return number_after(*out, "tps =");
}

std::optional<double> number(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  if (v->is_double()) return v->as_double();
  if (v->is_int64()) return static_cast<double>(v->as_int64());
  if (v->is_uint64()) return static_cast<double>(v->as_uint64());
  return std::nullopt;
}

std::string fixed(std::optional<double> v, int precision) {
  if (!v) return "n/a";
  std::ostringstream out;
  out << std::fixed << std::setprecision(precision) << *v;
  return out.str();
}

struct row {
  std::string scenario, figure, target, met, per_http, per_pg;
};

}  // namespace

int main(int argc, char** argv) {
  options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) {
      opt.seconds = std::atoi(argv[++i]);
    } else if (a == "--skip-baselines") {
      opt.skip_baselines = true;
    } else if (a == "--report" && i + 1 < argc) {
      opt.report = argv[++i];
    } else if (!a.starts_with("--")) {
      opt.inputs.push_back(a);
    } else {
      usage();
      return 2;
    }
  }
  if (opt.seconds < 1) {
    usage();
    return 2;
  }

  std::optional<double> http, pg;
  if (!opt.skip_baselines) {
    http = http_baseline(opt.seconds);
    pg = pg_baseline(opt.seconds);
  }
  std::map<std::string, boost::json::object> reports;  // by "benchmark"
  for (const auto& path : opt.inputs) {
    std::ifstream in{path};
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    auto v = boost::json::parse(text.str(), ec);
    if (ec || !v.is_object()) {
      std::cerr << "bench_summary: " << path << " is not a JSON report (skipped)\n";
      continue;
    }
    auto& o = v.as_object();
    if (const auto* name = o.if_contains("benchmark"); name && name->is_string())
      reports[std::string{name->as_string()}] = o;
  }

  const auto ratio = [](std::optional<double> v, std::optional<double> base) {
    return v && base && *base > 0 ? fixed(*v / *base, 3) : std::string{"n/a"};
  };
  const auto yes_no = [](std::optional<bool> met) { return met ? (*met ? "yes" : "no") : "n/a"; };
  const auto at_least = [&](std::optional<double> v, double target) {
    return yes_no(v ? std::optional{*v >= target} : std::nullopt);
  };
  const auto at_most = [&](std::optional<double> v, double target) {
    return yes_no(v ? std::optional{*v <= target} : std::nullopt);
  };
  std::vector<row> rows;
  if (auto it = reports.find("dispatch"); it != reports.end()) {
    const auto rate = number(it->second, "messages_per_s");
    rows.push_back({"dispatch: " + fixed(number(it->second, "messages"), 0) + " due messages, messages/s",
                    fixed(rate, 0), ">= 12,000", at_least(rate, 12000), ratio(rate, http), ratio(rate, pg)});
    const auto rss = number(it->second, "daemon_peak_rss_kb");
    const std::optional<double> mb = rss ? std::optional{*rss / 1024} : std::nullopt;
    rows.push_back({"memory: peak RSS in dispatch, MiB", fixed(mb, 1), "<= 150", at_most(mb, 150), "", ""});
    const auto mib = [](std::optional<double> kb) { return kb ? std::optional{*kb / 1024} : std::nullopt; };
    if (const auto* b = it->second.if_contains("backlog"); b && b->is_object()) {
      const auto& o = b->as_object();
      const auto backlog_rate = number(o, "messages_per_s");
      rows.push_back({"backlog: " + fixed(number(o, "messages"), 0) + " overdue messages, messages/s",
                      fixed(backlog_rate, 0), ">= 12,000", at_least(backlog_rate, 12000), ratio(backlog_rate, http),
                      ratio(backlog_rate, pg)});
      const auto peak = mib(number(o, "daemon_peak_rss_kb"));
      rows.push_back({"memory: peak RSS in backlog, MiB", fixed(peak, 1), "<= 150", at_most(peak, 150), "", ""});
    } else {
      rows.push_back({"backlog", "not run", ">= 12,000 messages/s", "n/a", "", ""});
    }
    if (const auto* t = it->second.if_contains("timeliness"); t && t->is_object()) {
      const auto p99 = number(t->as_object(), "p99_ms");
      rows.push_back(
          {"timeliness: p99 due -> sink at " + fixed(number(t->as_object(), "rate_per_s"), 0) + " messages/s, ms",
           fixed(p99, 1), "<= 100", at_most(p99, 100), "", ""});
    } else {
      rows.push_back({"timeliness", "not run", "p99 <= 100 ms", "n/a", "", ""});
    }
    if (const auto* a = it->second.if_contains("api"); a && a->is_object() && a->as_object().contains("single")) {
      const auto& single = a->as_object().at("single").as_object();
      const auto& roster = a->as_object().at("roster").as_object();
      const auto rate = number(single, "marks_per_s");
      const auto p99 = number(single, "p99_ms");
      rows.push_back({"API: single marks from " + fixed(number(single, "connections"), 0) +
                          " connections during dispatch, marks/s",
                      fixed(rate, 0), ">= 3,000", at_least(rate, 3000), ratio(rate, http), ratio(rate, pg)});
      rows.push_back({"API: those marks' p99 latency, ms", fixed(p99, 1), "<= 50", at_most(p99, 50), "", ""});
      const auto roster_rate = number(roster, "marks_per_s");
      rows.push_back({"API: whole-roster marks, marks/s", fixed(roster_rate, 0), ">= 30,000",
                      at_least(roster_rate, 30000), "", ratio(roster_rate, pg)});
    } else {
      rows.push_back(
          {"API", "not run", ">= 3,000 single marks/s, p99 <= 50 ms; >= 30,000 roster marks/s", "n/a", "", ""});
    }
    const auto idle = mib(number(it->second, "idle_rss_kb"));
    rows.push_back({"memory: idle RSS, MiB", fixed(idle, 1), "<= 25", at_most(idle, 25), "", ""});
  } else {
    rows.push_back({"dispatch", "not run", ">= 12,000 messages/s", "n/a", "", ""});
  }
  // Scenarios timed in seconds, each with a rate compared to the database's baseline.
  struct timed {
    const char *report, *title, *seconds_key;
    int precision;
    double limit;
    const char *rate_key, *rate_unit, *short_title, *target;
  };
  for (const auto& t : {timed{"materialise", "planning: 12 weeks with reminders, s", "time_to_reminders_s", 1, 10,
                              "sessions_per_s", " (sessions/s)", "planning", "<= 10 s"},
                        timed{"attendance", "no-show sweep: sessions closed and rules run, s", "total_s", 2, 1,
                              "clients_per_s", " (clients/s)", "no-show sweep", "<= 1 s"}}) {
    const auto it = reports.find(t.report);
    if (it == reports.end()) {
      rows.push_back({t.short_title, "not run", t.target, "n/a", "", ""});
      continue;
    }
    const auto s = number(it->second, t.seconds_key);
    rows.push_back({t.title, fixed(s, t.precision), fixed(t.limit, 0).insert(0, "<= "), at_most(s, t.limit), "",
                    ratio(number(it->second, t.rate_key), pg) + t.rate_unit});
  }

  std::cout << "\nscripts/bench summary, " << bench::date_string() << "\n"
            << "baselines: HTTP (wrk -t1 -c64 against bench_sink) " << fixed(http, 0)
            << " requests/s; PostgreSQL (pgbench -N -c4 -j2, durable) " << fixed(pg, 0) << " transactions/s\n\n"
            << "| scenario | figure | target | met | per HTTP request/s | per PostgreSQL tx/s |\n"
            << "|---|---|---|---|---|---|\n";
  boost::json::array json_rows;
  for (const auto& r : rows) {
    std::cout << "| " << r.scenario << " | " << r.figure << " | " << r.target << " | " << r.met << " | " << r.per_http
              << " | " << r.per_pg << " |\n";
    json_rows.push_back({{"scenario", r.scenario},
                         {"figure", r.figure},
                         {"target", r.target},
                         {"met", r.met},
                         {"per_http_request_per_s", r.per_http},
                         {"per_pg_tx_per_s", r.per_pg}});
  }
  if (!opt.report.empty()) {
    std::ofstream out{opt.report};
    out << boost::json::serialize(
        boost::json::object{{"date", bench::date_string()},
                            {"http_requests_per_s", http ? boost::json::value(*http) : boost::json::value(nullptr)},
                            {"pg_transactions_per_s", pg ? boost::json::value(*pg) : boost::json::value(nullptr)},
                            {"rows", json_rows}});
  }
  return 0;
}
