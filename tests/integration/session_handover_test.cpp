// Handing one session to another facilitator or room: refused (409, naming the session in the
// way) when that person or room is busy then; otherwise the session moves to them, as their
// calendar feed shows.
#include <string>

#include "clinic_fixture.hpp"

namespace rollcall::testing {
namespace {

class session_handover_test : public clinic_test {
 protected:
  std::int64_t group(std::int64_t site, std::int64_t lead, const std::string& room, std::chrono::sys_seconds start) {
    return create("/v1/groups", {{"site_id", site},
                                 {"name", "Group " + room},
                                 {"slot", "evening"},
                                 {"weekdays", boost::json::array{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                                 {"start_time", local_time("UTC", start)},
                                 {"end_time", local_end("UTC", start)},
                                 {"room", room},
                                 {"facilitator_ids", boost::json::array{lead}}});
  }
  std::string staff_feed(std::int64_t staff) {
    auto made = daemon->post("/v1/feeds", {{"owner_kind", "staff"}, {"owner_id", staff}});
    EXPECT_EQ(made.status, 201) << made.body;
    const auto url = std::string{made.json().at("url").as_string()};
    return daemon->request("GET", url, {}, std::nullopt).body;
  }
};

TEST_F(session_handover_test, a_session_goes_only_to_a_free_facilitator_or_room) {
  start_daemon();
  const auto start = starting_in(std::chrono::hours{3});
  const auto site = create("/v1/sites", {{"name", "Eastside"}, {"time_zone", "UTC"}});
  const auto dana = create("/v1/staff", {{"name", "Dana"}, {"email", "dana@example.org"}});
  const auto eli = create("/v1/staff", {{"name", "Eli"}, {"email", "eli@example.org"}});
  const auto fay = create("/v1/staff", {{"name", "Fay"}, {"email", "fay@example.org"}});
  const auto a = group(site, dana, "Room 1", start);
  const auto b = group(site, eli, "Room 2", start);
  const auto session_a = session_at(a, start);
  const auto session_b = session_at(b, start);
  const auto path = "/v1/sessions/" + std::to_string(session_a) + "/move";

  // Eli leads group B at that hour, and Room 2 is B's.
  auto busy = daemon->post(path, {{"facilitator_id", eli}, {"reason", "Dana is away"}});
  ASSERT_EQ(busy.status, 409) << busy.body;
  auto conflicts = busy.json().at("conflicts").as_array();
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].at("kind").as_string(), "facilitator_double_booked");
  EXPECT_EQ(conflicts[0].at("id").as_int64(), session_b);
  EXPECT_EQ(conflicts[0].at("at").as_string(), date::format("%FT%TZ", start));
  auto taken = daemon->post(path, {{"room", "room 2"}, {"reason", "Room 1 flooded"}});
  ASSERT_EQ(taken.status, 409) << taken.body;
  conflicts = taken.json().at("conflicts").as_array();
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].at("kind").as_string(), "room_double_booked");
  EXPECT_EQ(conflicts[0].at("id").as_int64(), session_b);
  EXPECT_EQ(daemon->post(path, {{"facilitator_id", 999}, {"reason", "x"}}).status, 422);

  // Fay is free: the session is hers now, and only hers.
  auto handed = daemon->post(path, {{"facilitator_id", fay}, {"room", "Room 3"}, {"reason", "Dana is away"}});
  ASSERT_EQ(handed.status, 200) << handed.body;
  EXPECT_EQ(handed.json().at("room").as_string(), "Room 3");
  const auto uid = "UID:session-" + std::to_string(session_a) + "@rollcall";
  EXPECT_NE(staff_feed(fay).find(uid), std::string::npos);
  EXPECT_EQ(staff_feed(dana).find(uid), std::string::npos);
  // ... and Fay can no longer be given group B's session at the same hour.
  auto twice = daemon->post("/v1/sessions/" + std::to_string(session_b) + "/move",
                            {{"facilitator_id", fay}, {"reason", "Eli is away"}});
  EXPECT_EQ(twice.status, 409) << twice.body;
}

}  // namespace
}  // namespace rollcall::testing
