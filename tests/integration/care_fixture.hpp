// Helpers for the care tests (episodes, placements, waitlist, conflicts, group edits,
// appointments, hours): a clinic whose [care] hours come from the test, dates relative to today
// at the site, and direct looks at the database the daemon writes.
#pragma once

#include <set>
#include <sstream>
#include <string>

#include <pqxx/pqxx>

#include "clinic_fixture.hpp"

namespace rollcall::testing {

namespace json = boost::json;
using namespace std::chrono_literals;

// A JSON value as text, to compare with a std::string (json::value has no such operator==).
inline std::string text(const json::value& v) {
  return v.is_string() ? std::string{v.get_string()} : json::serialize(v);
}

class care_test : public clinic_test {
 protected:
  // Care hours differ from the built-in defaults so that a test sees they come from the config.
  void start_clinic(const clinic_settings& s = {}) {
    db_url = shared_cluster().create_database();
    daemon = std::make_unique<daemon_process>(config_toml(s) +
                                              "\n[care]\nweekly_hours_php = 19\nweekly_hours_iop = 9\n"
                                              "weekly_hours_op = 2\nweekly_hours_aftercare = 1\n");
    ASSERT_TRUE(daemon->start()) << daemon->log();
  }

  static std::string path_of(const std::string& base, std::int64_t id, const std::string& rest = {}) {
    return base + "/" + std::to_string(id) + rest;
  }

  // Dates at the site, `n` days from today there.
  date::local_days today() const {
    return date::floor<date::days>(date::locate_zone(zone)->to_local(std::chrono::system_clock::now()));
  }
  std::string day(int n) const { return date::format("%F", today() + date::days{n}); }
  static date::local_days parse_day(const std::string& text) {
    std::istringstream in{text};
    date::local_days d;
    in >> date::parse("%F", d);
    return d;
  }
  static std::string weekday_name(date::local_days d) {
    static const char* names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    return names[date::weekday{d}.c_encoding()];
  }
  // The instant a local date and time at the site is, as the API writes it.
  std::string instant(date::local_days d, std::chrono::seconds time_of_day) const {
    return date::format("%FT%TZ", date::locate_zone(zone)->to_sys(date::local_seconds{d} + time_of_day));
  }

  std::int64_t new_site(const std::string& name = "Eastside") {
    return create("/v1/sites", {{"name", name}, {"time_zone", zone}});
  }

  // Sessions that start and end within minutes: a zone where that stays on today's local date
  // (and so in this week), whatever the hour the test runs at.
  void pick_zone() {
    using namespace std::chrono_literals;
    for (const char* z : {"America/Chicago", "Asia/Tokyo", "Europe/London", "Pacific/Honolulu"}) {
      const auto local = date::locate_zone(z)->to_local(std::chrono::system_clock::now());
      const auto time = local - date::floor<date::days>(local);
      if (time >= 30min && time <= 21h) {
        zone = z;
        return;
      }
    }
  }

  // A site whose week the attendance watch has started (it looks at every client in care there
  // once a week: before the test's clients exist, so that it does not see them half set up).
  std::int64_t open_site() {
    const auto site = new_site();
    EXPECT_TRUE(eventually([&] { return count("SELECT count(*) FROM rule_weeks") > 0; }, std::chrono::seconds{10}));
    return site;
  }
  std::int64_t new_staff(const std::string& name) {
    return create("/v1/staff", {{"name", name}, {"email", name + "@example.org"}});
  }
  std::int64_t new_client(const std::string& name, const std::string& phone) {
    return create("/v1/clients", {{"first_name", name}, {"phone", phone}});
  }
  // A group at `site` on `days` from `start` to `end` (local HH:MM), with extra fields.
  api_response post_group(std::int64_t site, json::array days, const std::string& start, const std::string& end,
                          json::object extra = {}) {
    extra["site_id"] = site;
    if (!extra.contains("name")) extra["name"] = "Group";
    extra["slot"] = "morning";
    extra["weekdays"] = std::move(days);
    extra["start_time"] = start;
    extra["end_time"] = end;
    return daemon->post("/v1/groups", extra);
  }
  std::int64_t new_group(std::int64_t site, json::array days, const std::string& start, const std::string& end,
                         json::object extra = {}) {
    auto res = post_group(site, std::move(days), start, end, std::move(extra));
    EXPECT_EQ(res.status, 201) << res.body;
    return res.status == 201 ? res.json().at("id").as_int64() : 0;
  }
  std::int64_t new_episode(std::int64_t client, std::int64_t site, std::int64_t counselor, const std::string& level,
                           const std::string& start_date) {
    return create("/v1/episodes", {{"client_id", client},
                                   {"site_id", site},
                                   {"counselor_id", counselor},
                                   {"level_of_care", level},
                                   {"start_date", start_date}});
  }
  api_response place(std::int64_t episode, std::int64_t group, json::object extra = {}) {
    extra["episode_id"] = episode;
    extra["group_id"] = group;
    return daemon->post("/v1/enrollments", extra);
  }
  json::object placement(std::int64_t id) const {
    auto res = daemon->get(path_of("/v1/enrollments", id));
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json().as_object();
  }
  json::array sessions_of(std::int64_t group) const {
    auto res = daemon->get(path_of("/v1/groups", group, "/sessions"));
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json().at("sessions").as_array();
  }
  // The group's session scheduled on `d`, once the planner has made it (null if it never does).
  json::object session_on(std::int64_t group, date::local_days d) const {
    json::object found;
    const auto want = date::format("%F", d);
    eventually(
        [&] {
          for (const auto& s : sessions_of(group))
            if (s.at("scheduled_date").as_string() == want) found = s.as_object();
          return !found.empty();
        },
        std::chrono::seconds{15});
    return found;
  }
  // Waits for one planner round after now: a group made now has its sessions.
  void wait_for_planner_round(std::int64_t site) {
    const auto barrier = new_group(site, json::array{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, "05:00", "05:10",
                                   {{"name", "Barrier"}});
    ASSERT_TRUE(eventually([&] { return !sessions_of(barrier).empty(); }, 15s));
  }
  json::array audit_of(const std::string& entity, std::int64_t id) const {
    auto res =
        daemon->get("/v1/audit?kind=change&entity=" + entity + "&entity_id=" + std::to_string(id) + "&limit=100");
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json().at("items").as_array();
  }
  // Bodies the provider sink received of a type ("reminder", "notice").
  std::vector<json::object> sent(const std::string& type) const {
    std::vector<json::object> out;
    for (const auto& r : sink.requests()) {
      auto body = json::parse(r.body).as_object();
      if (body.at("type") == type.c_str()) out.push_back(body);
    }
    return out;
  }

  std::string zone = "America/Chicago";
};

}  // namespace rollcall::testing
