// Calendar feeds through the real daemon: tokens created over the API and fetched with no
// Authorization header, events in the site's zone with a VTIMEZONE, stable UIDs, cancellations
// and moves as STATUS and SEQUENCE, a client feed that names no group, and revocation.
#include <pqxx/pqxx>

#include "clinic_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class feeds_test : public clinic_test {
 protected:
  // A daily group whose next session starts 3 h from now, its facilitator Dana, another staff
  // member Eli, and a client placed in the group.
  void build_clinic() {
    start = starting_in(3h);
    site = create("/v1/sites", {{"name", "Eastside"}, {"time_zone", zone}, {"address", "12 Main St"}});
    dana = create("/v1/staff", {{"name", "Dana"}, {"email", "dana@example.org"}});
    eli = create("/v1/staff", {{"name", "Eli"}, {"email", "eli@example.org"}});
    client = create("/v1/clients", {{"first_name", "Kim"}, {"phone", "+15550009999"}});
    group = create("/v1/groups", {{"site_id", site},
                                  {"name", "Relapse Prevention IOP"},
                                  {"slot", "evening"},
                                  {"weekdays", json::array{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                                  {"start_time", local_time(zone, start)},
                                  {"end_time", local_end(zone, start)},
                                  {"level_of_care", "iop"},
                                  {"room", "Room 4"}});
    create("/v1/enrollments",
           {{"client_id", client}, {"group_id", group}, {"counselor_id", dana}, {"start_date", "2020-01-01"}});
    // Facilitators cannot be set over the API yet.
    sql("INSERT INTO group_facilitators (group_id, staff_id) VALUES (" + std::to_string(group) + ", " +
        std::to_string(dana) + ")");
  }

  struct feed {
    std::int64_t id = 0;
    std::string token, url;
  };
  feed create_feed(const std::string& kind, std::int64_t owner) {
    auto res = daemon->post("/v1/feeds", {{"owner_kind", kind}, {"owner_id", owner}});
    EXPECT_EQ(res.status, 201) << res.body;
    if (res.status != 201) return {};
    const auto body = res.json().as_object();
    EXPECT_EQ(body.at("owner_kind").as_string(), kind);
    EXPECT_EQ(body.at("owner_id").as_int64(), owner);
    EXPECT_TRUE(body.at("revoked_at").is_null());
    return {body.at("id").as_int64(), std::string{body.at("token").as_string()},
            std::string{body.at("url").as_string()}};
  }
  // GET with no Authorization header at all, as a calendar app sends it.
  api_response fetch(const std::string& url) { return daemon->request("GET", url, {}, std::nullopt); }

  // The VEVENT whose UID is this session's (empty if none).
  static std::string event_of(const std::string& ics, std::int64_t session) {
    const auto uid = "UID:session-" + std::to_string(session) + "@rollcall\r\n";
    const auto at = ics.find(uid);
    if (at == std::string::npos) return {};
    const auto begin = ics.rfind("BEGIN:VEVENT", at), end = ics.find("END:VEVENT", at);
    return ics.substr(begin, end - begin);
  }
  static std::vector<std::string> uids(const std::string& ics) {
    std::vector<std::string> out;
    for (auto p = ics.find("\r\nUID:"); p != std::string::npos; p = ics.find("\r\nUID:", p + 1))
      out.push_back(ics.substr(p + 2, ics.find("\r\n", p + 2) - p - 2));
    return out;
  }
  std::string local_stamp(std::chrono::sys_seconds t) const {
    return date::format("%Y%m%dT%H%M%S", date::locate_zone(zone)->to_local(t));
  }
  std::string offset_at(std::chrono::sys_seconds t) const {
    const auto off = date::locate_zone(zone)->get_info(t).offset;
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(off < 0s ? -off : off).count();
    char buf[8];
    std::snprintf(buf, sizeof buf, "%c%02d%02d", off < 0s ? '-' : '+', static_cast<int>(minutes / 60),
                  static_cast<int>(minutes % 60));
    return buf;
  }

  std::string zone = "America/New_York";  // the server runs in UTC
  std::chrono::sys_seconds start;
  std::int64_t site = 0, dana = 0, eli = 0, client = 0, group = 0;
};

TEST_F(feeds_test, group_staff_and_client_feeds_over_http_without_a_bearer_token) {
  start_daemon({.lead_times = R"(["1h"])", .grace = "1h"});
  build_clinic();
  const auto first = session_at(group, start), second = session_at(group, start + 24h);
  ASSERT_NE(first, 0);
  ASSERT_NE(second, 0);

  const auto group_feed = create_feed("group", group);
  const auto staff_feed = create_feed("staff", dana);
  const auto eli_feed = create_feed("staff", eli);
  const auto client_feed = create_feed("client", client);
  ASSERT_EQ(group_feed.token.size(), 43u);
  EXPECT_EQ(group_feed.url, "/ical/" + group_feed.token + ".ics");
  EXPECT_NE(group_feed.token, staff_feed.token);

  auto got = fetch(group_feed.url);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.content_type, "text/calendar; charset=utf-8");
  EXPECT_EQ(got.cache_control, "private, no-store");
  const auto ics = got.body;
  EXPECT_EQ(ics.rfind("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 0), 0u) << ics;
  EXPECT_NE(ics.find("X-WR-CALNAME:Relapse Prevention IOP\r\n"), std::string::npos) << ics;
  EXPECT_NE(ics.find("BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n"), std::string::npos) << ics;
  EXPECT_NE(ics.find("TZOFFSETTO:" + offset_at(start) + "\r\n"), std::string::npos) << ics;
  const auto first_event = event_of(ics, first);
  ASSERT_FALSE(first_event.empty()) << ics;
  EXPECT_NE(first_event.find("DTSTART;TZID=America/New_York:" + local_stamp(start) + "\r\n"), std::string::npos)
      << first_event;
  EXPECT_NE(first_event.find("SUMMARY:Relapse Prevention IOP\r\n"), std::string::npos) << first_event;
  EXPECT_NE(first_event.find("LOCATION:Room 4\\, Eastside\r\n"), std::string::npos) << first_event;
  EXPECT_NE(first_event.find("SEQUENCE:0\r\nSTATUS:CONFIRMED\r\n"), std::string::npos) << first_event;

  // The same UIDs on every fetch.
  const auto again = fetch(group_feed.url);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(uids(again.body), uids(ics));
  EXPECT_GE(uids(ics).size(), 2u);

  // A cancelled session stays in the feed as cancelled; a moved one has a higher SEQUENCE.
  ASSERT_EQ(daemon->post("/v1/sessions/" + std::to_string(second) + "/cancel", {{"reason", "sick"}}).status, 200);
  const auto later = local_date(zone, start + 30min) == local_date(zone, start) ? start + 30min : start - 30min;
  auto moved =
      daemon->post("/v1/sessions/" + std::to_string(first) + "/move",
                   {{"start_time", local_time(zone, later)}, {"end_time", local_end(zone, later)}, {"reason", "x"}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  const auto changed = fetch(group_feed.url).body;
  EXPECT_EQ(uids(changed), uids(ics));
  EXPECT_NE(event_of(changed, second).find("STATUS:CANCELLED\r\n"), std::string::npos) << changed;
  EXPECT_NE(event_of(changed, first).find("SEQUENCE:1\r\nSTATUS:CONFIRMED\r\n"), std::string::npos) << changed;
  EXPECT_NE(event_of(changed, first).find("DTSTART;TZID=America/New_York:" + local_stamp(later) + "\r\n"),
            std::string::npos)
      << changed;
  EXPECT_EQ(changed.find("sick"), std::string::npos) << "the reason stays out of feeds";

  // Dana leads the group; Eli leads nothing until a session is handed to him.
  EXPECT_FALSE(event_of(fetch(staff_feed.url).body, first).empty());
  EXPECT_EQ(fetch(eli_feed.url).body.find("BEGIN:VEVENT"), std::string::npos);
  sql("UPDATE sessions SET facilitator_id = " + std::to_string(eli) + " WHERE id = " + std::to_string(first));
  EXPECT_TRUE(event_of(fetch(staff_feed.url).body, first).empty());
  EXPECT_FALSE(event_of(fetch(eli_feed.url).body, first).empty());

  // The client's feed: the same sessions, named "Appointment" at the site's address only.
  auto mine = fetch(client_feed.url);
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(uids(mine.body), uids(ics));
  EXPECT_NE(mine.body.find("X-WR-CALNAME:Appointments\r\n"), std::string::npos) << mine.body;
  EXPECT_NE(event_of(mine.body, first).find("SUMMARY:Appointment\r\nLOCATION:12 Main St\r\n"), std::string::npos)
      << mine.body;
  for (const char* word : {"Relapse", "IOP", "iop", "Room 4", "Eastside", "Kim", "Dana"})
    EXPECT_EQ(mine.body.find(word), std::string::npos) << word << " in the client's feed:\n" << mine.body;
}

TEST_F(feeds_test, tokens_are_shown_once_stored_hashed_and_revocable) {
  start_daemon({.lead_times = R"(["1h"])", .grace = "1h"});
  build_clinic();
  const auto f = create_feed("group", group);
  ASSERT_FALSE(f.token.empty());
  EXPECT_EQ(
      count("SELECT count(*) FROM calendar_feeds WHERE token_hash = sha256(convert_to('" + f.token + "', 'UTF8'))"), 1);

  auto listed = daemon->get("/v1/feeds?owner_kind=group&owner_id=" + std::to_string(group));
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(listed.json().at("feeds").as_array().size(), 1u);
  EXPECT_EQ(listed.json().at("feeds").as_array()[0].at("id").as_int64(), f.id);
  EXPECT_EQ(listed.body.find(f.token), std::string::npos);
  EXPECT_FALSE(listed.json().at("feeds").as_array()[0].as_object().contains("token"));
  EXPECT_FALSE(listed.json().at("feeds").as_array()[0].as_object().contains("url"));
  EXPECT_EQ(daemon->request("GET", "/v1/feeds?owner_kind=group&owner_id=1", {}, std::nullopt).status, 401);
  EXPECT_EQ(daemon->request("POST", "/v1/feeds", R"({"owner_kind":"group","owner_id":1})", std::nullopt).status, 401);

  ASSERT_EQ(fetch(f.url).status, 200);
  auto revoked = daemon->post("/v1/feeds/" + std::to_string(f.id) + "/revoke", json::object{});
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_FALSE(revoked.json().at("revoked_at").is_null());
  EXPECT_EQ(daemon->post("/v1/feeds/" + std::to_string(f.id) + "/revoke", json::object{}).status, 409);
  EXPECT_EQ(daemon->post("/v1/feeds/9999/revoke", json::object{}).status, 404);

  // Revoked and never-issued tokens look the same.
  const auto gone = fetch(f.url);
  const auto unknown = fetch("/ical/" + std::string(43, 'A') + ".ics");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(gone.body, unknown.body);
  EXPECT_EQ(gone.content_type, unknown.content_type);
  EXPECT_EQ(fetch("/ical/not%20a%20token.ics").status, 404);

  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE entity = 'calendar_feed' AND action IN ('create', 'revoke')"),
            2);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE detail::text LIKE '%" + f.token.substr(0, 20) + "%'"), 0);
  EXPECT_EQ(daemon->log().find(f.token), std::string::npos) << "the token never reaches the log";
  EXPECT_NE(daemon->log().find("/ical/..."), std::string::npos) << "requests are logged, tokens redacted";
}

TEST_F(feeds_test, bad_owners_and_bodies_are_refused) {
  start_daemon();
  build_clinic();
  for (const char* kind : {"group", "staff", "client"}) {
    auto res = daemon->post("/v1/feeds", {{"owner_kind", kind}, {"owner_id", 9999}});
    EXPECT_EQ(res.status, 404) << kind << ": " << res.body;
  }
  auto bad = daemon->post("/v1/feeds", {{"owner_kind", "room"}, {"owner_id", -1}, {"extra", 1}});
  ASSERT_EQ(bad.status, 422) << bad.body;
  std::set<std::string> fields;
  const auto body = bad.json();
  for (const auto& e : body.at("errors").as_array()) fields.insert(std::string{e.at("field").as_string()});
  EXPECT_EQ(fields, (std::set<std::string>{"owner_kind", "owner_id", "extra"}));
  EXPECT_EQ(daemon->post("/v1/feeds", json::object{}).status, 422);
  EXPECT_EQ(daemon->request("POST", "/v1/feeds", "not json").status, 400);
  EXPECT_EQ(daemon->get("/v1/feeds?owner_kind=room&owner_id=x").status, 422);
  EXPECT_EQ(daemon->get("/v1/feeds").status, 422);
  EXPECT_EQ(count("SELECT count(*) FROM calendar_feeds"), 0);
}

}  // namespace
}  // namespace rollcall::testing
