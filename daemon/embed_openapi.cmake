# Writes OUT: a C++ file defining rollcall::http::openapi_document() from FILE (the OpenAPI
# document). A raw string literal keeps the JSON byte for byte; the integration test checks
# that GET /openapi.json answers exactly the file.
file(READ "${FILE}" text)
string(FIND "${text}" ")rollcall_openapi\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${FILE} contains the raw string delimiter )rollcall_openapi\"")
endif()
file(WRITE "${OUT}.tmp" "// Generated from daemon/openapi/openapi.json by embed_openapi.cmake. Do not edit.
#include \"rollcall/http/api_openapi.hpp\"

namespace rollcall::http {
std::string_view openapi_document() {
  return R\"rollcall_openapi(${text})rollcall_openapi\";
}
}  // namespace rollcall::http
")
file(RENAME "${OUT}.tmp" "${OUT}")
