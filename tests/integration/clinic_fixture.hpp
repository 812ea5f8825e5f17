// A test clinic: a fresh database on the shared test cluster, a webhook sink, and a rollcalld
// configured with second-scale intervals, plus helpers to build the thin path over the API.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <date/tz.h>
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "daemon_process.hpp"
#include "pg_cluster.hpp"
#include "rollcall/delivery/signing.hpp"
#include "webhook_sink.hpp"

namespace rollcall::testing {

inline constexpr const char* provider_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
inline constexpr const char* alert_secret = "whsec_c2VjcmV0LWZvci1zdGFmZi1hbGVydHMtMTIzNA==";

struct clinic_settings {
  std::string lead_times = R"(["1h", "10s"])";
  std::string grace = "2s";         // attendance.grace: unmarked on the roster
  std::string absent_after = "2s";  // attendance.absent_after: after the end, unmarked -> absent
  std::string provider_url;         // empty: this fixture's plain-HTTP sink
  std::string ca_file;              // delivery.ca_file
  // Tests schedule sessions at any hour of the day: quiet hours are off unless a test sets
  // its own [quiet_hours] in extra_toml.
  bool quiet_hours = false;
  std::string dispatcher_interval = "200ms";
  std::string dispatcher_extra;  // more [dispatcher] keys, e.g. "max_attempts = 3\n"
  std::string extra_toml;        // appended: [[providers]], [[reminder_rules]], ...
  std::string attendance_extra;  // more [attendance] keys, e.g. "sms_checkin = true\n"
  std::string alerts_extra;      // more [alerts] keys, e.g. "escalate_after = \"3s\"\n"
  // The weekly-hours rule alerts about most test timetables (an hour a day is short of 9 a
  // week): off unless a test is about it.
  bool hours_at_risk = false;
  bool webhook_delivery = true;  // false: no delivery.webhook_url (providers come from extra_toml)
  // Settings the fixture writes itself (so extra keys cannot repeat them): the load tests raise
  // them for several instances sharing work on two cores.
  std::string http_timeout = "2s";  // dispatcher.http_timeout
  std::string lease = "30s";        // dispatcher.lease
  std::string planner_interval = "1s";
  int pool_size = 2;  // database.pool_size
  // Every test calls from 127.0.0.1: floods of failed sign-ins (web_auth_test) must not meet the
  // failed-authentication limit unless a test is about it (api_tokens_test).
  int auth_failure_limit = 1000;
  std::string auth_failure_window = "1m";
};

// Whether `r` carries a valid Standard Webhooks signature made with `secret`.
inline bool signed_with(const received_request& r, const char* secret) {
  const auto key = delivery::decode_webhook_secret(secret);
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  return key && r.headers.count("webhook-id") && r.headers.count("webhook-timestamp") &&
         r.headers.count("webhook-signature") &&
         delivery::verify_webhook(*key, r.headers.at("webhook-id"), r.headers.at("webhook-timestamp"), r.body,
                                  r.headers.at("webhook-signature"), now.count());
}

// The requests among `all` made to `target`.
inline std::vector<received_request> at(const std::vector<received_request>& all, const std::string& target) {
  std::vector<received_request> out;
  for (const auto& r : all)
    if (r.target == target) out.push_back(r);
  return out;
}

// The fields a problem+json answer names in "errors".
inline std::set<std::string> fields_of(const api_response& r) {
  std::set<std::string> out;
  const auto body = r.json();
  if (const auto* errs = body.as_object().if_contains("errors"))
    for (const auto& e : errs->as_array()) out.insert(std::string{e.at("field").as_string()});
  return out;
}

inline const boost::json::array every_day{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

class clinic_test : public ::testing::Test {
 protected:
  api_response patch(const std::string& path, const boost::json::object& body) const {
    return daemon->request("PATCH", path, boost::json::serialize(body));
  }
  api_response put(const std::string& path, const boost::json::object& body) const {
    return daemon->request("PUT", path, boost::json::serialize(body));
  }
  // Every id of a list, page by page (limit `limit`); `between` runs after each page.
  std::vector<std::int64_t> all_ids(const std::string& path, int limit, const std::function<void()>& between = {}) {
    std::vector<std::int64_t> ids;
    std::string cursor;
    for (int pages = 0; pages < 100; ++pages) {
      const auto sep = path.find('?') == std::string::npos ? "?" : "&";
      auto res =
          daemon->get(path + sep + "limit=" + std::to_string(limit) + (cursor.empty() ? "" : "&cursor=" + cursor));
      EXPECT_EQ(res.status, 200) << res.body;
      if (res.status != 200) break;
      const auto body = res.json();
      const auto& items = body.at("items").as_array();
      EXPECT_LE(static_cast<int>(items.size()), limit);
      for (const auto& i : items) ids.push_back(i.at("id").as_int64());
      if (body.at("next_cursor").is_null()) break;
      cursor = std::string{body.at("next_cursor").as_string()};
      if (between) between();
    }
    return ids;
  }
  // Direct looks at (and changes to) the database the daemon writes.
  int count(const std::string& query) const {
    pqxx::connection c{db_url};
    pqxx::read_transaction tx{c};
    return tx.exec1(query)[0].as<int>();
  }
  // The first column of the first row `query` returns, as text ("" for NULL or no row).
  std::string scalar(const std::string& query) const {
    pqxx::connection c{db_url};
    pqxx::read_transaction tx{c};
    const auto rows = tx.exec(query);
    return rows.empty() || rows[0][0].is_null() ? std::string{} : rows[0][0].as<std::string>();
  }
  void sql(const std::string& statement) const {
    pqxx::connection c{db_url};
    pqxx::work tx{c};
    tx.exec0(statement);
    tx.commit();
  }

  void start_daemon(const clinic_settings& s = {}) {
    db_url = shared_cluster().create_database();
    daemon = std::make_unique<daemon_process>(config_toml(s));
    ASSERT_TRUE(daemon->start()) << daemon->log();
  }

  std::string config_toml(const clinic_settings& s) const {
    return "[database]\nurl = \"" + db_url + "\"\npool_size = " + std::to_string(s.pool_size) + "\n\n" +
           "[api]\nauth_failure_limit = " + std::to_string(s.auth_failure_limit) + "\nauth_failure_window = \"" +
           s.auth_failure_window + "\"\n\n" + "[planner]\ninterval = \"" + s.planner_interval +
           "\"\nhorizon = \"2d\"\nreminder_lead_times = " + s.lead_times + "\n\n" + "[dispatcher]\ninterval = \"" +
           s.dispatcher_interval + "\"\nhttp_timeout = \"" + s.http_timeout + "\"\nlease = \"" + s.lease + "\"\n" +
           s.dispatcher_extra + "\n" + (s.quiet_hours ? "" : "[quiet_hours]\nenabled = false\n\n") +
           "[delivery]\nwebhook_url = \"" +
           (!s.webhook_delivery      ? ""
            : s.provider_url.empty() ? sink.url("/provider")
                                     : s.provider_url) +
           "\"\nwebhook_secret = \"" + provider_secret + "\"\nallow_http = true\nca_file = \"" + s.ca_file +
           "\"\n\n"
           "[alerts]\nwebhook_secret = \"" +
           alert_secret + "\"\nhours_at_risk = " + (s.hours_at_risk ? "true" : "false") + "\n" + s.alerts_extra +
           "\n"
           "[attendance]\ngrace = \"" +
           s.grace + "\"\nabsent_after = \"" + s.absent_after + "\"\nsweep_interval = \"500ms\"\n" +
           s.attendance_extra + "\n[log]\nlevel = \"debug\"\n\n" + s.extra_toml;
  }

  // A session start `ahead` from now, to the second (group times may carry seconds).
  static std::chrono::sys_seconds starting_in(std::chrono::seconds ahead) {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + ahead;
  }

  static std::string iso_now() {
    return date::format("%FT%TZ", std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  }

  // The local time of day of `t` in `zone`, as the API takes it: "HH:MM:SS".
  static std::string local_time(const std::string& zone, std::chrono::sys_seconds t) {
    return date::format("%T", date::locate_zone(zone)->to_local(t));
  }
  // An end time for a group starting at `start`: an hour later, or 23:59:59 at the latest
  // (groups end the day they start).
  static std::string local_end(const std::string& zone, std::chrono::sys_seconds start) {
    const auto a = local_time(zone, start), b = local_time(zone, start + std::chrono::hours{1});
    return b > a ? b : std::string{"23:59:59"};
  }
  static std::string local_date(const std::string& zone, std::chrono::sys_seconds t) {
    return date::format("%F", date::floor<date::days>(date::locate_zone(zone)->to_local(t)));
  }

  struct enrolled {
    std::int64_t client, group;
  };
  // One site, counselor (reached by email), client (by SMS), daily group and enrolment, whose
  // next session starts 20 s from now.
  enrolled enrol_one_client(const std::string& zone = "UTC") {
    const auto start = starting_in(std::chrono::seconds{20});
    const auto site = create("/v1/sites", {{"name", "Site"}, {"time_zone", zone}});
    const auto counselor = create("/v1/staff", {{"name", "C"}, {"email", "c@example.org"}});
    const auto client = create("/v1/clients", {{"first_name", "Kim"}, {"phone", "+15550009999"}});
    const auto group =
        create("/v1/groups", {{"site_id", site},
                              {"name", "G"},
                              {"slot", "afternoon"},
                              {"weekdays", boost::json::array{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                              {"start_time", local_time(zone, start)},
                              {"end_time", "23:59"}});
    create("/v1/enrollments", {{"client_id", client},
                               {"group_id", group},
                               {"counselor_id", counselor},
                               {"start_date", local_date(zone, start - std::chrono::hours{24})}});
    return {client, group};
  }

  // A group meeting every day at `start` (site-local) for `length`, with `clients` placed in it
  // since yesterday under `counselor`.
  std::int64_t daily_group_of(std::int64_t site, const std::string& zone, std::chrono::sys_seconds start,
                              std::chrono::seconds length, const std::vector<std::int64_t>& clients,
                              std::int64_t counselor) {
    const auto group =
        create("/v1/groups", {{"site_id", site},
                              {"name", "Evening track"},
                              {"slot", "evening"},
                              {"weekdays", boost::json::array{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                              {"start_time", local_time(zone, start)},
                              {"end_time", local_time(zone, start + length)}});
    for (auto client : clients)
      create("/v1/enrollments", {{"client_id", client},
                                 {"group_id", group},
                                 {"counselor_id", counselor},
                                 {"start_date", local_date(zone, start - std::chrono::hours{24})}});
    return group;
  }

  std::int64_t create(const std::string& path, const boost::json::object& body) {
    auto res = daemon->post(path, body);
    EXPECT_EQ(res.status, 201) << path << ": " << res.body;
    return res.json().as_object().at("id").as_int64();
  }

  // The id of the group's session starting at `start`, once the planner has made it.
  std::int64_t session_at(std::int64_t group_id, std::chrono::sys_seconds start) {
    const auto want = date::format("%FT%TZ", start);
    std::int64_t found = 0;
    eventually(
        [&] {
          auto res = daemon->get("/v1/groups/" + std::to_string(group_id) + "/sessions");
          if (res.status != 200) return false;
          const auto body = res.json();
          for (const auto& s : body.at("sessions").as_array())
            if (s.at("starts_at").as_string() == want) found = s.at("id").as_int64();
          return found != 0;
        },
        std::chrono::seconds{10});
    return found;
  }

  webhook_sink sink;
  std::string db_url;
  std::unique_ptr<daemon_process> daemon;
};

}  // namespace rollcall::testing
