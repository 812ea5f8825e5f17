// Small helpers shared by the pg_store*.cpp files (internal to store/).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "rollcall/ports/ports.hpp"
#include "rollcall/store/sql.hpp"

namespace rollcall::store {

inline ports::sys_seconds from_epoch(long long s) { return ports::sys_seconds{std::chrono::seconds{s}}; }
inline long long epoch(ports::sys_seconds t) { return t.time_since_epoch().count(); }

// PostgreSQL's text form of a bigint[]: "{1,2,3}".
inline std::string pg_array(const std::vector<ports::id_t>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(ids[i]);
  }
  out += '}';
  return out;
}

// Ids a query aggregated as text ("3,7,12"; "" for none), e.g. with string_agg.
inline std::vector<ports::id_t> split_ids(const std::string& text) {
  std::vector<ports::id_t> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(std::stoll(text.substr(start, end - start)));
    start = end + 1;
  }
  return out;
}

// For a transaction that writes many rows referencing tables that may have been nearly empty when
// this connection first checked a foreign key into them (a new clinic's first burst of alerts).
// PostgreSQL caches each foreign-key check's plan per connection: planned against a one-page
// table it is a sequential scan, and stays one as the table grows until autovacuum next
// analyzes it, so each check reads the whole table (the sweep went quadratic: 59.6 s instead of
// a few). Custom plans are planned against the table's current size; the cost is a plan per
// execution (each statement, and each row's foreign-key checks) in this transaction only.
inline void plan_for_current_table_sizes(pqxx::work& tx) { tx.exec0("SET LOCAL plan_cache_mode = force_custom_plan"); }

// Every change is written to the audit log in the transaction that makes it: ids, never bodies.
inline void audit(pqxx::work& tx, const std::string& actor, const char* action, const char* entity, ports::id_t id,
                  const boost::json::object& detail = {}) {
  tx.exec_prepared(sql::insert_audit, actor, action, entity, id, boost::json::serialize(detail));
}

// Columns 0-7 of groups_for_planning / groups_of_site: id, site, name, slot, recurrence, first
// date, local start and end second.
inline ports::group read_group(const pqxx::row& r) {
  ports::group g;
  g.id = r[0].as<ports::id_t>();
  g.site_id = r[1].as<ports::id_t>();
  g.name = r[2].as<std::string>();
  g.slot = r[3].as<std::string>();
  g.recurrence = r[4].as<std::string>();
  g.first_date = r[5].as<std::string>();
  g.start_second = r[6].as<int>();
  g.end_second = r[7].as<int>();
  return g;
}

// Columns 0-9 of sessions_of_group / sessions_of_site / session_context.
inline ports::session read_session(const pqxx::row& r) {
  ports::session s;
  s.id = r[0].as<ports::id_t>();
  s.group_id = r[1].as<ports::id_t>();
  s.local_date = r[2].as<std::string>();
  s.starts_at = from_epoch(r[3].as<long long>());
  s.ends_at = from_epoch(r[4].as<long long>());
  s.cancelled = r[5].as<bool>();
  s.cancel_reason = r[6].as<std::string>();
  s.revision = r[7].as<int>();
  s.room = r[8].as<std::string>();
  s.scheduled_date = r[9].as<std::string>();
  return s;
}

// A row of closures_of_site.
inline ports::closure read_closure(const pqxx::row& r) {
  ports::closure c;
  c.id = r[0].as<ports::id_t>();
  c.site_id = r[1].as<ports::id_t>();
  c.first_date = r[2].as<std::string>();
  c.last_date = r[3].as<std::string>();
  c.reason = r[4].as<std::string>();
  return c;
}

// Inserts messages whose dedupe key is new (pg_store.cpp); returns how many were inserted.
int insert_messages(pqxx::work& tx, const std::vector<ports::new_message>& messages);

// A row of attendees_between / attendees_of_session.
inline ports::session_attendee read_attendee(const pqxx::row& r) {
  ports::session_attendee a;
  a.session_id = r[0].as<ports::id_t>();
  a.revision = r[1].as<int>();
  a.starts_at = from_epoch(r[2].as<long long>());
  a.client_id = r[3].as<ports::id_t>();
  a.first_name = r[4].as<std::string>();
  a.phone = r[5].as<std::string>();
  a.email = r[6].as<std::string>();
  a.site_name = r[7].as<std::string>();
  a.time_zone = r[8].as<std::string>();
  a.family_contact_id = r[9].as<ports::id_t>();
  a.site_id = r[10].as<ports::id_t>();
  a.site_phone = r[11].as<std::string>();
  a.group_kind = r[12].as<std::string>();
  a.level = r[13].as<std::string>();
  a.slot = r[14].as<std::string>();
  a.language = r[15].as<std::string>();
  a.recipient_zone = r[16].as<std::string>();
  a.sms_allowed = r[17].as<bool>();
  a.email_allowed = r[18].as<bool>();
  return a;
}

// A session with its group's and site's names (pg_sessions.cpp); nothing if there is none.
std::optional<ports::session_context> read_context(pqxx::transaction_base& tx, ports::id_t session_id);

// Queues `make`'s notices for the attendees of a session (pg_sessions.cpp); returns
// (attendees, notices queued).
std::pair<std::size_t, std::size_t> queue_notices(pqxx::work& tx, ports::id_t session_id,
                                                  const ports::notice_maker& make);

// The site with its slot catalogue, or nullopt (pg_sites.cpp).
std::optional<ports::site> read_site(pqxx::transaction_base& tx, ports::id_t id);

inline bool exists(pqxx::work& tx, const char* statement, ports::id_t id) {
  return !tx.exec_prepared(statement, id).empty();
}

}  // namespace rollcall::store
