// pg_import_store: reads the facts a batch needs, lets domain::check_against judge the rows,
// and writes every row (with an audit row per created record) or none.
#include "rollcall/store/pg_import_store.hpp"

#include <cstdio>

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "rollcall/store/pg_rows.hpp"
#include "rollcall/store/sql_import.hpp"

namespace rollcall::store {

using namespace ports;
namespace json = boost::json;

namespace {

template <class Range>
std::string json_list(const Range& keys) {
  json::array a;
  for (const auto& k : keys) a.push_back(json::value(k));
  return json::serialize(a);
}

std::string hours_text(double h) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f", h);
  return buf;
}

domain::import_facts read_facts(pqxx::work& tx, const domain::import_batch& b) {
  std::set<std::string> client_ids, staff_ids;
  std::set<std::int64_t> site_ids, group_ids;
  for (const auto& r : b.clients) client_ids.insert(r.external_id);
  for (const auto& r : b.staff) staff_ids.insert(r.external_id);
  for (const auto& r : b.family_contacts) client_ids.insert(r.client_external_id);
  for (const auto& r : b.enrollments) {
    client_ids.insert(r.client_external_id);
    staff_ids.insert(r.counselor_external_id);
    if (!r.case_manager_external_id.empty()) staff_ids.insert(r.case_manager_external_id);
    if (r.site_id) site_ids.insert(r.site_id);
    group_ids.insert(r.group_ids.begin(), r.group_ids.end());
  }
  domain::import_facts f;
  for (const auto& r : tx.exec_prepared(sql::import_clients_by_external_id, json_list(client_ids))) {
    auto& c = f.clients[r[0].as<std::string>()];
    c.id = r[1].as<id_t>();
    c.archived = r[2].as<bool>();
    c.active_episode = r[3].as<bool>();
    if (b.kind == domain::import_kind::clients) f.taken_external_ids.insert(r[0].as<std::string>());
  }
  for (const auto& r : tx.exec_prepared(sql::import_open_placements, json_list(client_ids)))
    f.clients[r[0].as<std::string>()].open_groups.insert(r[1].as<id_t>());
  for (const auto& r : tx.exec_prepared(sql::import_staff_by_external_id, json_list(staff_ids))) {
    if (b.kind == domain::import_kind::staff) f.taken_external_ids.insert(r[0].as<std::string>());
    if (!r[2].as<bool>()) f.staff[r[0].as<std::string>()] = r[1].as<id_t>();
  }
  for (const auto& r : tx.exec_prepared(sql::import_sites, json_list(site_ids))) f.sites.insert(r[0].as<id_t>());
  for (const auto& r : tx.exec_prepared(sql::import_groups, json_list(group_ids)))
    f.groups[r[0].as<id_t>()] = {r[1].as<id_t>(), r[2].as<int>(), r[3].as<int>()};
  return f;
}

void write_rows(pqxx::work& tx, const domain::import_batch& b, const domain::import_facts& f, const std::string& actor,
                const event_subscriptions& events, import_result& out) {
  auto audit_row = [&](const char* entity, id_t id, int line, json::object detail = {}) {
    detail["source"] = "import";
    detail["line"] = line;
    audit(tx, actor, "create", entity, id, detail);
  };
  for (const auto& r : b.clients) {
    const auto id =
        tx.exec_prepared1(sql::import_insert_client, r.external_id, r.first_name, r.phone, r.email)[0].as<id_t>();
    audit_row("client", id, r.line);
    out.ids.push_back(id);
  }
  for (const auto& r : b.staff) {
    const auto id =
        tx.exec_prepared1(sql::import_insert_staff, r.external_id, r.name, r.phone, r.email, r.alert_webhook_url)[0]
            .as<id_t>();
    audit_row("staff", id, r.line);
    out.ids.push_back(id);
  }
  for (const auto& r : b.family_contacts) {
    const auto client_id = f.clients.at(r.client_external_id).id;
    const auto id = tx.exec_prepared1(sql::import_insert_family_contact, client_id, r.name, r.relationship, r.phone,
                                      r.email, r.consent_date)[0]
                        .as<id_t>();
    audit_row("family_contact", id, r.line, {{"client_id", client_id}});
    out.ids.push_back(id);
  }
  for (const auto& r : b.enrollments) {
    const auto client_id = f.clients.at(r.client_external_id).id;
    const auto counselor_id = f.staff.at(r.counselor_external_id);
    const id_t case_manager_id = r.case_manager_external_id.empty() ? 0 : f.staff.at(r.case_manager_external_id);
    const auto hours = hours_text(r.weekly_hours_required);
    const auto episode_id = tx.exec_prepared1(sql::import_insert_episode, client_id, r.site_id, r.level_of_care,
                                              r.start_date, r.planned_weeks, counselor_id, case_manager_id, hours)[0]
                                .as<id_t>();
    audit_row("episode", episode_id, r.line, {{"client_id", client_id}, {"site_id", r.site_id}});
    const auto level_id =
        tx.exec_prepared1(sql::import_insert_episode_level, episode_id, r.level_of_care, hours, r.start_date, actor)[0]
            .as<id_t>();
    audit_row("episode_level", level_id, r.line, {{"episode_id", episode_id}});
    for (const auto g : r.group_ids) {
      const auto placement =
          tx.exec_prepared1(sql::import_insert_placement, client_id, g, counselor_id, r.start_date, episode_id)[0]
              .as<id_t>();
      audit_row("enrollment", placement, r.line,
                {{"client_id", client_id}, {"group_id", g}, {"episode_id", episode_id}});
      queue_enrollment_event(tx, events, placement, "created");
      ++out.placements;
    }
    out.ids.push_back(episode_id);
  }
}

}  // namespace

task<import_result> pg_import_store::import_batch(const domain::import_batch& batch, bool commit,
                                                  const std::string& actor) {
  auto work = [&batch, commit, actor, &events = events_](pqxx::connection& c) {
    pqxx::work tx{c};
    tx.exec_prepared(sql::import_lock);
    const auto facts = read_facts(tx, batch);
    import_result out;
    out.errors = domain::check_against(batch, facts);
    if (!commit || !out.errors.empty()) return out;  // the transaction rolls back: nothing written
    write_rows(tx, batch, facts, actor, events, out);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

}  // namespace rollcall::store
