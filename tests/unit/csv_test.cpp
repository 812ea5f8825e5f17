// RFC 4180 parsing as spreadsheets export it, and where each record starts; the writer's
// quoting and its guard against spreadsheet formulas.
#include <gtest/gtest.h>

#include "rollcall/domain/csv.hpp"

namespace rollcall::domain {
namespace {

std::vector<csv_record> records(std::string_view text) {
  auto parsed = parse_csv(text);
  if (auto* err = std::get_if<csv_syntax_error>(&parsed)) {
    ADD_FAILURE() << "line " << err->line << ": " << err->message;
    return {};
  }
  return std::get<std::vector<csv_record>>(parsed);
}

csv_syntax_error error_of(std::string_view text) {
  auto parsed = parse_csv(text);
  if (auto* err = std::get_if<csv_syntax_error>(&parsed)) return *err;
  ADD_FAILURE() << "parsed without error: " << text;
  return {};
}

using fields = std::vector<std::string>;

TEST(csv, plain_records_with_lf_or_crlf_and_no_final_newline) {
  for (std::string_view text : {"a,b\n1,2\n", "a,b\r\n1,2\r\n", "a,b\n1,2"}) {
    const auto r = records(text);
    ASSERT_EQ(r.size(), 2u) << text;
    EXPECT_EQ(r[0].fields, (fields{"a", "b"}));
    EXPECT_EQ(r[1].fields, (fields{"1", "2"}));
    EXPECT_EQ(r[1].line, 2);
  }
}

TEST(csv, quoted_fields_hold_commas_quotes_and_line_breaks) {
  const auto r = records("name,note\n\"Smith, Ann\",\"said \"\"hi\"\"\"\n\"two\r\nlines\",x\nlast,\"\"\n");
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[1].fields, (fields{"Smith, Ann", "said \"hi\""}));
  EXPECT_EQ(r[2].fields, (fields{"two\r\nlines", "x"}));
  EXPECT_EQ(r[2].line, 3);
  EXPECT_EQ(r[3].fields, (fields{"last", ""}));
  EXPECT_EQ(r[3].line, 5);  // the record after a two-line field starts on physical line 5
}

TEST(csv, a_byte_order_mark_and_empty_lines_are_ignored) {
  const auto r = records("\xEF\xBB\xBFid,name\n\n1,A\n\r\n2,B\n\n");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].fields, (fields{"id", "name"}));
  EXPECT_EQ(r[1].line, 3);
  EXPECT_EQ(r[2].line, 5);
}

TEST(csv, empty_fields_and_a_trailing_comma_count) {
  const auto r = records("a,,c,\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].fields, (fields{"a", "", "c", ""}));
}

TEST(csv, malformed_quotes_are_reported_with_their_line) {
  auto e = error_of("a,b\n1,\"open\n2,3\n");
  EXPECT_EQ(e.line, 2);
  EXPECT_NE(e.message.find("never closed"), std::string::npos);
  e = error_of("a,b\n1,2\n\"x\"y,3\n");
  EXPECT_EQ(e.line, 3);
  e = error_of("a,b\n1,ab\"c\n");
  EXPECT_EQ(e.line, 2);
}

TEST(csv, empty_input_has_no_records) {
  EXPECT_TRUE(records("").empty());
  EXPECT_TRUE(records("\xEF\xBB\xBF").empty());
}

TEST(csv_writer, plain_cells_stay_as_they_are) {
  EXPECT_EQ(csv_cell("Ana"), "Ana");
  EXPECT_EQ(csv_cell(""), "");
  EXPECT_EQ(csv_cell("2026-W48"), "2026-W48");
  EXPECT_EQ(csv_cell("0.75"), "0.75");
}

TEST(csv_writer, commas_quotes_and_line_breaks_are_quoted) {
  EXPECT_EQ(csv_cell("Smith, Jo"), "\"Smith, Jo\"");
  EXPECT_EQ(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_cell("a\nb"), "\"a\nb\"");
  EXPECT_EQ(csv_cell("a\r\nb"), "\"a\r\nb\"");
  EXPECT_EQ(csv_cell(" padded "), "\" padded \"");
}

TEST(csv_writer, cells_that_would_start_a_formula_get_a_leading_quote) {
  EXPECT_EQ(csv_cell("=SUM(A1:A9)"), "'=SUM(A1:A9)");
  EXPECT_EQ(csv_cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(csv_cell("+1"), "'+1");
  EXPECT_EQ(csv_cell("-2+3"), "'-2+3");
  EXPECT_EQ(csv_cell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csv_cell("\tx"), "'\tx");
  EXPECT_EQ(csv_cell("=1,2"), "\"'=1,2\"");  // guarded, then quoted
  EXPECT_EQ(csv_cell("a=b"), "a=b");         // only the first character matters
}

TEST(csv_writer, lines_end_with_crlf_and_read_back_as_written) {
  const fields cells = {"id", "Smith, \"Jo\"", "two\nlines", "", "=cmd"};
  const auto line = csv_line(cells);
  EXPECT_TRUE(line.ends_with("\r\n"));
  const auto back = records(line + csv_line({"1", "2", "3", "4", "5"}));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].fields, (fields{"id", "Smith, \"Jo\"", "two\nlines", "", "'=cmd"}));
  EXPECT_EQ(back[1].fields, (fields{"1", "2", "3", "4", "5"}));
  EXPECT_EQ(back[1].line, 3);  // the quoted line break is a physical line
}

}  // namespace
}  // namespace rollcall::domain
