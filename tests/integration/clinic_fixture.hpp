// A test clinic: a fresh database on the shared test cluster, a webhook sink, and a rollcalld
// configured with second-scale intervals, plus helpers to build the thin path over the API.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <date/tz.h>
#include <gtest/gtest.h>

#include "daemon_process.hpp"
#include "pg_cluster.hpp"
#include "webhook_sink.hpp"

namespace rollcall::testing {

inline constexpr const char* provider_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
inline constexpr const char* alert_secret = "whsec_c2VjcmV0LWZvci1zdGFmZi1hbGVydHMtMTIzNA==";

struct clinic_settings {
  std::string lead_times = R"(["1h", "10s"])";
  std::string grace = "2s";
  std::string provider_url;  // empty: this fixture's plain-HTTP sink
  std::string ca_file;       // delivery.ca_file
};

class clinic_test : public ::testing::Test {
 protected:
  void start_daemon(const clinic_settings& s = {}) {
    db_url = shared_cluster().create_database();
    daemon = std::make_unique<daemon_process>(config_toml(s));
    ASSERT_TRUE(daemon->start()) << daemon->log();
  }

  std::string config_toml(const clinic_settings& s) const {
    return "[database]\nurl = \"" + db_url + "\"\npool_size = 2\n\n" +
           "[api]\ntoken = \"test-token\"\n\n"
           "[planner]\ninterval = \"1s\"\nhorizon = \"2d\"\nreminder_lead_times = " +
           s.lead_times + "\n\n" +
           "[dispatcher]\ninterval = \"200ms\"\nhttp_timeout = \"2s\"\nlease = \"30s\"\n\n"
           "[delivery]\nwebhook_url = \"" +
           (s.provider_url.empty() ? sink.url("/provider") : s.provider_url) + "\"\nwebhook_secret = \"" +
           provider_secret + "\"\nallow_http = true\nca_file = \"" + s.ca_file +
           "\"\n\n"
           "[alerts]\nwebhook_secret = \"" +
           alert_secret +
           "\"\n\n"
           "[attendance]\ngrace = \"" +
           s.grace + "\"\nsweep_interval = \"500ms\"\n\n[log]\nlevel = \"debug\"\n";
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
