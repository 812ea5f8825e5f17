#include "rollcall/services/importer.hpp"

#include <boost/json.hpp>

namespace rollcall::services {

namespace json = boost::json;

namespace {

json::value text_or_null(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

json::array items_json(const import_report& r) {
  json::array out;
  const auto& b = r.batch;
  auto with_id = [&](std::size_t i, json::object o) {
    if (i < r.ids.size()) o["id"] = r.ids[i];
    out.push_back(std::move(o));
  };
  for (std::size_t i = 0; i < b.clients.size(); ++i) {
    const auto& c = b.clients[i];
    with_id(i, {{"line", c.line},
                {"external_id", c.external_id},
                {"first_name", c.first_name},
                {"phone", text_or_null(c.phone)},
                {"email", text_or_null(c.email)}});
  }
  for (std::size_t i = 0; i < b.staff.size(); ++i) {
    const auto& s = b.staff[i];
    with_id(i, {{"line", s.line},
                {"external_id", s.external_id},
                {"name", s.name},
                {"phone", text_or_null(s.phone)},
                {"email", text_or_null(s.email)},
                {"alert_webhook_url", text_or_null(s.alert_webhook_url)}});
  }
  for (std::size_t i = 0; i < b.family_contacts.size(); ++i) {
    const auto& f = b.family_contacts[i];
    with_id(i, {{"line", f.line},
                {"client_external_id", f.client_external_id},
                {"name", f.name},
                {"relationship", f.relationship},
                {"phone", text_or_null(f.phone)},
                {"email", text_or_null(f.email)},
                {"consent_date", text_or_null(f.consent_date)}});
  }
  for (std::size_t i = 0; i < b.enrollments.size(); ++i) {
    const auto& e = b.enrollments[i];
    json::array groups;
    for (auto g : e.group_ids) groups.push_back(g);
    with_id(i, {{"line", e.line},
                {"client_external_id", e.client_external_id},
                {"site_id", e.site_id},
                {"level_of_care", e.level_of_care},
                {"start_date", e.start_date},
                {"planned_weeks", e.planned_weeks},
                {"counselor_external_id", e.counselor_external_id},
                {"case_manager_external_id", text_or_null(e.case_manager_external_id)},
                {"weekly_hours_required", e.weekly_hours_required},
                {"group_ids", std::move(groups)}});
  }
  return out;
}

}  // namespace

json::array errors_json(const std::vector<domain::import_error>& errors) {
  json::array out;
  for (const auto& e : errors)
    out.push_back(json::object{{"line", e.line}, {"column", text_or_null(e.column)}, {"message", e.message}});
  return out;
}

json::object to_json(const import_report& r) {
  json::object out{
      {"kind", domain::to_string(r.kind)}, {"dry_run", r.dry_run}, {"rows", r.rows}, {"created", r.created}};
  if (r.kind == domain::import_kind::enrollments) out["placements"] = r.placements;
  out["items"] = items_json(r);
  out["errors"] = errors_json(r.errors);
  return out;
}

ports::task<import_report> importer::import_csv(domain::import_kind kind, const std::string& csv, bool dry_run,
                                                const std::string& actor) {
  const auto settings = settings_;  // a reload meanwhile does not change this import
  auto parsed = domain::read_import(kind, csv, {settings.allow_http_webhooks});
  auto cells = domain::phone_cells(parsed.batch);
  if (!cells.empty()) {
    std::vector<std::string> raw;
    raw.reserve(cells.size());
    for (const auto& c : cells) raw.push_back(*c.value);
    auto e164 = co_await phones_.normalize(raw, settings.default_region);
    domain::place_phone_numbers(cells, e164, settings.default_region, parsed.errors);
  }
  import_report report;
  report.kind = kind;
  report.dry_run = dry_run;
  report.rows = parsed.batch.size();
  if (report.rows > 0) {
    const bool commit = !dry_run && parsed.errors.empty();
    auto stored = co_await store_.import_batch(parsed.batch, commit, actor);
    parsed.errors.insert(parsed.errors.end(), stored.errors.begin(), stored.errors.end());
    if (commit && stored.errors.empty()) {
      report.ids = std::move(stored.ids);
      report.created = report.ids.size();
      report.placements = stored.placements;
    }
  }
  domain::sort_errors(parsed.errors);
  report.errors = std::move(parsed.errors);
  report.batch = std::move(parsed.batch);
  co_return report;
}

}  // namespace rollcall::services
