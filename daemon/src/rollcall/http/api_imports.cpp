#include "rollcall/http/api_imports.hpp"

#include <boost/json.hpp>

#include "rollcall/http/api_internal.hpp"

namespace rollcall::http {

namespace {

bool is_csv(std::string_view content_type) {
  auto type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  std::string lower{type};
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "text/csv";
}

task import_file(services::importer& importer, domain::import_kind kind, request_context& ctx) {
  if (!is_csv(ctx.req[beast_http::field::content_type]))
    co_return ctx.fail(st::unsupported_media_type, "Unsupported media type", {}, "send the file as text/csv");
  const auto flag = query_param(ctx.req, "dry_run");
  if (!flag.empty() && flag != "true" && flag != "false")
    co_return ctx.fail(st::bad_request, "Invalid request", {{"dry_run", "must be true or false"}});
  const bool dry_run = flag != "false";  // nothing is written unless asked for
  const std::string& csv = ctx.req.body();
  auto report = co_await importer.import_csv(kind, csv, dry_run, ctx.actor);
  if (report.ok()) co_return ctx.json(st::ok, services::to_json(report));
  // 422 with each bad cell as {line, column, message}; nothing was written.
  auto res = ctx.fail(st::unprocessable_entity, "Invalid import", {},
                      std::to_string(report.errors.size()) + " problem(s) in the file; nothing was written");
  auto body = json::parse(res.body()).as_object();
  body["kind"] = domain::to_string(kind);
  body["dry_run"] = dry_run;
  body["rows"] = report.rows;
  body["errors"] = services::errors_json(report.errors);
  res.body() = json::serialize(body);
  res.prepare_payload();
  co_return res;
}

}  // namespace

void register_import_routes(router& r, services::importer& importer) {
  for (const auto kind : {domain::import_kind::clients, domain::import_kind::staff,
                          domain::import_kind::family_contacts, domain::import_kind::enrollments}) {
    r.add(beast_http::verb::post, "/v1/imports/" + std::string{domain::to_string(kind)}, true,
          [&importer, kind](request_context& ctx) { return import_file(importer, kind, ctx); });
  }
}

}  // namespace rollcall::http
