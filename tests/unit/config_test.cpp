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
#include <unistd.h>

#include "rollcall/config/config.hpp"
#include "rollcall/config/toml.hpp"

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
auth_failure_limit = 5
auth_failure_window = "30s"

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
  EXPECT_EQ(c.api.auth_failure_limit, 5);
  EXPECT_EQ(c.api.auth_failure_window, 30s);
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

// toml++ 3.3.0 reached undefined behaviour (TOML_UNREACHABLE) on these where the parser asks
// whether a non-ASCII character is whitespace; rollcall/config/toml.hpp patches it. The sanitizer
// build (scripts/test --sanitize) stops on the undefined behaviour if the patch is lost.
TEST_F(config_test, a_stray_non_ascii_character_is_a_parse_error_naming_its_line) {
  // U+FEFB opening a line (found by tests/fuzz's config target), U+00E9 after a value, U+3001
  // before a key.
  EXPECT_THAT(error_of("\xEF\xBB\xBB."), HasSubstr("rollcall.toml:1"));
  EXPECT_THAT(error_of("# ok\nserver.port = 9000 \xC3\xA9\n"), HasSubstr("rollcall.toml:2"));
  EXPECT_THAT(error_of("\n\n\xE3\x80\x81server.port = 9000\n"), HasSubstr("rollcall.toml:3"));
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
        bad_value_case{"log_level_wrong_case", "log.level = \"INFO\"", "log.level", "must be one of"},
        bad_value_case{"log_format_invalid", "log.format = \"xml\"", "log.format", "must be text or json"}),
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

TEST_F(config_test, secret_file_is_read_relative_to_the_config_file) {
  write("secrets/db-url", "postgresql://from-file/db\n");
  const auto c = load_text("database.url_file = \"secrets/db-url\"\n");
  EXPECT_EQ(c.database.url, "postgresql://from-file/db");
}

TEST_F(config_test, the_removed_api_token_is_an_error_that_says_what_to_do_instead) {
  // API tokens live in the database now (rollcalld token create).
  for (const auto& text : {std::string{"\n[api]\ntoken = \"t\"\n"}, std::string{"\napi.token_file = \"x\"\n"}}) {
    const auto key = text.find("token_file") == std::string::npos ? "'api.token'" : "'api.token_file'";
    EXPECT_THAT(error_of(text),
                AllOf(HasSubstr(text.find("[api]") == std::string::npos ? "rollcall.toml:2" : "rollcall.toml:3"),
                      HasSubstr(key), HasSubstr("rollcalld --config FILE token create")))
        << text;
  }
}

TEST_F(config_test, absolute_secret_file_paths_work_too) {
  const auto p = write("elsewhere/hook-secret", std::string{secret} + "\n");
  const auto c = load_text("[delivery]\nwebhook_secret_file = \"" + p.string() +
                           "\"\nwebhook_url = \"https://provider.example.com/hook\"\n");
  EXPECT_EQ(c.delivery.webhook_secret, secret);
}

TEST_F(config_test, a_systemd_credential_is_read_from_the_credentials_directory) {
  const auto p = write("creds/db-url", "postgresql://from-credential/db\n");
  ::setenv("CREDENTIALS_DIRECTORY", p.parent_path().c_str(), 1);
  EXPECT_EQ(load_text("database.url_file = \"credential:db-url\"\n").database.url, "postgresql://from-credential/db");
  EXPECT_THAT(error_of("\ndatabase.url_file = \"credential:other\"\n"),
              AllOf(HasSubstr("rollcall.toml:2"), HasSubstr("database.url_file"), HasSubstr("cannot read")));
  EXPECT_THAT(error_of("database.url_file = \"credential:../db-url\"\n"), HasSubstr("plain file name"));
  ::unsetenv("CREDENTIALS_DIRECTORY");
  EXPECT_THAT(error_of("database.url_file = \"credential:db-url\"\n"),
              AllOf(HasSubstr("database.url_file"), HasSubstr("CREDENTIALS_DIRECTORY")));
}

TEST_F(config_test, missing_secret_file_and_bad_secret_content_are_errors) {
  EXPECT_THAT(error_of("\ndatabase.url_file = \"nope\"\n"),
              AllOf(HasSubstr("rollcall.toml:2"), HasSubstr("database.url_file"), HasSubstr("cannot read")));
  write("bad-secret", "not-a-whsec-secret\n");
  EXPECT_THAT(error_of("alerts.webhook_secret_file = \"bad-secret\"\n"),
              AllOf(HasSubstr("alerts.webhook_secret_file"), HasSubstr("whsec_")));
  EXPECT_THAT(error_of("database.url_file = 5\n"), HasSubstr("expected a file path string"));
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
  try {
    cfg::load(std::nullopt);
    ADD_FAILURE() << "the removed ROLLCALL_API_TOKEN accepted";
  } catch (const cfg::config_error& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("ROLLCALL_API_TOKEN"), HasSubstr("token create")));
  }
  ::unsetenv("ROLLCALL_API_TOKEN");
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
    if (k.in_array_table) continue;  // documented_array_keys_match_the_example covers these
    EXPECT_TRUE(names.insert(k.name).second) << "duplicate " << k.name;
    EXPECT_FALSE(k.doc.empty()) << k.name;
    EXPECT_FALSE(k.type.empty()) << k.name;
  }
  const std::set<std::string> expected{"server.address",
                                       "server.port",
                                       "server.port_file",
                                       "server.body_limit",
                                       "server.request_timeout",
                                       "server.tls_certificate",
                                       "server.tls_private_key",
                                       "database.url",
                                       "database.pool_size",
                                       "database.embedded_user",
                                       "database.postgres_bin_dir",
                                       "state_dir",
                                       "api.auth_failure_limit",
                                       "api.auth_failure_window",
                                       "web.session_idle",
                                       "web.session_max",
                                       "web.cookie_secure",
                                       "planner.interval",
                                       "planner.horizon",
                                       "planner.reminder_lead_times",
                                       "dispatcher.interval",
                                       "dispatcher.batch_size",
                                       "dispatcher.concurrency",
                                       "dispatcher.lease",
                                       "dispatcher.http_timeout",
                                       "dispatcher.max_attempts",
                                       "dispatcher.max_age",
                                       "delivery.webhook_url",
                                       "delivery.webhook_secret",
                                       "delivery.allow_http",
                                       "delivery.ca_file",
                                       "alerts.webhook_secret",
                                       "alerts.escalate_after",
                                       "alerts.consecutive_misses",
                                       "alerts.min_attendance_percent",
                                       "alerts.rate_window",
                                       "alerts.rate_min_sessions",
                                       "alerts.hours_at_risk",
                                       "attendance.grace",
                                       "attendance.absent_after",
                                       "attendance.sweep_interval",
                                       "attendance.sms_checkin",
                                       "attendance.checkin_before",
                                       "attendance.checkin_after",
                                       "care.weekly_hours_php",
                                       "care.weekly_hours_iop",
                                       "care.weekly_hours_op",
                                       "care.weekly_hours_aftercare",
                                       "log.level",
                                       "log.format",
                                       "import.default_region",
                                       "quiet_hours.enabled",
                                       "quiet_hours.start",
                                       "quiet_hours.end",
                                       "quiet_hours.max_shift"};
  EXPECT_EQ(names, expected);
}

TEST_F(config_test, documented_defaults_load_back_as_the_defaults) {
  // Writing every key with its documented default must be valid TOML that loads to the
  // same configuration (this is what config/rollcall.toml shows).
  std::string text;
  for (const auto& k : cfg::documented_keys())
    if (!k.in_array_table) text += k.name + " = " + k.default_value + "\n";
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
  for (const auto& k : cfg::documented_keys()) {
    if (k.in_array_table) continue;
    EXPECT_TRUE(table.at_path(k.name).node() != nullptr) << k.name << " missing from " << example;
  }
}

TEST_F(config_test, documented_defaults_hide_secrets) {
  for (const auto& k : cfg::documented_keys()) {
    if (k.name == "database.url" || k.name.ends_with("webhook_secret")) {
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

// --- messaging: providers, reminder rules, quiet hours, templates ---------------------------------

namespace {

using ::testing::ElementsAre;

class messaging_config_test : public config_test {
 protected:
  // A valid provider of each type, the secrets inline.
  static std::string webhook_provider(const std::string& name = "gateway") {
    return "[[providers]]\nname = \"" + name +
           "\"\ntype = \"webhook\"\nurl = \"https://gateway.example.org/messages\"\nsecret = \"" + secret + "\"\n";
  }
  static std::string twilio_provider() {
    return "[[providers]]\nname = \"texts\"\ntype = \"twilio\"\naccount_sid = \"AC0123456789abcdef0123456789abcdef\"\n"
           "auth_token = \"tok\"\nfrom = \"+12125550123\"\npublic_url = \"https://rollcall.example.org\"\n";
  }
  static std::string sendgrid_provider() {
    return "[[providers]]\nname = \"mail\"\ntype = \"sendgrid\"\napi_key = \"SG.key\"\n"
           "from_email = \"reminders@example.org\"\n";
  }
};

TEST_F(messaging_config_test, a_full_example_parses) {
  const auto c = load_text(twilio_provider() + sendgrid_provider() + webhook_provider() + R"(
[dispatcher]
max_age = "6h"

[quiet_hours]
enabled = false
start = "22:30"
end = "07:15"
max_shift = "10h"

[[reminder_rules]]
lead_times = ["1d", "2h"]

[[reminder_rules]]
site = 3
level = "iop"
kind = "group"
lead_times = ["2d", "90m"]
channels = ["email", "sms"]
templates = "eastside"

[[templates]]
set = "eastside"
kind = "reminder"
channel = "sms"
language = "es"
body = "Hola {first_name}, {date} {time} en {site_name}. {reply_hints} {{ok}}"

[[templates]]
kind = "moved"
channel = "email"
subject = "Moved to {date}"
body = "Was {old_date} {old_time}, now {date} {time}."
)");
  ASSERT_EQ(c.providers.size(), 3u);
  const auto& t = c.providers[0];
  EXPECT_EQ(t.name, "texts");
  EXPECT_EQ(t.type, "twilio");
  EXPECT_THAT(t.channels, ElementsAre("sms"));
  EXPECT_EQ(t.url, "https://api.twilio.com");
  EXPECT_EQ(t.account_sid, "AC0123456789abcdef0123456789abcdef");
  EXPECT_EQ(t.auth_token, "tok");
  EXPECT_EQ(t.from, "+12125550123");
  EXPECT_EQ(t.public_url, "https://rollcall.example.org");
  EXPECT_EQ(t.concurrency, 4);
  EXPECT_EQ(t.rate_limit, 0.0);
  const auto& m = c.providers[1];
  EXPECT_EQ(m.type, "sendgrid");
  EXPECT_THAT(m.channels, ElementsAre("email"));
  EXPECT_EQ(m.url, "https://api.sendgrid.com");
  EXPECT_EQ(m.api_key, "SG.key");
  EXPECT_EQ(m.from_email, "reminders@example.org");
  const auto& w = c.providers[2];
  EXPECT_THAT(w.channels, ElementsAre("sms", "email"));
  EXPECT_EQ(w.url, "https://gateway.example.org/messages");
  EXPECT_EQ(w.secret, secret);
  EXPECT_EQ(c.dispatcher.max_age, 6h);
  EXPECT_FALSE(c.quiet_hours.enabled);
  EXPECT_EQ(c.quiet_hours.start, 22h + 30min);
  EXPECT_EQ(c.quiet_hours.end, 7h + 15min);
  EXPECT_EQ(c.quiet_hours.max_shift, 10h);
  ASSERT_EQ(c.reminder_rules.size(), 2u);
  EXPECT_EQ(c.reminder_rules[0].site, std::nullopt);
  EXPECT_EQ(c.reminder_rules[0].level, "");
  EXPECT_EQ(c.reminder_rules[0].lead_times, (std::vector<cfg::duration>{24h, 2h}));
  EXPECT_THAT(c.reminder_rules[0].channels, ElementsAre("sms", "email"));
  EXPECT_EQ(c.reminder_rules[0].templates, "default");
  EXPECT_EQ(c.reminder_rules[1].site, 3);
  EXPECT_EQ(c.reminder_rules[1].level, "iop");
  EXPECT_EQ(c.reminder_rules[1].kind, "group");
  EXPECT_EQ(c.reminder_rules[1].lead_times, (std::vector<cfg::duration>{48h, 90min}));
  EXPECT_THAT(c.reminder_rules[1].channels, ElementsAre("email", "sms"));
  EXPECT_EQ(c.reminder_rules[1].templates, "eastside");
  ASSERT_EQ(c.templates.size(), 2u);
  EXPECT_EQ(c.templates[0].set, "eastside");
  EXPECT_EQ(c.templates[0].language, "es");
  EXPECT_EQ(c.templates[1].set, "default");
  EXPECT_EQ(c.templates[1].language, "en");
  EXPECT_EQ(c.templates[1].subject, "Moved to {date}");
  EXPECT_TRUE(c.warnings.empty()) << c.warnings.front();
}

// A line-ending backslash in a multi-line string followed by a non-ASCII letter: undefined
// behaviour in toml++ 3.3.0 (marzer/tomlplusplus#190), patched in rollcall/config/toml.hpp.
TEST_F(messaging_config_test, a_multi_line_template_may_continue_a_line_onto_an_accented_letter) {
  const auto c = load_text(sendgrid_provider() +
                           "[[templates]]\nkind = \"reminder\"\nchannel = \"email\"\n"
                           "language = \"es\"\nsubject = \"Recordatorio\"\n"
                           "body = \"\"\"Hola {first_name}. \\\n    \xC3\x89l equipo le espera "
                           "el {date} a las {time}.\"\"\"\n");
  ASSERT_EQ(c.templates.size(), 1u);
  EXPECT_EQ(c.templates[0].body, "Hola {first_name}. \xC3\x89l equipo le espera el {date} a las {time}.");
}

TEST_F(messaging_config_test, defaults_of_the_new_keys) {
  const auto c = cfg::load(std::nullopt);
  EXPECT_TRUE(c.providers.empty());
  EXPECT_TRUE(c.reminder_rules.empty());
  EXPECT_TRUE(c.templates.empty());
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_TRUE(c.quiet_hours.enabled);
  EXPECT_EQ(c.quiet_hours.start, 21h);
  EXPECT_EQ(c.quiet_hours.end, 8h);
  EXPECT_EQ(c.quiet_hours.max_shift, 12h);
  EXPECT_EQ(c.dispatcher.max_age, 24h);
  EXPECT_EQ(load_text("dispatcher.max_age = \"0s\"\n").dispatcher.max_age, 0s);
}

struct array_error_case {
  std::string name;
  std::string toml;    // appended after a comment line, so the entry starts on line 2
  int line;            // the line named
  std::string key;     // the key named, in quotes
  std::string reason;  // part of the message
};

class messaging_config_error : public messaging_config_test, public ::testing::WithParamInterface<array_error_case> {};

TEST_P(messaging_config_error, names_file_line_key_and_reason) {
  const auto msg = error_of("# line 1\n" + GetParam().toml);
  EXPECT_THAT(msg, HasSubstr("rollcall.toml:" + std::to_string(GetParam().line) + ":"));
  EXPECT_THAT(msg, HasSubstr("'" + GetParam().key + "'"));
  EXPECT_THAT(msg, HasSubstr(GetParam().reason));
}

const std::string sid = "account_sid = \"AC0123456789abcdef0123456789abcdef\"\n";

INSTANTIATE_TEST_SUITE_P(
    cases, messaging_config_error,
    ::testing::Values(
        array_error_case{"unknown_provider_key", "[[providers]]\nname = \"a\"\ntype = \"webhook\"\ncolour = \"red\"\n",
                         5, "providers[0].colour", "unknown key"},
        array_error_case{"bad_type", "[[providers]]\nname = \"a\"\ntype = \"smtp\"\n", 4, "providers[0].type",
                         "webhook, twilio, sendgrid"},
        array_error_case{"bad_name", "[[providers]]\nname = \"Texts!\"\n", 3, "providers[0].name", "a-z"},
        array_error_case{"missing_name", "[[providers]]\ntype = \"webhook\"\n", 2, "providers[0].name", "required"},
        array_error_case{"missing_type", "[[providers]]\nname = \"a\"\n", 2, "providers[0].type", "required"},
        array_error_case{"duplicate_names",
                         "[[providers]]\nname = \"a\"\ntype = \"sendgrid\"\napi_key = \"k\"\nfrom_email = "
                         "\"r@example.org\"\n[[providers]]\nname = \"a\"\n",
                         8, "providers[1].name", "already the name of providers[0]"},
        array_error_case{"webhook_needs_url",
                         "[[providers]]\nname = \"a\"\ntype = \"webhook\"\nsecret = \"" + std::string{secret} + "\"\n",
                         2, "providers[0].url", "required for type \"webhook\""},
        array_error_case{"webhook_needs_secret",
                         "[[providers]]\nname = \"a\"\ntype = \"webhook\"\nurl = \"https://x.example.org/\"\n", 2,
                         "providers[0].secret", "required"},
        array_error_case{"webhook_secret_format", "[[providers]]\nname = \"a\"\nsecret = \"nope\"\n", 4,
                         "providers[0].secret", "whsec_"},
        array_error_case{"twilio_needs_sid", "[[providers]]\nname = \"t\"\ntype = \"twilio\"\nauth_token = \"x\"\n", 2,
                         "providers[0].account_sid", "required"},
        array_error_case{"twilio_sid_format", "[[providers]]\naccount_sid = \"XX1\"\n", 3, "providers[0].account_sid",
                         "AC"},
        array_error_case{"twilio_needs_token", "[[providers]]\nname = \"t\"\ntype = \"twilio\"\n" + sid, 2,
                         "providers[0].auth_token", "required"},
        array_error_case{"twilio_needs_from",
                         "[[providers]]\nname = \"t\"\ntype = \"twilio\"\nauth_token = \"x\"\n" + sid, 2,
                         "providers[0].from", "exactly one of from and messaging_service_sid"},
        array_error_case{"twilio_from_format", "[[providers]]\nfrom = \"212-555-0123\"\n", 3, "providers[0].from",
                         "E.164"},
        array_error_case{"twilio_cannot_email",
                         "[[providers]]\nname = \"t\"\ntype = \"twilio\"\nauth_token = \"x\"\nfrom = "
                         "\"+12125550123\"\nchannels = [\"sms\", \"email\"]\n" +
                             sid,
                         7, "providers[0].channels", "cannot carry email"},
        array_error_case{"sendgrid_cannot_sms",
                         "[[providers]]\nname = \"m\"\ntype = \"sendgrid\"\napi_key = \"k\"\nfrom_email = "
                         "\"r@example.org\"\nchannels = [\"sms\"]\n",
                         7, "providers[0].channels", "cannot carry sms"},
        array_error_case{"sendgrid_needs_key",
                         "[[providers]]\nname = \"m\"\ntype = \"sendgrid\"\nfrom_email = \"r@example.org\"\n", 2,
                         "providers[0].api_key", "required"},
        array_error_case{"sendgrid_needs_from_email",
                         "[[providers]]\nname = \"m\"\ntype = \"sendgrid\"\napi_key = \"k\"\n", 2,
                         "providers[0].from_email", "required"},
        array_error_case{"sendgrid_from_name_reveals", "[[providers]]\nfrom_name = \"Eastside Recovery\"\n", 3,
                         "providers[0].from_name", "\"Recovery\""},
        array_error_case{"field_of_another_type",
                         "[[providers]]\nname = \"m\"\ntype = \"sendgrid\"\napi_key = \"k\"\nfrom_email = "
                         "\"r@example.org\"\nfrom = \"+12125550123\"\n",
                         7, "providers[0].from", "not used by a provider of type \"sendgrid\""},
        array_error_case{"unknown_channel", "[[providers]]\nchannels = [\"fax\"]\n", 3, "providers[0].channels",
                         "sms, email"},
        array_error_case{"http_needs_allow_http",
                         "[[providers]]\nname = \"a\"\ntype = \"webhook\"\nurl = \"http://127.0.0.1:9/\"\nsecret = \"" +
                             std::string{secret} + "\"\n",
                         5, "providers[0].url", "allow_http"},
        array_error_case{"public_url_http_needs_allow_http",
                         "[[providers]]\nname = \"t\"\ntype = \"twilio\"\nauth_token = \"x\"\nfrom = "
                         "\"+12125550123\"\npublic_url = \"http://127.0.0.1:8080\"\n" +
                             sid,
                         7, "providers[0].public_url", "allow_http"},
        array_error_case{"bad_rate_limit", "[[providers]]\nrate_limit = -1\n", 3, "providers[0].rate_limit",
                         "between 0"},
        array_error_case{"providers_not_an_array", "providers = \"twilio\"\n", 2, "providers", "[[providers]]"},
        array_error_case{"rule_bad_level", "[[reminder_rules]]\nlevel = \"residential\"\n", 3,
                         "reminder_rules[0].level", "php, iop, op, aftercare"},
        array_error_case{"rule_bad_kind", "[[reminder_rules]]\nkind = \"class\"\n", 3, "reminder_rules[0].kind",
                         "group, individual, family"},
        array_error_case{"rule_bad_channel", "[[reminder_rules]]\nchannels = [\"sms\", \"pager\"]\n", 3,
                         "reminder_rules[0].channels", "element 1 must be one of sms, email"},
        array_error_case{"rule_needs_lead_times", "[[reminder_rules]]\nlevel = \"php\"\n", 2,
                         "reminder_rules[0].lead_times", "required"},
        array_error_case{"rule_empty_lead_times", "[[reminder_rules]]\nlead_times = []\n", 3,
                         "reminder_rules[0].lead_times", "at least one"},
        array_error_case{"rule_zero_lead_time", "[[reminder_rules]]\nlead_times = [\"0s\"]\n", 3,
                         "reminder_rules[0].lead_times", "greater than zero"},
        array_error_case{"rule_bad_site", "[[reminder_rules]]\nsite = 0\n", 3, "reminder_rules[0].site", "site id"},
        array_error_case{"rule_unknown_template_set",
                         "[[reminder_rules]]\nlead_times = [\"1d\"]\ntemplates = \"youth\"\n", 4,
                         "reminder_rules[0].templates", "no [[templates]] entry has set = \"youth\""},
        array_error_case{"rule_unknown_key", "[[reminder_rules]]\nlead_time = [\"1d\"]\n", 3,
                         "reminder_rules[0].lead_time", "unknown key"},
        array_error_case{"template_unknown_kind", "[[templates]]\nkind = \"survey\"\n", 3, "templates[0].kind",
                         "must be one of reminder"},
        array_error_case{"template_unknown_channel", "[[templates]]\nchannel = \"fax\"\n", 3, "templates[0].channel",
                         "sms, email"},
        array_error_case{"template_needs_body", "[[templates]]\nkind = \"help\"\nchannel = \"sms\"\n", 2,
                         "templates[0].body", "required"},
        array_error_case{"template_unknown_placeholder",
                         "[[templates]]\nkind = \"reminder\"\nchannel = \"sms\"\nbody = \"ok\"\n[[templates]]\nkind = "
                         "\"reminder\"\nchannel = \"email\"\nbody = \"Take {dosage} at {time}\"\n",
                         9, "templates[1].body", "unknown placeholder {dosage}"},
        array_error_case{"template_placeholder_of_another_kind",
                         "[[templates]]\nkind = \"reminder\"\nchannel = \"sms\"\nbody = \"was {old_time}\"\n", 5,
                         "templates[0].body", "unknown placeholder {old_time}"},
        array_error_case{"template_unbalanced_brace",
                         "[[templates]]\nkind = \"help\"\nchannel = \"sms\"\nbody = \"call {site_phone\"\n", 5,
                         "templates[0].body", "unbalanced brace"},
        array_error_case{"template_subject_placeholder",
                         "[[templates]]\nkind = \"help\"\nchannel = \"email\"\nsubject = \"{dose}\"\nbody = \"x\"\n", 5,
                         "templates[0].subject", "unknown placeholder {dose}"},
        array_error_case{"template_reveals",
                         "[[templates]]\nkind = \"reminder\"\nchannel = \"sms\"\nbody = \"Your therapy at {time}\"\n",
                         5, "templates[0].body", "\"therapy\""},
        array_error_case{"template_subject_reveals",
                         "[[templates]]\nkind = \"reminder\"\nchannel = \"email\"\nsubject = \"Clinic reminder\"\n"
                         "body = \"x\"\n",
                         5, "templates[0].subject", "\"Clinic\""},
        array_error_case{"sms_template_with_subject",
                         "[[templates]]\nkind = \"help\"\nchannel = \"sms\"\nsubject = \"s\"\nbody = \"x\"\n", 5,
                         "templates[0].subject", "only email"},
        array_error_case{"template_duplicate",
                         "[[templates]]\nkind = \"help\"\nchannel = \"sms\"\nbody = \"x\"\n[[templates]]\nkind = "
                         "\"help\"\nchannel = \"sms\"\nlanguage = \"en\"\nbody = \"y\"\n",
                         7, "templates[1].kind", "same set, kind, channel and language as templates[0]"},
        array_error_case{"template_bad_language", "[[templates]]\nlanguage = \"EN-us\"\n", 3, "templates[0].language",
                         "lower-case"},
        array_error_case{"quiet_hours_bad_time", "[quiet_hours]\nstart = \"9pm\"\n", 3, "quiet_hours.start", "HH:MM"},
        array_error_case{"quiet_hours_out_of_range", "[quiet_hours]\nend = \"24:00\"\n", 3, "quiet_hours.end",
                         "between 00:00 and 23:59"},
        array_error_case{"max_age_negative", "[dispatcher]\nmax_age = \"-1h\"\n", 3, "dispatcher.max_age", "negative"}),
    [](const auto& info) { return info.param.name; });

TEST_F(messaging_config_test, a_long_sms_template_is_a_warning_not_an_error) {
  std::string body = "Hi {first_name}";
  for (int i = 0; i < 30; ++i) body += ", a few more words";
  const auto c = load_text("# 1\n[[templates]]\nkind = \"reminder\"\nchannel = \"sms\"\nbody = \"" + body + "\"\n");
  ASSERT_EQ(c.templates.size(), 1u);
  ASSERT_EQ(c.warnings.size(), 1u);
  // 15 + 30 * 18 = 555 septets with "Alexandria": 4 segments of 153.
  EXPECT_THAT(c.warnings[0], AllOf(HasSubstr("rollcall.toml:5"), HasSubstr("templates[0].body: about 4 SMS segments")));
  // The same text by email is no concern.
  const auto e = load_text("[[templates]]\nkind = \"reminder\"\nchannel = \"email\"\nbody = \"" + body + "\"\n");
  EXPECT_TRUE(e.warnings.empty());
  // A short text with one non-GSM character: 3 segments of 67 UCS-2 units.
  const auto u = load_text("[[templates]]\nkind = \"help\"\nchannel = \"sms\"\nbody = \"" + std::string(140, 'a') +
                           "\xC3\xB3\"\n");
  ASSERT_EQ(u.warnings.size(), 1u);
  EXPECT_THAT(u.warnings[0], AllOf(HasSubstr("about 3 SMS segments"), HasSubstr("GSM")));
}

TEST_F(messaging_config_test, twilio_without_public_url_is_a_warning) {
  const auto c = load_text(
      "[[providers]]\nname = \"t\"\ntype = \"twilio\"\nauth_token = \"x\"\nmessaging_service_sid = "
      "\"MG0123456789abcdef0123456789abcdef\"\naccount_sid = \"AC0123456789abcdef0123456789abcdef\"\n");
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_THAT(c.warnings[0], AllOf(HasSubstr("providers[0].public_url"), HasSubstr("rollcall.toml:3")));
}

TEST_F(messaging_config_test, provider_secrets_come_from_files) {
  write("secrets/gw", std::string{secret} + "\n");
  write("secrets/twilio", "twilio-token\n");
  write("secrets/sg", "SG.from-file\n");
  const auto c = load_text(
      "[[providers]]\nname = \"gw\"\ntype = \"webhook\"\nurl = \"https://gw.example.org/\"\n"
      "secret_file = \"secrets/gw\"\n"
      "[[providers]]\nname = \"t\"\ntype = \"twilio\"\nauth_token_file = \"secrets/twilio\"\nfrom = \"+12125550123\"\n"
      "public_url = \"https://rollcall.example.org\"\naccount_sid = \"AC0123456789abcdef0123456789abcdef\"\n"
      "[[providers]]\nname = \"m\"\ntype = \"sendgrid\"\napi_key_file = \"secrets/sg\"\n"
      "from_email = \"r@example.org\"\n");
  ASSERT_EQ(c.providers.size(), 3u);
  EXPECT_EQ(c.providers[0].secret, secret);
  EXPECT_EQ(c.providers[1].auth_token, "twilio-token");
  EXPECT_EQ(c.providers[2].api_key, "SG.from-file");
  // A required secret given by file counts as given; a missing file or bad content is an error.
  EXPECT_THAT(error_of("[[providers]]\nname = \"m\"\ntype = \"sendgrid\"\napi_key_file = \"nope\"\n"),
              AllOf(HasSubstr("rollcall.toml:4"), HasSubstr("providers[0].api_key_file"), HasSubstr("cannot read")));
  write("bad", "not-whsec\n");
  EXPECT_THAT(error_of("[[providers]]\nsecret_file = \"bad\"\n"),
              AllOf(HasSubstr("providers[0].secret_file"), HasSubstr("the file's content"), HasSubstr("whsec_")));
  // Non-secret fields have no _file form.
  EXPECT_THAT(error_of("[[providers]]\nfrom_email_file = \"secrets/sg\"\n"),
              AllOf(HasSubstr("unknown key"), HasSubstr("providers[0].from_email_file")));
}

TEST_F(messaging_config_test, effective_providers) {
  // Nothing configured: none.
  EXPECT_TRUE(cfg::effective_providers(cfg::load(std::nullopt)).empty());
  // Only the legacy webhook: one implied provider.
  const auto legacy =
      load_text(std::string{"[delivery]\nwebhook_url = \"http://127.0.0.1:9/hook\"\nwebhook_secret = \""} + secret +
                "\"\nallow_http = true\n");
  const auto implied = cfg::effective_providers(legacy);
  ASSERT_EQ(implied.size(), 1u);
  EXPECT_EQ(implied[0].name, "webhook");
  EXPECT_EQ(implied[0].type, "webhook");
  EXPECT_THAT(implied[0].channels, ElementsAre("sms", "email"));
  EXPECT_EQ(implied[0].url, "http://127.0.0.1:9/hook");
  EXPECT_EQ(implied[0].secret, secret);
  EXPECT_TRUE(implied[0].allow_http);
  // Configured providers win, and the unused webhook_url is a warning.
  const auto both =
      load_text(std::string{"[delivery]\nwebhook_url = \"https://old.example.org/\"\nwebhook_secret = \""} + secret +
                "\"\n" + sendgrid_provider());
  const auto configured = cfg::effective_providers(both);
  ASSERT_EQ(configured.size(), 1u);
  EXPECT_EQ(configured[0].name, "mail");
  EXPECT_THAT(both.warnings, ::testing::Contains(HasSubstr("delivery.webhook_url is ignored")));
}

TEST_F(messaging_config_test, array_tables_are_reloadable) {
  const auto running = load_text(webhook_provider());
  auto reloaded = load_text(webhook_provider("other") + "[[reminder_rules]]\nlead_times = [\"3h\"]\n" +
                            "[quiet_hours]\nstart = \"20:00\"\n[dispatcher]\nmax_age = \"2h\"\n");
  EXPECT_TRUE(cfg::changed_restart_keys(running, reloaded).empty());
  for (const auto& k : cfg::documented_keys()) {
    if (k.in_array_table || k.name.starts_with("quiet_hours.") || k.name == "dispatcher.max_age") {
      EXPECT_TRUE(k.reloadable) << k.name;
    }
  }
}

// Every field of every array table is documented, and config/rollcall.toml shows each in a
// commented-out example that, uncommented, loads.
TEST_F(messaging_config_test, documented_array_keys_match_the_example) {
  const fs::path example = fs::path{ROLLCALL_SOURCE_DIR} / "config" / "rollcall.toml";
  std::ifstream in(example);
  std::string line, text;
  bool examples = false;
  while (std::getline(in, line)) {
    if (line.starts_with("# ---- Examples of the array tables")) examples = true;
    const bool toml_line =
        examples && line.starts_with("# ") &&
        (line.starts_with("# [[") || (line.size() > 2 && line[2] >= 'a' && line[2] <= 'z' &&
                                      line.find(" = ") != std::string::npos && line.find(' ', 2) == line.find(" = ")));
    text += (toml_line ? line.substr(2) : line) + "\n";
    // Secrets in files: give every example a file with valid content.
    if (toml_line && line.find("_file = \"") != std::string::npos) {
      const auto start = line.find('"') + 1;
      write(line.substr(start, line.rfind('"') - start), std::string{secret} + "\n");
    }
  }
  ASSERT_TRUE(examples) << "no examples section in " << example;
  const auto c = load_text(text);
  EXPECT_EQ(c.providers.size(), 4u);
  EXPECT_EQ(c.reminder_rules.size(), 2u);
  EXPECT_EQ(c.templates.size(), 2u);
  EXPECT_EQ(c.event_subscriptions.size(), 2u);
  EXPECT_TRUE(c.warnings.empty());
  const auto table = toml::parse(text);
  std::set<std::string> shown;
  for (const char* array : {"providers", "reminder_rules", "templates", "event_subscriptions"})
    table[array].as_array()->for_each([&](const toml::table& entry) {
      for (const auto& [key, value] : entry) {
        std::string field{key.str()};
        if (field.ends_with("_file")) field.resize(field.size() - 5);
        shown.insert(std::string{array} + "[]." + field);
      }
    });
  std::set<std::string> documented;
  for (const auto& k : cfg::documented_keys()) {
    if (!k.in_array_table) continue;
    EXPECT_FALSE(k.doc.empty()) << k.name;
    EXPECT_TRUE(documented.insert(k.name).second) << "duplicate " << k.name;
    if (k.name.ends_with("secret") || k.name.ends_with("auth_token") || k.name.ends_with("api_key")) {
      EXPECT_EQ(k.default_value, "\"\"") << k.name;
    }
  }
  EXPECT_EQ(shown, documented);
}

}  // namespace

// --- integration event subscriptions -----------------------------------------------------------

namespace {

std::string subscription(const std::string& name, const std::string& events) {
  return "[[event_subscriptions]]\nname = \"" + name + "\"\nurl = \"https://" + name +
         ".example.org/events\"\nsecret = \"" + std::string{secret} + "\"\nevents = " + events + "\n";
}

TEST_F(messaging_config_test, event_subscriptions_parse) {
  write("secrets/ehr", std::string{secret} + "\n");
  const auto c = load_text(subscription("analytics", "[\"*\"]") +
                           "[[event_subscriptions]]\nname = \"ehr\"\nurl = \"http://127.0.0.1:9/ehr\"\n"
                           "secret_file = \"secrets/ehr\"\nevents = [\"attendance.marked\", \"enrollment.changed\"]\n"
                           "allow_http = true\n");
  ASSERT_EQ(c.event_subscriptions.size(), 2u);
  EXPECT_EQ(c.event_subscriptions[0].name, "analytics");
  EXPECT_EQ(c.event_subscriptions[0].url, "https://analytics.example.org/events");
  EXPECT_EQ(c.event_subscriptions[0].secret, secret);
  EXPECT_THAT(c.event_subscriptions[0].events, ElementsAre("*"));
  EXPECT_FALSE(c.event_subscriptions[0].allow_http);
  EXPECT_EQ(c.event_subscriptions[1].name, "ehr");
  EXPECT_EQ(c.event_subscriptions[1].secret, secret);  // from the file
  EXPECT_THAT(c.event_subscriptions[1].events, ElementsAre("attendance.marked", "enrollment.changed"));
  EXPECT_TRUE(c.event_subscriptions[1].allow_http);
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_TRUE(cfg::load(std::nullopt).event_subscriptions.empty());
  // All reloadable: changing them needs no restart.
  EXPECT_TRUE(cfg::changed_restart_keys(cfg::load(std::nullopt), c).empty());
}

TEST_F(messaging_config_test, event_subscription_errors_never_show_the_secret) {
  const std::string leaked = "whsec_c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3QtbGVhaw==";
  const auto msg = error_of("[[event_subscriptions]]\nname = \"ehr\"\nurl = \"ftp://x\"\nsecret = \"" + leaked +
                            "\"\nevents = [\"*\"]\n");
  EXPECT_THAT(msg, HasSubstr("event_subscriptions[0].url"));
  EXPECT_THAT(msg, ::testing::Not(HasSubstr("c2VjcmV0")));
}

const std::string good_secret = std::string{"secret = \""} + secret + "\"\n";

INSTANTIATE_TEST_SUITE_P(
    events, messaging_config_error,
    ::testing::Values(
        array_error_case{"event_missing_secret",
                         "[[event_subscriptions]]\nname = \"ehr\"\nurl = \"https://ehr.example.org/\"\n"
                         "events = [\"*\"]\n",
                         2, "event_subscriptions[0].secret", "required"},
        array_error_case{"event_bad_secret", "[[event_subscriptions]]\nname = \"ehr\"\nsecret = \"hunter2\"\n", 4,
                         "event_subscriptions[0].secret", "whsec_"},
        array_error_case{"event_missing_url",
                         "[[event_subscriptions]]\nname = \"ehr\"\n" + good_secret + "events = [\"*\"]\n", 2,
                         "event_subscriptions[0].url", "required"},
        array_error_case{"event_bad_url", "[[event_subscriptions]]\nname = \"ehr\"\nurl = \"ehr.example.org/x\"\n", 4,
                         "event_subscriptions[0].url", "absolute URL"},
        array_error_case{"event_url_not_http", "[[event_subscriptions]]\nurl = \"ftp://ehr.example.org/x\"\n", 3,
                         "event_subscriptions[0].url", "http or https"},
        array_error_case{"event_http_needs_allow_http",
                         "[[event_subscriptions]]\nname = \"ehr\"\nurl = \"http://127.0.0.1:9/\"\n" + good_secret +
                             "events = [\"*\"]\n",
                         4, "event_subscriptions[0].url", "allow_http"},
        array_error_case{"event_unknown_type",
                         "[[event_subscriptions]]\nevents = [\"attendance.marked\", \"client.created\"]\n", 3,
                         "event_subscriptions[0].events", "element 1 must be one of attendance.marked"},
        array_error_case{"event_empty_events", "[[event_subscriptions]]\nevents = []\n", 3,
                         "event_subscriptions[0].events", "at least one"},
        array_error_case{"event_star_not_alone", "[[event_subscriptions]]\nevents = [\"*\", \"session.missed\"]\n", 3,
                         "event_subscriptions[0].events", "listed alone"},
        array_error_case{"event_type_twice",
                         "[[event_subscriptions]]\nevents = [\"session.missed\", \"session.missed\"]\n", 3,
                         "event_subscriptions[0].events", "listed twice"},
        array_error_case{"event_missing_events",
                         "[[event_subscriptions]]\nname = \"ehr\"\nurl = \"https://ehr.example.org/\"\n" + good_secret,
                         2, "event_subscriptions[0].events", "required"},
        array_error_case{
            "event_missing_name",
            "[[event_subscriptions]]\nurl = \"https://ehr.example.org/\"\n" + good_secret + "events = [\"*\"]\n", 2,
            "event_subscriptions[0].name", "required"},
        array_error_case{"event_bad_name", "[[event_subscriptions]]\nname = \"EHR system\"\n", 3,
                         "event_subscriptions[0].name", "a-z"},
        array_error_case{"event_duplicate_name",
                         subscription("ehr", "[\"*\"]") + subscription("ehr", "[\"session.missed\"]"), 8,
                         "event_subscriptions[1].name", "already the name of event_subscriptions[0]"},
        array_error_case{"event_unknown_key", "[[event_subscriptions]]\nheaders = \"x\"\n", 3,
                         "event_subscriptions[0].headers", "unknown key"},
        array_error_case{"event_subscriptions_not_an_array", "event_subscriptions = \"ehr\"\n", 2,
                         "event_subscriptions", "[[event_subscriptions]]"}),
    [](const auto& info) { return info.param.name; });

}  // namespace

TEST_F(config_test, web_session_keys_load_and_are_reloadable) {
  const cfg::config defaults;
  EXPECT_EQ(defaults.web.session_idle, 30min);
  EXPECT_EQ(defaults.web.session_max, 12h);
  EXPECT_FALSE(defaults.web.cookie_secure);
  const auto c = load_text("[web]\nsession_idle = \"5s\"\nsession_max = \"1m\"\ncookie_secure = true\n");
  EXPECT_EQ(c.web.session_idle, 5s);
  EXPECT_EQ(c.web.session_max, 1min);
  EXPECT_TRUE(c.web.cookie_secure);
  EXPECT_TRUE(cfg::changed_restart_keys(defaults, c).empty()) << "web.* take effect on reload";
  EXPECT_THAT(error_of("[web]\nsession_idle = \"0s\"\n"), HasSubstr("web.session_idle"));
  EXPECT_THAT(error_of("[web]\ncookie_secure = \"yes\"\n"), HasSubstr("web.cookie_secure"));
}

TEST_F(config_test, server_tls_files_come_in_pairs_and_resolve_relative_to_the_file) {
  const cfg::config defaults;
  EXPECT_TRUE(defaults.server.tls_certificate.empty()) << "TLS is opt-in";
  EXPECT_EQ(defaults.server.request_timeout, 30s);
  const auto c = load_text(
      "[server]\ntls_certificate = \"tls/chain.pem\"\ntls_private_key = \"/etc/keys/key.pem\"\n"
      "request_timeout = \"5s\"\n");
  EXPECT_EQ(c.server.tls_certificate, (dir_ / "tls" / "chain.pem").string());
  EXPECT_EQ(c.server.tls_private_key, "/etc/keys/key.pem");
  EXPECT_EQ(c.server.request_timeout, 5s);
  const auto changed = cfg::changed_restart_keys(defaults, c);
  EXPECT_EQ(changed, (std::vector<std::string>{"server.tls_certificate", "server.tls_private_key"}))
      << "the paths need a restart (their files are re-read on every reload); request_timeout reloads";
  EXPECT_THAT(error_of("[server]\ntls_certificate = \"chain.pem\"\n"),
              AllOf(HasSubstr("server.tls_private_key"), HasSubstr("server.tls_certificate")));
  EXPECT_THAT(error_of("[server]\ntls_private_key = \"key.pem\"\n"),
              AllOf(HasSubstr("'server.tls_certificate'"), HasSubstr("required")));
  EXPECT_THAT(error_of("[server]\nrequest_timeout = \"0s\"\n"), HasSubstr("server.request_timeout"));
}
