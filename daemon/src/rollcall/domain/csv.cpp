#include "rollcall/domain/csv.hpp"

namespace rollcall::domain {

std::variant<std::vector<csv_record>, csv_syntax_error> parse_csv(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<csv_record> out;
  int line = 1;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    csv_record rec;
    rec.line = line;
    // An empty line is no record.
    if (text[i] == '\n' || (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n')) {
      i += text[i] == '\r' ? 2 : 1;
      ++line;
      continue;
    }
    for (;;) {  // one field per pass
      std::string field;
      if (i < n && text[i] == '"') {
        const int opened = line;
        ++i;
        for (;;) {
          if (i >= n) return csv_syntax_error{opened, "a quoted field is never closed"};
          const char c = text[i++];
          if (c == '"') {
            if (i < n && text[i] == '"') {
              field.push_back('"');
              ++i;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          field.push_back(c);
        }
        if (i < n && text[i] != ',' && text[i] != '\n' && !(text[i] == '\r' && i + 1 < n && text[i + 1] == '\n'))
          return csv_syntax_error{line, "unexpected characters after a closing quote"};
      } else {
        while (i < n && text[i] != ',' && text[i] != '\n' && !(text[i] == '\r' && i + 1 < n && text[i + 1] == '\n')) {
          if (text[i] == '"') return csv_syntax_error{line, "a quote inside an unquoted field (quote the whole field)"};
          field.push_back(text[i++]);
        }
      }
      rec.fields.push_back(std::move(field));
      if (i < n && text[i] == ',') {
        ++i;
        continue;
      }
      if (i < n) i += text[i] == '\r' ? 2 : 1;  // the record's line break
      ++line;
      break;
    }
    out.push_back(std::move(rec));
  }
  return out;
}

std::string csv_cell(std::string_view text) {
  std::string cell;
  // A negative number is harmless, but a cell cannot tell a number from "-2+3" or "-cmd|...":
  // every cell that could start a formula is guarded, as spreadsheets would otherwise run it.
  if (!text.empty() && std::string_view{"=+-@\t\r"}.find(text.front()) != std::string_view::npos) cell = "'";
  cell += text;
  const bool quote = cell.find_first_of(",\"\r\n") != std::string::npos ||
                     (!cell.empty() && (cell.front() == ' ' || cell.back() == ' '));
  if (!quote) return cell;
  std::string out = "\"";
  for (const char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::string out;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += ',';
    out += csv_cell(cells[i]);
  }
  out += "\r\n";
  return out;
}

}  // namespace rollcall::domain
