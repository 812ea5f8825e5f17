// support::password_hasher: verifies run off the caller's thread and answer on its executor, and
// past the bound a verify is refused at once instead of queueing.
#include <optional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sodium.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "rollcall/support/password_hasher.hpp"
#include "rollcall/support/passwords.hpp"
#include "unit/run_task.hpp"

namespace rollcall::testing {
namespace {

namespace net = boost::asio;

class password_hasher_test : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_GE(sodium_init(), 0); }
};

TEST_F(password_hasher_test, verifies_on_its_own_thread_and_resumes_the_caller_on_its_executor) {
  support::password_hasher hasher{1, 4};
  const std::string hash = support::hash_password("right-password-1");
  const std::string right = "right-password-1", wrong = "wrong-password-1", none;
  const auto caller = std::this_thread::get_id();
  auto check = [&](const std::string& password, const std::string& against) -> net::awaitable<std::optional<bool>> {
    auto out = co_await hasher.verify(password, against);
    EXPECT_EQ(std::this_thread::get_id(), caller);
    co_return out;
  };
  EXPECT_EQ(run_task(check(right, hash)), std::optional{true});
  EXPECT_EQ(run_task(check(wrong, hash)), std::optional{false});
  EXPECT_EQ(run_task(check(right, none)), std::optional{false}) << "no login: the dummy verify, never a match";
  EXPECT_EQ(hasher.waiting(), 0);
}

TEST_F(password_hasher_test, past_the_bound_a_verify_is_refused_without_waiting) {
  support::password_hasher hasher{1, 2};
  const std::string password = "some-password-1", hash;
  net::io_context io;
  std::vector<std::optional<std::optional<bool>>> answers(5);
  // All five start before any verify can answer (the answers come back through this same
  // single-threaded io_context), so exactly two hold a slot.
  for (auto& a : answers)
    net::co_spawn(
        io, [&]() -> net::awaitable<void> { a = co_await hasher.verify(password, hash); },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
  io.run();
  int verified = 0, refused = 0;
  for (const auto& a : answers) {
    ASSERT_TRUE(a.has_value()) << "every caller is answered";
    (a->has_value() ? verified : refused)++;
    if (a->has_value()) {
      EXPECT_FALSE(**a);
    }
  }
  EXPECT_EQ(verified, 2);
  EXPECT_EQ(refused, 3);
  EXPECT_EQ(hasher.waiting(), 0) << "slots are given back";
}

}  // namespace
}  // namespace rollcall::testing
