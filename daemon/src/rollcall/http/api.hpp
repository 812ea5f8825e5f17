// The JSON API's handlers: parse -> store/service -> respond, each registered in one table.
#pragma once

#include "rollcall/config/config.hpp"
#include "rollcall/http/router.hpp"
#include "rollcall/ports/care.hpp"
#include "rollcall/ports/ports.hpp"
#include "rollcall/ports/views.hpp"
#include "rollcall/services/preview.hpp"
#include "rollcall/services/session_changes.hpp"

namespace rollcall::http {

struct api_deps {
  ports::directory_store& directory;
  ports::care_store& care;
  services::session_changes& session_changes;
  services::previewer& previewer;
  ports::attendance_store& attendance;
  ports::health_store& health;
  const ports::clock& clock;
  const bool* allow_http_webhooks;                    // follows config reloads
  const config::config::care_section* care_defaults;  // follows config reloads
  ports::view_store& views;                           // the site a session belongs to (scope)
};

void register_api_routes(router& r, api_deps deps);

}  // namespace rollcall::http
