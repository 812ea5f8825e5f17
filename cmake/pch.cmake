# Precompiled headers: the standard and third-party headers most translation units include,
# parsed once per target instead of once per file (a clean Debug build on 2 cores: 527 s
# without, 459 s with). Each target gets its own (a precompiled header must be built with the
# target's exact flags).
#
# ROLLCALL_PCH: AUTO (the default) precompiles in Debug builds that are not sanitized, the plain
# build development and CI make. In an optimised build GCC 12 moves its false -Warray-bounds
# reports around with them (the Release build of token_command.cpp fails under -Werror), and
# those builds are rare. The sanitized build (ROLLCALL_SANITIZE, scripts/test --sanitize) goes
# without: it is a unity build instead (ROLLCALL_UNITY, CMakeLists.txt). ON or OFF force it
# either way.
set(ROLLCALL_PCH AUTO CACHE STRING "Precompile common headers: AUTO (Debug builds without sanitizers only), ON or OFF")
set_property(CACHE ROLLCALL_PCH PROPERTY STRINGS AUTO ON OFF)

set(rollcall_pch_headers
  <algorithm> <chrono> <functional> <map> <memory> <optional> <set> <string> <string_view> <vector>
  <boost/asio/awaitable.hpp> <boost/asio/co_spawn.hpp> <boost/asio/io_context.hpp>
  <boost/asio/steady_timer.hpp> <boost/asio/use_awaitable.hpp> <boost/json.hpp>
  <date/tz.h> <pqxx/pqxx>)

# rollcall_precompile(target [extra headers...])
function(rollcall_precompile target)
  if(ROLLCALL_PCH STREQUAL "AUTO")
    if(NOT CMAKE_BUILD_TYPE STREQUAL "Debug" OR ROLLCALL_SANITIZE)
      return()
    endif()
  elseif(NOT ROLLCALL_PCH)
    return()
  endif()
  target_precompile_headers(${target} PRIVATE ${rollcall_pch_headers} ${ARGN})
endfunction()
