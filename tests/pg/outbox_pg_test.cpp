// store/ against a real PostgreSQL: the outbox's claim, lease and fencing rules, which make
// several rollcalld instances on one database safe.
#include <chrono>
#include <optional>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <pqxx/notification>

#include "pg_store_fixture.hpp"
#include "unit/run_task.hpp"

namespace rollcall::testing {
namespace {

using namespace std::chrono_literals;
namespace ports = rollcall::ports;

class outbox_pg_test : public pg_store_fixture {
 protected:
  ports::new_message message(const std::string& key, const std::string& target = "provider",
                             std::chrono::seconds due_in = 0s) {
    ports::new_message m;
    m.dedupe_key = key;
    m.kind = "reminder";
    m.target = target;
    m.target_url = target == "staff_webhook" ? "https://alerts.example.org/hook" : "";
    m.payload = R"({"type":"reminder"})";
    m.due_at = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + due_in;
    return m;
  }
  int enqueue(std::vector<ports::new_message> messages) { return run_task(db.enqueue(messages)); }
  std::vector<ports::claimed_message> claim(int n, std::chrono::milliseconds lease, bool provider = true) {
    return run_task(db.claim_due(n, lease, provider));
  }
  static ports::delivery_record result(const ports::claimed_message& m, ports::delivery_record::next outcome,
                                       bool rewrite = false) {
    ports::delivery_record r;
    r.rewrite = rewrite;
    r.outbox_id = m.id;
    r.claim_token = m.claim_token;
    r.http_status = outcome == ports::delivery_record::next::delivered ? 200 : 503;
    r.outcome = outcome;
    r.retry_delay = 5s;
    return r;
  }
  std::vector<bool> record_all(const std::vector<ports::delivery_record>& records) {
    return run_task(
        db.record_deliveries(records, [](const ports::client_alert&) { return std::vector<ports::new_alert>{}; }));
  }
  bool record(const ports::claimed_message& m, ports::delivery_record::next outcome, bool rewrite = false) {
    return record_all({result(m, outcome, rewrite)}).at(0);
  }
  std::string status_of(ports::id_t id) {
    return scalar<std::string>("SELECT status FROM outbox WHERE id = " + std::to_string(id));
  }
};

TEST_F(outbox_pg_test, a_dedupe_key_is_planned_once) {
  EXPECT_EQ(enqueue({message("a"), message("b")}), 2);
  EXPECT_EQ(enqueue({message("a"), message("b"), message("c")}), 1);
}

TEST_F(outbox_pg_test, only_due_messages_are_claimed_and_a_claim_holds_them) {
  enqueue({message("now"), message("later", "provider", 3600s)});
  const auto first = claim(10, 60s);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].attempts, 1);
  EXPECT_FALSE(first[0].claim_token.empty());
  EXPECT_TRUE(claim(10, 60s).empty()) << "a leased message is not claimed twice";
}

TEST_F(outbox_pg_test, an_expired_lease_is_reclaimed_and_only_the_new_claim_may_record) {
  enqueue({message("m")});
  const auto a = claim(1, 50ms);
  ASSERT_EQ(a.size(), 1u);
  std::this_thread::sleep_for(300ms);
  const auto b = claim(1, 60s);  // instance A is presumed dead
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].message_id, a[0].message_id) << "the receiver sees the same webhook-id";
  EXPECT_NE(b[0].claim_token, a[0].claim_token);
  EXPECT_EQ(b[0].attempts, 2);
  EXPECT_FALSE(record(a[0], ports::delivery_record::next::dead)) << "the stale claim changes nothing";
  EXPECT_EQ(status_of(a[0].id), "sending");
  EXPECT_TRUE(record(b[0], ports::delivery_record::next::delivered));
  EXPECT_EQ(status_of(a[0].id), "delivered");
  EXPECT_FALSE(record(b[0], ports::delivery_record::next::retry)) << "a claim records once";
}

TEST_F(outbox_pg_test, writing_a_result_again_after_its_commit_was_cut_off_records_the_attempt_once) {
  enqueue({message("m")});
  const auto a = claim(1, 60s);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_TRUE(record(a[0], ports::delivery_record::next::delivered));         // committed; the reply was lost
  EXPECT_FALSE(record(a[0], ports::delivery_record::next::delivered, true));  // the dispatcher writes again
  const auto attempts = "SELECT count(*) FROM delivery_attempts WHERE outbox_id = " + std::to_string(a[0].id);
  EXPECT_EQ(scalar<int>(attempts), 1);
  EXPECT_FALSE(record(a[0], ports::delivery_record::next::delivered)) << "a stale claim's own attempt is kept";
  EXPECT_EQ(scalar<int>(attempts), 2);
}

TEST_F(outbox_pg_test, results_written_together_are_each_recorded_as_if_alone) {
  enqueue({message("a"), message("b"), message("c"), message("d"), message("e")});
  const auto claimed = claim(5, 60s);
  ASSERT_EQ(claimed.size(), 5u);
  auto stale = claimed[3];
  stale.claim_token = "00000000-0000-4000-8000-000000000000";                // another claim holds it now
  ASSERT_TRUE(record(claimed[4], ports::delivery_record::next::delivered));  // written before; its reply was lost
  const auto recorded = record_all({result(claimed[0], ports::delivery_record::next::delivered),
                                    result(claimed[1], ports::delivery_record::next::retry),
                                    result(claimed[2], ports::delivery_record::next::delivered),
                                    result(stale, ports::delivery_record::next::delivered),
                                    result(claimed[4], ports::delivery_record::next::delivered, true)});
  EXPECT_EQ(recorded, (std::vector<bool>{true, true, true, false, false}));
  EXPECT_EQ(status_of(claimed[0].id), "delivered");
  EXPECT_EQ(status_of(claimed[1].id), "pending");
  EXPECT_EQ(status_of(claimed[2].id), "delivered");
  EXPECT_EQ(status_of(claimed[3].id), "sending") << "a stale claim changes nothing";
  const auto attempts = [&](ports::id_t id) {
    return scalar<int>("SELECT count(*) FROM delivery_attempts WHERE outbox_id = " + std::to_string(id));
  };
  EXPECT_EQ(attempts(claimed[0].id), 1);
  EXPECT_EQ(attempts(claimed[1].id), 1);
  EXPECT_EQ(attempts(claimed[3].id), 1) << "a stale claim's own attempt is kept";
  EXPECT_EQ(attempts(claimed[4].id), 1) << "a rewrite of a committed result adds no attempt";
  EXPECT_EQ(scalar<int>("SELECT http_status FROM delivery_attempts WHERE outbox_id = " + std::to_string(claimed[0].id)),
            200);
}

TEST_F(outbox_pg_test, a_planner_batch_inserts_each_dedupe_key_once_across_statements) {
  std::vector<ports::new_message> batch;
  for (int i = 0; i < 2500; ++i) batch.push_back(message("k" + std::to_string(i % 2400)));  // 100 twice
  // k2100 again in the same statement (rows 2000-2499) as its first offer (a k50 made way for it).
  batch[2450].dedupe_key = "k2100";
  batch[2450].payload = R"({"type":"second"})";
  EXPECT_EQ(enqueue(batch), 2400);
  EXPECT_EQ(enqueue(batch), 0);
  EXPECT_EQ(scalar<int>("SELECT count(DISTINCT dedupe_key) FROM outbox"), 2400);
  EXPECT_EQ(scalar<std::string>("SELECT payload->>'type' FROM outbox WHERE dedupe_key = 'k2100'"), "reminder")
      << "the first of a repeated key wins, as with one INSERT each";
  // Ids in the order given.
  EXPECT_EQ(scalar<int>("SELECT count(*) FROM (SELECT id, row_number() OVER (ORDER BY id) AS n,"
                        " substr(dedupe_key, 2)::int AS k FROM outbox) x WHERE k <> n - 1"),
            0);
}

TEST_F(outbox_pg_test, a_retry_returns_the_message_to_pending_later) {
  enqueue({message("m")});
  const auto a = claim(1, 60s);
  ASSERT_TRUE(record(a[0], ports::delivery_record::next::retry));
  EXPECT_EQ(status_of(a[0].id), "pending");
  EXPECT_TRUE(claim(1, 60s).empty()) << "not due again for 5 s";
}

TEST_F(outbox_pg_test, the_next_due_time_is_the_earliest_waiting_message_or_lease_end_the_claim_would_take) {
  const auto next_due = [&](bool provider) { return run_task(db.next_due(provider)); };
  EXPECT_EQ(next_due(true), std::nullopt) << "an empty outbox";
  enqueue({message("in-an-hour", "provider", 3600s)});
  EXPECT_EQ(next_due(false), std::nullopt) << "provider messages wait while no provider is configured";
  const auto near = [](std::optional<std::chrono::milliseconds> got, std::chrono::milliseconds want) {
    return got && *got <= want && *got > want - 5s;  // due times are whole seconds; a slow machine
  };
  EXPECT_PRED2(near, next_due(true), 3600s);
  enqueue({message("staff-in-ten-minutes", "staff_webhook", 600s)});
  EXPECT_PRED2(near, next_due(false), 600s);
  EXPECT_PRED2(near, next_due(true), 600s);
  enqueue({message("now")});
  ASSERT_EQ(claim(10, 30s).size(), 1u);  // leased for 30 s
  EXPECT_PRED2(near, next_due(true), 30s + 1s);
  enqueue({message("due-now")});
  const auto now = next_due(true);
  ASSERT_TRUE(now);
  EXPECT_LE(*now, 0ms);
  // Without a provider, a long queue of its messages ahead of the staff one is not read
  // through: nothing to say (the dispatcher waits its interval).
  std::vector<ports::new_message> many;
  for (int i = 0; i < 120; ++i) many.push_back(message("provider-" + std::to_string(i), "provider", 60s));
  enqueue(many);
  EXPECT_EQ(next_due(false), std::nullopt);
  EXPECT_LE(next_due(true).value_or(1h), 0ms);
}

TEST_F(outbox_pg_test,
       queueing_a_message_or_requeueing_one_due_now_notifies_listeners_at_commit_and_nothing_else_does) {
  pqxx::connection listener{url};
  struct counter final : pqxx::notification_receiver {
    counter(pqxx::connection_base& c) : pqxx::notification_receiver(c, "rollcall_outbox") {}
    void operator()(const std::string&, int) override { ++count; }
    int count = 0;
  } received{listener};
  // Every notification that arrives within the whole window.
  const auto notified = [&](std::chrono::milliseconds window) {
    received.count = 0;
    const auto until = std::chrono::steady_clock::now() + window;
    while (std::chrono::steady_clock::now() < until) listener.await_notification(0, 50'000);
    return received.count;
  };
  EXPECT_EQ(enqueue({message("a"), message("b", "staff_webhook")}), 2);
  EXPECT_EQ(notified(1500ms), 1) << "one notification for the transaction";
  EXPECT_EQ(enqueue({message("a"), message("b", "staff_webhook")}), 0);
  EXPECT_EQ(notified(300ms), 0) << "a statement that added no row (a planner round's re-offer)";
  const auto claimed = claim(10, 60s);
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_EQ(notified(300ms), 0) << "a claim is not news";
  ASSERT_TRUE(record(claimed[0], ports::delivery_record::next::delivered));
  EXPECT_EQ(notified(300ms), 0) << "nor a delivery";
  ASSERT_TRUE(record(claimed[1], ports::delivery_record::next::retry));
  EXPECT_EQ(notified(300ms), 0) << "nor a retry due later (its writer knows when)";
  sql("UPDATE outbox SET status = 'pending', due_at = now() WHERE id = " + std::to_string(claimed[0].id));
  EXPECT_EQ(notified(1500ms), 1) << "a message put back due now (a replay)";
  {
    pqxx::connection c{url};
    pqxx::work tx{c};
    tx.exec(
        "INSERT INTO outbox (dedupe_key, kind, target, payload, due_at) VALUES ('x', 'reminder', 'provider',"
        " '{}', now())");
    tx.abort();
  }
  EXPECT_EQ(notified(300ms), 0) << "a rolled-back insert announced nothing";
}

TEST_F(outbox_pg_test, without_a_provider_only_staff_webhook_messages_are_claimed) {
  enqueue({message("to-provider"), message("to-staff", "staff_webhook")});
  const auto claimed = claim(10, 60s, false);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].target, "staff_webhook");
  EXPECT_EQ(claim(10, 60s, true).size(), 1u) << "the provider's message waited";
}

TEST_F(outbox_pg_test, reminders_for_a_session_that_has_started_are_cancelled_not_sent) {
  sql("INSERT INTO sites (name, time_zone) VALUES ('S', 'UTC')");
  sql("INSERT INTO groups (site_id, name, slot, recurrence, first_date, start_second, end_second) VALUES (1, 'G', "
      "'morning', 'FREQ=WEEKLY', '2020-01-01', 0, "
      "3600)");
  sql("INSERT INTO sessions (group_id, scheduled_date, local_date, starts_at, ends_at) VALUES"
      " (1, '2026-01-01', '2026-01-01', now() - interval '1 minute', now() + interval '1 hour'),"
      " (1, '2026-01-02', '2026-01-02', now() + interval '1 hour', now() + interval '2 hours')");
  auto started = message("started");
  started.session_id = 1;
  started.session_revision = 0;
  auto upcoming = message("upcoming");
  upcoming.session_id = 2;
  upcoming.session_revision = 0;
  enqueue({started, upcoming});
  const auto claimed = claim(10, 60s);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(scalar<std::string>("SELECT status FROM outbox WHERE dedupe_key = 'started'"), "cancelled");
  EXPECT_EQ(scalar<std::string>("SELECT status FROM outbox WHERE dedupe_key = 'upcoming'"), "sending");
}

TEST_F(outbox_pg_test, a_claim_fills_its_batch_past_the_messages_it_cancels) {
  sql("INSERT INTO sites (name, time_zone) VALUES ('S', 'UTC')");
  sql("INSERT INTO groups (site_id, name, slot, recurrence, first_date, start_second, end_second) VALUES (1, 'G', "
      "'morning', 'FREQ=WEEKLY', '2020-01-01', 0, 3600)");
  sql("INSERT INTO sessions (group_id, scheduled_date, local_date, starts_at, ends_at) VALUES"
      " (1, '2026-01-01', '2026-01-01', now() - interval '1 minute', now() + interval '1 hour'),"
      " (1, '2026-01-02', '2026-01-02', now() + interval '1 hour', now() + interval '2 hours')");
  std::vector<ports::new_message> batch;
  for (int i = 0; i < 6; ++i) {
    auto m = message("m" + std::to_string(i), "provider", std::chrono::seconds{-60 + i});  // oldest first
    m.session_id = i < 4 ? 1 : 2;  // the four oldest are for the session that has started
    m.session_revision = 0;
    batch.push_back(m);
  }
  enqueue(batch);
  const auto claimed = claim(2, 60s);
  ASSERT_EQ(claimed.size(), 2u) << "the batch stopped at the cancelled messages";
  EXPECT_EQ(scalar<int>("SELECT count(*) FROM outbox WHERE status = 'cancelled'"), 4);
  EXPECT_EQ(scalar<int>("SELECT count(*) FROM outbox WHERE status = 'sending' AND session_id = 2"), 2);
}

TEST_F(outbox_pg_test, reminders_planned_for_an_older_revision_of_a_moved_session_are_cancelled) {
  sql("INSERT INTO sites (name, time_zone) VALUES ('S', 'UTC')");
  sql("INSERT INTO groups (site_id, name, slot, recurrence, first_date, start_second, end_second)"
      " VALUES (1, 'G', 'morning', 'FREQ=WEEKLY', '2020-01-01', 0, 3600)");
  sql("INSERT INTO sessions (group_id, scheduled_date, local_date, starts_at, ends_at) VALUES"
      " (1, '2026-01-01', '2026-01-01', now() + interval '1 hour', now() + interval '2 hours')");
  auto old_time = message("planned-for-r0");
  old_time.session_id = 1;
  old_time.session_revision = 0;
  auto in_flight = message("in-flight-r0");
  in_flight.session_id = 1;
  in_flight.session_revision = 0;
  auto new_time = message("planned-for-r1");
  new_time.session_id = 1;
  new_time.session_revision = 1;
  enqueue({in_flight});
  ASSERT_EQ(claim(1, 50ms).size(), 1u);  // on the wire when the session moves; its sender then dies
  sql("UPDATE sessions SET revision = 1, local_date = '2026-01-02'");
  std::this_thread::sleep_for(300ms);  // the lease runs out
  enqueue({old_time, new_time});
  const auto claimed = claim(10, 60s);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(scalar<std::string>("SELECT dedupe_key FROM outbox WHERE id = " + std::to_string(claimed[0].id)),
            "planned-for-r1");
  EXPECT_EQ(scalar("SELECT count(*) FROM outbox WHERE status = 'cancelled' AND last_error = 'session moved'"), 2);
}

TEST_F(outbox_pg_test, messages_to_people_no_longer_expected_are_cancelled_at_claim) {
  // A planner round may read a client (or a family contact) just before a discharge or a
  // revocation commits and enqueue after it: the claim drops those messages.
  sql("INSERT INTO sites (name, time_zone) VALUES ('S', 'UTC')");
  sql("INSERT INTO groups (site_id, name, slot, recurrence, first_date, start_second, end_second, kind)"
      " VALUES (1, 'F', 'morning', 'FREQ=WEEKLY', '2020-01-01', 0, 3600, 'family')");
  sql("INSERT INTO staff (name, email) VALUES ('Dana', 'd@example.org')");
  sql("INSERT INTO clients (first_name) VALUES ('Stays'), ('Leaves')");
  for (const char* client : {"1", "2"}) {
    sql(std::string{"INSERT INTO episodes (client_id, site_id, level_of_care, start_date, planned_weeks,"
                    " counselor_id, weekly_hours_required) VALUES ("} +
        client + ", 1, 'iop', '2020-01-01', 12, 1, 9)");
    sql(std::string{"INSERT INTO enrollments (client_id, group_id, counselor_id, start_date, episode_id)"
                    " VALUES ("} +
        client + ", 1, 1, '2020-01-01', " + client + ")");
  }
  sql("INSERT INTO family_contacts (client_id, name, relationship, email, consent_date) VALUES"
      " (1, 'Pat', 'parent', 'p@example.org', '2020-01-01'), (1, 'Lee', 'partner', 'l@example.org', '2020-01-01')");
  sql("INSERT INTO sessions (group_id, scheduled_date, local_date, starts_at, ends_at) VALUES"
      " (1, current_date + 1, current_date + 1, now() + interval '1 day', now() + interval '25 hours')");
  auto to = [&](const std::string& key, ports::id_t client, std::optional<ports::id_t> contact) {
    auto m = message(key);
    m.session_id = 1;
    m.session_revision = 0;
    m.client_id = client;
    m.family_contact_id = contact;
    return m;
  };
  enqueue({to("client-stays", 1, std::nullopt), to("client-leaves", 2, std::nullopt), to("pat", 1, 1),
           to("lee-revoked", 1, 2)});
  // Client 2 was discharged yesterday; Lee's consent was revoked.
  sql("UPDATE enrollments SET status = 'ended', end_date = current_date - 1 WHERE client_id = 2");
  sql("UPDATE family_contacts SET consent_revoked_at = now() WHERE id = 2");
  std::set<std::string> sent;
  for (const auto& m : claim(10, 60s))
    sent.insert(scalar<std::string>("SELECT dedupe_key FROM outbox WHERE id = " + std::to_string(m.id)));
  EXPECT_EQ(sent, (std::set<std::string>{"client-stays", "pat"}));
  EXPECT_EQ(scalar("SELECT count(*) FROM outbox WHERE status = 'cancelled'"
                   " AND last_error = 'recipient no longer expected'"),
            2);
}

TEST_F(outbox_pg_test, a_planner_round_that_read_a_group_before_it_changed_adds_nothing) {
  sql("INSERT INTO sites (name, time_zone) VALUES ('S', 'UTC')");
  sql("INSERT INTO groups (site_id, name, slot, recurrence, first_date, start_second, end_second) VALUES"
      " (1, 'G', 'morning', 'FREQ=WEEKLY;BYDAY=TU', '2020-01-01', 3600, 7200)");
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const ports::notice_maker none = [](const ports::session_context&, const std::vector<ports::session_attendee>&) {
    return std::vector<ports::new_message>{};
  };
  auto slot = [&](const std::string& rule, int start) {
    return ports::session_slot{1, "2030-01-01", now + 24h, now + 25h, rule, start, start + 3600};
  };
  // Read before an edit (old rule, or old times) or before an archive: nothing is inserted.
  EXPECT_EQ(run_task(db.add_sessions({slot("FREQ=WEEKLY;BYDAY=MO", 3600)}, none)), 0);
  EXPECT_EQ(run_task(db.add_sessions({slot("FREQ=WEEKLY;BYDAY=TU", 0)}, none)), 0);
  sql("UPDATE groups SET archived_at = now()");
  EXPECT_EQ(run_task(db.add_sessions({slot("FREQ=WEEKLY;BYDAY=TU", 3600)}, none)), 0);
  sql("UPDATE groups SET archived_at = NULL");
  EXPECT_EQ(run_task(db.add_sessions({slot("FREQ=WEEKLY;BYDAY=TU", 3600)}, none)), 1);
}

TEST_F(outbox_pg_test, concurrent_claimers_get_disjoint_messages) {
  std::vector<ports::new_message> many;
  for (int i = 0; i < 200; ++i) many.push_back(message("m" + std::to_string(i)));
  enqueue(many);
  // Two claims in flight at once, on two connections: SKIP LOCKED splits the rows.
  boost::asio::io_context io;
  auto a = boost::asio::co_spawn(io, db.claim_due(150, 60s, true), boost::asio::use_future);
  auto b = boost::asio::co_spawn(io, db.claim_due(150, 60s, true), boost::asio::use_future);
  io.run();
  std::set<ports::id_t> ids;
  std::size_t total = 0;
  for (auto* f : {&a, &b})
    for (const auto& m : f->get()) {
      ids.insert(m.id);
      ++total;
    }
  EXPECT_EQ(total, 200u);
  EXPECT_EQ(ids.size(), 200u) << "no message was claimed by both";
}

}  // namespace
}  // namespace rollcall::testing
