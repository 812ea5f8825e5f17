// Fuzz target: the pure part of phone normalisation (phone/gawk_lines.hpp). libphonenumber runs
// in a gawk child process (one per batch; too slow to fuzz and not our code); what rollcalld
// itself does with outside input is frame the imported numbers onto gawk's stdin, where no
// number may add a line and shift the answers of the others, and read gawk's answers, where
// only E.164 numbers may come out. Plus the E.164 and email checks of domain/validation.hpp.
#include "fuzz/fuzz_input.hpp"
#include "rollcall/domain/validation.hpp"
#include "rollcall/phone/gawk_lines.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rollcall::fuzz::input input{data, size};
  const std::string region{static_cast<char>('A' + input.byte() % 26), static_cast<char>('A' + input.byte() % 26)};
  // Numbers separated by 0xFF bytes (so they may hold line breaks and NULs), then after two
  // 0xFF bytes in a row what gawk answered.
  std::vector<std::string> numbers;
  while (!input.empty()) {
    const auto n = input.part('\xff');
    if (n.empty()) break;
    numbers.emplace_back(n);
  }
  const auto output = input.rest();

  const auto in = rollcall::phone::gawk_input(numbers, region);
  std::size_t lines = 0, pos = 0;
  for (std::size_t next; (next = in.find('\n', pos)) != std::string::npos; pos = next + 1, ++lines) {
    const std::string_view line{in.data() + pos, next - pos};
    FUZZ_CHECK(lines <= numbers.size());
    if (lines == 0)
      FUZZ_CHECK(line == region);
    else
      FUZZ_CHECK(line.empty() || line == numbers[lines - 1]);
  }
  FUZZ_CHECK(lines == numbers.size() + 1 && pos == in.size());

  for (const auto& a : rollcall::phone::gawk_answers(output))
    if (a) FUZZ_CHECK(rollcall::domain::is_e164(*a));
  for (const auto& n : numbers) {
    if (rollcall::domain::is_e164(n)) FUZZ_CHECK(n.size() <= 16 && n[0] == '+');
    if (rollcall::domain::is_plausible_email(n)) FUZZ_CHECK(n.find('@') != std::string::npos);
  }
  return 0;
}
