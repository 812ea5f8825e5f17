// Small helpers the benchmarks share: the daemon's memory from /proc, elapsed seconds, the
// run's date, the seed statements for sites and their slots, the command line, the failure
// text of a run, and main's plumbing.
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <exception>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "daemon_process.hpp"

namespace rollcall::bench {

// A "VmHWM:  1234 kB" style line of /proc/<pid>/status, in kB (0 once the process is gone).
inline std::int64_t proc_status_kb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
  return 0;
}

inline double seconds_since(std::chrono::steady_clock::time_point t0, std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(t - t0).count();
}

// Now, UTC, as 2026-11-22T18:00:00Z.
inline std::string date_string() {
  const std::time_t t = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

// Seed statements for a CTE row p with a `sites` column: the sites (ids 1..sites, five zones in
// turn) and each site's slot catalogue.
inline constexpr const char* seed_sites_sql =
    "INSERT INTO sites (id, name, time_zone)"
    " SELECT i, 'Bench site ' || i, (ARRAY['America/New_York', 'America/Chicago', 'America/Phoenix',"
    "   'Europe/London', 'Australia/Lord_Howe'])[1 + (i - 1) % 5]"
    " FROM p, generate_series(1, p.sites) i";
inline constexpr const char* seed_site_slots_sql =
    "INSERT INTO site_slots (site_id, slot, start_second, end_second)"
    " SELECT s.id, d.slot, d.a, d.b FROM p, sites s"
    " CROSS JOIN (VALUES ('morning', 32400, 43200), ('afternoon', 46800, 57600), ('evening', 64800, 75600))"
    "   AS d (slot, a, b)"
    " ON CONFLICT DO NOTHING";

// With pg_stat_statements (below): forget what came before, so that top_statements reports the
// measured phase alone.
inline void reset_statements(const std::string& db_url) {
  try {
    pqxx::connection c{db_url};
    pqxx::nontransaction tx{c};
    tx.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    tx.exec("SELECT pg_stat_statements_reset()");
  } catch (const std::exception&) {
  }
}

// When the cluster runs with pg_stat_statements (ROLLCALL_PG_OPTIONS="-c
// shared_preload_libraries=pg_stat_statements"): the statements that took the database's time,
// most first, as report lines; "" otherwise.
inline std::string top_statements(const std::string& db_url, int limit = 12) {
  try {
    pqxx::connection c{db_url};
    pqxx::nontransaction tx{c};
    tx.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    std::string out = "  database time by statement (pg_stat_statements: total ms, calls, rows, statement):\n";
    for (const auto& row : tx.exec_params(
             "SELECT round(total_exec_time)::bigint, calls, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 150)"
             " FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT $1",
             limit))
      out += "    " + row[0].as<std::string>() + " ms, " + row[1].as<std::string>() + " calls, " +
             row[2].as<std::string>() + " rows: " + row[3].as<std::string>() + "\n";
    return out;
  } catch (const std::exception&) {
    return "";
  }
}

// One integer option of a benchmark's command line: `--name N`, N at least `min`.
struct int_option {
  const char* name;
  int* value;
  int min = 1;
};

// Reads a benchmark's command line: --smoke (calls `smoke`, which sets the smoke run's sizes;
// options after it still apply), --report FILE, and `ints`. False on any other argument, a
// missing or non-numeric value, or a value below its minimum (main then prints the usage).
inline bool parse_options(int argc, char** argv, std::initializer_list<int_option> ints, std::string& report,
                          const std::function<void()>& smoke) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--smoke") {
      smoke();
      continue;
    }
    if (i + 1 >= argc) return false;
    const std::string_view v = argv[++i];
    if (a == "--report") {
      report = v;
      continue;
    }
    const auto* o = std::find_if(ints.begin(), ints.end(), [&a](const int_option& x) { return a == x.name; });
    if (o == ints.end()) return false;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), *o->value);
    if (ec != std::errc{} || end != v.data() + v.size()) return false;
  }
  return std::all_of(ints.begin(), ints.end(), [](const int_option& x) { return *x.value >= x.min; });
}

// A run's failure text from what went wrong (`why`, empty when nothing did): that, any
// sanitizer report in rollcalld's log (scripts/test --sanitize), and the end of the log.
inline std::string failure_text(std::string why, const std::string& log) {
  if (const auto report = testing::sanitizer_report(log); !report.empty())
    why += "rollcalld wrote a sanitizer report:\n" + report;
  if (!why.empty()) why += "rollcalld log:\n" + log.substr(log.size() > 4000 ? log.size() - 4000 : 0);
  return why;
}

// A benchmark's main: parse the arguments (usage and exit 2 if they are bad), run, print the
// report, write it as JSON to --report if given; exit 1 if the run failed or threw.
template <class Parse, class Usage, class Run, class ToJson, class Print>
int bench_main(const char* name, int argc, char** argv, Parse parse_args, Usage usage, Run run, ToJson to_json,
               Print print_report) {
  const auto opt = parse_args(argc, argv);
  if (!opt) {
    usage();
    return 2;
  }
  try {
    const auto r = run(*opt);
    const auto j = to_json(*opt, r);
    print_report(*opt, r);
    if (!opt->report.empty()) std::ofstream{opt->report} << boost::json::serialize(j) << "\n";
    if (!r.ok) {
      std::cerr << name << " FAILED:\n" << r.failure;
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << name << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace rollcall::bench
