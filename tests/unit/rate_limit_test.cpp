#include <chrono>

#include <gtest/gtest.h>

#include "rollcall/domain/rate_limit.hpp"

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
namespace dom = rollcall::domain;

const clock_type::time_point t0{std::chrono::hours{1000}};

TEST(token_bucket, burst_then_steady_rate) {
  dom::token_bucket b{2.0, 3.0};  // 2 per second, 3 at once
  EXPECT_EQ(b.take(t0), 0ns);
  EXPECT_EQ(b.take(t0), 0ns);
  EXPECT_EQ(b.take(t0), 0ns);
  EXPECT_EQ(b.take(t0), 500ms);  // empty: the next token comes in 1/2 s
  EXPECT_EQ(b.take(t0 + 200ms), 300ms);
  EXPECT_EQ(b.take(t0 + 500ms), 0ns);
  EXPECT_EQ(b.take(t0 + 500ms), 500ms);
  EXPECT_EQ(b.take(t0 + 1s), 0ns);
  // Waiting the returned time always suffices.
  auto now = t0 + 1s;
  for (int i = 0; i < 100; ++i) {
    const auto wait = b.take(now);
    now += wait;
    if (wait > 0ns) {
      EXPECT_EQ(b.take(now), 0ns) << i;
    }
  }
}

TEST(token_bucket, refills_only_up_to_the_burst) {
  dom::token_bucket b{10.0, 2.0};
  EXPECT_EQ(b.take(t0), 0ns);
  EXPECT_EQ(b.take(t0), 0ns);
  EXPECT_GT(b.take(t0), 0ns);
  // An hour idle refills two tokens, not 36000.
  EXPECT_EQ(b.take(t0 + 1h), 0ns);
  EXPECT_EQ(b.take(t0 + 1h), 0ns);
  EXPECT_EQ(b.take(t0 + 1h), 100ms);
}

TEST(token_bucket, slow_rates_and_small_bursts) {
  dom::token_bucket b{0.5, 0.0};  // one every 2 s; a burst under 1 counts as 1
  EXPECT_EQ(b.take(t0), 0ns);
  EXPECT_EQ(b.take(t0), 2s);
  EXPECT_EQ(b.take(t0 + 1s), 1s);
  EXPECT_EQ(b.take(t0 + 2s), 0ns);
}

TEST(token_bucket, zero_or_negative_rate_is_unlimited) {
  for (double rate : {0.0, -1.0}) {
    dom::token_bucket b{rate, 1.0};
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(b.take(t0), 0ns);
  }
}

TEST(token_bucket, time_going_backwards_is_harmless) {
  dom::token_bucket b{1.0, 1.0};
  EXPECT_EQ(b.take(t0 + 10s), 0ns);
  // Earlier than before: no tokens appear, and the wait is still measured from what is left.
  EXPECT_EQ(b.take(t0), 1s);
  EXPECT_EQ(b.take(t0 + 5s), 1s);
  // Time resumes from the latest instant seen.
  EXPECT_EQ(b.take(t0 + 10s + 500ms), 500ms);
  EXPECT_EQ(b.take(t0 + 11s), 0ns);
}

}  // namespace
