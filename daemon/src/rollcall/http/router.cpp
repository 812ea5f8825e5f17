#include "rollcall/http/router.hpp"

#include <charconv>

#include <boost/url/parse.hpp>

namespace rollcall::http {

namespace {
std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    auto end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

constexpr std::string_view token_segment = "{token}";

// A token is 1-128 characters of the URL-safe base64 alphabet; anything else is no fit (404).
bool is_token(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}

// 0: no fit; 1: fits; 2: fits in shape but an id is not a positive integer.
int fit(std::string_view pattern, std::string_view path, std::vector<std::int64_t>& ids, std::string& token) {
  const auto want = split(pattern);
  const auto have = split(path);
  if (want.size() != have.size()) return 0;
  bool bad = false;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i] == "{id}") {
      std::int64_t v = 0;
      auto [ptr, ec] = std::from_chars(have[i].data(), have[i].data() + have[i].size(), v);
      if (ec != std::errc{} || ptr != have[i].data() + have[i].size() || v <= 0) bad = true;
      ids.push_back(v);
    } else if (want[i].starts_with(token_segment)) {
      const auto suffix = want[i].substr(token_segment.size());
      if (!have[i].ends_with(suffix)) return 0;
      const auto value = have[i].substr(0, have[i].size() - suffix.size());
      if (!is_token(value)) return 0;
      token = std::string{value};
    } else if (want[i] != have[i]) {
      return 0;
    }
  }
  return bad ? 2 : 1;
}
}  // namespace

std::string query_param(const request& req, std::string_view name) {
  auto target = boost::urls::parse_origin_form(req.target());
  if (!target) return {};
  auto params = target->params();
  auto it = params.find(name);
  return it == params.end() ? std::string{} : std::string{(*it).value};
}

std::string loggable_path(std::string_view target) {
  const auto path = target.substr(0, target.find('?'));
  // Calendar feed URLs carry their secret in the path (calendar apps cannot send headers).
  constexpr std::string_view feeds = "/ical/";
  if (path.starts_with(feeds)) return std::string{feeds} + "...";
  return std::string{path};
}

void router::add(beast_http::verb verb, std::string pattern, bool needs_auth, handler h) {
  routes_.push_back({verb, std::move(pattern), needs_auth, std::move(h)});
}

void router::add_sign_in(beast_http::verb verb, std::string pattern, handler h) {
  routes_.push_back({verb, std::move(pattern), false, std::move(h), true});
}

std::vector<router::entry> router::routes() const {
  std::vector<entry> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) out.push_back({r.verb, r.pattern, r.needs_auth});
  return out;
}

router::match router::find(beast_http::verb verb, std::string_view target) const {
  const auto path = target.substr(0, target.find('?'));
  match m;
  for (const auto& r : routes_) {
    std::vector<std::int64_t> ids;
    std::string token;
    const int f = fit(r.pattern, path, ids, token);
    if (f == 0) continue;
    m.path_known = true;
    m.allowed += (m.allowed.empty() ? "" : ", ") + std::string{beast_http::to_string(r.verb)};
    if (r.verb != verb) continue;
    if (f == 2) {
      m.bad_id = true;
      continue;
    }
    m.found = &r;
    m.ids = std::move(ids);
    m.token = std::move(token);
    return m;
  }
  return m;
}

}  // namespace rollcall::http
