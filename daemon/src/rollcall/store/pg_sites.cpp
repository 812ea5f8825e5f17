// pg_store: sites, their slot catalogue and closures.
#include <pqxx/pqxx>

#include "rollcall/domain/schedule.hpp"
#include "rollcall/store/pg_audit.hpp"
#include "rollcall/store/pg_rows.hpp"
#include "rollcall/store/pg_store.hpp"

namespace rollcall::store {

using namespace ports;

namespace {
std::vector<slot_times> read_slots(pqxx::transaction_base& tx, id_t site_id) {
  std::vector<slot_times> out;
  for (const auto& r : tx.exec_prepared(sql::slots_of_site, site_id))
    out.push_back({r[0].as<std::string>(), r[1].as<int>(), r[2].as<int>()});
  return out;
}
}  // namespace

std::optional<site> read_site(pqxx::transaction_base& tx, id_t id) {
  auto rows = tx.exec_prepared(sql::select_site, id);
  if (rows.empty()) return std::nullopt;
  site out;
  out.id = rows[0][0].as<id_t>();
  out.name = rows[0][1].as<std::string>();
  out.time_zone = rows[0][2].as<std::string>();
  out.address = rows[0][3].as<std::string>();
  out.phone = rows[0][4].as<std::string>();
  if (!rows[0][5].is_null()) out.archived_at = from_epoch(rows[0][5].as<long long>());
  out.slots = read_slots(tx, id);
  return out;
}

task<site> pg_store::create_site(const new_site& in, const std::string& actor) {
  auto work = [in, actor](pqxx::connection& c) {
    pqxx::work tx{c};
    const auto id = tx.exec_prepared1(sql::insert_site, in.name, in.time_zone, in.address, in.phone)[0].as<id_t>();
    for (const auto& d : domain::default_slots())
      tx.exec_prepared(sql::upsert_slot, id, std::string{domain::to_string(d.which)}, static_cast<int>(d.start.count()),
                       static_cast<int>(d.end.count()));
    audit_change(tx, actor, "create", "site", sql::snapshot_site, id, std::nullopt);
    auto out = *read_site(tx, id);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<result<site>> pg_store::get_site(id_t id) {
  auto work = [id](pqxx::connection& c) -> result<site> {
    pqxx::read_transaction tx{c};
    auto out = read_site(tx, id);
    if (!out) return errc::not_found;
    return std::move(*out);
  };
  co_return co_await pool_.run(work);
}

task<outcome<site>> pg_store::set_slot_times(id_t site_id, const slot_times& times, const std::string& actor) {
  auto work = [site_id, times, actor](pqxx::connection& c) -> outcome<site> {
    pqxx::work tx{c};
    if (!exists(tx, sql::site_exists, site_id)) return reject(errc::not_found, "site_id", "no such site");
    const auto before = snapshot(tx, sql::snapshot_site_slots, site_id);
    tx.exec_prepared(sql::upsert_slot, site_id, times.slot, times.start_second, times.end_second);
    audit_change(tx, actor, "update", "site_slot", sql::snapshot_site_slots, site_id, before,
                 {{"slot", times.slot}, {"start_second", times.start_second}, {"end_second", times.end_second}});
    auto out = *read_site(tx, site_id);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<result<site_plan_inputs>> pg_store::plan_inputs_of_site(id_t site_id, const std::string& from,
                                                             const std::string& to) {
  auto work = [site_id, from, to](pqxx::connection& c) -> result<site_plan_inputs> {
    pqxx::read_transaction tx{c};  // one snapshot for all five reads
    auto where = read_site(tx, site_id);
    if (!where) return errc::not_found;
    site_plan_inputs out;
    out.where = std::move(*where);
    for (const auto& r : tx.exec_prepared(sql::groups_of_site, site_id)) {
      group g = read_group(r);
      g.level_of_care = r[8].as<std::string>();
      if (const int seats = r[9].as<int>()) g.capacity = seats;
      g.room = r[10].as<std::string>();
      g.telehealth_url = r[11].as<std::string>();
      out.groups.push_back(std::move(g));
    }
    for (const auto& r : tx.exec_prepared(sql::closures_of_site, site_id)) out.closures.push_back(read_closure(r));
    for (const auto& r : tx.exec_prepared(sql::sessions_of_site, site_id, from, to))
      out.sessions.push_back(read_session(r));
    for (const auto& r : tx.exec_prepared(sql::enrolled_clients_of_site, site_id))
      out.clients.push_back({r[0].as<id_t>(), r[1].as<id_t>(), r[2].as<std::string>(), r[3].as<std::string>(),
                             r[4].as<std::string>(), r[5].as<std::string>(), r[6].as<std::string>()});
    return out;
  };
  co_return co_await pool_.run(work);
}

}  // namespace rollcall::store
