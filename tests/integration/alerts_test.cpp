// Attendance alerts through the real daemon: unmarked clients on the roster after the grace
// period and absent once the session is over (one alert each, none for the excused or a
// cancelled session), routing to the counselor's chat and the site's front desk, the
// per-session digest, acknowledgements stopping re-sends down the escalation list, and the
// escalation rules (misses in a row, a low rate, weekly hours at risk) each firing once.
#include <thread>

#include "care_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class alerts_test : public care_test {
 protected:
  struct hours_clinic {
    std::int64_t site, counselor, case_manager;
  };
  // Only the weekly-hours rule on; a counselor Dana with an alert webhook and a case manager
  // with a chat webhook.
  hours_clinic start_hours_clinic() {
    pick_zone();
    start_clinic({.lead_times = R"(["1h"])",
                  .alerts_extra = "consecutive_misses = 0\nmin_attendance_percent = 0\n",
                  .hours_at_risk = true});
    const auto site = open_site();
    const auto dana = staff_with("Dana", "alert_webhook_url", "/alerts/dana");
    const auto cm = staff_with("Case Manager", "chat_webhook_url", "/chat/cm");
    return {site, dana, cm};
  }

  std::vector<json::object> received(const std::string& path) const {
    std::vector<json::object> out;
    for (const auto& r : sink.requests())
      if (r.target == path) out.push_back(json::parse(r.body).as_object());
    return out;
  }
  bool wait_received(const std::string& path, std::size_t n, std::chrono::seconds timeout = 60s) {
    return sink.wait_for(
        [&](const auto& all) {
          std::size_t k = 0;
          for (const auto& r : all) k += r.target == path;
          return k >= n;
        },
        timeout);
  }

  std::int64_t staff_with(const std::string& name, const std::string& field, const std::string& path) {
    return create("/v1/staff", {{"name", name}, {field, sink.url(path)}});
  }

  // A group meeting today only, from `start` for `length`, with each client placed in it.
  std::int64_t session_for(std::int64_t site, std::chrono::sys_seconds start, std::chrono::seconds length,
                           const std::vector<std::int64_t>& episodes, const std::string& name = "Evening track") {
    const auto group = new_group(site, json::array{weekday_name(today())}, local_time(zone, start),
                                 local_time(zone, start + length), {{"name", name}});
    for (auto e : episodes) {
      auto res = place(e, group, {{"start_date", day(0)}});
      EXPECT_EQ(res.status, 201) << res.body;
    }
    const auto s = session_on(group, today());
    return s.empty() ? 0 : s.at("id").as_int64();
  }

  std::int64_t client_episode(const std::string& name, std::int64_t site, std::int64_t counselor,
                              json::object extra = {}) {
    const auto client = create("/v1/clients", {{"first_name", name}, {"email", name + "@example.org"}});
    extra["client_id"] = client;
    extra["site_id"] = site;
    extra["counselor_id"] = counselor;
    extra["level_of_care"] = "iop";
    extra["start_date"] = day(-21);
    return create("/v1/episodes", extra);
  }
  std::int64_t client_of(std::int64_t episode) {
    return daemon->get(path_of("/v1/episodes", episode)).json().at("client_id").as_int64();
  }

  api_response mark(std::int64_t session, json::object body) {
    return daemon->post(path_of("/v1/sessions", session, "/attendance"), body);
  }
  json::object roster(std::int64_t session) {
    auto res = daemon->get(path_of("/v1/sessions", session, "/roster"));
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json().as_object();
  }
  static std::map<std::int64_t, std::string> statuses(const json::object& roster) {
    std::map<std::int64_t, std::string> out;
    for (const auto& c : roster.at("clients").as_array())
      out[c.at("client_id").as_int64()] = std::string{c.at("status").as_string()};
    return out;
  }
  json::array alerts(const std::string& query = "status=all") {
    auto res = daemon->get("/v1/alerts?" + query);
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json().at("alerts").as_array();
  }
};

constexpr const char* rules_off = "consecutive_misses = 0\nmin_attendance_percent = 0\n";

TEST_F(alerts_test, unmarked_then_absent_once_with_one_alert_each_to_counselor_chat_and_front_desk) {
  pick_zone();
  start_clinic({.lead_times = R"(["1h"])",
                .grace = "2s",
                .absent_after = "3s",
                .extra_toml = "[[event_subscriptions]]\nname = \"ehr\"\nurl = \"" + sink.url("/ehr") +
                              "\"\nsecret = \"" + provider_secret +
                              "\"\nevents = [\"session.missed\", \"alert.created\", \"attendance.marked\"]\n"
                              "allow_http = true\n",
                .alerts_extra = std::string{rules_off} + "escalate_after = \"0s\"\n"});
  const auto site = open_site();
  const auto dana = staff_with("Dana", "chat_webhook_url", "/chat/dana");
  const auto desk = staff_with("Front Desk", "alert_webhook_url", "/alerts/desk");
  ASSERT_EQ(put(path_of("/v1/sites", site, "/alerting"), {{"copy_to", json::array{desk}}}).status, 200);
  std::vector<std::int64_t> eps;
  for (const char* name : {"Ana", "Ben", "Cy", "Dee"}) eps.push_back(client_episode(name, site, dana));
  std::vector<std::int64_t> ids;
  for (auto e : eps) ids.push_back(client_of(e));
  const auto [ana, ben, cy, dee] = std::tuple{ids[0], ids[1], ids[2], ids[3]};

  const auto start = starting_in(12s);
  const auto session = session_for(site, start, 6s, eps);
  ASSERT_NE(session, 0) << daemon->log();
  // A cancelled session of the same clients raises nothing.
  const auto cancelled = session_for(site, start + 20s, 2s, eps, "Cancelled track");
  ASSERT_EQ(daemon->post(path_of("/v1/sessions", cancelled, "/cancel"), {{"reason", "weather"}}).status, 200);

  // Before the start plus grace every client is only expected.
  auto before = statuses(roster(session));
  EXPECT_EQ(before, (std::map<std::int64_t, std::string>{
                        {ana, "expected"}, {ben, "expected"}, {cy, "expected"}, {dee, "expected"}}));
  std::this_thread::sleep_until(std::chrono::system_clock::time_point{start});
  ASSERT_EQ(mark(session, {{"client_id", ana}, {"status", "present"}}).status, 201);
  ASSERT_EQ(mark(session, {{"client_id", cy}, {"status", "excused"}, {"reason", "sick note"}}).status, 201);
  ASSERT_EQ(mark(session, {{"client_id", dee}, {"status", "absent"}}).status, 201);
  std::this_thread::sleep_until(std::chrono::system_clock::time_point{start + 2s + 500ms});
  const auto during = roster(session);
  EXPECT_EQ(statuses(during), (std::map<std::int64_t, std::string>{
                                  {ana, "present"}, {ben, "unmarked"}, {cy, "excused"}, {dee, "absent"}}));
  EXPECT_EQ(during.at("unmarked").as_int64(), 1);
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE source = 'auto'"), 0) << "not before the end";

  // After the end plus absent_after: Ben recorded absent; one alert each for Ben and Dee.
  ASSERT_TRUE(wait_received("/chat/dana", 2)) << daemon->log();
  ASSERT_TRUE(wait_received("/alerts/desk", 2)) << daemon->log();
  EXPECT_GE(std::chrono::system_clock::now(), start + 6s + 3s);
  std::this_thread::sleep_for(3s);  // every chance for a duplicate
  const auto chat = received("/chat/dana");
  ASSERT_EQ(chat.size(), 2u);
  std::set<std::string> texts;
  for (const auto& body : chat) {
    EXPECT_EQ(body.size(), 1u) << "a chat webhook gets {\"text\": ...} only: " << json::serialize(body);
    texts.insert(std::string{body.at("text").as_string()});
  }
  EXPECT_EQ(texts.size(), 2u);
  for (const auto& t : texts) {
    EXPECT_NE(t.find("Missed session:"), std::string::npos) << t;
    EXPECT_TRUE(t.find("Ben (client " + std::to_string(ben) + ")") != std::string::npos ||
                t.find("Dee (client " + std::to_string(dee) + ")") != std::string::npos)
        << t;
  }
  const auto desk_alerts = received("/alerts/desk");
  ASSERT_EQ(desk_alerts.size(), 2u);
  std::set<std::int64_t> about;
  for (const auto& a : desk_alerts) {
    EXPECT_EQ(a.at("alert"), "missed_session");
    EXPECT_EQ(a.at("staff_id").as_int64(), desk);
    EXPECT_EQ(a.at("session_id").as_int64(), session);
    about.insert(a.at("client_id").as_int64());
  }
  EXPECT_EQ(about, (std::set<std::int64_t>{ben, dee}));

  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE source = 'auto' AND client_id = " + std::to_string(ben) +
                  " AND session_id = " + std::to_string(session)),
            1);
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE source = 'auto'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE session_id = " + std::to_string(cancelled)), 0);
  const auto open = alerts("status=open");
  ASSERT_EQ(open.size(), 2u);
  for (const auto& a : open) {
    EXPECT_EQ(a.at("kind"), "missed_session");
    EXPECT_EQ(a.at("session_id").as_int64(), session);
    EXPECT_EQ(a.at("deliveries").as_array().size(), 2u) << json::serialize(a);
  }
  // The EHR heard of each: the auto mark and the missed session for Ben, an alert each for Ben and Dee.
  ASSERT_TRUE(sink.wait_for(
      [](const auto& all) {
        int n = 0;
        for (const auto& r : all) n += r.target == "/ehr";
        return n >= 3 + 1 + 1 + 2;  // 3 staff marks, Ben's auto mark, session.missed, 2 alerts
      },
      30s));
  std::this_thread::sleep_for(1s);
  std::map<std::string, int> events;
  for (const auto& e : received("/ehr")) {
    const std::string type{e.at("type").as_string()};
    ++events[type];
    const auto& data = e.at("data").as_object();
    if (type == "session.missed") {
      EXPECT_EQ(data.at("client_id").as_int64(), ben);
      EXPECT_EQ(data.at("session_id").as_int64(), session);
    }
    if (type == "attendance.marked" && data.at("source") == "auto") {
      EXPECT_EQ(data.at("client_id").as_int64(), ben);
    }
    if (type == "alert.created") {
      EXPECT_EQ(data.at("kind"), "missed_session");
    }
    EXPECT_EQ(json::serialize(e).find("Ben"), std::string::npos);
  }
  EXPECT_EQ(events,
            (std::map<std::string, int>{{"attendance.marked", 4}, {"session.missed", 1}, {"alert.created", 2}}));

  // The roster after the close: nobody unmarked any more.
  EXPECT_EQ(roster(session).at("unmarked").as_int64(), 0);
  const auto log = daemon->log();
  for (const std::string word : {"Ben", "Dee", "Dana", "Missed session"})
    EXPECT_EQ(log.find(word), std::string::npos) << "log mentions " << word;
}

TEST_F(alerts_test, a_digest_lists_every_absentee_of_the_session_once) {
  pick_zone();
  start_clinic({.lead_times = R"(["1h"])",
                .absent_after = "2s",
                .alerts_extra = std::string{rules_off} + "escalate_after = \"0s\"\n"});
  const auto site = open_site();
  const auto dana = staff_with("Dana", "alert_webhook_url", "/alerts/dana");
  const auto desk = staff_with("Front Desk", "chat_webhook_url", "/chat/desk");
  ASSERT_EQ(put(path_of("/v1/sites", site, "/alerting"), {{"copy_to", json::array{desk}}, {"digest", true}}).status,
            200);
  std::vector<std::int64_t> eps;
  for (const char* name : {"Eli", "Fay", "Gus"}) eps.push_back(client_episode(name, site, dana));
  const auto start = starting_in(10s);
  const auto session = session_for(site, start, 4s, eps);
  ASSERT_NE(session, 0);
  std::this_thread::sleep_until(std::chrono::system_clock::time_point{start});
  ASSERT_EQ(mark(session, {{"client_id", client_of(eps[0])}, {"status", "present"}}).status, 201);

  ASSERT_TRUE(wait_received("/chat/desk", 1)) << daemon->log();
  ASSERT_TRUE(wait_received("/alerts/dana", 2)) << daemon->log();
  std::this_thread::sleep_for(3s);
  const auto digests = received("/chat/desk");
  ASSERT_EQ(digests.size(), 1u) << "the desk gets one digest instead of one alert per client";
  const std::string text{digests[0].at("text").as_string()};
  EXPECT_NE(text.find("(2)"), std::string::npos) << text;
  EXPECT_NE(text.find("Fay (client " + std::to_string(client_of(eps[1])) + ")"), std::string::npos) << text;
  EXPECT_NE(text.find("Gus (client " + std::to_string(client_of(eps[2])) + ")"), std::string::npos) << text;
  EXPECT_EQ(text.find("Eli"), std::string::npos) << text;
  EXPECT_EQ(received("/alerts/dana").size(), 2u) << "the counselor still hears of each client";
}

TEST_F(alerts_test, unacknowledged_alerts_go_down_the_escalation_list_and_acknowledgement_stops_them) {
  pick_zone();
  start_clinic({.lead_times = R"(["1h"])",
                .absent_after = "1s",
                .extra_toml = "[[event_subscriptions]]\nname = \"ehr\"\nurl = \"" + sink.url("/ehr") +
                              "\"\nsecret = \"" + provider_secret +
                              "\"\nevents = [\"alert.acknowledged\"]\nallow_http = true\n",
                .alerts_extra = std::string{rules_off} + "escalate_after = \"4s\"\n"});
  const auto site = open_site();
  const auto dana = staff_with("Dana", "alert_webhook_url", "/alerts/dana");
  const auto first = staff_with("On call", "chat_webhook_url", "/chat/oncall");
  const auto second = staff_with("Director", "alert_webhook_url", "/alerts/director");
  ASSERT_EQ(put(path_of("/v1/sites", site, "/alerting"), {{"escalation", json::array{first, second}}}).status, 200);
  const auto hal = client_episode("Hal", site, dana);
  const auto ivy = client_episode("Ivy", site, dana);
  const auto start = starting_in(8s);
  const auto session = session_for(site, start, 2s, {hal, ivy});
  ASSERT_NE(session, 0);

  ASSERT_TRUE(wait_received("/alerts/dana", 2)) << daemon->log();
  const auto raised = std::chrono::system_clock::now();
  std::int64_t hal_alert = 0, ivy_alert = 0;
  for (const auto& a : alerts("status=open")) {
    if (a.at("client_id").as_int64() == client_of(hal)) hal_alert = a.at("id").as_int64();
    if (a.at("client_id").as_int64() == client_of(ivy)) ivy_alert = a.at("id").as_int64();
  }
  ASSERT_NE(hal_alert, 0);
  ASSERT_NE(ivy_alert, 0);
  // Dana takes Hal's on at once; nobody takes Ivy's.
  auto ack = daemon->post(path_of("/v1/alerts", hal_alert, "/acknowledge"),
                          {{"staff_id", dana}, {"note", "called him, he is unwell"}});
  ASSERT_EQ(ack.status, 200) << ack.body;
  EXPECT_EQ(ack.json().at("acknowledged_by").as_int64(), dana);
  EXPECT_EQ(ack.json().at("ack_note"), "called him, he is unwell");
  EXPECT_FALSE(ack.json().at("acknowledged_at").is_null());

  ASSERT_TRUE(wait_received("/chat/oncall", 1, 30s)) << daemon->log();
  EXPECT_GE(std::chrono::system_clock::now(), raised + 3s) << "not before escalate_after";
  ASSERT_TRUE(wait_received("/alerts/director", 1, 30s)) << daemon->log();
  std::this_thread::sleep_for(9s);  // two more periods: the list is used up
  const auto oncall = received("/chat/oncall");
  ASSERT_EQ(oncall.size(), 1u);
  EXPECT_NE(std::string{oncall[0].at("text").as_string()}.find("Not yet acknowledged: Missed session: Ivy"),
            std::string::npos)
      << oncall[0].at("text");
  const auto director = received("/alerts/director");
  ASSERT_EQ(director.size(), 1u);
  EXPECT_EQ(director[0].at("client_id").as_int64(), client_of(ivy)) << "Hal's alert was acknowledged";
  EXPECT_EQ(director[0].at("staff_id").as_int64(), second);

  auto ivy_now = daemon->get(path_of("/v1/alerts", ivy_alert)).json().as_object();
  EXPECT_EQ(ivy_now.at("escalation_step").as_int64(), 2);
  std::set<std::pair<std::int64_t, std::int64_t>> steps;
  for (const auto& d : ivy_now.at("deliveries").as_array())
    steps.insert({d.at("staff_id").as_int64(), d.at("step").as_int64()});
  EXPECT_EQ(steps, (std::set<std::pair<std::int64_t, std::int64_t>>{{dana, 0}, {first, 1}, {second, 2}}));
  EXPECT_EQ(daemon->get(path_of("/v1/alerts", hal_alert)).json().at("escalation_step").as_int64(), 0);

  ASSERT_EQ(daemon->post(path_of("/v1/alerts", ivy_alert, "/acknowledge"), {{"staff_id", second}}).status, 200);
  auto again = daemon->post(path_of("/v1/alerts", ivy_alert, "/acknowledge"), {{"staff_id", dana}});
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_TRUE(alerts("status=open").empty());
  EXPECT_EQ(alerts("status=acknowledged").size(), 2u);
  EXPECT_GE(count("SELECT count(*) FROM audit_log WHERE entity = 'alert' AND action = 'acknowledge'"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE entity = 'alert' AND action = 'escalate'"), 2);
  ASSERT_TRUE(wait_received("/ehr", 2, 20s));
  std::set<std::int64_t> acked;
  for (const auto& e : received("/ehr")) {
    EXPECT_EQ(e.at("type"), "alert.acknowledged");
    acked.insert(e.at("data").at("alert_id").as_int64());
  }
  EXPECT_EQ(acked, (std::set<std::int64_t>{hal_alert, ivy_alert}));
}

TEST_F(alerts_test, misses_in_a_row_alert_the_supervisor_once_and_a_low_rate_the_counselor_once) {
  pick_zone();
  start_clinic({.lead_times = R"(["1h"])",
                .absent_after = "1s",
                .alerts_extra = "consecutive_misses = 2\nmin_attendance_percent = 75\nrate_min_sessions = 3\n"
                                "escalate_after = \"0s\"\n"});
  const auto site = open_site();
  const auto dana = staff_with("Dana", "alert_webhook_url", "/alerts/dana");
  const auto sup = staff_with("Supervisor", "alert_webhook_url", "/alerts/supervisor");
  ASSERT_EQ(put(path_of("/v1/sites", site, "/alerting"), {{"supervisor_id", sup}}).status, 200);
  const auto jo = client_episode("Jo", site, dana);
  const auto start = starting_in(10s);
  // Three sessions back to back, all missed.
  const auto s1 = session_for(site, start, 2s, {jo}, "One");
  const auto s2 = session_for(site, start + 5s, 2s, {jo}, "Two");
  const auto s3 = session_for(site, start + 10s, 2s, {jo}, "Three");
  ASSERT_TRUE(s1 && s2 && s3);

  ASSERT_TRUE(wait_received("/alerts/dana", 4, 90s)) << daemon->log();  // 3 missed + 1 low rate
  ASSERT_TRUE(wait_received("/alerts/supervisor", 1)) << daemon->log();
  std::this_thread::sleep_for(3s);
  std::map<std::string, int> to_dana;
  for (const auto& a : received("/alerts/dana")) ++to_dana[std::string{a.at("alert").as_string()}];
  EXPECT_EQ(to_dana, (std::map<std::string, int>{{"missed_session", 3}, {"low_attendance", 1}}));
  const auto to_sup = received("/alerts/supervisor");
  ASSERT_EQ(to_sup.size(), 1u) << "a third miss continues the same streak";
  EXPECT_EQ(to_sup[0].at("alert"), "consecutive_misses");
  EXPECT_EQ(to_sup[0].at("session_id").as_int64(), s2) << "raised when the second miss closed";
  const auto streak = alerts("kind=consecutive_misses");
  ASSERT_EQ(streak.size(), 1u);
  EXPECT_EQ(streak[0].at("detail").at("streak").as_int64(), 2);
  const auto rate = alerts("kind=low_attendance");
  ASSERT_EQ(rate.size(), 1u);
  EXPECT_EQ(rate[0].at("detail").at("counted").as_int64(), 3);
  EXPECT_EQ(rate[0].at("detail").at("attended").as_int64(), 0);
}

TEST_F(alerts_test, weekly_hours_at_risk_alert_the_case_manager_as_soon_as_the_week_cannot_be_met) {
  const auto [site, dana, cm] = start_hours_clinic();
  // Two hours a week required; this week's timetable has exactly two one-hour sessions.
  const auto kai = client_episode("Kai", site, dana, {{"case_manager_id", cm}, {"weekly_hours_required", 2}});
  const auto start = starting_in(5s);
  const auto now_session = session_for(site, start, 1h, {kai}, "Now");
  const auto later = session_for(site, start + 1h + 5min, 1h, {kai}, "Later");
  ASSERT_TRUE(now_session && later);
  const auto client = client_of(kai);

  std::this_thread::sleep_until(std::chrono::system_clock::time_point{start});
  ASSERT_EQ(mark(now_session, {{"client_id", client}, {"status", "present"}}).status, 201);
  std::this_thread::sleep_for(3s);  // the rules ran on that mark: 1 + 1 hours still reach 2
  EXPECT_TRUE(received("/chat/cm").empty());
  EXPECT_TRUE(alerts("kind=hours_at_risk").empty());

  // A correction: Kai left after 30 minutes. 0.5 + 1 < 2, at once, with the week still running.
  ASSERT_EQ(mark(now_session, {{"client_id", client}, {"status", "left_early"}, {"minutes", 30}}).status, 201);
  ASSERT_TRUE(wait_received("/chat/cm", 1, 20s)) << daemon->log();
  ASSERT_EQ(mark(now_session, {{"client_id", client}, {"status", "left_early"}, {"minutes", 20}}).status, 201);
  std::this_thread::sleep_for(3s);
  const auto to_cm = received("/chat/cm");
  ASSERT_EQ(to_cm.size(), 1u) << "once per week";
  const std::string text{to_cm[0].at("text").as_string()};
  EXPECT_NE(text.find("Weekly hours at risk: Kai"), std::string::npos) << text;
  EXPECT_NE(text.find("1.5 of the 2.0 hours"), std::string::npos) << text;
  EXPECT_TRUE(received("/alerts/dana").empty()) << "the case manager hears of it, not the counselor";
  const auto a = alerts("kind=hours_at_risk");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_DOUBLE_EQ(a[0].at("detail").at("required_hours").to_number<double>(), 2.0);
  EXPECT_DOUBLE_EQ(a[0].at("detail").at("remaining_hours").to_number<double>(), 1.5);
}

TEST_F(alerts_test, ending_a_placement_puts_the_week_at_risk_without_waiting_for_a_mark) {
  const auto [site, dana, cm] = start_hours_clinic();
  const auto lee = client_episode("Lee", site, dana, {{"case_manager_id", cm}, {"weekly_hours_required", 2}});
  const auto start = starting_in(2min);
  const auto first = session_for(site, start, 1h, {lee}, "First");
  const auto second = session_for(site, start + 1h + 5min, 1h, {lee}, "Second");
  ASSERT_TRUE(first && second);
  std::this_thread::sleep_for(3s);
  EXPECT_TRUE(received("/chat/cm").empty()) << "1 + 1 hours reach 2";

  // The placement in the second group ends before today: one hour is left of the two.
  const auto placement = scalar(
      "SELECT e.id FROM enrollments e JOIN sessions s ON s.group_id = e.group_id"
      " WHERE s.id = " +
      std::to_string(second));
  auto ended = daemon->post("/v1/enrollments/" + placement + "/end", {{"end_date", day(-1)}});
  ASSERT_EQ(ended.status, 200) << ended.body;
  ASSERT_TRUE(wait_received("/chat/cm", 1, 20s)) << daemon->log();
  const std::string text{received("/chat/cm")[0].at("text").as_string()};
  EXPECT_NE(text.find("Weekly hours at risk: Lee"), std::string::npos) << text;
  EXPECT_NE(text.find("1.0 of the 2.0 hours"), std::string::npos) << text;
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks"), 0) << "no mark was needed";
}

TEST_F(alerts_test, bad_routing_acknowledgements_and_queries_are_refused_naming_the_field) {
  start_clinic({.lead_times = R"(["1h"])"});
  const auto site = open_site();
  const auto dana = new_staff("Dana");
  auto res = put(path_of("/v1/sites", site, "/alerting"), {{"copy_to", json::array{dana, 9999}}});
  EXPECT_EQ(res.status, 422) << res.body;
  EXPECT_EQ(fields_of(res), (std::set<std::string>{"copy_to[1]"}));
  res = put(path_of("/v1/sites", site, "/alerting"), {{"escalation", json::array{dana, dana}}});
  EXPECT_EQ(fields_of(res), (std::set<std::string>{"escalation[1]"}));
  res = put(path_of("/v1/sites", site, "/alerting"), {{"supervisor_id", 9999}, {"bogus", 1}});
  EXPECT_EQ(res.status, 422);
  EXPECT_EQ(fields_of(res), (std::set<std::string>{"bogus"}));
  res = put(path_of("/v1/sites", site, "/alerting"), {{"supervisor_id", 9999}});
  EXPECT_EQ(fields_of(res), (std::set<std::string>{"supervisor_id"}));
  EXPECT_EQ(put("/v1/sites/9999/alerting", {{"digest", true}}).status, 404);
  res = put(path_of("/v1/sites", site, "/alerting"), {{"supervisor_id", dana}, {"digest", true}});
  ASSERT_EQ(res.status, 200) << res.body;
  auto got = daemon->get(path_of("/v1/sites", site, "/alerting")).json();
  EXPECT_EQ(got.at("supervisor_id").as_int64(), dana);
  EXPECT_TRUE(got.at("digest").as_bool());
  EXPECT_TRUE(got.at("copy_to").as_array().empty());

  EXPECT_EQ(daemon->post("/v1/alerts/9999/acknowledge", {{"staff_id", dana}}).status, 404);
  res = daemon->post("/v1/alerts/9999/acknowledge", json::object{});
  EXPECT_EQ(fields_of(res), (std::set<std::string>{"staff_id"}));
  res = daemon->get("/v1/alerts?status=closed&kind=nonsense&site_id=x");
  EXPECT_EQ(res.status, 422);
  EXPECT_EQ(fields_of(res), (std::set<std::string>{"status", "kind", "site_id"}));
  EXPECT_EQ(daemon->get("/v1/alerts/9999").status, 404);
  EXPECT_EQ(daemon->get("/v1/sessions/9999/roster").status, 404);
  res = daemon->post("/v1/staff", {{"name", "Chatty"}, {"chat_webhook_url", "not a url"}});
  EXPECT_EQ(fields_of(res), (std::set<std::string>{"chat_webhook_url"}));
  res = daemon->post("/v1/staff", {{"name", "Chatty"}, {"chat_webhook_url", sink.url("/chat/x")}});
  EXPECT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.json().at("chat_webhook_url").as_string(), sink.url("/chat/x"));
}

}  // namespace
}  // namespace rollcall::testing
