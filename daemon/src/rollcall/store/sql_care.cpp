#include "rollcall/store/sql_care.hpp"

#include <string>

#include <pqxx/pqxx>

namespace rollcall::store::sql {

// A waiting placement's position counts the placements waiting before it (and itself).
const char* const placement_columns =
    "SELECT e.id, e.episode_id, e.client_id, e.group_id, e.start_date::text, coalesce(e.end_date::text, ''),"
    " e.status, coalesce(e.end_reason, ''),"
    " CASE WHEN e.status = 'waitlisted' THEN (SELECT count(*) FROM enrollments w WHERE w.group_id = e.group_id"
    "   AND w.status = 'waitlisted' AND (w.waitlisted_at, w.id) <= (e.waitlisted_at, e.id))::integer END"
    " FROM enrollments e";

namespace {
constexpr const char* episode_columns =
    "SELECT id, client_id, site_id, level_of_care, start_date::text, planned_weeks, counselor_id,"
    " coalesce(case_manager_id, 0), weekly_hours_required::float8, status, coalesce(discharge_date::text, ''),"
    " coalesce(discharge_outcome, ''), archived_at IS NOT NULL FROM episodes WHERE id = $1";
// A group's timetable as store::read_timetable reads it (columns 0-6), then a placement's dates.
constexpr const char* timetable_columns =
    "SELECT g.id, g.name, g.recurrence, g.first_date::text, g.start_second, g.end_second, st.time_zone";
// A row of groups, as store::read_group and pg_care read it (columns 0-13).
constexpr const char* group_columns =
    "SELECT id, site_id, name, slot, recurrence, first_date::text, start_second, end_second, level_of_care,"
    " coalesce(capacity, 0), room, telehealth_url, kind, archived_at IS NOT NULL FROM groups";
}  // namespace

void prepare_care(pqxx::connection& c) {
  const std::string placements{placement_columns}, episodes{episode_columns}, timetables{timetable_columns},
      groups{group_columns};
  c.prepare(care_insert_episode,
            "INSERT INTO episodes (client_id, site_id, level_of_care, start_date, planned_weeks, counselor_id,"
            "   case_manager_id, weekly_hours_required)"
            " VALUES ($1, $2, $3, $4::date, $5, $6, nullif($7::bigint, 0), $8) RETURNING id");
  c.prepare(care_insert_level,
            "INSERT INTO episode_levels (episode_id, level_of_care, weekly_hours_required, effective_date, reason,"
            "   changed_by) VALUES ($1, $2, $3, $4::date, $5, $6)");
  c.prepare(care_select_episode, episodes);
  c.prepare(care_lock_episode, episodes + " FOR UPDATE");
  c.prepare(care_levels_of_episode,
            "SELECT level_of_care, weekly_hours_required::float8, effective_date::text, reason, changed_by"
            " FROM episode_levels WHERE episode_id = $1 ORDER BY effective_date, id");
  c.prepare(care_placements_of_episode, placements + " WHERE e.episode_id = $1 ORDER BY e.id");
  c.prepare(care_select_placement, placements + " WHERE e.id = $1");
  c.prepare(care_lock_placement,
            "SELECT e.group_id, e.status, e.client_id, (now() AT TIME ZONE st.time_zone)::date::text"
            " FROM enrollments e JOIN groups g ON g.id = e.group_id JOIN sites st ON st.id = g.site_id"
            " WHERE e.id = $1 FOR UPDATE OF e");
  c.prepare(care_update_episode,
            "UPDATE episodes SET planned_weeks = $2, counselor_id = $3, case_manager_id = nullif($4::bigint, 0),"
            " weekly_hours_required = $5 WHERE id = $1");
  c.prepare(care_set_current_level_hours,
            "UPDATE episode_levels SET weekly_hours_required = $2 WHERE id = (SELECT id FROM episode_levels"
            " WHERE episode_id = $1 ORDER BY effective_date DESC, id DESC LIMIT 1)");
  c.prepare(care_set_level, "UPDATE episodes SET level_of_care = $2, weekly_hours_required = $3 WHERE id = $1");
  // A step to another level ends the episode's places in groups of other levels the day before
  // it takes effect; waiting for such a group ends too. Appointments are not tied to a level.
  // A place only waited for (or offered) was never attended: it ends before its first day, as
  // care_end_placement ends it; an ended place counts as attended from start to end date.
  c.prepare(care_end_other_level,
            "UPDATE enrollments e SET status = 'ended', end_reason = 'level changed',"
            " end_date = CASE WHEN e.status IN ('waitlisted', 'offered') THEN e.start_date - 1"
            "   ELSE greatest(e.start_date - 1, least(coalesce(e.end_date, $2::date - 1), $2::date - 1)) END"
            " FROM groups g WHERE g.id = e.group_id AND e.episode_id = $1 AND g.kind = 'group'"
            " AND g.level_of_care <> $3 AND e.status <> 'ended' RETURNING e.id, e.group_id");
  c.prepare(care_discharge,
            "UPDATE episodes SET status = 'discharged', discharge_date = $2::date, discharge_outcome = $3"
            " WHERE id = $1");
  c.prepare(care_end_episode_placements,
            "UPDATE enrollments SET status = 'ended', end_reason = $3,"
            " end_date = CASE WHEN status IN ('waitlisted', 'offered') THEN start_date - 1"
            "   ELSE greatest(start_date - 1, least(coalesce(end_date, $2::date), $2::date)) END"
            " WHERE episode_id = $1 AND status <> 'ended' RETURNING id, group_id");
  // Reminders and notices to a client (and their family contacts) for sessions after a date,
  // in one group or ($4 = 0) in all.
  c.prepare(care_cancel_messages_after,
            "UPDATE outbox o SET status = 'cancelled', lease_until = NULL, claim_token = NULL, last_error = $3"
            " FROM sessions s WHERE o.session_id = s.id AND o.client_id = $1 AND s.local_date > $2::date"
            " AND ($4::bigint = 0 OR s.group_id = $4) AND o.kind IN ('reminder', 'notice')"
            " AND o.status IN ('pending', 'sending')");
  c.prepare(care_lock_group,
            "SELECT g.id, g.site_id, g.kind, g.recurrence, g.first_date::text, g.start_second, g.end_second,"
            " st.time_zone, coalesce(g.capacity, 0), g.archived_at IS NOT NULL, g.room, g.level_of_care,"
            " (now() AT TIME ZONE st.time_zone)::date::text"
            " FROM groups g JOIN sites st ON st.id = g.site_id WHERE g.id = $1 FOR UPDATE OF g");
  c.prepare(care_seats_taken,
            "SELECT count(*)::integer FROM enrollments WHERE group_id = $1 AND status IN ('active', 'offered')");
  c.prepare(care_open_placement_exists,
            "SELECT 1 FROM enrollments WHERE client_id = $1 AND group_id = $2 AND status <> 'ended'");
  c.prepare(care_client_commitments,
            timetables +
                ", e.start_date::text, coalesce(e.end_date::text, '')"
                " FROM enrollments e JOIN groups g ON g.id = e.group_id JOIN sites st ON st.id = g.site_id"
                " WHERE e.client_id = $1 AND e.status IN ('active', 'offered') AND g.archived_at IS NULL"
                " AND g.id <> $2 ORDER BY g.id");
  c.prepare(
      care_staff_commitments,
      timetables +
          ", '', '' FROM group_facilitators f JOIN groups g ON g.id = f.group_id JOIN sites st ON st.id = g.site_id"
          " WHERE f.staff_id = $1 AND g.archived_at IS NULL AND g.id <> $2 ORDER BY g.id");
  c.prepare(care_room_commitments,
            timetables +
                ", '', '' FROM groups g JOIN sites st ON st.id = g.site_id"
                " WHERE g.site_id = $1 AND btrim($2) <> '' AND lower(btrim(g.room)) = lower(btrim($2))"
                " AND g.archived_at IS NULL AND g.id <> $3 ORDER BY g.id");
  c.prepare(care_insert_placement,
            "INSERT INTO enrollments (client_id, group_id, counselor_id, start_date, end_date, episode_id, status,"
            "   waitlisted_at)"
            " VALUES ($1, $2, $3, $4::date, nullif($5, '')::date, $6, $7, CASE WHEN $7 = 'waitlisted' THEN now() END)"
            " RETURNING id");
  c.prepare(care_first_waiting,
            "SELECT id FROM enrollments WHERE group_id = $1 AND status = 'waitlisted'"
            " ORDER BY waitlisted_at, id LIMIT 1 FOR UPDATE");
  c.prepare(care_offer, "UPDATE enrollments SET status = 'offered', offered_at = now() WHERE id = $1");
  c.prepare(care_end_placement,
            "UPDATE enrollments SET status = 'ended', end_reason = $3,"
            " end_date = CASE WHEN status IN ('waitlisted', 'offered') THEN start_date - 1"
            "   ELSE greatest(start_date - 1, $2::date) END WHERE id = $1");
  c.prepare(care_accept_offer,
            "UPDATE enrollments SET status = 'active', start_date = greatest(start_date, $2::date) WHERE id = $1");
  c.prepare(care_waitlist_of_group, placements +
                                        " WHERE e.group_id = $1 AND e.status IN ('waitlisted', 'offered')"
                                        " ORDER BY e.status = 'waitlisted', e.waitlisted_at, e.id");
  c.prepare(care_today_at_site,
            "SELECT (now() AT TIME ZONE time_zone)::date::text, archived_at IS NOT NULL FROM sites WHERE id = $1");
  c.prepare(care_select_group, groups + " WHERE id = $1");
  c.prepare(care_facilitators_of_group,
            "SELECT staff_id FROM group_facilitators WHERE group_id = $1 ORDER BY staff_id");
  c.prepare(care_clear_facilitators, "DELETE FROM group_facilitators WHERE group_id = $1");
  c.prepare(care_add_facilitator,
            "INSERT INTO group_facilitators (group_id, staff_id) VALUES ($1, $2) ON CONFLICT DO NOTHING");
  c.prepare(care_active_episode,
            "SELECT id FROM episodes WHERE client_id = $1 AND status = 'active' AND archived_at IS NULL");
  c.prepare(care_staff_usable, "SELECT archived_at IS NULL FROM staff WHERE id = $1");
  c.prepare(care_client_usable, "SELECT archived_at IS NULL FROM clients WHERE id = $1");
  c.prepare(care_group_usable, "SELECT archived_at IS NULL FROM groups WHERE id = $1");
  c.prepare(care_site_usable, "SELECT archived_at IS NULL FROM sites WHERE id = $1");
  c.prepare(care_update_group,
            "UPDATE groups SET name = $2, recurrence = $3, start_second = $4, end_second = $5, level_of_care = $6,"
            " capacity = nullif($7::integer, 0), room = $8, telehealth_url = $9 WHERE id = $1");
  c.prepare(care_future_sessions_of_group,
            "SELECT s.id, s.group_id, s.local_date::text, extract(epoch FROM s.starts_at)::bigint,"
            " extract(epoch FROM s.ends_at)::bigint, s.cancelled, coalesce(s.cancel_reason, ''), s.revision,"
            " coalesce(s.room, g.room), s.scheduled_date::text, s.change_note IS NOT NULL"
            " FROM sessions s JOIN groups g ON g.id = s.group_id"
            " WHERE s.group_id = $1 AND NOT s.cancelled AND s.starts_at > now() ORDER BY s.starts_at FOR UPDATE OF s");
  c.prepare(care_retime_session,
            "UPDATE sessions SET starts_at = to_timestamp($2), ends_at = to_timestamp($3), revision = revision + 1"
            " WHERE id = $1");
  c.prepare(care_open_placements_of_group,
            "SELECT count(*)::integer FROM enrollments WHERE group_id = $1 AND status <> 'ended'"
            " AND (end_date IS NULL OR end_date >= (SELECT (now() AT TIME ZONE st.time_zone)::date"
            "   FROM groups g JOIN sites st ON st.id = g.site_id WHERE g.id = $1))");
  c.prepare(care_archive_group, "UPDATE groups SET archived_at = now() WHERE id = $1");
  c.prepare(care_cancel_future_sessions,
            "UPDATE sessions SET cancelled = true, cancel_reason = $2 WHERE group_id = $1 AND NOT cancelled"
            " AND starts_at > now()");
  c.prepare(care_insert_appointment,
            "INSERT INTO groups (site_id, name, slot, recurrence, first_date, start_second, end_second, level_of_care,"
            "   capacity, room, telehealth_url, kind)"
            " VALUES ($1, $2, $3, $4, $5::date, $6, $7, $8, 1, $9, $10, $11) RETURNING id");
  // Locks are taken episode, then groups (in id order), then placements, everywhere.
  c.prepare(care_lock_groups_of_episode,
            "SELECT id FROM groups WHERE archived_at IS NULL"
            " AND id IN (SELECT group_id FROM enrollments WHERE episode_id = $1) ORDER BY id FOR UPDATE");
  c.prepare(care_groups_of_episode,
            "SELECT DISTINCT g.id, g.site_id, g.name, g.slot, g.recurrence, g.first_date::text, g.start_second,"
            " g.end_second, st.time_zone FROM enrollments e JOIN groups g ON g.id = e.group_id"
            " JOIN sites st ON st.id = g.site_id WHERE e.episode_id = $1 ORDER BY g.id");
  c.prepare(care_sessions_of_episode,
            "SELECT s.id, s.group_id, s.local_date::text, extract(epoch FROM s.starts_at)::bigint,"
            " extract(epoch FROM s.ends_at)::bigint, s.cancelled, coalesce(s.cancel_reason, ''), s.revision,"
            " coalesce(s.room, g.room), s.scheduled_date::text"
            " FROM sessions s JOIN groups g ON g.id = s.group_id"
            " WHERE s.group_id IN (SELECT group_id FROM enrollments WHERE episode_id = $1)"
            " AND (s.local_date BETWEEN $2::date AND $3::date OR s.scheduled_date BETWEEN $2::date AND $3::date)"
            " ORDER BY s.starts_at");
}

}  // namespace rollcall::store::sql
