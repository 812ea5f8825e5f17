#include "rollcall/store/sql_feeds.hpp"

#include <string>

#include <pqxx/pqxx>

namespace rollcall::store::sql {

namespace {
// A feed row as pg_feeds.cpp reads it.
constexpr const char* feed_columns =
    "id, owner_kind, owner_id, created_by, extract(epoch FROM created_at)::bigint,"
    " extract(epoch FROM revoked_at)::bigint";

// Sessions of live groups starting at or after to_timestamp($2), as pg_feeds.cpp reads them;
// each feed adds which ones are its owner's.
constexpr const char* feed_session_rows =
    "SELECT s.id, extract(epoch FROM s.starts_at)::bigint, extract(epoch FROM s.ends_at)::bigint, s.cancelled,"
    " s.revision, st.time_zone, g.name, coalesce(s.room, g.room), g.telehealth_url, st.name, st.address"
    " FROM sessions s JOIN groups g ON g.id = s.group_id JOIN sites st ON st.id = g.site_id"
    " WHERE g.archived_at IS NULL AND s.starts_at >= to_timestamp($2) AND ";
constexpr const char* feed_order = " ORDER BY s.starts_at, s.id";
}  // namespace

void prepare_feeds(pqxx::connection& c) {
  c.prepare(insert_feed, std::string{"INSERT INTO calendar_feeds (owner_kind, owner_id, token_hash, created_by)"
                                     " VALUES ($1, $2, decode($3, 'hex'), $4) RETURNING "} +
                             feed_columns);
  c.prepare(feeds_of_owner, std::string{"SELECT "} + feed_columns +
                                " FROM calendar_feeds WHERE owner_kind = $1 AND owner_id = $2 ORDER BY id");
  c.prepare(lock_feed, std::string{"SELECT "} + feed_columns + " FROM calendar_feeds WHERE id = $1 FOR UPDATE");
  c.prepare(revoke_feed,
            std::string{"UPDATE calendar_feeds SET revoked_at = now() WHERE id = $1 RETURNING "} + feed_columns);
  c.prepare(feed_of_token,
            "SELECT owner_kind, owner_id FROM calendar_feeds WHERE token_hash = decode($1, 'hex')"
            " AND revoked_at IS NULL");
  c.prepare(group_name, "SELECT name FROM groups WHERE id = $1");
  c.prepare(staff_name, "SELECT name FROM staff WHERE id = $1");
  c.prepare(feed_sessions_of_group, std::string{feed_session_rows} + "g.id = $1" + feed_order);
  // The groups a staff member facilitates, less sessions handed to someone else, plus sessions
  // handed to them (sessions.facilitator_id null: the group's facilitators lead it).
  c.prepare(feed_sessions_of_staff,
            std::string{feed_session_rows} +
                "coalesce(s.facilitator_id = $1,"
                " EXISTS (SELECT 1 FROM group_facilitators gf WHERE gf.group_id = g.id AND gf.staff_id = $1))" +
                feed_order);
  // Placements that are not waiting for a seat, on the dates they cover (open-ended: no end).
  c.prepare(feed_sessions_of_client,
            std::string{feed_session_rows} +
                "EXISTS (SELECT 1 FROM enrollments e WHERE e.group_id = g.id AND e.client_id = $1"
                " AND e.status IN ('active', 'ended') AND e.archived_at IS NULL AND e.start_date <= s.local_date"
                " AND (e.end_date IS NULL OR s.local_date <= e.end_date))" +
                feed_order);
}

}  // namespace rollcall::store::sql
