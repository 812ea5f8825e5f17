// Fuzz target: rollcalld's configuration file (config/config.hpp load_text: TOML, the key table,
// the [[...]] array tables and the checks across keys). A bad file must end in config_error with
// a message, never in another exception or a crash; a good one must document itself.
#include "rollcall/config/config.hpp"
#include "fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace config = rollcall::config;
  const std::string_view text{reinterpret_cast<const char*>(data), size};
  // Relative *_file paths resolve beside this name, in a directory that does not exist.
  const std::filesystem::path origin{"/nonexistent/rollcall-fuzz/rollcall.toml"};
  try {
    const auto c = config::load_text(text, origin);
    (void)config::documented_keys(c);
    (void)config::effective_providers(c);
    (void)config::changed_restart_keys(config::config{}, c);
  } catch (const config::config_error& e) {
    FUZZ_CHECK(std::string_view{e.what()}.starts_with(origin.string()) ||
               std::string_view{e.what()}.starts_with("environment variable"));
  }
  return 0;
}
