// Fuzz target: message templates as configured ([[templates]] in the config) and the values
// filled into them (domain/templates.hpp): the template check, rendering, SMS segment counting
// and the check for words that would reveal treatment.
#include "fuzz/fuzz_input.hpp"
#include "rollcall/domain/templates.hpp"

namespace {

namespace domain = rollcall::domain;

void check_length(std::string_view text) {
  const auto n = domain::sms_segments(text);
  FUZZ_CHECK(n.segments >= 1 && n.units >= 0);
  FUZZ_CHECK(static_cast<std::size_t>(n.units) <= 2 * text.size());
  if (n.units <= (n.ucs2 ? 70 : 160)) FUZZ_CHECK(n.segments == 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rollcall::fuzz::input input{data, size};
  const auto& kinds = domain::template_kinds();
  const auto& kind = kinds[input.byte() % kinds.size()];
  const std::string_view channel = input.byte() & 1 ? "email" : "sms";
  const std::string_view language = input.byte() & 1 ? "es" : "en";
  const auto text = input.part('\0');
  // Then name=value pairs, each ended by a NUL byte.
  domain::placeholder_values values;
  while (!input.empty()) {
    const auto pair = input.part('\0');
    const auto eq = pair.find('=');
    values[std::string{pair.substr(0, eq)}] = eq == std::string_view::npos ? "" : std::string{pair.substr(eq + 1)};
  }

  const auto problem = domain::check_template(text, kind);
  if (problem && !problem->placeholder.empty()) FUZZ_CHECK(text.find(problem->placeholder) != std::string_view::npos);
  const auto rendered = domain::render_template(text, values);
  if (text.find_first_of("{}") == std::string_view::npos) FUZZ_CHECK(rendered == text);
  if (!problem && values.empty()) FUZZ_CHECK(rendered.size() <= text.size());
  check_length(text);
  check_length(rendered);
  if (const auto word = domain::revealing_word(text)) FUZZ_CHECK(text.find(*word) != std::string_view::npos);

  // As config load does: the configured text over the defaults, found again by its key.
  domain::message_template t{"fuzz", kind, std::string{channel}, std::string{language}, "", std::string{text}};
  const domain::template_catalog catalog{std::vector<domain::message_template>{t}};
  const auto* found = catalog.find("fuzz", kind, channel, language);
  FUZZ_CHECK(found && found->body == text);
  const auto hinted = domain::render_template(text, domain::realistic_placeholder_values(channel, language));
  check_length(hinted);
  return 0;
}
