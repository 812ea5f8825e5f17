#include "rollcall/app/app.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <optional>

#include <date/date.h>
#include <sodium.h>
#include <systemd/sd-daemon.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include "rollcall/app/embedded_postgres.hpp"
#include "rollcall/app/import_command.hpp"
#include "rollcall/app/token_command.hpp"
#include "rollcall/config/config.hpp"
#include "rollcall/delivery/http_client.hpp"
#include "rollcall/delivery/provider_router.hpp"
#include "rollcall/http/api.hpp"
#include "rollcall/http/api_alerts.hpp"
#include "rollcall/http/api_directory.hpp"
#include "rollcall/http/api_feeds.hpp"
#include "rollcall/http/api_imports.hpp"
#include "rollcall/http/api_messaging.hpp"
#include "rollcall/http/api_metrics.hpp"
#include "rollcall/http/api_reports.hpp"
#include "rollcall/http/api_views.hpp"
#include "rollcall/http/api_web.hpp"
#include "rollcall/http/api_web_auth.hpp"
#include "rollcall/http/server.hpp"
#include "rollcall/http/tls_context.hpp"
#include "rollcall/phone/gawk_phone_normalizer.hpp"
#include "rollcall/services/attendance_watch.hpp"
#include "rollcall/services/dispatcher.hpp"
#include "rollcall/services/planner.hpp"
#include "rollcall/services/preview.hpp"
#include "rollcall/store/migrations.hpp"
#include "rollcall/store/pg_alerts.hpp"
#include "rollcall/store/pg_api_tokens.hpp"
#include "rollcall/store/pg_care.hpp"
#include "rollcall/store/pg_directory.hpp"
#include "rollcall/store/pg_feeds.hpp"
#include "rollcall/store/pg_import_store.hpp"
#include "rollcall/store/pg_listener.hpp"
#include "rollcall/store/pg_messaging.hpp"
#include "rollcall/store/pg_metrics.hpp"
#include "rollcall/store/pg_reports.hpp"
#include "rollcall/store/pg_store.hpp"
#include "rollcall/store/pg_views.hpp"
#include "rollcall/store/pg_web_auth.hpp"
#include "rollcall/store/sql.hpp"
#include "rollcall/support/backoff.hpp"
#include "rollcall/support/errc.hpp"
#include "rollcall/support/logging.hpp"
#include "rollcall/support/metrics.hpp"
#include "rollcall/support/password_hasher.hpp"

namespace rollcall::app {

namespace net = boost::asio;
using namespace std::chrono_literals;

namespace {

class system_clock final : public ports::clock {
 public:
  std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::now(); }
};

std::chrono::seconds whole_seconds(std::chrono::milliseconds d) { return std::chrono::ceil<std::chrono::seconds>(d); }

// libpq echoes a malformed connection URL, password and all: never let it reach a log.
std::string redact(std::string message, const std::string& url) {
  message = message.substr(0, message.find('\n'));
  for (auto pos = message.find(url); !url.empty() && pos != std::string::npos; pos = message.find(url))
    message.replace(pos, url.size(), "<database.url>");
  return message;
}

// Long-lived loops register here so that shutdown can wake them and wait for them.
struct lifecycle {
  bool stopping = false;
  int running = 0;
  std::vector<net::steady_timer*> sleeping;
  bool database_down = false;  // a loop failed on an unreachable database; no loop has succeeded since

  void wake_all() {
    for (auto* t : sleeping) t->cancel();
  }
};

// How a loop can be woken before its interval is up: by a step that knows when its next work
// comes (`by`), or from outside (`now()`, say on a NOTIFY). All on the event loop.
struct loop_wake {
  std::optional<std::chrono::steady_clock::time_point> by;  // set by the step; the next sleep ends by then
  net::steady_timer* sleeping = nullptr;
  bool woken = false;  // now() came while the step ran: no sleep after it

  void now() {
    woken = true;
    if (sleeping) sleeping->cancel();
  }
};

long long whole_seconds_of(std::chrono::steady_clock::duration d) {
  return std::chrono::ceil<std::chrono::seconds>(d).count();
}

// Runs `step` every `interval()`; a step returning true has more work and runs again at once.
// A failing step is logged and tried again after a backoff (support::loop_backoff: 1 s,
// doubling to 30 s or the interval if longer), which the next success resets: one bad round
// never stops the loop, and an outage costs one log line per loop and backoff step. With `wake`,
// a successful step's sleep ends early at `wake->by` or on `wake->now()`.
net::awaitable<void> run_periodically(lifecycle& life, std::shared_ptr<spdlog::logger> log, std::string name,
                                      std::function<std::chrono::milliseconds()> interval,
                                      std::function<net::awaitable<bool>()> step, loop_wake* wake = nullptr) {
  ++life.running;
  net::steady_timer timer{co_await net::this_coro::executor};
  int failures = 0;
  auto failing_since = std::chrono::steady_clock::now();
  while (!life.stopping) {
    bool more = false, failed = false, database = false;
    std::string error;
    if (wake) {
      wake->woken = false;
      wake->by.reset();
    }
    try {
      more = co_await step();
    } catch (const store_unavailable& e) {
      error = support::loggable(e);
      failed = database = true;
    } catch (const std::exception& e) {
      error = support::loggable(e);
      failed = true;
    }
    const auto now = std::chrono::steady_clock::now();
    if (failed) {
      const auto wait = support::loop_backoff(++failures, interval());
      if (failures == 1) {
        failing_since = now;
        log->error("{}: {} (trying again in {} s)", name, error, whole_seconds_of(wait));
      } else {
        log->warn("{}: still failing ({} attempts in {} s): {} (trying again in {} s)", name, failures,
                  whole_seconds_of(now - failing_since), error, whole_seconds_of(wait));
      }
      if (database && !life.database_down) {
        life.database_down = true;
        log->error("database unreachable: work pauses, /readyz answers 503 until it returns");
      }
      timer.expires_after(wait);
    } else {
      if (life.database_down) {
        life.database_down = false;
        log->info("database reachable again");
      }
      if (failures > 0)
        log->info("{}: recovered after {} failed attempt(s) in {} s", name, failures,
                  whole_seconds_of(now - failing_since));
      failures = 0;
      timer.expires_after(interval());
      if (wake && wake->by && *wake->by < timer.expiry()) timer.expires_at(*wake->by);
      if (wake && wake->woken) more = true;
    }
    if (life.stopping) break;
    if (more && !failed) continue;
    life.sleeping.push_back(&timer);
    if (wake && !failed) wake->sleeping = &timer;
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    if (wake) wake->sleeping = nullptr;
    std::erase(life.sleeping, &timer);
  }
  --life.running;
}

auto log_completion(std::shared_ptr<spdlog::logger> log, std::string name) {
  return [log, name](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log->critical("{} stopped: {}", name, support::loggable(ex));
    }
  };
}

void write_port_file(const std::string& path, std::uint16_t port) {
  if (path.empty()) return;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
  }
  std::filesystem::rename(tmp, path);
}

std::vector<std::chrono::seconds> seconds_of(const std::vector<config::duration>& durations) {
  std::vector<std::chrono::seconds> out;
  for (auto d : durations) out.push_back(whole_seconds(d));
  return out;
}

// The reminder rules, templates and quiet hours as the composer takes them.
services::composer_settings composer_settings_of(const config::config& c) {
  services::composer_settings s;
  s.fallback.lead_times = seconds_of(c.planner.reminder_lead_times);
  s.fallback.channels = {"sms", "email"};
  for (const auto& r : c.reminder_rules) {
    domain::reminder_rule rule;
    rule.site_id = r.site;
    rule.level = r.level;
    rule.kind = r.kind;
    rule.lead_times = seconds_of(r.lead_times);
    rule.channels = r.channels;
    rule.template_set = r.templates;
    s.rules.push_back(std::move(rule));
  }
  s.quiet.enabled = c.quiet_hours.enabled;
  s.quiet.start = c.quiet_hours.start;
  s.quiet.end = c.quiet_hours.end;
  s.quiet.max_shift = whole_seconds(c.quiet_hours.max_shift);
  for (const auto& t : c.templates) s.templates.push_back({t.set, t.kind, t.channel, t.language, t.subject, t.body});
  return s;
}

std::chrono::seconds longest_lead(const services::composer_settings& s) {
  std::chrono::seconds longest{0};
  for (auto l : s.fallback.lead_times) longest = std::max(longest, l);
  for (const auto& r : s.rules)
    for (auto l : r.lead_times) longest = std::max(longest, l);
  return longest;
}

std::string status_callback_of(const config::config::provider_section& p) {
  if (p.public_url.empty()) return {};
  std::string url = p.public_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/hooks/";
  url += p.name;
  url += "/status";
  return url;
}

delivery::router_settings router_settings_of(const config::config& c) {
  delivery::router_settings s;
  for (const auto& p : config::effective_providers(c)) {
    delivery::routed_provider r;
    r.settings.name = p.name;
    r.settings.type = p.type;
    r.settings.url = p.url;
    r.settings.secret = p.secret;
    r.settings.account_sid = p.account_sid;
    r.settings.auth_token = p.auth_token;
    r.settings.from = p.from;
    r.settings.messaging_service_sid = p.messaging_service_sid;
    r.settings.api_key = p.api_key;
    r.settings.from_email = p.from_email;
    r.settings.from_name = p.from_name;
    r.settings.status_callback_url = p.type == "twilio" ? status_callback_of(p) : std::string{};
    r.settings.timeout = c.dispatcher.http_timeout;
    r.channels = p.channels;
    r.rate_limit = p.rate_limit;
    r.concurrency = p.concurrency;
    s.providers.push_back(std::move(r));
  }
  s.alert_secret = c.alerts.webhook_secret.empty() ? c.delivery.webhook_secret : c.alerts.webhook_secret;
  for (const auto& e : c.event_subscriptions) s.event_endpoints.push_back({e.name, e.secret});
  s.timeout = c.dispatcher.http_timeout;
  return s;
}

std::vector<store::event_subscription> event_subscriptions_of(const config::config& c) {
  std::vector<store::event_subscription> out;
  for (const auto& e : c.event_subscriptions) out.push_back({e.name, e.url, e.events});
  return out;
}

std::vector<http::hook_provider> hook_providers_of(const config::config& c) {
  std::vector<http::hook_provider> out;
  for (const auto& p : config::effective_providers(c))
    out.push_back({p.name, p.type, p.auth_token, p.secret, p.public_url});
  return out;
}

// The API's TLS context from the [server] files (none when TLS is off), read afresh on every
// call. An unreadable or unusable file is a config error naming its key (exit 78 at start).
std::optional<http::server_tls> load_api_tls(const config::config& c, const options& opts) {
  if (c.server.tls_certificate.empty()) return std::nullopt;
  try {
    return http::load_server_tls(c.server.tls_certificate, c.server.tls_private_key);
  } catch (const http::tls_file_error& e) {
    std::string message = opts.config_file ? opts.config_file->string() : std::string{"defaults"};
    message += ": key '";
    message += e.file() == http::tls_file_error::which::certificate_chain ? "server.tls_certificate"
                                                                          : "server.tls_private_key";
    message += "': ";
    message += e.what();
    throw config::config_error(message);
  }
}

void log_api_tls(spdlog::logger& log, const http::server_tls& tls, const char* prefix) {
  const auto& cert = tls.certificate;
  log.info("{}TLS certificate {} (serial {}) valid until {}", prefix, cert.subject, cert.serial, cert.not_after);
  if (cert.expired) log.warn("{}the TLS certificate expired on {}: clients will refuse it", prefix, cert.not_after);
}

// rollcalld --preview SITE FROM TO: one JSON object a line on stdout; exit 0, or 2 with the
// reason on stderr.
int print_preview(const options& opts, const config::config& cfg, const std::string& db_url) {
  net::io_context io{1};
  store::db_pool pool{db_url, 1, store::sql::prepare_all};
  store::pg_store store{pool};
  system_clock clock;
  services::composer composer;
  composer.set_settings(composer_settings_of(cfg));
  services::previewer previewer{store, composer, clock};
  auto result =
      net::co_spawn(io, previewer.preview(*opts.preview_site, opts.preview_from, opts.preview_to), net::use_future);
  io.run();
  auto items = result.get();
  if (!items) {
    for (const auto& f : items.error().fields) std::cerr << "rollcalld: " << f.field << ": " << f.message << "\n";
    return 2;
  }
  for (const auto& p : *items) std::cout << boost::json::serialize(services::to_json(p)) << "\n";
  return 0;
}

}  // namespace

int run(const options& opts) {
  auto cfg = config::load(opts.config_file);
  auto api_tls = load_api_tls(cfg, opts);
  if (opts.check_config) {
    std::cout << "configuration OK" << (opts.config_file ? ": " + opts.config_file->string() : std::string{}) << "\n";
    return 0;
  }
  // A usage error of the token command is told before any database work.
  std::optional<token_command> token_cmd;
  if (opts.token_args) {
    std::string error;
    token_cmd = parse_token_command(*opts.token_args, error);
    if (!token_cmd) {
      std::cerr << "rollcalld: " << error << "\n" << token_usage();
      return 2;
    }
  }
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  auto log = support::make_logger(cfg.log.level, cfg.log.format);
  spdlog::set_default_logger(log);

  std::unique_ptr<embedded_postgres> embedded;
  std::string db_url = cfg.database.url;
  if (db_url.empty()) {
    embedded = std::make_unique<embedded_postgres>(cfg.state_dir, cfg.database.embedded_user,
                                                   cfg.database.postgres_bin_dir, log);
    db_url = embedded->start();
    // A one-off command must not stop the cluster of a rollcalld that is running.
    if ((opts.migrate_only || opts.preview_site || opts.import_kind || token_cmd) && embedded->adopted())
      embedded->release();
  }

  // libpq waits for ever on an unreachable server unless told otherwise.
  setenv("PGCONNECT_TIMEOUT", "10", 0);
  try {
    pqxx::connection conn{db_url};
    if (opts.preview_site || opts.import_kind || token_cmd) {
      // A one-off command (preview reads, import and token write rows): it must not migrate a schema a running
      // daemon depends on.
      int latest = 0;
      for (const auto& m : store::embedded_migrations()) latest = std::max(latest, m.version);
      if (store::applied_version(conn) != latest) {
        std::cerr << "rollcalld: the database schema is not at version " << latest
                  << " (start rollcalld or run --migrate-only first)\n";
        return 2;
      }
    } else {
      // Migrations run on a connection of their own, before any statement is prepared.
      const int applied = store::apply_migrations(conn);
      log->info("database: {} migration(s) applied, schema version {}", applied, store::applied_version(conn));
    }
  } catch (const pqxx::broken_connection& e) {
    throw std::runtime_error("cannot connect to the database: " + redact(e.what(), db_url));
  }
  if (opts.migrate_only) return 0;
  if (opts.preview_site) return print_preview(opts, cfg, db_url);
  if (opts.import_kind) return run_import_command(opts, cfg, db_url);
  if (token_cmd) return run_token_command(*token_cmd, db_url);

  // Declared before the pool, so that it outlives it: work still queued on the pool at
  // shutdown owns coroutine frames whose sockets and timers belong to this io_context.
  net::io_context io{1};
  store::event_subscriptions events;  // read by transactions on the pool's threads: it outlives the pool too
  store::db_pool pool{db_url, cfg.database.pool_size, store::sql::prepare_all};
  // Sign-in's argon2id verifies: one thread of their own, at most 16 waiting (then 503), so a
  // flood of sign-ins holds neither database connections nor unbounded memory.
  support::password_hasher hasher{1, 16};
  system_clock clock;
  store::pg_store store{pool, events};
  store::pg_care_store care{pool, events};
  store::pg_directory directory{pool};
  auto tls = delivery::make_client_tls_context(cfg.delivery.ca_file);
  delivery::http_client client{io.get_executor(), tls};
  delivery::provider_router sender{client, clock};
  services::composer composer;
  services::planner planner{store, composer, clock};
  services::dispatcher dispatcher{store, sender};
  store::pg_alert_store alert_store{pool, events};
  services::attendance_watch watch{alert_store, clock};
  std::chrono::seconds roster_grace{0};
  bool allow_http = cfg.delivery.allow_http;
  auto care_defaults = cfg.care;

  http::router routes;
  services::session_changes session_changes{store, composer, clock};
  services::previewer previewer{store, composer, clock};
  store::pg_view_store views{pool, events};
  http::register_api_routes(routes, http::api_deps{store, care, session_changes, previewer, store, store, clock,
                                                   &allow_http, &care_defaults, views});
  store::pg_feed_store feeds{pool};
  http::register_feed_routes(routes, http::feed_deps{feeds, clock});
  store::pg_report_store reports{pool};
  http::register_report_routes(routes, http::report_deps{reports, care, clock});
  http::register_view_routes(routes, http::views_deps{views, alert_store, store, care, reports, &roster_grace, clock});
  phone::gawk_phone_normalizer phones;
  store::pg_import_store import_store{pool, events};
  services::importer importer{import_store, phones};
  http::register_import_routes(routes, importer);
  http::register_directory_routes(routes, http::directory_deps{directory, directory, directory, &allow_http, views});
  store::pg_messaging_store messaging{pool, events};
  services::inbound_service inbound{messaging, composer, clock};
  auto hook_providers = hook_providers_of(cfg);
  http::register_messaging_routes(routes, http::messaging_deps{messaging, inbound, &hook_providers, clock});
  http::register_alert_routes(routes, http::alerts_deps{alert_store, clock});
  store::pg_web_auth_store web_auth{pool};
  http::web_session_settings web_settings;
  http::register_web_auth_routes(routes, http::web_auth_deps{web_auth, hasher, &web_settings});
  http::register_web_routes(routes);
  support::metrics metrics{ROLLCALL_VERSION};
  store::pg_metrics_store metrics_store{pool};
  http::register_metrics_route(
      routes,
      http::metrics_deps{
          metrics, [&] { return store.ready(); }, [&] { return metrics_store.snapshot(); },
          [&] {
            const int open = pool.open();
            const int in_use = pool.in_use();
            // Read one after the other: a connection opening between them must not
            // make idle negative.
            return support::pool_snapshot{pool.size(), in_use, std::max(0, open - in_use), pool.connection_errors()};
          }});
  dispatcher.set_observer([&metrics](const ports::claimed_message& m, ports::delivery_record::next outcome,
                                     std::chrono::milliseconds since_due) {
    using next = ports::delivery_record::next;
    const auto result = outcome == next::delivered ? support::metrics::attempt_result::accepted
                        : outcome == next::retry   ? support::metrics::attempt_result::retry
                                                   : support::metrics::attempt_result::failed;
    metrics.delivery_attempt(m.channel, result, m.attempts, since_due);
  });
  for (const auto& r : routes.routes())  // tests/integration/openapi_test.cpp reads these
    log->debug("route: {} {} ({})", std::string{http::beast_http::to_string(r.verb)}, r.pattern,
               r.needs_auth ? "token" : "no token");
  http::server server{io, routes, log, &metrics};
  server.set_session_store(&web_auth);
  if (api_tls) {
    server.set_tls(api_tls->context);
    log_api_tls(*log, *api_tls, "");
  }
  server.set_access_audit(&directory);
  server.set_view_store(&views);

  store::pg_api_token_store api_tokens{pool};
  server.set_token_store(&api_tokens);

  auto apply = [&](const config::config& c) {
    log->set_level(spdlog::level::from_str(c.log.level));
    // Over HTTPS-only, a cookie is always Secure: no browser can reach this listener over HTTP.
    const bool cookie_secure = c.web.cookie_secure || !c.server.tls_certificate.empty();
    web_settings = {whole_seconds(c.web.session_idle), whole_seconds(c.web.session_max), cookie_secure};
    server.set_settings({c.server.body_limit, c.server.request_timeout, web_settings, c.api.auth_failure_limit,
                         whole_seconds(c.api.auth_failure_window)});
    auto messaging_settings = composer_settings_of(c);
    planner.set_settings({c.planner.horizon, longest_lead(messaging_settings)});
    composer.set_settings(std::move(messaging_settings));
    sender.set_settings(router_settings_of(c));
    events.set(event_subscriptions_of(c));
    hook_providers = hook_providers_of(c);
    services::dispatcher_settings ds;
    ds.batch_size = c.dispatcher.batch_size;
    ds.concurrency = c.dispatcher.concurrency;
    ds.lease = c.dispatcher.lease;
    ds.max_attempts = c.dispatcher.max_attempts;
    ds.max_age = c.dispatcher.max_age;
    ds.provider_configured = sender.has_providers();
    ds.http_timeout = c.dispatcher.http_timeout;
    ds.refill_after = c.dispatcher.interval;
    ds.quiet = composer.quiet_hours();
    dispatcher.set_settings(ds);
    roster_grace = whole_seconds(c.attendance.grace);
    services::attendance_watch_settings ws;
    ws.absent_after = whole_seconds(c.attendance.absent_after);
    ws.escalate_after = whole_seconds(c.alerts.escalate_after);
    ws.rules.consecutive_misses = c.alerts.consecutive_misses;
    ws.rules.min_rate = c.alerts.min_attendance_percent / 100.0;
    ws.rules.rate_window = std::chrono::ceil<std::chrono::days>(c.alerts.rate_window);
    ws.rules.rate_min_sessions = c.alerts.rate_min_sessions;
    ws.rules.hours_at_risk = c.alerts.hours_at_risk;
    watch.set_settings(ws);
    inbound.set_checkin(c.attendance.sms_checkin, whole_seconds(c.attendance.checkin_before),
                        whole_seconds(c.attendance.checkin_after));
    allow_http = c.delivery.allow_http;
    care_defaults = c.care;
    importer.set_settings({c.imports.default_region, c.delivery.allow_http});
  };
  apply(cfg);
  if (config::effective_providers(cfg).empty())
    log->warn("no provider is configured ([[providers]] or delivery.webhook_url): messages wait in the outbox");
  for (const auto& w : cfg.warnings) log->warn("config: {}", w);
  if (router_settings_of(cfg).alert_secret.empty())
    log->warn(
        "neither alerts.webhook_secret nor delivery.webhook_secret is set: alerts to staff alert webhooks cannot be "
        "signed and are dead-lettered (staff without one get alerts by SMS or email)");

  const auto port = server.listen(cfg.server.address, cfg.server.port);
  write_port_file(cfg.server.port_file, port);
  log->info("listening on {}:{} ({})", cfg.server.address, port, api_tls ? "HTTPS only" : "plain HTTP");

  lifecycle life;
  net::co_spawn(io, server.accept_connections(), log_completion(log, "listener"));
  net::co_spawn(io,
                run_periodically(
                    life, log, "planner", [&] { return cfg.planner.interval; },
                    [&]() -> net::awaitable<bool> {
                      auto s = co_await planner.plan_once();
                      if (s.sessions_added || s.reminders_planned)
                        log->info("planner: {} session(s) added, {} reminder(s) planned", s.sessions_added,
                                  s.reminders_planned);
                      if (s.groups_skipped)
                        log->error("planner: {} group(s) skipped: stored recurrence unreadable", s.groups_skipped);
                      co_return false;
                    }),
                log_completion(log, "planner"));
  // The dispatcher sleeps until the next message comes due (as the outbox has it after each
  // round), its interval at most, and wakes at once when a message is queued (NOTIFY).
  loop_wake dispatcher_wake;
  int unclaimable_rounds = 0;
  store::pg_listener outbox_listener{
      io.get_executor(), db_url, "rollcall_outbox",
      [&] {
        dispatcher.messages_queued();
        dispatcher_wake.now();
      },
      [&](bool listening, const std::string& detail) {
        if (listening)
          log->info("dispatcher: listening for queued messages again");
        else
          log->warn(
              "dispatcher: not listening for queued messages ({}); it looks every dispatcher.interval until "
              "it is",
              redact(detail, db_url));
      }};
  net::co_spawn(
      io,
      [&]() -> net::awaitable<void> {
        ++life.running;
        co_await outbox_listener.run();
        --life.running;
      },
      log_completion(log, "outbox listener"));
  net::co_spawn(io,
                run_periodically(
                    life, log, "dispatcher", [&] { return cfg.dispatcher.interval; },
                    [&]() -> net::awaitable<bool> {
                      auto s = co_await dispatcher.dispatch_once();
                      if (s.next_due) {
                        // Due already yet nothing claimed: another transaction holds it for now
                        // (SKIP LOCKED). Look again soon, backing off from 5 ms, not in a tight loop.
                        const bool held = s.claimed == 0 && *s.next_due <= 0ms;
                        unclaimable_rounds = held ? std::min(unclaimable_rounds + 1, 10) : 0;
                        dispatcher_wake.by =
                            std::chrono::steady_clock::now() +
                            (held ? 5ms * (1 << (unclaimable_rounds - 1)) : std::max(*s.next_due, 5ms));
                      }
                      if (s.claimed)
                        log->info("dispatcher: {} claimed, {} delivered, {} to retry, {} dead-lettered, {} deferred",
                                  s.claimed, s.delivered, s.retried, s.failed, s.deferred);
                      if (s.lost)
                        log->warn(
                            "dispatcher: {} result(s) not recorded: the lease expired and another claim took "
                            "over (raise dispatcher.lease)",
                            s.lost);
                      co_return s.claimed >= cfg.dispatcher.batch_size;
                    },
                    &dispatcher_wake),
                log_completion(log, "dispatcher"));
  net::co_spawn(io,
                run_periodically(
                    life, log, "attendance watch", [&] { return cfg.attendance.sweep_interval; },
                    [&]() -> net::awaitable<bool> {
                      const auto r = co_await watch.run_once();
                      if (r.closed.sessions || r.escalated)
                        log->info(
                            "attendance watch: {} session(s) closed, {} absence(s) recorded, {} alert(s) "
                            "re-sent",
                            r.closed.sessions, r.closed.absences, r.escalated);
                      if (r.clients_checked)
                        log->debug("attendance watch: rules run for {} client(s)", r.clients_checked);
                      co_return r.more;
                    }),
                log_completion(log, "attendance watch"));

  // Watchdog pings come from the event loop itself, so a stuck loop stops them.
  std::uint64_t watchdog_usec = 0;
  if (sd_watchdog_enabled(0, &watchdog_usec) > 0) {
    net::co_spawn(
        io,
        [&]() -> net::awaitable<void> {
          net::steady_timer t{io};
          while (!life.stopping) {
            sd_notify(0, "WATCHDOG=1");
            t.expires_after(std::chrono::microseconds{watchdog_usec / 2});
            co_await t.async_wait(net::as_tuple(net::use_awaitable));
          }
        },
        log_completion(log, "watchdog"));
  }

  net::signal_set signals{io, SIGINT, SIGTERM, SIGHUP};
  const auto drain_deadline = cfg.dispatcher.http_timeout + 5s;
  net::co_spawn(
      io,
      [&]() -> net::awaitable<void> {
        for (;;) {
          auto [ec, sig] = co_await signals.async_wait(net::as_tuple(net::use_awaitable));
          if (ec) co_return;
          if (sig == SIGHUP) {
            sd_notify(0, "RELOADING=1");
            try {
              auto next = config::load(opts.config_file);
              // The certificate files (at the running paths) are re-read first: a renewal that
              // cannot be loaded fails the whole reload and the old certificate keeps serving.
              auto renewed_tls = load_api_tls(cfg, opts);
              for (const auto& key : config::changed_restart_keys(cfg, next))
                log->warn("reload: '{}' changed; it takes effect after a restart", key);
              cfg.server.request_timeout = next.server.request_timeout;
              cfg.planner = next.planner;
              cfg.dispatcher = next.dispatcher;
              cfg.attendance = next.attendance;
              cfg.delivery = next.delivery;
              cfg.alerts = next.alerts;
              cfg.api = next.api;
              cfg.web = next.web;
              cfg.log = next.log;
              cfg.imports = next.imports;
              cfg.providers = next.providers;
              cfg.reminder_rules = next.reminder_rules;
              cfg.quiet_hours = next.quiet_hours;
              cfg.templates = next.templates;
              cfg.event_subscriptions = next.event_subscriptions;
              cfg.warnings = next.warnings;
              for (const auto& warning : next.warnings) log->warn("reload: {}", warning);
              apply(cfg);
              if (renewed_tls) {
                server.set_tls(renewed_tls->context);
                log_api_tls(*log, *renewed_tls, "reload: ");
              }
              log->info("reload: configuration reloaded");
            } catch (const std::exception& e) {
              log->error("reload: kept the running configuration: {}", e.what());
            }
            sd_notify(0, "READY=1");
            continue;
          }
          log->info("signal {}: stopping (draining for up to {} s)", sig,
                    std::chrono::duration_cast<std::chrono::seconds>(drain_deadline).count());
          sd_notify(0, "STOPPING=1");
          life.stopping = true;
          dispatcher.stop_refills();
          outbox_listener.stop();
          server.stop();
          life.wake_all();
          net::steady_timer t{io};
          const auto deadline = std::chrono::steady_clock::now() + drain_deadline;
          while (life.running > 0 && std::chrono::steady_clock::now() < deadline) {
            t.expires_after(20ms);
            co_await t.async_wait(net::as_tuple(net::use_awaitable));
          }
          if (life.running > 0) log->warn("stopping with {} task(s) still busy", life.running);
          io.stop();
          co_return;
        }
      },
      log_completion(log, "signals"));

  sd_notify(0, "READY=1");
  log->info("rollcalld ready");
  io.run();
  hasher.stop();
  pool.stop();
  if (embedded) embedded->stop();
  log->info("rollcalld stopped");
  return 0;
}

}  // namespace rollcall::app
