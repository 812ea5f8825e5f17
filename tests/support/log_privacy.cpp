#include "log_privacy.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <optional>
#include <set>
#include <variant>

#include <boost/json.hpp>

#include "rollcall/delivery/form.hpp"
#include "rollcall/domain/csv.hpp"

namespace rollcall::testing {

namespace json = boost::json;

namespace {

struct registry {
  std::mutex mutex;
  std::vector<sensitive_value> values;
  std::set<std::pair<int, std::string>> seen;
};

registry& the_registry() {
  static registry r;  // test support only: one per test process, like gtest's own
  return r;
}

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The kind of a request field, if it is personal. `name` is a person's only under the client
// and family contact routes (elsewhere it names a site, a group or a staff member).
std::optional<sensitive_kind> kind_of_field(std::string_view field, bool names_a_person) {
  const auto f = lower(field);
  if (f == "first_name" || f == "last_name" || f == "preferred_name") return sensitive_kind::name;
  if (f == "name" && names_a_person) return sensitive_kind::name;
  if (f == "phone") return sensitive_kind::phone;
  if (f == "email") return sensitive_kind::email;
  if (f == "note" || f == "reason") return sensitive_kind::free_text;
  if (f == "password") return sensitive_kind::password;
  if (f == "text" || f == "body") return sensitive_kind::message_text;
  return std::nullopt;
}

void register_json(const json::value& v, bool names_a_person) {
  if (const auto* o = v.if_object()) {
    for (const auto& [key, value] : *o) {
      if (value.is_string()) {
        if (auto k = kind_of_field(key, names_a_person)) register_sensitive(*k, std::string{value.as_string()});
      } else {
        register_json(value, names_a_person);
      }
    }
  } else if (const auto* a = v.if_array()) {
    for (const auto& e : *a) register_json(e, names_a_person);
  }
}

void register_csv(std::string_view body) {
  const auto parsed = domain::parse_csv(body);
  const auto* records = std::get_if<std::vector<domain::csv_record>>(&parsed);
  if (!records || records->empty()) return;
  std::vector<std::optional<sensitive_kind>> columns;
  for (auto header : records->front().fields) {
    if (header.starts_with("\xEF\xBB\xBF")) header.erase(0, 3);
    columns.push_back(kind_of_field(header, true));
  }
  for (std::size_t r = 1; r < records->size(); ++r) {
    const auto& fields = (*records)[r].fields;
    for (std::size_t c = 0; c < fields.size() && c < columns.size(); ++c)
      if (columns[c]) register_sensitive(*columns[c], fields[c]);
  }
}

bool is_word_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || u >= 0x80 || c == '_';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

struct pattern {
  std::string text;
  enum class edges { any, word, digits } edge = edges::any;
};

// The forms a value is looked for in.
std::vector<pattern> patterns_of(const sensitive_value& v) {
  using edges = pattern::edges;
  if (v.kind == sensitive_kind::email) return {{v.value, edges::any}};
  if (v.kind != sensitive_kind::phone) return {{v.value, edges::word}};
  std::vector<pattern> out{{v.value, edges::any}};
  std::string digits;
  for (char c : v.value)
    if (is_digit(c)) digits += c;
  if (digits.size() < 7) return out;
  out.push_back({digits, edges::digits});
  if (digits.size() == 10) {
    out.push_back({'1' + digits, edges::digits});  // also covers +1...
  } else if (digits.size() == 11 && digits[0] == '1') {
    out.push_back({digits.substr(1), edges::digits});  // the national number
  }
  return out;
}

bool edges_ok(std::string_view log, std::size_t at, std::size_t size, pattern::edges edge) {
  const auto before = at == 0 ? '\0' : log[at - 1];
  const auto after = at + size >= log.size() ? '\0' : log[at + size];
  switch (edge) {
    case pattern::edges::any:
      return true;
    case pattern::edges::word:
      return !is_word_char(before) && !is_word_char(after);
    case pattern::edges::digits:
      return !is_digit(before) && !is_digit(after);
  }
  return true;
}

// Too short or too plain to tell a leak from an ordinary log word: a one-word reason ("sick",
// "again") could be any log line's (a note is a phrase); a one-word text is a reply keyword
// ("HELP", "STOP"), which the log names as the reply's intent ("inbound from tw: help"); an
// "email" without an @ is a test's invalid value ("nope", also a hook's name in a URL); refused
// test passwords ("short") were never stored.
bool worth_looking_for(sensitive_kind kind, const std::string& value) {
  if (value.size() < 4) return false;
  const bool phrase = value.find_first_of(" \t\n") != std::string::npos;
  switch (kind) {
    case sensitive_kind::free_text:
      return value.size() >= 10 || phrase;
    case sensitive_kind::message_text:
      return phrase;
    case sensitive_kind::email:
      return value.find('@') != std::string::npos;
    case sensitive_kind::password:
      return value.size() >= 8;
    case sensitive_kind::name:
    case sensitive_kind::phone:
      return true;
  }
  return true;
}

}  // namespace

const char* to_string(sensitive_kind k) {
  switch (k) {
    case sensitive_kind::name:
      return "name";
    case sensitive_kind::phone:
      return "phone number";
    case sensitive_kind::email:
      return "email address";
    case sensitive_kind::free_text:
      return "free-text note";
    case sensitive_kind::password:
      return "password";
    case sensitive_kind::message_text:
      return "message text";
  }
  return "?";
}

void register_sensitive(sensitive_kind kind, std::string value) {
  if (!worth_looking_for(kind, value)) return;
  auto& r = the_registry();
  std::lock_guard lock{r.mutex};
  if (!r.seen.insert({static_cast<int>(kind), value}).second) return;
  r.values.push_back({kind, std::move(value)});
}

std::vector<sensitive_value> registered_sensitive() {
  auto& r = the_registry();
  std::lock_guard lock{r.mutex};
  return r.values;
}

void register_sensitive_request(std::string_view target, std::string_view body) {
  if (body.empty()) return;
  const auto path = target.substr(0, target.find('?'));
  if (path.starts_with("/v1/imports/")) return register_csv(body);
  if (path.starts_with("/hooks/")) {
    if (auto fields = delivery::form_decode(body))
      for (const auto& [name, value] : *fields)
        if (name == "Body") register_sensitive(sensitive_kind::message_text, value);
  }
  boost::system::error_code ec;
  const auto v = json::parse(body, ec);
  if (ec) return;
  register_json(v, path.starts_with("/v1/clients") || path.starts_with("/v1/contacts"));
}

void register_sensitive_delivery(std::string_view body) {
  boost::system::error_code ec;
  const auto v = json::parse(body, ec);
  if (!ec) {
    // Only the texts: a delivery's other fields (names in alerts, say) are registered where
    // the test sent them.
    std::vector<const json::value*> todo{&v};
    while (!todo.empty()) {
      const auto* at = todo.back();
      todo.pop_back();
      if (const auto* o = at->if_object()) {
        for (const auto& [key, value] : *o) {
          if (value.is_string() && (key == "text" || key == "body" || key == "html"))
            register_sensitive(sensitive_kind::message_text, std::string{value.as_string()});
          else
            todo.push_back(&value);
        }
      } else if (const auto* a = at->if_array()) {
        for (const auto& e : *a) todo.push_back(&e);
      }
    }
    return;
  }
  if (auto fields = delivery::form_decode(body))
    for (const auto& [name, value] : *fields)
      if (name == "Body") register_sensitive(sensitive_kind::message_text, value);
}

std::vector<privacy_finding> scan_log_for(std::string_view log, const std::vector<sensitive_value>& values) {
  std::vector<privacy_finding> out;
  for (const auto& v : values) {
    for (const auto& p : patterns_of(v)) {
      if (p.text.empty()) continue;
      bool found = false;
      for (auto at = log.find(p.text); at != std::string_view::npos && !found; at = log.find(p.text, at + 1)) {
        if (!edges_ok(log, at, p.text.size(), p.edge)) continue;
        const auto line = 1 + static_cast<std::size_t>(std::count(log.begin(), log.begin() + at, '\n'));
        out.push_back({v.kind, p.text, line});
        found = true;  // one finding per form is enough to fix it
      }
      if (found) break;
    }
  }
  return out;
}

std::string describe(const privacy_finding& f, std::string_view log, std::string_view what) {
  // The line itself, to find the log call that wrote it.
  std::size_t start = 0;
  for (std::size_t n = 1; n < f.line; ++n) start = log.find('\n', start) + 1;
  const auto line = log.substr(start, std::min<std::size_t>(log.find('\n', start) - start, 400));
  std::string out{what};
  out += " line ";
  out += std::to_string(f.line);
  out += " holds a ";
  out += to_string(f.kind);
  out += " a test sent (\"";
  out += f.value;
  out += "\"); logs carry ids, never personal data:\n";
  out += line;
  return out;
}

}  // namespace rollcall::testing
