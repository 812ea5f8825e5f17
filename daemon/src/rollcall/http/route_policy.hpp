// Who may call each authenticated route (docs/api.md "Roles"): one pure table of
// {verb, pattern} -> the roles that may call it and how the record's site is found, applied by
// the server to staff sessions and API tokens alike before any handler runs. A route missing
// from the table is refused; a site-scoped caller may only call routes whose site is checked.
#pragma once

#include <cstdint>
#include <ostream>  // boost::core::string_view (in verb.hpp) needs it
#include <span>
#include <string_view>

#include <boost/beast/http/verb.hpp>

#include "rollcall/http/principal.hpp"

namespace rollcall::http {

// Roles as bits, so a table row lists who may call it.
namespace roles {
inline constexpr unsigned admin = 1u << 0;
inline constexpr unsigned supervisor = 1u << 1;
inline constexpr unsigned counselor = 1u << 2;
inline constexpr unsigned front_desk = 1u << 3;
inline constexpr unsigned integration = 1u << 4;  // API tokens only
}  // namespace roles

// How a route finds the site(s) of what it reads or changes, for callers who see only some sites.
enum class site_rule {
  none,             // nothing of any site (the caller's own web session)
  unsited_create,   // creates a record that has no site yet (a client), reads nothing of a site
  path_site,        // the first "{id}" is a site
  path_group,       // ... a group: the group's site
  path_session,     // ... a session: its group's site
  path_episode,     // ... an episode: the episode's site
  path_enrollment,  // ... an enrollment: its group's site
  path_client,      // ... a client: the sites of their active episodes (one in scope suffices)
  path_contact,     // ... a family contact: their client's sites
  body_site,        // a create naming "site_id" in its body
  body_group,       // a create naming "group_id" in its body
  body_client,      // a create naming "client_id" (and, if present, "site_id") in its body
  query_site,       // a list: a scoped caller must filter it with ?site_id= of their own
  query_group,      // a list: a scoped caller must filter it with ?group_id= of their own sites
  handler,          // the handler scopes it (lists filtered to the caller's sites; alerts by site)
  all_sites_only,   // not scoped (yet): only callers who see every site
};

struct route_policy {
  boost::beast::http::verb verb;
  std::string_view pattern;  // the OpenAPI form ("/v1/sites/{site_id}"); "{...}" matches any "{...}"
  unsigned roles;            // roles:: bits
  site_rule site;
};

// Every authenticated route's row, in the order of docs/api.md's table.
std::span<const route_policy> route_policies();

// The row of {verb, pattern}; `pattern` may be the route table's form ("{id}") or the OpenAPI one.
const route_policy* policy_for(boost::beast::http::verb verb, std::string_view pattern);

// The role bit of a role name; 0 for an unknown one.
unsigned role_from_name(std::string_view role);
// The role a principal acts with: the staff member's or the token's.
std::string_view effective_role(const principal& who);

enum class policy_decision {
  allow,            // may call it (a scoped caller's records are still checked against the site rule)
  wrong_role,       // 403 "your role cannot do this"
  needs_all_sites,  // 403 "this needs access to every site"
};
// What `who` may do with route `p` (nullptr: a route the table does not know, refused).
policy_decision decide(const principal& who, const route_policy* p);

// Whether two route patterns name the same path, any "{...}" segment matching any other.
bool same_pattern(std::string_view a, std::string_view b);

}  // namespace rollcall::http
