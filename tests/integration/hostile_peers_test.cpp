// Hostile providers on the real binary: beside a healthy provider, one that accepts and never
// answers, answers a byte a second, sends a 100 MB or an endless body, or resets connections.
// The healthy provider's messages go out while the hostile ones are stuck, every hostile
// delivery ends as a failed attempt with a retry (not a hang), and rollcalld's memory stays
// bounded (VmRSS/VmHWM from /proc).
#include <fstream>
#include <iostream>
#include <sstream>

#include "clinic_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using kind = scripted_reply::kind;

struct memory_use {
  long rss_kb = 0;  // VmRSS
  long hwm_kb = 0;  // VmHWM: the peak so far
};

memory_use memory_of(pid_t pid) {
  memory_use m;
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields{line};
    std::string name;
    long kb = 0;
    fields >> name >> kb;
    if (name == "VmRSS:") m.rss_kb = kb;
    if (name == "VmHWM:") m.hwm_kb = kb;
  }
  return m;
}

struct hostile_case {
  std::string name;
  scripted_reply reply;
  bool reset_on_accept = false;
  // What the first attempt records: an error (status null) or the status the peer sent.
  std::string error;  // "timeout"; "" with status 0: any network error but a timeout
  int status = 0;
  // The peer holds each delivery until the deadline: the healthy provider's messages must all
  // be delivered before any hostile attempt ends.
  bool holds_until_deadline = false;
};

void PrintTo(const hostile_case& c, std::ostream* os) { *os << c.name; }

scripted_reply reply(kind k, int status = 200, std::size_t size = 100u << 20) {
  scripted_reply r;
  r.what = k;
  r.status = status;
  r.huge_size = size;
  return r;
}

constexpr int hostile_clients = 4;  // the hostile provider's concurrency: all in flight at once
constexpr int healthy_clients = 8;
constexpr long memory_bound_kb = 32 * 1024;

class hostile_peers_test : public clinic_test, public ::testing::WithParamInterface<hostile_case> {
 protected:
  void start() {
    clinic_settings s;
    s.webhook_delivery = false;
    s.lead_times = R"(["1h"])";  // a session 30 min away: its reminder goes out at once
    s.http_timeout = "8s";
    s.lease = "60s";
    // SMS go to the hostile provider, email to the healthy one.
    s.extra_toml = "[[providers]]\nname = \"slow\"\ntype = \"webhook\"\nchannels = [\"sms\"]\nurl = \"" +
                   hostile.url("/slow") + "\"\nsecret = \"" + provider_secret +
                   "\"\nallow_http = true\nconcurrency = 4\n\n[[providers]]\nname = \"fine\"\ntype = "
                   "\"webhook\"\nchannels = [\"email\"]\nurl = \"" +
                   sink.url("/fine") + "\"\nsecret = \"" + provider_secret + "\"\nallow_http = true\n\n";
    start_daemon(s);
  }

  // Clients reached by SMS (phone) or email, in a daily group starting 30 min from now.
  std::vector<std::int64_t> clients_in_a_group(std::int64_t site, std::int64_t counselor, int n, bool sms,
                                               const std::string& name) {
    std::vector<std::int64_t> ids;
    for (int i = 0; i < n; ++i) {
      json::object c{{"first_name", "C" + std::to_string(i)}};
      if (sms)
        c["phone"] = "+1555000" + std::to_string(1000 + i);
      else
        c["email"] = "c" + std::to_string(i) + "@example.org";
      ids.push_back(create("/v1/clients", c));
    }
    const auto start = starting_in(30min);
    const auto group = create("/v1/groups", {{"site_id", site},
                                             {"name", name},
                                             {"slot", "evening"},
                                             {"weekdays", every_day},
                                             {"start_time", local_time("UTC", start)},
                                             {"end_time", local_end("UTC", start)}});
    for (auto client : ids)
      create("/v1/enrollments", {{"client_id", client},
                                 {"group_id", group},
                                 {"counselor_id", counselor},
                                 {"start_date", local_date("UTC", start - 24h)}});
    return ids;
  }

  static std::string in_list(const std::vector<std::int64_t>& ids) {
    std::string s;
    for (auto id : ids) s += (s.empty() ? "" : ",") + std::to_string(id);
    return "(" + s + ")";
  }

  webhook_sink hostile;
};

TEST_P(hostile_peers_test, healthy_deliveries_go_on_and_hostile_ones_fail_with_a_retry_in_bounded_memory) {
  const auto& param = GetParam();
  hostile.set_default_reply(param.reply);
  hostile.set_reset_on_accept(param.reset_on_accept);
  start();
  const auto site = create("/v1/sites", {{"name", "Eastside"}, {"time_zone", "UTC"}});
  const auto counselor = create("/v1/staff", {{"name", "Dana"}, {"email", "dana@example.org"}});
  const auto before = memory_of(daemon->pid());

  const auto bad = clients_in_a_group(site, counselor, hostile_clients, true, "Early");
  const std::string bad_now = "o.client_id IN " + in_list(bad) + " AND o.due_at < now() + interval '1 hour'";
  // The hostile deliveries are under way (or, for a reset on accept, have been tried).
  ASSERT_TRUE(eventually([&] { return hostile.connections_accepted() >= 1; }, 30s)) << daemon->log();

  const auto good = clients_in_a_group(site, counselor, healthy_clients, false, "Late");
  const std::string good_now = "o.client_id IN " + in_list(good) + " AND o.due_at < now() + interval '1 hour'";
  ASSERT_TRUE(eventually(
      [&] {
        return count("SELECT count(*) FROM outbox o WHERE status = 'delivered' AND " + good_now) == healthy_clients;
      },
      60s))
      << daemon->log();
  if (param.holds_until_deadline) {
    // Not serialised behind the slow peer: delivered while every hostile attempt still runs.
    EXPECT_EQ(count("SELECT count(*) FROM delivery_attempts a JOIN outbox o ON o.id = a.outbox_id WHERE " + bad_now),
              0);
  }
  EXPECT_EQ(at(sink.requests(), "/fine").size(), static_cast<std::size_t>(healthy_clients));

  // Every hostile delivery ends as a failed attempt, and the message waits for its retry.
  ASSERT_TRUE(eventually(
      [&] {
        return count("SELECT count(*) FROM outbox o WHERE attempts >= 1 AND status = 'pending' AND " + bad_now) ==
               hostile_clients;
      },
      60s))
      << daemon->log();
  pqxx::connection c{db_url};
  pqxx::read_transaction tx{c};
  const auto rows = tx.exec(
      "SELECT a.http_status, coalesce(a.error, ''), a.elapsed_ms FROM delivery_attempts a JOIN outbox o ON o.id = "
      "a.outbox_id WHERE " +
      bad_now + " ORDER BY a.id");
  ASSERT_GE(rows.size(), static_cast<std::size_t>(hostile_clients));
  for (const auto& row : rows) {
    const auto error = row[1].as<std::string>();
    if (param.status != 0) {
      EXPECT_EQ(row[0].as<int>(0), param.status) << error;
    } else {
      EXPECT_TRUE(row[0].is_null()) << row[0].c_str();
      if (param.error.empty()) {
        EXPECT_FALSE(error.empty());
        EXPECT_NE(error, "timeout");
      } else {
        EXPECT_EQ(error, param.error);
      }
    }
    // No attempt outlives its deadline (8 s, plus scheduling slack).
    EXPECT_LT(row[2].as<int>(), 10'000);
  }

  // rollcalld's memory: a 100 MB or endless body is cut at the response body limit.
  const auto after = memory_of(daemon->pid());
  std::cout << "[hostile " << param.name << "] VmRSS before " << before.rss_kb << " kB, after " << after.rss_kb
            << " kB; VmHWM " << after.hwm_kb << " kB; hostile peer wrote " << hostile.bytes_written()
            << " bytes; healthy delivered " << healthy_clients << ", hostile attempts " << rows.size() << "\n";
  EXPECT_LT(after.hwm_kb - before.rss_kb, memory_bound_kb);
  EXPECT_LT(after.rss_kb - before.rss_kb, memory_bound_kb);
  if (param.reply.what == kind::huge_body || param.reply.what == kind::endless_chunked) {
    // rollcalld stopped reading early: each attempt took at most what the socket buffers hold.
    EXPECT_LT(hostile.bytes_written(), rows.size() * (std::size_t{20} << 20));
  }
}

INSTANTIATE_TEST_SUITE_P(
    peers, hostile_peers_test,
    ::testing::Values(hostile_case{"hang", reply(kind::hang), false, "timeout", 0, true},
                      hostile_case{"trickled_headers", reply(kind::trickle_headers, 200, 100), false, "timeout", 0,
                                   true},
                      hostile_case{"trickled_body", reply(kind::trickle_body, 200, 1000), false, "timeout", 0, true},
                      hostile_case{"huge_body", reply(kind::huge_body, 503), false, "", 503, false},
                      hostile_case{"endless_chunked_body", reply(kind::endless_chunked, 503), false, "", 503, false},
                      hostile_case{"reset_after_accept", reply(kind::respond), true, "", 0, false},
                      hostile_case{"reset_after_the_request", reply(kind::reset), false, "", 0, false},
                      hostile_case{"reset_mid_response", reply(kind::reset_mid_response, 200), false, "", 0, false}),
    [](const ::testing::TestParamInfo<hostile_case>& info) { return info.param.name; });

}  // namespace
}  // namespace rollcall::testing
