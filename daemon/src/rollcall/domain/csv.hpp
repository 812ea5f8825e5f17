// RFC 4180 CSV as clinics' spreadsheets export it: quoted fields with "" escapes, commas and
// line breaks inside quotes, CRLF or LF line ends, an optional UTF-8 byte order mark, and a
// final line break (or not). Each record keeps the physical line it starts on, for errors.
// Also the writer for reports: RFC 4180 quoting, guarded against spreadsheet formulas.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace rollcall::domain {

struct csv_record {
  int line = 0;  // 1-based physical line the record starts on
  std::vector<std::string> fields;
};

struct csv_syntax_error {
  int line = 0;
  std::string message;
};

// Every record, the header row included. Empty lines (no characters at all) are skipped, so a
// trailing blank line from a spreadsheet is harmless. The first malformed spot stops parsing:
// an unterminated quote, or characters between a closing quote and the next separator.
std::variant<std::vector<csv_record>, csv_syntax_error> parse_csv(std::string_view text);

// One cell as written: a cell a spreadsheet would run as a formula (starting with = + - @, a tab
// or a carriage return) gets a leading ' (OWASP's CSV injection advice), and a cell holding a
// comma, quote or line break (or a leading or trailing space) is quoted with "" escapes.
std::string csv_cell(std::string_view text);
// A record: the cells joined by commas, ended with CRLF (RFC 4180).
std::string csv_line(const std::vector<std::string>& cells);

}  // namespace rollcall::domain
