// pg_directory: a client's family contacts, their consent, its revocation and archiving.
#include <pqxx/pqxx>

#include "rollcall/store/pg_audit.hpp"
#include "rollcall/store/pg_directory.hpp"
#include "rollcall/store/pg_directory_rows.hpp"
#include "rollcall/store/pg_paging.hpp"

namespace rollcall::store {

using namespace ports;

namespace {

family_contact select_contact(pqxx::work& tx, id_t id) {
  return read_contact(tx.exec_prepared1(sql::select_contact, id));
}

// One change to a contact row, audited with its before and after. `change` runs between the
// lock and the audit; it may refuse, and then nothing is written.
template <class Change>
outcome<family_contact> change_contact(pqxx::connection& c, id_t id, const std::string& actor, const char* action,
                                       Change change) {
  pqxx::work tx{c};
  if (auto refused = lock_for_change(tx, sql::lock_contact, id, "contact")) return *refused;
  const auto before = snapshot(tx, sql::snapshot_contact, id);
  auto cancelled = change(tx);
  if (!cancelled) return cancelled.error();
  auto out = select_contact(tx, id);
  out.messages_cancelled = *cancelled;
  audit_change(tx, actor, action, "family_contact", sql::snapshot_contact, id, before,
               {{"client_id", out.client_id}, {"messages_cancelled", out.messages_cancelled}});
  tx.commit();
  return out;
}

// A contact nobody can reach is no use: phone or email must remain.
std::optional<rejection> unreachable(pqxx::work& tx, id_t id) {
  const auto now = select_contact(tx, id);
  if (now.phone.empty() && now.email.empty()) return reject(errc::invalid_input, "phone", "phone or email is required");
  return std::nullopt;
}

int cancel_messages(pqxx::work& tx, id_t id, const char* why) {
  return static_cast<int>(tx.exec_prepared(sql::cancel_contact_messages, id, std::string{why}).affected_rows());
}

}  // namespace

task<outcome<family_contact>> pg_directory::create_contact(const new_family_contact& in, const std::string& actor) {
  auto work = [in, actor](pqxx::connection& c) -> outcome<family_contact> {
    pqxx::work tx{c};
    auto lock = tx.exec_prepared(sql::lock_client, in.client_id);
    if (lock.empty()) return reject(errc::not_found, "client_id", "no such client");
    if (lock[0][0].as<bool>()) return reject(errc::conflict, "client_id", "the client is archived");
    const auto id = tx.exec_prepared1(sql::insert_contact, in.client_id, in.name, in.relationship, in.phone, in.email,
                                      in.consent_date)[0]
                        .as<id_t>();
    audit_change(tx, actor, "create", "family_contact", sql::snapshot_contact, id, std::nullopt,
                 {{"client_id", in.client_id}});
    auto out = select_contact(tx, id);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<result<family_contact>> pg_directory::get_contact(id_t id) {
  auto work = [id](pqxx::connection& c) -> result<family_contact> {
    pqxx::read_transaction tx{c};
    auto rows = tx.exec_prepared(sql::select_contact, id);
    if (rows.empty()) return errc::not_found;
    return read_contact(rows[0]);
  };
  co_return co_await pool_.run(work);
}

task<result<page<family_contact>>> pg_directory::contacts_of_client(id_t client_id, status_filter status,
                                                                    const page_request& p) {
  auto work = [client_id, status, p](pqxx::connection& c) -> result<page<family_contact>> {
    pqxx::read_transaction tx{c};
    if (tx.exec_prepared(sql::client_exists, client_id).empty()) return errc::not_found;
    const std::string which = to_string(status);
    return read_page<family_contact>(tx, sql::contacts_of_client, p, read_contact, client_id, which);
  };
  co_return co_await pool_.run(work);
}

task<outcome<family_contact>> pg_directory::update_contact(id_t id, const contact_patch& patch,
                                                           const std::string& actor) {
  auto work = [id, patch, actor](pqxx::connection& c) {
    return change_contact(c, id, actor, "update", [&](pqxx::work& tx) -> outcome<int> {
      tx.exec_prepared(sql::update_contact, id, nullable(patch.name), nullable(patch.relationship),
                       nullable(patch.phone), nullable(patch.email));
      if (auto refused = unreachable(tx, id)) return *refused;
      return 0;
    });
  };
  co_return co_await pool_.run(work);
}

task<outcome<family_contact>> pg_directory::record_consent(id_t id, const std::string& consent_date,
                                                           const std::string& actor) {
  auto work = [id, consent_date, actor](pqxx::connection& c) {
    return change_contact(c, id, actor, "consent", [&](pqxx::work& tx) -> outcome<int> {
      tx.exec_prepared(sql::consent_contact, id, consent_date);
      return 0;
    });
  };
  co_return co_await pool_.run(work);
}

task<outcome<family_contact>> pg_directory::revoke_consent(id_t id, const std::string& actor) {
  auto work = [id, actor](pqxx::connection& c) {
    return change_contact(c, id, actor, "revoke_consent", [&](pqxx::work& tx) -> outcome<int> {
      tx.exec_prepared(sql::revoke_contact, id);
      return cancel_messages(tx, id, "consent revoked");
    });
  };
  co_return co_await pool_.run(work);
}

task<outcome<family_contact>> pg_directory::archive_contact(id_t id, const std::string& actor) {
  auto work = [id, actor](pqxx::connection& c) {
    return change_contact(c, id, actor, "archive", [&](pqxx::work& tx) -> outcome<int> {
      tx.exec_prepared(sql::archive_contact, id);
      return cancel_messages(tx, id, "contact archived");
    });
  };
  co_return co_await pool_.run(work);
}

}  // namespace rollcall::store
