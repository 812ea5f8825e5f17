// The fuzz build only (tests/fuzz/CMakeLists.txt): Boost.JSON and Boost.URL compiled from their
// headers, so their parsers are instrumented like our code. toml++ is header-only in every build
// (rollcall/config/toml.hpp).
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
