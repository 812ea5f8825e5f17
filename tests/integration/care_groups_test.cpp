// Groups and appointments through the real daemon: double-booked clients, facilitators and
// rooms answer 409 naming the other group and the first overlapping instant; group edits change
// only sessions that have not started (with notices); archiving; one-off individual and weekly
// family sessions, whose family contacts hear of them only with the client's consent in force.
#include "care_fixture.hpp"

namespace rollcall::testing {
namespace {

// The first date on or after `from` that falls on `wd`.
date::local_days next(date::weekday wd, date::local_days from) { return from + (wd - date::weekday{from}); }

json::object only_conflict(const api_response& r) {
  EXPECT_EQ(r.status, 409) << r.body;
  if (r.status != 409) return {};
  const auto list = r.json().at("conflicts").as_array();
  EXPECT_EQ(list.size(), 1u) << r.body;
  return list.empty() ? json::object{} : list[0].as_object();
}

TEST_F(care_test, double_bookings_answer_409_naming_the_other_group_and_the_first_overlapping_instant) {
  start_clinic();
  const auto east = new_site("Eastside"), west = new_site("Westside");
  const auto lead = new_staff("dana"), other = new_staff("lee"), third = new_staff("sam");
  const auto kim = new_client("Kim", "+15550001001");
  const auto ep = new_episode(kim, east, lead, "iop", day(-7));
  const auto monday = next(date::Monday, today()), wednesday = next(date::Wednesday, today());

  const auto a = new_group(east, {"mon", "wed"}, "09:00", "12:00", {{"facilitator_ids", json::array{lead}}});
  ASSERT_EQ(place(ep, a).status, 201);

  // The client: a group that starts earlier and overlaps from 09:00 on Wednesdays.
  const auto b = new_group(east, {"wed"}, "08:00", "10:00", {{"name", "Early"}});
  auto c = only_conflict(place(ep, b));
  EXPECT_EQ(c.at("kind"), "client_overlap");
  EXPECT_EQ(c.at("entity"), "group");
  EXPECT_EQ(c.at("id"), a);
  EXPECT_EQ(text(c.at("at")), instant(wednesday, 9h)) << "the first instant both run, not the new group's start";
  // Adjacent is fine.
  const auto after = new_group(east, {"wed"}, "12:00", "13:00", {{"name", "After"}});
  EXPECT_EQ(place(ep, after).status, 201);

  // A facilitator, when a group is made and when its facilitators are set.
  c = only_conflict(post_group(east, {"mon"}, "08:30", "09:30", {{"facilitator_ids", json::array{lead}}}));
  EXPECT_EQ(c.at("kind"), "facilitator_double_booked");
  EXPECT_EQ(c.at("id"), a);
  EXPECT_EQ(text(c.at("at")), instant(monday, 9h));
  const auto d = new_group(east, {"mon"}, "10:00", "11:00", {{"name", "D"}});
  c = only_conflict(put(path_of("/v1/groups", d, "/facilitators"), {{"facilitator_ids", json::array{other, lead}}}));
  EXPECT_EQ(c.at("kind"), "facilitator_double_booked");
  EXPECT_EQ(c.at("id"), a);
  EXPECT_EQ(text(c.at("at")), instant(monday, 10h));
  auto set = put(path_of("/v1/groups", d, "/facilitators"), {{"facilitator_ids", json::array{other}}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.json().at("facilitator_ids"), (json::array{other}));
  EXPECT_EQ(daemon->get(path_of("/v1/groups", d)).json().at("facilitator_ids"), (json::array{other}));
  EXPECT_EQ(fields_of(put(path_of("/v1/groups", d, "/facilitators"), {{"facilitator_ids", json::array{999}}})),
            std::set<std::string>{"facilitator_ids"});
  EXPECT_EQ(put("/v1/groups/999/facilitators", {{"facilitator_ids", json::array{other}}}).status, 404);

  // A room at one site: the same room (whatever its case) at overlapping times is taken; another
  // room, another site, or back-to-back sessions are fine.
  const auto r1 = new_group(east, {"tue"}, "09:00", "12:00", {{"room", "Room 9"}});
  c = only_conflict(post_group(east, {"tue"}, "11:00", "13:00", {{"room", "room 9"}}));
  EXPECT_EQ(c.at("kind"), "room_double_booked");
  EXPECT_EQ(c.at("id"), r1);
  EXPECT_EQ(text(c.at("at")), instant(next(date::Tuesday, today()), 11h));
  EXPECT_EQ(post_group(east, {"tue"}, "11:00", "13:00", {{"room", "Room 10"}}).status, 201);
  EXPECT_EQ(post_group(west, {"tue"}, "11:00", "13:00", {{"room", "Room 9"}}).status, 201);
  EXPECT_EQ(post_group(east, {"tue"}, "12:00", "15:00", {{"room", "Room 9"}}).status, 201);
  EXPECT_EQ(post_group(east, {"tue"}, "06:00", "09:00", {{"room", "Room 9"}}).status, 201);
  // Groups that begin months from now are checked from their first day, not only for the next weeks.
  const auto later = new_group(east, {"tue"}, "09:00", "12:00", {{"room", "Room 11"}, {"first_date", day(140)}});
  c = only_conflict(post_group(east, {"tue"}, "10:00", "11:00", {{"room", "Room 11"}, {"first_date", day(140)}}));
  EXPECT_EQ(c.at("id"), later);
  EXPECT_EQ(text(c.at("at")), instant(next(date::Tuesday, today() + date::days{140}), 10h));

  // An appointment that overlaps the client's group.
  const auto appointment_day = next(date::Monday, today() + date::days{1});
  json::object appointment{{"kind", "individual"},  {"client_id", kim},
                           {"staff_id", third},     {"date", date::format("%F", appointment_day)},
                           {"start_time", "10:00"}, {"end_time", "11:00"}};
  c = only_conflict(daemon->post("/v1/appointments", appointment));
  EXPECT_EQ(c.at("kind"), "client_overlap");
  EXPECT_EQ(c.at("id"), a);
  EXPECT_EQ(text(c.at("at")), instant(appointment_day, 10h));
  appointment["start_time"] = "12:00";
  appointment["end_time"] = "13:00";
  auto made = daemon->post("/v1/appointments", appointment);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json().at("kind"), "individual");
  EXPECT_EQ(made.json().at("facilitator_ids"), (json::array{third}));
}

TEST_F(care_test, group_edits_change_only_sessions_that_have_not_started) {
  start_clinic({.lead_times = R"(["1h"])", .grace = "1h"});
  const auto site = new_site();
  const auto counselor = new_staff("dana");
  const auto kim = new_client("Kim", "+15550001001");
  const auto yesterday = today() - date::days{1}, tomorrow = today() + date::days{1},
             after_tomorrow = today() + date::days{2};
  const auto g = new_group(site, {weekday_name(yesterday).c_str(), weekday_name(tomorrow).c_str()}, "10:00", "11:00",
                           {{"first_date", day(-7)}});
  const auto ep = new_episode(kim, site, counselor, "iop", day(-7));
  auto placed = place(ep, g, {{"start_date", day(-7)}});
  ASSERT_EQ(placed.status, 201) << placed.body;

  // Yesterday's session happened (the planner only plans from today) and was attended.
  sql("INSERT INTO sessions (group_id, scheduled_date, local_date, starts_at, ends_at) VALUES (" + std::to_string(g) +
      ", '" + day(-1) + "', '" + day(-1) + "', '" + instant(yesterday, 10h) + "', '" + instant(yesterday, 11h) + "')");
  const auto past = session_on(g, yesterday);
  ASSERT_FALSE(past.empty());
  const auto past_id = past.at("id").as_int64();
  auto mark =
      daemon->post(path_of("/v1/sessions", past_id, "/attendance"), {{"client_id", kim}, {"status", "present"}});
  ASSERT_EQ(mark.status, 201) << mark.body;
  const auto coming = session_on(g, tomorrow);
  ASSERT_FALSE(coming.empty());
  const auto coming_id = coming.at("id").as_int64();
  EXPECT_EQ(text(coming.at("starts_at")), instant(tomorrow, 10h));

  const auto path = path_of("/v1/groups", g);
  EXPECT_EQ(fields_of(patch(path, {{"start_time", "11:00"}, {"end_time", "10:00"}})),
            std::set<std::string>{"end_time"});
  EXPECT_EQ(fields_of(patch(path, {{"start_time", "10:30"}})), std::set<std::string>{"end_time"});
  auto moved = patch(path, {{"start_time", "10:30"}, {"end_time", "11:45"}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json().at("start_time"), "10:30");
  const auto find = [&](std::int64_t id) {
    for (const auto& s : sessions_of(g))
      if (s.at("id") == id) return s.as_object();
    return json::object{};
  };
  EXPECT_EQ(text(find(coming_id).at("starts_at")), instant(tomorrow, 10h + 30min));
  EXPECT_EQ(text(find(coming_id).at("ends_at")), instant(tomorrow, 11h + 45min));
  EXPECT_EQ(find(coming_id).at("revision"), 1);
  EXPECT_EQ(find(past_id).at("starts_at"), past.at("starts_at")) << "a past session keeps its time";
  EXPECT_EQ(find(past_id).at("revision"), 0);
  const auto marks = daemon->get(path_of("/v1/sessions", past_id, "/attendance")).json().at("marks").as_array();
  ASSERT_EQ(marks.size(), 1u);
  EXPECT_EQ(marks[0].at("status"), "present");
  const auto notice_for = [&](const std::string& kind, std::int64_t session) {
    return [kind, session](const std::vector<received_request>& all) {
      for (const auto& r : all) {
        const auto body = json::parse(r.body);
        if (body.at("type") == "notice" && body.at("notice") == kind.c_str() && body.at("session_id") == session)
          return true;
      }
      return false;
    };
  };
  ASSERT_TRUE(sink.wait_for(notice_for("moved", coming_id), 15s)) << daemon->log();
  for (const auto& n : sent("notice")) EXPECT_NE(n.at("session_id"), past_id) << n;

  // New weekdays: tomorrow's session is dropped with a notice; the new day is planned next round.
  auto days =
      patch(path, {{"weekdays", json::array{weekday_name(yesterday).c_str(), weekday_name(after_tomorrow).c_str()}}});
  ASSERT_EQ(days.status, 200) << days.body;
  EXPECT_TRUE(find(coming_id).at("cancelled").as_bool());
  EXPECT_EQ(find(coming_id).at("cancel_reason"), "schedule changed");
  ASSERT_TRUE(sink.wait_for(notice_for("cancelled", coming_id), 15s)) << daemon->log();
  const auto added = session_on(g, after_tomorrow);
  ASSERT_FALSE(added.empty());
  EXPECT_EQ(text(added.at("starts_at")), instant(after_tomorrow, 10h + 30min));
  EXPECT_FALSE(find(past_id).at("cancelled").as_bool());

  // Archiving waits for the placements to end; then the group has no more sessions.
  EXPECT_EQ(daemon->post(path + "/archive", json::object{}).status, 409);
  ASSERT_EQ(daemon->post(path_of("/v1/enrollments", placed.json().at("id").as_int64(), "/end"), json::object{}).status,
            200);
  auto archived = daemon->post(path + "/archive", json::object{});
  ASSERT_EQ(archived.status, 200) << archived.body;
  EXPECT_TRUE(archived.json().at("archived").as_bool());
  EXPECT_EQ(patch(path, {{"name", "Renamed"}}).status, 409);
  EXPECT_EQ(daemon->post(path + "/archive", json::object{}).status, 409);
  wait_for_planner_round(site);
  EXPECT_EQ(count("SELECT count(*) FROM sessions WHERE NOT cancelled AND starts_at > now() AND group_id = " +
                  std::to_string(g)),
            0);
  EXPECT_FALSE(find(past_id).at("cancelled").as_bool());
}

TEST_F(care_test, individual_and_family_sessions_reach_the_client_and_consenting_family_only) {
  start_clinic({.lead_times = R"(["1h"])", .grace = "1h"});
  const auto site = new_site();
  const auto counselor = new_staff("dana"), therapist = new_staff("lee");
  const auto kim = new_client("Kim", "+15550001001"), ash = new_client("Ash", "+15550001002");
  new_episode(kim, site, counselor, "iop", day(-7));
  new_episode(ash, site, counselor, "op", day(-7));

  EXPECT_EQ(fields_of(daemon->post("/v1/appointments", {{"kind", "group"}, {"count", 3}})),
            (std::set<std::string>{"kind", "client_id", "staff_id", "date", "start_time", "end_time", "weekly"}));

  // A one-off individual session half an hour from now: a session Kim attends.
  const auto soon = starting_in(30min);
  auto one = daemon->post("/v1/appointments", {{"kind", "individual"},
                                               {"client_id", kim},
                                               {"staff_id", counselor},
                                               {"date", local_date(zone, soon)},
                                               {"start_time", local_time(zone, soon)},
                                               {"end_time", local_end(zone, soon)}});
  ASSERT_EQ(one.status, 201) << one.body;
  const auto one_group = one.json().at("id").as_int64();
  const auto one_session = session_at(one_group, soon);
  ASSERT_NE(one_session, 0);
  auto mark =
      daemon->post(path_of("/v1/sessions", one_session, "/attendance"), {{"client_id", kim}, {"status", "present"}});
  EXPECT_EQ(mark.status, 201) << mark.body;
  EXPECT_EQ(
      daemon->post(path_of("/v1/sessions", one_session, "/attendance"), {{"client_id", ash}, {"status", "present"}})
          .status,
      422)
      << "not Ash's session";
  EXPECT_EQ(sessions_of(one_group).size(), 1u) << "one-off";

  // Ash's family: one contact with consent, one without, one whose consent is revoked later.
  const auto contacts = path_of("/v1/clients", ash, "/contacts");
  const auto consenting = create(
      contacts,
      {{"name", "Pat Doe"}, {"relationship", "mother"}, {"email", "pat@example.org"}, {"consent_date", "2025-01-01"}});
  const auto no_consent = create(contacts, {{"name", "Quinn"}, {"relationship", "brother"}, {"phone", "+15550003001"}});
  const auto revoking =
      create(contacts,
             {{"name", "Rey"}, {"relationship", "partner"}, {"phone", "+15550003002"}, {"consent_date", "2025-01-01"}});
  const auto later = starting_in(3h);
  auto family = daemon->post("/v1/appointments", {{"kind", "family"},
                                                  {"client_id", ash},
                                                  {"staff_id", therapist},
                                                  {"date", local_date(zone, later)},
                                                  {"start_time", local_time(zone, later)},
                                                  {"end_time", local_end(zone, later)},
                                                  {"weekly", true},
                                                  {"count", 4}});
  ASSERT_EQ(family.status, 201) << family.body;
  EXPECT_EQ(family.json().at("kind"), "family");
  const auto session = session_at(family.json().at("id").as_int64(), later);
  ASSERT_NE(session, 0);
  const auto reminders = [&](const std::string& who, const std::string& status) {
    return count("SELECT count(*) FROM outbox WHERE kind = 'reminder' AND session_id = " + std::to_string(session) +
                 " AND " + who + " AND status = '" + status + "'");
  };
  const auto contact = [](std::int64_t id) { return "family_contact_id = " + std::to_string(id); };
  ASSERT_TRUE(eventually(
      [&] {
        return reminders("family_contact_id IS NULL", "pending") == 1 &&
               reminders(contact(consenting), "pending") == 1 && reminders(contact(revoking), "pending") == 1;
      },
      15s))
      << daemon->log();
  EXPECT_EQ(reminders(contact(no_consent), "pending"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE " + contact(consenting) +
                  " AND payload->>'to' = 'pat@example.org' AND payload->>'text' NOT ILIKE '%family%'"),
            1)
      << "to the contact, naming no kind of session";

  ASSERT_EQ(daemon->post(path_of("/v1/contacts", revoking, "/revoke-consent"), json::object{}).status, 200);
  EXPECT_EQ(reminders(contact(revoking), "cancelled"), 1);
  wait_for_planner_round(site);
  EXPECT_EQ(reminders(contact(revoking), "pending"), 0);
  EXPECT_EQ(reminders(contact(no_consent), "pending"), 0);
  EXPECT_EQ(reminders(contact(consenting), "pending"), 1);
}

}  // namespace
}  // namespace rollcall::testing
