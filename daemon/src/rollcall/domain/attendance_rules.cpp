#include "rollcall/domain/attendance_rules.hpp"

#include <algorithm>

#include "rollcall/domain/care.hpp"

namespace rollcall::domain {

namespace {

using std::chrono::sys_seconds;

std::string key(std::string_view rule, std::int64_t client, const std::string& what) {
  std::string k{rule};
  k += ':';
  k += std::to_string(client);
  k += ':';
  k += what;
  return k;
}

// Closed, held and marked: the sessions a streak or a rate is counted over, oldest first.
std::vector<const client_session*> concluded(const client_rule_input& in) {
  std::vector<const client_session*> out;
  for (const auto& s : in.sessions)
    if (s.closed && !s.cancelled && s.status) out.push_back(&s);
  std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
    return a->starts_at != b->starts_at ? a->starts_at < b->starts_at : a->session_id < b->session_id;
  });
  return out;
}

void missed_sessions(const client_rule_input& in, const attendance_rule_settings& s, sys_seconds now,
                     std::vector<rule_hit>& out) {
  for (const auto& c : in.sessions) {
    if (!c.closed || c.cancelled || c.status != attendance_status::absent) continue;
    if (c.ends_at < now - s.missed_lookback) continue;
    rule_hit h;
    h.kind = rule_kind::missed_session;
    h.dedupe_key = key("missed_session", in.client_id, std::to_string(c.session_id));
    h.session_id = c.session_id;
    h.session_start = c.starts_at;
    out.push_back(std::move(h));
  }
}

void consecutive_misses(const client_rule_input& in, const std::vector<const client_session*>& done,
                        const attendance_rule_settings& s, std::vector<rule_hit>& out) {
  if (s.consecutive_misses <= 0) return;
  int streak = 0;
  const client_session* first = nullptr;
  const client_session* last = nullptr;
  const client_session* broken_by = nullptr;  // the attended session before the streak
  for (auto it = done.rbegin(); it != done.rend(); ++it) {
    const auto status = *(*it)->status;
    if (status == attendance_status::excused) continue;  // neither breaks nor extends it
    if (status != attendance_status::absent) {
      broken_by = *it;
      break;
    }
    ++streak;
    first = *it;
    if (!last) last = *it;
  }
  if (streak < s.consecutive_misses) return;
  // This streak was alerted about already (the alert came after the client last attended).
  if (in.last_streak_alert && (!broken_by || *in.last_streak_alert > broken_by->starts_at)) return;
  rule_hit h;
  h.kind = rule_kind::consecutive_misses;
  // Keyed on the streak's first miss: a longer streak is the same one.
  h.dedupe_key = key("consecutive_misses", in.client_id, std::to_string(first->session_id));
  h.session_id = last->session_id;
  h.session_start = last->starts_at;
  h.streak = streak;
  out.push_back(std::move(h));
}

void low_attendance(const client_rule_input& in, const std::vector<const client_session*>& done,
                    const attendance_rule_settings& s, sys_seconds now, std::vector<rule_hit>& out) {
  if (s.min_rate <= 0 || done.empty()) return;
  if (in.last_low_rate_alert && *in.last_low_rate_alert > now - s.rate_window) return;  // once per window
  int counted = 0, attended_count = 0;
  const client_session* latest = nullptr;
  for (const auto* c : done) {
    if (c->starts_at < now - s.rate_window || !counts_for_rate(*c->status)) continue;
    ++counted;
    if (attended(*c->status)) ++attended_count;
    latest = c;
  }
  if (!latest || counted < std::max(s.rate_min_sessions, 1)) return;
  const double rate = static_cast<double>(attended_count) / counted;
  if (rate >= s.min_rate) return;
  rule_hit h;
  h.kind = rule_kind::low_attendance;
  h.dedupe_key = key("low_attendance", in.client_id, std::to_string(latest->session_id));
  h.session_id = latest->session_id;
  h.session_start = latest->starts_at;
  h.attended = attended_count;
  h.counted = counted;
  h.rate = rate;
  out.push_back(std::move(h));
}

void hours_at_risk(const client_rule_input& in, sys_seconds now, std::vector<rule_hit>& out) {
  if (in.weekly_hours_required <= 0 || !in.zone) return;
  const auto today = date::floor<date::days>(in.zone->to_local(now));
  const auto week = iso_week_of(today);
  if (in.episode_start > week.monday) return;  // a partial first week
  const auto begin = in.zone->to_sys(date::local_seconds{week.monday}, date::choose::earliest);
  const auto end = in.zone->to_sys(date::local_seconds{week.monday + date::days{7}}, date::choose::earliest);
  long attended_min = 0, remaining_min = 0;
  for (const auto& c : in.sessions) {
    if (c.cancelled || c.starts_at < begin || c.starts_at >= end) continue;
    const int length =
        static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(c.ends_at - c.starts_at).count());
    if (c.ends_at <= now) {
      // Over: what the mark says; unmarked and closed is nothing, unmarked and open may still be marked.
      if (c.status)
        attended_min += attended_minutes(*c.status, c.minutes, length);
      else if (!c.closed)
        remaining_min += length;
    } else {
      remaining_min += c.status ? attended_minutes(*c.status, c.minutes, length) : length;
    }
  }
  const double required_min = in.weekly_hours_required * 60.0;
  if (static_cast<double>(attended_min + remaining_min) + 1e-9 >= required_min) return;
  rule_hit h;
  h.kind = rule_kind::hours_at_risk;
  h.week = week.label();
  h.dedupe_key = key("hours_at_risk", in.client_id, h.week);
  h.attended_hours = attended_min / 60.0;
  h.remaining_hours = remaining_min / 60.0;
  h.required_hours = in.weekly_hours_required;
  out.push_back(std::move(h));
}

}  // namespace

std::string_view to_string(rule_kind k) {
  switch (k) {
    case rule_kind::missed_session:
      return "missed_session";
    case rule_kind::consecutive_misses:
      return "consecutive_misses";
    case rule_kind::low_attendance:
      return "low_attendance";
    case rule_kind::hours_at_risk:
      return "hours_at_risk";
  }
  return "missed_session";
}

std::vector<rule_hit> evaluate_attendance_rules(const client_rule_input& in, const attendance_rule_settings& s,
                                                sys_seconds now) {
  std::vector<rule_hit> out;
  missed_sessions(in, s, now, out);
  const auto done = concluded(in);
  consecutive_misses(in, done, s, out);
  low_attendance(in, done, s, now, out);
  if (s.hours_at_risk) hours_at_risk(in, now, out);
  return out;
}

}  // namespace rollcall::domain
