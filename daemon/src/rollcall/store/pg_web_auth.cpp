// pg_web_auth_store: logins (argon2id hashes only), sign-in, and sessions (cookie hashes only).
// Neither a password nor a hash reaches the audit log (snapshot_staff_login leaves the hash out).
#include "rollcall/store/pg_web_auth.hpp"

#include <algorithm>

#include <pqxx/pqxx>

#include "rollcall/store/pg_audit.hpp"
#include "rollcall/store/pg_paging.hpp"
#include "rollcall/store/pg_rows.hpp"
#include "rollcall/store/sql_web_auth.hpp"
#include "rollcall/support/passwords.hpp"

namespace rollcall::store {

using namespace ports;

namespace {

// Columns 0-5 of the login statements.
staff_login read_login(const pqxx::row& r) {
  staff_login l;
  l.staff_id = r[0].as<id_t>();
  l.name = r[1].as<std::string>();
  l.username = r[2].as<std::string>();
  l.role = r[3].as<std::string>();
  if (!r[4].is_null()) l.disabled_at = from_epoch(r[4].as<long long>());
  l.site_ids = split_ids(r[5].as<std::string>());
  return l;
}

staff_login load_login(pqxx::transaction_base& tx, id_t staff_id) {
  return read_login(tx.exec_prepared1(sql::login_of_staff, staff_id));
}

// A sign-in or sign-out row, with the address it came from.
void audit_sign_in(pqxx::work& tx, const std::string& actor, const char* action, const char* entity,
                   std::optional<id_t> id, const boost::json::object& detail, const std::string& source_address) {
  const auto source = inet_text(source_address);
  tx.exec_prepared(sql::insert_sign_in_audit, actor, action, entity, id, boost::json::serialize(detail),
                   nullable(source));
}

void audit_anonymous(pqxx::work& tx, const char* action, std::optional<id_t> staff_id, const char* reason,
                     const std::string& source_address) {
  audit_sign_in(tx, "web-sign-in", action, "staff_login", staff_id, {{"reason", reason}}, source_address);
}

}  // namespace

task<outcome<staff_login>> pg_web_auth_store::put_login(const login_change& in, const std::string& actor) {
  auto work = [in, actor](pqxx::connection& c) -> outcome<staff_login> {
    // Hashed before the transaction starts, so no row lock waits for it.
    std::optional<std::string> hash;
    if (in.password) hash = support::hash_password(*in.password);
    pqxx::work tx{c};
    auto staff = tx.exec_prepared(sql::staff_archived, in.staff_id);
    if (staff.empty()) return reject(errc::not_found, "staff_id", "no such staff member");
    if (staff[0][0].as<bool>()) return reject(errc::conflict, "staff_id", "the staff member is archived");
    const bool had_login = !tx.exec_prepared(sql::lock_login, in.staff_id).empty();
    if (!had_login && !hash) return reject(errc::invalid_input, "password", "is required to create a login");
    if (!tx.exec_prepared(sql::username_taken, in.username, in.staff_id).empty())
      return reject(errc::conflict, "username", "is taken by another login");
    for (auto site : in.site_ids)
      if (!exists(tx, sql::site_exists, site))
        return reject(errc::invalid_input, "site_ids", "site " + std::to_string(site) + " does not exist");
    const auto before = snapshot(tx, sql::snapshot_staff_login, in.staff_id);
    if (had_login)
      tx.exec_prepared(sql::update_login, in.staff_id, in.username, hash, in.role);
    else
      tx.exec_prepared(sql::insert_login, in.staff_id, in.username, *hash, in.role);
    tx.exec_prepared(sql::clear_login_sites, in.staff_id);
    auto sites = in.site_ids;
    std::sort(sites.begin(), sites.end());
    sites.erase(std::unique(sites.begin(), sites.end()), sites.end());
    for (auto site : sites) tx.exec_prepared(sql::add_login_site, in.staff_id, site);
    // A new password ends the sessions the old one opened.
    int ended = 0;
    if (had_login && hash)
      ended = static_cast<int>(tx.exec_prepared(sql::end_sessions_of_staff, in.staff_id).affected_rows());
    audit_change(tx, actor, had_login ? "update" : "create", "staff_login", sql::snapshot_staff_login, in.staff_id,
                 before, {{"password_changed", hash.has_value()}, {"sessions_ended", ended}});
    auto out = load_login(tx, in.staff_id);
    tx.commit();
    return out;
  };
  try {
    co_return co_await pool_.run(work);
  } catch (const pqxx::unique_violation&) {
    // Another request took the username between the check and the insert.
  }
  co_return reject(errc::conflict, "username", "is taken by another login");
}

task<result<staff_login>> pg_web_auth_store::get_login(id_t staff_id) {
  auto work = [staff_id](pqxx::connection& c) -> result<staff_login> {
    pqxx::read_transaction tx{c};
    auto rows = tx.exec_prepared(sql::login_of_staff, staff_id);
    if (rows.empty()) return errc::not_found;
    return read_login(rows[0]);
  };
  co_return co_await pool_.run(work);
}

task<outcome<staff_login>> pg_web_auth_store::disable_login(id_t staff_id, const std::string& actor) {
  auto work = [staff_id, actor](pqxx::connection& c) -> outcome<staff_login> {
    pqxx::work tx{c};
    if (tx.exec_prepared(sql::lock_login, staff_id).empty())
      return reject(errc::not_found, "staff_id", "the staff member has no login");
    const auto before = snapshot(tx, sql::snapshot_staff_login, staff_id);
    const auto disabled = tx.exec_prepared(sql::disable_login, staff_id).affected_rows();
    const auto ended = tx.exec_prepared(sql::end_sessions_of_staff, staff_id).affected_rows();
    if (disabled > 0 || ended > 0)
      audit_change(tx, actor, "disable", "staff_login", sql::snapshot_staff_login, staff_id, before,
                   {{"sessions_ended", static_cast<std::int64_t>(ended)}});
    auto out = load_login(tx, staff_id);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<std::optional<sign_in_candidate>> pg_web_auth_store::find_login_for_sign_in(const std::string& username) {
  auto work = [username](pqxx::connection& c) -> std::optional<sign_in_candidate> {
    pqxx::read_transaction tx{c};
    auto rows = tx.exec_prepared(sql::login_by_username, username);
    if (rows.empty()) return std::nullopt;
    sign_in_candidate out;
    out.login = read_login(rows[0]);
    out.password_hash = rows[0][6].as<std::string>();
    out.may_sign_in = !out.login.disabled_at && !rows[0][7].as<bool>();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<result<web_session>> pg_web_auth_store::open_session(id_t staff_id, const std::string& verified_hash,
                                                          const new_web_session& session) {
  auto work = [staff_id, verified_hash, session](pqxx::connection& c) -> result<web_session> {
    pqxx::work tx{c};
    auto now = tx.exec_prepared(sql::login_for_session, staff_id);
    // The verify ran between two transactions: the login may have changed since it was read.
    if (now.empty() || now[0][0].as<std::string>() != verified_hash || !now[0][1].as<bool>()) {
      audit_anonymous(tx, "sign_in_failed", staff_id, "login changed during sign-in", session.source_address);
      tx.commit();
      return errc::unauthorized;
    }
    auto row = tx.exec_prepared1(sql::insert_web_session, session.token_hash, staff_id, session.csrf_token,
                                 session.max_age.count());
    web_session out;
    out.id = row[0].as<id_t>();
    out.expires_at = from_epoch(row[1].as<long long>());
    out.csrf_token = session.csrf_token;
    out.login = load_login(tx, staff_id);
    audit_sign_in(tx, "staff:" + out.login.username, "sign_in", "web_session", out.id,
                  {{"staff_id", out.login.staff_id}}, session.source_address);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<void> pg_web_auth_store::record_failed_sign_in(std::optional<id_t> staff_id, sign_in_refusal why,
                                                    const std::string& source_address) {
  const char* reason = why == sign_in_refusal::unknown_username ? "unknown username"
                       : why == sign_in_refusal::wrong_password ? "wrong password"
                                                                : "login disabled";
  auto work = [staff_id, reason, source_address](pqxx::connection& c) {
    pqxx::work tx{c};
    audit_anonymous(tx, "sign_in_failed", staff_id, reason, source_address);
    tx.commit();
  };
  co_await pool_.run(work);
}

task<std::optional<web_session>> pg_web_auth_store::session_by_token(const std::string& token_hash,
                                                                     const session_limits& limits) {
  // last_seen_at is written at most once a minute (more often only when the idle limit is
  // shorter than two minutes, so activity still keeps a short session open).
  const auto refresh = std::min<long long>(60, std::max<long long>(1, limits.idle.count() / 2));
  auto work = [token_hash, limits, refresh](pqxx::connection& c) -> std::optional<web_session> {
    pqxx::work tx{c};
    auto rows =
        tx.exec_prepared(sql::web_session_by_token, token_hash, limits.idle.count(), limits.max.count(), refresh);
    if (rows.empty()) return std::nullopt;
    const auto& r = rows[0];
    web_session s;
    s.login = read_login(r);
    s.id = r[6].as<id_t>();
    s.csrf_token = r[7].as<std::string>();
    s.expires_at = from_epoch(r[8].as<long long>());
    if (r[9].as<bool>()) tx.exec_prepared(sql::touch_web_session, s.id);
    tx.commit();
    return s;
  };
  co_return co_await pool_.run(work);
}

task<void> pg_web_auth_store::end_session(id_t session_id, const std::string& actor,
                                          const std::string& source_address) {
  auto work = [session_id, actor, source_address](pqxx::connection& c) {
    pqxx::work tx{c};
    auto rows = tx.exec_prepared(sql::end_web_session, session_id);
    if (!rows.empty())
      audit_sign_in(tx, actor, "sign_out", "web_session", session_id, {{"staff_id", rows[0][0].as<id_t>()}},
                    source_address);
    tx.commit();
  };
  co_await pool_.run(work);
}

}  // namespace rollcall::store
