#include "rollcall/config/config.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <date/tz.h>
#include <boost/url/parse.hpp>

#include "rollcall/config/config_keys.hpp"
#include "rollcall/domain/duration.hpp"
#include "rollcall/support/logging.hpp"

namespace rollcall::config {

namespace detail {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out += "\"";
  return out;
}

check require_url(const std::string& v, bool allow_empty) {
  if (v.empty()) return allow_empty ? check{} : check{"must not be empty"};
  auto u = boost::urls::parse_absolute_uri(v);
  if (!u) return "is not an absolute URL";
  if (u->scheme() != "http" && u->scheme() != "https") return "must be an http or https URL";
  if (u->host().empty()) return "has no host";
  return {};
}

check require_secret(const std::string& v) {
  if (v.empty()) return {};
  const std::string_view b64 = std::string_view{v}.substr(v.rfind("whsec_", 0) == 0 ? 6 : v.size());
  const std::size_t pad = b64.ends_with("==") ? 2 : b64.ends_with('=') ? 1 : 0;
  const bool alphabet = std::all_of(b64.begin(), b64.end() - static_cast<std::ptrdiff_t>(pad), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
  });
  if (b64.size() < 24 || b64.size() % 4 != 0 || !alphabet)
    return "must be whsec_ followed by standard base64 of at least 18 bytes";
  return {};
}

check parse_duration_node(const toml::node& n, duration& out, bool allow_zero) {
  auto s = n.value<std::string>();
  if (!n.is_string() || !s) return "expected a duration string like \"90s\", \"15m\", \"24h\", \"14d\"";
  auto d = domain::parse_duration(*s);
  if (!d) {
    if (!s->empty() && s->front() == '-') return "must not be negative";
    return "\"" + *s + "\" is not a duration like \"90s\", \"15m\", \"24h\", \"14d\"";
  }
  if (!allow_zero && d->count() == 0) return "must be greater than zero";
  out = *d;
  return {};
}

std::optional<std::string> read_secret_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;  // exists but unreadable (permissions): an error, not an empty secret
  std::string s{std::istreambuf_iterator<char>(in), {}};
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string secret_from_file(const toml::node& node, const std::string& name, const std::filesystem::path& file) {
  auto path_str = node.value<std::string>();
  const auto at = where(file.string(), static_cast<int>(node.source().begin.line));
  if (!node.is_string() || !path_str) throw config_error(at + ": key '" + name + "': expected a file path string");
  std::filesystem::path p{*path_str};
  // "credential:NAME": a systemd credential (LoadCredential=NAME:/path in the unit), which
  // systemd copies to $CREDENTIALS_DIRECTORY, readable by this service only.
  constexpr std::string_view credential = "credential:";
  if (path_str->starts_with(credential)) {
    const auto cred = path_str->substr(credential.size());
    if (cred.empty() || cred.find('/') != std::string::npos || cred == "." || cred == "..")
      throw config_error(at + ": key '" + name + "': a credential name must be a plain file name");
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (!dir || !*dir)
      throw config_error(at + ": key '" + name + "': \"" + *path_str +
                         "\" needs $CREDENTIALS_DIRECTORY (LoadCredential= in the systemd unit)");
    p = std::filesystem::path{dir} / cred;
  } else if (p.is_relative()) {
    p = file.parent_path() / p;
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec))
    throw config_error(at + ": key '" + name + "': cannot read " + p.string());
  auto secret = read_secret_file(p);
  if (!secret) throw config_error(at + ": key '" + name + "': cannot read " + p.string() + " (permissions?)");
  return *secret;
}

std::string format_time_of_day(std::chrono::minutes m) {
  const auto h = m.count() / 60;
  const auto min = m.count() % 60;
  std::string out;
  out += static_cast<char>('0' + h / 10);
  out += static_cast<char>('0' + h % 10);
  out += ':';
  out += static_cast<char>('0' + min / 10);
  out += static_cast<char>('0' + min % 10);
  return out;
}

std::string where(const std::string& origin, int line) {
  std::string out = origin;
  out += ':';
  out += std::to_string(line);
  return out;
}

}  // namespace detail

namespace {

using namespace detail;

const std::vector<key_spec>& key_table() {
  static const std::vector<key_spec> keys = [] {
    std::vector<key_spec> k;
    k.push_back(string_key(
        "server.address", [](config & c) -> auto& { return c.server.address; }, false,
        "IP address the HTTP API listens on"));
    k.push_back(int_key(
        "server.port", [](config & c) -> auto& { return c.server.port; }, 0, 65535, false,
        "TCP port of the HTTP API; 0 picks a free port (see server.port_file)"));
    k.push_back(string_key(
        "server.port_file", [](config & c) -> auto& { return c.server.port_file; }, false,
        "if set, the bound port is written to this file once the listener is open"));
    k.push_back(int_key(
        "server.body_limit", [](config & c) -> auto& { return c.server.body_limit; }, 1024, 64 << 20, false,
        "largest request body accepted, in bytes (larger: 413)"));
    k.push_back(duration_key(
        "server.request_timeout", [](config & c) -> auto& { return c.server.request_timeout; }, true,
        "deadline for reading one whole request (headers and body), for the TLS handshake, and for an idle "
        "keep-alive connection; a slower client is disconnected"));
    k.push_back(string_key(
        "server.tls_certificate", [](config & c) -> auto& { return c.server.tls_certificate; }, false,
        "PEM certificate chain (leaf first) of the HTTPS API; with server.tls_private_key the API speaks HTTPS only; "
        "the files are re-read on SIGHUP"));
    k.push_back(string_key(
        "server.tls_private_key", [](config & c) -> auto& { return c.server.tls_private_key; }, false,
        "unencrypted PEM private key of server.tls_certificate"));
    k.push_back(string_key(
        "database.url", [](config & c) -> auto& { return c.database.url; }, false,
        "PostgreSQL connection URL (a secret; or ROLLCALL_DATABASE_URL); empty runs an embedded "
        "cluster under state_dir"));
    k.push_back(int_key(
        "database.pool_size", [](config & c) -> auto& { return c.database.pool_size; }, 1, 64, false,
        "database connections (and worker threads) of the pool"));
    k.push_back(string_key(
        "database.embedded_user", [](config & c) -> auto& { return c.database.embedded_user; }, false,
        "system user that runs the embedded cluster when rollcalld is started as root"));
    k.push_back(string_key(
        "database.postgres_bin_dir", [](config & c) -> auto& { return c.database.postgres_bin_dir; }, false,
        "directory of initdb/pg_ctl for the embedded cluster; empty: newest /usr/lib/postgresql/*/bin"));
    k.push_back(string_key(
        "state_dir", [](config & c) -> auto& { return c.state_dir; }, false,
        "where rollcalld keeps its state (the embedded cluster lives in state_dir/postgres)"));
    k.push_back(int_key(
        "api.auth_failure_limit", [](config & c) -> auto& { return c.api.auth_failure_limit; }, 0, 1000000, true,
        "failed authentications (bad bearer tokens, unknown session cookies, failed sign-ins) one address may "
        "make within api.auth_failure_window before it gets 429 until the window ends; 0: no limit"));
    k.push_back(duration_key(
        "api.auth_failure_window", [](config & c) -> auto& { return c.api.auth_failure_window; }, true,
        "the window failed authentications are counted in, opened by an address's first failure"));
    k.push_back(duration_key(
        "web.session_idle", [](config & c) -> auto& { return c.web.session_idle; }, true,
        "a web page sign-in unused this long ends (the page asks to sign in again)"));
    k.push_back(duration_key(
        "web.session_max", [](config & c) -> auto& { return c.web.session_max; }, true,
        "a web page sign-in ends this long after it began, used or not; also the cookie's Max-Age"));
    k.push_back(bool_key(
        "web.cookie_secure", [](config & c) -> auto& { return c.web.cookie_secure; }, true,
        "mark the session cookie Secure; set true behind a TLS-terminating proxy (implied when "
        "server.tls_certificate is set)"));
    k.push_back(duration_key(
        "planner.interval", [](config & c) -> auto& { return c.planner.interval; }, true,
        "how often sessions and reminders are planned"));
    k.push_back(duration_key(
        "planner.horizon", [](config & c) -> auto& { return c.planner.horizon; }, true,
        "how far ahead sessions are materialised"));
    k.push_back(duration_list_key(
        "planner.reminder_lead_times", [](config & c) -> auto& { return c.planner.reminder_lead_times; }, true,
        "how long before a session each reminder goes out"));
    k.push_back(duration_key(
        "dispatcher.interval", [](config & c) -> auto& { return c.dispatcher.interval; }, true,
        "how often the outbox is polled for due messages"));
    k.push_back(int_key(
        "dispatcher.batch_size", [](config & c) -> auto& { return c.dispatcher.batch_size; }, 1, 10000, true,
        "messages claimed per batch"));
    k.push_back(int_key(
        "dispatcher.concurrency", [](config & c) -> auto& { return c.dispatcher.concurrency; }, 1, 1024, true,
        "HTTP deliveries in flight at once per instance"));
    k.push_back(duration_key(
        "dispatcher.lease", [](config & c) -> auto& { return c.dispatcher.lease; }, true,
        "how long a claimed message is reserved; must exceed dispatcher.http_timeout"));
    k.push_back(duration_key(
        "dispatcher.http_timeout", [](config & c) -> auto& { return c.dispatcher.http_timeout; }, true,
        "deadline for one delivery (connect, TLS, write and read)"));
    k.push_back(int_key(
        "dispatcher.max_attempts", [](config & c) -> auto& { return c.dispatcher.max_attempts; }, 1, 50, true,
        "attempts before a message is dead-lettered"));
    k.push_back(duration_key(
        "dispatcher.max_age", [](config & c) -> auto& { return c.dispatcher.max_age; }, true,
        "a message still undelivered this long after it was first due is dead-lettered; 0s: no limit", true));
    k.push_back(string_key(
        "delivery.webhook_url", [](config & c) -> auto& { return c.delivery.webhook_url; }, true,
        "where client reminders (SMS and email) are POSTed as signed JSON; empty: they wait",
        [](const std::string& v) { return require_url(v, true); }));
    k.push_back(string_key(
        "delivery.webhook_secret", [](config & c) -> auto& { return c.delivery.webhook_secret; }, true,
        "whsec_ signing secret for delivery.webhook_url (a secret; or *_file, or "
        "ROLLCALL_WEBHOOK_SECRET)",
        require_secret));
    k.push_back(bool_key(
        "delivery.allow_http", [](config & c) -> auto& { return c.delivery.allow_http; }, true,
        "allow plain http:// webhook URLs (only for loopback testing)"));
    k.push_back(string_key(
        "delivery.ca_file", [](config & c) -> auto& { return c.delivery.ca_file; }, false,
        "extra PEM CA bundle for HTTPS peers; the system store is always used"));
    k.push_back(string_key(
        "alerts.webhook_secret", [](config & c) -> auto& { return c.alerts.webhook_secret; }, true,
        "whsec_ secret signing alerts POSTed to staff alert webhooks (a secret; or *_file, or "
        "ROLLCALL_ALERT_WEBHOOK_SECRET)",
        require_secret));
    k.push_back(duration_key(
        "alerts.escalate_after", [](config & c) -> auto& { return c.alerts.escalate_after; }, true,
        "an alert nobody acknowledged this long goes to the next person on its site's escalation list; 0s: never",
        true));
    k.push_back(int_key(
        "alerts.consecutive_misses", [](config & c) -> auto& { return c.alerts.consecutive_misses; }, 0, 50, true,
        "this many missed sessions in a row alert the site's clinical supervisor; 0: off"));
    k.push_back(int_key(
        "alerts.min_attendance_percent", [](config & c) -> auto& { return c.alerts.min_attendance_percent; }, 0, 100,
        true, "attendance below this percentage over alerts.rate_window alerts the counselor; 0: off"));
    k.push_back(duration_key(
        "alerts.rate_window", [](config & c) -> auto& { return c.alerts.rate_window; }, true,
        "the trailing window the attendance rate is counted over"));
    k.push_back(int_key(
        "alerts.rate_min_sessions", [](config & c) -> auto& { return c.alerts.rate_min_sessions; }, 1, 100, true,
        "sessions counted in the window before a low rate can alert"));
    k.push_back(bool_key(
        "alerts.hours_at_risk", [](config & c) -> auto& { return c.alerts.hours_at_risk; }, true,
        "alert the case manager as soon as a week's attended plus scheduled hours fall below the requirement"));
    k.push_back(duration_key(
        "attendance.grace", [](config & c) -> auto& { return c.attendance.grace; }, true,
        "an unmarked client this long after the start shows as unmarked on the roster", true));
    k.push_back(duration_key(
        "attendance.absent_after", [](config & c) -> auto& { return c.attendance.absent_after; }, true,
        "clients still unmarked this long after a session's end are recorded absent and alerted about", true));
    k.push_back(duration_key(
        "attendance.sweep_interval", [](config & c) -> auto& { return c.attendance.sweep_interval; }, true,
        "how often sessions are closed, the escalation rules run and unacknowledged alerts re-sent"));
    k.push_back(bool_key(
        "attendance.sms_checkin", [](config & c) -> auto& { return c.attendance.sms_checkin; }, true,
        "clients may check in by texting HERE (or CHECKIN) from checkin_before the start to checkin_after it"));
    k.push_back(duration_key(
        "attendance.checkin_before", [](config & c) -> auto& { return c.attendance.checkin_before; }, true,
        "how long before a session's start an SMS check-in counts"));
    k.push_back(duration_key(
        "attendance.checkin_after", [](config & c) -> auto& { return c.attendance.checkin_after; }, true,
        "how long after a session's start an SMS check-in counts"));
    k.push_back(int_key(
        "care.weekly_hours_php", [](config & c) -> auto& { return c.care.weekly_hours_php; }, 0, 80, true,
        "weekly hours a new PHP episode must be scheduled for (each episode may set its own)"));
    k.push_back(int_key(
        "care.weekly_hours_iop", [](config & c) -> auto& { return c.care.weekly_hours_iop; }, 0, 80, true,
        "weekly hours a new IOP episode must be scheduled for (9 for adults; 6 for adolescents)"));
    k.push_back(int_key(
        "care.weekly_hours_op", [](config & c) -> auto& { return c.care.weekly_hours_op; }, 0, 80, true,
        "weekly hours a new standard outpatient episode must be scheduled for"));
    k.push_back(int_key(
        "care.weekly_hours_aftercare", [](config & c) -> auto& { return c.care.weekly_hours_aftercare; }, 0, 80, true,
        "weekly hours a new aftercare episode must be scheduled for"));
    k.push_back(string_key(
        "log.level", [](config & c) -> auto& { return c.log.level; }, true,
        "trace, debug, info, warn, error, critical or off",
        [](const std::string& v) -> check {
          if (!support::is_log_level(v)) return "must be one of trace, debug, info, warn, error, critical, off";
          return {};
        }));
    k.push_back(string_key(
        "log.format", [](config & c) -> auto& { return c.log.format; }, false,
        "text (a line each) or json (one JSON object a line: time, level, message)",
        [](const std::string& v) -> check {
          if (!support::is_log_format(v)) return "must be text or json";
          return {};
        }));
    k.push_back(string_key(
        "import.default_region", [](config & c) -> auto& { return c.imports.default_region; }, true,
        "region (two uppercase letters, like US) that imported phone numbers without a country code are read in",
        [](const std::string& v) -> check {
          if (v.size() != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z')
            return "must be two uppercase letters (an ISO 3166 region such as US or GB)";
          return {};
        }));
    k.push_back(bool_key(
        "quiet_hours.enabled", [](config & c) -> auto& { return c.quiet_hours.enabled; }, true,
        "hold reminders due at night (in the recipient's zone) until the evening before, or drop them"));
    k.push_back(time_of_day_key(
        "quiet_hours.start", [](config & c) -> auto& { return c.quiet_hours.start; }, true,
        "local time quiet hours begin (HH:MM); a message due in them goes at start - 1 minute"));
    k.push_back(time_of_day_key(
        "quiet_hours.end", [](config & c) -> auto& { return c.quiet_hours.end; }, true,
        "local time quiet hours end (HH:MM); before start: they span midnight; equal to start: never quiet"));
    k.push_back(duration_key(
        "quiet_hours.max_shift", [](config & c) -> auto& { return c.quiet_hours.max_shift; }, true,
        "a message that would move earlier than this is dropped instead", true));
    return k;
  }();
  return keys;
}

// Secrets may live in a file beside the key: `<key>_file = "/path"` (relative to the config).
const std::set<std::string> secret_keys{"database.url", "delivery.webhook_secret", "alerts.webhook_secret"};

std::string where(const std::filesystem::path& file, const toml::source_region& src) {
  return detail::where(file.string(), static_cast<int>(src.begin.line));
}

const key_spec* find_key(const std::string& name) {
  for (const auto& k : key_table())
    if (k.name == name) return &k;
  return nullptr;
}

bool is_table_prefix(const std::string& name) {
  for (const auto& k : key_table())
    if (k.name.rfind(name + ".", 0) == 0) return true;
  return false;
}

// Keys that once existed and now mean something else elsewhere: an error that says where.
std::optional<std::string> removed_key(const std::string& name) {
  if (name == "api.token" || name == "api.token_file")
    return "was removed: API tokens live in the database now; create one with `rollcalld --config FILE token "
           "create --name NAME --role admin` (docs/operations.md)";
  return std::nullopt;
}

void apply_table(config& c, const toml::table& table, const std::string& prefix, const std::filesystem::path& file,
                 source_lines& lines) {
  for (const auto& [key, node] : table) {
    const std::string name = prefix.empty() ? std::string{key.str()} : prefix + "." + std::string{key.str()};
    if (auto removed = removed_key(name))
      throw config_error(where(file, node.source()) + ": key '" + name + "' " + *removed);
    if (node.is_table() && is_table_prefix(name)) {
      apply_table(c, *node.as_table(), name, file, lines);
      continue;
    }
    if (prefix.empty() && is_array_table(name)) {
      apply_array_table(c, name, node, file, lines);
      continue;
    }
    const std::string base = name.size() > 5 && name.ends_with("_file") ? name.substr(0, name.size() - 5) : "";
    if (!base.empty() && secret_keys.count(base)) {
      toml::value<std::string> v{secret_from_file(node, name, file)};
      if (auto err = find_key(base)->apply(c, v))
        throw config_error(where(file, node.source()) + ": key '" + name + "': the file's content " + *err);
      continue;
    }
    const key_spec* spec = find_key(name);
    if (!spec) throw config_error(where(file, node.source()) + ": unknown key '" + name + "'");
    if (auto err = spec->apply(c, node))
      throw config_error(where(file, node.source()) + ": key '" + name + "': " + *err);
  }
}

void apply_env(config& c, const char* var, const std::string& key) {
  const char* v = std::getenv(var);
  if (!v || !*v) return;
  toml::value<std::string> node{std::string{v}};
  if (auto err = find_key(key)->apply(c, node))
    throw config_error(std::string{"environment variable "} + var + " (key '" + key + "'): " + *err);
}

void validate(const config& c, const std::string& origin) {
  // A claimed batch is sent in waves of `concurrency`, each bounded by http_timeout; the lease
  // must outlast them all, or another instance would claim (and send) the same messages again.
  const auto waves = (c.dispatcher.batch_size + c.dispatcher.concurrency - 1) / c.dispatcher.concurrency;
  const auto needed = waves * c.dispatcher.http_timeout + std::chrono::seconds{10};
  if (c.dispatcher.lease <= needed)
    throw config_error(origin + ": key 'dispatcher.lease': must be longer than " + domain::format_duration(needed) +
                       " (ceil(batch_size / concurrency) x http_timeout + 10s)");
  auto check_http = [&](const std::string& url, const char* key) {
    if (!url.empty() && url.rfind("http://", 0) == 0 && !c.delivery.allow_http)
      throw config_error(origin + ": key '" + key + "': plain http:// needs delivery.allow_http = true");
  };
  check_http(c.delivery.webhook_url, "delivery.webhook_url");
  if (c.server.tls_certificate.empty() != c.server.tls_private_key.empty()) {
    const char* missing = c.server.tls_certificate.empty() ? "server.tls_certificate" : "server.tls_private_key";
    const char* present = c.server.tls_certificate.empty() ? "server.tls_private_key" : "server.tls_certificate";
    throw config_error(origin + ": key '" + missing + "': required when " + present + " is set (TLS needs both)");
  }
  if (!c.delivery.webhook_url.empty() && c.delivery.webhook_secret.empty())
    throw config_error(origin + ": key 'delivery.webhook_secret': required when delivery.webhook_url is set");
}

// The keys of `table` (nullptr: defaults only), then the environment overrides, then the checks
// across keys: what load and load_text share after reading the TOML.
config from_table(const toml::table* table, const std::optional<std::filesystem::path>& file) {
  config c;
  source_lines lines;
  const std::string origin = file ? file->string() : std::string{"defaults"};
  if (table) {
    apply_table(c, *table, "", *file, lines);
    // Like a secret's `_file`, a relative certificate path is relative to the config file.
    for (auto* path : {&c.server.tls_certificate, &c.server.tls_private_key})
      if (!path->empty() && std::filesystem::path{*path}.is_relative()) *path = (file->parent_path() / *path).string();
  }
  apply_env(c, "ROLLCALL_DATABASE_URL", "database.url");
  if (const char* v = std::getenv("ROLLCALL_API_TOKEN"); v && *v) {
    std::string message = "environment variable ROLLCALL_API_TOKEN (key 'api.token') ";
    message += *removed_key("api.token");
    throw config_error(message);
  }
  apply_env(c, "ROLLCALL_WEBHOOK_SECRET", "delivery.webhook_secret");
  apply_env(c, "ROLLCALL_ALERT_WEBHOOK_SECRET", "alerts.webhook_secret");
  validate(c, origin);
  validate_array_tables(c, origin, lines);
  return c;
}

[[noreturn]] void throw_parse_error(const std::filesystem::path& file, const toml::parse_error& e) {
  throw config_error(file.string() + ":" + std::to_string(e.source().begin.line) + ": " + std::string{e.description()});
}

}  // namespace

config load(const std::optional<std::filesystem::path>& file) {
  if (!file) return from_table(nullptr, file);
  toml::table table;
  try {
    table = toml::parse_file(file->string());
  } catch (const toml::parse_error& e) {
    throw_parse_error(*file, e);
  }
  return from_table(&table, file);
}

config load_text(std::string_view text, const std::filesystem::path& file) {
  toml::table table;
  try {
    table = toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    throw_parse_error(file, e);
  }
  return from_table(&table, file);
}

std::vector<provider_section> effective_providers(const config& c) {
  if (!c.providers.empty() || c.delivery.webhook_url.empty()) return c.providers;
  provider_section p;
  p.name = "webhook";
  p.type = "webhook";
  p.channels = {"sms", "email"};
  p.url = c.delivery.webhook_url;
  p.secret = c.delivery.webhook_secret;
  p.allow_http = c.delivery.allow_http;
  return {p};
}

std::vector<std::string> changed_restart_keys(const config& running, const config& reloaded) {
  std::vector<std::string> out;
  for (const auto& k : key_table())
    if (!k.reloadable && k.show(running) != k.show(reloaded)) out.push_back(k.name);
  return out;
}

std::vector<key_doc> documented_keys(const config& values) {
  std::vector<key_doc> out;
  for (const auto& k : key_table()) {
    const bool secret = secret_keys.count(k.name) > 0;
    out.push_back({k.name, k.type, secret ? std::string{"\"\""} : k.show(values), k.reloadable, k.doc});
  }
  for (auto& k : documented_array_keys()) out.push_back(std::move(k));
  return out;
}

}  // namespace rollcall::config
