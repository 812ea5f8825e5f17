// Attendance and weekly-hours reports through the real daemon: two past weeks of sessions at two
// sites, marked through the API (a correction, an excuse, minutes late and attended) and by SQL
// (a mark on a cancelled session, a client marked without a placement); the reports must match
// the marks exactly, as JSON and as CSV, and refuse bad ranges naming the field.
#include <map>

#include "care_fixture.hpp"
#include "rollcall/domain/care.hpp"
#include "rollcall/domain/csv.hpp"

namespace rollcall::testing {
namespace {

class reports_test : public care_test {
 protected:
  // A past session of `group` on `d` from `start` for `length` (the planner only plans from today).
  std::int64_t past_session(std::int64_t group, date::local_days d, std::chrono::minutes start,
                            std::chrono::minutes length, bool cancelled = false) {
    const auto date = date::format("%F", d);
    sql("INSERT INTO sessions (group_id, scheduled_date, local_date, starts_at, ends_at, cancelled) VALUES (" +
        std::to_string(group) + ", '" + date + "', '" + date + "', '" + instant(d, start) + "', '" +
        instant(d, start + length) + "', " + (cancelled ? "true" : "false") + ")");
    return std::stoll(scalar("SELECT id FROM sessions WHERE group_id = " + std::to_string(group) +
                             " AND local_date = '" + date + "'"));
  }
  void mark(std::int64_t session, std::int64_t client, const std::string& status, json::object extra = {}) {
    extra["client_id"] = client;
    extra["status"] = status;
    auto res = daemon->post(path_of("/v1/sessions", session, "/attendance"), extra);
    ASSERT_EQ(res.status, 201) << res.body;
  }
  json::object report(const std::string& query) {
    auto res = daemon->get("/v1/reports/" + query);
    EXPECT_EQ(res.status, 200) << query << ": " << res.body;
    EXPECT_EQ(res.content_type, "application/json");
    return res.status == 200 ? res.json().as_object() : json::object{};
  }
  // Rows of a report keyed by one column's text.
  std::map<std::string, json::object> rows_by(const json::object& body, const std::string& column) {
    std::map<std::string, json::object> out;
    if (!body.contains("rows")) return out;
    for (const auto& r : body.at("rows").as_array()) out[text(r.at(column))] = r.as_object();
    return out;
  }
  static double number(const json::object& row, const char* column) { return row.at(column).to_number<double>(); }
  // expected, present, late, left_early, absent, excused, unmarked, upcoming
  static std::vector<std::int64_t> counts(const json::object& row) {
    std::vector<std::int64_t> out;
    for (const char* c : {"expected", "present", "late", "left_early", "absent", "excused", "unmarked", "upcoming"})
      out.push_back(row.at(c).as_int64());
    return out;
  }
  using v = std::vector<std::int64_t>;
};

TEST_F(reports_test, attendance_and_weekly_hours_match_the_marks) {
  // No automatic absences: the unmarked session stays unmarked.
  start_clinic({.grace = "30d"});
  const auto monday = domain::iso_week_of(today()).monday - date::days{14};  // two whole weeks ago
  const auto week1 = domain::iso_week_of(monday).label(), week2 = domain::iso_week_of(monday + date::days{7}).label();
  const auto first = date::format("%F", monday), last = date::format("%F", monday + date::days{13});
  const auto range = "from=" + first + "&to=" + last;

  const auto east = new_site("Eastside"), west = new_site("Westside");
  const auto dana = new_staff("dana");
  const auto ana = new_client("Ana", "+15550002001"), ben = new_client("Ben", "+15550002002"),
             cy = new_client("Cy", "+15550002003"), dee = new_client("Dee", "+15550002004");
  const auto begun = date::format("%F", monday - date::days{7});
  // G1 at Eastside Mon/Wed 10:00-12:00; G2 at Westside Tue 14:00-15:30.
  const auto g1 = new_group(east, {"mon", "wed"}, "10:00", "12:00", {{"name", "Mornings"}, {"first_date", begun}});
  const auto g2 = new_group(west, {"tue"}, "14:00", "15:30", {{"name", "Afternoons"}, {"first_date", begun}});
  const auto ana_ep = new_episode(ana, east, dana, "iop", begun);  // 9 h a week (care.weekly_hours_iop)
  const auto ben_ep = create("/v1/episodes", {{"client_id", ben},
                                              {"site_id", east},
                                              {"counselor_id", dana},
                                              {"level_of_care", "iop"},
                                              {"start_date", begun},
                                              {"weekly_hours_required", 1}});
  const auto cy_ep = new_episode(cy, west, dana, "iop", begun);
  for (const auto& [ep, g] : {std::pair{ana_ep, g1}, {ben_ep, g1}, {cy_ep, g2}}) {
    auto placed = place(ep, g, {{"start_date", begun}});
    ASSERT_EQ(placed.status, 201) << placed.body;
  }

  const auto s1 = past_session(g1, monday, 10h, 120min);
  const auto s2 = past_session(g1, monday + date::days{2}, 10h, 120min);
  const auto s3 = past_session(g1, monday + date::days{7}, 10h, 120min);
  const auto s4 = past_session(g1, monday + date::days{9}, 10h, 120min, true);  // cancelled
  const auto s5 = past_session(g2, monday + date::days{1}, 14h, 90min);
  const auto s6 = past_session(g2, monday + date::days{8}, 14h, 90min);
  mark(s1, ana, "absent");
  mark(s1, ana, "present");  // a correction: the later mark counts
  mark(s1, ben, "late", {{"minutes", 30}});
  mark(s2, ana, "left_early", {{"minutes", 60}});
  mark(s2, ben, "excused", {{"reason", "court date"}});
  mark(s3, ana, "present");  // Ben has no mark at s3: unmarked
  mark(s5, cy, "present");
  mark(s6, cy, "absent");
  // A mark on a cancelled session counts nowhere; Dee, marked without a placement, is expected.
  sql("INSERT INTO attendance_marks (session_id, client_id, status, source, marked_by) VALUES (" + std::to_string(s4) +
      ", " + std::to_string(ana) + ", 'present', 'staff', 'test'), (" + std::to_string(s5) + ", " +
      std::to_string(dee) + ", 'present', 'staff', 'test')");

  // By client. Ana: s1 present (corrected), s2 left early after 60 of 120 min, s3 present.
  auto body = report("attendance?" + range + "&by=client");
  EXPECT_EQ(body.at("from"), first.c_str());
  EXPECT_EQ(body.at("to"), last.c_str());
  auto rows = rows_by(body, "client_id");
  ASSERT_EQ(rows.size(), 4u) << json::serialize(body);
  const auto a = rows[std::to_string(ana)];
  EXPECT_EQ(a.at("first_name"), "Ana");
  EXPECT_EQ(counts(a), (v{3, 2, 0, 1, 0, 0, 0, 0}));
  EXPECT_EQ(number(a, "attended_hours"), 5.0);
  EXPECT_EQ(number(a, "scheduled_hours"), 6.0);
  EXPECT_EQ(number(a, "attendance_rate"), 1.0);
  // Ben: 30 minutes late (1.5 h of 2), excused (out of the rate), unmarked (out of the rate).
  const auto b = rows[std::to_string(ben)];
  EXPECT_EQ(counts(b), (v{3, 0, 1, 0, 0, 1, 1, 0}));
  EXPECT_EQ(number(b, "attended_hours"), 1.5);
  EXPECT_EQ(number(b, "scheduled_hours"), 6.0);
  EXPECT_EQ(number(b, "attendance_rate"), 1.0);
  const auto c = rows[std::to_string(cy)];
  EXPECT_EQ(counts(c), (v{2, 1, 0, 0, 1, 0, 0, 0}));
  EXPECT_EQ(number(c, "attended_hours"), 1.5);
  EXPECT_EQ(number(c, "attendance_rate"), 0.5);
  EXPECT_EQ(counts(rows[std::to_string(dee)]), (v{1, 1, 0, 0, 0, 0, 0, 0}));
  const auto totals = body.at("totals").as_object();
  EXPECT_EQ(counts(totals), (v{9, 4, 1, 1, 1, 1, 1, 0}));
  EXPECT_EQ(number(totals, "attended_hours"), 9.5);
  EXPECT_EQ(number(totals, "scheduled_hours"), 16.5);
  EXPECT_NEAR(number(totals, "attendance_rate"), 6.0 / 7.0, 1e-4);

  // By group, site and week.
  rows = rows_by(report("attendance?" + range + "&by=group"), "group_id");
  ASSERT_EQ(rows.size(), 2u);
  const auto r1 = rows[std::to_string(g1)];
  EXPECT_EQ(r1.at("group_name"), "Mornings");
  EXPECT_EQ(r1.at("site_id").as_int64(), east);
  EXPECT_EQ(r1.at("site_name"), "Eastside");
  EXPECT_EQ(counts(r1), (v{6, 2, 1, 1, 0, 1, 1, 0}));
  EXPECT_EQ(number(r1, "attended_hours"), 6.5);
  const auto r2 = rows[std::to_string(g2)];
  EXPECT_EQ(counts(r2), (v{3, 2, 0, 0, 1, 0, 0, 0}));
  EXPECT_NEAR(number(r2, "attendance_rate"), 2.0 / 3.0, 1e-4);
  rows = rows_by(report("attendance?" + range + "&by=site"), "site_id");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[std::to_string(west)].at("site_name"), "Westside");
  EXPECT_EQ(counts(rows[std::to_string(west)]), counts(r2));
  EXPECT_EQ(number(rows[std::to_string(west)], "scheduled_hours"), 4.5);
  rows = rows_by(report("attendance?" + range + "&by=week"), "week");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[week1].at("monday"), first.c_str());
  EXPECT_EQ(counts(rows[week1]), (v{6, 3, 1, 1, 0, 1, 0, 0}));
  EXPECT_EQ(number(rows[week1], "attended_hours"), 7.5);
  EXPECT_EQ(number(rows[week1], "scheduled_hours"), 11.0);
  EXPECT_EQ(counts(rows[week2]), (v{3, 1, 0, 0, 1, 0, 1, 0}));
  EXPECT_EQ(number(rows[week2], "attendance_rate"), 0.5);

  // Filters narrow the rows: a site, a group, a client, a shorter range.
  rows = rows_by(report("attendance?" + range + "&by=client&site_id=" + std::to_string(west)), "client_id");
  EXPECT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows.contains(std::to_string(cy)) && rows.contains(std::to_string(dee)));
  rows = rows_by(report("attendance?" + range + "&by=client&group_id=" + std::to_string(g1)), "client_id");
  EXPECT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows.contains(std::to_string(ana)) && rows.contains(std::to_string(ben)));
  rows = rows_by(report("attendance?" + range + "&by=week&client_id=" + std::to_string(ben)), "week");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(counts(rows[week1]), (v{2, 0, 1, 0, 0, 1, 0, 0}));
  EXPECT_EQ(counts(rows[week2]), (v{1, 0, 0, 0, 0, 0, 1, 0}));
  rows = rows_by(report("attendance?from=" + date::format("%F", monday + date::days{7}) + "&to=" + last + "&by=client"),
                 "client_id");
  EXPECT_EQ(rows.size(), 3u) << "Dee was only marked in the first week";
  EXPECT_EQ(counts(rows[std::to_string(ana)]), (v{1, 1, 0, 0, 0, 0, 0, 0}));

  // CSV: the same rows and columns, as an attachment; also by Accept header.
  auto csv = daemon->get("/v1/reports/attendance?" + range + "&by=client&format=csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.content_disposition, "attachment; filename=\"attendance-by-client-" + first + "-to-" + last + ".csv\"");
  EXPECT_EQ(csv.cache_control, "private, no-store");
  auto parsed = domain::parse_csv(csv.body);
  ASSERT_TRUE(std::holds_alternative<std::vector<domain::csv_record>>(parsed));
  const auto& records = std::get<std::vector<domain::csv_record>>(parsed);
  const auto json_rows = report("attendance?" + range + "&by=client").at("rows").as_array();
  ASSERT_EQ(records.size(), json_rows.size() + 1);
  const auto& header = records[0].fields;
  EXPECT_EQ(header.front(), "client_id");
  for (std::size_t i = 0; i < json_rows.size(); ++i) {
    const auto& row = json_rows[i].as_object();
    ASSERT_EQ(row.size(), header.size());
    for (std::size_t col = 0; col < header.size(); ++col) {
      const auto& want = row.at(header[col]);
      const auto& got = records[i + 1].fields[col];
      if (want.is_null())
        EXPECT_EQ(got, "") << header[col];
      else if (want.is_double())
        EXPECT_EQ(std::stod(got), want.as_double()) << header[col];
      else
        EXPECT_EQ(got, text(want)) << header[col];
    }
  }
  auto accepted = daemon->request("GET", "/v1/reports/attendance?" + range + "&by=client", "", "test-token",
                                  {{"Accept", "text/csv"}});
  EXPECT_EQ(accepted.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(accepted.body, csv.body);

  // Weekly hours at Eastside: Ana (9 h required) and Ben (1 h), two weeks that are over.
  body = report("weekly-hours?" + range + "&site_id=" + std::to_string(east));
  const auto& weeks = body.at("rows").as_array();
  ASSERT_EQ(weeks.size(), 4u) << json::serialize(body);
  std::map<std::pair<std::int64_t, std::string>, json::object> by_week;
  for (const auto& w : weeks) by_week[{w.at("episode_id").as_int64(), text(w.at("week"))}] = w.as_object();
  const auto& a1 = by_week[{ana_ep, week1}];
  EXPECT_EQ(a1.at("client_id").as_int64(), ana);
  EXPECT_EQ(a1.at("first_name"), "Ana");
  EXPECT_EQ(number(a1, "required_hours"), 9.0);
  EXPECT_EQ(number(a1, "scheduled_hours"), 4.0);
  EXPECT_EQ(number(a1, "attended_hours"), 3.0);
  EXPECT_EQ(number(a1, "shortfall_hours"), 6.0);
  EXPECT_EQ(a1.at("met"), false);
  const auto& a2 = by_week[{ana_ep, week2}];
  EXPECT_EQ(number(a2, "scheduled_hours"), 2.0) << "the cancelled Wednesday counts nothing";
  EXPECT_EQ(number(a2, "attended_hours"), 2.0) << "nor does the mark on it";
  EXPECT_EQ(number(a2, "shortfall_hours"), 7.0);
  const auto& b1 = by_week[{ben_ep, week1}];
  EXPECT_EQ(number(b1, "required_hours"), 1.0);
  EXPECT_EQ(number(b1, "attended_hours"), 1.5);
  EXPECT_EQ(number(b1, "shortfall_hours"), 0.0);
  EXPECT_EQ(b1.at("met"), true);
  const auto& b2 = by_week[{ben_ep, week2}];
  EXPECT_EQ(number(b2, "attended_hours"), 0.0);
  EXPECT_EQ(b2.at("met"), false);
  // This week is not over: no verdict yet.
  body = report("weekly-hours?from=" + day(0) + "&to=" + day(0) + "&client_id=" + std::to_string(ana));
  ASSERT_EQ(body.at("rows").as_array().size(), 1u) << json::serialize(body);
  EXPECT_TRUE(body.at("rows").at(0).at("met").is_null());
  EXPECT_TRUE(body.at("rows").at(0).at("shortfall_hours").is_null());
  csv = daemon->get("/v1/reports/weekly-hours?" + range + "&site_id=" + std::to_string(east) + "&format=csv");
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_NE(csv.body.find(",Ana,"), std::string::npos) << csv.body;
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 5) << "a header and four weeks";
}

TEST_F(reports_test, bad_ranges_and_filters_are_422_naming_the_field) {
  start_clinic();
  const auto fields = [&](const std::string& query) { return fields_of(daemon->get("/v1/reports/" + query)); };
  EXPECT_EQ(fields("attendance?by=client"), (std::set<std::string>{"from", "to"}));
  EXPECT_EQ(fields("attendance?from=2026-02-30&to=2026-03-01&by=client"), std::set<std::string>{"from"});
  EXPECT_EQ(fields("attendance?from=2026-03-02&to=2026-03-01&by=client"), std::set<std::string>{"to"});
  EXPECT_EQ(fields("attendance?from=2026-01-01&to=2027-01-02&by=week"), std::set<std::string>{"to"});
  EXPECT_EQ(daemon->get("/v1/reports/attendance?from=2026-01-01&to=2027-01-01&by=week").status, 200)
      << "366 days are allowed";
  EXPECT_EQ(fields("attendance?from=2026-01-01&to=2026-01-31"), std::set<std::string>{"by"});
  EXPECT_EQ(fields("attendance?from=2026-01-01&to=2026-01-31&by=counselor"), std::set<std::string>{"by"});
  EXPECT_EQ(fields("attendance?from=2026-01-01&to=2026-01-31&by=site&site_id=x&format=xls"),
            (std::set<std::string>{"site_id", "format"}));
  EXPECT_EQ(fields("weekly-hours?to=2026-01-31"), std::set<std::string>{"from"});
  EXPECT_EQ(fields("weekly-hours?from=2026-01-01&to=2027-06-01"), std::set<std::string>{"to"});
  auto res = daemon->get("/v1/reports/attendance?from=2026-01-01&to=2026-01-31&by=client");
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_TRUE(res.json().at("rows").as_array().empty());
  EXPECT_TRUE(res.json().at("totals").at("attendance_rate").is_null());
  EXPECT_EQ(
      daemon->request("GET", "/v1/reports/attendance?from=2026-01-01&to=2026-01-31&by=client", "", std::nullopt).status,
      401);
}

}  // namespace
}  // namespace rollcall::testing
