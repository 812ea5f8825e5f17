#include "rollcall/store/pg_views.hpp"

#include <date/date.h>
#include <pqxx/pqxx>

#include "rollcall/store/pg_audit.hpp"
#include "rollcall/store/pg_rows.hpp"
#include "rollcall/store/sql.hpp"
#include "rollcall/store/sql_alerts.hpp"
#include "rollcall/store/sql_events.hpp"
#include "rollcall/store/sql_views.hpp"

namespace rollcall::store {

using namespace ports;

namespace {

std::optional<sys_seconds> optional_time(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return from_epoch(f.as<long long>());
}

std::optional<std::string> optional_text(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}

// Columns of sql_views.cpp's overview_session_cols, then the reply (or NULL).
overview_session read_overview_session(const pqxx::row& r) {
  overview_session s;
  s.session_id = r[0].as<id_t>();
  s.group_id = r[1].as<id_t>();
  s.site_id = r[2].as<id_t>();
  s.group_name = r[3].as<std::string>();
  s.local_date = r[4].as<std::string>();
  s.starts_at = from_epoch(r[5].as<long long>());
  s.ends_at = from_epoch(r[6].as<long long>());
  s.cancelled = r[7].as<bool>();
  s.reply = optional_text(r[8]);
  return s;
}

day_session read_day_session(const pqxx::row& r) {
  day_session s;
  s.session_id = r[0].as<id_t>();
  s.group_id = r[1].as<id_t>();
  s.group_name = r[2].as<std::string>();
  s.group_kind = r[3].as<std::string>();
  s.slot = r[4].as<std::string>();
  s.starts_at = from_epoch(r[5].as<long long>());
  s.ends_at = from_epoch(r[6].as<long long>());
  s.local_start = r[7].as<std::string>();
  s.local_end = r[8].as<std::string>();
  s.room = r[9].as<std::string>();
  s.cancelled = r[10].as<bool>();
  int* counts[] = {&s.expected, &s.present,  &s.late,      &s.left_early, &s.absent,
                   &s.excused,  &s.unmarked, &s.confirmed, &s.declined};
  for (int i = 0; i < 9; ++i) *counts[i] = r[11 + i].as<int>();
  return s;
}

// A 409 whose detail is what staff read on the page ("Not saved: ...").
rejection refuse(std::string detail) { return rejection{errc::conflict, {}, std::move(detail), {}}; }

// attendance.undone: the mark `removed` no longer counts; `current` is the client's mark that
// counts now (none: unmarked). Ids and record fields only, as every event.
void queue_undo_event(pqxx::work& tx, const event_subscriptions& events, const attendance_mark& removed,
                      const std::optional<std::string>& current, const std::optional<std::string>& external_id) {
  if (!events.wants("attendance.undone")) return;
  const boost::json::object data{
      {"mark_id", removed.id},          {"session_id", removed.session_id},
      {"client_id", removed.client_id}, {"external_id", external_id ? boost::json::value(*external_id) : nullptr},
      {"status", removed.status},       {"current_status", current ? boost::json::value(*current) : nullptr}};
  queue_event(tx, events, "attendance.undone", std::to_string(removed.id), data);
}

}  // namespace

task<result<site_day>> pg_view_store::site_day_of(id_t site_id, const std::string& date, sys_seconds now) {
  auto work = [site_id, date, now](pqxx::connection& c) -> result<site_day> {
    pqxx::read_transaction tx{c};
    const auto site = tx.exec_prepared(sql::view_site_day, site_id, date, epoch(now));
    if (site.empty()) return errc::not_found;
    site_day out;
    out.site_id = site_id;
    out.site_name = site[0][1].as<std::string>();
    out.time_zone = site[0][2].as<std::string>();
    out.date = site[0][3].as<std::string>();
    for (const auto& r : tx.exec_prepared(sql::view_day_sessions, site_id, out.date))
      out.sessions.push_back(read_day_session(r));
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<undone_mark>> pg_view_store::undo_mark(id_t session_id, id_t client_id, std::optional<id_t> mark_id,
                                                    const std::string& actor) {
  auto work = [session_id, client_id, mark_id, actor, &events = events_](pqxx::connection& c) -> outcome<undone_mark> {
    pqxx::work tx{c};
    // FOR SHARE of the session, as a new mark takes it: the close of its attendance waits.
    const auto s = tx.exec_prepared(sql::lock_session_for_mark, session_id, client_id);
    if (s.empty()) return reject(errc::not_found, "session_id", "no such session");
    // The no-show sweep looks only at open sessions: an undo now would leave no mark for good.
    if (tx.exec_prepared1(sql::view_attendance_closed, session_id)[0].as<bool>())
      return refuse("the session's attendance is closed; enter a correction (a new mark) instead");
    // Marks of this client at this session one at a time (as a new mark does): what the latest
    // mark is cannot change under us.
    tx.exec_prepared(sql::lock_client_marks, session_id, client_id);
    const auto latest = tx.exec_prepared(sql::view_latest_mark, session_id, client_id);
    if (latest.empty()) {
      if (!s[0][2].as<bool>())
        return reject(errc::invalid_input, "client_id", "the client is not on this session's roster");
      return reject(errc::conflict, "client_id", "the client has no mark to undo");
    }
    const auto& r = latest[0];
    attendance_mark removed{r[0].as<id_t>(),
                            session_id,
                            client_id,
                            r[1].as<std::string>(),
                            r[2].as<std::string>(),
                            r[3].as<std::string>(),
                            from_epoch(r[4].as<long long>()),
                            std::nullopt,
                            r[6].as<std::string>()};
    if (!r[5].is_null()) removed.minutes = r[5].as<int>();
    if (mark_id && *mark_id != removed.id) return refuse("the mark changed; reload");
    if (removed.source != "staff") {
      std::string message = "the latest mark was not made by staff (source ";
      message += removed.source;
      message += ")";
      return reject(errc::conflict, "client_id", std::move(message));
    }
    const auto before = snapshot(tx, sql::snapshot_mark, removed.id);
    const auto external = tx.exec_prepared(sql::event_mark, removed.id);
    // Another undo may have taken it meanwhile: then this one did nothing and says so.
    if (tx.exec_prepared(sql::view_delete_mark, removed.id).affected_rows() != 1)
      return refuse("the mark changed; reload");
    audit_change(tx, actor, "attendance.undo", "attendance", sql::snapshot_mark, removed.id, before,
                 {{"session_id", session_id}, {"client_id", client_id}});
    const auto now_latest = tx.exec_prepared(sql::view_latest_mark, session_id, client_id);
    std::optional<std::string> current;
    if (!now_latest.empty()) current = now_latest[0][1].as<std::string>();
    std::optional<std::string> external_id;
    if (!external.empty()) external_id = optional_text(external[0][3]);
    queue_undo_event(tx, events, removed, current, external_id);
    tx.exec_prepared(sql::queue_rule_check, client_id);  // the escalation rules look again
    tx.commit();
    return undone_mark{std::move(removed)};
  };
  co_return co_await pool_.run(work);
}

task<result<client_overview>> pg_view_store::client_overview_of(id_t client_id, sys_seconds now) {
  auto work = [client_id, now](pqxx::connection& c) -> result<client_overview> {
    pqxx::read_transaction tx{c};
    const auto cr = tx.exec_prepared(sql::view_client, client_id);
    if (cr.empty()) return errc::not_found;
    client_overview out;
    out.client = {cr[0][0].as<id_t>(), cr[0][1].as<std::string>(), cr[0][2].as<std::string>(),
                  cr[0][3].as<std::string>()};
    out.sms = {cr[0][4].as<bool>(), optional_time(cr[0][6])};
    out.email = {cr[0][5].as<bool>(), optional_time(cr[0][7])};
    for (const auto& r : tx.exec_prepared(sql::view_client_sites, client_id))
      out.sites.push_back({r[0].as<id_t>(), r[1].as<std::string>()});
    for (const auto& r : tx.exec_prepared(sql::view_client_upcoming, client_id, epoch(now)))
      out.upcoming.push_back(read_overview_session(r));
    for (const auto& r : tx.exec_prepared(sql::view_client_attendance, client_id, epoch(now))) {
      overview_attendance a;
      a.session_id = r[0].as<id_t>();
      a.site_id = r[9].as<id_t>();
      a.group_name = r[1].as<std::string>();
      a.local_date = r[2].as<std::string>();
      a.starts_at = from_epoch(r[3].as<long long>());
      a.status = r[4].as<std::string>();
      if (!r[5].is_null()) a.minutes = r[5].as<int>();
      a.marked_by = r[6].as<std::string>();
      a.marked_at = from_epoch(r[7].as<long long>());
      a.source = r[8].as<std::string>();
      out.attendance.push_back(std::move(a));
    }
    for (const auto& r : tx.exec_prepared(sql::view_client_messages, client_id)) {
      overview_message m;
      m.id = r[0].as<id_t>();
      m.kind = r[1].as<std::string>();
      m.channel = r[2].as<std::string>();
      m.status = r[3].as<std::string>();
      m.text = r[4].as<std::string>();
      m.due_at = from_epoch(r[5].as<long long>());
      m.delivered_at = optional_time(r[6]);
      m.attempts = r[7].as<int>();
      out.messages.push_back(std::move(m));
    }
    for (const auto& r : tx.exec_prepared(sql::view_client_family, client_id))
      out.family_contacts.push_back(
          {r[0].as<id_t>(), r[1].as<std::string>(), r[2].as<bool>(), r[3].as<std::string>(), optional_time(r[4])});
    return out;
  };
  co_return co_await pool_.run(work);
}

task<result<group_overview>> pg_view_store::group_overview_of(id_t group_id, sys_seconds now) {
  auto work = [group_id, now](pqxx::connection& c) -> result<group_overview> {
    pqxx::read_transaction tx{c};
    const auto g = tx.exec_prepared(sql::view_group, group_id);
    if (g.empty()) return errc::not_found;
    group_overview out;
    out.site_id = g[0][0].as<id_t>();
    out.site_name = g[0][1].as<std::string>();
    for (const auto& r : tx.exec_prepared(sql::view_group_members, group_id, epoch(now))) {
      group_member m{r[0].as<id_t>(),        r[1].as<std::string>(), r[2].as<std::string>(),
                     r[3].as<std::string>(), r[4].as<std::string>(), r[5].as<int>()};
      (m.status == "waitlisted" ? out.waitlist : out.enrolled).push_back(std::move(m));
    }
    for (const auto& r : tx.exec_prepared(sql::view_group_upcoming, group_id, epoch(now)))
      out.upcoming.push_back(read_overview_session(r));
    return out;
  };
  co_return co_await pool_.run(work);
}

// The site a session or group belongs to (one id in, one id out), or nothing if there is none.
task<std::optional<id_t>> pg_view_store::site_by(const char* statement, id_t id) {
  auto work = [statement, id](pqxx::connection& c) -> std::optional<id_t> {
    pqxx::read_transaction tx{c};
    const auto r = tx.exec_prepared(statement, id);
    if (r.empty()) return std::nullopt;
    return r[0][0].as<id_t>();
  };
  co_return co_await pool_.run(work);
}

task<std::optional<id_t>> pg_view_store::site_of_session(id_t session_id) {
  return site_by(sql::view_site_of_session, session_id);
}

task<std::optional<id_t>> pg_view_store::site_of_group(id_t group_id) {
  return site_by(sql::view_site_of_group, group_id);
}

task<std::optional<std::vector<id_t>>> pg_view_store::sites_of(ports::site_owner kind, id_t id) {
  using enum ports::site_owner;
  const char* statement = kind == episode      ? sql::view_sites_of_episode
                          : kind == enrollment ? sql::view_sites_of_enrollment
                          : kind == client     ? sql::view_sites_of_client
                                               : sql::view_sites_of_contact;
  auto work = [statement, id](pqxx::connection& c) -> std::optional<std::vector<id_t>> {
    pqxx::read_transaction tx{c};
    const auto rows = tx.exec_prepared(statement, id);
    if (rows.empty()) return std::nullopt;
    std::vector<id_t> out;
    for (const auto& r : rows)
      if (!r[0].is_null()) out.push_back(r[0].as<id_t>());
    return out;
  };
  co_return co_await pool_.run(work);
}

}  // namespace rollcall::store
