# Writes OUT: a C++ file defining rollcall::store::embedded_migrations() from FILES, each
# named NNNN_name.sql. Raw string literals keep the SQL byte for byte.
separate_arguments(files UNIX_COMMAND "${FILES}")
set(body "")
foreach(f IN LISTS files)
  get_filename_component(name "${f}" NAME_WE)
  string(REGEX MATCH "^([0-9]+)_(.*)$" m "${name}")
  if(NOT m)
    message(FATAL_ERROR "migration ${f} is not named NNNN_name.sql")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")
  file(READ "${f}" sql)
  string(APPEND body "  {${version}, \"${name}\", R\"rollcall_sql(${sql})rollcall_sql\"},\n")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from daemon/migrations by embed_migrations.cmake. Do not edit.
#include \"rollcall/store/migrations.hpp\"

namespace rollcall::store {
namespace {
constexpr migration all[] = {
${body}};
}  // namespace
std::span<const migration> embedded_migrations() { return all; }
}  // namespace rollcall::store
")
file(RENAME "${OUT}.tmp" "${OUT}")
