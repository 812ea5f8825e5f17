// Site scope (docs/api.md "Site scope"): a staff member (or a token) limited to some sites sees
// the records of those sites only; anything else answers 404, as if it did not exist. Admins and
// tokens without sites see every site. The decisions are pure; the lookups of a record's site
// skip the database when every site is in scope.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "rollcall/http/principal.hpp"
#include "rollcall/http/route_policy.hpp"
#include "rollcall/http/router.hpp"
#include "rollcall/ports/views.hpp"

namespace rollcall::http {

// Whether a record of `site_id` is visible to `who`; a record without a site (nullopt) only to
// callers who see every site.
inline bool in_scope(const principal& who, std::optional<std::int64_t> site_id) {
  if (who.all_sites) return true;
  return site_id && who.can_see_site(*site_id);
}

// What a list shows: `requested` is its ?site_id= filter (if any). A requested site out of scope
// makes the whole list 404 (out_of_scope); otherwise `site_ids` are the sites it may show
// (nullopt: every site).
struct list_scope {
  bool out_of_scope = false;
  std::optional<std::vector<std::int64_t>> site_ids;
};
inline list_scope scope_of_list(const principal& who, std::optional<std::int64_t> requested) {
  if (who.all_sites) return {};
  if (requested && !who.can_see_site(*requested)) return {true, std::nullopt};
  return {false, who.site_ids};
}

// Whether session `session_id` (or group `group_id`) may be shown to `who`. A record that does
// not exist counts as visible: the handler's own lookup answers its 404.
boost::asio::awaitable<bool> session_visible(ports::view_store& views, const principal& who, std::int64_t session_id);
boost::asio::awaitable<bool> group_visible(ports::view_store& views, const principal& who, std::int64_t group_id);

// Whether a record of the sites `sites` (one in scope suffices) is visible to `who`.
inline bool any_in_scope(const principal& who, const std::vector<std::int64_t>& sites) {
  if (who.all_sites) return true;
  for (const auto s : sites)
    if (who.can_see_site(s)) return true;
  return false;
}

// The positive integer in `text` ("12"), or nullopt.
std::optional<std::int64_t> positive_id(std::string_view text);

// The route's site rule applied to ctx.who before its handler runs (route_policy.hpp): nullopt
// when the call may go on; otherwise the answer: 404 for a record of another site (as if it did
// not exist), 403 for a list a scoped caller did not filter by one of their sites, 422 for a
// create that does not name a record of their sites. A record that does not exist goes on, for
// the handler's own 404. Callers who see every site are never looked up.
boost::asio::awaitable<std::optional<response>> check_site_rule(ports::view_store& views, const request_context& ctx,
                                                                site_rule rule);

}  // namespace rollcall::http
