// Fuzz target: calendar feeds (domain/ics.hpp). They parse nothing, but put outside text (group
// names and site addresses staff typed) into RFC 5545 lines: TEXT escaping and folding must
// keep every line within 75 octets, never split a UTF-8 character, and unfold to what went in.
#include "rollcall/domain/ics.hpp"
#include <date/date.h>

#include "fuzz/fuzz_input.hpp"

namespace {

namespace domain = rollcall::domain;

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t n = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

void check_folded(std::string_view line) {
  const auto folded = domain::fold_line(line);
  FUZZ_CHECK(folded.ends_with("\r\n"));
  std::string unfolded;
  std::size_t pos = 0;
  for (std::size_t end; (end = folded.find("\r\n", pos)) != std::string::npos; pos = end + 2) {
    const std::string_view physical{folded.data() + pos, end - pos};
    FUZZ_CHECK(physical.size() <= 75);
    if (pos > 0) FUZZ_CHECK(physical.starts_with(' '));
    const auto content = pos > 0 ? physical.substr(1) : physical;
    if (valid_utf8(line)) FUZZ_CHECK(valid_utf8(content));
    unfolded += content;
  }
  FUZZ_CHECK(pos == folded.size());
  FUZZ_CHECK(unfolded == line);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rollcall::fuzz::input input{data, size};
  const auto hours = input.byte();
  const auto summary = input.part('\0');
  const auto location = input.rest();

  const auto escaped = domain::escape_text(summary);
  FUZZ_CHECK(escaped.find_first_of("\r\n") == std::string::npos);
  check_folded("SUMMARY:" + escaped);
  if (summary.find("\r\n") == std::string_view::npos) check_folded(summary);

  using namespace std::chrono;
  const sys_seconds start{date::sys_days{date::year{2025} / date::March / 9} + hours * 1h};
  domain::ics_calendar cal{std::string{summary}, {}};
  cal.events.push_back({"session-1@rollcall", "America/New_York", start, start + 90min, std::string{summary},
                        std::string{location}, hours % 3, (hours & 1) != 0});
  const auto text = domain::write_ics(cal, start);
  std::size_t pos = 0;
  for (std::size_t end; (end = text.find("\r\n", pos)) != std::string::npos; pos = end + 2) FUZZ_CHECK(end - pos <= 75);
  FUZZ_CHECK(pos == text.size());
  return 0;
}
