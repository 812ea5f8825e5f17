// The failed-authentication limiter (domain/auth_failures.hpp) and the key it counts under.
#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "rollcall/domain/auth_failures.hpp"
#include "rollcall/http/server.hpp"

namespace {

using namespace std::chrono_literals;
namespace dom = rollcall::domain;
using limiter = dom::auth_failure_limiter;

const limiter::time_point t0{std::chrono::hours{1000}};

TEST(auth_failure_limiter, blocks_after_the_limit_until_the_window_that_the_first_failure_opened_ends) {
  limiter l{{3, 60s, 100}};
  EXPECT_EQ(l.blocked_for("10.0.0.1", t0), 0ns);
  l.record_failure("10.0.0.1", t0);
  l.record_failure("10.0.0.1", t0 + 10s);
  EXPECT_EQ(l.blocked_for("10.0.0.1", t0 + 10s), 0ns) << "two failures of three allowed";
  l.record_failure("10.0.0.1", t0 + 20s);
  EXPECT_EQ(l.blocked_for("10.0.0.1", t0 + 20s), 40s);
  EXPECT_EQ(l.blocked_for("10.0.0.1", t0 + 59s), 1s);
  EXPECT_EQ(l.blocked_for("10.0.0.2", t0 + 30s), 0ns) << "another address is not affected";
  EXPECT_EQ(l.blocked_for("10.0.0.1", t0 + 60s), 0ns) << "the window has ended";
  // A new window starts with the next failure, counting from one.
  l.record_failure("10.0.0.1", t0 + 61s);
  l.record_failure("10.0.0.1", t0 + 62s);
  EXPECT_EQ(l.blocked_for("10.0.0.1", t0 + 62s), 0ns);
  l.record_failure("10.0.0.1", t0 + 63s);
  EXPECT_EQ(l.blocked_for("10.0.0.1", t0 + 63s), 58s);
}

TEST(auth_failure_limiter, failures_of_an_old_window_do_not_count_in_the_next) {
  limiter l{{2, 10s, 100}};
  l.record_failure("a", t0);
  l.record_failure("a", t0 + 11s);  // the first window has ended: this opens a new one
  EXPECT_EQ(l.blocked_for("a", t0 + 11s), 0ns);
  l.record_failure("a", t0 + 12s);
  EXPECT_EQ(l.blocked_for("a", t0 + 12s), 9s);
}

TEST(auth_failure_limiter, a_limit_of_zero_never_blocks) {
  limiter l{{0, 60s, 100}};
  for (int i = 0; i < 1000; ++i) l.record_failure("a", t0);
  EXPECT_EQ(l.blocked_for("a", t0), 0ns);
  EXPECT_EQ(l.tracked(), 0u);
}

TEST(auth_failure_limiter, remembers_at_most_max_tracked_addresses_forgetting_the_oldest_window_first) {
  limiter l{{1, 60s, 3}};
  l.record_failure("a", t0);
  l.record_failure("b", t0 + 1s);
  l.record_failure("c", t0 + 2s);
  EXPECT_EQ(l.tracked(), 3u);
  l.record_failure("d", t0 + 3s);
  EXPECT_EQ(l.tracked(), 3u);
  EXPECT_EQ(l.blocked_for("a", t0 + 3s), 0ns) << "the oldest window was forgotten";
  EXPECT_EQ(l.blocked_for("b", t0 + 3s), 58s);
  EXPECT_EQ(l.blocked_for("d", t0 + 3s), 60s);
  // A flood of addresses never grows it past the bound.
  for (int i = 0; i < 10000; ++i) l.record_failure("x" + std::to_string(i), t0 + 4s);
  EXPECT_EQ(l.tracked(), 3u);
}

TEST(auth_failure_limiter, ended_windows_are_forgotten) {
  limiter l{{5, 10s, 100}};
  for (int i = 0; i < 50; ++i) l.record_failure("addr" + std::to_string(i), t0 + std::chrono::seconds{i % 5});
  EXPECT_EQ(l.tracked(), 50u);
  EXPECT_EQ(l.blocked_for("other", t0 + 20s), 0ns);
  EXPECT_EQ(l.tracked(), 0u);
}

TEST(auth_failure_limiter, new_settings_apply_and_counts_are_kept) {
  limiter l{{5, 60s, 100}};
  for (int i = 0; i < 3; ++i) l.record_failure("a", t0);
  EXPECT_EQ(l.blocked_for("a", t0), 0ns);
  l.set_settings({3, 60s, 100});
  EXPECT_EQ(l.blocked_for("a", t0 + 1s), 59s);
}

TEST(auth_failure_key, ipv4_as_it_is_ipv6_by_its_64_and_mapped_ipv4_as_ipv4) {
  using rollcall::http::auth_failure_key;
  EXPECT_EQ(auth_failure_key("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(auth_failure_key("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(auth_failure_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_EQ(auth_failure_key("2001:db8:1:2::1"), auth_failure_key("2001:db8:1:2:ffff::9"));
  EXPECT_NE(auth_failure_key("2001:db8:1:2::1"), auth_failure_key("2001:db8:1:3::1"));
  EXPECT_EQ(auth_failure_key("not an address"), "not an address");
}

}  // namespace
