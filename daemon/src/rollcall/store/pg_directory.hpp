// The PostgreSQL adapter for reading, changing and archiving the directory, family contacts,
// session reads and the audit log (pg_directory.cpp, pg_people.cpp, pg_contacts.cpp).
#pragma once

#include <cstddef>
#include <deque>
#include <exception>
#include <memory>

#include <boost/json/array.hpp>

#include "rollcall/ports/directory_admin.hpp"
#include "rollcall/store/db_pool.hpp"

namespace rollcall::store {

class pg_directory final : public ports::directory_admin_store,
                           public ports::family_contact_store,
                           public ports::audit_store {
 public:
  explicit pg_directory(db_pool& pool) : pool_(pool) {}

  template <class T>
  using task = boost::asio::awaitable<T>;
  using id_t = ports::id_t;

  task<ports::page<ports::site>> list_sites(ports::status_filter status, const ports::page_request& p,
                                            const std::optional<std::vector<ports::id_t>>& site_ids) override;
  task<outcome<ports::site>> update_site(id_t id, const ports::site_patch& patch, const std::string& actor) override;
  task<outcome<ports::site>> archive_site(id_t id, const std::string& actor) override;
  task<result<std::vector<ports::closure>>> closures_of_site(id_t site_id, ports::status_filter status) override;
  task<outcome<ports::closure>> archive_closure(id_t site_id, id_t closure_id, const std::string& actor) override;

  task<outcome<ports::staff>> create_staff(const ports::new_staff& in, const std::string& actor) override;
  task<result<ports::staff>> get_staff(id_t id) override;
  task<ports::page<ports::staff>> list_staff(ports::status_filter status, const ports::page_request& p) override;
  task<outcome<ports::staff>> update_staff(id_t id, const ports::staff_patch& patch, const std::string& actor) override;
  task<outcome<ports::staff>> archive_staff(id_t id, const std::string& actor) override;

  task<outcome<ports::client>> create_client(const ports::new_client& in, const std::string& actor) override;
  task<result<ports::client>> get_client(id_t id) override;
  task<ports::page<ports::client>> list_clients(const ports::client_filter& f, const ports::page_request& p) override;
  task<outcome<ports::client>> update_client(id_t id, const ports::client_patch& patch,
                                             const std::string& actor) override;
  task<outcome<ports::client>> archive_client(id_t id, const std::string& actor) override;

  task<result<ports::session>> get_session(id_t id) override;
  task<ports::page<ports::session>> list_sessions(const ports::session_filter& f,
                                                  const ports::page_request& p) override;

  task<outcome<ports::family_contact>> create_contact(const ports::new_family_contact& in,
                                                      const std::string& actor) override;
  task<result<ports::family_contact>> get_contact(id_t id) override;
  task<result<ports::page<ports::family_contact>>> contacts_of_client(id_t client_id, ports::status_filter status,
                                                                      const ports::page_request& p) override;
  task<outcome<ports::family_contact>> update_contact(id_t id, const ports::contact_patch& patch,
                                                      const std::string& actor) override;
  task<outcome<ports::family_contact>> record_consent(id_t id, const std::string& consent_date,
                                                      const std::string& actor) override;
  task<outcome<ports::family_contact>> revoke_consent(id_t id, const std::string& actor) override;
  task<outcome<ports::family_contact>> archive_contact(id_t id, const std::string& actor) override;

  task<ports::page<ports::audit_entry>> list_audit(const ports::audit_filter& filter,
                                                   const ports::page_request& p) override;
  // Group commit: while one INSERT of access rows is in flight, rows arriving meanwhile queue
  // and go together in the next (at most access_batch_limit a statement), so under load the
  // access audit costs a fraction of a commit a request instead of one. Every caller returns
  // (or throws) once its own row's transaction has. A batch refused for a row's content (SQLSTATE
  // 22xxx, 23xxx) is written again row by row, so a bad row costs only itself. Callers share
  // one single-threaded executor.
  task<void> record_access(const ports::access_record& r) override;
  static constexpr std::size_t access_batch_limit = 256;

 private:
  struct access_waiter;
  struct queued_access {
    ports::access_record row;
    std::shared_ptr<access_waiter> waiter;
  };
  task<void> write_queued_access();
  // One transaction; the error it threw, if any.
  task<std::exception_ptr> write_access_rows(const boost::json::array& rows);

  db_pool& pool_;
  std::deque<queued_access> access_queue_;
  bool access_writing_ = false;
};

}  // namespace rollcall::store
