// Replays every file of tests/fuzz/corpus/<target>/ and tests/fuzz/regressions/<target>/ through
// the fuzz targets, in the normal (gcc) build: an input that once crashed a target, or broke one
// of its checks, fails this test if it ever does again. A crash ends the process, so the input
// being run is named on stderr first (only when it fails: see on_fatal_signal).
#include <unistd.h>
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#define FUZZ_TARGETS(X) X(json_request) X(form) X(rrule) X(template) X(config) X(e164) X(csv) X(ics)
#define DECLARE(name) extern "C" int fuzz_##name(const std::uint8_t* data, std::size_t size);
FUZZ_TARGETS(DECLARE)
#undef DECLARE

namespace {

namespace fs = std::filesystem;
using entry_point = int (*)(const std::uint8_t*, std::size_t);

struct target {
  const char* name;
  entry_point run;
};
#define ENTRY(name) target{#name, fuzz_##name},
const std::vector<target> targets{FUZZ_TARGETS(ENTRY)};
#undef ENTRY

char current_input[4096];

extern "C" void on_fatal_signal(int sig) {
  const char head[] = "fuzz_replay: this input crashed its target: ";
  (void)!::write(STDERR_FILENO, head, sizeof head - 1);
  (void)!::write(STDERR_FILENO, current_input, std::strlen(current_input));
  (void)!::write(STDERR_FILENO, "\n", 1);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && !e.path().filename().string().starts_with(".")) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::size_t replay(const target& t, const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& file : files_in(dir)) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), {}};
    const auto name = file.string();
    std::snprintf(current_input, sizeof current_input, "%s", name.c_str());
    EXPECT_EQ(t.run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), 0) << name;
    ++n;
  }
  return n;
}

class fuzz_replay : public ::testing::TestWithParam<target> {
 protected:
  void SetUp() override {
    for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) std::signal(sig, on_fatal_signal);
  }
};

TEST_P(fuzz_replay, corpus_and_regressions_pass) {
  const fs::path root{ROLLCALL_FUZZ_DIR};
  const auto seeds = replay(GetParam(), root / "corpus" / GetParam().name);
  const auto regressions = replay(GetParam(), root / "regressions" / GetParam().name);
  EXPECT_GE(seeds, 3u) << "tests/fuzz/corpus/" << GetParam().name << " needs seed inputs";
  RecordProperty("inputs", static_cast<int>(seeds + regressions));
}

INSTANTIATE_TEST_SUITE_P(targets, fuzz_replay, ::testing::ValuesIn(targets),
                         [](const auto& info) { return std::string{info.param.name}; });

}  // namespace
