// Handlers that read, change and archive the directory (sites, closures, staff, clients, family
// contacts), read sessions, and read the audit log; registered beside register_api_routes.
#pragma once

#include "rollcall/http/router.hpp"
#include "rollcall/ports/directory_admin.hpp"
#include "rollcall/ports/views.hpp"

namespace rollcall::http {

struct directory_deps {
  ports::directory_admin_store& directory;
  ports::family_contact_store& contacts;
  ports::audit_store& audit;
  const bool* allow_http_webhooks;  // follows config reloads
  ports::view_store& views;         // the site a session belongs to (scope)
};

void register_directory_routes(router& r, directory_deps deps);

}  // namespace rollcall::http
