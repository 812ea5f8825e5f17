// Every SQL statement rollcalld runs, as named statements prepared once per connection.
// Times cross as Unix seconds (to_timestamp / extract(epoch)) so no text parsing is needed.
#pragma once

#include <pqxx/connection>

// A placement's client attends a session (aliases e: enrollments, s: sessions): an active
// placement from its start date (to its end date, if set), an ended one from its start to its
// end date. Waiting and offered ones do not.
#define ROLLCALL_ATTENDS                                              \
  " e.status IN ('active', 'ended') AND e.start_date <= s.local_date" \
  " AND (e.end_date IS NULL OR s.local_date <= e.end_date)"

namespace rollcall::store::sql {

inline constexpr const char* insert_site = "insert_site";
inline constexpr const char* select_site = "select_site";
inline constexpr const char* upsert_slot = "upsert_slot";
inline constexpr const char* slots_of_site = "slots_of_site";
inline constexpr const char* insert_closure = "insert_closure";
inline constexpr const char* cancel_sessions_closed = "cancel_sessions_closed";
inline constexpr const char* closures_of_site = "closures_of_site";
inline constexpr const char* insert_group = "insert_group";
inline constexpr const char* site_exists = "site_exists";
inline constexpr const char* group_exists = "group_exists";
inline constexpr const char* staff_exists = "staff_exists";
inline constexpr const char* client_exists = "client_exists";
inline constexpr const char* insert_staff = "insert_staff";
inline constexpr const char* insert_client = "insert_client";
inline constexpr const char* sessions_of_group = "sessions_of_group";
inline constexpr const char* insert_audit = "insert_audit";
inline constexpr const char* insert_audit_rows = "insert_audit_rows";
inline constexpr const char* cancel_unwanted_messages = "cancel_unwanted_messages";
inline constexpr const char* session_leader_busy = "session_leader_busy";
inline constexpr const char* session_room_busy = "session_room_busy";

inline constexpr const char* groups_for_planning = "groups_for_planning";
inline constexpr const char* insert_session = "insert_session";
inline constexpr const char* lock_calendar = "lock_calendar";
inline constexpr const char* attendees_between = "attendees_between";
inline constexpr const char* insert_messages = "insert_messages";

inline constexpr const char* session_for_mark = "session_for_mark";
inline constexpr const char* lock_session_for_mark = "lock_session_for_mark";
inline constexpr const char* lock_client_marks = "lock_client_marks";
inline constexpr const char* lock_session_for_marks = "lock_session_for_marks";
inline constexpr const char* lock_clients_marks = "lock_clients_marks";
inline constexpr const char* clients_marked = "clients_marked";
inline constexpr const char* insert_marks = "insert_marks";
inline constexpr const char* session_exists = "session_exists";
inline constexpr const char* marks_of_session = "marks_of_session";

inline constexpr const char* cancel_stale_reminders = "cancel_stale_reminders";
inline constexpr const char* pick_expired_leases = "pick_expired_leases";
inline constexpr const char* pick_due = "pick_due";
inline constexpr const char* claim_due = "claim_due";
inline constexpr const char* next_due = "next_due";
inline constexpr const char* mark_delivered = "mark_delivered";
inline constexpr const char* lock_outbox_rows = "lock_outbox_rows";
inline constexpr const char* mark_delivered_batch = "mark_delivered_batch";
inline constexpr const char* mark_retry = "mark_retry";
inline constexpr const char* mark_dead = "mark_dead";
inline constexpr const char* release_claim = "release_claim";
inline constexpr const char* insert_attempt = "insert_attempt";

inline constexpr const char* ready_check = "ready_check";
inline constexpr const char* metrics_messages = "metrics_messages";
inline constexpr const char* metrics_due = "metrics_due";
inline constexpr const char* metrics_alerts = "metrics_alerts";

inline constexpr const char* groups_of_site = "groups_of_site";
inline constexpr const char* sessions_of_site = "sessions_of_site";
inline constexpr const char* enrolled_clients_of_site = "enrolled_clients_of_site";

inline constexpr const char* session_context = "session_context";
inline constexpr const char* lock_session = "lock_session";
inline constexpr const char* session_day_closed = "session_day_closed";
inline constexpr const char* cancel_session = "cancel_session";
inline constexpr const char* move_session = "move_session";
inline constexpr const char* cancel_reminders_of_session = "cancel_reminders_of_session";
inline constexpr const char* attendees_of_session = "attendees_of_session";

void prepare_all(pqxx::connection& conn);

}  // namespace rollcall::store::sql
