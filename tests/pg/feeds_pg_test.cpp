// store/ against a real PostgreSQL: which sessions each calendar feed shows (a group's, a staff
// member's through group_facilitators and per-session hand-overs, a client's through placements
// and their dates), and feed tokens created, listed and revoked with their audit rows.
#include <chrono>
#include <vector>

#include <date/date.h>
#include <gtest/gtest.h>

#include "pg_store_fixture.hpp"
#include "rollcall/store/pg_feeds.hpp"
#include "unit/run_task.hpp"

namespace rollcall::testing {
namespace {

namespace ports = rollcall::ports;
using namespace std::chrono_literals;

class feeds_pg_test : public pg_store_fixture {
 protected:
  // Staff 1 Dana leads groups 1 (Morning) and 3 (archived), staff 2 Eli leads group 2; staff 3
  // leads nothing. Sessions (ids in order), all at 22:00 UTC:
  //   1: group 1, 2024-05-02        2: group 1, 2024-05-05, handed to Eli, room 9
  //   3: group 1, 2024-04-01 (before the feeds' range)                4: group 1, 2024-05-12, revision 2
  //   5: group 2, 2024-05-03, handed to Dana                           6: group 2, 2024-05-06
  //   7: group 3 (archived), 2024-05-04
  void SetUp() override {
    pg_store_fixture::SetUp();
    sql("INSERT INTO sites (name, time_zone, address) VALUES ('Eastside', 'America/New_York', '12 Main St')");
    for (const char* name : {"Dana", "Eli", "Fay"})
      sql(std::string{"INSERT INTO staff (name) VALUES ('"} + name + "')");
    for (const char* name : {"Morning", "Evening", "Old"})
      sql(std::string{"INSERT INTO groups (site_id, name, slot, recurrence, first_date, start_second, end_second,"
                      " room) VALUES (1, '"} +
          name + "', 'evening', 'FREQ=WEEKLY', '2024-01-01', 64800, 75600, 'Room 1')");
    sql("UPDATE groups SET archived_at = now() WHERE id = 3");
    sql("INSERT INTO group_facilitators (group_id, staff_id) VALUES (1, 1), (2, 2), (3, 1)");
    session(1, "2024-05-02");
    session(1, "2024-05-05", "facilitator_id = 2, room = 'Room 9'");
    session(1, "2024-04-01");
    session(1, "2024-05-12", "revision = 2");
    session(2, "2024-05-03", "facilitator_id = 1");
    session(2, "2024-05-06");
    session(3, "2024-05-04");
  }

  void session(int group, const std::string& day, const std::string& set = {}) {
    sql("INSERT INTO sessions (group_id, scheduled_date, local_date, starts_at, ends_at) VALUES (" +
        std::to_string(group) + ", '" + day + "', '" + day + "', '" + day + " 22:00Z', '" + day + " 23:00Z')");
    if (!set.empty()) sql("UPDATE sessions SET " + set + " WHERE id = (SELECT max(id) FROM sessions)");
  }

  // A client (id `client`) with an episode, placed in `group` with these columns.
  void place(int client, int group, const std::string& status, const std::string& start, const std::string& end) {
    const auto id = std::to_string(client);
    sql("INSERT INTO clients (id, first_name) VALUES (" + id + ", 'C" + id + "') ON CONFLICT DO NOTHING");
    sql("INSERT INTO episodes (client_id, site_id, level_of_care, start_date, planned_weeks, counselor_id,"
        " weekly_hours_required) SELECT " +
        id + ", 1, 'iop', '2024-01-01', 12, 1, 9 WHERE NOT EXISTS (SELECT 1 FROM episodes WHERE client_id = " + id +
        ")");
    sql("INSERT INTO enrollments (client_id, group_id, counselor_id, start_date, end_date, status, waitlisted_at,"
        " episode_id) VALUES (" +
        id + ", " + std::to_string(group) + ", 1, '" + start + "', " + (end.empty() ? "NULL" : "'" + end + "'") +
        ", '" + status + "', " + (status == "waitlisted" ? "now()" : "NULL") +
        ", (SELECT id FROM episodes WHERE client_id = " + id + "))");
  }

  // The session ids a feed of this owner shows, in order.
  std::vector<ports::id_t> shown(const std::string& kind, ports::id_t owner) {
    const auto hash = std::string(64, 'a') + std::to_string(next_token_++);
    const auto token = hash.substr(hash.size() - 64);
    auto created = run_task(feeds.create_feed({kind, owner, token}, "test"));
    EXPECT_TRUE(created.has_value());
    auto contents = run_task(feeds.feed_by_token(token, since));
    EXPECT_TRUE(contents.has_value());
    std::vector<ports::id_t> ids;
    if (contents)
      for (const auto& s : contents->sessions) ids.push_back(s.session_id);
    return ids;
  }

  using ids = std::vector<ports::id_t>;
  const ports::sys_seconds since = date::sys_days{date::year{2024} / 5 / 1};
  store::pg_feed_store feeds{pool};
  int next_token_ = 10;
};

TEST_F(feeds_pg_test, a_group_feed_shows_its_sessions_in_range_and_an_archived_group_none) {
  EXPECT_EQ(shown("group", 1), (ids{1, 2, 4}));
  EXPECT_EQ(shown("group", 2), (ids{5, 6}));
  EXPECT_EQ(shown("group", 3), ids{});

  const auto token = std::string(64, 'b');
  ASSERT_TRUE(run_task(feeds.create_feed({"group", 1, token}, "test")).has_value());
  const auto feed = run_task(feeds.feed_by_token(token, since));
  ASSERT_TRUE(feed.has_value());
  EXPECT_EQ(feed->owner_kind, "group");
  EXPECT_EQ(feed->owner_name, "Morning");
  ASSERT_EQ(feed->sessions.size(), 3u);
  const auto& moved = feed->sessions[1];
  EXPECT_EQ(moved.room, "Room 9");
  EXPECT_EQ(feed->sessions[0].room, "Room 1");
  EXPECT_EQ(moved.time_zone, "America/New_York");
  EXPECT_EQ(moved.group_name, "Morning");
  EXPECT_EQ(moved.site_address, "12 Main St");
  EXPECT_EQ(moved.starts_at, date::sys_days{date::year{2024} / 5 / 5} + 22h);
  EXPECT_EQ(moved.ends_at, date::sys_days{date::year{2024} / 5 / 5} + 23h);
  EXPECT_EQ(feed->sessions[2].revision, 2);
}

TEST_F(feeds_pg_test, a_staff_feed_follows_facilitators_and_hand_overs) {
  // Dana: group 1's sessions but the one handed to Eli, and group 2's session handed to her;
  // not the archived group's.
  EXPECT_EQ(shown("staff", 1), (ids{1, 5, 4}));
  EXPECT_EQ(shown("staff", 2), (ids{2, 6}));
  EXPECT_EQ(shown("staff", 3), ids{});
}

TEST_F(feeds_pg_test, a_client_feed_follows_placements_and_their_dates) {
  place(1, 1, "active", "2024-05-03", "2024-05-10");  // group 1: only 5 May
  place(2, 1, "waitlisted", "2024-05-01", "");        // waiting: nothing
  place(3, 2, "ended", "2024-05-01", "2024-05-04");   // group 2 until 4 May: 3 May
  place(3, 3, "active", "2024-05-01", "");            // archived group: nothing
  place(4, 2, "offered", "2024-05-01", "");           // offered a seat, not yet taken: nothing
  place(5, 2, "active", "2024-05-01", "");            // group 2 from 1 May
  EXPECT_EQ(shown("client", 1), ids{2});
  EXPECT_EQ(shown("client", 2), ids{});
  EXPECT_EQ(shown("client", 3), ids{5});
  EXPECT_EQ(shown("client", 4), ids{});
  EXPECT_EQ(shown("client", 5), (ids{5, 6}));
  const auto token = std::string(64, 'c');
  ASSERT_TRUE(run_task(feeds.create_feed({"client", 1, token}, "test")).has_value());
  EXPECT_EQ(run_task(feeds.feed_by_token(token, since))->owner_name, "") << "a client's feed names no one";
}

TEST_F(feeds_pg_test, tokens_are_stored_hashed_listed_without_them_and_revoked_once) {
  const auto token = std::string(62, 'd') + "01";
  auto created = run_task(feeds.create_feed({"staff", 2, token}, "api-token"));
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(created->owner_kind, "staff");
  EXPECT_EQ(created->owner_id, 2);
  EXPECT_EQ(created->created_by, "api-token");
  EXPECT_FALSE(created->revoked_at);
  EXPECT_EQ(scalar<std::string>("SELECT encode(token_hash, 'hex') FROM calendar_feeds"), token);
  EXPECT_EQ(scalar("SELECT count(*) FROM audit_log WHERE entity = 'calendar_feed' AND action = 'create'"
                   " AND detail = '{\"owner_kind\": \"staff\", \"owner_id\": 2}'"),
            1);
  EXPECT_EQ(scalar("SELECT count(*) FROM audit_log WHERE detail::text LIKE '%dddd%'"), 0);

  const auto listed = run_task(feeds.feeds_of_owner("staff", 2));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, created->id);
  EXPECT_TRUE(run_task(feeds.feeds_of_owner("client", 2)).empty());

  auto revoked = run_task(feeds.revoke_feed(created->id, "api-token"));
  ASSERT_TRUE(revoked.has_value());
  EXPECT_TRUE(revoked->revoked_at);
  EXPECT_EQ(run_task(feeds.feed_by_token(token, since)).error(), make_error_code(errc::not_found));
  EXPECT_EQ(run_task(feeds.revoke_feed(created->id, "api-token")).error().code, errc::conflict);
  EXPECT_EQ(run_task(feeds.revoke_feed(999, "api-token")).error().code, errc::not_found);
  EXPECT_EQ(scalar("SELECT count(*) FROM audit_log WHERE entity = 'calendar_feed' AND action = 'revoke'"), 1);
  EXPECT_TRUE(run_task(feeds.feeds_of_owner("staff", 2))[0].revoked_at);
}

TEST_F(feeds_pg_test, a_feed_for_a_missing_owner_is_refused_and_an_unknown_token_finds_nothing) {
  for (const char* kind : {"group", "staff", "client"}) {
    auto out = run_task(feeds.create_feed({kind, 999, std::string(64, 'e')}, "test"));
    ASSERT_FALSE(out.has_value()) << kind;
    EXPECT_EQ(out.error().code, errc::not_found);
  }
  EXPECT_EQ(scalar("SELECT count(*) FROM calendar_feeds"), 0);
  EXPECT_FALSE(run_task(feeds.feed_by_token(std::string(64, 'f'), since)).has_value());
}

}  // namespace
}  // namespace rollcall::testing
