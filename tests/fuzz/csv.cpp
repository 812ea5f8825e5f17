// Fuzz target: CSV imports (POST /v1/imports/{kind}, rollcalld import): the RFC 4180 reader
// (domain/csv.hpp) and the per-kind row checks over it (domain/import.hpp read_import, the same
// call services/importer makes), plus the report writer's cell quoting read back by the reader.
#include "rollcall/domain/csv.hpp"
#include "fuzz/fuzz_input.hpp"
#include "rollcall/domain/import.hpp"

namespace {

namespace domain = rollcall::domain;

// A cell written by csv_cell reads back as itself, behind a ' when it looked like a formula.
void check_cell_round_trip(const std::string& cell) {
  if (cell.empty()) return;                      // a record of one empty cell is an empty line, which the reader skips
  if (cell.starts_with("\xEF\xBB\xBF")) return;  // at the start of a file it reads as a byte order mark
  const auto parsed = domain::parse_csv(domain::csv_line({cell}));
  const auto* records = std::get_if<std::vector<domain::csv_record>>(&parsed);
  FUZZ_CHECK(records && records->size() == 1 && records->front().fields.size() == 1);
  const auto& back = records->front().fields.front();
  const bool formula = std::string_view{"=+-@\t\r"}.find(cell.front()) != std::string_view::npos;
  std::string expected = formula ? "'" : "";
  expected += cell;
  FUZZ_CHECK(back == expected);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rollcall::fuzz::input input{data, size};
  const auto choice = input.byte();
  const auto text = input.rest();

  const auto parsed = domain::parse_csv(text);
  if (const auto* records = std::get_if<std::vector<domain::csv_record>>(&parsed)) {
    int last_line = 0;
    for (const auto& r : *records) {
      FUZZ_CHECK(r.line > last_line && !r.fields.empty());
      last_line = r.line;
      for (std::size_t i = 0; i < r.fields.size() && i < 4; ++i) check_cell_round_trip(r.fields[i]);
    }
  } else {
    FUZZ_CHECK(std::get<domain::csv_syntax_error>(parsed).line >= 1);
  }

  constexpr domain::import_kind kinds[] = {domain::import_kind::clients, domain::import_kind::staff,
                                           domain::import_kind::family_contacts, domain::import_kind::enrollments};
  const auto kind = kinds[choice % 4];
  auto out = domain::read_import(kind, text, {(choice & 4) != 0});
  for (const auto& e : out.errors) FUZZ_CHECK(e.line >= 0 && !e.message.empty());
  // The importer's next steps on what was read: phone cells out to the normaliser and back.
  auto cells = domain::phone_cells(out.batch);
  std::vector<std::optional<std::string>> e164(cells.size());
  for (std::size_t i = 0; i < cells.size(); i += 2) e164[i] = "+12125550123";
  domain::place_phone_numbers(cells, e164, "US", out.errors);
  domain::sort_errors(out.errors);
  return 0;
}
