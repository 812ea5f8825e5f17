// pg_directory: staff and clients created, read, changed and archived.
#include <pqxx/pqxx>

#include "rollcall/store/pg_audit.hpp"
#include "rollcall/store/pg_directory.hpp"
#include "rollcall/store/pg_directory_rows.hpp"
#include "rollcall/store/pg_paging.hpp"
#include "rollcall/store/pg_rows.hpp"

namespace rollcall::store {

using namespace ports;

namespace {

rejection external_id_taken(const char* what) {
  return reject(errc::conflict, "external_id", std::string{"is already the external id of another "} + what);
}

}  // namespace

task<outcome<staff>> pg_directory::create_staff(const new_staff& in, const std::string& actor) {
  auto work = [in, actor](pqxx::connection& c) -> outcome<staff> {
    pqxx::work tx{c};
    id_t id = 0;
    try {
      id = tx.exec_prepared1(sql::insert_staff, in.name, in.alert_webhook_url, in.phone, in.email, in.external_id,
                             in.chat_webhook_url)[0]
               .as<id_t>();
    } catch (const pqxx::unique_violation&) {
      return external_id_taken("staff member");
    }
    audit_change(tx, actor, "create", "staff", sql::snapshot_staff, id, std::nullopt);
    auto out = read_staff(tx.exec_prepared1(sql::select_staff, id));
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<result<staff>> pg_directory::get_staff(id_t id) {
  auto work = [id](pqxx::connection& c) -> result<staff> {
    pqxx::read_transaction tx{c};
    auto rows = tx.exec_prepared(sql::select_staff, id);
    if (rows.empty()) return errc::not_found;
    return read_staff(rows[0]);
  };
  co_return co_await pool_.run(work);
}

task<page<staff>> pg_directory::list_staff(status_filter status, const page_request& p) {
  auto work = [status, p](pqxx::connection& c) {
    pqxx::read_transaction tx{c};
    const std::string which = to_string(status);
    return read_page<staff>(tx, sql::list_staff, p, read_staff, which);
  };
  co_return co_await pool_.run(work);
}

task<outcome<staff>> pg_directory::update_staff(id_t id, const staff_patch& patch, const std::string& actor) {
  auto work = [id, patch, actor](pqxx::connection& c) -> outcome<staff> {
    pqxx::work tx{c};
    if (auto refused = lock_for_change(tx, sql::lock_staff, id, "staff member")) return *refused;
    const auto before = snapshot(tx, sql::snapshot_staff, id);
    try {
      tx.exec_prepared(sql::update_staff, id, nullable(patch.name), nullable(patch.alert_webhook_url),
                       nullable(patch.phone), nullable(patch.email), nullable(patch.external_id),
                       nullable(patch.chat_webhook_url));
    } catch (const pqxx::unique_violation&) {
      return external_id_taken("staff member");
    }
    auto out = read_staff(tx.exec_prepared1(sql::select_staff, id));
    if (out.alert_webhook_url.empty() && out.chat_webhook_url.empty() && out.phone.empty() && out.email.empty())
      return reject(errc::invalid_input, "alert_webhook_url",
                    "one of chat_webhook_url, alert_webhook_url, phone or email is needed to reach this person");
    audit_change(tx, actor, "update", "staff", sql::snapshot_staff, id, before);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<staff>> pg_directory::archive_staff(id_t id, const std::string& actor) {
  auto work = [id, actor](pqxx::connection& c) -> outcome<staff> {
    pqxx::work tx{c};
    if (auto refused = lock_for_change(tx, sql::lock_staff, id, "staff member")) return *refused;
    rejection busy{errc::conflict, {}, "the staff member still has active work; reassign it first", {}};
    if (auto eps = tx.exec_prepared(sql::staff_active_episodes, id); !eps.empty())
      busy.fields.push_back({"episodes", "counselor or case manager of active episodes " + id_list(eps)});
    if (auto groups = tx.exec_prepared(sql::staff_facilitated_groups, id); !groups.empty())
      busy.fields.push_back({"groups", "facilitator of groups " + id_list(groups)});
    if (!busy.fields.empty()) return busy;
    const auto before = snapshot(tx, sql::snapshot_staff, id);
    tx.exec_prepared(sql::archive_staff, id);
    audit_change(tx, actor, "archive", "staff", sql::snapshot_staff, id, before);
    auto out = read_staff(tx.exec_prepared1(sql::select_staff, id));
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<client>> pg_directory::create_client(const new_client& in, const std::string& actor) {
  auto work = [in, actor](pqxx::connection& c) -> outcome<client> {
    pqxx::work tx{c};
    id_t id = 0;
    try {
      id = tx.exec_prepared1(sql::insert_client, in.first_name, in.phone, in.email, in.external_id, in.language,
                             in.time_zone)[0]
               .as<id_t>();
    } catch (const pqxx::unique_violation&) {
      return external_id_taken("client");
    }
    audit_change(tx, actor, "create", "client", sql::snapshot_client, id, std::nullopt);
    auto out = read_client(tx.exec_prepared1(sql::select_client, id));
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<result<client>> pg_directory::get_client(id_t id) {
  auto work = [id](pqxx::connection& c) -> result<client> {
    pqxx::read_transaction tx{c};
    auto rows = tx.exec_prepared(sql::select_client, id);
    if (rows.empty()) return errc::not_found;
    return read_client(rows[0]);
  };
  co_return co_await pool_.run(work);
}

task<page<client>> pg_directory::list_clients(const client_filter& f, const page_request& p) {
  auto work = [f, p](pqxx::connection& c) {
    pqxx::read_transaction tx{c};
    const std::string which = to_string(f.status);
    const auto site = as_text(f.site_id);
    return read_page<client>(tx, sql::list_clients, p, read_client, which, nullable(site));
  };
  co_return co_await pool_.run(work);
}

task<outcome<client>> pg_directory::update_client(id_t id, const client_patch& patch, const std::string& actor) {
  auto work = [id, patch, actor](pqxx::connection& c) -> outcome<client> {
    pqxx::work tx{c};
    if (auto refused = lock_for_change(tx, sql::lock_client, id, "client")) return *refused;
    const auto before = snapshot(tx, sql::snapshot_client, id);
    try {
      tx.exec_prepared(sql::update_client, id, nullable(patch.first_name), nullable(patch.phone), nullable(patch.email),
                       nullable(patch.external_id), nullable(patch.language), nullable(patch.time_zone));
    } catch (const pqxx::unique_violation&) {
      return external_id_taken("client");
    }
    audit_change(tx, actor, "update", "client", sql::snapshot_client, id, before);
    auto out = read_client(tx.exec_prepared1(sql::select_client, id));
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<client>> pg_directory::archive_client(id_t id, const std::string& actor) {
  auto work = [id, actor](pqxx::connection& c) -> outcome<client> {
    pqxx::work tx{c};
    if (auto refused = lock_for_change(tx, sql::lock_client, id, "client")) return *refused;
    if (auto eps = tx.exec_prepared(sql::client_active_episodes, id); !eps.empty())
      return rejection{errc::conflict,
                       {{"episodes", "the client has active episodes " + id_list(eps)}},
                       "discharge the client's active episode first",
                       {}};
    const auto before = snapshot(tx, sql::snapshot_client, id);
    tx.exec_prepared(sql::archive_client, id);
    audit_change(tx, actor, "archive", "client", sql::snapshot_client, id, before);
    auto out = read_client(tx.exec_prepared1(sql::select_client, id));
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

}  // namespace rollcall::store
