// pg_report_store: read-only report queries, each in one read-only snapshot.
#include "rollcall/store/pg_reports.hpp"

#include <pqxx/pqxx>

#include "rollcall/store/pg_paging.hpp"
#include "rollcall/store/pg_rows.hpp"
#include "rollcall/store/sql_reports.hpp"

namespace rollcall::store {

using namespace ports;

namespace {

// Both reports read several statements that must agree with each other.
using snapshot_tx = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

expected_client read_expected(const pqxx::row& r) {
  expected_client e;
  e.session_id = r[0].as<id_t>();
  e.client_id = r[1].as<id_t>();
  e.group_id = r[2].as<id_t>();
  e.site_id = r[3].as<id_t>();
  e.local_date = r[4].as<std::string>();
  e.starts_at = from_epoch(r[5].as<long long>());
  e.ends_at = from_epoch(r[6].as<long long>());
  e.client_first_name = r[7].as<std::string>();
  e.group_name = r[8].as<std::string>();
  e.site_name = r[9].as<std::string>();
  if (!r[10].is_null()) e.status = r[10].as<std::string>();
  if (!r[11].is_null()) e.minutes = r[11].as<int>();
  return e;
}

}  // namespace

task<std::vector<expected_client>> pg_report_store::expected_clients(const report_filter& f) {
  auto work = [f](pqxx::connection& c) {
    snapshot_tx tx{c};
    std::vector<expected_client> out;
    for (const auto& r : tx.exec_prepared(sql::report_expected_clients, f.from, f.to, nullable(as_text(f.site_id)),
                                          nullable(as_text(f.group_id)), nullable(as_text(f.client_id))))
      out.push_back(read_expected(r));
    return out;
  };
  co_return co_await pool_.run(work);
}

task<weekly_hours_facts> pg_report_store::weekly_hours_facts_of(const report_filter& f, int limit) {
  auto work = [f, limit](pqxx::connection& c) {
    snapshot_tx tx{c};
    weekly_hours_facts out;
    const auto site = as_text(f.site_id), client = as_text(f.client_id);
    for (const auto& r :
         tx.exec_prepared(sql::report_episodes, f.from, f.to, nullable(site), nullable(client), limit + 1)) {
      report_episode e;
      e.episode_id = r[0].as<id_t>();
      e.client_id = r[1].as<id_t>();
      e.site_id = r[2].as<id_t>();
      e.client_first_name = r[3].as<std::string>();
      e.site_name = r[4].as<std::string>();
      e.time_zone = r[5].as<std::string>();
      out.episodes.push_back(std::move(e));
    }
    if (static_cast<int>(out.episodes.size()) > limit) return out;  // too many: the caller refuses
    for (const auto& r :
         tx.exec_prepared(sql::report_episode_marks, f.from, f.to, nullable(site), nullable(client), limit + 1)) {
      episode_mark m;
      m.episode_id = r[0].as<id_t>();
      m.local_date = r[1].as<std::string>();
      m.status = r[2].as<std::string>();
      if (!r[3].is_null()) m.minutes = r[3].as<int>();
      m.session_seconds = r[4].as<long long>();
      out.marks.push_back(std::move(m));
    }
    return out;
  };
  co_return co_await pool_.run(work);
}

}  // namespace rollcall::store
