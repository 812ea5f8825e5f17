# Precompiled headers: the standard and third-party headers most translation units include,
# parsed once per target instead of once per file (a clean Debug build on 2 cores: 527 s
# without, 459 s with). Each target gets its own (a precompiled header must be built with the
# target's exact flags). ROLLCALL_PCH=OFF builds without them, e.g. to check that every file
# includes what it uses. On by default for Debug builds (development and CI) only: in an
# optimised build GCC 12 moves its false -Warray-bounds reports around with them (the Release
# build of token_command.cpp fails with -Werror), and those builds are rare.
if(CMAKE_BUILD_TYPE STREQUAL "Debug")
  set(rollcall_pch_default ON)
else()
  set(rollcall_pch_default OFF)
endif()
option(ROLLCALL_PCH "Precompile the common standard and third-party headers" ${rollcall_pch_default})

set(rollcall_pch_headers
  <algorithm> <chrono> <functional> <map> <memory> <optional> <set> <string> <string_view> <vector>
  <boost/asio/awaitable.hpp> <boost/asio/co_spawn.hpp> <boost/asio/io_context.hpp>
  <boost/asio/steady_timer.hpp> <boost/asio/use_awaitable.hpp> <boost/json.hpp>
  <date/tz.h> <pqxx/pqxx>)

# rollcall_precompile(target [extra headers...])
function(rollcall_precompile target)
  if(ROLLCALL_PCH)
    target_precompile_headers(${target} PRIVATE ${rollcall_pch_headers} ${ARGN})
  endif()
endfunction()
