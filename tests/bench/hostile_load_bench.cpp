// Good-request latency under a load of bad requests: a real rollcalld answers a steady stream of
// good API calls (a list and a create, one client at a time) first alone, then while several
// threads hammer it with malformed JSON, oversized headers, oversized bodies and garbage. It
// reports the good calls' latency percentiles in both phases and how many bad requests were
// sent. Run by scripts/bench (full length) and by ctest (--smoke, a few seconds per phase).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.hpp"
#include "daemon_process.hpp"
#include "pg_cluster.hpp"
#include "raw_client.hpp"

namespace {

using namespace rollcall;
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct options {
  int seconds = 20;  // per phase
  int threads = 4;   // bad-load threads
  std::string report;
  bool smoke = false;
};

void usage() {
  std::cerr << "usage: hostile_load_bench [--smoke] [--seconds N] [--threads N] [--report FILE]\n"
               "  --smoke  3 s per phase (the ctest check)\n";
}

std::optional<options> parse_args(int argc, char** argv) {
  options o;
  if (!bench::parse_options(argc, argv, {{"--seconds", &o.seconds}, {"--threads", &o.threads}}, o.report, [&o] {
        o.smoke = true;
        o.seconds = 3;
      }))
    return std::nullopt;
  return o;
}

struct phase {
  int good = 0, ok = 0;
  int bad = 0;
  double p50_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0;
};

struct bench_result {
  bool ok = false;
  std::string failure;
  phase quiet, loaded;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// The admin token the harness made for the daemon under test (daemon_process::admin_token()).
std::string bench_token;

std::string head(const std::string& method, const std::string& target, const std::string& extra) {
  std::string s = method;
  s += " ";
  s += target;
  s += " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ";
  s += bench_token;
  s += "\r\n";
  s += extra;
  return s;
}

// One bad request of kind `k` on a fresh connection; waits for the answer (or the close).
void send_bad(std::uint16_t port, int k) {
  testing::raw_client c{port};
  switch (k % 4) {
    case 0: {
      auto r = head("POST", "/v1/clients", "Content-Type: application/json\r\nContent-Length: 9\r\n\r\n");
      r += "{\"first_n";
      c.send(r);
      break;
    }
    case 1: {
      auto r = head("GET", "/v1/clients", "X-Filler: ");
      r += std::string(20000, 'a');
      r += "\r\n\r\n";
      c.send(r);
      break;
    }
    case 2:
      c.send(head("POST", "/v1/clients", "Content-Length: 5000000\r\n\r\n"));
      break;
    default:
      c.send("\x16\x03\x01 garbage\r\n\r\n");
      break;
  }
  c.read_reply(5s);
}

phase measure(testing::daemon_process& d, int seconds, int threads) {
  phase out;
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> hammers;
  for (int t = 0; t < threads; ++t)
    hammers.emplace_back([&, t] {
      for (int i = t; !stop; ++i) {
        send_bad(d.port(), i);
        ++bad;
      }
    });
  std::vector<double> ms;
  const auto until = steady::now() + std::chrono::seconds{seconds};
  while (steady::now() < until) {
    for (int k = 0; k < 2; ++k) {
      const auto t0 = steady::now();
      const auto r = k == 0 ? d.request("GET", "/v1/clients?limit=20", {}, bench_token)
                            : d.request("POST", "/v1/clients", R"({"first_name": "Kim"})", bench_token);
      ms.push_back(std::chrono::duration<double, std::milli>(steady::now() - t0).count());
      ++out.good;
      if (r.status == (k == 0 ? 200 : 201)) ++out.ok;
    }
  }
  stop = true;
  for (auto& h : hammers) h.join();
  out.bad = bad;
  out.p50_ms = percentile(ms, 0.50);
  out.p95_ms = percentile(ms, 0.95);
  out.p99_ms = percentile(ms, 0.99);
  out.max_ms = percentile(ms, 1.0);
  return out;
}

bench_result run(const options& opt) {
  bench_result r;
  testing::pg_cluster cluster{testing::pg_cluster::durability::durable};  // as in production
  const auto db_url = cluster.create_database();
  std::string toml = "[database]\nurl = \"";
  toml += db_url;
  toml += "\"\n\n[planner]\ninterval = \"24h\"\n\n[dispatcher]\ninterval = \"1h\"\n";
  testing::daemon_process d{toml};
  if (!d.start()) {
    r.failure = "rollcalld did not start:\n" + d.log();
    return r;
  }
  bench_token = d.admin_token();
  r.quiet = measure(d, opt.seconds, 0);
  r.loaded = measure(d, opt.seconds, opt.threads);
  r.ok = r.quiet.ok == r.quiet.good && r.loaded.ok == r.loaded.good && r.loaded.bad > 0;
  if (!r.ok) r.failure = "some good requests failed, or no bad request was sent\n";
  return r;
}

boost::json::object phase_json(const phase& p) {
  return {{"good_requests", p.good}, {"good_ok", p.ok},    {"bad_requests", p.bad}, {"p50_ms", p.p50_ms},
          {"p95_ms", p.p95_ms},      {"p99_ms", p.p99_ms}, {"max_ms", p.max_ms}};
}

boost::json::object to_json(const options& opt, const bench_result& r) {
  return {{"date", bench::date_string()}, {"seconds_per_phase", opt.seconds}, {"threads", opt.threads},
          {"quiet", phase_json(r.quiet)}, {"loaded", phase_json(r.loaded)},   {"ok", r.ok}};
}

void print_phase(const char* name, const phase& p) {
  std::cout << "  " << name << ": " << p.good << " good requests (" << p.ok << " ok), " << p.bad
            << " bad requests; good latency p50 " << p.p50_ms << " ms, p95 " << p.p95_ms << " ms, p99 " << p.p99_ms
            << " ms, max " << p.max_ms << " ms\n";
}

void print_report(const options& opt, const bench_result& r) {
  std::cout << "hostile load bench (" << opt.seconds << " s per phase, " << opt.threads << " bad-load threads)\n";
  print_phase("quiet ", r.quiet);
  print_phase("loaded", r.loaded);
}

}  // namespace

int main(int argc, char** argv) {
  return rollcall::bench::bench_main("hostile load bench", argc, argv, parse_args, usage, run, to_json, print_report);
}
