#include "rollcall/store/pg_store.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <utility>

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "rollcall/store/migrations.hpp"
#include "rollcall/store/pg_audit.hpp"
#include "rollcall/store/pg_messaging.hpp"
#include "rollcall/store/pg_rows.hpp"
#include "rollcall/store/sql.hpp"
#include "rollcall/store/sql_alerts.hpp"
#include "rollcall/store/sql_messaging.hpp"
#include "rollcall/store/sql_views.hpp"

namespace rollcall::store {

using namespace ports;

task<result<std::vector<session>>> pg_store::sessions_of_group(id_t group_id) {
  auto work = [group_id](pqxx::connection& c) -> result<std::vector<session>> {
    pqxx::read_transaction tx{c};
    if (tx.exec_prepared(sql::group_exists, group_id).empty()) return errc::not_found;
    std::vector<session> out;
    for (const auto& r : tx.exec_prepared(sql::sessions_of_group, group_id)) out.push_back(read_session(r));
    return out;
  };
  co_return co_await pool_.run(work);
}

task<std::vector<group_for_planning>> pg_store::groups_for_planning() {
  auto work = [](pqxx::connection& c) {
    pqxx::read_transaction tx{c};
    std::vector<group_for_planning> out;
    for (const auto& r : tx.exec_prepared(sql::groups_for_planning)) {
      group_for_planning g;
      g.grp = read_group(r);
      g.time_zone = r[8].as<std::string>();
      out.push_back(std::move(g));
    }
    return out;
  };
  co_return co_await pool_.run(work);
}

task<int> pg_store::add_sessions(const std::vector<session_slot>& slots, const notice_maker& closed_notices) {
  auto work = [&slots, &closed_notices](pqxx::connection& c) {
    pqxx::work tx{c};
    tx.exec_prepared(sql::lock_calendar);
    int added = 0;
    for (const auto& s : slots) {
      const auto r = tx.exec_prepared(sql::insert_session, s.group_id, s.local_date, epoch(s.starts_at),
                                      epoch(s.ends_at), s.recurrence, s.start_second, s.end_second);
      if (r.empty()) continue;
      ++added;
      if (r[0][1].as<bool>()) queue_notices(tx, r[0][0].as<id_t>(), closed_notices);  // planned on a closed day
    }
    tx.commit();
    return added;
  };
  co_return co_await pool_.run(work);
}

task<std::vector<session_attendee>> pg_store::attendees_between(sys_seconds from, sys_seconds to) {
  auto work = [from, to](pqxx::connection& c) {
    pqxx::read_transaction tx{c};
    std::vector<session_attendee> out;
    for (const auto& r : tx.exec_prepared(sql::attendees_between, epoch(from), epoch(to)))
      out.push_back(read_attendee(r));
    return out;
  };
  co_return co_await pool_.run(work);
}

int insert_messages(pqxx::work& tx, const std::vector<new_message>& messages) {
  // A thousand rows a statement: a round trip per message cost a 20,000-reminder planner round
  // seconds, even when every one of them was planned already.
  constexpr std::size_t chunk = 1000;
  int inserted = 0;
  for (std::size_t start = 0; start < messages.size(); start += chunk) {
    boost::json::array rows;
    rows.reserve(std::min(chunk, messages.size() - start));
    for (std::size_t i = start; i < messages.size() && i < start + chunk; ++i) {
      const auto& m = messages[i];
      rows.push_back({{"dedupe_key", m.dedupe_key},
                      {"kind", m.kind},
                      {"target", m.target},
                      {"target_url", m.target_url},
                      {"payload", m.payload},
                      {"due_at", epoch(m.due_at)},
                      {"client_id", m.client_id.value_or(0)},
                      {"staff_id", m.staff_id.value_or(0)},
                      {"session_id", m.session_id.value_or(0)},
                      {"session_revision", m.session_revision.value_or(-1)},
                      {"family_contact_id", m.family_contact_id.value_or(0)},
                      {"channel", m.channel},
                      {"recipient", m.recipient},
                      {"alternatives", m.alternatives},
                      {"fallback_of", m.fallback_of.value_or(0)},
                      {"quiet_zone", m.quiet_zone},
                      {"alert_id", m.alert_id.value_or(0)}});
    }
    inserted += static_cast<int>(tx.exec_prepared(sql::insert_messages, boost::json::serialize(rows)).affected_rows());
  }
  return inserted;
}

task<int> pg_store::enqueue(const std::vector<new_message>& messages) {
  // By reference, as add_sessions does: the caller's vector outlives the await, and a copy
  // doubled the planner's peak memory.
  auto work = [&messages](pqxx::connection& c) {
    pqxx::work tx{c};
    const int inserted = insert_messages(tx, messages);
    tx.commit();
    return inserted;
  };
  co_return co_await pool_.run(work);
}

task<std::vector<claimed_message>> pg_store::claim_due(int batch_size, std::chrono::milliseconds lease,
                                                       bool include_provider) {
  auto work = [batch_size, lease, include_provider](pqxx::connection& c) {
    pqxx::work tx{c};
    std::vector<claimed_message> out;
    // Messages cancelled on the way leave the batch short: lock more until it is full or
    // nothing more is due (each round's messages are claimed or cancelled, so none is locked
    // twice).
    for (;;) {
      const int wanted = batch_size - static_cast<int>(out.size());
      std::vector<id_t> ids;
      for (const auto& r : tx.exec_prepared(sql::pick_expired_leases, wanted, include_provider))
        ids.push_back(r[0].as<id_t>());
      if (std::cmp_less(ids.size(), wanted))
        for (const auto& r : tx.exec_prepared(sql::pick_due, wanted - static_cast<int>(ids.size()), include_provider))
          ids.push_back(r[0].as<id_t>());
      if (ids.empty()) break;
      const auto locked = pg_array(ids);
      tx.exec_prepared(sql::cancel_stale_reminders, locked);
      tx.exec_prepared(sql::cancel_unwanted_messages, locked);
      // A recipient who opted out (or withdrew consent) since a message was planned gets it on
      // their next channel, if any; the STOP itself told their counselor.
      for (const auto& r : tx.exec_prepared(sql::unreachable_due, locked)) {
        const auto id = r[0].as<id_t>();
        tx.exec_prepared(sql::cancel_message, id, r[1].as<std::string>());
        fail_over(tx, id, nullptr);
      }
      for (const auto& r : tx.exec_prepared(sql::claim_due, locked, static_cast<long long>(lease.count()))) {
        claimed_message m;
        m.id = r[0].as<id_t>();
        m.message_id = r[1].as<std::string>();
        m.kind = r[2].as<std::string>();
        m.target = r[3].as<std::string>();
        m.target_url = r[4].as<std::string>();
        m.payload = r[5].as<std::string>();
        m.attempts = r[6].as<int>();
        m.claim_token = r[7].as<std::string>();
        m.channel = r[8].as<std::string>();
        m.age = std::chrono::seconds{r[9].as<long long>()};
        m.quiet_zone = r[10].as<std::string>();
        m.subscription = r[11].as<std::string>();
        m.due_age = std::chrono::milliseconds{r[12].as<long long>()};
        out.push_back(std::move(m));
      }
      if (std::cmp_less(ids.size(), wanted) || std::cmp_greater_equal(out.size(), batch_size)) break;
    }
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<std::optional<std::chrono::milliseconds>> pg_store::next_due(bool include_provider) {
  auto work = [include_provider](pqxx::connection& c) -> std::optional<std::chrono::milliseconds> {
    pqxx::nontransaction tx{c};
    const auto r = tx.exec_prepared1(sql::next_due, include_provider);
    if (r[0].is_null()) return std::nullopt;
    return std::chrono::milliseconds{r[0].as<long long>()};
  };
  co_return co_await pool_.run(work);
}

namespace {

// One result other than a plain delivery (those are written together): the outbox row, the
// attempt, and what a dead message leads to.
bool record_one(pqxx::work& tx, const delivery_record& rec, const client_alert_maker& alerts,
                const event_subscriptions& events) {
  pqxx::result r;
  switch (rec.outcome) {
    case delivery_record::next::delivered:
      r = tx.exec_prepared(sql::mark_delivered, rec.outbox_id, rec.claim_token, rec.http_status, rec.provider,
                           rec.provider_message_id);
      break;
    case delivery_record::next::retry:
      r = tx.exec_prepared(sql::mark_retry, rec.outbox_id, rec.claim_token, rec.http_status, rec.error,
                           static_cast<long long>(rec.retry_delay.count()));
      break;
    case delivery_record::next::dead:
      r = tx.exec_prepared(sql::mark_dead, rec.outbox_id, rec.claim_token, rec.http_status, rec.error, rec.provider);
      if (r.affected_rows() == 1) {
        if (rec.recipient_opted_out) opt_out_recipient(tx, rec.outbox_id, alerts, events);
        fail_over(tx, rec.outbox_id, &alerts, events);
      }
      break;
    case delivery_record::next::deferred:
      // Not an attempt: nothing went out.
      r = tx.exec_prepared(sql::release_claim, rec.outbox_id, rec.claim_token,
                           static_cast<long long>(rec.retry_delay.count()));
      return r.affected_rows() == 1;
  }
  if (r.affected_rows() == 1 || !rec.rewrite)
    tx.exec_prepared(sql::insert_attempt, rec.outbox_id, rec.http_status, rec.error,
                     static_cast<int>(rec.elapsed.count()), rec.provider, rec.provider_message_id);
  return r.affected_rows() == 1;
}

}  // namespace

task<std::vector<bool>> pg_store::record_deliveries(const std::vector<delivery_record>& records,
                                                    const client_alert_maker& alerts) {
  auto work = [&records, &alerts, &events = events_](pqxx::connection& c) {
    // Plain deliveries, the common case, are written by one statement for the lot (their outbox
    // rows and their attempts); the others one by one. Rows are locked in id order first, so
    // that two writers never wait on each other's rows in a cycle.
    std::vector<id_t> ids;
    boost::json::array delivered;
    for (const auto& rec : records) {
      ids.push_back(rec.outbox_id);
      if (rec.outcome != delivery_record::next::delivered) continue;
      delivered.push_back({{"id", rec.outbox_id},
                           {"token", rec.claim_token},
                           {"status", rec.http_status},
                           {"error", rec.error},
                           {"elapsed", rec.elapsed.count()},
                           {"provider", rec.provider},
                           {"provider_message_id", rec.provider_message_id},
                           {"rewrite", rec.rewrite}});
    }
    std::sort(ids.begin(), ids.end());
    pqxx::work tx{c};
    tx.exec_prepared(sql::lock_outbox_rows, pg_array(ids));
    std::set<id_t> marked;
    if (!delivered.empty())
      for (const auto& r : tx.exec_prepared(sql::mark_delivered_batch, boost::json::serialize(delivered)))
        marked.insert(r[0].as<id_t>());
    std::vector<bool> out;
    out.reserve(records.size());
    for (const auto& rec : records)
      out.push_back(rec.outcome == delivery_record::next::delivered ? marked.count(rec.outbox_id) > 0
                                                                    : record_one(tx, rec, alerts, events));
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<bool> pg_store::ready() {
  // On the pool's probe connection, not a worker's: /readyz must answer within seconds while
  // the workers are busy or the database is gone (a connect alone may take 10 s to fail).
  const std::function<bool(pqxx::connection&)> check = [](pqxx::connection& c) {
    pqxx::read_transaction tx{c};
    const int applied = tx.exec_prepared1(sql::ready_check)[0].as<int>();
    int latest = 0;
    for (const auto& m : embedded_migrations()) latest = std::max(latest, m.version);
    return applied >= latest;
  };
  co_return co_await pool_.probe(check, std::chrono::seconds{2});
}

}  // namespace rollcall::store
