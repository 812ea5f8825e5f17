// rollcalld's configuration: one struct, filled from one table of keys (config.cpp) that
// also documents each key. config/rollcall.toml shows every key with its default.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace rollcall::config {

using duration = std::chrono::milliseconds;

struct config {
  struct server_section {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;
    std::string port_file;  // if set, the bound port is written here once listening
    std::size_t body_limit = 1 << 20;
  } server;

  struct database_section {
    std::string url;  // empty: run the embedded PostgreSQL cluster under state_dir
    int pool_size = 4;
    std::string embedded_user = "postgres";  // runs the embedded cluster when started as root
    std::string postgres_bin_dir;            // empty: the newest /usr/lib/postgresql/*/bin
  } database;

  std::string state_dir = "/var/lib/rollcall";

  struct api_section {
    std::string token;  // bearer token for the JSON API (a secret)
  } api;

  struct planner_section {
    duration interval = std::chrono::minutes{1};
    duration horizon = std::chrono::days{14};
    std::vector<duration> reminder_lead_times{std::chrono::hours{24}, std::chrono::hours{2}};
  } planner;

  struct dispatcher_section {
    duration interval = std::chrono::seconds{1};
    int batch_size = 64;
    int concurrency = 16;
    duration lease = std::chrono::seconds{60};
    duration http_timeout = std::chrono::seconds{10};
    int max_attempts = 8;
  } dispatcher;

  struct delivery_section {
    std::string webhook_url;     // where client reminders (SMS and email) are POSTed
    std::string webhook_secret;  // whsec_... (a secret)
    bool allow_http = false;     // permit plain-http webhook URLs (loopback testing only)
    std::string ca_file;         // extra CA bundle for HTTPS; the system store otherwise
  } delivery;

  struct alerts_section {
    std::string webhook_secret;  // whsec_... signs alerts POSTed to staff webhooks (a secret)
  } alerts;

  struct attendance_section {
    duration grace = std::chrono::minutes{15};
    duration sweep_interval = std::chrono::seconds{30};
  } attendance;

  // Weekly treatment hours an episode must be scheduled for, by level of care (each episode may
  // set its own); PHP 20+ and adult IOP 9+ follow ASAM levels 2.5 and 2.1.
  struct care_section {
    int weekly_hours_php = 20;
    int weekly_hours_iop = 9;
    int weekly_hours_op = 1;
    int weekly_hours_aftercare = 0;
  } care;

  struct log_section {
    std::string level = "info";
  } log;

  struct import_section {
    std::string default_region = "US";  // ISO 3166 region of phone numbers without a country code
  } imports;                            // the [import] table
};

// Start-up stops on the first bad key with one message naming the file, line and key.
class config_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads a TOML file (nullopt: defaults only), then the ROLLCALL_* environment overrides.
config load(const std::optional<std::filesystem::path>& file);

// Keys that SIGHUP may change; changes to others are reported and ignored until restart.
std::vector<std::string> changed_restart_keys(const config& running, const config& reloaded);

struct key_doc {
  std::string name;
  std::string type;
  std::string default_value;
  bool reloadable;
  std::string doc;
};
// The key table with the values of `values` (the defaults unless given), for --help-config
// and the tests that keep config/rollcall.toml true. Secrets are never shown.
std::vector<key_doc> documented_keys(const config& values = {});

}  // namespace rollcall::config
