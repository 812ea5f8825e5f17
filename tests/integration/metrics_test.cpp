// GET /metrics on the real binary: Prometheus text whose figures match what happened (requests
// by route and status, deliveries by channel, alerts raised and acknowledged, the due backlog)
// and carry no personal data; and log.format = "json".
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "clinic_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// "series{labels}" -> value, for every sample line of an exposition.
std::map<std::string, double> samples_of(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

double value(const std::map<std::string, double>& s, const std::string& series) {
  const auto it = s.find(series);
  return it == s.end() ? -1 : it->second;
}

class metrics_test : public clinic_test {
 protected:
  std::map<std::string, double> scrape() {
    const auto res = daemon->request("GET", "/metrics", {}, std::nullopt);  // no token needed
    EXPECT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.content_type.rfind("text/plain; version=0.0.4", 0), 0u) << res.content_type;
    last_text = res.body;
    return samples_of(res.body);
  }
  std::string last_text;
};

TEST_F(metrics_test, figures_match_the_requests_deliveries_and_alerts_that_happened) {
  start_daemon({.lead_times = R"(["1h", "10s"])",
                .grace = "2s",
                .alerts_extra = "consecutive_misses = 0\nmin_attendance_percent = 0\n"});
  const std::string zone = "America/Chicago";
  const auto start = starting_in(15s);
  const auto site = create("/v1/sites", {{"name", "Eastside"}, {"time_zone", zone}});
  const auto counselor =
      create("/v1/staff", {{"name", "Dana Counselor"}, {"alert_webhook_url", sink.url("/alerts/dana")}});
  const auto ana = create("/v1/clients", {{"first_name", "Anaïs"}, {"phone", "+15550001111"}});
  const auto ben = create("/v1/clients", {{"first_name", "Benedikt"}, {"email", "ben@example.org"}});
  ASSERT_EQ(daemon->post("/v1/clients", {{"first_name", ""}}).status, 422);
  ASSERT_EQ(daemon->get("/no/such/path").status, 404);
  daily_group_of(site, zone, start, 3s, {ana, ben}, counselor);

  // Two reminders, then nobody is marked: two missed-session alerts to the counselor.
  ASSERT_TRUE(sink.wait_for([](const auto& all) { return at(all, "/provider").size() >= 2; }, 90s)) << daemon->log();
  ASSERT_TRUE(sink.wait_for([](const auto& all) { return at(all, "/alerts/dana").size() >= 2; }, 90s)) << daemon->log();
  // Every delivery recorded before counting.
  ASSERT_TRUE(eventually(
      [&] {
        return count(
                   "SELECT count(*) FROM outbox WHERE status = 'sending' OR (status = 'pending' AND due_at <= "
                   "now())") == 0;
      },
      30s));

  auto s = scrape();
  EXPECT_EQ(value(s, "rollcall_ready"), 1);
  EXPECT_EQ(value(s, "rollcall_http_requests_total{method=\"POST\",route=\"/v1/clients\",status=\"201\"}"), 2);
  EXPECT_EQ(value(s, "rollcall_http_requests_total{method=\"POST\",route=\"/v1/clients\",status=\"422\"}"), 1);
  EXPECT_EQ(value(s, "rollcall_http_requests_total{method=\"POST\",route=\"/v1/enrollments\",status=\"201\"}"), 2);
  EXPECT_EQ(value(s, "rollcall_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}"), 1);
  EXPECT_EQ(value(s, "rollcall_http_request_duration_seconds_count{method=\"POST\",route=\"/v1/clients\"}"), 3);
  EXPECT_EQ(value(s, "rollcall_db_pool_size"), 2);
  const auto in_use = value(s, "rollcall_db_pool_connections{state=\"in_use\"}");
  const auto idle = value(s, "rollcall_db_pool_connections{state=\"idle\"}");
  EXPECT_GE(in_use, 0);
  EXPECT_GE(idle, 0);
  EXPECT_GE(in_use + idle, 1) << "the scrape itself opened one";
  EXPECT_LE(in_use + idle, 2);
  EXPECT_GT(value(s, "process_resident_memory_bytes"), 1e6);
  EXPECT_GT(value(s, "process_start_time_seconds"), 1.7e9);
  EXPECT_TRUE(std::regex_search(last_text, std::regex{R"(rollcall_build_info\{version="[0-9]+\.[0-9]+\.[0-9]+"\} 1)"}))
      << last_text;

  // Deliveries: by channel, as the outbox has them (this one instance made every attempt).
  int accepted_total = 0;
  for (const std::string channel : {"sms", "email", "webhook"}) {
    const int delivered =
        count("SELECT count(*) FROM outbox WHERE status = 'delivered' AND channel = '" + channel + "'");
    accepted_total += delivered;
    const std::string labels = "channel=\"" + channel + "\"";
    EXPECT_EQ(value(s, "rollcall_messages{" + labels + ",status=\"delivered\"}"), delivered == 0 ? -1 : delivered)
        << channel << "\n"
        << last_text;
    EXPECT_EQ(value(s, "rollcall_delivery_attempts_total{" + labels + ",result=\"accepted\"}"),
              delivered == 0 ? -1 : delivered)
        << channel;
    if (delivered) {
      EXPECT_EQ(value(s, "rollcall_delivery_latency_seconds_count{" + labels + "}"), delivered);
      EXPECT_EQ(value(s, "rollcall_delivery_retries_total{" + labels + "}"), 0);
    }
  }
  EXPECT_GE(accepted_total, 4) << "two reminders and two alerts";
  EXPECT_EQ(value(s, "rollcall_messages{channel=\"sms\",status=\"delivered\"}"), 1);
  EXPECT_EQ(value(s, "rollcall_messages{channel=\"email\",status=\"delivered\"}"), 1);
  EXPECT_EQ(value(s, "rollcall_outbox_due"), 0);
  EXPECT_EQ(value(s, "rollcall_outbox_oldest_due_age_seconds"), 0);

  // Alerts: raised (a counter) and unacknowledged (a gauge), as the database has them.
  EXPECT_EQ(count("SELECT count(*) FROM alerts WHERE kind = 'missed_session'"), 2);
  EXPECT_EQ(value(s, "rollcall_alerts_raised_total{kind=\"missed_session\"}"), 2);
  EXPECT_EQ(value(s, "rollcall_alerts_unacknowledged{kind=\"missed_session\"}"), 2);
  const auto alert_id = std::stoll(scalar("SELECT min(id) FROM alerts"));
  const auto ack = daemon->post("/v1/alerts/" + std::to_string(alert_id) + "/acknowledge", {{"staff_id", counselor}});
  ASSERT_EQ(ack.status, 200) << ack.body;
  s = scrape();
  EXPECT_EQ(value(s, "rollcall_alerts_raised_total{kind=\"missed_session\"}"), 2);
  EXPECT_EQ(value(s, "rollcall_alerts_unacknowledged{kind=\"missed_session\"}"), 1);
  EXPECT_EQ(value(s, "rollcall_http_requests_total{method=\"GET\",route=\"/metrics\",status=\"200\"}"), 1)
      << "the first scrape is counted once it is answered";

  // Nothing personal: no name, phone number or address.
  for (const char* pii : {"Ana", "Benedikt", "Dana", "+1555", "example.org", "Eastside"})
    EXPECT_EQ(last_text.find(pii), std::string::npos) << pii;
}

TEST_F(metrics_test, the_due_backlog_and_its_age_show_while_no_provider_takes_messages) {
  // No provider: reminders wait in the outbox, due.
  start_daemon({.lead_times = R"(["1h"])", .webhook_delivery = false});
  const auto enrolled = enrol_one_client();  // a late enrolment gets its reminder now
  (void)enrolled;
  ASSERT_TRUE(eventually(
      [&] { return count("SELECT count(*) FROM outbox WHERE status = 'pending' AND due_at <= now()") >= 1; }, 30s));
  std::this_thread::sleep_for(2s);
  const auto s = scrape();
  const int due = count("SELECT count(*) FROM outbox WHERE status = 'pending' AND due_at <= now()");
  EXPECT_EQ(value(s, "rollcall_outbox_due"), due);
  const double oldest = std::stod(scalar("SELECT extract(epoch FROM now() - min(due_at)) FROM outbox"));
  EXPECT_GE(value(s, "rollcall_outbox_oldest_due_age_seconds"), 2);
  EXPECT_LE(value(s, "rollcall_outbox_oldest_due_age_seconds"), oldest + 0.5);
  for (const std::string channel : {"sms", "email", "webhook"}) {
    const int pending = count("SELECT count(*) FROM outbox WHERE status = 'pending' AND channel = '" + channel + "'");
    EXPECT_EQ(value(s, "rollcall_messages{channel=\"" + channel + "\",status=\"pending\"}"),
              pending == 0 ? -1 : pending)
        << channel << "\n"
        << last_text;
  }
  EXPECT_GE(value(s, "rollcall_messages{channel=\"sms\",status=\"pending\"}"), 1);
  EXPECT_EQ(value(s, "rollcall_delivery_attempts_total{channel=\"sms\",result=\"accepted\"}"), -1) << "none made";
}

TEST_F(clinic_test, json_log_lines_are_one_object_each_with_time_level_and_message) {
  db_url = shared_cluster().create_database();
  auto toml = config_toml({});
  const std::string level = "[log]\nlevel = \"debug\"\n";
  const auto at_log = toml.find(level);
  ASSERT_NE(at_log, std::string::npos);
  toml.replace(at_log, level.size(), level + "format = \"json\"\n");
  daemon = std::make_unique<daemon_process>(toml);
  ASSERT_TRUE(daemon->start()) << daemon->log();
  ASSERT_EQ(daemon->post("/v1/sites", {{"name", "A \"quoted\"\tname"}, {"time_zone", "UTC"}}).status, 201);
  daemon->stop(SIGTERM);

  std::istringstream in{daemon->log()};
  std::string line;
  int lines = 0;
  bool listening = false, stopped = false;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ++lines;
    json::value v;
    ASSERT_NO_THROW(v = json::parse(line)) << line;
    const auto& o = v.as_object();
    ASSERT_EQ(o.size(), 3u) << line;
    EXPECT_TRUE(std::regex_match(std::string{o.at("time").as_string()},
                                 std::regex{R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)"}))
        << line;
    const std::string lvl{o.at("level").as_string()};
    EXPECT_TRUE(lvl == "debug" || lvl == "info" || lvl == "warning" || lvl == "error") << line;
    const std::string msg{o.at("message").as_string()};
    listening = listening || msg.rfind("listening on ", 0) == 0;
    stopped = stopped || msg == "rollcalld stopped";
  }
  EXPECT_GT(lines, 3);
  EXPECT_TRUE(listening) << daemon->log();
  EXPECT_TRUE(stopped) << daemon->log();
}

}  // namespace
}  // namespace rollcall::testing
