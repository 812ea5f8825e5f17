#include <chrono>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "rollcall/domain/retry.hpp"

namespace {

using namespace std::chrono_literals;
namespace dom = rollcall::domain;

struct retry_case {
  std::string name;
  int status;
  std::optional<std::chrono::seconds> retry_after;
  int attempts_made;
  int max_attempts;
  dom::delivery_verdict verdict;
  std::chrono::seconds delay;
};

class decide_retry_cases : public ::testing::TestWithParam<retry_case> {};

TEST_P(decide_retry_cases, follows_the_policy) {
  const auto& c = GetParam();
  const auto d = dom::decide_retry({c.status, c.retry_after}, c.attempts_made, c.max_attempts);
  EXPECT_EQ(d.verdict, c.verdict);
  if (c.verdict == dom::delivery_verdict::retry) {
    EXPECT_EQ(d.delay.count(), c.delay.count());
  } else {
    EXPECT_EQ(d.delay.count(), 0);
  }
}

constexpr auto delivered = dom::delivery_verdict::delivered;
constexpr auto retry = dom::delivery_verdict::retry;
constexpr auto give_up = dom::delivery_verdict::give_up;

INSTANTIATE_TEST_SUITE_P(
    statuses, decide_retry_cases,
    ::testing::Values(
        retry_case{"ok_200", 200, {}, 1, 8, delivered, 0s}, retry_case{"accepted_202", 202, {}, 1, 8, delivered, 0s},
        retry_case{"no_content_204", 204, {}, 3, 8, delivered, 0s},
        retry_case{"delivered_even_on_last_attempt", 200, {}, 8, 8, delivered, 0s},
        retry_case{"gone_410", 410, {}, 1, 8, give_up, 0s}, retry_case{"bad_request_400", 400, {}, 1, 8, give_up, 0s},
        retry_case{"unauthorized_401", 401, {}, 1, 8, give_up, 0s},
        retry_case{"not_found_404", 404, {}, 1, 8, give_up, 0s},
        retry_case{"unprocessable_422", 422, {}, 1, 8, give_up, 0s},
        retry_case{"too_many_429", 429, {}, 1, 8, retry, 5s}, retry_case{"timeout_408", 408, {}, 1, 8, retry, 5s},
        retry_case{"too_early_425", 425, {}, 1, 8, retry, 5s}, retry_case{"server_error_500", 500, {}, 1, 8, retry, 5s},
        retry_case{"unavailable_503", 503, {}, 1, 8, retry, 5s}, retry_case{"no_response_0", 0, {}, 1, 8, retry, 5s},
        retry_case{"redirect_301", 301, {}, 1, 8, retry, 5s},
        // The schedule: 5s, 5m, 30m, 2h, 5h, 10h, 10h, then it stays at 10h.
        retry_case{"second_attempt", 500, {}, 2, 20, retry, 5min},
        retry_case{"third_attempt", 500, {}, 3, 20, retry, 30min},
        retry_case{"fourth_attempt", 500, {}, 4, 20, retry, 2h}, retry_case{"fifth_attempt", 500, {}, 5, 20, retry, 5h},
        retry_case{"sixth_attempt", 500, {}, 6, 20, retry, 10h},
        retry_case{"seventh_attempt", 500, {}, 7, 20, retry, 10h},
        retry_case{"beyond_the_schedule", 503, {}, 15, 20, retry, 10h},
        // Retry-After: honoured when longer than the schedule, ignored when shorter.
        retry_case{"retry_after_longer", 429, 120s, 1, 8, retry, 120s},
        retry_case{"retry_after_shorter", 503, 60s, 2, 8, retry, 5min},
        retry_case{"retry_after_zero", 429, 0s, 1, 8, retry, 5s},
        // ... but never beyond an hour: a reminder must not wait for days.
        retry_case{"retry_after_capped", 503, 86400s, 1, 8, retry, 1h},
        retry_case{"retry_after_cap_keeps_schedule", 503, 86400s, 5, 8, retry, 5h},
        // Out of attempts: transient failures give up too.
        retry_case{"max_attempts_reached", 500, {}, 8, 8, give_up, 0s},
        retry_case{"beyond_max_attempts", 0, {}, 9, 8, give_up, 0s},
        retry_case{"single_attempt_allowed", 503, 10s, 1, 1, give_up, 0s},
        retry_case{"one_before_max", 500, {}, 7, 8, retry, 10h}),
    [](const auto& info) { return info.param.name; });

}  // namespace

namespace {

TEST(decide_retry_with_age_and_jitter, the_three_argument_overload_is_no_age_limit_and_no_jitter) {
  for (int attempt = 1; attempt <= 9; ++attempt) {
    const auto old = dom::decide_retry({503, {}}, attempt, 9);
    const auto now = dom::decide_retry({503, {}}, attempt, 9, 1000h, 0s, 0.5);
    EXPECT_EQ(old.verdict, now.verdict) << attempt;
    EXPECT_EQ(old.delay.count(), now.delay.count()) << attempt;
  }
}

TEST(decide_retry_with_age_and_jitter, gives_up_at_max_age) {
  EXPECT_EQ(dom::decide_retry({500, {}}, 1, 8, 23h, 24h, 0.5).verdict, dom::delivery_verdict::retry);
  EXPECT_EQ(dom::decide_retry({500, {}}, 1, 8, 24h, 24h, 0.5).verdict, dom::delivery_verdict::give_up);
  EXPECT_EQ(dom::decide_retry({500, {}}, 1, 8, 25h, 24h, 0.5).verdict, dom::delivery_verdict::give_up);
  // No age limit when max_age <= 0.
  EXPECT_EQ(dom::decide_retry({500, {}}, 1, 8, 9999h, 0s, 0.5).verdict, dom::delivery_verdict::retry);
  EXPECT_EQ(dom::decide_retry({500, {}}, 1, 8, 9999h, -1s, 0.5).verdict, dom::delivery_verdict::retry);
  // A success is a success however old; a permanent failure is permanent however young.
  EXPECT_EQ(dom::decide_retry({200, {}}, 1, 8, 48h, 24h, 0.5).verdict, dom::delivery_verdict::delivered);
  EXPECT_EQ(dom::decide_retry({404, {}}, 1, 8, 0s, 24h, 0.5).verdict, dom::delivery_verdict::give_up);
  EXPECT_EQ(dom::decide_retry({500, {}}, 1, 8, 48h, 24h, 0.5).delay.count(), 0);
}

TEST(decide_retry_with_age_and_jitter, jitter_scales_the_delay_by_0_8_to_1_2) {
  // Second attempt: 5 minutes.
  EXPECT_EQ(dom::decide_retry({500, {}}, 2, 8, 0s, 0s, 0.0).delay, 240s);
  EXPECT_EQ(dom::decide_retry({500, {}}, 2, 8, 0s, 0s, 0.25).delay, 270s);
  EXPECT_EQ(dom::decide_retry({500, {}}, 2, 8, 0s, 0s, 0.5).delay, 300s);
  EXPECT_EQ(dom::decide_retry({500, {}}, 2, 8, 0s, 0s, 0.75).delay, 330s);
  EXPECT_EQ(dom::decide_retry({500, {}}, 2, 8, 0s, 0s, 0.999999).delay, 360s);
  // First attempt: 5 s -> 4 s .. 6 s.
  EXPECT_EQ(dom::decide_retry({0, {}}, 1, 8, 0s, 0s, 0.0).delay, 4s);
  EXPECT_EQ(dom::decide_retry({0, {}}, 1, 8, 0s, 0s, 0.999).delay, 6s);
  // Out-of-range jitter is clamped rather than producing negative or huge delays.
  EXPECT_EQ(dom::decide_retry({500, {}}, 2, 8, 0s, 0s, -3.0).delay, 240s);
  EXPECT_EQ(dom::decide_retry({500, {}}, 2, 8, 0s, 0s, 7.0).delay, 360s);
}

TEST(decide_retry_with_age_and_jitter, retry_after_applies_after_jitter) {
  // 5 s jittered to 4 s; a Retry-After of 5 s is longer and wins.
  EXPECT_EQ(dom::decide_retry({429, 5s}, 1, 8, 0s, 0s, 0.0).delay, 5s);
  // 5 min jittered to 6 min; a Retry-After of 5 min is shorter and loses.
  EXPECT_EQ(dom::decide_retry({429, 300s}, 2, 8, 0s, 0s, 0.999999).delay, 360s);
  // Capped at an hour: 2h jittered to 96 min stays, a day-long Retry-After is cut to 1h and loses.
  EXPECT_EQ(dom::decide_retry({503, 86400s}, 4, 8, 0s, 0s, 0.0).delay, 96min);
  EXPECT_EQ(dom::decide_retry({503, 86400s}, 1, 8, 0s, 0s, 0.0).delay, 1h);
}

}  // namespace
