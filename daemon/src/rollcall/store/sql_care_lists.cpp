// The list statements of groups, episodes and placements (pg_care.cpp), to the paging
// convention of sql_directory.hpp: $1 the last id seen, $2 the limit, then nullable filters.
#include <string>

#include <pqxx/pqxx>

#include "rollcall/store/sql_care.hpp"

namespace rollcall::store::sql {

void prepare_care_lists(pqxx::connection& c) {
  c.prepare(care_placed_clients_of_group,
            "SELECT client_id, start_date::text, coalesce(end_date::text, '') FROM enrollments"
            " WHERE group_id = $1 AND status IN ('active', 'offered') ORDER BY client_id");
  c.prepare(care_close_appointments_of_episode,
            "WITH closed AS (UPDATE groups SET archived_at = now() WHERE kind <> 'group' AND archived_at IS NULL"
            "   AND id IN (SELECT group_id FROM enrollments WHERE episode_id = $1) RETURNING id),"
            " cancelled AS (UPDATE sessions SET cancelled = true, cancel_reason = 'client discharged'"
            "   WHERE group_id IN (SELECT id FROM closed) AND NOT cancelled AND starts_at > now()"
            "   AND local_date > $2::date)"
            " SELECT id FROM closed ORDER BY id");
  // Archiving hides records entered in error or long finished; only what has ended can go.
  c.prepare(care_archive_episode,
            "UPDATE episodes SET archived_at = now() WHERE id = $1 AND archived_at IS NULL AND status = 'discharged'"
            " RETURNING id");
  c.prepare(care_archive_placement,
            "UPDATE enrollments SET archived_at = now() WHERE id = $1 AND archived_at IS NULL AND status = 'ended'"
            " RETURNING id");
  c.prepare(care_list_groups,
            "SELECT id FROM groups WHERE id > $1 AND ($3::bigint IS NULL OR site_id = $3)"
            " AND ($4::text IS NULL OR kind = $4) AND ($5::text IS NULL OR level_of_care = $5)"
            " AND ($6 = 'all' OR ($6 = 'active') = (archived_at IS NULL))"
            " AND ($7::bigint[] IS NULL OR site_id = ANY ($7::bigint[])) ORDER BY id LIMIT $2");
  c.prepare(care_list_episodes,
            "SELECT id FROM episodes WHERE id > $1 AND archived_at IS NULL AND ($3::bigint IS NULL OR site_id = $3)"
            " AND ($4::bigint IS NULL OR client_id = $4)"
            " AND ($5::bigint IS NULL OR counselor_id = $5 OR case_manager_id = $5)"
            " AND ($6::text IS NULL OR status = $6)"
            " AND ($8::date IS NULL OR start_date <= $8::date)"
            " AND ($7::date IS NULL OR discharge_date IS NULL OR discharge_date >= $7::date)"
            " ORDER BY id LIMIT $2");
  c.prepare(care_list_placements,
            std::string{placement_columns} +
                " WHERE e.id > $1 AND e.archived_at IS NULL AND ($3::bigint IS NULL OR e.group_id = $3)"
                " AND ($4::bigint IS NULL OR e.client_id = $4) AND ($5::bigint IS NULL OR e.episode_id = $5)"
                " AND ($6::text IS NULL OR e.status = $6) ORDER BY e.id LIMIT $2");
}

}  // namespace rollcall::store::sql
