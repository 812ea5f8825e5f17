#include "bench_clinic.hpp"

#include <pqxx/pqxx>

#include "bench_util.hpp"

namespace rollcall::bench {

namespace {

// Every statement is prefixed with shape_cte, the clinic's size as one row p: (sites, groups,
// enrollments, staff). Ids are given explicitly (the database is fresh), so that client i,
// its episode and its placement share an id and sit in group 1 + (i - 1) % groups.
constexpr const char* shape_cte =
    "WITH p AS (SELECT $1::integer AS sites, $2::integer AS groups, $3::integer AS enrollments,"
    " $4::integer AS staff) ";
constexpr const char* seed_sql[] = {
    bench::seed_sites_sql,
    bench::seed_site_slots_sql,
    "INSERT INTO staff (id, name, email)"
    " SELECT i, 'Counselor ' || i, 'counselor' || i || '@bench.invalid' FROM p, generate_series(1, p.staff) i",
    // Three to five meeting days a week; slots rotate every `sites` groups.
    "INSERT INTO groups (id, site_id, name, slot, recurrence, first_date, start_second, end_second, capacity, room)"
    " SELECT i, st.id, 'Group ' || i, sl.slot,"
    "   'FREQ=WEEKLY;BYDAY=' || (ARRAY['MO,WE,FR', 'TU,TH,SA', 'MO,TU,TH,FR', 'MO,TU,WE,TH,FR', 'TU,WE,TH',"
    "     'MO,WE,TH,SA', 'FR,SA,SU', 'MO,TU,WE,TH,FR'])[1 + (i - 1) % 8],"
    "   (now() AT TIME ZONE st.time_zone)::date, sl.start_second, sl.end_second, 40, 'Room ' || (1 + i % 12)"
    " FROM p CROSS JOIN generate_series(1, p.groups) i"
    " JOIN sites st ON st.id = 1 + (i - 1) % p.sites"
    " JOIN site_slots sl ON sl.site_id = st.id"
    "   AND sl.slot = (ARRAY['morning', 'afternoon', 'evening'])[1 + ((i - 1) / p.sites) % 3]",
    "INSERT INTO group_facilitators (group_id, staff_id) SELECT g.id, 1 + (g.id - 1) % p.staff FROM p, groups g",
    // Three in four clients are reached by SMS, the rest by email.
    "INSERT INTO clients (id, first_name, phone, email)"
    " SELECT i, 'Client' || i, CASE WHEN i % 4 <> 0 THEN '+1555' || lpad(i::text, 7, '0') END,"
    "   CASE WHEN i % 4 = 0 THEN 'client' || i || '@bench.invalid' END"
    " FROM p, generate_series(1, p.enrollments) i",
    "INSERT INTO episodes (id, client_id, site_id, level_of_care, start_date, planned_weeks, counselor_id,"
    "   weekly_hours_required)"
    " SELECT c.id, c.id, g.site_id, 'iop', (now() AT TIME ZONE st.time_zone)::date, 12, 1 + (c.id - 1) % p.staff, 9"
    " FROM p CROSS JOIN clients c JOIN groups g ON g.id = 1 + (c.id - 1) % p.groups JOIN sites st ON st.id = g.site_id",
    "INSERT INTO episode_levels (episode_id, level_of_care, weekly_hours_required, effective_date, changed_by)"
    " SELECT id, level_of_care, weekly_hours_required, start_date, 'bench' FROM p, episodes",
    "INSERT INTO enrollments (id, client_id, group_id, counselor_id, start_date, episode_id, status)"
    " SELECT ep.id, ep.client_id, 1 + (ep.client_id - 1) % p.groups, ep.counselor_id, ep.start_date, ep.id, 'active'"
    " FROM p, episodes ep",
};

constexpr const char* tables_with_ids[] = {"sites",    "staff",          "groups",     "clients",
                                           "episodes", "episode_levels", "enrollments"};

std::int64_t count(pqxx::work& tx, const std::string& table) {
  return tx.exec1("SELECT count(*) FROM " + tx.quote_name(table))[0].as<std::int64_t>();
}

}  // namespace

seed_counts seed_clinic(const std::string& db_url, const clinic_shape& shape) {
  pqxx::connection c{db_url};
  {
    pqxx::work tx{c};
    for (const char* statement : seed_sql)
      tx.exec_params(std::string{shape_cte} + statement, shape.sites, shape.groups, shape.enrollments, shape.staff);
    // Later inserts (through the API, if anyone makes them) must not collide with the given ids.
    for (const char* t : tables_with_ids)
      tx.exec("SELECT setval(pg_get_serial_sequence('" + std::string{t} + "', 'id'), (SELECT max(id) FROM " +
              tx.quote_name(t) + "))");
    tx.commit();
  }
  {
    pqxx::nontransaction tx{c};
    tx.exec("ANALYZE");
  }
  pqxx::work tx{c};
  return {count(tx, "sites"),   count(tx, "groups"),   count(tx, "staff"),
          count(tx, "clients"), count(tx, "episodes"), count(tx, "enrollments")};
}

std::int64_t expected_sessions(const std::string& db_url, std::int64_t now, std::int64_t horizon_seconds) {
  pqxx::connection c{db_url};
  pqxx::work tx{c};
  // Every rule here is a plain weekly BYDAY list (no INTERVAL, COUNT or UNTIL): a day counts
  // when its two-letter weekday is in the list. to_char(..., 'DY') is English in any locale.
  return tx
      .exec_params1(
          "SELECT count(*) FROM groups g JOIN sites s ON s.id = g.site_id"
          " CROSS JOIN LATERAL generate_series("
          "   greatest(g.first_date, (to_timestamp($1) AT TIME ZONE s.time_zone)::date)::timestamp,"
          "   (to_timestamp($1 + $2) AT TIME ZONE s.time_zone)::date::timestamp, interval '1 day') AS d"
          " WHERE g.archived_at IS NULL"
          "   AND strpos(substring(g.recurrence FROM 'BYDAY=([A-Z,]+)'), left(to_char(d, 'DY'), 2)) > 0",
          now, horizon_seconds)[0]
      .as<std::int64_t>();
}

}  // namespace rollcall::bench
