#include "rollcall/services/preview.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "fakes/test_composer.hpp"

namespace {

namespace ports = rollcall::ports;
namespace services = rollcall::services;
using namespace std::chrono_literals;
using date::local_days;
using namespace date::literals;

// A UTC site with one Mon/Wed/Fri evening group (18:00-21:00) and one client (SMS) since 2026-01-01.
ports::site_plan_inputs clinic() {
  ports::site_plan_inputs in;
  in.where.id = 1;
  in.where.name = "Eastside";
  in.where.time_zone = "UTC";
  ports::group g;
  g.id = 7;
  g.site_id = 1;
  g.recurrence = "FREQ=WEEKLY;BYDAY=MO,WE,FR";
  g.first_date = "2026-01-01";
  g.start_second = 18 * 3600;
  g.end_second = 21 * 3600;
  in.groups.push_back(g);
  in.clients.push_back({7, 9, "Sam", "+15550001111", "", "2026-01-01", ""});
  return in;
}

std::vector<std::string> session_starts(const std::vector<services::preview_item>& items) {
  std::vector<std::string> out;
  for (const auto& i : items)
    out.push_back(date::format("%F %H:%M", ports::sys_seconds{std::chrono::seconds{
                                               boost::json::parse(i.payload).at("session_starts_at").as_int64()}}));
  return out;
}

const auto now = date::sys_days{2026_y / 11 / 1} + 12h;  // a Sunday
const local_days from{2026_y / 11 / 2}, to{2026_y / 11 / 8};

TEST(preview_messages, lists_each_reminder_of_each_session_in_the_range_by_due_time) {
  const auto items = services::preview_messages(clinic(), from, to, rollcall::fakes::composer_with({24h, 2h}), now);
  ASSERT_EQ(items.size(), 6u);  // Mon, Wed, Fri x two leads
  EXPECT_TRUE(std::is_sorted(items.begin(), items.end(), [](auto& a, auto& b) { return a.due_at < b.due_at; }));
  EXPECT_EQ(items.front().due_at, date::sys_days{2026_y / 11 / 1} + 18h);  // Monday 18:00 - 24h
  EXPECT_EQ(items.front().session_id, 0) << "not materialised yet";
  const auto body = boost::json::parse(items.front().payload);
  EXPECT_EQ(body.at("to"), "+15550001111");
  EXPECT_EQ(body.at("channel"), "sms");
}

TEST(preview_messages, materialised_sessions_count_as_they_are) {
  auto in = clinic();
  ports::session cancelled;  // Monday, cancelled
  cancelled.id = 100;
  cancelled.group_id = 7;
  cancelled.scheduled_date = cancelled.local_date = "2026-11-02";
  cancelled.cancelled = true;
  ports::session moved;  // Wednesday's, moved to Thursday 10:00, revision 1
  moved.id = 101;
  moved.group_id = 7;
  moved.scheduled_date = "2026-11-04";
  moved.local_date = "2026-11-05";
  moved.starts_at = date::sys_days{2026_y / 11 / 5} + 10h;
  moved.revision = 1;
  in.sessions = {cancelled, moved};
  const auto items = services::preview_messages(in, from, to, rollcall::fakes::composer_with({2h}), now);
  EXPECT_EQ(session_starts(items), (std::vector<std::string>{"2026-11-05 10:00", "2026-11-06 18:00"}));
  EXPECT_EQ(items[0].session_id, 101);
}

TEST(preview_messages, closures_enrolment_dates_and_the_past_are_respected) {
  auto in = clinic();
  in.closures.push_back({{1, "2026-11-06", "2026-11-06", "staff training"}, 1, 0, std::nullopt});
  in.clients[0].start_date = "2026-11-03";
  const auto items = services::preview_messages(in, from, to, rollcall::fakes::composer_with({24h, 2h}), now);
  EXPECT_EQ(session_starts(items), (std::vector<std::string>{"2026-11-04 18:00", "2026-11-04 18:00"}));
  // Tuesday evening: Wednesday's 24 h reminder is already due, so only the 2 h one would go.
  EXPECT_EQ(services::preview_messages(in, from, to, rollcall::fakes::composer_with({24h, 2h}),
                                       date::sys_days{2026_y / 11 / 3} + 20h)
                .size(),
            1u);
}

}  // namespace
