// Reading, changing and archiving the directory through the real daemon: cursor pagination
// that neither skips nor repeats rows, filters, PATCH semantics (partial, unknown fields, every
// bad field named, 404, 409 when archived), archive rules, and closures that are archived.
#include <pqxx/pqxx>

#include "clinic_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class directory_test : public clinic_test {};

TEST_F(directory_test, pages_never_skip_or_repeat_rows_even_when_rows_are_added_between_them) {
  start_daemon();
  std::vector<std::int64_t> expected;
  for (int i = 0; i < 7; ++i)
    expected.push_back(create("/v1/staff", {{"name", "S" + std::to_string(i)}, {"email", "s@example.org"}}));
  // Two more arrive while the caller is on page one, and another while on page two.
  int page = 0;
  auto ids = all_ids("/v1/staff", 3, [&] {
    ++page;
    if (page == 1)
      for (int i = 0; i < 2; ++i) expected.push_back(create("/v1/staff", {{"name", "New"}, {"phone", "+15550001234"}}));
    if (page == 2) expected.push_back(create("/v1/staff", {{"name", "Newer"}, {"phone", "+15550001234"}}));
  });
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(ids.size(), 10u);
  EXPECT_EQ(all_ids("/v1/staff", 200), expected);
  EXPECT_EQ(all_ids("/v1/staff", 10), expected);  // exactly one full page: no empty page after it

  auto first = daemon->get("/v1/staff").json();  // default limit 50
  EXPECT_EQ(first.at("items").as_array().size(), 10u);
  EXPECT_TRUE(first.at("next_cursor").is_null());

  EXPECT_EQ(fields_of(daemon->get("/v1/staff?limit=0")), std::set<std::string>{"limit"});
  EXPECT_EQ(fields_of(daemon->get("/v1/staff?limit=201")), std::set<std::string>{"limit"});
  EXPECT_EQ(fields_of(daemon->get("/v1/staff?limit=ten&cursor=%21%21")), (std::set<std::string>{"limit", "cursor"}));
  EXPECT_EQ(fields_of(daemon->get("/v1/staff?cursor=MTI")), std::set<std::string>{"cursor"});  // "12": no prefix
  EXPECT_EQ(fields_of(daemon->get("/v1/staff?status=gone")), std::set<std::string>{"status"});
  EXPECT_EQ(daemon->get("/v1/staff?limit=0").status, 422);
}

TEST_F(directory_test, sites_are_listed_changed_and_archived) {
  start_daemon();
  const auto east = create("/v1/sites", {{"name", "Eastside"}, {"time_zone", "America/New_York"}});
  const auto west = create("/v1/sites", {{"name", "Westside"}, {"time_zone", "America/Los_Angeles"}});
  const auto path = "/v1/sites/" + std::to_string(east);

  auto changed = patch(path, {{"address", "12 Main St"}, {"phone", "+15550007777"}, {"time_zone", "America/Chicago"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json().at("name"), "Eastside");  // untouched
  EXPECT_EQ(changed.json().at("address"), "12 Main St");
  EXPECT_EQ(changed.json().at("time_zone"), "America/Chicago");
  EXPECT_EQ(changed.json().at("status"), "active");
  EXPECT_EQ(daemon->get(path).json().at("phone"), "+15550007777");

  EXPECT_EQ(fields_of(patch(path, {{"name", ""}, {"phone", "555"}, {"time_zone", "Mars/Olympus"}, {"colour", "red"}})),
            (std::set<std::string>{"name", "phone", "time_zone", "colour"}));
  EXPECT_EQ(patch(path, {}).status, 422);
  EXPECT_EQ(daemon->request("PATCH", path, "{not json").status, 400);
  EXPECT_EQ(patch("/v1/sites/99", {{"name", "X"}}).status, 404);

  // Once it has a group its zone is fixed; archiving waits for the group to be archived.
  const auto group =
      create("/v1/groups", {{"site_id", east}, {"name", "G"}, {"slot", "evening"}, {"weekdays", every_day}});
  auto zone = patch(path, {{"time_zone", "UTC"}});
  EXPECT_EQ(zone.status, 409) << zone.body;
  EXPECT_EQ(fields_of(zone), std::set<std::string>{"time_zone"});
  EXPECT_EQ(patch(path, {{"time_zone", "America/Chicago"}, {"name", "East"}}).status, 200) << "same zone: no change";
  auto busy = daemon->post(path + "/archive", json::object{});
  EXPECT_EQ(busy.status, 409) << busy.body;
  EXPECT_EQ(fields_of(busy), std::set<std::string>{"groups"});
  EXPECT_NE(busy.body.find(std::to_string(group)), std::string::npos) << busy.body;

  sql("UPDATE groups SET archived_at = now() WHERE id = " + std::to_string(group));
  auto archived = daemon->post(path + "/archive", json::object{});
  ASSERT_EQ(archived.status, 200) << archived.body;
  EXPECT_EQ(archived.json().at("status"), "archived");
  EXPECT_FALSE(archived.json().at("archived_at").is_null());
  EXPECT_EQ(daemon->post(path + "/archive", json::object{}).status, 409);
  auto locked = patch(path, {{"name", "Again"}});
  EXPECT_EQ(locked.status, 409);
  EXPECT_EQ(fields_of(locked), std::set<std::string>{"status"});
  EXPECT_EQ(daemon->get(path).json().at("status"), "archived");
  EXPECT_EQ(daemon->post("/v1/sites/99/archive", json::object{}).status, 404);

  EXPECT_EQ(all_ids("/v1/sites", 1), std::vector<std::int64_t>{west});
  EXPECT_EQ(all_ids("/v1/sites?status=archived", 1), std::vector<std::int64_t>{east});
  EXPECT_EQ(all_ids("/v1/sites?status=all", 1), (std::vector<std::int64_t>{east, west}));
  EXPECT_EQ(daemon->get("/v1/sites").json().at("items").at(0).at("slots").at("morning").at("start_time"), "09:00");
}

TEST_F(directory_test, staff_are_read_changed_and_archived_only_when_free) {
  start_daemon();
  auto made = daemon->post("/v1/staff", {{"name", "Dana"}, {"email", "dana@example.org"}, {"external_id", "E-1"}});
  ASSERT_EQ(made.status, 201) << made.body;
  const auto dana = made.json().at("id").as_int64();
  EXPECT_EQ(made.json().at("external_id"), "E-1");
  EXPECT_EQ(made.json().at("status"), "active");
  const auto path = "/v1/staff/" + std::to_string(dana);
  auto taken = daemon->post("/v1/staff", {{"name", "Eve"}, {"email", "eve@example.org"}, {"external_id", "E-1"}});
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(fields_of(taken), std::set<std::string>{"external_id"});
  const auto eve = create("/v1/staff", {{"name", "Eve"}, {"email", "eve@example.org"}});
  EXPECT_TRUE(daemon->get("/v1/staff/" + std::to_string(eve)).json().at("external_id").is_null());

  auto got = daemon->get(path);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json().at("name"), "Dana");
  EXPECT_EQ(daemon->get("/v1/staff/99").status, 404);

  auto changed =
      patch(path, {{"phone", "+15550002222"}, {"email", nullptr}, {"alert_webhook_url", "https://a.example.org/d"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json().at("name"), "Dana");
  EXPECT_EQ(changed.json().at("email"), "");
  EXPECT_EQ(changed.json().at("phone"), "+15550002222");
  EXPECT_EQ(fields_of(patch(path, {{"name", nullptr},
                                   {"phone", "12"},
                                   {"email", "nope"},
                                   {"alert_webhook_url", "ftp://x"},
                                   {"external_id", std::string(65, 'x')},
                                   {"role", "boss"}})),
            (std::set<std::string>{"name", "phone", "email", "alert_webhook_url", "external_id", "role"}));
  auto unreachable = patch(path, {{"phone", ""}, {"alert_webhook_url", nullptr}});
  EXPECT_EQ(unreachable.status, 422);
  EXPECT_EQ(fields_of(unreachable), std::set<std::string>{"alert_webhook_url"});
  auto dup = patch("/v1/staff/" + std::to_string(eve), {{"external_id", "E-1"}});
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(fields_of(dup), std::set<std::string>{"external_id"});
  EXPECT_EQ(patch("/v1/staff/99", {{"name", "X"}}).status, 404);

  // Dana counsels an active episode (through an enrolment) and facilitates a group.
  const auto site = create("/v1/sites", {{"name", "S"}, {"time_zone", "UTC"}});
  const auto group =
      create("/v1/groups", {{"site_id", site}, {"name", "G"}, {"slot", "evening"}, {"weekdays", every_day}});
  const auto client = create("/v1/clients", {{"first_name", "Kim"}});
  create("/v1/enrollments",
         {{"client_id", client}, {"group_id", group}, {"counselor_id", dana}, {"start_date", "2020-01-01"}});
  sql("INSERT INTO group_facilitators (group_id, staff_id) VALUES (" + std::to_string(group) + ", " +
      std::to_string(dana) + ")");
  auto busy = daemon->post(path + "/archive", json::object{});
  EXPECT_EQ(busy.status, 409) << busy.body;
  EXPECT_EQ(fields_of(busy), (std::set<std::string>{"episodes", "groups"}));
  sql("UPDATE episodes SET status = 'discharged', discharge_date = '2020-02-01', discharge_outcome = 'completed'");
  busy = daemon->post(path + "/archive", json::object{});
  EXPECT_EQ(fields_of(busy), std::set<std::string>{"groups"});
  sql("UPDATE groups SET archived_at = now()");

  auto archived = daemon->post(path + "/archive", json::object{});
  ASSERT_EQ(archived.status, 200) << archived.body;
  EXPECT_EQ(archived.json().at("status"), "archived");
  EXPECT_EQ(patch(path, {{"name", "Dana R."}}).status, 409);
  EXPECT_EQ(daemon->post(path + "/archive", json::object{}).status, 409);
  EXPECT_EQ(all_ids("/v1/staff", 5), std::vector<std::int64_t>{eve});
  EXPECT_EQ(all_ids("/v1/staff?status=archived", 5), std::vector<std::int64_t>{dana});
  EXPECT_EQ(all_ids("/v1/staff?status=all", 5), (std::vector<std::int64_t>{dana, eve}));
}

TEST_F(directory_test, clients_are_filtered_by_site_and_archived_only_without_an_active_episode) {
  start_daemon();
  const auto east = create("/v1/sites", {{"name", "E"}, {"time_zone", "UTC"}});
  const auto west = create("/v1/sites", {{"name", "W"}, {"time_zone", "UTC"}});
  const auto counselor = create("/v1/staff", {{"name", "C"}, {"email", "c@example.org"}});
  const auto g_east =
      create("/v1/groups", {{"site_id", east}, {"name", "G"}, {"slot", "evening"}, {"weekdays", every_day}});
  const auto g_west =
      create("/v1/groups", {{"site_id", west}, {"name", "G"}, {"slot", "evening"}, {"weekdays", every_day}});
  const auto kim = create("/v1/clients", {{"first_name", "Kim"}, {"external_id", "MRN-1"}});
  const auto lee = create("/v1/clients", {{"first_name", "Lee"}, {"phone", "+15550003333"}});
  const auto max = create("/v1/clients", {{"first_name", "Max"}});
  for (auto [client, group] : {std::pair{kim, g_east}, std::pair{lee, g_west}, std::pair{max, g_east}})
    create("/v1/enrollments",
           {{"client_id", client}, {"group_id", group}, {"counselor_id", counselor}, {"start_date", "2020-01-01"}});

  EXPECT_EQ(all_ids("/v1/clients?site_id=" + std::to_string(east), 1), (std::vector<std::int64_t>{kim, max}));
  EXPECT_EQ(all_ids("/v1/clients?site_id=" + std::to_string(west), 1), std::vector<std::int64_t>{lee});
  EXPECT_EQ(all_ids("/v1/clients?site_id=99", 1), std::vector<std::int64_t>{});
  EXPECT_EQ(fields_of(daemon->get("/v1/clients?site_id=x&status=y&limit=-1")),
            (std::set<std::string>{"site_id", "status", "limit"}));

  const auto path = "/v1/clients/" + std::to_string(kim);
  EXPECT_EQ(daemon->get(path).json().at("external_id"), "MRN-1");
  EXPECT_EQ(daemon->get("/v1/clients/99").status, 404);
  auto changed = patch(path, {{"email", "kim@example.org"}, {"external_id", nullptr}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json().at("first_name"), "Kim");
  EXPECT_TRUE(changed.json().at("external_id").is_null());
  EXPECT_EQ(fields_of(patch(path, {{"first_name", ""}, {"phone", "0"}, {"email", "@"}, {"age", 3}})),
            (std::set<std::string>{"first_name", "phone", "email", "age"}));
  EXPECT_EQ(patch("/v1/clients/99", {{"first_name", "X"}}).status, 404);
  ASSERT_EQ(patch("/v1/clients/" + std::to_string(lee), {{"external_id", "MRN-2"}}).status, 200);
  EXPECT_EQ(fields_of(patch(path, {{"external_id", "MRN-2"}})), std::set<std::string>{"external_id"});

  auto busy = daemon->post(path + "/archive", json::object{});
  EXPECT_EQ(busy.status, 409) << busy.body;
  EXPECT_EQ(fields_of(busy), std::set<std::string>{"episodes"});
  sql("UPDATE episodes SET status = 'discharged', discharge_date = '2020-02-01', discharge_outcome = 'completed'"
      " WHERE client_id = " +
      std::to_string(kim));
  auto archived = daemon->post(path + "/archive", json::object{});
  ASSERT_EQ(archived.status, 200) << archived.body;
  EXPECT_EQ(archived.json().at("status"), "archived");
  EXPECT_EQ(patch(path, {{"first_name", "K"}}).status, 409);
  EXPECT_EQ(all_ids("/v1/clients?site_id=" + std::to_string(east), 5), std::vector<std::int64_t>{max});
  EXPECT_EQ(all_ids("/v1/clients?status=archived&site_id=" + std::to_string(east), 5), std::vector<std::int64_t>{kim});
  EXPECT_EQ(all_ids("/v1/clients?status=all", 2), (std::vector<std::int64_t>{kim, lee, max}));
}

TEST_F(directory_test, an_archived_closure_no_longer_closes_days_but_its_cancellations_stay) {
  start_daemon({.lead_times = R"(["1h"])", .grace = "1h"});
  const auto today = std::chrono::floor<date::days>(std::chrono::system_clock::now());
  const auto day = [&](int n) { return date::format("%F", today + date::days{n}); };
  const char* names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  const auto site = create("/v1/sites", {{"name", "S"}, {"time_zone", "UTC"}});
  const auto staff = create("/v1/staff", {{"name", "C"}, {"email", "c@example.org"}});
  const auto client = create("/v1/clients", {{"first_name", "Kim"}, {"phone", "+15550009999"}});
  const json::object late{{"site_id", site}, {"slot", "evening"}, {"start_time", "23:00"}, {"end_time", "23:30"}};
  auto daily = late, weekly = late;
  daily["name"] = "Daily";
  daily["weekdays"] = every_day;
  weekly["name"] = "Weekly";  // meets only on the day after tomorrow's weekday
  weekly["weekdays"] = json::array{names[date::weekday{today + date::days{2}}.c_encoding()]};
  const auto group = create("/v1/groups", daily);
  const auto other = create("/v1/groups", weekly);
  create("/v1/enrollments",
         {{"client_id", client}, {"group_id", group}, {"counselor_id", staff}, {"start_date", "2020-01-01"}});
  const auto session_of = [&](std::int64_t g, const std::string& local_date) -> std::int64_t {
    pqxx::connection c{db_url};
    pqxx::read_transaction tx{c};
    auto r = tx.exec("SELECT id FROM sessions WHERE group_id = " + std::to_string(g) + " AND local_date = '" +
                     local_date + "'");
    return r.empty() ? 0 : r[0][0].as<std::int64_t>();
  };
  ASSERT_TRUE(eventually([&] { return session_of(group, day(1)) != 0 && session_of(other, day(2)) != 0; }, 10s));

  // Tomorrow (planned already) and a day ten days out (beyond the planner's horizon).
  const auto sp = "/v1/sites/" + std::to_string(site);
  auto near = daemon->post(sp + "/closures", {{"first_date", day(1)}, {"reason", "training"}});
  ASSERT_EQ(near.status, 201) << near.body;
  EXPECT_EQ(near.json().at("sessions_cancelled"), 1);
  auto far = daemon->post(sp + "/closures", {{"first_date", day(10)}, {"reason", "holiday"}});
  ASSERT_EQ(far.status, 201) << far.body;
  const auto preview = [&] {
    return daemon->get(sp + "/preview?from=" + day(10) + "&to=" + day(10)).json().at("messages").as_array().size();
  };
  EXPECT_EQ(preview(), 0u);
  const auto move_path = "/v1/sessions/" + std::to_string(session_of(other, day(2))) + "/move";
  auto refused = daemon->post(move_path, {{"date", day(1)}, {"reason", "swap"}});
  EXPECT_EQ(refused.status, 409) << refused.body;

  for (const auto& c : {near, far}) {
    const auto id = std::to_string(c.json().at("id").as_int64());
    auto archived = daemon->post(sp + "/closures/" + id + "/archive", json::object{});
    ASSERT_EQ(archived.status, 200) << archived.body;
    EXPECT_EQ(archived.json().at("status"), "archived");
    EXPECT_NE(archived.json().at("note").as_string().find("stay cancelled"), std::string::npos);
    EXPECT_EQ(daemon->post(sp + "/closures/" + id + "/archive", json::object{}).status, 409);
  }
  EXPECT_EQ(daemon->post(sp + "/closures/99/archive", json::object{}).status, 404);
  EXPECT_EQ(daemon->post("/v1/sites/99/closures/1/archive", json::object{}).status, 404);

  // The preview, a move and the planner see both days open again; tomorrow's cancelled session
  // stays cancelled.
  EXPECT_EQ(preview(), 1u);
  EXPECT_EQ(
      count("SELECT count(*) FROM sessions WHERE cancelled AND id = " + std::to_string(session_of(group, day(1)))), 1);
  auto moved = daemon->post(move_path, {{"date", day(1)}, {"reason", "swap"}});
  EXPECT_EQ(moved.status, 200) << moved.body;
  daily["name"] = "Later";
  const auto later = create("/v1/groups", daily);
  ASSERT_TRUE(eventually([&] { return session_of(later, day(1)) != 0; }, 10s));
  EXPECT_EQ(
      count("SELECT count(*) FROM sessions WHERE NOT cancelled AND id = " + std::to_string(session_of(later, day(1)))),
      1);

  EXPECT_EQ(daemon->get(sp + "/closures").json().at("closures").as_array().size(), 0u);
  EXPECT_EQ(daemon->get(sp + "/closures?status=archived").json().at("closures").as_array().size(), 2u);
  EXPECT_EQ(daemon->get(sp + "/closures?status=all").json().at("closures").as_array().size(), 2u);
  EXPECT_EQ(fields_of(daemon->get(sp + "/closures?status=old")), std::set<std::string>{"status"});
  EXPECT_EQ(daemon->get("/v1/sites/99/closures").status, 404);
}

TEST_F(directory_test, sessions_are_listed_with_filters_and_read_one_by_one) {
  start_daemon({.lead_times = R"(["1h"])", .grace = "1h"});
  const auto east = create("/v1/sites", {{"name", "E"}, {"time_zone", "UTC"}});
  const auto west = create("/v1/sites", {{"name", "W"}, {"time_zone", "UTC"}});
  const auto a = create("/v1/groups", {{"site_id", east},
                                       {"name", "A"},
                                       {"slot", "evening"},
                                       {"weekdays", every_day},
                                       {"first_date", "2020-01-01"},
                                       {"start_time", "23:00"},
                                       {"end_time", "23:30"}});
  const auto b = create("/v1/groups", {{"site_id", west},
                                       {"name", "B"},
                                       {"slot", "evening"},
                                       {"weekdays", every_day},
                                       {"first_date", "2020-01-01"},
                                       {"start_time", "23:00"},
                                       {"end_time", "23:30"}});
  const auto today = std::chrono::floor<date::days>(std::chrono::system_clock::now());
  const auto day = [&](int n) { return date::format("%F", today + date::days{n}); };
  // The planner plans today (if 23:00 is still ahead, or not: it plans the horizon's days) .. +2.
  ASSERT_TRUE(
      eventually([&] { return count("SELECT count(*) FROM sessions WHERE local_date = '" + day(2) + "'") == 2; }, 10s));
  const int total = count("SELECT count(*) FROM sessions");
  const int of_a = count("SELECT count(*) FROM sessions WHERE group_id = " + std::to_string(a));

  auto everything = all_ids("/v1/sessions", 2);
  EXPECT_EQ(static_cast<int>(everything.size()), total);
  EXPECT_TRUE(std::is_sorted(everything.begin(), everything.end()));
  EXPECT_EQ(std::set<std::int64_t>(everything.begin(), everything.end()).size(), everything.size());
  EXPECT_EQ(static_cast<int>(all_ids("/v1/sessions?site_id=" + std::to_string(east), 1).size()), of_a);
  EXPECT_EQ(static_cast<int>(all_ids("/v1/sessions?group_id=" + std::to_string(b), 1).size()), total - of_a);
  EXPECT_EQ(all_ids("/v1/sessions?from=" + day(2) + "&to=" + day(2), 5).size(), 2u);
  EXPECT_EQ(all_ids("/v1/sessions?group_id=" + std::to_string(a) + "&from=" + day(1) + "&to=" + day(2), 5).size(), 2u);

  auto one = all_ids("/v1/sessions?group_id=" + std::to_string(a) + "&from=" + day(2), 5);
  ASSERT_EQ(one.size(), 1u);
  ASSERT_EQ(daemon->post("/v1/sessions/" + std::to_string(one[0]) + "/cancel", {{"reason", "x"}}).status, 200);
  EXPECT_EQ(all_ids("/v1/sessions?status=cancelled", 5), one);
  EXPECT_EQ(static_cast<int>(all_ids("/v1/sessions?status=scheduled", 5).size()), total - 1);

  auto got = daemon->get("/v1/sessions/" + std::to_string(one[0]));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json().at("local_date").as_string(), day(2));
  EXPECT_EQ(got.json().at("group_id"), a);
  EXPECT_TRUE(got.json().at("cancelled").as_bool());
  EXPECT_EQ(daemon->get("/v1/sessions/999999").status, 404);
  EXPECT_EQ(fields_of(daemon->get("/v1/sessions?site_id=0&group_id=x&from=2020-13-01&to=tomorrow&status=done")),
            (std::set<std::string>{"site_id", "group_id", "from", "to", "status"}));
  EXPECT_EQ(fields_of(daemon->get("/v1/sessions?from=2020-02-01&to=2020-01-01")), std::set<std::string>{"to"});
}

}  // namespace
}  // namespace rollcall::testing
