// The staff web page end to end: the real rollcalld and PostgreSQL, a clinic seeded through the
// token API (a site, a counselor and a front desk login, clients, two sessions today), then
// driver.mjs in headless Chromium (tests/e2e/run.sh sets ROLLCALL_E2E_DRIVER): sign in, mark
// attendance on a roster with undo and redo, watch Today's counts change, acknowledge the
// missed-session alert that the absence raises, the client and group views, a forged
// cross-site request refused, sign-out; the front desk sees no message text. Afterwards the
// database must hold what the browser did.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "care_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* counselor_password = "a long counselor passphrase";
constexpr const char* desk_password = "a long front desk passphrase";
constexpr const char* ack_note = "Called Cy: unwell today, back on Monday";

class web_e2e_test : public care_test {
 protected:
  std::int64_t client_in_care(const std::string& name, std::int64_t site, std::int64_t counselor) {
    const auto client = create("/v1/clients", {{"first_name", name}, {"email", name + "@example.org"}});
    episode_of[client] = create("/v1/episodes", {{"client_id", client},
                                                 {"site_id", site},
                                                 {"counselor_id", counselor},
                                                 {"level_of_care", "iop"},
                                                 {"start_date", day(-14)}});
    return client;
  }

  // A group meeting today only, from `start` for `length`, with the clients' open episodes
  // placed in it; the id of today's session, once the planner has made it.
  std::pair<std::int64_t, std::int64_t> session_today(std::int64_t site, const std::string& name,
                                                      std::chrono::sys_seconds start, std::chrono::seconds length,
                                                      const std::vector<std::int64_t>& clients) {
    const auto group = new_group(site, json::array{weekday_name(today())}, local_time(zone, start),
                                 local_time(zone, start + length), {{"name", name}, {"room", "Room 2"}});
    for (auto client : clients) {
      auto res = place(episode_of.at(client), group, {{"start_date", day(0)}});
      EXPECT_EQ(res.status, 201) << res.body;
    }
    const auto s = session_on(group, today());
    return {group, s.empty() ? 0 : s.at("id").as_int64()};
  }

  void login(std::int64_t staff, const std::string& username, const char* password, const std::string& role,
             std::int64_t site) {
    auto res = put(path_of("/v1/staff", staff, "/login"),
                   {{"username", username}, {"password", password}, {"role", role}, {"site_ids", json::array{site}}});
    ASSERT_EQ(res.status, 200) << res.body;
  }

  // The latest mark of each client at a session: status, minutes ("" when none), marked_by.
  std::map<std::int64_t, std::vector<std::string>> latest_marks(std::int64_t session) const {
    pqxx::connection c{db_url};
    pqxx::read_transaction tx{c};
    std::map<std::int64_t, std::vector<std::string>> out;
    for (const auto& r : tx.exec("SELECT DISTINCT ON (client_id) client_id, status, coalesce(minutes::text, ''),"
                                 " marked_by FROM attendance_marks WHERE session_id = " +
                                 std::to_string(session) + " ORDER BY client_id, id DESC"))
      out[r[0].as<std::int64_t>()] = {r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>()};
    return out;
  }

  // Runs the driver to completion; its output goes to stdout (ctest keeps it).
  int run_driver(const std::string& driver, const json::object& plan) {
    const auto log = daemon->dir() / "driver.log";
    ::setenv("ROLLCALL_URL", ("http://127.0.0.1:" + std::to_string(daemon->port())).c_str(), 1);
    ::setenv("ROLLCALL_E2E_PLAN", json::serialize(plan).c_str(), 1);
    // A hung browser must not hang the test: the driver has 8 minutes.
    const auto command = "timeout -k 10 480 node '" + driver + "' > '" + log.string() + "' 2>&1";
    const int status = std::system(command.c_str());
    std::ifstream in{log};
    std::cout << "---- driver.mjs ----\n" << in.rdbuf() << "---- end of driver.mjs ----" << std::endl;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  std::map<std::int64_t, std::int64_t> episode_of;  // client -> their open episode
};

TEST_F(web_e2e_test, staff_sign_in_mark_attendance_acknowledge_an_alert_and_sign_out_in_chromium) {
  const char* driver = std::getenv("ROLLCALL_E2E_DRIVER");
  ASSERT_TRUE(driver && *driver) << "run this through tests/e2e/run.sh (ctest -R web_e2e): it installs "
                                    "playwright-core and axe-core and sets ROLLCALL_E2E_DRIVER";
  const auto test_started = std::chrono::steady_clock::now();
  pick_zone();
  // Only the missed-session rule: an absence on a session that is over raises its alert within
  // a sweep (500 ms); a session is closed 1 s after its end.
  start_clinic({.lead_times = R"(["1h"])",
                .grace = "1s",
                .absent_after = "1s",
                .alerts_extra = "consecutive_misses = 0\nmin_attendance_percent = 0\nescalate_after = \"0s\"\n"});
  const auto site = open_site();
  const auto dana = create("/v1/staff", {{"name", "Dana Reyes"}, {"email", "dana@example.org"}});
  const auto finn = create("/v1/staff", {{"name", "Finn Moss"}, {"email", "finn@example.org"}});
  login(dana, "dana", counselor_password, "counselor", site);
  login(finn, "finn.desk", desk_password, "front_desk", site);

  const auto ana = client_in_care("Ana", site, dana);
  const auto ben = client_in_care("Ben", site, dana);
  const auto cy = client_in_care("Cy", site, dana);
  const auto dee = client_in_care("Dee", site, dana);
  const auto eve = client_in_care("Eve", site, dana);

  // P: a short session that is over before the browser opens it. Its clients are marked
  // excused at once (so the close records nobody absent and raises nothing); the browser then
  // changes the marks, and the one marked absent raises a missed-session alert.
  const auto p_start = starting_in(30s);
  const auto [p_group, p] = session_today(site, "Morning check-in", p_start, 2s, {ana, ben, cy});
  ASSERT_NE(p, 0) << daemon->log();
  for (auto client : {ana, ben, cy}) {
    auto res = daemon->post(path_of("/v1/sessions", p, "/attendance"),
                            {{"client_id", client}, {"status", "excused"}, {"reason", "seeded"}});
    ASSERT_EQ(res.status, 201) << res.body;
  }
  ASSERT_LT(std::chrono::system_clock::now(), p_start) << "the planner was too slow: P started before it was marked";
  // Q: later today (within the hour, so it may be marked), with reminders going out now.
  const auto [q_group, q] = session_today(site, "Afternoon skills", starting_in(30min), 1h, {dee, eve});
  ASSERT_NE(q, 0) << daemon->log();

  ASSERT_TRUE(eventually(
      [&] { return !scalar("SELECT attendance_closed_at FROM sessions WHERE id = " + std::to_string(p)).empty(); },
      60s))
      << "session P was never closed\n"
      << daemon->log();
  // Dee's reminder, whose text the counselor sees and the front desk must not.
  json::array texts;
  ASSERT_TRUE(eventually(
      [&] {
        auto res = daemon->get(path_of("/v1/clients", dee, "/messages"));
        if (res.status != 200) return false;
        texts.clear();
        const auto body = res.json();
        for (const auto& m : body.at("messages").as_array())
          if (!m.at("text").as_string().empty()) texts.push_back(m.at("text"));
        return !texts.empty();
      },
      60s))
      << daemon->log();
  EXPECT_EQ(count("SELECT count(*) FROM alerts"), 0) << "nothing is alerted before the browser marks";

  const json::object plan{
      {"site_id", site},
      {"counselor", {{"username", "dana"}, {"password", counselor_password}}},
      {"front_desk", {{"username", "finn.desk"}, {"password", desk_password}}},
      {"marking_session", p},
      {"marking_clients",
       json::array{{{"id", ana}, {"name", "Ana"}}, {{"id", ben}, {"name", "Ben"}}, {{"id", cy}, {"name", "Cy"}}}},
      {"all_session", q},
      {"all_clients", json::array{{{"id", dee}, {"name", "Dee"}}, {{"id", eve}, {"name", "Eve"}}}},
      {"forged_client", dee},
      {"text_client", dee},
      {"text_client_name", "Dee"},
      {"message_texts", texts},
      {"group_name", "Afternoon skills"},
      {"ack_note", ack_note},
  };
  const auto seeded = std::chrono::steady_clock::now();
  ASSERT_EQ(run_driver(driver, plan), 0) << daemon->log();
  std::cout << "seeding took " << std::chrono::duration_cast<std::chrono::seconds>(seeded - test_started).count()
            << " s, the browser "
            << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - seeded).count()
            << " s" << std::endl;

  // What the browser did is in the database: the marks on P (after undo and redo) ...
  const auto marks = latest_marks(p);
  EXPECT_EQ(marks.at(ana), (std::vector<std::string>{"present", "", "staff:dana"}));
  EXPECT_EQ(marks.at(ben), (std::vector<std::string>{"late", "10", "staff:dana"}));
  EXPECT_EQ(marks.at(cy), (std::vector<std::string>{"absent", "", "staff:dana"}));
  EXPECT_GE(count("SELECT count(*) FROM audit_log WHERE action = 'attendance.undo' AND actor = 'staff:dana'"), 1);
  // ... everyone present on Q, and the forged requests left no mark ...
  const auto all = latest_marks(q);
  EXPECT_EQ(all.at(dee), (std::vector<std::string>{"present", "", "staff:dana"}));
  EXPECT_EQ(all.at(eve), (std::vector<std::string>{"present", "", "staff:dana"}));
  // Dee and Eve present (mark all, undone, redone), Eve absent from a third tab, Dee's mark
  // undone, both present again: four marks stand, none of them the forged absence of Dee's.
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE session_id = " + std::to_string(q)), 4);
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE status = 'absent' AND session_id = " +
                  std::to_string(q) + " AND client_id = " + std::to_string(dee)),
            0);
  // ... Cy's missed-session alert acknowledged by Dana with the note ...
  pqxx::connection c{db_url};
  pqxx::read_transaction tx{c};
  const auto alert = tx.exec(
      "SELECT acknowledged_by, ack_note FROM alerts WHERE kind = 'missed_session'"
      " AND client_id = " +
      std::to_string(cy) + " AND session_id = " + std::to_string(p));
  ASSERT_EQ(alert.size(), 1u);
  EXPECT_EQ(alert[0][0].is_null() ? 0 : alert[0][0].as<std::int64_t>(), dana);
  EXPECT_EQ(alert[0][1].is_null() ? std::string{} : alert[0][1].as<std::string>(), ack_note);
  EXPECT_EQ(count("SELECT count(*) FROM alerts"), 1) << "only Cy was absent";
  // ... and both sign-ins ended by signing out.
  EXPECT_EQ(count("SELECT count(*) FROM web_sessions WHERE ended_at IS NULL"), 0);
  EXPECT_GE(count("SELECT count(*) FROM web_sessions"), 2);

  // A screenshot of every page at both widths.
  const std::filesystem::path shots = std::getenv("ROLLCALL_SCREENSHOTS") ? std::getenv("ROLLCALL_SCREENSHOTS") : "";
  for (const char* page : {"signin", "today", "roster", "alerts", "client", "client-history", "groups", "group",
                           "client-front-desk", "alerts-front-desk"})
    for (const char* width : {"desktop", "tablet"}) {
      const auto file = shots / (std::string{page} + "-" + width + ".png");
      EXPECT_TRUE(std::filesystem::exists(file) && std::filesystem::file_size(file) > 1000) << file;
    }
  std::cout << "screenshots: " << shots.string() << std::endl;
}

}  // namespace
}  // namespace rollcall::testing
