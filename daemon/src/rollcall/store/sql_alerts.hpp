// The alerts SQL (sql_alerts.cpp): closing sessions' attendance, rule checks, alerts and their
// escalation, site routing and rosters. Prepared with the rest by sql::prepare_all.
#pragma once

#include <pqxx/connection>

namespace rollcall::store::sql {

inline constexpr const char* sessions_to_close = "sessions_to_close";
inline constexpr const char* record_unmarked_absent = "record_unmarked_absent";
inline constexpr const char* queue_session_rule_checks = "queue_session_rule_checks";
inline constexpr const char* queue_rule_check = "queue_rule_check";
inline constexpr const char* queue_rule_checks = "queue_rule_checks";
inline constexpr const char* queue_enrollment_rule_check = "queue_enrollment_rule_check";
inline constexpr const char* queue_week_start = "queue_week_start";
inline constexpr const char* current_marks_of_session = "current_marks_of_session";
inline constexpr const char* close_session = "close_session";
inline constexpr const char* digest_recipients = "digest_recipients";
inline constexpr const char* claim_rule_checks = "claim_rule_checks";
inline constexpr const char* rule_contexts = "rule_contexts";
inline constexpr const char* rule_sessions = "rule_sessions";
inline constexpr const char* staff_by_ids = "staff_by_ids";
inline constexpr const char* insert_alert_rows = "insert_alert_rows";
inline constexpr const char* alerts_to_escalate = "alerts_to_escalate";
inline constexpr const char* mark_escalated = "mark_escalated";
inline constexpr const char* lock_alert = "lock_alert";
inline constexpr const char* acknowledge_alert = "acknowledge_alert";
inline constexpr const char* select_alert = "select_alert";
inline constexpr const char* list_alerts = "list_alerts";
inline constexpr const char* deliveries_of_alert = "deliveries_of_alert";
inline constexpr const char* upsert_site_alerting = "upsert_site_alerting";
inline constexpr const char* select_site_alerting = "select_site_alerting";
inline constexpr const char* active_staff = "active_staff";
inline constexpr const char* roster_session = "roster_session";
inline constexpr const char* roster_clients = "roster_clients";

void prepare_alerts(pqxx::connection& c);

}  // namespace rollcall::store::sql
