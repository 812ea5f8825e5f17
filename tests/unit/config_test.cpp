#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <toml++/toml.h>
#include <unistd.h>

#include "rollcall/config/config.hpp"

namespace {

using namespace std::chrono_literals;
using ::testing::AllOf;
using ::testing::HasSubstr;
namespace cfg = rollcall::config;
namespace fs = std::filesystem;

const char* const env_vars[] = {"ROLLCALL_DATABASE_URL", "ROLLCALL_API_TOKEN", "ROLLCALL_WEBHOOK_SECRET",
                                "ROLLCALL_ALERT_WEBHOOK_SECRET"};
constexpr const char* secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

// Each test gets its own directory, and the ROLLCALL_* variables of the surrounding
// environment (CI sets ROLLCALL_DATABASE_URL for the store tests) are hidden and restored.
class config_test : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : env_vars) {
      if (const char* value = std::getenv(v)) saved_[v] = value;
      ::unsetenv(v);
    }
    std::string tmpl = (fs::temp_directory_path() / "rollcall-config-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (const char* v : env_vars) ::unsetenv(v);
    for (const auto& [k, v] : saved_) ::setenv(k.c_str(), v.c_str(), 1);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  fs::path write(const std::string& name, const std::string& text) {
    const auto p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p;
  }
  cfg::config load_text(const std::string& text) { return cfg::load(write("rollcall.toml", text)); }
  // The config_error message of loading `text`; fails the test when loading succeeds.
  std::string error_of(const std::string& text) {
    try {
      load_text(text);
    } catch (const cfg::config_error& e) {
      return e.what();
    }
    ADD_FAILURE() << "no config_error for:\n" << text;
    return {};
  }

  fs::path dir_;
  std::map<std::string, std::string> saved_;
};

TEST_F(config_test, no_file_gives_the_defaults) {
  const auto c = cfg::load(std::nullopt);
  EXPECT_EQ(c.server.address, "127.0.0.1");
  EXPECT_EQ(c.server.port, 8080);
  EXPECT_EQ(c.server.body_limit, 1u << 20);
  EXPECT_EQ(c.database.url, "");
  EXPECT_EQ(c.database.pool_size, 4);
  EXPECT_EQ(c.state_dir, "/var/lib/rollcall");
  EXPECT_EQ(c.planner.interval, 1min);
  EXPECT_EQ(c.planner.horizon, 14 * 24h);
  EXPECT_EQ(c.planner.reminder_lead_times, (std::vector<cfg::duration>{24h, 2h}));
  EXPECT_EQ(c.dispatcher.lease, 60s);
  EXPECT_EQ(c.dispatcher.http_timeout, 10s);
  EXPECT_EQ(c.dispatcher.concurrency, 16);
  EXPECT_EQ(c.dispatcher.max_attempts, 8);
  EXPECT_FALSE(c.delivery.allow_http);
  EXPECT_EQ(c.attendance.grace, 15min);
  EXPECT_EQ(c.log.level, "info");
}

TEST_F(config_test, empty_file_gives_the_defaults) {
  const auto c = load_text("# nothing set\n");
  EXPECT_EQ(c.server.port, 8080);
  EXPECT_EQ(c.planner.horizon, 14 * 24h);
}

TEST_F(config_test, every_key_type_is_read) {
  const auto c = load_text(std::string{R"(
state_dir = "/srv/rollcall"

[server]
address = "0.0.0.0"
port = 0
port_file = "/run/rollcall/port"
body_limit = 4096

[database]
url = "postgresql://u@localhost/rollcall"
pool_size = 8

[api]
token = "s3cret-token"

[planner]
interval = "30s"
horizon = "7d"
reminder_lead_times = ["48h", "90m", "1h"]

[dispatcher]
lease = "2m"
http_timeout = "5s"
max_attempts = 3

[delivery]
webhook_url = "https://provider.example.com/hook"
webhook_secret = ")"} + secret +
                           R"("
allow_http = true

[attendance]
grace = "0s"

[log]
level = "debug"
)");
  EXPECT_EQ(c.state_dir, "/srv/rollcall");
  EXPECT_EQ(c.server.address, "0.0.0.0");
  EXPECT_EQ(c.server.port, 0);
  EXPECT_EQ(c.server.port_file, "/run/rollcall/port");
  EXPECT_EQ(c.server.body_limit, 4096u);
  EXPECT_EQ(c.database.url, "postgresql://u@localhost/rollcall");
  EXPECT_EQ(c.database.pool_size, 8);
  EXPECT_EQ(c.api.token, "s3cret-token");
  EXPECT_EQ(c.planner.interval, 30s);
  EXPECT_EQ(c.planner.horizon, 7 * 24h);
  EXPECT_EQ(c.planner.reminder_lead_times, (std::vector<cfg::duration>{48h, 90min, 1h}));
  EXPECT_EQ(c.dispatcher.lease, 2min);
  EXPECT_EQ(c.dispatcher.http_timeout, 5s);
  EXPECT_EQ(c.dispatcher.max_attempts, 3);
  EXPECT_EQ(c.delivery.webhook_url, "https://provider.example.com/hook");
  EXPECT_EQ(c.delivery.webhook_secret, secret);
  EXPECT_TRUE(c.delivery.allow_http);
  EXPECT_EQ(c.attendance.grace, 0s);
  EXPECT_EQ(c.log.level, "debug");
}

TEST_F(config_test, dotted_keys_work_like_tables) {
  const auto c = load_text("server.port = 9000\nplanner.horizon = \"2d\"\n");
  EXPECT_EQ(c.server.port, 9000);
  EXPECT_EQ(c.planner.horizon, 48h);
}

TEST_F(config_test, unknown_key_names_file_line_and_key) {
  const auto msg = error_of("[server]\naddress = \"127.0.0.1\"\n\nprot = 8080\n");
  EXPECT_THAT(msg, AllOf(HasSubstr((dir_ / "rollcall.toml").string() + ":4"), HasSubstr("server.prot"),
                         HasSubstr("unknown key")));
}

TEST_F(config_test, unknown_top_level_key_and_section) {
  EXPECT_THAT(error_of("\n\nverbose = true\n"), AllOf(HasSubstr("rollcall.toml:3"), HasSubstr("'verbose'")));
  EXPECT_THAT(error_of("[metrics]\nport = 9\n"), HasSubstr("'metrics'"));
}

struct bad_value_case {
  std::string name;
  std::string toml;    // the offending line is always line 2
  std::string key;     // named in the message
  std::string reason;  // part of the message
};

class config_bad_value : public config_test, public ::testing::WithParamInterface<bad_value_case> {};

TEST_P(config_bad_value, is_rejected_with_file_line_key_and_reason) {
  const auto msg = error_of("# line 1\n" + GetParam().toml + "\n");
  EXPECT_THAT(msg, HasSubstr("rollcall.toml:2"));
  EXPECT_THAT(msg, HasSubstr("'" + GetParam().key + "'"));
  EXPECT_THAT(msg, HasSubstr(GetParam().reason));
}

INSTANTIATE_TEST_SUITE_P(
    values, config_bad_value,
    ::testing::Values(
        bad_value_case{"port_as_string", "server.port = \"8080\"", "server.port", "expected an integer"},
        bad_value_case{"port_out_of_range", "server.port = 70000", "server.port", "between 0 and 65535"},
        bad_value_case{"negative_pool", "database.pool_size = -1", "database.pool_size", "between 1 and 64"},
        bad_value_case{"lowercase_region", "import.default_region = \"us\"", "import.default_region",
                       "two uppercase letters"},
        bad_value_case{"long_region", "import.default_region = \"USA\"", "import.default_region",
                       "two uppercase letters"},
        bad_value_case{"float_for_int", "dispatcher.batch_size = 1.5", "dispatcher.batch_size", "expected an integer"},
        bad_value_case{"address_as_int", "server.address = 127", "server.address", "expected a string"},
        bad_value_case{"bool_as_string", "delivery.allow_http = \"yes\"", "delivery.allow_http", "true or false"},
        bad_value_case{"duration_as_int", "planner.interval = 60", "planner.interval", "expected a duration"},
        bad_value_case{"bad_duration", "planner.interval = \"1 minute\"", "planner.interval", "is not a duration"},
        bad_value_case{"mixed_units", "planner.horizon = \"1d12h\"", "planner.horizon", "is not a duration"},
        bad_value_case{"negative_duration", "dispatcher.lease = \"-5s\"", "dispatcher.lease", "must not be negative"},
        bad_value_case{"zero_interval", "dispatcher.interval = \"0s\"", "dispatcher.interval", "greater than zero"},
        bad_value_case{"lead_times_not_array", "planner.reminder_lead_times = \"24h\"", "planner.reminder_lead_times",
                       "expected an array"},
        bad_value_case{"lead_time_bad_element", "planner.reminder_lead_times = [\"24h\", \"-2h\"]",
                       "planner.reminder_lead_times", "element 1 must not be negative"},
        bad_value_case{"url_not_absolute", "delivery.webhook_url = \"provider.example.com/hook\"",
                       "delivery.webhook_url", "not an absolute URL"},
        bad_value_case{"url_wrong_scheme", "delivery.webhook_url = \"ftp://provider.example.com/hook\"",
                       "delivery.webhook_url", "http or https"},
        bad_value_case{"url_no_host", "delivery.webhook_url = \"https:///hook\"", "delivery.webhook_url", "no host"},
        bad_value_case{"secret_without_prefix", "delivery.webhook_secret = \"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"",
                       "delivery.webhook_secret", "whsec_"},
        bad_value_case{"log_level_invalid", "log.level = \"verbose\"", "log.level", "must be one of"},
        bad_value_case{"log_level_wrong_case", "log.level = \"INFO\"", "log.level", "must be one of"}),
    [](const auto& info) { return info.param.name; });

TEST_F(config_test, toml_syntax_error_names_file_and_line) {
  EXPECT_THAT(error_of("[server]\nport = = 1\n"), HasSubstr("rollcall.toml:2"));
}

TEST_F(config_test, plain_http_needs_allow_http) {
  const std::string base = std::string{"delivery.webhook_secret = \""} + secret + "\"\n" +
                           "delivery.webhook_url = \"http://127.0.0.1:9/hook\"\n";
  EXPECT_THAT(error_of(base), AllOf(HasSubstr("delivery.webhook_url"), HasSubstr("allow_http")));
  EXPECT_EQ(load_text(base + "delivery.allow_http = true\n").delivery.webhook_url, "http://127.0.0.1:9/hook");
}

TEST_F(config_test, webhook_url_needs_a_secret) {
  EXPECT_THAT(error_of("delivery.webhook_url = \"https://provider.example.com/hook\"\n"),
              HasSubstr("delivery.webhook_secret"));
}

TEST_F(config_test, lease_must_outlast_every_wave_of_a_batch) {
  // Defaults: 64 claimed, 16 at a time -> 4 waves of at most 10 s, plus a 10 s margin = 50 s.
  EXPECT_THAT(error_of("dispatcher.lease = \"50s\"\n"),
              AllOf(HasSubstr("rollcall.toml"), HasSubstr("dispatcher.lease"), HasSubstr("50s")));
  EXPECT_EQ(load_text("dispatcher.lease = \"51s\"\n").dispatcher.lease, 51s);
  EXPECT_THAT(error_of("dispatcher.lease = \"10s\"\ndispatcher.http_timeout = \"10s\"\n"), HasSubstr("http_timeout"));
  // One wave: 16 claimed, 16 at a time -> 10 s + 10 s.
  EXPECT_EQ(load_text("dispatcher.lease = \"21s\"\ndispatcher.batch_size = 16\n").dispatcher.lease, 21s);
  EXPECT_THAT(error_of("dispatcher.lease = \"20s\"\ndispatcher.batch_size = 16\n"), HasSubstr("dispatcher.lease"));
}

TEST_F(config_test, a_webhook_secret_must_be_whsec_and_standard_base64) {
  for (const char* bad : {"whsec_====", "whsec_Zg==Zm9vYmFyYmF6cXV4cXV1eA", "whsec_not base64 at all, not at all!",
                          "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_c2hvcnQ="})
    EXPECT_THAT(error_of(std::string{"delivery.webhook_secret = \""} + bad + "\"\n"),
                HasSubstr("delivery.webhook_secret"))
        << bad;
  EXPECT_EQ(load_text(std::string{"delivery.webhook_secret = \""} + secret + "\"\n").delivery.webhook_secret, secret);
}

TEST_F(config_test, token_file_is_read_relative_to_the_config_file) {
  write("secrets/api-token", "tok-from-file\n");
  const auto c = load_text("api.token_file = \"secrets/api-token\"\n");
  EXPECT_EQ(c.api.token, "tok-from-file");
}

TEST_F(config_test, absolute_secret_file_paths_work_too) {
  const auto p = write("elsewhere/hook-secret", std::string{secret} + "\n");
  const auto c = load_text("[delivery]\nwebhook_secret_file = \"" + p.string() +
                           "\"\nwebhook_url = \"https://provider.example.com/hook\"\n");
  EXPECT_EQ(c.delivery.webhook_secret, secret);
}

TEST_F(config_test, missing_secret_file_and_bad_secret_content_are_errors) {
  EXPECT_THAT(error_of("\napi.token_file = \"nope\"\n"),
              AllOf(HasSubstr("rollcall.toml:2"), HasSubstr("api.token_file"), HasSubstr("cannot read")));
  write("bad-secret", "not-a-whsec-secret\n");
  EXPECT_THAT(error_of("alerts.webhook_secret_file = \"bad-secret\"\n"),
              AllOf(HasSubstr("alerts.webhook_secret_file"), HasSubstr("whsec_")));
  EXPECT_THAT(error_of("api.token_file = 5\n"), HasSubstr("expected a file path string"));
}

TEST_F(config_test, environment_overrides_the_file) {
  const auto file = write("rollcall.toml", "database.url = \"postgresql://file/db\"\n");
  EXPECT_EQ(cfg::load(file).database.url, "postgresql://file/db");
  ::setenv("ROLLCALL_DATABASE_URL", "postgresql://env/db", 1);
  EXPECT_EQ(cfg::load(file).database.url, "postgresql://env/db");
  EXPECT_EQ(cfg::load(std::nullopt).database.url, "postgresql://env/db");
  ::setenv("ROLLCALL_DATABASE_URL", "", 1);  // empty counts as unset
  EXPECT_EQ(cfg::load(file).database.url, "postgresql://file/db");
  ::unsetenv("ROLLCALL_DATABASE_URL");
  EXPECT_EQ(cfg::load(file).database.url, "postgresql://file/db");
}

TEST_F(config_test, environment_secrets_are_validated) {
  ::setenv("ROLLCALL_API_TOKEN", "env-token", 1);
  EXPECT_EQ(cfg::load(std::nullopt).api.token, "env-token");
  ::setenv("ROLLCALL_WEBHOOK_SECRET", "not-whsec", 1);
  try {
    cfg::load(std::nullopt);
    ADD_FAILURE() << "bad ROLLCALL_WEBHOOK_SECRET accepted";
  } catch (const cfg::config_error& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("ROLLCALL_WEBHOOK_SECRET"), HasSubstr("delivery.webhook_secret")));
  }
}

TEST_F(config_test, documented_keys_lists_every_key) {
  std::set<std::string> names;
  for (const auto& k : cfg::documented_keys()) {
    EXPECT_TRUE(names.insert(k.name).second) << "duplicate " << k.name;
    EXPECT_FALSE(k.doc.empty()) << k.name;
    EXPECT_FALSE(k.type.empty()) << k.name;
  }
  const std::set<std::string> expected{"server.address",
                                       "server.port",
                                       "server.port_file",
                                       "server.body_limit",
                                       "database.url",
                                       "database.pool_size",
                                       "database.embedded_user",
                                       "database.postgres_bin_dir",
                                       "state_dir",
                                       "api.token",
                                       "planner.interval",
                                       "planner.horizon",
                                       "planner.reminder_lead_times",
                                       "dispatcher.interval",
                                       "dispatcher.batch_size",
                                       "dispatcher.concurrency",
                                       "dispatcher.lease",
                                       "dispatcher.http_timeout",
                                       "dispatcher.max_attempts",
                                       "delivery.webhook_url",
                                       "delivery.webhook_secret",
                                       "delivery.allow_http",
                                       "delivery.ca_file",
                                       "alerts.webhook_secret",
                                       "attendance.grace",
                                       "attendance.sweep_interval",
                                       "care.weekly_hours_php",
                                       "care.weekly_hours_iop",
                                       "care.weekly_hours_op",
                                       "care.weekly_hours_aftercare",
                                       "log.level",
                                       "import.default_region"};
  EXPECT_EQ(names, expected);
}

TEST_F(config_test, documented_defaults_load_back_as_the_defaults) {
  // Writing every key with its documented default must be valid TOML that loads to the
  // same configuration (this is what config/rollcall.toml shows).
  std::string text;
  for (const auto& k : cfg::documented_keys()) text += k.name + " = " + k.default_value + "\n";
  const auto loaded = load_text(text);
  const cfg::config defaults;
  EXPECT_TRUE(cfg::changed_restart_keys(defaults, loaded).empty()) << text;
  EXPECT_EQ(loaded.planner.reminder_lead_times, defaults.planner.reminder_lead_times);
  EXPECT_EQ(loaded.attendance.grace, defaults.attendance.grace);
  EXPECT_EQ(loaded.dispatcher.lease, defaults.dispatcher.lease);
  EXPECT_EQ(loaded.log.level, defaults.log.level);
}

TEST_F(config_test, example_config_shows_every_key_with_its_default) {
  const fs::path example = fs::path{ROLLCALL_SOURCE_DIR} / "config" / "rollcall.toml";
  const auto loaded = cfg::load(example);  // unknown keys or bad values would throw
  const cfg::config defaults;
  EXPECT_TRUE(cfg::changed_restart_keys(defaults, loaded).empty());
  EXPECT_EQ(loaded.planner.reminder_lead_times, defaults.planner.reminder_lead_times);
  EXPECT_EQ(loaded.dispatcher.lease, defaults.dispatcher.lease);
  EXPECT_EQ(loaded.attendance.grace, defaults.attendance.grace);
  const auto table = toml::parse_file(example.string());
  for (const auto& k : cfg::documented_keys())
    EXPECT_TRUE(table.at_path(k.name).node() != nullptr) << k.name << " missing from " << example;
}

TEST_F(config_test, documented_defaults_hide_secrets) {
  for (const auto& k : cfg::documented_keys()) {
    if (k.name == "api.token" || k.name == "database.url" || k.name.ends_with("webhook_secret")) {
      EXPECT_EQ(k.default_value, "\"\"") << k.name;
    }
  }
}

TEST_F(config_test, changed_restart_keys_lists_only_non_reloadable_changes) {
  const cfg::config running;
  auto reloaded = running;
  reloaded.server.port = 9090;
  reloaded.planner.interval = 5min;  // reloadable
  reloaded.log.level = "debug";      // reloadable
  EXPECT_EQ(cfg::changed_restart_keys(running, reloaded), (std::vector<std::string>{"server.port"}));
  reloaded.database.pool_size = 2;
  EXPECT_EQ(cfg::changed_restart_keys(running, reloaded),
            (std::vector<std::string>{"server.port", "database.pool_size"}));
}

}  // namespace
