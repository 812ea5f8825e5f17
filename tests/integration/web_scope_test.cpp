// Roles and sites through real staff sessions: a counselor and a front-desk member of one site
// see and change only that site's records (anything else answers 404 as if missing), an admin
// sees every site, "mine" lists a counselor's own clients, acknowledging names the signed-in
// member, and the front desk sees that messages went out but not what they said.
#include <set>

#include "staff_session.hpp"
#include "web_views_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* password = "scope-Password-7";

class web_scope_test : public web_views_fixture {
 protected:
  void SetUp() override {
    start_daemon();
    north = set_up(30min, "North");
    south = set_up(30min, "South");
    login(north.counselor, "robin", "counselor", json::array{north.site});
    login(create("/v1/staff", {{"name", "Desk"}, {"email", "desk@example.org"}}), "desk", "front_desk",
          json::array{north.site});
    login(create("/v1/staff", {{"name", "Boss"}, {"email", "boss@example.org"}}), "boss", "admin", json::array{});
    // One alert per site, about each site's Kim.
    for (const auto* c : {&north, &south})
      sql("INSERT INTO alerts (kind, dedupe_key, client_id, session_id, site_id, full_text, minimal_text) VALUES"
          " ('missed_session', 'scope:" +
          std::to_string(c->site) + "', " + std::to_string(c->kim) + ", " + std::to_string(c->session) + ", " +
          std::to_string(c->site) + ", 'Kim missed', 'x')");
  }

  void login(std::int64_t staff, const std::string& username, const std::string& role, json::array sites) {
    const auto res = put("/v1/staff/" + std::to_string(staff) + "/login",
                         {{"username", username}, {"password", password}, {"role", role}, {"site_ids", sites}});
    ASSERT_EQ(res.status, 200) << res.body;
  }
  staff_session as(const std::string& username) { return sign_in(*daemon, username, password); }
  int get_status(const staff_session& s, const std::string& path) { return as_staff(*daemon, s, "GET", path).status; }
  std::vector<std::int64_t> ids_in(const api_response& res, const std::string& list, const std::string& field) {
    EXPECT_EQ(res.status, 200) << res.body;
    std::vector<std::int64_t> out;
    if (res.status != 200) return out;
    const auto body = res.json();  // named: a temporary would die before the loop ends
    for (const auto& x : body.at(list).as_array()) out.push_back(x.at(field).as_int64());
    return out;
  }
  std::string n(std::int64_t id) const { return std::to_string(id); }
  std::string alert_of(const clinic& c) const { return scalar("SELECT id FROM alerts WHERE site_id = " + n(c.site)); }

  // An episode at `at`'s site that began 60 days ago and was discharged 30 days ago.
  std::int64_t discharged_episode(std::int64_t client, const clinic& at, const std::string& outcome) {
    const auto ep = create("/v1/episodes", {{"client_id", client},
                                            {"site_id", at.site},
                                            {"level_of_care", "iop"},
                                            {"start_date", local_date("UTC", at.start - 60 * 24h)},
                                            {"counselor_id", at.counselor}});
    const auto res = daemon->post("/v1/episodes/" + n(ep) + "/discharge",
                                  {{"date", local_date("UTC", at.start - 30 * 24h)}, {"outcome", outcome}});
    EXPECT_EQ(res.status, 200) << res.body;
    return ep;
  }
  // Placed since yesterday (in the client's open episode, or a new one at the group's site).
  void place(std::int64_t client, std::int64_t group, const clinic& at) {
    create("/v1/enrollments", {{"client_id", client},
                               {"group_id", group},
                               {"counselor_id", at.counselor},
                               {"start_date", local_date("UTC", at.start - 24h)}});
  }
  json::value overview_as(const std::string& username, std::int64_t client) {
    const auto res = as_staff(*daemon, as(username), "GET", "/v1/clients/" + n(client) + "/overview");
    EXPECT_EQ(res.status, 200) << res.body;
    return res.status == 200 ? res.json() : json::value{};
  }

  clinic north, south;
};

TEST_F(web_scope_test, a_counselor_reads_only_their_sites_and_other_records_do_not_exist) {
  const auto robin = as("robin");
  using ids = std::vector<std::int64_t>;
  EXPECT_EQ(ids_in(as_staff(*daemon, robin, "GET", "/v1/sites"), "items", "id"), ids{north.site});
  EXPECT_EQ(ids_in(as_staff(*daemon, robin, "GET", "/v1/groups"), "items", "id"), ids{north.group});
  EXPECT_EQ(ids_in(as_staff(*daemon, robin, "GET", "/v1/alerts"), "alerts", "site_id"), ids{north.site});

  for (const auto& [mine, theirs] : std::vector<std::pair<std::string, std::string>>{
           {"/v1/sites/" + n(north.site), "/v1/sites/" + n(south.site)},
           {"/v1/sites/" + n(north.site) + "/day?date=" + north.date,
            "/v1/sites/" + n(south.site) + "/day?date=" + south.date},
           {"/v1/sessions/" + n(north.session), "/v1/sessions/" + n(south.session)},
           {"/v1/sessions/" + n(north.session) + "/roster", "/v1/sessions/" + n(south.session) + "/roster"},
           {"/v1/sessions/" + n(north.session) + "/attendance", "/v1/sessions/" + n(south.session) + "/attendance"},
           {"/v1/groups/" + n(north.group), "/v1/groups/" + n(south.group)},
           {"/v1/groups/" + n(north.group) + "/overview", "/v1/groups/" + n(south.group) + "/overview"},
           {"/v1/clients/" + n(north.kim) + "/overview", "/v1/clients/" + n(south.kim) + "/overview"},
           {"/v1/alerts/" + alert_of(north), "/v1/alerts/" + alert_of(south)},
           {"/v1/alerts?site_id=" + n(north.site), "/v1/alerts?site_id=" + n(south.site)},
           {"/v1/groups?site_id=" + n(north.site), "/v1/groups?site_id=" + n(south.site)},
       }) {
    EXPECT_EQ(get_status(robin, mine), 200) << mine;
    EXPECT_EQ(get_status(robin, theirs), 404) << theirs;
  }
}

TEST_F(web_scope_test, staff_change_only_their_sites_and_are_named_as_who_did_it) {
  const auto robin = as("robin");
  const json::object present{{"client_id", south.kim}, {"status", "present"}};
  auto res = write_as_staff(*daemon, robin, "POST", "/v1/sessions/" + n(south.session) + "/attendance",
                            json::serialize(present));
  EXPECT_EQ(res.status, 404) << res.body;
  res = write_as_staff(*daemon, robin, "POST", "/v1/sessions/" + n(south.session) + "/attendance/roster",
                       json::serialize(json::object{{"marks", json::array{present}}}));
  EXPECT_EQ(res.status, 404) << res.body;
  res = write_as_staff(*daemon, robin, "POST", "/v1/alerts/" + alert_of(south) + "/acknowledge", "{}");
  EXPECT_EQ(res.status, 404) << res.body;
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE session_id = " + n(south.session)), 0);
  EXPECT_EQ(count("SELECT count(*) FROM alerts WHERE acknowledged_at IS NOT NULL"), 0);

  // At their own site: the mark carries their name, undo takes it back, an acknowledgement is theirs.
  res = write_as_staff(*daemon, robin, "POST", "/v1/sessions/" + n(north.session) + "/attendance",
                       json::serialize(json::object{{"client_id", north.kim}, {"status", "present"}}));
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.json().at("marked_by"), "staff:robin");
  EXPECT_EQ(roster_entry(north, north.kim).at("mark").at("marked_by"), "staff:robin");
  res = write_as_staff(*daemon, robin, "POST", "/v1/sessions/" + n(north.session) + "/attendance/undo",
                       json::serialize(json::object{{"client_id", north.kim}}));
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_TRUE(res.json().at("mark").is_null()) << res.body;
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'attendance.undo' AND actor = 'staff:robin'"), 1);

  res = write_as_staff(*daemon, robin, "POST", "/v1/alerts/" + alert_of(north) + "/acknowledge",
                       json::serialize(json::object{{"staff_id", south.counselor}}));
  EXPECT_EQ(res.status, 422) << res.body;  // not on someone else's behalf
  res = write_as_staff(*daemon, robin, "POST", "/v1/alerts/" + alert_of(north) + "/acknowledge",
                       R"({"note": "called, coming Thursday"})");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json().at("acknowledged_by").as_int64(), north.counselor);
  EXPECT_EQ(scalar("SELECT ack_note FROM alerts WHERE id = " + alert_of(north)), "called, coming Thursday");
}

TEST_F(web_scope_test, mine_lists_a_counselors_own_clients_and_an_admin_sees_every_site) {
  using ids = std::vector<std::int64_t>;
  // Robin counsels North's clients; Desk counsels nobody.
  EXPECT_EQ(ids_in(as_staff(*daemon, as("robin"), "GET", "/v1/alerts?mine=true"), "alerts", "client_id"),
            ids{north.kim});
  EXPECT_EQ(ids_in(as_staff(*daemon, as("desk"), "GET", "/v1/alerts?mine=true"), "alerts", "client_id"), ids{});

  const auto boss = as("boss");
  auto sites = ids_in(as_staff(*daemon, boss, "GET", "/v1/sites"), "items", "id");
  std::sort(sites.begin(), sites.end());
  EXPECT_EQ(sites, (ids{north.site, south.site}));
  EXPECT_EQ(get_status(boss, "/v1/sites/" + n(south.site) + "/day?date=" + south.date), 200);
  EXPECT_EQ(get_status(boss, "/v1/clients/" + n(south.kim) + "/overview"), 200);
  EXPECT_EQ(ids_in(as_staff(*daemon, boss, "GET", "/v1/alerts"), "alerts", "id").size(), 2u);
  // An admin may use every route, with the same CSRF rules.
  const auto created = write_as_staff(*daemon, boss, "POST", "/v1/sites", R"({"name": "West", "time_zone": "UTC"})");
  EXPECT_EQ(created.status, 201) << created.body;
}

TEST_F(web_scope_test, the_front_desk_sees_that_messages_went_out_but_not_what_they_said) {
  // Kim's reminders are planned (pending); a counselor reads their texts, the front desk only
  // that they exist and how they fared.
  const auto overview = "/v1/clients/" + n(north.kim) + "/overview";
  ASSERT_TRUE(
      eventually([&] { return count("SELECT count(*) FROM outbox WHERE client_id = " + n(north.kim)) > 0; }, 30s));
  auto res = as_staff(*daemon, as("robin"), "GET", overview);
  ASSERT_EQ(res.status, 200) << res.body;
  std::vector<std::string> texts;
  const auto full = res.json();
  for (const auto& m : full.at("messages").as_array()) texts.emplace_back(m.at("text").as_string());
  ASSERT_FALSE(texts.empty()) << res.body;

  res = as_staff(*daemon, as("desk"), "GET", overview);
  ASSERT_EQ(res.status, 200) << res.body;
  const auto limited = res.json();
  ASSERT_EQ(limited.at("messages").as_array().size(), texts.size()) << res.body;
  for (const auto& m : limited.at("messages").as_array()) {
    EXPECT_FALSE(m.as_object().contains("text"));
    EXPECT_EQ(m.at("status"), "pending");
  }
  for (const auto& t : texts) EXPECT_EQ(res.body.find(t), std::string::npos) << t;
  EXPECT_EQ(get_status(as("desk"), "/v1/clients/" + n(north.kim) + "/messages"), 403);
}

TEST_F(web_scope_test, a_client_is_in_scope_through_open_episodes_and_shows_only_the_staff_members_sites) {
  // Jo left North (discharged) and is now in care at South: North's staff no longer see Jo.
  const auto jo = create("/v1/clients", {{"first_name", "Jo"}});
  discharged_episode(jo, north, "transferred");
  place(jo, south.group, south);
  EXPECT_EQ(get_status(as("robin"), "/v1/clients/" + n(jo) + "/overview"), 404);
  EXPECT_EQ(get_status(as("desk"), "/v1/clients/" + n(jo) + "/overview"), 404);
  EXPECT_EQ(get_status(as("boss"), "/v1/clients/" + n(jo) + "/overview"), 200);

  // Mo was at South before, is in care at North now and also attends a South group: North's
  // counselor sees North's episode and sessions only; the token sees everything.
  const auto mo = create("/v1/clients", {{"first_name", "Mo"}});
  const auto old_south = discharged_episode(mo, south, "completed");
  place(mo, north.group, north);
  const auto hour = date::make_time(north.start - date::floor<date::days>(north.start)).hours().count();
  const auto at = date::floor<date::days>(north.start) + (hour == 2 || hour == 3 ? 12h : 3h);
  const auto south_group = daily_group_of(south.site, "UTC", at, 30min, {mo}, north.counselor);
  std::int64_t south_upcoming = 0;
  ASSERT_TRUE(eventually(
      [&] {
        const auto res = daemon->get("/v1/clients/" + n(mo) + "/overview");
        if (res.status != 200) return false;
        const auto body = res.json();
        for (const auto& u : body.at("upcoming").as_array())
          if (u.at("group_id").as_int64() == south_group) ++south_upcoming;
        return south_upcoming > 0;
      },
      30s))
      << "no session of the South group";
  const auto all = daemon->get("/v1/clients/" + n(mo) + "/overview").json();
  EXPECT_EQ(all.at("episodes").as_array().size(), 2u);

  const auto seen = overview_as("robin", mo);
  ASSERT_TRUE(seen.is_object());
  std::set<std::int64_t> sites, episodes;
  for (const auto& e : seen.at("episodes").as_array()) {
    sites.insert(e.at("site_id").as_int64());
    episodes.insert(e.at("id").as_int64());
  }
  EXPECT_EQ(sites, std::set<std::int64_t>{north.site});
  EXPECT_EQ(episodes.count(old_south), 0u);
  EXPECT_EQ(episodes.size(), 1u);
  std::set<std::int64_t> upcoming_sites;
  for (const auto& u : seen.at("upcoming").as_array()) upcoming_sites.insert(u.at("site_id").as_int64());
  EXPECT_EQ(upcoming_sites, std::set<std::int64_t>{north.site}) << json::serialize(seen);
}

TEST_F(web_scope_test, the_front_desk_sees_no_clinical_notes_in_the_client_overview) {
  // Lu left North against advice once and is back in care there.
  const auto lu = create("/v1/clients", {{"first_name", "Lu"}});
  discharged_episode(lu, north, "left_ama");
  place(lu, north.group, north);

  const auto full = overview_as("robin", lu);
  ASSERT_TRUE(full.is_object());
  std::set<std::string> outcomes, reasons;
  for (const auto& e : full.at("episodes").as_array()) {
    if (e.at("discharge_outcome").is_string()) outcomes.emplace(e.at("discharge_outcome").as_string());
    for (const auto& l : e.at("levels").as_array()) reasons.emplace(l.at("reason").as_string());
  }
  EXPECT_EQ(outcomes, std::set<std::string>{"left_ama"});
  EXPECT_EQ(reasons, std::set<std::string>{"admission"});

  const auto limited = overview_as("desk", lu);
  ASSERT_TRUE(limited.is_object());
  ASSERT_EQ(limited.at("episodes").as_array().size(), 2u);
  for (const auto& e : limited.at("episodes").as_array()) {
    EXPECT_TRUE(e.at("discharge_outcome").is_null()) << json::serialize(e);
    ASSERT_FALSE(e.at("levels").as_array().empty());
    for (const auto& l : e.at("levels").as_array()) EXPECT_TRUE(l.at("reason").is_null()) << json::serialize(l);
  }
  EXPECT_EQ(json::serialize(limited).find("left_ama"), std::string::npos);
}

}  // namespace
}  // namespace rollcall::testing
