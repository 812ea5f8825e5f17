// rollcalld's configuration: one struct, filled from one table of keys (config.cpp) that
// also documents each key. config/rollcall.toml shows every key with its default.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rollcall::config {

using duration = std::chrono::milliseconds;

struct config {
  struct server_section {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;
    std::string port_file;  // if set, the bound port is written here once listening
    std::size_t body_limit = 1 << 20;
    // One deadline over reading a whole request (headers and body), over the TLS handshake, and
    // for an idle keep-alive connection.
    duration request_timeout = std::chrono::seconds{30};
    // Both set: the API speaks HTTPS only, with this PEM certificate chain and private key,
    // re-read on SIGHUP. A relative path is relative to the config file's directory.
    std::string tls_certificate;
    std::string tls_private_key;
  } server;

  struct database_section {
    std::string url;  // empty: run the embedded PostgreSQL cluster under state_dir
    int pool_size = 4;
    std::string embedded_user = "postgres";  // runs the embedded cluster when started as root
    std::string postgres_bin_dir;            // empty: the newest /usr/lib/postgresql/*/bin
  } database;

  std::string state_dir = "/var/lib/rollcall";

  // The JSON API's tokens live in the database (`rollcalld token create`); here only how failed
  // authentications are limited per source address.
  struct api_section {
    int auth_failure_limit = 10;                             // failures per window; 0: no limit
    duration auth_failure_window = std::chrono::minutes{1};  // then 429 until the window ends
  } api;

  // Staff sessions of the web page (signed in with a username and password).
  struct web_section {
    duration session_idle = std::chrono::minutes{30};  // unused this long: signed out
    duration session_max = std::chrono::hours{12};     // signed out this long after sign-in, whatever happens
    bool cookie_secure = false;                        // mark the cookie Secure (clients reach us over HTTPS)
  } web;

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
    // A message still undelivered this long after it was first due is dead-lettered (0: never).
    duration max_age = std::chrono::hours{24};
  } dispatcher;

  struct delivery_section {
    std::string webhook_url;     // where client reminders (SMS and email) are POSTed
    std::string webhook_secret;  // whsec_... (a secret)
    bool allow_http = false;     // permit plain-http webhook URLs (loopback testing only)
    std::string ca_file;         // extra CA bundle for HTTPS; the system store otherwise
  } delivery;

  struct alerts_section {
    std::string webhook_secret;                          // whsec_... signs alerts POSTed to staff webhooks (a secret)
    duration escalate_after = std::chrono::minutes{30};  // unacknowledged: to the next on the list; 0 off
    int consecutive_misses = 2;                          // misses in a row that alert the supervisor; 0 off
    int min_attendance_percent = 75;                     // below this over rate_window alerts the counselor; 0 off
    duration rate_window = std::chrono::hours{14 * 24};
    int rate_min_sessions = 4;  // sessions counted in the window before the rate can alert
    bool hours_at_risk = true;  // alert the case manager when the week's required hours can't be met
  } alerts;

  struct attendance_section {
    duration grace = std::chrono::minutes{15};         // unmarked this long after the start: "unmarked" on the roster
    duration absent_after = std::chrono::minutes{15};  // after the end: unmarked clients are recorded absent
    duration sweep_interval = std::chrono::seconds{30};
    bool sms_checkin = false;  // clients may check in by texting HERE around the start
    duration checkin_before = std::chrono::minutes{30};
    duration checkin_after = std::chrono::minutes{15};
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
    std::string format = "text";  // text | json
  } log;

  struct import_section {
    std::string default_region = "US";  // ISO 3166 region of phone numbers without a country code
  } imports;                            // the [import] table

  // Where client messages go: one entry per provider account (TOML [[providers]]). None: the
  // delivery.webhook_url, if set, is used (see effective_providers).
  struct provider_section {
    std::string name;                   // unique, [a-z0-9_-]{1,40}; in callback URLs /hooks/{name}/status|inbound
    std::string type;                   // webhook | twilio | sendgrid
    std::vector<std::string> channels;  // subset of sms, email; defaults per type (filled by load)
    std::string url;                    // webhook: endpoint; twilio/sendgrid: API base URL (defaulted by load)
    std::string secret;                 // webhook: whsec_ secret (a secret; also verifies its status callbacks)
    std::string account_sid;            // twilio
    std::string auth_token;             // twilio (a secret; also validates X-Twilio-Signature)
    std::string from;                   // twilio: From number (E.164); or messaging_service_sid
    std::string messaging_service_sid;  // twilio
    std::string api_key;                // sendgrid (a secret)
    std::string from_email;             // sendgrid
    std::string from_name;              // sendgrid (optional; reveals no treatment)
    std::string public_url;             // base URL the provider calls back, e.g. https://rollcall.example.org
    double rate_limit = 0;              // messages per second; 0 = unlimited
    int concurrency = 4;                // requests in flight to this provider at once
    bool allow_http = false;            // permit http:// url/public_url (loopback testing)
  };
  std::vector<provider_section> providers;

  // Which reminders a session gets (TOML [[reminder_rules]]); the most specific match wins. None
  // match: planner.reminder_lead_times on sms then email with the default templates.
  struct reminder_rule_section {
    std::optional<long long> site;  // site id; nullopt: any
    std::string level;              // "" any; php | iop | op | aftercare
    std::string kind;               // "" any; group | individual | family
    std::vector<duration> lead_times;
    std::vector<std::string> channels = {"sms", "email"};
    std::string templates = "default";  // a template set name
  };
  std::vector<reminder_rule_section> reminder_rules;

  struct quiet_hours_section {
    bool enabled = true;
    std::chrono::minutes start{21 * 60};  // local time of day ("21:00")
    std::chrono::minutes end{8 * 60};
    duration max_shift = std::chrono::hours{12};
  } quiet_hours;

  // Message texts overriding or adding to the built-in ones (TOML [[templates]]).
  struct template_section {
    std::string set = "default";
    std::string kind;
    std::string channel;
    std::string language = "en";
    std::string subject;
    std::string body;
  };
  std::vector<template_section> templates;

  // Integration events (attendance.marked, ...) POSTed, signed, to other systems such as an EHR
  // (TOML [[event_subscriptions]]); see docs/events.md.
  struct event_subscription_section {
    std::string name;                 // unique, [a-z0-9_-]{1,40}; names the subscription in the outbox
    std::string url;                  // the endpoint: https (http only with allow_http)
    std::string secret;               // whsec_... signing its requests (a secret)
    std::vector<std::string> events;  // event types, or "*" alone for every type
    bool allow_http = false;          // permit an http:// url (loopback testing)
  };
  std::vector<event_subscription_section> event_subscriptions;

  // Problems that do not stop start-up (filled by load; logged by the caller), e.g. an SMS
  // template that would take more than two segments.
  std::vector<std::string> warnings;
};

// Start-up stops on the first bad key with one message naming the file, line and key.
class config_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads a TOML file (nullopt: defaults only), then the ROLLCALL_* environment overrides.
config load(const std::optional<std::filesystem::path>& file);
// The same for TOML text already read: `file` names it in messages, and relative *_file paths are
// resolved beside it (tests/fuzz/config.cpp feeds load its input this way).
config load_text(std::string_view text, const std::filesystem::path& file);

using provider_section = config::provider_section;
using reminder_rule_section = config::reminder_rule_section;
using template_section = config::template_section;
using event_subscription_section = config::event_subscription_section;

// The configured providers, or, when there are none and delivery.webhook_url is set, one implied
// provider "webhook" of type webhook carrying sms and email to that URL with delivery's secret.
std::vector<provider_section> effective_providers(const config& c);

// Keys that SIGHUP may change; changes to others are reported and ignored until restart.
std::vector<std::string> changed_restart_keys(const config& running, const config& reloaded);

struct key_doc {
  std::string name;
  std::string type;
  std::string default_value;
  bool reloadable;
  std::string doc;
  // A field of each entry of an array of tables, named like "providers[].url"; default_value is
  // its value when left out ("" when required or derived). Such keys do not appear in the file
  // by that name: config/rollcall.toml shows them in commented-out [[...]] examples.
  bool in_array_table = false;
};
// The key table with the values of `values` (the defaults unless given), for --help-config
// and the tests that keep config/rollcall.toml true. Secrets are never shown.
std::vector<key_doc> documented_keys(const config& values = {});

}  // namespace rollcall::config
