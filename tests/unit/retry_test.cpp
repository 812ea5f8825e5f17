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
