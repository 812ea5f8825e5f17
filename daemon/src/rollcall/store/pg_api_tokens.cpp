// pg_api_token_store: tokens by name for the admin command, by hash for the server.
#include "rollcall/store/pg_api_tokens.hpp"

#include <algorithm>

#include <pqxx/pqxx>

#include "rollcall/store/pg_audit.hpp"
#include "rollcall/store/pg_rows.hpp"
#include "rollcall/store/sql_api_tokens.hpp"

namespace rollcall::store {

using namespace ports;

namespace {

// Columns 0-6 of the token statements.
api_token read_token(const pqxx::row& r) {
  api_token t;
  t.id = r[0].as<id_t>();
  t.name = r[1].as<std::string>();
  t.role = r[2].as<std::string>();
  t.created_at = from_epoch(r[3].as<long long>());
  if (!r[4].is_null()) t.revoked_at = from_epoch(r[4].as<long long>());
  if (!r[5].is_null()) t.last_used_at = from_epoch(r[5].as<long long>());
  t.site_ids = split_ids(r[6].as<std::string>());
  return t;
}

}  // namespace

task<outcome<api_token>> pg_api_token_store::create_token(const new_api_token& in, const std::string& actor) {
  auto work = [in, actor](pqxx::connection& c) -> outcome<api_token> {
    pqxx::work tx{c};
    if (!tx.exec_prepared(sql::api_token_name_taken, in.name).empty())
      return reject(errc::conflict, "name", "a token named " + in.name + " exists already (revoked or not)");
    auto sites = in.site_ids;
    std::sort(sites.begin(), sites.end());
    sites.erase(std::unique(sites.begin(), sites.end()), sites.end());
    for (auto site : sites)
      if (!exists(tx, sql::site_exists, site))
        return reject(errc::invalid_input, "site", "site " + std::to_string(site) + " does not exist");
    const auto id = tx.exec_prepared1(sql::insert_api_token, in.name, in.role, in.token_hash)[0].as<id_t>();
    for (auto site : sites) tx.exec_prepared(sql::add_api_token_site, id, site);
    audit_change(tx, actor, "create", "api_token", sql::snapshot_api_token, id, std::nullopt);
    auto out = read_token(tx.exec_prepared1(sql::api_token_by_id, id));
    tx.commit();
    return out;
  };
  try {
    co_return co_await pool_.run(work);
  } catch (const pqxx::unique_violation&) {
    // Another command took the name between the check and the insert.
  }
  co_return reject(errc::conflict, "name", "a token named " + in.name + " exists already (revoked or not)");
}

task<outcome<api_token>> pg_api_token_store::revoke_token(const std::string& name, const std::string& actor) {
  auto work = [name, actor](pqxx::connection& c) -> outcome<api_token> {
    pqxx::work tx{c};
    auto rows = tx.exec_prepared(sql::lock_api_token_by_name, name);
    if (rows.empty()) return reject(errc::not_found, "name", "no token is named " + name);
    const auto id = rows[0][0].as<id_t>();
    if (rows[0][1].as<bool>()) return reject(errc::conflict, "name", "the token " + name + " is already revoked");
    const auto before = snapshot(tx, sql::snapshot_api_token, id);
    tx.exec_prepared(sql::revoke_api_token, id);
    audit_change(tx, actor, "revoke", "api_token", sql::snapshot_api_token, id, before);
    auto out = read_token(tx.exec_prepared1(sql::api_token_by_id, id));
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<std::vector<api_token>> pg_api_token_store::list_tokens() {
  auto work = [](pqxx::connection& c) {
    pqxx::read_transaction tx{c};
    std::vector<api_token> out;
    for (const auto& r : tx.exec_prepared(sql::all_api_tokens)) out.push_back(read_token(r));
    return out;
  };
  co_return co_await pool_.run(work);
}

task<std::optional<token_match>> pg_api_token_store::token_by_hash(const std::string& token_hash) {
  auto work = [token_hash](pqxx::connection& c) -> std::optional<token_match> {
    pqxx::work tx{c};
    auto rows = tx.exec_prepared(sql::api_token_by_hash, token_hash);
    if (rows.empty()) return std::nullopt;
    token_match out{read_token(rows[0]), rows[0][7].as<std::string>()};
    // last_used_at is written at most once a minute: a busy integration costs no write per call.
    if (rows[0][8].as<bool>()) tx.exec_prepared(sql::touch_api_token, out.token.id);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

}  // namespace rollcall::store
