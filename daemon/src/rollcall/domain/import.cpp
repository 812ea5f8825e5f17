#include "rollcall/domain/import.hpp"

#include <algorithm>
#include <charconv>

#include "rollcall/domain/csv.hpp"
#include "rollcall/domain/schedule.hpp"
#include "rollcall/domain/validation.hpp"

namespace rollcall::domain {

namespace {

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return std::string{s.substr(first, s.find_last_not_of(" \t") - first + 1)};
}

std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

bool is_level(std::string_view l) { return l == "php" || l == "iop" || l == "op" || l == "aftercare"; }

std::optional<std::int64_t> parse_positive(std::string_view s) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

// 0-80 with at most one decimal (numeric(4, 1) in the database).
std::optional<double> parse_hours(std::string_view s) {
  const auto dot = s.find('.');
  const auto whole = s.substr(0, dot);
  const auto frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  if (whole.empty() || whole.size() > 2 || (dot != std::string_view::npos && frac.size() != 1)) return std::nullopt;
  for (char c : whole)
    if (c < '0' || c > '9') return std::nullopt;
  if (!frac.empty() && (frac[0] < '0' || frac[0] > '9')) return std::nullopt;
  const double v = std::stoi(std::string{whole}) + (frac.empty() ? 0.0 : (frac[0] - '0') / 10.0);
  if (v > 80) return std::nullopt;
  return v;
}

bool is_web_url(std::string_view url, bool allow_http) {
  std::string_view rest;
  if (url.starts_with("https://"))
    rest = url.substr(8);
  else if (allow_http && url.starts_with("http://"))
    rest = url.substr(7);
  else
    return false;
  if (rest.empty() || rest[0] == '/' || rest[0] == ':' || rest[0] == '?' || rest[0] == '#') return false;
  return std::none_of(url.begin(), url.end(), [](char c) { return static_cast<unsigned char>(c) <= ' '; });
}

// One data row: its cells by column name, and the errors found in it.
class row_reader {
 public:
  row_reader(const std::map<std::string, std::size_t>& index, const csv_record& rec, std::vector<import_error>& errors)
      : index_(index), rec_(rec), errors_(errors) {}

  int line() const { return rec_.line; }
  void error(std::string_view column, std::string message) {
    errors_.push_back({rec_.line, std::string{column}, std::move(message)});
  }
  std::string optional(std::string_view column, std::size_t max_len) {
    auto it = index_.find(std::string{column});
    if (it == index_.end()) return {};
    auto v = trim(rec_.fields[it->second]);
    if (v.size() > max_len) {
      error(column, "must be at most " + std::to_string(max_len) + " characters");
      return {};
    }
    return v;
  }
  std::string required(std::string_view column, std::size_t max_len) {
    auto v = optional(column, max_len);
    if (v.empty() && index_.count(std::string{column}) && !too_long(column)) error(column, "is required");
    return v;
  }
  std::string email(std::string_view column) {
    auto v = optional(column, 254);
    if (!v.empty() && !is_plausible_email(v)) {
      error(column, "is not an email address");
      return {};
    }
    return v;
  }
  std::string date(std::string_view column, bool needed) {
    auto v = needed ? required(column, 10) : optional(column, 10);
    if (!v.empty() && !parse_date(v)) {
      error(column, "must be a date YYYY-MM-DD");
      return {};
    }
    return v;
  }

 private:
  bool too_long(std::string_view column) const {
    return !errors_.empty() && errors_.back().line == rec_.line && errors_.back().column == column;
  }
  const std::map<std::string, std::size_t>& index_;
  const csv_record& rec_;
  std::vector<import_error>& errors_;
};

// The first line each external id appears on, to report later duplicates.
class duplicates {
 public:
  void check(row_reader& row, std::string_view column, const std::string& id) {
    if (id.empty()) return;
    auto [it, fresh] = first_.emplace(id, row.line());
    if (!fresh) row.error(column, "duplicates line " + std::to_string(it->second));
  }

 private:
  std::map<std::string, int> first_;
};

void read_row(import_batch& b, row_reader& row, duplicates& seen, const import_options& opt) {
  switch (b.kind) {
    case import_kind::clients: {
      client_row r{row.line(), row.required("external_id", 64), row.required("first_name", 100),
                   row.optional("phone", 32), row.email("email")};
      seen.check(row, "external_id", r.external_id);
      if (r.phone.empty() && r.email.empty()) row.error("phone", "phone or email is required");
      b.clients.push_back(std::move(r));
      break;
    }
    case import_kind::staff: {
      staff_row r{row.line(),
                  row.required("external_id", 64),
                  row.required("name", 200),
                  row.optional("phone", 32),
                  row.email("email"),
                  row.optional("alert_webhook_url", 2000)};
      seen.check(row, "external_id", r.external_id);
      if (!r.alert_webhook_url.empty() && !is_web_url(r.alert_webhook_url, opt.allow_http_webhooks)) {
        row.error("alert_webhook_url",
                  opt.allow_http_webhooks ? "must be an http or https URL" : "must be an https URL");
        r.alert_webhook_url.clear();
      }
      if (r.phone.empty() && r.email.empty() && r.alert_webhook_url.empty())
        row.error("alert_webhook_url", "one of alert_webhook_url, phone or email is needed to reach this person");
      b.staff.push_back(std::move(r));
      break;
    }
    case import_kind::family_contacts: {
      family_contact_row r{row.line(),
                           row.required("client_external_id", 64),
                           row.required("name", 200),
                           row.required("relationship", 100),
                           row.optional("phone", 32),
                           row.email("email"),
                           row.date("consent_date", false)};
      b.family_contacts.push_back(std::move(r));
      break;
    }
    case import_kind::enrollments: {
      enrollment_row r;
      r.line = row.line();
      r.client_external_id = row.required("client_external_id", 64);
      seen.check(row, "client_external_id", r.client_external_id);
      if (auto site = row.required("site_id", 20); !site.empty()) {
        if (auto id = parse_positive(site))
          r.site_id = *id;
        else
          row.error("site_id", "must be a positive integer id");
      }
      r.level_of_care = lower(row.required("level_of_care", 16));
      if (!r.level_of_care.empty() && !is_level(r.level_of_care)) {
        row.error("level_of_care", "must be php, iop, op or aftercare");
        r.level_of_care.clear();
      }
      r.start_date = row.date("start_date", true);
      if (auto weeks = row.required("planned_weeks", 8); !weeks.empty()) {
        auto n = parse_positive(weeks);
        if (n && *n <= 104)
          r.planned_weeks = static_cast<int>(*n);
        else
          row.error("planned_weeks", "must be a whole number from 1 to 104");
      }
      r.counselor_external_id = row.required("counselor_external_id", 64);
      r.case_manager_external_id = row.optional("case_manager_external_id", 64);
      if (auto hours = row.optional("weekly_hours_required", 8); !hours.empty()) {
        if (auto h = parse_hours(hours))
          r.weekly_hours_required = *h;
        else
          row.error("weekly_hours_required", "must be a number of hours from 0 to 80, with at most one decimal");
      } else if (!r.level_of_care.empty()) {
        r.weekly_hours_required = default_weekly_hours(r.level_of_care);
      }
      std::string groups = row.optional("group_ids", 2000);
      for (std::size_t pos = 0; pos <= groups.size() && !groups.empty();) {
        auto end = groups.find(';', pos);
        if (end == std::string::npos) end = groups.size();
        const auto one = trim(std::string_view{groups}.substr(pos, end - pos));
        const auto id = parse_positive(one);
        if (!id) {
          row.error("group_ids", "must be group ids separated by ';', like 3;7");
          r.group_ids.clear();
          break;
        }
        if (std::find(r.group_ids.begin(), r.group_ids.end(), *id) != r.group_ids.end())
          row.error("group_ids", "names group " + std::to_string(*id) + " twice");
        else
          r.group_ids.push_back(*id);
        pos = end + 1;
      }
      b.enrollments.push_back(std::move(r));
      break;
    }
  }
}

}  // namespace

std::optional<import_kind> parse_import_kind(std::string_view name) {
  if (name == "clients") return import_kind::clients;
  if (name == "staff") return import_kind::staff;
  if (name == "family_contacts") return import_kind::family_contacts;
  if (name == "enrollments") return import_kind::enrollments;
  return std::nullopt;
}

std::string_view to_string(import_kind kind) {
  switch (kind) {
    case import_kind::clients:
      return "clients";
    case import_kind::staff:
      return "staff";
    case import_kind::family_contacts:
      return "family_contacts";
    case import_kind::enrollments:
      return "enrollments";
  }
  return "clients";
}

double default_weekly_hours(std::string_view level_of_care) {
  if (level_of_care == "php") return 20;
  if (level_of_care == "iop") return 9;
  if (level_of_care == "op") return 1;
  return 0;
}

const std::vector<import_column>& columns_of(import_kind kind) {
  static const std::vector<import_column> clients{
      {"external_id", true}, {"first_name", true}, {"phone", false}, {"email", false}};
  static const std::vector<import_column> staff{
      {"external_id", true}, {"name", true}, {"phone", false}, {"email", false}, {"alert_webhook_url", false}};
  static const std::vector<import_column> family{
      {"client_external_id", true}, {"name", true}, {"relationship", true}, {"phone", false}, {"email", false},
      {"consent_date", false}};
  static const std::vector<import_column> enrollments{{"client_external_id", true},
                                                      {"site_id", true},
                                                      {"level_of_care", true},
                                                      {"start_date", true},
                                                      {"planned_weeks", true},
                                                      {"counselor_external_id", true},
                                                      {"case_manager_external_id", false},
                                                      {"weekly_hours_required", false},
                                                      {"group_ids", false}};
  switch (kind) {
    case import_kind::clients:
      return clients;
    case import_kind::staff:
      return staff;
    case import_kind::family_contacts:
      return family;
    case import_kind::enrollments:
      return enrollments;
  }
  return clients;
}

parsed_import read_import(import_kind kind, std::string_view csv, const import_options& options) {
  parsed_import out;
  out.batch.kind = kind;
  auto parsed = parse_csv(csv);
  if (auto* err = std::get_if<csv_syntax_error>(&parsed)) {
    out.errors.push_back({err->line, {}, err->message});
    return out;
  }
  const auto& records = std::get<std::vector<csv_record>>(parsed);
  if (records.empty()) {
    out.errors.push_back({1, {}, "the file is empty: a header row is required"});
    return out;
  }
  const auto& header = records.front();
  std::map<std::string, std::size_t> index;
  const auto& known = columns_of(kind);
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    auto name = lower(trim(header.fields[i]));
    const bool is_known =
        std::any_of(known.begin(), known.end(), [&](const import_column& c) { return c.name == name; });
    if (!is_known)
      out.errors.push_back({header.line, name, "is not a column of " + std::string{to_string(kind)}});
    else if (!index.emplace(name, i).second)
      out.errors.push_back({header.line, name, "appears twice in the header"});
  }
  for (const auto& c : known)
    if (c.required && !index.count(std::string{c.name}))
      out.errors.push_back({header.line, std::string{c.name}, "is a required column and is missing"});
  if (!out.errors.empty()) return out;  // rows cannot be read against a broken header

  duplicates seen;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const auto& rec = records[r];
    if (rec.fields.size() != header.fields.size()) {
      out.errors.push_back({rec.line,
                            {},
                            "has " + std::to_string(rec.fields.size()) + " fields; the header has " +
                                std::to_string(header.fields.size())});
      continue;
    }
    row_reader row{index, rec, out.errors};
    read_row(out.batch, row, seen, options);
  }
  if (out.batch.size() == 0 && out.errors.empty()) out.errors.push_back({header.line, {}, "the file has no rows"});
  return out;
}

std::vector<phone_cell> phone_cells(import_batch& b) {
  std::vector<phone_cell> out;
  for (auto& r : b.clients)
    if (!r.phone.empty()) out.push_back({r.line, "phone", &r.phone});
  for (auto& r : b.staff)
    if (!r.phone.empty()) out.push_back({r.line, "phone", &r.phone});
  for (auto& r : b.family_contacts)
    if (!r.phone.empty()) out.push_back({r.line, "phone", &r.phone});
  return out;
}

void place_phone_numbers(const std::vector<phone_cell>& cells, const std::vector<std::optional<std::string>>& e164,
                         std::string_view region, std::vector<import_error>& errors) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const auto& number = i < e164.size() ? e164[i] : std::nullopt;
    if (number && is_e164(*number)) {
      *cells[i].value = *number;
    } else {
      errors.push_back(
          {cells[i].line, std::string{cells[i].column},
           "is not a valid phone number (numbers without a country code are read as " + std::string{region} + ")"});
      cells[i].value->clear();
    }
  }
}

std::vector<import_error> check_against(const import_batch& b, const import_facts& f) {
  std::vector<import_error> out;
  auto taken = [&](int line, const std::string& id) {
    if (!id.empty() && f.taken_external_ids.count(id))
      out.push_back({line, "external_id", "already exists in rollcall"});
  };
  for (const auto& r : b.clients) taken(r.line, r.external_id);
  for (const auto& r : b.staff) taken(r.line, r.external_id);
  auto client = [&](int line, const std::string& id) -> const client_facts* {
    if (id.empty()) return nullptr;
    auto it = f.clients.find(id);
    if (it == f.clients.end()) {
      out.push_back({line, "client_external_id", "no client has this external_id"});
      return nullptr;
    }
    if (it->second.archived) {
      out.push_back({line, "client_external_id", "the client is archived"});
      return nullptr;
    }
    return &it->second;
  };
  for (const auto& r : b.family_contacts) client(r.line, r.client_external_id);

  std::map<std::int64_t, int> placed;  // by earlier rows of this file
  for (const auto& r : b.enrollments) {
    const auto* c = client(r.line, r.client_external_id);
    if (c && c->active_episode)
      out.push_back({r.line, "client_external_id", "the client already has an active episode"});
    if (r.site_id && !f.sites.count(r.site_id)) out.push_back({r.line, "site_id", "no such site"});
    if (!r.counselor_external_id.empty() && !f.staff.count(r.counselor_external_id))
      out.push_back({r.line, "counselor_external_id", "no staff member has this external_id"});
    if (!r.case_manager_external_id.empty() && !f.staff.count(r.case_manager_external_id))
      out.push_back({r.line, "case_manager_external_id", "no staff member has this external_id"});
    for (const auto g : r.group_ids) {
      const auto name = "group " + std::to_string(g);
      auto it = f.groups.find(g);
      if (it == f.groups.end()) {
        out.push_back({r.line, "group_ids", name + ": no such group"});
        continue;
      }
      if (r.site_id && it->second.site_id != r.site_id)
        out.push_back({r.line, "group_ids", name + " is at another site"});
      if (c && c->open_groups.count(g))
        out.push_back({r.line, "group_ids", name + ": the client is already placed in it"});
      const int seats = it->second.taken + placed[g]++;
      if (it->second.capacity > 0 && seats >= it->second.capacity)
        out.push_back(
            {r.line, "group_ids",
             name + " is full (capacity " + std::to_string(it->second.capacity) + ", counting earlier rows)"});
    }
  }
  return out;
}

void sort_errors(std::vector<import_error>& errors) {
  std::stable_sort(errors.begin(), errors.end(),
                   [](const import_error& a, const import_error& b) { return a.line < b.line; });
}

}  // namespace rollcall::domain
