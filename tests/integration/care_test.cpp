// Care episodes through the real daemon: creation with the configured hours, every bad field
// and missing reference listed, one active episode per client, step-downs and step-ups that keep
// history and end placements of the old level, discharge that ends everything and cancels the
// client's pending reminders, the waitlist, weekly hours, and the audit log's before/after.
#include "care_fixture.hpp"

namespace rollcall::testing {
namespace {

TEST_F(care_test, episodes_take_configured_hours_list_every_bad_field_and_one_is_active_at_a_time) {
  start_clinic();
  const auto site = new_site();
  const auto counselor = new_staff("dana");
  const auto manager = new_staff("lee");
  const auto kim = new_client("Kim", "+15550001001");

  EXPECT_EQ(fields_of(daemon->post("/v1/episodes", json::object{})),
            (std::set<std::string>{"client_id", "site_id", "level_of_care", "start_date", "counselor_id"}));
  auto bad = daemon->post("/v1/episodes", {{"client_id", -1},
                                           {"site_id", "one"},
                                           {"level_of_care", "inpatient"},
                                           {"start_date", "2026-02-30"},
                                           {"planned_weeks", 0},
                                           {"counselor_id", counselor},
                                           {"weekly_hours_required", 81},
                                           {"colour", "red"}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(fields_of(bad), (std::set<std::string>{"client_id", "site_id", "level_of_care", "start_date",
                                                   "planned_weeks", "weekly_hours_required", "colour"}));
  // References that do not exist are bad fields too, each one named.
  auto missing = daemon->post("/v1/episodes", {{"client_id", 901},
                                               {"site_id", 902},
                                               {"level_of_care", "iop"},
                                               {"start_date", "2026-01-05"},
                                               {"counselor_id", 903},
                                               {"case_manager_id", 904}});
  EXPECT_EQ(missing.status, 422) << missing.body;
  EXPECT_EQ(fields_of(missing), (std::set<std::string>{"client_id", "site_id", "counselor_id", "case_manager_id"}));

  auto made = daemon->post("/v1/episodes", {{"client_id", kim},
                                            {"site_id", site},
                                            {"level_of_care", "php"},
                                            {"start_date", "2026-01-05"},
                                            {"counselor_id", counselor}});
  ASSERT_EQ(made.status, 201) << made.body;
  const auto ep = made.json().as_object();
  const auto id = ep.at("id").as_int64();
  EXPECT_EQ(ep.at("planned_weeks"), 12);
  EXPECT_EQ(ep.at("weekly_hours_required").to_number<double>(), 19.0) << "care.weekly_hours_php";
  EXPECT_EQ(ep.at("status"), "active");
  EXPECT_TRUE(ep.at("case_manager_id").is_null());
  ASSERT_EQ(ep.at("levels").as_array().size(), 1u);
  EXPECT_EQ(ep.at("levels").at(0).at("level_of_care"), "php");
  EXPECT_EQ(ep.at("levels").at(0).at("effective_date"), "2026-01-05");

  // One active episode per client.
  auto second = daemon->post("/v1/episodes", {{"client_id", kim},
                                              {"site_id", site},
                                              {"level_of_care", "iop"},
                                              {"start_date", "2026-02-01"},
                                              {"counselor_id", counselor}});
  EXPECT_EQ(second.status, 409) << second.body;

  const auto path = path_of("/v1/episodes", id);
  EXPECT_EQ(daemon->get(path).json().at("id"), id);
  EXPECT_EQ(daemon->get("/v1/episodes/999").status, 404);

  auto patched = patch(path, {{"planned_weeks", 16}, {"case_manager_id", manager}, {"weekly_hours_required", 18.5}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json().at("planned_weeks"), 16);
  EXPECT_EQ(patched.json().at("case_manager_id"), manager);
  EXPECT_EQ(patched.json().at("weekly_hours_required").to_number<double>(), 18.5);
  EXPECT_EQ(fields_of(patch(path, {{"counselor_id", nullptr}, {"planned_weeks", 105}})),
            (std::set<std::string>{"counselor_id", "planned_weeks"}));
  EXPECT_EQ(fields_of(patch(path, {{"counselor_id", 999}})), std::set<std::string>{"counselor_id"});
  EXPECT_EQ(patch("/v1/episodes/999", {{"planned_weeks", 3}}).status, 404);
  auto cleared = patch(path, {{"case_manager_id", nullptr}});
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_TRUE(cleared.json().at("case_manager_id").is_null());

  const auto discharge = path + "/discharge";
  EXPECT_EQ(fields_of(daemon->post(discharge, {{"date", "soon"}, {"outcome", "cured"}})),
            (std::set<std::string>{"date", "outcome"}));
  EXPECT_EQ(fields_of(daemon->post(discharge, {{"date", "2025-12-31"}, {"outcome", "completed"}})),
            std::set<std::string>{"date"})
      << "before the episode began";
  auto done = daemon->post(discharge, {{"date", "2026-03-01"}, {"outcome", "completed"}});
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.json().at("status"), "discharged");
  EXPECT_EQ(done.json().at("discharge_outcome"), "completed");
  EXPECT_EQ(daemon->post(discharge, {{"date", "2026-03-02"}, {"outcome", "other"}}).status, 409);
  EXPECT_EQ(daemon->post(path + "/level", {{"level_of_care", "op"}, {"effective_date", "2026-02-01"}}).status, 409);
  // Once discharged, the client may begin a new stay.
  EXPECT_EQ(daemon
                ->post("/v1/episodes", {{"client_id", kim},
                                        {"site_id", site},
                                        {"level_of_care", "iop"},
                                        {"start_date", "2026-04-01"},
                                        {"counselor_id", counselor}})
                .status,
            201);
}

TEST_F(care_test, a_step_down_keeps_history_ends_other_levels_placements_and_offers_the_seat) {
  start_clinic();
  const auto site = new_site();
  const auto counselor = new_staff("dana");
  const auto kim = new_client("Kim", "+15550001001");
  const auto ash = new_client("Ash", "+15550001002");
  const auto php = new_group(site, {"mon", "tue", "wed", "thu", "fri"}, "09:00", "12:00",
                             {{"name", "Day program"}, {"level_of_care", "php"}, {"capacity", 1}});
  const auto iop = new_group(site, {"mon", "wed", "thu"}, "13:00", "16:00", {{"level_of_care", "iop"}});
  const auto kim_ep = new_episode(kim, site, counselor, "php", day(-14));
  const auto ash_ep = new_episode(ash, site, counselor, "php", day(-14));
  auto kim_php = place(kim_ep, php);
  ASSERT_EQ(kim_php.status, 201) << kim_php.body;
  EXPECT_EQ(kim_php.json().at("status"), "active");
  EXPECT_EQ(text(kim_php.json().at("start_date")), day(0)) << "the later of the episode's start and today";
  auto ash_wait = place(ash_ep, php, {{"waitlist", true}});
  ASSERT_EQ(ash_wait.status, 201) << ash_wait.body;
  EXPECT_EQ(ash_wait.json().at("status"), "waitlisted");

  const auto level = path_of("/v1/episodes", kim_ep, "/level");
  EXPECT_EQ(fields_of(daemon->post(level, {{"level_of_care", "detox"}, {"effective_date", "x"}})),
            (std::set<std::string>{"level_of_care", "effective_date"}));
  EXPECT_EQ(fields_of(daemon->post(level, {{"level_of_care", "iop"}, {"effective_date", day(-15)}})),
            std::set<std::string>{"effective_date"});
  const auto effective = day(7);
  auto down = daemon->post(level, {{"level_of_care", "iop"}, {"effective_date", effective}, {"reason", "stable"}});
  ASSERT_EQ(down.status, 200) << down.body;
  const auto ep = down.json().as_object();
  EXPECT_EQ(ep.at("level_of_care"), "iop");
  EXPECT_EQ(ep.at("weekly_hours_required").to_number<double>(), 9.0) << "care.weekly_hours_iop";
  const auto& levels = ep.at("levels").as_array();
  ASSERT_EQ(levels.size(), 2u);
  EXPECT_EQ(levels[0].at("level_of_care"), "php");
  EXPECT_EQ(levels[1].at("level_of_care"), "iop");
  EXPECT_EQ(text(levels[1].at("effective_date")), effective);
  EXPECT_EQ(levels[1].at("reason"), "stable");

  // The PHP place ends the day before; Ash, first in line, is offered the seat.
  const auto ended = placement(kim_php.json().at("id").as_int64());
  EXPECT_EQ(ended.at("status"), "ended");
  EXPECT_EQ(text(ended.at("end_date")), day(6));
  EXPECT_EQ(ended.at("end_reason"), "level changed");
  EXPECT_EQ(placement(ash_wait.json().at("id").as_int64()).at("status"), "offered");

  // Kim joins the IOP group from the effective date; a step back up ends that place in turn.
  auto kim_iop = place(kim_ep, iop, {{"start_date", effective}});
  ASSERT_EQ(kim_iop.status, 201) << kim_iop.body;
  EXPECT_EQ(text(kim_iop.json().at("start_date")), effective);
  EXPECT_EQ(fields_of(daemon->post(level, {{"level_of_care", "php"}, {"effective_date", day(6)}})),
            std::set<std::string>{"effective_date"})
      << "before the last change";
  auto up = daemon->post(level, {{"level_of_care", "php"}, {"effective_date", day(21)}});
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(up.json().at("levels").as_array().size(), 3u);
  EXPECT_EQ(up.json().at("weekly_hours_required").to_number<double>(), 19.0);
  const auto iop_place = placement(kim_iop.json().at("id").as_int64());
  EXPECT_EQ(iop_place.at("status"), "ended");
  EXPECT_EQ(text(iop_place.at("end_date")), day(20));

  std::vector<std::string> actions;
  for (const auto& e : audit_of("episode", kim_ep)) actions.push_back(std::string{e.at("action").as_string()});
  EXPECT_EQ(actions, (std::vector<std::string>{"create", "step_down", "step_up"}));
}

// Reminders are planned a day ahead (lead times 1 h and 24 h), so the client has pending ones for
// today's session and tomorrow's when discharged as of today.
TEST_F(care_test, discharge_ends_every_placement_and_cancels_reminders_for_sessions_after_it) {
  start_clinic({.lead_times = R"(["1h", "24h"])", .grace = "1h"});
  const auto start = starting_in(3h);
  const auto site = new_site();
  const auto counselor = new_staff("dana");
  const auto kim = new_client("Kim", "+15550001001");
  const auto ash = new_client("Ash", "+15550001002");
  const auto lou = new_client("Lou", "+15550001003");
  const auto first_day = date::floor<date::days>(date::locate_zone(zone)->to_local(start));
  const auto daily = new_group(site, every_day, local_time(zone, start), local_end(zone, start), {{"capacity", 1}});
  // Another full group, at a time of day the daily one never meets, where Kim waits for a seat.
  const bool afternoon = local_time(zone, start) >= "12:00";
  const auto other = new_group(site, every_day, afternoon ? "06:00" : "20:00", afternoon ? "07:00" : "21:00",
                               {{"capacity", 1}, {"name", "Other"}});
  const auto kim_ep = new_episode(kim, site, counselor, "iop", date::format("%F", first_day - date::days{2}));
  const auto ash_ep = new_episode(ash, site, counselor, "iop", date::format("%F", first_day - date::days{2}));
  const auto lou_ep = new_episode(lou, site, counselor, "iop", date::format("%F", first_day - date::days{2}));
  auto kim_daily = place(kim_ep, daily, {{"start_date", date::format("%F", first_day - date::days{1})}});
  ASSERT_EQ(kim_daily.status, 201) << kim_daily.body;
  auto ash_wait = place(ash_ep, daily, {{"waitlist", true}});
  ASSERT_EQ(ash_wait.status, 201) << ash_wait.body;
  ASSERT_EQ(place(lou_ep, other).status, 201);
  auto kim_wait = place(kim_ep, other, {{"waitlist", true}});
  ASSERT_EQ(kim_wait.status, 201) << kim_wait.body;
  EXPECT_EQ(kim_wait.json().at("status"), "waitlisted");

  const auto today_s = session_on(daily, first_day), tomorrow_s = session_on(daily, first_day + date::days{1});
  ASSERT_FALSE(today_s.empty());
  ASSERT_FALSE(tomorrow_s.empty());
  const auto reminders_of = [&](const json::object& s, const std::string& status) {
    return count("SELECT count(*) FROM outbox WHERE kind = 'reminder' AND client_id = " + std::to_string(kim) +
                 " AND session_id = " + std::to_string(s.at("id").as_int64()) + " AND status = '" + status + "'");
  };
  ASSERT_TRUE(eventually(
      [&] { return reminders_of(today_s, "pending") == 1 && reminders_of(tomorrow_s, "pending") == 2; }, 15s))
      << daemon->log();

  const auto last_day = date::format("%F", first_day);
  auto out =
      daemon->post(path_of("/v1/episodes", kim_ep, "/discharge"), {{"date", last_day}, {"outcome", "completed"}});
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_EQ(text(out.json().at("discharge_date")), last_day);
  const auto discharged = out.json();
  for (const auto& p : discharged.at("placements").as_array()) EXPECT_EQ(p.at("status"), "ended") << p;
  const auto daily_place = placement(kim_daily.json().at("id").as_int64());
  EXPECT_EQ(text(daily_place.at("end_date")), last_day);
  EXPECT_EQ(daily_place.at("end_reason"), "discharged");
  // A place Kim only waited for was never attended: it ends before it began, not on the discharge date.
  const auto waited = placement(kim_wait.json().at("id").as_int64());
  EXPECT_EQ(text(waited.at("end_date")),
            date::format("%F", parse_day(std::string{waited.at("start_date").as_string()}) - date::days{1}));
  EXPECT_EQ(placement(ash_wait.json().at("id").as_int64()).at("status"), "offered") << "the freed seat";

  // Today's reminder stays; tomorrow's are cancelled, and the planner plans none again.
  EXPECT_EQ(reminders_of(today_s, "pending"), 1);
  EXPECT_EQ(reminders_of(tomorrow_s, "cancelled"), 2);
  wait_for_planner_round(site);
  EXPECT_EQ(count("SELECT count(*) FROM outbox o JOIN sessions s ON s.id = o.session_id WHERE o.client_id = " +
                  std::to_string(kim) + " AND s.local_date > '" + last_day + "' AND o.status <> 'cancelled'"),
            0);
  EXPECT_EQ(reminders_of(tomorrow_s, "pending"), 0);
}

TEST_F(care_test, a_full_group_answers_409_or_puts_clients_on_a_waitlist_that_is_offered_seats_in_order) {
  start_clinic();
  const auto site = new_site();
  const auto counselor = new_staff("dana");
  const auto group = new_group(site, {"tue", "thu"}, "18:00", "20:00", {{"capacity", 2}});
  std::vector<std::int64_t> eps;
  for (int i = 0; i < 5; ++i)
    eps.push_back(new_episode(new_client("C" + std::to_string(i), "+1555000200" + std::to_string(i)), site, counselor,
                              "iop", day(-7)));
  std::vector<std::int64_t> places;
  for (int i = 0; i < 2; ++i) {
    auto p = place(eps[i], group);
    ASSERT_EQ(p.status, 201) << p.body;
    places.push_back(p.json().at("id").as_int64());
  }
  auto full = place(eps[2], group);
  ASSERT_EQ(full.status, 409) << full.body;
  const auto conflicts = full.json().at("conflicts").as_array();
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].at("kind"), "capacity");
  EXPECT_EQ(conflicts[0].at("id"), group);
  for (int i = 2; i < 5; ++i) {
    auto p = place(eps[i], group, {{"waitlist", true}});
    ASSERT_EQ(p.status, 201) << p.body;
    EXPECT_EQ(p.json().at("status"), "waitlisted");
    EXPECT_EQ(p.json().at("waitlist_position"), i - 1);
    places.push_back(p.json().at("id").as_int64());
  }
  EXPECT_EQ(place(eps[2], group, {{"waitlist", true}}).status, 409) << "already waiting";
  auto list = daemon->get(path_of("/v1/groups", group, "/waitlist"));
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json().at("items").as_array().size(), 3u);
  EXPECT_EQ(list.json().at("items").at(0).at("id"), places[2]);
  EXPECT_EQ(daemon->get("/v1/groups/999/waitlist").status, 404);

  // A seat frees: the first in line is offered it, the rest move up.
  auto end = daemon->post(path_of("/v1/enrollments", places[0], "/end"), {{"reason", "moved away"}});
  ASSERT_EQ(end.status, 200) << end.body;
  EXPECT_EQ(end.json().at("status"), "ended");
  EXPECT_EQ(placement(places[2]).at("status"), "offered");
  EXPECT_EQ(placement(places[3]).at("waitlist_position"), 1);
  EXPECT_EQ(daemon->post(path_of("/v1/enrollments", places[3], "/accept"), json::object{}).status, 409)
      << "no seat on offer to it";
  auto accepted = daemon->post(path_of("/v1/enrollments", places[2], "/accept"), json::object{});
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(accepted.json().at("status"), "active");
  EXPECT_EQ(daemon->post(path_of("/v1/enrollments", places[2], "/accept"), json::object{}).status, 409);

  // Another frees; its offer is declined and goes to the next.
  ASSERT_EQ(daemon->post(path_of("/v1/enrollments", places[1], "/end"), json::object{}).status, 200);
  EXPECT_EQ(placement(places[3]).at("status"), "offered");
  auto declined = daemon->post(path_of("/v1/enrollments", places[3], "/decline"), json::object{});
  ASSERT_EQ(declined.status, 200) << declined.body;
  EXPECT_EQ(declined.json().at("status"), "ended");
  EXPECT_EQ(placement(places[4]).at("status"), "offered");
  EXPECT_EQ(daemon->post(path_of("/v1/enrollments", places[1], "/end"), json::object{}).status, 409);

  // Fewer seats than clients holding them: refused. More seats: offered to those waiting at once.
  auto late = place(new_episode(new_client("C5", "+15550002005"), site, counselor, "iop", day(-7)), group,
                    {{"waitlist", true}});
  ASSERT_EQ(late.status, 201) << late.body;
  EXPECT_EQ(late.json().at("waitlist_position"), 1);
  auto fewer = patch(path_of("/v1/groups", group), {{"capacity", 1}});
  ASSERT_EQ(fewer.status, 409) << fewer.body;
  EXPECT_EQ(fewer.json().at("conflicts").at(0).at("kind"), "capacity");
  auto more = patch(path_of("/v1/groups", group), {{"capacity", 3}});
  ASSERT_EQ(more.status, 200) << more.body;
  EXPECT_EQ(placement(late.json().at("id").as_int64()).at("status"), "offered");
  EXPECT_EQ(daemon->post("/v1/enrollments/999/accept", json::object{}).status, 404);
  EXPECT_EQ(daemon->get("/v1/enrollments/999").status, 404);
  EXPECT_EQ(fields_of(daemon->post("/v1/enrollments", {{"episode_id", 998}, {"group_id", 999}})),
            (std::set<std::string>{"episode_id", "group_id"}));
}

date::local_days monday_of(date::local_days d) { return d - (date::weekday{d} - date::Monday); }
std::string iso_label(date::local_days d) { return date::format("%G-W%V", d); }

// A group on three weekdays, 09:00-12:00: 9 hours in each full week.
TEST_F(care_test, weekly_hours_count_scheduled_sessions_against_the_level_in_force) {
  start_clinic();
  const auto site = new_site();
  const auto counselor = new_staff("dana");
  const auto kim = new_client("Kim", "+15550001001");
  const auto tomorrow = today() + date::days{1};
  const auto group = new_group(site,
                               {weekday_name(tomorrow).c_str(), weekday_name(tomorrow + date::days{2}).c_str(),
                                weekday_name(tomorrow + date::days{4}).c_str()},
                               "09:00", "12:00", {{"first_date", day(-30)}});
  const auto begins = monday_of(today()) - date::days{14};
  auto made = daemon->post("/v1/episodes", {{"client_id", kim},
                                            {"site_id", site},
                                            {"counselor_id", counselor},
                                            {"level_of_care", "iop"},
                                            {"start_date", date::format("%F", begins)},
                                            {"planned_weeks", 6}});
  ASSERT_EQ(made.status, 201) << made.body;
  const auto ep = made.json().at("id").as_int64();
  ASSERT_EQ(place(ep, group, {{"start_date", date::format("%F", begins)}}).status, 201);

  const auto hours_path = path_of("/v1/episodes", ep, "/hours");
  const auto weeks_of = [&](const std::string& query) {
    auto res = daemon->get(hours_path + query);
    EXPECT_EQ(res.status, 200) << res.body;
    return res.status == 200 ? res.json().at("weeks").as_array() : json::array{};
  };
  const auto range =
      "?from=" + date::format("%F", begins - date::days{14}) + "&to=" + date::format("%F", begins + date::days{41});
  auto weeks = weeks_of(range);
  ASSERT_EQ(weeks.size(), 6u) << "the two weeks before the episode are left out: " << json::serialize(weeks);
  for (std::size_t i = 0; i < weeks.size(); ++i) {
    EXPECT_EQ(weeks[i].at("week"), iso_label(begins + date::days{7 * static_cast<int>(i)}).c_str());
    EXPECT_EQ(weeks[i].at("scheduled_hours").to_number<double>(), 9.0) << json::serialize(weeks[i]);
    EXPECT_EQ(weeks[i].at("required_hours").to_number<double>(), 9.0);
    EXPECT_EQ(weeks[i].at("level_of_care"), "iop");
  }
  // The default range is the planned program.
  EXPECT_EQ(weeks_of("").size(), 6u);

  // Tomorrow's session is cancelled: its week has 6 hours scheduled, 3 short.
  const auto session = session_on(group, tomorrow);
  ASSERT_FALSE(session.empty());
  ASSERT_EQ(
      daemon->post(path_of("/v1/sessions", session.at("id").as_int64(), "/cancel"), {{"reason", "holiday"}}).status,
      200);
  const auto short_week = static_cast<std::size_t>((monday_of(tomorrow) - begins).count() / 7);
  weeks = weeks_of(range);
  ASSERT_EQ(weeks.size(), 6u);
  EXPECT_EQ(weeks[short_week].at("scheduled_hours").to_number<double>(), 6.0) << json::serialize(weeks);
  EXPECT_EQ(weeks[short_week].at("shortfall_hours").to_number<double>(), 3.0);
  EXPECT_EQ(weeks[short_week + 1].at("scheduled_hours").to_number<double>(), 9.0);

  // The episode's own requirement is what later weeks are judged against.
  ASSERT_EQ(patch(path_of("/v1/episodes", ep), {{"weekly_hours_required", 12}}).status, 200);
  EXPECT_EQ(weeks_of(range)[short_week + 1].at("required_hours").to_number<double>(), 12.0);

  // A step down to OP on a Wednesday: that week is still judged as IOP, the next one as OP (and
  // the IOP group's place ends the day before).
  const auto step_week = monday_of(tomorrow) + date::days{7};
  const auto wednesday = step_week + date::days{2};
  auto down = daemon->post(path_of("/v1/episodes", ep, "/level"),
                           {{"level_of_care", "op"}, {"effective_date", date::format("%F", wednesday)}});
  ASSERT_EQ(down.status, 200) << down.body;
  weeks = weeks_of(range);
  ASSERT_EQ(weeks.size(), 6u);
  const auto at_step = short_week + 1;
  EXPECT_EQ(weeks[at_step].at("level_of_care"), "iop");
  int early_days = 0;  // Monday and Tuesday of that week on which the group meets
  for (const auto d : {step_week, step_week + date::days{1}})
    for (const auto g : {tomorrow, tomorrow + date::days{2}, tomorrow + date::days{4}})
      early_days += date::weekday{d} == date::weekday{g};
  EXPECT_EQ(weeks[at_step].at("scheduled_hours").to_number<double>(), 3.0 * early_days);
  EXPECT_EQ(weeks[at_step + 1].at("level_of_care"), "op");
  EXPECT_EQ(weeks[at_step + 1].at("required_hours").to_number<double>(), 2.0) << "care.weekly_hours_op";
  EXPECT_EQ(weeks[at_step + 1].at("scheduled_hours").to_number<double>(), 0.0);

  // Weeks after discharge are left out.
  const auto last = step_week + date::days{9};
  ASSERT_EQ(daemon
                ->post(path_of("/v1/episodes", ep, "/discharge"),
                       {{"date", date::format("%F", last)}, {"outcome", "completed"}})
                .status,
            200);
  weeks = weeks_of(range);
  ASSERT_EQ(weeks.size(), at_step + 2) << json::serialize(weeks);
  EXPECT_EQ(weeks.back().at("week"), iso_label(last).c_str());
  EXPECT_TRUE(weeks.back().at("partial").as_bool());

  EXPECT_EQ(fields_of(daemon->get(hours_path + "?from=2026-02-30&to=soon")), (std::set<std::string>{"from", "to"}));
  EXPECT_EQ(fields_of(daemon->get(hours_path + "?from=2026-03-02&to=2026-03-01")), std::set<std::string>{"to"});
  EXPECT_EQ(daemon->get("/v1/episodes/999/hours").status, 404);
}

TEST_F(care_test, the_audit_log_shows_each_episode_and_placement_change_before_and_after) {
  start_clinic();
  const auto site = new_site();
  const auto counselor = new_staff("dana");
  const auto kim = new_client("Kim", "+15550001001");
  const auto ash = new_client("Ash", "+15550001002");
  const auto group = new_group(site, {"tue"}, "18:00", "20:00", {{"capacity", 1}, {"level_of_care", "iop"}});
  const auto ep = new_episode(kim, site, counselor, "iop", day(-7));
  const auto ash_ep = new_episode(ash, site, counselor, "iop", day(-7));
  const auto path = path_of("/v1/episodes", ep);
  ASSERT_EQ(patch(path, {{"planned_weeks", 10}}).status, 200);
  auto placed = place(ep, group);
  ASSERT_EQ(placed.status, 201) << placed.body;
  const auto kim_place = placed.json().at("id").as_int64();
  auto waiting = place(ash_ep, group, {{"waitlist", true}});
  ASSERT_EQ(waiting.status, 201) << waiting.body;
  ASSERT_EQ(daemon->post(path + "/level", {{"level_of_care", "op"}, {"effective_date", day(0)}}).status, 200);
  ASSERT_EQ(daemon->post(path + "/discharge", {{"date", day(1)}, {"outcome", "transferred"}}).status, 200);

  const auto log = audit_of("episode", ep);
  ASSERT_EQ(log.size(), 4u) << json::serialize(log);
  EXPECT_EQ(log[0].at("action"), "create");
  EXPECT_TRUE(log[0].at("before").is_null());
  EXPECT_EQ(log[0].at("after").at("level_of_care"), "iop");
  EXPECT_EQ(log[1].at("action"), "update");
  EXPECT_EQ(log[1].at("before").at("planned_weeks"), 12);
  EXPECT_EQ(log[1].at("after").at("planned_weeks"), 10);
  EXPECT_EQ(log[2].at("action"), "step_down");
  EXPECT_EQ(log[2].at("before").at("level_of_care"), "iop");
  EXPECT_EQ(log[2].at("after").at("level_of_care"), "op");
  EXPECT_EQ(log[2].at("detail").at("placements_ended"), (json::array{kim_place}));
  EXPECT_EQ(log[3].at("action"), "discharge");
  EXPECT_EQ(log[3].at("before").at("status"), "active");
  EXPECT_EQ(log[3].at("after").at("status"), "discharged");
  EXPECT_EQ(log[3].at("after").at("discharge_outcome"), "transferred");

  // The placement's own entries: made, then ended by the step down.
  const auto placement_log = audit_of("enrollment", kim_place);
  ASSERT_EQ(placement_log.size(), 2u) << json::serialize(placement_log);
  EXPECT_EQ(placement_log[0].at("action"), "create");
  EXPECT_TRUE(placement_log[0].at("before").is_null());
  EXPECT_EQ(placement_log[0].at("after").at("status"), "active");
  EXPECT_EQ(placement_log[0].at("after").at("episode_id"), ep);
  EXPECT_EQ(placement_log[1].at("action"), "end");
  EXPECT_EQ(placement_log[1].at("before").at("status"), "active");
  EXPECT_EQ(placement_log[1].at("after").at("status"), "ended");
  EXPECT_EQ(text(placement_log[1].at("after").at("end_date")), day(-1));
  // Ash's seat offer is recorded against Ash's placement.
  const auto ash_log = audit_of("enrollment", waiting.json().at("id").as_int64());
  ASSERT_EQ(ash_log.size(), 2u) << json::serialize(ash_log);
  EXPECT_EQ(ash_log[1].at("action"), "offer_seat");
  EXPECT_EQ(ash_log[1].at("before").at("status"), "waitlisted");
  EXPECT_EQ(ash_log[1].at("after").at("status"), "offered");
  // And the group's.
  const auto group_log = audit_of("group", group);
  ASSERT_FALSE(group_log.empty());
  EXPECT_TRUE(group_log[0].at("before").is_null());
  EXPECT_EQ(group_log[0].at("after").at("capacity"), 1);
}

}  // namespace
}  // namespace rollcall::testing
