// What the staff web page reads, through the real daemon with the API token: a site's day with
// its counts, the roster with replies and the undo of a staff mark, alerts with first names and
// "mine", and the client and group overviews.
#include <array>
#include <set>
#include <thread>

#include "web_views_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

using web_views_test = web_views_fixture;

TEST_F(web_views_test, the_day_view_counts_marks_and_replies_as_they_arrive) {
  start_daemon();
  const auto c = set_up(10min);

  auto res = daemon->get(path("/v1/sites", c.site, "/day?date=" + c.date));
  ASSERT_EQ(res.status, 200) << res.body;
  const auto body = res.json().as_object();
  EXPECT_EQ(body.at("site_id").as_int64(), c.site);
  EXPECT_EQ(body.at("site_name"), "Eastside");
  EXPECT_EQ(body.at("date"), c.date.c_str());
  EXPECT_EQ(body.at("time_zone"), "UTC");
  const auto& parts = body.at("parts").as_array();
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].at("slot"), "morning");
  EXPECT_EQ(parts[1].at("slot"), "afternoon");
  EXPECT_EQ(parts[2].at("slot"), "evening");
  EXPECT_TRUE(parts[0].at("sessions").as_array().empty());
  EXPECT_TRUE(parts[2].at("sessions").as_array().empty());

  auto s = day_entry(c);
  EXPECT_EQ(s.at("group_id").as_int64(), c.group);
  EXPECT_EQ(s.at("group_name"), "Tuesday track");
  EXPECT_EQ(s.at("group_kind"), "group");
  EXPECT_EQ(s.at("starts_at"), date::format("%FT%TZ", c.start).c_str());
  EXPECT_EQ(s.at("local_start"), local_time("UTC", c.start).substr(0, 5).c_str());
  EXPECT_EQ(s.at("cancelled"), false);
  EXPECT_EQ(s.at("expected").as_int64(), 2);
  EXPECT_EQ(s.at("unmarked").as_int64(), 2);
  EXPECT_EQ(s.at("present").as_int64(), 0);
  EXPECT_EQ(s.at("confirmed").as_int64(), 0);

  ASSERT_EQ(mark(c, c.kim, {{"status", "present"}}).status, 201);
  reply(c, c.lee, "declined");
  s = day_entry(c);
  EXPECT_EQ(s.at("expected").as_int64(), 2);
  EXPECT_EQ(s.at("present").as_int64(), 1);
  EXPECT_EQ(s.at("unmarked").as_int64(), 1);
  EXPECT_EQ(s.at("declined").as_int64(), 1);
  EXPECT_EQ(s.at("confirmed").as_int64(), 0);

  // A correction counts once (the latest mark), and so does a changed mind (the latest reply).
  ASSERT_EQ(mark(c, c.kim, {{"status", "late"}, {"minutes", 5}}).status, 201);
  ASSERT_EQ(mark(c, c.lee, {{"status", "excused"}, {"reason", "work"}}).status, 201);
  reply(c, c.lee, "confirmed");
  s = day_entry(c);
  EXPECT_EQ(s.at("present").as_int64(), 0);
  EXPECT_EQ(s.at("late").as_int64(), 1);
  EXPECT_EQ(s.at("excused").as_int64(), 1);
  EXPECT_EQ(s.at("unmarked").as_int64(), 0);
  EXPECT_EQ(s.at("confirmed").as_int64(), 1);
  EXPECT_EQ(s.at("declined").as_int64(), 0);

  // Without a date: the site's today (UTC here); a bad date is 400, an unknown site 404.
  res = daemon->get(path("/v1/sites", c.site, "/day"));
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json().at("date"), local_date("UTC", starting_in(0s)).c_str());
  res = daemon->get(path("/v1/sites", c.site, "/day?date=2025-13-01"));
  EXPECT_EQ(res.status, 400) << res.body;
  EXPECT_EQ(fields_of(res), std::set<std::string>{"date"});
  EXPECT_EQ(daemon->get("/v1/sites/999999/day").status, 404);
}

TEST_F(web_views_test, the_roster_shows_replies_and_undo_steps_back_through_staff_marks) {
  start_daemon();
  const auto c = set_up(10min);
  reply(c, c.lee, "declined");

  auto res = daemon->get(path("/v1/sessions", c.session, "/roster"));
  ASSERT_EQ(res.status, 200) << res.body;
  const auto roster = res.json().as_object();
  EXPECT_EQ(roster.at("group_name"), "Tuesday track");
  EXPECT_EQ(roster.at("site_id").as_int64(), c.site);
  EXPECT_EQ(roster.at("starts_at"), date::format("%FT%TZ", c.start).c_str());
  EXPECT_TRUE(roster.at("ends_at").is_string());
  EXPECT_TRUE(roster_entry(c, c.kim).at("reply").is_null());
  EXPECT_EQ(roster_entry(c, c.lee).at("reply"), "declined");

  ASSERT_EQ(mark(c, c.kim, {{"status", "present"}}).status, 201);
  ASSERT_EQ(mark(c, c.kim, {{"status", "late"}, {"minutes", 7}}).status, 201);
  EXPECT_EQ(roster_entry(c, c.kim).at("status"), "late");

  res = undo(c, c.kim);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json().at("client_id").as_int64(), c.kim);
  EXPECT_EQ(res.json().at("status"), "present");  // the previous mark counts again
  EXPECT_EQ(res.json().at("mark").at("status"), "present");
  EXPECT_EQ(roster_entry(c, c.kim).at("status"), "present");

  res = undo(c, c.kim);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json().at("status"), "expected");  // unmarked, the grace period not over
  EXPECT_TRUE(res.json().at("mark").is_null());
  EXPECT_EQ(day_entry(c).at("unmarked").as_int64(), 2);

  res = undo(c, c.kim);
  EXPECT_EQ(res.status, 409) << res.body;
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE client_id = " + std::to_string(c.kim)), 0);

  // Each undo is in the audit log with the removed row.
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'attendance.undo' AND after IS NULL"), 2);
  EXPECT_EQ(scalar("SELECT string_agg(before->>'status', ',' ORDER BY id) FROM audit_log"
                   " WHERE action = 'attendance.undo'"),
            "late,present");
  EXPECT_EQ(scalar("SELECT min(actor) FROM audit_log WHERE action = 'attendance.undo'"), "token:test");

  // A mark not made by staff is not undone; nor is a client who is not on the roster.
  sql("INSERT INTO attendance_marks (session_id, client_id, status, source, marked_by) VALUES (" +
      std::to_string(c.session) + ", " + std::to_string(c.lee) + ", 'present', 'sms', 'sms')");
  EXPECT_EQ(undo(c, c.lee).status, 409);
  const auto stranger = create("/v1/clients", {{"first_name", "Ash"}});
  res = undo(c, stranger);
  EXPECT_EQ(res.status, 422) << res.body;
  EXPECT_EQ(fields_of(res), std::set<std::string>{"client_id"});
  EXPECT_EQ(daemon->post("/v1/sessions/999999/attendance/undo", json::object{{"client_id", c.kim}}).status, 404);
  EXPECT_EQ(daemon->post(path("/v1/sessions", c.session, "/attendance/undo"), json::object{}).status, 422);
}

TEST_F(web_views_test, an_undo_names_the_mark_it_removes_and_happens_once) {
  start_daemon();
  const auto c = set_up(10min);
  const auto undo_path = path("/v1/sessions", c.session, "/attendance/undo");
  auto res = mark(c, c.kim, {{"status", "present"}});
  ASSERT_EQ(res.status, 201) << res.body;
  const auto front_desk_mark = res.json().at("id").as_int64();
  // A counselor marks Kim late meanwhile: the front desk's undo of "present" must not take it.
  res = mark(c, c.kim, {{"status", "late"}, {"minutes", 5}});
  ASSERT_EQ(res.status, 201) << res.body;
  const auto counselor_mark = res.json().at("id").as_int64();
  res = daemon->post(undo_path, json::object{{"client_id", c.kim}, {"mark_id", front_desk_mark}});
  EXPECT_EQ(res.status, 409) << res.body;
  EXPECT_NE(res.body.find("the mark changed; reload"), std::string::npos) << res.body;
  EXPECT_EQ(roster_entry(c, c.kim).at("status"), "late");
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'attendance.undo'"), 0);

  // Two undos of the same mark at once: one removes it, the other changes nothing.
  std::array<api_response, 2> answers;
  const json::object body{{"client_id", c.kim}, {"mark_id", counselor_mark}};
  {
    std::thread a{[&] { answers[0] = daemon->post(undo_path, body); }};
    std::thread b{[&] { answers[1] = daemon->post(undo_path, body); }};
    a.join();
    b.join();
  }
  std::multiset<int> statuses{answers[0].status, answers[1].status};
  EXPECT_EQ(statuses, (std::multiset<int>{200, 409})) << answers[0].body << answers[1].body;
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'attendance.undo'"), 1);
  EXPECT_EQ(roster_entry(c, c.kim).at("status"), "present");  // the front desk's mark counts again
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE id = " + std::to_string(front_desk_mark)), 1);

  res = daemon->post(undo_path, json::object{{"client_id", c.kim}, {"mark_id", 0}});
  EXPECT_EQ(res.status, 422) << res.body;
  EXPECT_EQ(fields_of(res), std::set<std::string>{"mark_id"});
}

TEST_F(web_views_test, no_undo_once_the_sessions_attendance_is_closed) {
  start_daemon();
  const auto c = set_up(10min);
  auto res = mark(c, c.kim, {{"status", "present"}});
  ASSERT_EQ(res.status, 201) << res.body;
  const auto mark_id = res.json().at("id").as_int64();
  sql("UPDATE sessions SET attendance_closed_at = now() WHERE id = " + std::to_string(c.session));
  res = daemon->post(path("/v1/sessions", c.session, "/attendance/undo"),
                     json::object{{"client_id", c.kim}, {"mark_id", mark_id}});
  EXPECT_EQ(res.status, 409) << res.body;
  EXPECT_NE(res.body.find("correction"), std::string::npos) << res.body;
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE id = " + std::to_string(mark_id)), 1);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'attendance.undo'"), 0);
  // A correction still can be made.
  EXPECT_EQ(mark(c, c.kim, {{"status", "late"}, {"minutes", 3}}).status, 201);
}

TEST_F(web_views_test, mark_all_present_only_unmarked_keeps_marks_made_meanwhile) {
  start_daemon();
  const auto c = set_up(10min);
  // The page read the roster with both unmarked; a counselor then marked Kim absent elsewhere.
  ASSERT_EQ(mark(c, c.kim, {{"status", "excused"}, {"reason", "called in"}}).status, 201);
  const json::array marks{json::object{{"client_id", c.kim}, {"status", "present"}},
                          json::object{{"client_id", c.lee}, {"status", "present"}}};
  auto res = daemon->post(path("/v1/sessions", c.session, "/attendance/roster"),
                          json::object{{"marks", marks}, {"only_unmarked", true}});
  ASSERT_EQ(res.status, 201) << res.body;
  const auto written = res.json().at("marks").as_array();
  ASSERT_EQ(written.size(), 1u) << res.body;
  EXPECT_EQ(written[0].at("client_id").as_int64(), c.lee);
  EXPECT_EQ(roster_entry(c, c.kim).at("status"), "excused");
  EXPECT_EQ(roster_entry(c, c.lee).at("status"), "present");
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE session_id = " + std::to_string(c.session)), 2);
  // Without it the roster is written as sent.
  res = daemon->post(path("/v1/sessions", c.session, "/attendance/roster"), json::object{{"marks", marks}});
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.json().at("marks").as_array().size(), 2u);
  EXPECT_EQ(roster_entry(c, c.kim).at("status"), "present");
}

TEST_F(web_views_test, alerts_carry_the_first_name_and_mine_needs_a_staff_member) {
  start_daemon();
  const auto c = set_up(10min);
  sql("INSERT INTO alerts (kind, dedupe_key, client_id, session_id, site_id, full_text, minimal_text) VALUES"
      " ('declined', 'test:1', " +
      std::to_string(c.lee) + ", " + std::to_string(c.session) + ", " + std::to_string(c.site) + ", 'Lee', 'x')");
  auto res = daemon->get("/v1/alerts");
  ASSERT_EQ(res.status, 200) << res.body;
  const auto listed = res.json();
  const auto& alerts = listed.at("alerts").as_array();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].at("client_id").as_int64(), c.lee);
  EXPECT_EQ(alerts[0].at("client_first_name"), "Lee");
  res = daemon->get("/v1/alerts?site_id=" + std::to_string(c.site) + "&mine=false");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json().at("alerts").as_array().size(), 1u);

  res = daemon->get("/v1/alerts?mine=true");
  EXPECT_EQ(res.status, 422) << res.body;
  EXPECT_EQ(fields_of(res), std::set<std::string>{"mine"});
  res = daemon->get("/v1/alerts?mine=yes");
  EXPECT_EQ(res.status, 422) << res.body;

  // With the token, acknowledging still names who takes it on.
  const auto id = std::to_string(alerts[0].at("id").as_int64());
  res = daemon->post("/v1/alerts/" + id + "/acknowledge", json::object{});
  EXPECT_EQ(res.status, 422) << res.body;
  EXPECT_EQ(fields_of(res), std::set<std::string>{"staff_id"});
  res = daemon->post("/v1/alerts/" + id + "/acknowledge", json::object{{"staff_id", c.counselor}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json().at("client_first_name"), "Lee");
}

TEST_F(web_views_test, the_client_and_group_overviews_gather_what_staff_look_up) {
  start_daemon();
  // Kim's session starts in 20 s: the 10 s reminder goes out (and is delivered to the sink).
  const auto c = set_up(20s);
  const auto kim = std::to_string(c.kim);
  // Ash waits for a seat in a full group of one. It meets twelve hours from Kim's daily
  // session, so that Kim's place in it never overlaps (a fixed 08:00 did on Monday mornings).
  const auto small_start = c.start + 12h;
  const auto full = create("/v1/groups", {{"site_id", c.site},
                                          {"name", "Small"},
                                          {"slot", "morning"},
                                          {"weekdays", json::array{"mon"}},
                                          {"start_time", local_time("UTC", small_start)},
                                          {"end_time", local_end("UTC", small_start)},
                                          {"capacity", 1}});
  const auto ash = create("/v1/clients", {{"first_name", "Ash"}});
  create("/v1/enrollments", {{"client_id", c.kim}, {"group_id", full}, {"counselor_id", c.counselor}});
  auto res = daemon->post(
      "/v1/enrollments",
      json::object{{"client_id", ash}, {"group_id", full}, {"counselor_id", c.counselor}, {"waitlist", true}});
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.json().at("status"), "waitlisted");

  const auto given =
      create("/v1/clients/" + kim + "/contacts",
             {{"name", "Pat"}, {"relationship", "sister"}, {"email", "pat@example.org"}, {"consent_date", c.date}});
  const auto revoked =
      create("/v1/clients/" + kim + "/contacts",
             {{"name", "Jo"}, {"relationship", "father"}, {"email", "jo@example.org"}, {"consent_date", c.date}});
  ASSERT_EQ(daemon->post("/v1/contacts/" + std::to_string(revoked) + "/revoke-consent", json::object{}).status, 200);

  // Upcoming before the session starts; then the reminder is delivered, Kim is marked present
  // and opts out of SMS.
  res = daemon->get("/v1/clients/" + kim + "/overview");
  ASSERT_EQ(res.status, 200) << res.body;
  bool listed = false;
  const auto before = res.json();
  for (const auto& u : before.at("upcoming").as_array())
    if (u.at("session_id").as_int64() == c.session) {
      listed = true;
      EXPECT_EQ(u.at("group_name"), "Tuesday track");
      EXPECT_EQ(u.at("site_id").as_int64(), c.site);
      EXPECT_TRUE(u.at("reply").is_null());
    }
  EXPECT_TRUE(listed) << res.body;
  ASSERT_TRUE(eventually(
      [&] {
        return count("SELECT count(*) FROM outbox WHERE client_id = " + kim +
                     " AND kind = 'reminder' AND status = 'delivered'") > 0;
      },
      30s));
  ASSERT_EQ(mark(c, c.kim, {{"status", "present"}}).status, 201);
  sql("INSERT INTO opt_outs (channel, address, source) VALUES ('sms', '+15550009999', 'staff')");

  res = daemon->get("/v1/clients/" + kim + "/overview");
  ASSERT_EQ(res.status, 200) << res.body;
  const auto o = res.json().as_object();
  EXPECT_EQ(o.at("client").at("id").as_int64(), c.kim);
  EXPECT_EQ(o.at("client").at("first_name"), "Kim");
  EXPECT_EQ(o.at("client").at("status"), "active");
  EXPECT_EQ(o.at("client").at("language"), "en");
  ASSERT_EQ(o.at("episodes").as_array().size(), 1u);
  EXPECT_EQ(o.at("episodes").at(0).at("status"), "active");
  EXPECT_EQ(o.at("episodes").at(0).at("site_id").as_int64(), c.site);

  const auto& attendance = o.at("attendance").as_array();
  ASSERT_EQ(attendance.size(), 1u);
  EXPECT_EQ(attendance[0].at("session_id").as_int64(), c.session);
  EXPECT_EQ(attendance[0].at("status"), "present");
  EXPECT_EQ(attendance[0].at("source"), "staff");
  EXPECT_EQ(attendance[0].at("marked_by"), "token:test");
  EXPECT_EQ(attendance[0].at("group_name"), "Tuesday track");

  const auto& weeks = o.at("weekly_hours").as_array();
  // The episode began yesterday: its weeks of the last five are this one (and last week, on a Monday).
  ASSERT_FALSE(weeks.empty()) << res.body;
  EXPECT_LE(weeks.size(), 2u) << res.body;
  const auto today = date::floor<date::days>(c.start);
  const auto monday = today - date::days{date::weekday{today}.iso_encoding() - 1};
  EXPECT_EQ(weeks.back().at("monday"), date::format("%F", monday).c_str());
  double attended = 0;
  for (const auto& w : weeks) attended += w.at("attended_hours").to_number<double>();
  EXPECT_GT(attended, 0.0) << res.body;
  EXPECT_TRUE(weeks.back().at("shortfall_hours").is_null());  // this week is not over

  bool delivered = false;
  for (const auto& m : o.at("messages").as_array()) {
    EXPECT_TRUE(m.as_object().contains("text"));  // the token reads message texts
    if (m.at("kind") == "reminder" && m.at("status") == "delivered") {
      delivered = true;
      EXPECT_TRUE(m.at("delivered_at").is_string());
      EXPECT_GE(m.at("attempts").as_int64(), 1);
      EXPECT_EQ(m.at("channel"), "sms");
    }
  }
  EXPECT_TRUE(delivered) << res.body;
  EXPECT_EQ(o.at("contact").at("sms").at("consent"), true);
  EXPECT_TRUE(o.at("contact").at("sms").at("opted_out_at").is_string());
  EXPECT_TRUE(o.at("contact").at("email").at("opted_out_at").is_null());
  const auto& family = o.at("family_contacts").as_array();
  ASSERT_EQ(family.size(), 2u);
  EXPECT_EQ(family[0].at("id").as_int64(), given);
  EXPECT_EQ(family[0].at("relationship"), "sister");
  EXPECT_EQ(family[0].at("consent"), true);
  EXPECT_EQ(family[0].at("consent_given_at"), c.date.c_str());
  EXPECT_TRUE(family[0].at("revoked_at").is_null());
  EXPECT_EQ(family[1].at("consent"), false);
  EXPECT_TRUE(family[1].at("revoked_at").is_string());
  EXPECT_FALSE(family[0].as_object().contains("name"));

  // The group: its enrolled client and who waits, in order.
  res = daemon->get(path("/v1/groups", full, "/overview"));
  ASSERT_EQ(res.status, 200) << res.body;
  const auto g = res.json().as_object();
  EXPECT_EQ(g.at("group").at("id").as_int64(), full);
  EXPECT_EQ(g.at("site_name"), "Eastside");
  ASSERT_EQ(g.at("enrolled").as_array().size(), 1u);
  EXPECT_EQ(g.at("enrolled").at(0).at("client_id").as_int64(), c.kim);
  EXPECT_EQ(g.at("enrolled").at(0).at("first_name"), "Kim");
  ASSERT_EQ(g.at("waitlist").as_array().size(), 1u);
  EXPECT_EQ(g.at("waitlist").at(0).at("client_id").as_int64(), ash);
  EXPECT_EQ(g.at("waitlist").at(0).at("position").as_int64(), 1);
  EXPECT_EQ(g.at("waitlist").at(0).at("status"), "waitlisted");

  res = daemon->get(path("/v1/groups", c.group, "/overview"));
  ASSERT_EQ(res.status, 200) << res.body;
  const auto track = res.json();
  EXPECT_EQ(track.at("enrolled").as_array().size(), 2u);
  const auto& upcoming = track.at("upcoming").as_array();
  ASSERT_FALSE(upcoming.empty());
  EXPECT_LE(upcoming.size(), 10u);
  EXPECT_EQ(upcoming[0].at("session_id").as_int64(), c.session);  // in progress still counts

  EXPECT_EQ(daemon->get("/v1/clients/999999/overview").status, 404);
  EXPECT_EQ(daemon->get("/v1/groups/999999/overview").status, 404);
}

}  // namespace
}  // namespace rollcall::testing
