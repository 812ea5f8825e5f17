// Who is calling a route: a named API token (`rollcalld token create`) or a staff member signed
// in through the web page; either has a role and the sites that scope what it sees. Handlers ask
// it whether a site is in scope; a record outside it answers 404, as if it did not exist.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace rollcall::http {

struct principal {
  enum class kind { none, token, staff };
  kind who = kind::none;
  std::int64_t staff_id = 0;  // staff only
  std::string username;       // staff only
  std::string token_name;     // tokens only
  // "admin", "supervisor", "counselor", "front_desk", or (tokens only) "integration".
  std::string role;
  bool all_sites = false;  // role admin, or a token created without sites
  std::vector<std::int64_t> site_ids;

  bool is_staff() const { return who == kind::staff; }
  bool can_see_site(std::int64_t site_id) const {
    return all_sites || std::find(site_ids.begin(), site_ids.end(), site_id) != site_ids.end();
  }
  // Front desk staff (and integrations) see that messages went out and how they fared, not what
  // they said.
  bool reads_message_text() const { return role == "admin" || role == "supervisor" || role == "counselor"; }
  // Nor clinical free text: why a level of care changed, how an episode ended.
  bool reads_clinical_notes() const { return reads_message_text(); }
};

}  // namespace rollcall::http
