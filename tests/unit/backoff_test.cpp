// The backoff arithmetic the periodic loops and the dispatcher's result writes share.
#include <chrono>

#include <gtest/gtest.h>

#include "rollcall/support/backoff.hpp"

namespace {

using namespace std::chrono_literals;
using rollcall::support::backoff_delay;
using rollcall::support::loop_backoff;

TEST(backoff, doubles_from_the_base_up_to_the_cap) {
  EXPECT_EQ(backoff_delay(1, 500ms, 5s), 500ms);
  EXPECT_EQ(backoff_delay(2, 500ms, 5s), 1s);
  EXPECT_EQ(backoff_delay(3, 500ms, 5s), 2s);
  EXPECT_EQ(backoff_delay(4, 500ms, 5s), 4s);
  EXPECT_EQ(backoff_delay(5, 500ms, 5s), 5s);
  EXPECT_EQ(backoff_delay(6, 500ms, 5s), 5s);
}

TEST(backoff, nothing_failed_waits_nothing_and_a_long_outage_does_not_overflow) {
  EXPECT_EQ(backoff_delay(0, 1s, 30s), 0ms);
  EXPECT_EQ(backoff_delay(-3, 1s, 30s), 0ms);
  EXPECT_EQ(backoff_delay(1'000'000, 1s, 30s), 30s);
  EXPECT_EQ(backoff_delay(3, 0ms, 30s), 0ms);
}

TEST(backoff, a_loop_backs_off_1_2_4_seconds_to_30) {
  EXPECT_EQ(loop_backoff(1, 200ms), 1s);
  EXPECT_EQ(loop_backoff(2, 200ms), 2s);
  EXPECT_EQ(loop_backoff(3, 200ms), 4s);
  EXPECT_EQ(loop_backoff(5, 200ms), 16s);
  EXPECT_EQ(loop_backoff(6, 200ms), 30s);
  EXPECT_EQ(loop_backoff(60, 1s), 30s);
}

TEST(backoff, a_slow_loop_backs_off_up_to_its_own_interval_but_retries_within_seconds_at_first) {
  const std::chrono::milliseconds five_minutes = 5min;
  EXPECT_EQ(loop_backoff(1, five_minutes), 1s);
  EXPECT_EQ(loop_backoff(7, five_minutes), 64s);
  EXPECT_EQ(loop_backoff(9, five_minutes), 256s);
  EXPECT_EQ(loop_backoff(10, five_minutes), five_minutes);
  EXPECT_EQ(loop_backoff(100, five_minutes), five_minutes);
}

}  // namespace
