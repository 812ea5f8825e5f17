# Writes OUT: a C++ file defining rollcall::http::web_assets() from FILES (daemon/web/*), one
# entry per file: its URL path ("/" + file name, "/" for index.html), media type and bytes. Raw
# string literals keep each file byte for byte, so the page is served from the binary alone.
separate_arguments(files UNIX_COMMAND "${FILES}")
set(body "")
foreach(f IN LISTS files)
  get_filename_component(name "${f}" NAME)
  get_filename_component(ext "${f}" LAST_EXT)
  if(ext STREQUAL ".html")
    set(type "text/html; charset=utf-8")
  elseif(ext STREQUAL ".js")
    set(type "text/javascript; charset=utf-8")
  elseif(ext STREQUAL ".css")
    set(type "text/css; charset=utf-8")
  elseif(ext STREQUAL ".svg")
    set(type "image/svg+xml")
  else()
    message(FATAL_ERROR "${f}: no media type known for ${ext} (add it to embed_web.cmake)")
  endif()
  if(name STREQUAL "index.html")
    set(path "/")
  else()
    set(path "/${name}")
  endif()
  file(READ "${f}" text)
  string(FIND "${text}" ")rollcall_web\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${f} contains the raw string delimiter )rollcall_web\"")
  endif()
  string(APPEND body "      {\"${path}\", \"${type}\", R\"rollcall_web(${text})rollcall_web\"},\n")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from daemon/web/ by embed_web.cmake. Do not edit.
#include \"rollcall/http/api_web.hpp\"

namespace rollcall::http {
std::span<const web_asset> web_assets() {
  static const web_asset assets[] = {
${body}  };
  return assets;
}
}  // namespace rollcall::http
")
file(RENAME "${OUT}.tmp" "${OUT}")
