// GET /openapi.json: the OpenAPI 3.1 document of every route (daemon/openapi/openapi.json,
// compiled in by embed_openapi.cmake), served without a bearer token.
#pragma once

#include <string_view>

#include "rollcall/http/router.hpp"

namespace rollcall::http {

// The document as it is in the repository, byte for byte.
std::string_view openapi_document();

void register_openapi_route(router& r);

}  // namespace rollcall::http
