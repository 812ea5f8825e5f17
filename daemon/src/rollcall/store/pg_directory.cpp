// pg_directory: sites and closures read, changed and archived; session reads; the audit log.
#include "rollcall/store/pg_directory.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "rollcall/store/pg_audit.hpp"
#include "rollcall/store/pg_directory_rows.hpp"
#include "rollcall/store/pg_paging.hpp"
#include "rollcall/store/pg_rows.hpp"

namespace rollcall::store {

using namespace ports;

task<page<site>> pg_directory::list_sites(status_filter status, const page_request& p,
                                          const std::optional<std::vector<id_t>>& site_ids) {
  auto work = [status, p, site_ids](pqxx::connection& c) {
    pqxx::read_transaction tx{c};
    const std::string which = to_string(status);
    const auto sites = pg_id_array(site_ids);
    auto ids = read_page<id_t>(
        tx, sql::list_sites, p, [](const pqxx::row& r) { return r[0].as<id_t>(); }, which, nullable(sites));
    page<site> out;
    out.next_after = ids.next_after;
    for (const auto id : ids.items) out.items.push_back(*read_site(tx, id));
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<site>> pg_directory::update_site(id_t id, const site_patch& patch, const std::string& actor) {
  auto work = [id, patch, actor](pqxx::connection& c) -> outcome<site> {
    pqxx::work tx{c};
    auto lock = tx.exec_prepared(sql::lock_site, id);
    if (lock.empty()) return reject(errc::not_found, "id", "no such site");
    if (lock[0][0].as<bool>()) return reject(errc::conflict, "status", "the site is archived");
    // Groups keep local times; their sessions' instants were computed in the old zone.
    if (patch.time_zone && *patch.time_zone != lock[0][1].as<std::string>()) {
      auto groups = tx.exec_prepared(sql::groups_of_site_ids, id, true);
      if (!groups.empty())
        return reject(errc::conflict, "time_zone", "the site has groups (" + id_list(groups) + "); create a new site");
    }
    const auto before = snapshot(tx, sql::snapshot_site, id);
    tx.exec_prepared(sql::update_site, id, nullable(patch.name), nullable(patch.address), nullable(patch.phone),
                     nullable(patch.time_zone));
    audit_change(tx, actor, "update", "site", sql::snapshot_site, id, before);
    auto out = *read_site(tx, id);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<site>> pg_directory::archive_site(id_t id, const std::string& actor) {
  auto work = [id, actor](pqxx::connection& c) -> outcome<site> {
    pqxx::work tx{c};
    auto lock = tx.exec_prepared(sql::lock_site, id);
    if (lock.empty()) return reject(errc::not_found, "id", "no such site");
    if (lock[0][0].as<bool>()) return reject(errc::conflict, "status", "the site is archived already");
    auto groups = tx.exec_prepared(sql::groups_of_site_ids, id, false);
    if (!groups.empty()) return reject(errc::conflict, "groups", "archive the site's groups first: " + id_list(groups));
    const auto before = snapshot(tx, sql::snapshot_site, id);
    tx.exec_prepared(sql::archive_site, id);
    audit_change(tx, actor, "archive", "site", sql::snapshot_site, id, before);
    auto out = *read_site(tx, id);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<result<std::vector<closure>>> pg_directory::closures_of_site(id_t site_id, status_filter status) {
  auto work = [site_id, status](pqxx::connection& c) -> result<std::vector<closure>> {
    pqxx::read_transaction tx{c};
    if (tx.exec_prepared(sql::site_exists, site_id).empty()) return errc::not_found;
    std::vector<closure> out;
    for (const auto& r : tx.exec_prepared(sql::closures_by_status, site_id, std::string{to_string(status)}))
      out.push_back(read_closure_row(r));
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<closure>> pg_directory::archive_closure(id_t site_id, id_t closure_id, const std::string& actor) {
  auto work = [site_id, closure_id, actor](pqxx::connection& c) -> outcome<closure> {
    pqxx::work tx{c};
    auto lock = tx.exec_prepared(sql::lock_closure, closure_id, site_id);
    if (lock.empty()) return reject(errc::not_found, "closure_id", "no such closure at this site");
    if (lock[0][0].as<bool>()) return reject(errc::conflict, "status", "the closure is archived already");
    // Planning reads closures under this lock: it sees the closure either in force or gone.
    tx.exec_prepared(sql::lock_calendar);
    const auto before = snapshot(tx, sql::snapshot_closure, closure_id);
    tx.exec_prepared(sql::archive_closure, closure_id);
    audit_change(tx, actor, "archive", "site_closure", sql::snapshot_closure, closure_id, before,
                 {{"site_id", site_id}});
    auto out = read_closure_row(tx.exec_prepared1(sql::select_closure, closure_id));
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<result<session>> pg_directory::get_session(id_t id) {
  auto work = [id](pqxx::connection& c) -> result<session> {
    pqxx::read_transaction tx{c};
    auto rows = tx.exec_prepared(sql::select_session, id);
    if (rows.empty()) return errc::not_found;
    return read_session(rows[0]);
  };
  co_return co_await pool_.run(work);
}

task<page<session>> pg_directory::list_sessions(const session_filter& f, const page_request& p) {
  auto work = [f, p](pqxx::connection& c) {
    pqxx::read_transaction tx{c};
    const auto site = as_text(f.site_id), group = as_text(f.group_id);
    const std::optional<std::string> cancelled =
        f.cancelled ? std::optional<std::string>{*f.cancelled ? "true" : "false"} : std::nullopt;
    return read_page<session>(tx, sql::list_sessions, p, read_session, nullable(site), nullable(group),
                              nullable(f.from), nullable(f.to), nullable(cancelled));
  };
  co_return co_await pool_.run(work);
}

task<page<audit_entry>> pg_directory::list_audit(const audit_filter& filter, const page_request& p) {
  auto work = [filter, p](pqxx::connection& c) {
    pqxx::read_transaction tx{c};
    const auto id = as_text(filter.entity_id);
    auto read = [](const pqxx::row& r) {
      audit_entry e;
      e.id = r[0].as<id_t>();
      e.at = from_epoch(r[1].as<long long>());
      e.actor = r[2].as<std::string>();
      e.action = r[3].as<std::string>();
      e.entity = r[4].as<std::string>();
      if (!r[5].is_null()) e.entity_id = r[5].as<id_t>();
      e.detail = r[6].as<std::string>();
      e.before = r[7].as<std::string>();
      e.after = r[8].as<std::string>();
      e.kind = r[9].as<std::string>();
      e.source_address = r[10].as<std::string>();
      return e;
    };
    return read_page<audit_entry>(tx, sql::list_audit, p, read, nullable(filter.entity), nullable(id),
                                  nullable(filter.kind), nullable(filter.actor));
  };
  co_return co_await pool_.run(work);
}

namespace {
// Whether the database refused the statement for a row's content (SQLSTATE class 22, data
// exception, or 23, integrity constraint): the batch's other rows are worth writing alone.
bool refused_for_a_row(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const pqxx::sql_error& s) {
    const std::string state = s.sqlstate();
    return state.starts_with("22") || state.starts_with("23");
  } catch (...) {
    return false;
  }
}

boost::json::object access_row(const access_record& r) {
  const auto source = inet_text(r.source_address);
  return {{"actor", r.actor},   {"action", r.action},
          {"entity", r.entity}, {"entity_id", r.entity_id ? boost::json::value(*r.entity_id) : nullptr},
          {"detail", r.detail}, {"source", source ? boost::json::value(*source) : nullptr}};
}
}  // namespace

struct pg_directory::access_waiter {
  explicit access_waiter(const boost::asio::any_io_executor& ex)
      : wake(ex, std::chrono::steady_clock::time_point::max()) {}
  void finish(std::exception_ptr e) {
    error = std::move(e);
    done = true;
    wake.cancel();
  }
  boost::asio::steady_timer wake;  // cancelled when the row's transaction is done
  bool done = false;
  std::exception_ptr error;
};

task<void> pg_directory::record_access(const access_record& r) {
  const auto ex = co_await boost::asio::this_coro::executor;
  auto waiter = std::make_shared<access_waiter>(ex);
  access_queue_.push_back({r, waiter});
  if (!access_writing_) {
    access_writing_ = true;
    auto writer = write_queued_access();
    // The writer catches what a batch throws; should anything else escape it, the rows still
    // queued fail (each caller logs its row as not written) rather than wait for ever.
    boost::asio::co_spawn(ex, std::move(writer), [this](const std::exception_ptr& e) {
      if (!e) return;  // it finished with the queue empty (and said so before returning)
      access_writing_ = false;
      for (auto& q : access_queue_) q.waiter->finish(e);
      access_queue_.clear();
    });
  }
  while (!waiter->done) co_await waiter->wake.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  if (waiter->error) std::rethrow_exception(waiter->error);
}

task<void> pg_directory::write_queued_access() {
  while (!access_queue_.empty()) {
    const auto n = std::min(access_queue_.size(), access_batch_limit);
    std::vector<queued_access> batch;
    batch.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(access_queue_.front()));
      access_queue_.pop_front();
    }
    std::vector<std::exception_ptr> errors(n);
    try {
      boost::json::array rows;
      rows.reserve(n);
      for (const auto& q : batch) rows.push_back(access_row(q.row));
      const auto error = co_await write_access_rows(rows);
      std::fill(errors.begin(), errors.end(), error);
      // A row the database refuses costs only itself: the others are written one by one.
      if (error && n > 1 && refused_for_a_row(error))
        for (std::size_t i = 0; i < n; ++i) {
          const boost::json::array one{rows[i]};
          errors[i] = co_await write_access_rows(one);
          if (errors[i] && !refused_for_a_row(errors[i])) {
            // The database is out of reach (or refusing every row): the rest fail with it.
            std::fill(errors.begin() + static_cast<std::ptrdiff_t>(i), errors.end(), errors[i]);
            break;
          }
        }
    } catch (...) {
      std::fill(errors.begin(), errors.end(), std::current_exception());
    }
    for (std::size_t i = 0; i < n; ++i) batch[i].waiter->finish(errors[i]);
  }
  access_writing_ = false;
}

task<std::exception_ptr> pg_directory::write_access_rows(const boost::json::array& rows) {
  try {
    auto work = [text = boost::json::serialize(rows)](pqxx::connection& c) {
      pqxx::work tx{c};
      tx.exec_prepared(sql::insert_access_audit, text);
      tx.commit();
    };
    co_await pool_.run(work);
  } catch (...) {
    co_return std::current_exception();
  }
  co_return nullptr;
}

}  // namespace rollcall::store
