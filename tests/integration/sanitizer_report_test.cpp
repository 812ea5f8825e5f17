// The harness's side of scripts/test --sanitize: a sanitizer report that a child rollcalld wrote
// to its log fails the test that started it, even when no test looks at how the process exited.
#include <fstream>
#include <memory>

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "daemon_process.hpp"

namespace rollcall::testing {
namespace {

TEST(sanitizer_report, finds_each_sanitizers_report_from_its_first_line) {
  EXPECT_EQ(sanitizer_report(""), "");
  EXPECT_EQ(sanitizer_report("[info] listening on 127.0.0.1:4000\n[error] db: connection refused\n"), "");

  const std::string asan =
      "==123==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010\n"
      "READ of size 8 at 0x602000000010 thread T0\n";
  EXPECT_EQ(sanitizer_report("[info] started\n" + asan), asan);

  const std::string lsan = "==77==ERROR: LeakSanitizer: detected memory leaks\n";
  EXPECT_EQ(sanitizer_report("[info] stopping\n" + lsan), lsan);

  const std::string ubsan = "daemon/src/rollcall/domain/x.cpp:12:7: runtime error: signed integer overflow\n";
  EXPECT_EQ(sanitizer_report("[debug] tick\n" + ubsan + "[info] more\n"), ubsan + "[info] more\n");

  const std::string ubsan_segv = "==9==ERROR: UndefinedBehaviorSanitizer: SEGV on unknown address\n";
  EXPECT_EQ(sanitizer_report(ubsan_segv), ubsan_segv);

  // A log line of rollcall's own that speaks of an error is no report.
  EXPECT_EQ(sanitizer_report("[error] runtime error in planner round (id 4)\n"), "");
}

TEST(sanitizer_report, a_report_in_the_log_of_a_child_rollcalld_fails_the_test) {
  auto d = std::make_unique<daemon_process>("");
  std::ofstream{d->dir() / "rollcalld.log"} << "==1==ERROR: LeakSanitizer: detected memory leaks\n";
  EXPECT_NONFATAL_FAILURE(d.reset(), "ERROR: LeakSanitizer: detected memory leaks");

  auto clean = std::make_unique<daemon_process>("");
  std::ofstream{clean->dir() / "rollcalld.log"} << "[info] stopped\n";
  clean.reset();  // no failure
}

}  // namespace
}  // namespace rollcall::testing
