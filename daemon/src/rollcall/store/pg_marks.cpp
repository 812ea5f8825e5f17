// pg_store: staff attendance marks, one or a whole roster at a session, and a session's marks.
#include <algorithm>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "rollcall/store/pg_events.hpp"
#include "rollcall/store/pg_rows.hpp"
#include "rollcall/store/pg_store.hpp"
#include "rollcall/store/sql.hpp"
#include "rollcall/store/sql_alerts.hpp"

namespace rollcall::store {

using namespace ports;

namespace {

// Inserts the entries `writing` (indexes into `in`, in order) of staff marks at one session with
// their audit rows, their events and the rule-check queue; returns them as written.
std::vector<attendance_mark> write_marks(pqxx::work& tx, id_t session_id, const std::vector<attendance_mark_input>& in,
                                         const std::vector<std::size_t>& writing, const event_subscriptions& events) {
  boost::json::array rows;
  rows.reserve(writing.size());
  for (const auto i : writing) {
    const auto& m = in[i];
    rows.push_back({{"client_id", m.client_id},
                    {"status", m.status},
                    {"marked_by", m.marked_by},
                    {"minutes", m.minutes ? boost::json::value(*m.minutes) : nullptr},
                    {"reason", m.reason}});
  }
  const auto written = tx.exec_prepared(sql::insert_marks, session_id, boost::json::serialize(rows));
  std::vector<attendance_mark> out;
  std::vector<id_t> marked;
  for (std::size_t k = 0; k < writing.size(); ++k) {
    const auto& m = in[writing[k]];
    // Ids follow the insert's ORDER BY; checked, not assumed (a mismatch rolls everything back).
    if (k >= written.size() || written[k][2].as<id_t>() != m.client_id)
      throw std::logic_error("insert_marks: the marks came back in another order than written");
    out.push_back({written[k][0].as<id_t>(), session_id, m.client_id, m.status, "staff", m.marked_by,
                   from_epoch(written[k][1].as<long long>()), m.minutes, m.reason});
    // With a subscriber to attendance.marked, a statement or two a mark more (pg_events.cpp).
    queue_mark_event(tx, events, out.back().id);
    marked.push_back(m.client_id);
  }
  tx.exec_prepared(sql::queue_rule_checks, pg_array(marked));  // the escalation rules look again
  return out;
}

// Records staff marks at one session in `tx`, every one or none, in a few statements however
// many there are (a roster of 100 took 600 round trips one mark at a time; events aside). `roster`: a
// rejected entry is named "marks[2].client_id", else "client_id". `only_unmarked`: clients
// who have a mark (or come earlier in `in`) are skipped, and the answer lists what was written.
outcome<std::vector<attendance_mark>> marks_in(pqxx::work& tx, id_t session_id,
                                               const std::vector<attendance_mark_input>& in, sys_seconds now,
                                               bool roster, bool only_unmarked, const event_subscriptions& events) {
  std::vector<id_t> clients;
  for (const auto& m : in) clients.push_back(m.client_id);
  std::sort(clients.begin(), clients.end());
  clients.erase(std::unique(clients.begin(), clients.end()), clients.end());
  const auto client_array = pg_array(clients);
  // One client (a single mark): the statement with a scalar parameter (45 us against 74 in
  // the bench's pg_stat_statements).
  const auto session = clients.size() == 1 ? tx.exec_prepared(sql::lock_session_for_mark, session_id, clients.front())
                                           : tx.exec_prepared(sql::lock_session_for_marks, session_id, client_array);
  if (session.empty()) return reject(errc::not_found, "session_id", "no such session");
  // Every client's marks locked up front in client order (two rosters do not deadlock), so
  // that "already marked" cannot change before this commits.
  tx.exec_prepared(sql::lock_clients_marks, session_id, client_array);

  std::vector<std::size_t> writing;  // indexes into `in`
  std::set<id_t> skip;
  if (only_unmarked)
    for (const auto& r : tx.exec_prepared(sql::clients_marked, session_id, client_array)) skip.insert(r[0].as<id_t>());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (only_unmarked && !skip.insert(in[i].client_id).second) continue;
    writing.push_back(i);
  }
  if (writing.empty()) return std::vector<attendance_mark>{};

  // The checks in the order one mark at a time made them: the session, then the first entry's
  // client, then the start, then the other entries' clients.
  const auto starts_at = from_epoch(session[0][0].as<long long>());
  if (session[0][1].as<bool>()) return reject(errc::conflict, "session_id", "the session is cancelled");
  std::set<id_t> unexpected;
  if (clients.size() == 1) {
    if (!session[0][2].as<bool>()) unexpected.insert(clients.front());
  } else {
    for (const auto id : split_ids(session[0][2].as<std::string>())) unexpected.insert(id);
  }
  const auto not_expected = [&](std::size_t i) {
    std::string field = roster ? "marks[" + std::to_string(i) + "].client_id" : "client_id";
    return reject(errc::invalid_input, std::move(field), "the client is not expected at this session");
  };
  if (unexpected.contains(in[writing.front()].client_id)) return not_expected(writing.front());
  // Early arrivals can be checked in up to an hour before the start; no marks further ahead.
  if (now < starts_at - std::chrono::hours{1})
    return reject(errc::invalid_input, "session_id", "the session has not started yet");
  for (const auto i : writing)
    if (unexpected.contains(in[i].client_id)) return not_expected(i);

  return write_marks(tx, session_id, in, writing, events);
}

}  // namespace

task<outcome<attendance_mark>> pg_store::record_mark(const attendance_mark_input& in, sys_seconds now) {
  auto work = [in, now, &events = events_](pqxx::connection& c) -> outcome<attendance_mark> {
    pqxx::work tx{c};
    auto out = marks_in(tx, in.session_id, {in}, now, false, false, events);
    if (!out) return out.error();
    tx.commit();
    return std::move(out->front());
  };
  co_return co_await pool_.run(work);
}

task<outcome<std::vector<attendance_mark>>> pg_store::record_marks(id_t session_id,
                                                                   const std::vector<attendance_mark_input>& in,
                                                                   sys_seconds now, bool only_unmarked) {
  auto work = [session_id, &in, now, only_unmarked,
               &events = events_](pqxx::connection& c) -> outcome<std::vector<attendance_mark>> {
    pqxx::work tx{c};
    auto out = marks_in(tx, session_id, in, now, true, only_unmarked, events);
    if (!out) return out;  // nothing is committed
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<result<std::vector<attendance_mark>>> pg_store::marks_of_session(id_t session_id) {
  auto work = [session_id](pqxx::connection& c) -> result<std::vector<attendance_mark>> {
    pqxx::read_transaction tx{c};
    if (tx.exec_prepared(sql::session_exists, session_id).empty()) return errc::not_found;
    std::vector<attendance_mark> out;
    for (const auto& r : tx.exec_prepared(sql::marks_of_session, session_id)) {
      attendance_mark m{r[0].as<id_t>(),
                        r[1].as<id_t>(),
                        r[2].as<id_t>(),
                        r[3].as<std::string>(),
                        r[4].as<std::string>(),
                        r[5].as<std::string>(),
                        from_epoch(r[6].as<long long>()),
                        std::nullopt,
                        {}};
      if (!r[7].is_null()) m.minutes = r[7].as<int>();
      m.reason = r[8].as<std::string>();
      out.push_back(std::move(m));
    }
    return out;
  };
  co_return co_await pool_.run(work);
}

}  // namespace rollcall::store
