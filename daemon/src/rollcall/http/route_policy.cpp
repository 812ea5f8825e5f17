#include "rollcall/http/route_policy.hpp"

#include <array>

namespace rollcall::http {

namespace {

using verb = boost::beast::http::verb;
using enum site_rule;

constexpr unsigned A = roles::admin, S = roles::supervisor, C = roles::counselor, F = roles::front_desk,
                   I = roles::integration;
// Counselors' reach is the supervisors' too; the front desk's is everyone's on the page.
constexpr unsigned SC = A | S | C, SCI = SC | I, everyone = SCI | F, staff = SC | F;

// docs/api.md "Roles" is this table in words; keep them together.
constexpr std::array table{
    // Sites, their slots, closures and alerting: admins run the clinic's sites.
    route_policy{verb::post, "/v1/sites", A, all_sites_only},
    route_policy{verb::get, "/v1/sites", everyone, handler},
    route_policy{verb::get, "/v1/sites/{site_id}", everyone, path_site},
    route_policy{verb::patch, "/v1/sites/{site_id}", A, all_sites_only},
    route_policy{verb::post, "/v1/sites/{site_id}/archive", A, all_sites_only},
    route_policy{verb::put, "/v1/sites/{site_id}/slots", A, all_sites_only},
    route_policy{verb::post, "/v1/sites/{site_id}/closures", A, all_sites_only},
    route_policy{verb::get, "/v1/sites/{site_id}/closures", everyone, path_site},
    route_policy{verb::post, "/v1/sites/{site_id}/closures/{closure_id}/archive", A, all_sites_only},
    route_policy{verb::get, "/v1/sites/{site_id}/preview", A | S, path_site},
    route_policy{verb::get, "/v1/sites/{site_id}/alerting", A | S, path_site},
    route_policy{verb::put, "/v1/sites/{site_id}/alerting", A, all_sites_only},
    route_policy{verb::get, "/v1/sites/{site_id}/day", staff, path_site},
    // Groups: supervisors shape them; everyone reads them.
    route_policy{verb::post, "/v1/groups", A | S, body_site},
    route_policy{verb::get, "/v1/groups", everyone, handler},
    route_policy{verb::get, "/v1/groups/{group_id}", everyone, path_group},
    route_policy{verb::patch, "/v1/groups/{group_id}", A | S, path_group},
    route_policy{verb::post, "/v1/groups/{group_id}/archive", A | S, path_group},
    route_policy{verb::put, "/v1/groups/{group_id}/facilitators", A | S, path_group},
    route_policy{verb::get, "/v1/groups/{group_id}/waitlist", SCI, path_group},
    route_policy{verb::get, "/v1/groups/{group_id}/sessions", everyone, path_group},
    route_policy{verb::get, "/v1/groups/{group_id}/overview", staff, path_group},
    // Episodes of care: counselors' work; archiving (a mistake's undo) is a supervisor's.
    route_policy{verb::post, "/v1/episodes", SCI, body_site},
    route_policy{verb::get, "/v1/episodes", SCI, query_site},
    route_policy{verb::get, "/v1/episodes/{episode_id}", SCI, path_episode},
    route_policy{verb::patch, "/v1/episodes/{episode_id}", SCI, path_episode},
    route_policy{verb::post, "/v1/episodes/{episode_id}/level", SC, path_episode},
    route_policy{verb::post, "/v1/episodes/{episode_id}/discharge", SC, path_episode},
    route_policy{verb::post, "/v1/episodes/{episode_id}/archive", A | S, path_episode},
    route_policy{verb::get, "/v1/episodes/{episode_id}/hours", SC, path_episode},
    // Enrollments (placements in groups).
    route_policy{verb::post, "/v1/enrollments", SCI, body_group},
    route_policy{verb::get, "/v1/enrollments", SCI, query_group},
    route_policy{verb::get, "/v1/enrollments/{enrollment_id}", SCI, path_enrollment},
    route_policy{verb::post, "/v1/enrollments/{enrollment_id}/end", SC, path_enrollment},
    route_policy{verb::post, "/v1/enrollments/{enrollment_id}/accept", SC, path_enrollment},
    route_policy{verb::post, "/v1/enrollments/{enrollment_id}/decline", SC, path_enrollment},
    route_policy{verb::post, "/v1/enrollments/{enrollment_id}/archive", A | S, path_enrollment},
    route_policy{verb::post, "/v1/appointments", SCI, body_client},
    // Staff records carry contacts and webhook URLs: admins, and HR sync through a token.
    route_policy{verb::post, "/v1/staff", A | I, all_sites_only},
    route_policy{verb::get, "/v1/staff", A, all_sites_only},
    route_policy{verb::get, "/v1/staff/{staff_id}", A, all_sites_only},
    route_policy{verb::patch, "/v1/staff/{staff_id}", A | I, all_sites_only},
    route_policy{verb::post, "/v1/staff/{staff_id}/archive", A, all_sites_only},
    route_policy{verb::put, "/v1/staff/{staff_id}/login", A, all_sites_only},
    route_policy{verb::get, "/v1/staff/{staff_id}/login", A, all_sites_only},
    route_policy{verb::delete_, "/v1/staff/{staff_id}/login", A, all_sites_only},
    // Clients and their family contacts.
    route_policy{verb::post, "/v1/clients", SCI, unsited_create},
    route_policy{verb::get, "/v1/clients", SCI, query_site},
    route_policy{verb::get, "/v1/clients/{client_id}", SCI, path_client},
    route_policy{verb::patch, "/v1/clients/{client_id}", SCI, path_client},
    route_policy{verb::post, "/v1/clients/{client_id}/archive", A | S, path_client},
    route_policy{verb::get, "/v1/clients/{client_id}/overview", staff, path_client},
    route_policy{verb::post, "/v1/clients/{client_id}/contacts", SCI, path_client},
    route_policy{verb::get, "/v1/clients/{client_id}/contacts", SCI, path_client},
    route_policy{verb::get, "/v1/contacts/{contact_id}", SCI, path_contact},
    route_policy{verb::patch, "/v1/contacts/{contact_id}", SCI, path_contact},
    route_policy{verb::post, "/v1/contacts/{contact_id}/consent", SC, path_contact},
    route_policy{verb::post, "/v1/contacts/{contact_id}/revoke-consent", SC, path_contact},
    route_policy{verb::post, "/v1/contacts/{contact_id}/archive", A | S, path_contact},
    route_policy{verb::get, "/v1/clients/{client_id}/messages", SC, path_client},
    route_policy{verb::put, "/v1/clients/{client_id}/messaging", SC, path_client},
    // Sessions and attendance: the front desk marks who came.
    route_policy{verb::get, "/v1/sessions", everyone, query_site},
    route_policy{verb::get, "/v1/sessions/{session_id}", everyone, path_session},
    route_policy{verb::post, "/v1/sessions/{session_id}/cancel", A | S | I, path_session},
    route_policy{verb::post, "/v1/sessions/{session_id}/move", A | S | I, path_session},
    route_policy{verb::get, "/v1/sessions/{session_id}/roster", staff, path_session},
    route_policy{verb::post, "/v1/sessions/{session_id}/attendance", everyone, path_session},
    route_policy{verb::get, "/v1/sessions/{session_id}/attendance", everyone, path_session},
    route_policy{verb::post, "/v1/sessions/{session_id}/attendance/roster", everyone, path_session},
    route_policy{verb::post, "/v1/sessions/{session_id}/attendance/undo", staff, path_session},
    // Alerts: the page's bell, for every staff role.
    route_policy{verb::get, "/v1/alerts", staff, handler},
    route_policy{verb::get, "/v1/alerts/{alert_id}", staff, handler},
    route_policy{verb::post, "/v1/alerts/{alert_id}/acknowledge", staff, handler},
    // Reports.
    route_policy{verb::get, "/v1/reports/attendance", SCI, query_site},
    route_policy{verb::get, "/v1/reports/weekly-hours", SCI, query_site},
    // Calendar feeds: owners are not scoped by site yet.
    route_policy{verb::post, "/v1/feeds", A, all_sites_only},
    route_policy{verb::get, "/v1/feeds", A, all_sites_only},
    route_policy{verb::post, "/v1/feeds/{feed_id}/revoke", A, all_sites_only},
    // Imports (files of many sites at once) and the delivery back office.
    route_policy{verb::post, "/v1/imports/clients", A | I, all_sites_only},
    route_policy{verb::post, "/v1/imports/staff", A | I, all_sites_only},
    route_policy{verb::post, "/v1/imports/family_contacts", A | I, all_sites_only},
    route_policy{verb::post, "/v1/imports/enrollments", A | I, all_sites_only},
    route_policy{verb::get, "/v1/dead-letters", A | S, all_sites_only},
    route_policy{verb::post, "/v1/messages/{message_id}/replay", A | S, all_sites_only},
    route_policy{verb::get, "/v1/audit", A, all_sites_only},
    // The caller's own web session (signing in is public).
    route_policy{verb::get, "/v1/session", staff, none},
    route_policy{verb::delete_, "/v1/session", staff, none},
};

}  // namespace

std::span<const route_policy> route_policies() { return table; }

bool same_pattern(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] == '{' && b[j] == '{') {
      i = a.find('}', i);
      j = b.find('}', j);
      if (i == std::string_view::npos || j == std::string_view::npos) return false;
    } else if (a[i] != b[j]) {
      return false;
    }
    ++i;
    ++j;
  }
  return i == a.size() && j == b.size();
}

const route_policy* policy_for(verb v, std::string_view pattern) {
  for (const auto& p : table)
    if (p.verb == v && same_pattern(p.pattern, pattern)) return &p;
  return nullptr;
}

unsigned role_from_name(std::string_view role) {
  if (role == "admin") return roles::admin;
  if (role == "supervisor") return roles::supervisor;
  if (role == "counselor") return roles::counselor;
  if (role == "front_desk") return roles::front_desk;
  if (role == "integration") return roles::integration;
  return 0;
}

std::string_view effective_role(const principal& who) { return who.role; }

policy_decision decide(const principal& who, const route_policy* p) {
  if (!p || who.who == principal::kind::none) return policy_decision::wrong_role;
  const auto bit = role_from_name(effective_role(who));
  // Integration is a token's role; a staff login never has it.
  if (bit == 0 || (bit == roles::integration && who.is_staff())) return policy_decision::wrong_role;
  if ((p->roles & bit) == 0) return policy_decision::wrong_role;
  if (p->site == site_rule::all_sites_only && !who.all_sites) return policy_decision::needs_all_sites;
  return policy_decision::allow;
}

}  // namespace rollcall::http
