// Statements for reading, changing and archiving the directory, listing sessions and the audit
// log, and snapshotting rows for the audit log (sql_directory.cpp; prepared by sql::prepare_all).
//
// Lists follow one convention (see store/pg_paging.hpp): $1 = the last id already seen (0 at
// the start), $2 = the page size + 1, then each filter as a nullable parameter, and the first
// column is the row's id:
//   SELECT id, ... FROM t WHERE id > $1 AND ($3::bigint IS NULL OR site_id = $3)
//   ORDER BY id LIMIT $2
#pragma once

#include <pqxx/connection>

namespace rollcall::store::sql {

inline constexpr const char* list_sites = "list_sites";
inline constexpr const char* lock_site = "lock_site";
inline constexpr const char* update_site = "update_site";
inline constexpr const char* groups_of_site_ids = "groups_of_site_ids";
inline constexpr const char* archive_site = "archive_site";

inline constexpr const char* closures_by_status = "closures_by_status";
inline constexpr const char* select_closure = "select_closure";
inline constexpr const char* lock_closure = "lock_closure";
inline constexpr const char* archive_closure = "archive_closure";

inline constexpr const char* select_staff = "select_staff";
inline constexpr const char* list_staff = "list_staff";
inline constexpr const char* lock_staff = "lock_staff";
inline constexpr const char* update_staff = "update_staff";
inline constexpr const char* staff_active_episodes = "staff_active_episodes";
inline constexpr const char* staff_facilitated_groups = "staff_facilitated_groups";
inline constexpr const char* archive_staff = "archive_staff";

inline constexpr const char* select_client = "select_client";
inline constexpr const char* list_clients = "list_clients";
inline constexpr const char* lock_client = "lock_client";
inline constexpr const char* update_client = "update_client";
inline constexpr const char* client_active_episodes = "client_active_episodes";
inline constexpr const char* archive_client = "archive_client";

inline constexpr const char* select_session = "select_session";
inline constexpr const char* list_sessions = "list_sessions";

inline constexpr const char* insert_contact = "insert_contact";
inline constexpr const char* select_contact = "select_contact";
inline constexpr const char* contacts_of_client = "contacts_of_client";
inline constexpr const char* lock_contact = "lock_contact";
inline constexpr const char* update_contact = "update_contact";
inline constexpr const char* consent_contact = "consent_contact";
inline constexpr const char* revoke_contact = "revoke_contact";
inline constexpr const char* archive_contact = "archive_contact";
inline constexpr const char* cancel_contact_messages = "cancel_contact_messages";

inline constexpr const char* list_audit = "list_audit";
inline constexpr const char* insert_audit_change = "insert_audit_change";
inline constexpr const char* insert_access_audit = "insert_access_audit";
// Each takes the row's id and returns to_jsonb of the row as text (no row: no result).
inline constexpr const char* snapshot_site = "snapshot_site";
inline constexpr const char* snapshot_site_slots = "snapshot_site_slots";  // all of a site's slots
inline constexpr const char* snapshot_closure = "snapshot_closure";
inline constexpr const char* snapshot_staff = "snapshot_staff";
inline constexpr const char* snapshot_client = "snapshot_client";
inline constexpr const char* snapshot_session = "snapshot_session";
inline constexpr const char* snapshot_contact = "snapshot_contact";
inline constexpr const char* snapshot_mark = "snapshot_mark";
inline constexpr const char* snapshot_group = "snapshot_group";
inline constexpr const char* snapshot_enrollment = "snapshot_enrollment";
inline constexpr const char* snapshot_episode = "snapshot_episode";

void prepare_directory(pqxx::connection& c);

}  // namespace rollcall::store::sql
