// List endpoints: ?limit= (1-200, default 50) and ?cursor= (opaque) in, and
// {"items": [...], "next_cursor": "..." | null} out. Pages follow id order (ports/paging.hpp),
// so rows added between two requests never make a page skip or repeat one.
//
// Adding a list endpoint (see api_directory.cpp's list_staff):
//   1. store: a named statement to the convention in store/sql_directory.hpp
//      ("... WHERE id > $1 AND ($3::bigint IS NULL OR site_id = $3) ORDER BY id LIMIT $2"),
//      read with store::read_page<T>(tx, statement, page, read_row, filters...);
//   2. handler:
//      field_errors bad;
//      const auto page = read_page_request(ctx.req, bad);
//      const auto site = query_id(ctx.req, "site_id", bad);
//      if (!bad.empty()) co_return ctx.fail(st::unprocessable_entity, "Invalid request", bad);
//      auto rows = co_await d.store.list_things(site, page);
//      co_return ctx.json(st::ok, page_json(rows, [](const thing& t) { return to_json(t); }));
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "rollcall/http/router.hpp"
#include "rollcall/ports/paging.hpp"

namespace rollcall::http {

std::string encode_cursor(ports::id_t after);
std::optional<ports::id_t> decode_cursor(std::string_view cursor);

// ?limit and ?cursor; a bad value adds an error naming the parameter.
ports::page_request read_page_request(const request& req, field_errors& errors);

// An optional positive id filter (?site_id=3); a bad value adds an error naming it.
std::optional<ports::id_t> query_id(const request& req, std::string_view name, field_errors& errors);

// ?status=active|archived|all (default active).
ports::status_filter query_status(const request& req, field_errors& errors);

// An optional date filter (?from=2025-01-31).
std::optional<std::string> query_date(const request& req, std::string_view name, field_errors& errors);

template <class T, class ToJson>
boost::json::object page_json(const ports::page<T>& p, ToJson to_json) {
  boost::json::array items;
  for (const auto& item : p.items) items.push_back(to_json(item));
  return {
      {"items", std::move(items)},
      {"next_cursor", p.next_after ? boost::json::value(encode_cursor(*p.next_after)) : boost::json::value(nullptr)}};
}

}  // namespace rollcall::http
