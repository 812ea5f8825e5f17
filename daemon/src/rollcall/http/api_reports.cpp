// Report handlers: parse the range and filters, read the store, let services/reports.hpp count,
// and answer one table as JSON rows or as CSV with the same columns. Names in the rows are for
// staff; they never reach a log.
#include "rollcall/http/api_reports.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <map>

#include "rollcall/domain/csv.hpp"
#include "rollcall/domain/schedule.hpp"
#include "rollcall/http/api_internal.hpp"
#include "rollcall/http/paging.hpp"
#include "rollcall/services/reports.hpp"

namespace rollcall::http {

namespace {

// At most this many days in one report (a leap year), and episodes in one weekly-hours report.
constexpr int max_days = 366;
constexpr int max_episodes = 1000;

struct report_query {
  date::local_days from, to;
  ports::report_filter filter;
  bool csv = false;
};

std::string date_text(date::local_days d) { return domain::format_date(date::year_month_day{d}); }

std::optional<date::local_days> required_date(const request& req, const char* name, field_errors& bad) {
  const auto text = query_param(req, name);
  const auto parsed = text.empty() ? std::nullopt : domain::parse_date(text);
  if (!parsed) {
    bad.push_back({name, text.empty() ? "is required (YYYY-MM-DD)" : "must be a date YYYY-MM-DD"});
    return std::nullopt;
  }
  return date::local_days{*parsed};
}

// ?from=&to= (both required, at most max_days), the id filters, and ?format=csv|json (or an
// Accept header asking for text/csv).
std::optional<report_query> read_query(const request& req, bool by_group, field_errors& bad) {
  report_query q;
  const auto from = required_date(req, "from", bad), to = required_date(req, "to", bad);
  if (from && to && *to < *from) bad.push_back({"to", "must not be before from"});
  if (from && to && *to - *from >= date::days{max_days}) bad.push_back({"to", "at most 366 days from from"});
  q.filter.site_id = query_id(req, "site_id", bad);
  if (by_group) q.filter.group_id = query_id(req, "group_id", bad);
  q.filter.client_id = query_id(req, "client_id", bad);
  const auto format = query_param(req, "format");
  if (format.empty())
    q.csv = std::string_view{req[beast_http::field::accept]}.find("text/csv") != std::string_view::npos;
  else if (format == "csv" || format == "json")
    q.csv = format == "csv";
  else
    bad.push_back({"format", "must be json or csv"});
  if (!bad.empty()) return std::nullopt;
  q.from = *from;
  q.to = *to;
  q.filter.from = date_text(q.from);
  q.filter.to = date_text(q.to);
  return q;
}

// One report as a table: JSON writes each row as an object of its columns, CSV a header line
// and one line per row.
struct report_table {
  std::vector<std::string> columns;
  std::vector<std::vector<json::value>> rows;
};

json::array rows_json(const report_table& t) {
  json::array out;
  for (const auto& row : t.rows) {
    json::object o;
    for (std::size_t i = 0; i < t.columns.size(); ++i) o[t.columns[i]] = row[i];
    out.push_back(std::move(o));
  }
  return out;
}

// A cell as text: numbers in their shortest exact form, so a CSV cell reads back as the JSON
// number; null as an empty cell.
std::string cell_text(const json::value& v) {
  if (v.is_string()) return std::string{v.get_string()};
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  if (v.is_double()) {
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.get_double());
    return ec == std::errc{} ? std::string{buf, end} : std::string{};
  }
  return {};
}

std::string rows_csv(const report_table& t) {
  std::string out = domain::csv_line(t.columns);
  std::vector<std::string> cells;
  for (const auto& row : t.rows) {
    cells.clear();
    for (const auto& v : row) cells.push_back(cell_text(v));
    out += domain::csv_line(cells);
  }
  return out;
}

response csv_response(const request_context& ctx, const std::string& filename, std::string body) {
  response res{st::ok, ctx.req.version()};
  res.set(beast_http::field::content_type, "text/csv; charset=utf-8");
  std::string disposition = "attachment; filename=\"";
  disposition += filename;
  disposition += '"';
  res.set(beast_http::field::content_disposition, disposition);
  // Rows name clients: no shared cache may keep them.
  res.set(beast_http::field::cache_control, "private, no-store");
  res.keep_alive(ctx.req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

json::value rate_json(const domain::attendance_totals& t) {
  const auto r = t.rate();
  return r ? json::value(std::round(*r * 10000.0) / 10000.0) : json::value(nullptr);
}

void add_counts(std::vector<json::value>& row, const domain::attendance_totals& t) {
  for (const int n : {t.expected, t.present, t.late, t.left_early, t.absent, t.excused, t.unmarked, t.upcoming})
    row.emplace_back(static_cast<std::int64_t>(n));
  row.emplace_back(domain::hours_of_minutes(t.attended_minutes));
  row.emplace_back(domain::hours_of_minutes(t.scheduled_minutes));
  row.push_back(rate_json(t));
}

constexpr std::array<const char*, 11> count_columns = {
    "expected", "present",  "late",           "left_early",      "absent",         "excused",
    "unmarked", "upcoming", "attended_hours", "scheduled_hours", "attendance_rate"};

// The key columns of a row by `by`, with the names staff know the key by.
report_table attendance_table(domain::report_by by, const std::vector<ports::expected_client>& facts,
                              const std::vector<domain::attendance_totals>& totals) {
  std::map<ports::id_t, const ports::expected_client*> any_of;  // a row of each key, for names
  for (const auto& f : facts) {
    const auto key = by == domain::report_by::client  ? f.client_id
                     : by == domain::report_by::group ? f.group_id
                                                      : f.site_id;
    any_of.try_emplace(key, &f);
  }
  report_table t;
  switch (by) {
    case domain::report_by::client:
      t.columns = {"client_id", "first_name"};
      break;
    case domain::report_by::group:
      t.columns = {"group_id", "group_name", "site_id", "site_name"};
      break;
    case domain::report_by::site:
      t.columns = {"site_id", "site_name"};
      break;
    case domain::report_by::week:
      t.columns = {"week", "monday"};
      break;
  }
  t.columns.insert(t.columns.end(), count_columns.begin(), count_columns.end());
  for (const auto& row : totals) {
    std::vector<json::value> r;
    if (by == domain::report_by::week) {
      r = {json::value(row.week.label()), json::value(date_text(row.week.monday))};
    } else {
      const auto& f = *any_of.at(row.key_id);
      r.emplace_back(row.key_id);
      if (by == domain::report_by::client) r.emplace_back(f.client_first_name);
      if (by == domain::report_by::group) {
        r.emplace_back(f.group_name);
        r.emplace_back(f.site_id);
      }
      if (by != domain::report_by::client) r.emplace_back(f.site_name);
    }
    add_counts(r, row);
    t.rows.push_back(std::move(r));
  }
  return t;
}

constexpr const char* by_message = "must be client, group, site or week";

// GET /v1/reports/attendance?from=&to=&by=client|group|site|week[&site_id=&group_id=&client_id=]
task attendance_report(report_deps d, request_context& ctx) {
  field_errors bad;
  const auto by_text = query_param(ctx.req, "by");
  const auto by = domain::parse_report_by(by_text);
  if (!by) bad.push_back({"by", by_message});
  const auto q = read_query(ctx.req, true, bad);
  if (!q || !by) co_return ctx.fail(st::unprocessable_entity, "Invalid request", bad);
  const auto facts = co_await d.reports.expected_clients(q->filter);
  const auto now = std::chrono::floor<std::chrono::seconds>(d.clock.now());
  const auto totals = services::attendance_report(facts, *by, now);
  const auto table = attendance_table(*by, facts, totals);
  if (q->csv) {
    std::string name = "attendance-by-";
    name += by_text;
    name += '-';
    name += q->filter.from;
    name += "-to-";
    name += q->filter.to;
    name += ".csv";
    co_return csv_response(ctx, name, rows_csv(table));
  }
  report_table sum{{count_columns.begin(), count_columns.end()}, {}};
  sum.rows.emplace_back();
  add_counts(sum.rows.back(), domain::total_of(totals));
  co_return ctx.json(st::ok, json::object{{"from", q->filter.from},
                                          {"to", q->filter.to},
                                          {"by", by_text},
                                          {"rows", rows_json(table)},
                                          {"totals", rows_json(sum).at(0)}});
}

json::value optional_json(const std::optional<double>& v) { return v ? json::value(*v) : json::value(nullptr); }
json::value optional_json(const std::optional<bool>& v) { return v ? json::value(*v) : json::value(nullptr); }

// GET /v1/reports/weekly-hours?from=&to=[&site_id=&client_id=]: per episode in care and ISO week
// touching the range (whole weeks), required, scheduled and attended hours.
task weekly_hours_report(report_deps d, request_context& ctx) {
  field_errors bad;
  auto q = read_query(ctx.req, false, bad);
  if (!q) co_return ctx.fail(st::unprocessable_entity, "Invalid request", bad);
  // Whole ISO weeks: a week the range cuts would look short of hours it is not short of.
  q->from = domain::iso_week_of(q->from).monday;
  q->to = domain::iso_week_of(q->to).monday + date::days{6};
  q->filter.from = date_text(q->from);
  q->filter.to = date_text(q->to);
  const auto facts = co_await d.reports.weekly_hours_facts_of(q->filter, max_episodes);
  if (facts.episodes.size() > static_cast<std::size_t>(max_episodes))
    co_return ctx.fail(st::unprocessable_entity, "Invalid request",
                       {{"to", "more than 1000 episodes in the range: narrow it, or filter by site_id or client_id"}});
  const auto now = d.clock.now();
  report_table t;
  t.columns = {"episode_id",     "client_id",       "first_name",    "site_id",        "site_name",
               "week",           "monday",          "level_of_care", "required_hours", "scheduled_hours",
               "attended_hours", "shortfall_hours", "met",           "partial"};
  for (const auto& e : facts.episodes) {
    auto schedule = co_await d.care.schedule_of_episode(e.episode_id, q->filter.from, q->filter.to);
    if (!schedule) continue;  // gone meanwhile
    const auto today = date::floor<date::days>(date::locate_zone(e.time_zone)->to_local(now));
    for (const auto& w : services::episode_weekly_hours(*schedule, facts.marks, q->from, q->to, today))
      t.rows.push_back({json::value(e.episode_id), json::value(e.client_id), json::value(e.client_first_name),
                        json::value(e.site_id), json::value(e.site_name), json::value(w.hours.week.label()),
                        json::value(date_text(w.hours.week.monday)), json::value(w.hours.level),
                        json::value(domain::round_hours(w.hours.required_hours)),
                        json::value(domain::round_hours(w.hours.scheduled_hours)), json::value(w.attended_hours),
                        optional_json(w.shortfall), optional_json(w.met), json::value(w.hours.partial)});
  }
  if (q->csv) {
    std::string name = "weekly-hours-";
    name += q->filter.from;
    name += "-to-";
    name += q->filter.to;
    name += ".csv";
    co_return csv_response(ctx, name, rows_csv(t));
  }
  co_return ctx.json(st::ok, json::object{{"from", q->filter.from}, {"to", q->filter.to}, {"rows", rows_json(t)}});
}

}  // namespace

void register_report_routes(router& r, report_deps d) {
  using v = beast_http::verb;
  auto bind = [d](task (*fn)(report_deps, request_context&)) -> handler {
    return [d, fn](request_context& ctx) { return fn(d, ctx); };
  };
  r.add(v::get, "/v1/reports/attendance", true, bind(attendance_report));
  r.add(v::get, "/v1/reports/weekly-hours", true, bind(weekly_hours_report));
}

}  // namespace rollcall::http
