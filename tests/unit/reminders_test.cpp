#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rollcall/domain/reminders.hpp"

namespace {

using namespace std::chrono_literals;
namespace dom = rollcall::domain;

const dom::sys_seconds start = std::chrono::sys_days{std::chrono::year{2026} / 6 / 2} + 18h;

struct planned {
  std::chrono::seconds lead;
  dom::sys_seconds due;
  bool operator==(const planned&) const = default;
};

std::vector<planned> plan(std::vector<std::chrono::seconds> leads, dom::sys_seconds now) {
  std::vector<planned> out;
  for (const auto& r : dom::plan_reminders(start, std::move(leads), now)) out.push_back({r.lead, r.due_at});
  return out;
}

struct plan_case {
  std::string name;
  std::vector<std::chrono::seconds> leads;
  dom::sys_seconds now;
  std::vector<planned> expected;
};

void PrintTo(const planned& p, std::ostream* os) {
  *os << "{lead " << p.lead.count() << "s, due " << (p.due - start).count() << "s from start}";
}

class plan_reminders_cases : public ::testing::TestWithParam<plan_case> {};

TEST_P(plan_reminders_cases, plans_the_expected_reminders) {
  EXPECT_EQ(plan(GetParam().leads, GetParam().now), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    cases, plan_reminders_cases,
    ::testing::Values(
        plan_case{"all_leads_in_the_future", {24h, 2h}, start - 48h, {{24h, start - 24h}, {2h, start - 2h}}},
        plan_case{"input_order_does_not_matter",
                  {2h, 24h, 30min},
                  start - 48h,
                  {{24h, start - 24h}, {2h, start - 2h}, {30min, start - 30min}}},
        plan_case{"passed_leads_are_dropped", {24h, 2h}, start - 3h, {{2h, start - 2h}}},
        plan_case{"due_exactly_now_is_kept", {24h, 2h}, start - 2h, {{2h, start - 2h}}},
        plan_case{
            "due_exactly_now_is_kept_beside_later_ones", {3h, 2h}, start - 3h, {{3h, start - 3h}, {2h, start - 2h}}},
        plan_case{"all_passed_keeps_smallest_due_now", {24h, 2h}, start - 1h, {{2h, start - 1h}}},
        plan_case{"all_passed_one_second_before_start", {24h, 2h, 30min}, start - 1s, {{30min, start - 1s}}},
        plan_case{"session_started", {24h, 2h}, start, {}}, plan_case{"session_long_over", {24h, 2h}, start + 1h, {}},
        plan_case{"duplicates_planned_once", {2h, 24h, 2h, 24h}, start - 48h, {{24h, start - 24h}, {2h, start - 2h}}},
        plan_case{"non_positive_leads_ignored", {0s, -1h, 2h}, start - 48h, {{2h, start - 2h}}},
        plan_case{"only_non_positive_leads_plan_nothing", {0s, -5min}, start - 1min, {}},
        plan_case{"no_leads_plan_nothing", {}, start - 48h, {}}),
    [](const auto& info) { return info.param.name; });

TEST(plan_reminders, output_is_sorted_by_due_time) {
  const auto out = dom::plan_reminders(start, {1h, 7 * 24h, 10min, 24h, 3h}, start - 30 * 24h);
  ASSERT_EQ(out.size(), 5u);
  for (std::size_t i = 1; i < out.size(); ++i) EXPECT_LT(out[i - 1].due_at, out[i].due_at);
}

TEST(plan_reminders, planning_again_later_plans_the_same_kept_lead) {
  // The late-enrolment reminder is always the smallest lead, so a dedupe key on the lead
  // makes re-planning idempotent.
  const auto first = dom::plan_reminders(start, {24h, 2h}, start - 90min);
  const auto again = dom::plan_reminders(start, {24h, 2h}, start - 60min);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(first[0].lead, again[0].lead);
}

struct channel_case {
  std::string phone;
  std::string email;
  std::optional<dom::channel> expected;
};
class preferred_channel_cases : public ::testing::TestWithParam<channel_case> {};
TEST_P(preferred_channel_cases, picks_sms_then_email_then_nothing) {
  EXPECT_EQ(dom::preferred_channel({GetParam().phone, GetParam().email}), GetParam().expected);
}
INSTANTIATE_TEST_SUITE_P(contacts, preferred_channel_cases,
                         ::testing::Values(channel_case{"+15551234567", "sam@example.com", dom::channel::sms},
                                           channel_case{"+15551234567", "", dom::channel::sms},
                                           channel_case{"", "sam@example.com", dom::channel::email},
                                           channel_case{"", "", std::nullopt}));

TEST(channel, names) {
  EXPECT_EQ(dom::to_string(dom::channel::sms), "sms");
  EXPECT_EQ(dom::to_string(dom::channel::email), "email");
}

}  // namespace
