// What each kind of feed shows (a client's names no group, level or kind of care), feed tokens,
// and the route table's "{token}" segment.
#include <string>

#include <date/date.h>
#include <gtest/gtest.h>

#include "rollcall/http/api_feeds.hpp"
#include "rollcall/services/calendar_feeds.hpp"

namespace {

namespace ports = rollcall::ports;
namespace services = rollcall::services;
namespace http = rollcall::http;
using namespace std::chrono_literals;

ports::feed_session session(std::int64_t id) {
  ports::feed_session s;
  s.session_id = id;
  s.starts_at = std::chrono::sys_seconds{date::sys_days{date::year{2024} / 5 / 7}} + 22h;
  s.ends_at = s.starts_at + 3h;
  s.revision = 2;
  s.time_zone = "America/New_York";
  s.group_name = "IOP Relapse Prevention";
  s.room = "Room 4";
  s.site_name = "Eastside Recovery";
  s.site_address = "12 Main St, Springfield";
  return s;
}

ports::feed_contents feed(const std::string& kind) {
  ports::feed_contents f;
  f.owner_kind = kind;
  f.owner_name = kind == "client" ? "" : "IOP Relapse Prevention";
  f.sessions = {session(11), session(12)};
  f.sessions[1].room.clear();
  f.sessions[1].telehealth_url = "https://meet.example.org/abc";
  f.sessions[1].cancelled = true;
  return f;
}

TEST(calendar_feeds, group_and_staff_feeds_name_the_group_and_room) {
  for (const char* kind : {"group", "staff"}) {
    const auto cal = services::feed_calendar(feed(kind));
    EXPECT_EQ(cal.name, "IOP Relapse Prevention");
    ASSERT_EQ(cal.events.size(), 2u);
    EXPECT_EQ(cal.events[0].uid, "session-11@rollcall");
    EXPECT_EQ(cal.events[0].summary, "IOP Relapse Prevention");
    EXPECT_EQ(cal.events[0].location, "Room 4, Eastside Recovery");
    EXPECT_EQ(cal.events[0].sequence, 2);
    EXPECT_EQ(cal.events[0].time_zone, "America/New_York");
    EXPECT_FALSE(cal.events[0].cancelled);
    EXPECT_EQ(cal.events[1].location, "https://meet.example.org/abc");
    EXPECT_TRUE(cal.events[1].cancelled);
  }
}

TEST(calendar_feeds, a_client_feed_reveals_nothing_clinical) {
  const auto cal = services::feed_calendar(feed("client"));
  EXPECT_EQ(cal.name, "Appointments");
  ASSERT_EQ(cal.events.size(), 2u);
  for (const auto& e : cal.events) EXPECT_EQ(e.summary, "Appointment");
  EXPECT_EQ(cal.events[0].location, "12 Main St, Springfield");       // the address, not the site's name
  EXPECT_EQ(cal.events[1].location, "https://meet.example.org/abc");  // a telehealth group with no room
  EXPECT_TRUE(cal.events[1].cancelled);
  const auto text = services::render_feed(feed("client"), std::chrono::sys_seconds{});
  for (const char* word : {"IOP", "Relapse", "Recovery", "Room 4", "Eastside"})
    EXPECT_EQ(text.find(word), std::string::npos) << word << " in\n" << text;
  EXPECT_NE(text.find("SUMMARY:Appointment\r\n"), std::string::npos);
  EXPECT_NE(text.find("DTSTART;TZID=America/New_York:20240507T180000\r\n"), std::string::npos) << text;
}

TEST(calendar_feeds, a_client_telehealth_group_with_a_room_gives_the_address) {
  auto f = feed("client");
  f.sessions[0].telehealth_url = "https://meet.example.org/xyz";
  EXPECT_EQ(services::feed_calendar(f).events[0].location, "12 Main St, Springfield");
}

TEST(feed_tokens, are_32_random_bytes_url_safe_and_hashed_with_sha256) {
  const auto a = http::new_feed_token(), b = http::new_feed_token();
  EXPECT_EQ(a.size(), 43u);  // 32 bytes in unpadded base64
  EXPECT_NE(a, b);
  for (char c : a) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << a;
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  EXPECT_EQ(http::feed_token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(router, a_token_segment_captures_a_url_safe_token_before_its_suffix) {
  http::router r;
  r.add(http::beast_http::verb::get, "/ical/{token}.ics", false, {});
  auto m = r.find(http::beast_http::verb::get, "/ical/Ab-_09xyz.ics?x=1");
  ASSERT_NE(m.found, nullptr);
  EXPECT_EQ(m.token, "Ab-_09xyz");
  for (const char* miss : {"/ical/.ics", "/ical/abc", "/ical/a%2Fb.ics", "/ical/a.b.ics", "/ical/abc.ics/x"})
    EXPECT_EQ(r.find(http::beast_http::verb::get, miss).found, nullptr) << miss;
  EXPECT_EQ(r.find(http::beast_http::verb::post, "/ical/abc.ics").allowed, "GET");
}

TEST(router, feed_paths_are_logged_without_their_token) {
  EXPECT_EQ(http::loggable_path("/ical/SECRETSECRET.ics"), "/ical/...");
  EXPECT_EQ(http::loggable_path("/v1/feeds?owner_kind=group"), "/v1/feeds");
}

}  // namespace
