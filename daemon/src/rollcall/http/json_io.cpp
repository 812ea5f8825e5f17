#include "rollcall/http/json_io.hpp"

namespace rollcall::http {

namespace {
std::string too_many_items() {
  std::string s = "must have at most ";
  s += std::to_string(max_array_items);
  s += " items";
  return s;
}
}  // namespace

json_reader::json_reader(std::string_view body) {
  boost::system::error_code ec;
  root_ = boost::json::parse(body, ec);
  if (ec) {
    add_error("body", "is not valid JSON");
    return;
  }
  object_ = root_.if_object();
  if (!object_) add_error("body", "must be a JSON object");
}

const boost::json::value* json_reader::field(std::string_view name) {
  if (!object_) return nullptr;
  seen_.emplace(name);
  return object_->if_contains(name);
}

std::string json_reader::required_string(std::string_view name, std::size_t max_len) {
  const auto* v = field(name);
  if (!object_) return {};
  if (!v || v->is_null()) {
    add_error(std::string{name}, "is required");
    return {};
  }
  if (!v->is_string()) {
    add_error(std::string{name}, "must be a string");
    return {};
  }
  std::string s{v->get_string()};
  if (s.empty()) add_error(std::string{name}, "must not be empty");
  if (s.size() > max_len) add_error(std::string{name}, "must be at most " + std::to_string(max_len) + " characters");
  return s;
}

std::string json_reader::optional_string(std::string_view name, std::size_t max_len) {
  const auto* v = field(name);
  if (!v || v->is_null()) return {};
  if (!v->is_string()) {
    add_error(std::string{name}, "must be a string");
    return {};
  }
  std::string s{v->get_string()};
  if (s.size() > max_len) add_error(std::string{name}, "must be at most " + std::to_string(max_len) + " characters");
  return s;
}

std::int64_t json_reader::required_id(std::string_view name) {
  const auto* v = field(name);
  if (!object_) return 0;
  if (!v || v->is_null()) {
    add_error(std::string{name}, "is required");
    return 0;
  }
  if (v->is_int64() && v->get_int64() > 0) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() > 0 && v->get_uint64() <= INT64_MAX)
    return static_cast<std::int64_t>(v->get_uint64());
  add_error(std::string{name}, "must be a positive integer id");
  return 0;
}

std::optional<std::int64_t> json_reader::optional_count(std::string_view name, std::int64_t max) {
  const auto* v = field(name);
  if (!v || v->is_null()) return std::nullopt;
  if (v->is_int64() && v->get_int64() >= 1 && v->get_int64() <= max) return v->get_int64();
  add_error(std::string{name}, "must be a whole number from 1 to " + std::to_string(max));
  return std::nullopt;
}

std::optional<double> json_reader::optional_number(std::string_view name, double lo, double hi) {
  const auto* v = field(name);
  if (!v || v->is_null()) return std::nullopt;
  if (v->is_number()) {
    const double d = v->to_number<double>();
    if (d >= lo && d <= hi) return d;
  }
  add_error(std::string{name}, "must be a number from " + std::to_string(static_cast<int>(lo)) + " to " +
                                   std::to_string(static_cast<int>(hi)));
  return std::nullopt;
}

std::optional<std::int64_t> json_reader::optional_id_or_null(std::string_view name) {
  const auto* v = field(name);
  if (!v) return std::nullopt;
  if (v->is_null()) return 0;
  if (v->is_int64() && v->get_int64() > 0) return v->get_int64();
  add_error(std::string{name}, "must be a positive integer id or null");
  return std::nullopt;
}

std::optional<std::vector<std::int64_t>> json_reader::optional_ids(std::string_view name) {
  const auto* v = field(name);
  if (!v || v->is_null()) return std::nullopt;
  std::vector<std::int64_t> out;
  if (v->is_array() && v->get_array().size() > max_array_items) {
    add_error(std::string{name}, too_many_items());
    return std::nullopt;
  }
  if (v->is_array()) {
    for (const auto& e : v->get_array()) {
      if (!e.is_int64() || e.get_int64() <= 0) {
        out.clear();
        break;
      }
      out.push_back(e.get_int64());
    }
    if (out.size() == v->get_array().size()) return out;
  }
  add_error(std::string{name}, "must be an array of positive integer ids");
  return std::nullopt;
}

std::optional<bool> json_reader::optional_bool(std::string_view name) {
  const auto* v = field(name);
  if (!v || v->is_null()) return std::nullopt;
  if (v->is_bool()) return v->get_bool();
  add_error(std::string{name}, "must be true or false");
  return std::nullopt;
}

bool json_reader::is_null(std::string_view name) {
  const auto* v = field(name);
  return v && v->is_null();
}

const boost::json::array* json_reader::required_array(std::string_view name) {
  const auto* v = field(name);
  if (!object_) return nullptr;
  if (!v || v->is_null()) {
    add_error(std::string{name}, "is required");
    return nullptr;
  }
  if (!v->is_array()) {
    add_error(std::string{name}, "must be an array");
    return nullptr;
  }
  if (v->get_array().size() > max_array_items) {
    add_error(std::string{name}, too_many_items());
    return nullptr;
  }
  return &v->get_array();
}

bool json_reader::present(std::string_view name) {
  const auto* v = field(name);
  return v && !v->is_null();
}

void json_reader::reject_unknown_fields() {
  if (!object_) return;
  for (const auto& [key, value] : *object_)
    if (!seen_.count(std::string_view{key})) add_error(std::string{key}, "is not a known field");
}

response json_response(beast_http::status status, const boost::json::value& body, unsigned version, bool keep_alive) {
  response res{status, version};
  res.set(beast_http::field::content_type, "application/json");
  res.set(beast_http::field::cache_control, "no-store");
  res.keep_alive(keep_alive);
  res.body() = boost::json::serialize(body);
  res.prepare_payload();
  return res;
}

response problem(beast_http::status status, std::string_view title, std::string_view detail, const field_errors& errors,
                 unsigned version, bool keep_alive, const std::vector<conflict_item>& conflicts) {
  boost::json::object body{{"type", "about:blank"}, {"title", title}, {"status", static_cast<int>(status)}};
  if (!detail.empty()) body["detail"] = detail;
  if (!errors.empty()) {
    boost::json::array list;
    for (const auto& e : errors) list.push_back(boost::json::object{{"field", e.field}, {"message", e.message}});
    body["errors"] = std::move(list);
  }
  if (!conflicts.empty()) {
    boost::json::array list;
    for (const auto& c : conflicts) {
      boost::json::object item{{"kind", c.kind}, {"entity", c.entity}, {"id", c.id}, {"message", c.message}};
      if (!c.at.empty()) item["at"] = c.at;
      list.push_back(std::move(item));
    }
    body["conflicts"] = std::move(list);
  }
  auto res = json_response(status, body, version, keep_alive);
  res.set(beast_http::field::content_type, "application/problem+json");
  return res;
}

beast_http::status status_of(errc code) {
  switch (code) {
    case errc::not_found:
      return beast_http::status::not_found;
    case errc::conflict:
      return beast_http::status::conflict;
    case errc::invalid_input:
      return beast_http::status::unprocessable_entity;
    case errc::unauthorized:
      return beast_http::status::unauthorized;
    case errc::ok:
      break;
  }
  return beast_http::status::internal_server_error;
}

}  // namespace rollcall::http
