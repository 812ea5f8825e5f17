// pg_store: cancelling and moving single sessions.
#include <date/date.h>
#include <pqxx/pqxx>

#include "rollcall/store/pg_audit.hpp"
#include "rollcall/store/pg_rows.hpp"
#include "rollcall/store/pg_store.hpp"
#include "rollcall/store/sql_alerts.hpp"
#include "rollcall/store/sql_care.hpp"

namespace rollcall::store {

using namespace ports;

std::optional<session_context> read_context(pqxx::transaction_base& tx, id_t id) {
  auto rows = tx.exec_prepared(sql::session_context, id);
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  session_context out;
  out.s = read_session(r);
  out.group_name = r[10].as<std::string>();
  out.site_name = r[11].as<std::string>();
  out.time_zone = r[12].as<std::string>();
  out.recurrence = r[13].as<std::string>();
  out.first_date = r[14].as<std::string>();
  return out;
}

namespace {

// Locks the session row and refuses changes to sessions that are gone, cancelled or started.
std::optional<rejection> lock_for_change(pqxx::work& tx, id_t id, std::optional<int> expected_revision) {
  auto rows = tx.exec_prepared(sql::lock_session, id);
  if (rows.empty()) return reject(errc::not_found, "session_id", "no such session");
  if (rows[0][0].as<bool>()) return reject(errc::conflict, "session_id", "the session is cancelled");
  if (rows[0][1].as<bool>()) return reject(errc::conflict, "session_id", "the session has already started");
  if (expected_revision && rows[0][2].as<int>() != *expected_revision)
    return reject(errc::conflict, "session_id", "the session changed meanwhile; try again");
  return std::nullopt;
}

// The change's other half, in the same transaction: pending reminders go, notices come.
// `before` is the session's row before the change, for the audit log.
session finish_change(pqxx::work& tx, id_t id, const char* why, const std::string& actor, const char* action,
                      const std::optional<std::string>& before, const notice_maker& make_notices) {
  tx.exec_prepared(sql::cancel_reminders_of_session, id, std::string{why});
  const auto [clients, notified] = queue_notices(tx, id, make_notices);
  const auto changed = *read_context(tx, id);
  // Clients with no phone or email get no notice: the counts tell the front desk to call them.
  audit_change(tx, actor, action, "session", sql::snapshot_session, id, before,
               {{"revision", changed.s.revision}, {"clients", clients}, {"notified", notified}});
  return changed.s;
}

}  // namespace

std::pair<std::size_t, std::size_t> queue_notices(pqxx::work& tx, id_t session_id, const notice_maker& make) {
  const auto changed = *read_context(tx, session_id);
  std::vector<session_attendee> attendees;
  for (const auto& r : tx.exec_prepared(sql::attendees_of_session, session_id)) attendees.push_back(read_attendee(r));
  const auto notices = make(changed, attendees);
  insert_messages(tx, notices);
  // A cancelled or moved session changes the week's hours: the escalation rules look again.
  tx.exec_prepared(sql::queue_session_rule_checks, session_id);
  return {attendees.size(), notices.size()};
}

task<result<session_context>> pg_store::session_context_of(id_t session_id) {
  auto work = [session_id](pqxx::connection& c) -> result<session_context> {
    pqxx::read_transaction tx{c};
    auto out = read_context(tx, session_id);
    if (!out) return errc::not_found;
    return std::move(*out);
  };
  co_return co_await pool_.run(work);
}

task<outcome<session>> pg_store::cancel_session(id_t session_id, const std::string& reason, const std::string& actor,
                                                const notice_maker& make_notices) {
  auto work = [session_id, reason, actor, &make_notices](pqxx::connection& c) -> outcome<session> {
    pqxx::work tx{c};
    if (auto refused = lock_for_change(tx, session_id, std::nullopt)) return *refused;
    const auto before = snapshot(tx, sql::snapshot_session, session_id);
    tx.exec_prepared(sql::cancel_session, session_id, reason);
    auto out = finish_change(tx, session_id, "session cancelled", actor, "cancel", before, make_notices);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<closure>> pg_store::create_closure(const new_closure& in, const std::string& actor,
                                                const notice_maker& make_notices) {
  auto work = [in, actor, &make_notices](pqxx::connection& c) -> outcome<closure> {
    pqxx::work tx{c};
    if (!exists(tx, sql::site_exists, in.site_id)) return reject(errc::not_found, "site_id", "no such site");
    tx.exec_prepared(sql::lock_calendar);
    closure out{in, 0, 0, std::nullopt};
    out.id = tx.exec_prepared1(sql::insert_closure, in.site_id, in.first_date, in.last_date, in.reason)[0].as<id_t>();
    for (const auto& r : tx.exec_prepared(sql::cancel_sessions_closed, in.site_id, in.first_date, in.last_date)) {
      finish_change(tx, r[0].as<id_t>(), "session cancelled", actor, "cancel", r[1].as<std::string>(), make_notices);
      ++out.sessions_cancelled;
    }
    audit_change(tx, actor, "create", "site_closure", sql::snapshot_closure, out.id, std::nullopt,
                 {{"site_id", in.site_id}, {"sessions_cancelled", out.sessions_cancelled}});
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<session>> pg_store::move_session(id_t session_id, const session_move& move, const std::string& actor,
                                              const notice_maker& make_notices) {
  auto work = [session_id, move, actor, &make_notices](pqxx::connection& c) -> outcome<session> {
    pqxx::work tx{c};
    if (auto refused = lock_for_change(tx, session_id, move.expected_revision)) return *refused;
    const auto before = snapshot(tx, sql::snapshot_session, session_id);
    if (tx.exec_prepared1(sql::session_day_closed, session_id, move.local_date)[0].as<bool>())
      return reject(errc::conflict, "date", "the site is closed that day");
    if (move.facilitator_id != 0) {
      auto who = tx.exec_prepared(sql::care_staff_usable, move.facilitator_id);
      if (who.empty()) return reject(errc::invalid_input, "facilitator_id", "no such staff member");
      if (!who[0][0].as<bool>()) return reject(errc::conflict, "facilitator_id", "the staff member is archived");
    }
    // The session's new time must not collide with its leader's or its room's other sessions.
    rejection busy{errc::conflict, {}, {}, {}};
    for (const auto& r : tx.exec_prepared(sql::session_leader_busy, session_id, epoch(move.starts_at),
                                          epoch(move.ends_at), move.facilitator_id))
      busy.conflicts.push_back(
          {"facilitator_double_booked", "session", r[0].as<id_t>(),
           date::format("%FT%TZ", from_epoch(r[1].as<long long>())),
           "staff member " + r[2].as<std::string>() + " leads session " + r[0].as<std::string>() + " at that time"});
    for (const auto& r :
         tx.exec_prepared(sql::session_room_busy, session_id, epoch(move.starts_at), epoch(move.ends_at), move.room))
      busy.conflicts.push_back({"room_double_booked", "session", r[0].as<id_t>(),
                                date::format("%FT%TZ", from_epoch(r[1].as<long long>())),
                                "the room is taken by session " + r[0].as<std::string>() + " at that time"});
    if (!busy.conflicts.empty()) {
      busy.fields.push_back({busy.conflicts.front().kind == "room_double_booked" ? "room" : "facilitator_id",
                             "booked elsewhere at that time"});
      return busy;
    }
    try {
      tx.exec_prepared(sql::move_session, session_id, move.local_date, epoch(move.starts_at), epoch(move.ends_at),
                       move.room, move.note, move.time_changed ? 1 : 0, move.facilitator_id);
    } catch (const pqxx::unique_violation&) {
      return reject(errc::conflict, "date", "the group already has a session on that date");
    }
    if (!move.time_changed) {  // a new room only: the reminders and what clients were told still hold
      audit_change(tx, actor, "move", "session", sql::snapshot_session, session_id, before);
      auto out = read_context(tx, session_id)->s;
      tx.commit();
      return out;
    }
    auto out = finish_change(tx, session_id, "session moved", actor, "move", before, make_notices);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

}  // namespace rollcall::store
