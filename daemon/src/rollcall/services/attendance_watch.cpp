#include "rollcall/services/attendance_watch.hpp"

#include <algorithm>
#include <exception>

#include "rollcall/services/staff_alerts.hpp"

namespace rollcall::services {

ports::task<watch_round> attendance_watch::run_once() {
  const auto settings = std::atomic_load(&settings_);
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  watch_round out;
  const ports::digest_maker digest = [now](const ports::closed_session& s) { return digest_messages(s, now); };
  // Each step runs even when an earlier one failed (a bad row must not stop the others); the
  // first failure is rethrown at the end, for the log.
  std::exception_ptr failed;
  try {
    out.closed = co_await store_.close_sessions(now, settings->absent_after, settings->batch, digest);
  } catch (const std::exception&) {
    failed = std::current_exception();
  }

  // Far enough back for a streak across weekly sessions, the rate's window and missed alerts.
  const auto lookback = std::max({settings->rules.rate_window, settings->rules.missed_lookback, std::chrono::days{28}});
  const ports::rules_maker rules = [settings](const ports::client_rule_context& c, ports::sys_seconds at) {
    return rule_alerts(c, settings->rules, at);
  };
  try {
    co_await store_.queue_week_start(now);
    out.clients_checked = co_await store_.check_rules(now, lookback, settings->batch, rules);
  } catch (const std::exception&) {
    if (!failed) failed = std::current_exception();
  }

  if (settings->escalate_after.count() > 0) {
    const ports::escalation_maker escalate = [now](const ports::alert_record& a, const ports::staff& to, int step) {
      return escalation_message(a, to, step, now);
    };
    try {
      out.escalated = co_await store_.escalate_due(now, settings->escalate_after, settings->batch, escalate);
    } catch (const std::exception&) {
      if (!failed) failed = std::current_exception();
    }
  }
  if (failed) std::rethrow_exception(failed);
  out.more = out.closed.sessions >= settings->batch || out.clients_checked >= settings->batch ||
             out.escalated >= settings->batch;
  co_return out;
}

}  // namespace rollcall::services
