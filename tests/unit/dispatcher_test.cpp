#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "fakes/memory_outbox_store.hpp"
#include "fakes/recording_sender.hpp"
#include "rollcall/services/dispatcher.hpp"
#include "unit/run_task.hpp"

namespace {

using namespace std::chrono_literals;
namespace ports = rollcall::ports;
namespace services = rollcall::services;
using next = ports::delivery_record::next;
using rollcall::testing::run_task;

ports::claimed_message message(ports::id_t id, int attempts = 1) {
  ports::claimed_message m;
  m.id = id;
  m.message_id = "msg_" + std::to_string(id);
  m.kind = "reminder";
  m.target = "provider";
  m.payload = R"({"type":"reminder"})";
  m.attempts = attempts;
  m.claim_token = "token-" + std::to_string(id);
  return m;
}

class dispatcher_test : public ::testing::Test {
 protected:
  void configure(int batch_size, int concurrency, int max_attempts = 8) {
    services::dispatcher_settings s;
    s.batch_size = batch_size;
    s.concurrency = concurrency;
    s.max_attempts = max_attempts;
    s.lease = 45s;
    dispatcher.set_settings(s);
    dispatcher.set_jitter([] { return 0.5; });  // no jitter: the schedule's own delays
  }
  services::dispatch_stats dispatch() { return run_task(dispatcher.dispatch_once()); }
  // A dispatch_once with `then` run `after` into it, on the same executor (a message coming due,
  // say, while a slow delivery is in flight).
  services::dispatch_stats dispatch_and_meanwhile(std::chrono::milliseconds after, const std::function<void()>& then) {
    auto run = [&]() -> boost::asio::awaitable<services::dispatch_stats> {
      auto ex = co_await boost::asio::this_coro::executor;
      boost::asio::co_spawn(
          ex,
          [&]() -> boost::asio::awaitable<void> {
            boost::asio::steady_timer t{co_await boost::asio::this_coro::executor, after};
            co_await t.async_wait(boost::asio::use_awaitable);
            then();
          },
          boost::asio::detached);
      auto op = dispatcher.dispatch_once();
      co_return co_await std::move(op);
    };
    return run_task(run());
  }
  std::map<ports::id_t, ports::delivery_record> records_by_id() const {
    std::map<ports::id_t, ports::delivery_record> out;
    for (const auto& r : store.records) out.emplace(r.outbox_id, r);
    return out;
  }

  rollcall::fakes::memory_outbox_store store;
  rollcall::fakes::recording_sender sender;
  services::dispatcher dispatcher{store, sender};
};

TEST_F(dispatcher_test, empty_outbox_delivers_nothing) {
  configure(10, 4);
  const auto stats = dispatch();
  EXPECT_EQ(stats.claimed, 0);
  EXPECT_TRUE(sender.delivered.empty());
  EXPECT_TRUE(store.records.empty());
}

TEST_F(dispatcher_test, claims_with_the_configured_batch_size_and_lease) {
  configure(2, 4);
  for (int i = 1; i <= 5; ++i) store.add(message(i));
  const auto stats = dispatch();
  EXPECT_EQ(stats.claimed, 2);
  ASSERT_EQ(store.claims.size(), 1u);
  EXPECT_EQ(store.claims[0].batch_size, 2);
  EXPECT_EQ(store.claims[0].lease, 45s);
  EXPECT_EQ(store.ready.size(), 3u);
}

TEST_F(dispatcher_test, records_results_under_the_claim_token_and_counts_lost_claims) {
  configure(10, 4);
  store.add(message(1));
  store.add(message(2));
  store.lost_tokens.insert("token-2");  // its lease expired and another instance claimed it
  const auto stats = dispatch();
  EXPECT_EQ(stats.delivered, 2);
  EXPECT_EQ(stats.lost, 1);
  const auto r = records_by_id();
  EXPECT_EQ(r.at(1).claim_token, "token-1");
  EXPECT_EQ(r.at(2).claim_token, "token-2");
}

TEST_F(dispatcher_test, results_that_finish_together_are_written_together_and_never_more_than_concurrency_wait) {
  configure(40, 8);
  for (int i = 1; i <= 40; ++i) store.add(message(i));
  store.record_delay = 2ms;  // sends go on while a write is under way
  // Every send checks how many messages went out whose results are not written yet: the bound
  // on what a crash could send twice.
  std::size_t most_unrecorded = 0;
  sender.on_deliver = [&] {
    most_unrecorded = std::max(most_unrecorded, sender.delivered.size() - store.records.size());
  };
  const auto stats = dispatch();
  EXPECT_EQ(stats.delivered, 40);
  EXPECT_EQ(store.records.size(), 40u);
  EXPECT_LE(most_unrecorded, 8u);
  EXPECT_GE(most_unrecorded, 2u) << "the sends did not overlap: the test proved little";
  EXPECT_LT(store.record_calls, 40) << "each result was written on its own";
  EXPECT_GE(store.record_calls, 5) << "at most concurrency (8) results fit in one write";
}

TEST_F(dispatcher_test, a_result_the_store_refuses_does_not_take_the_others_of_its_write_with_it) {
  configure(20, 8);
  for (int i = 1; i <= 20; ++i) store.add(message(i));
  store.record_delay = 2ms;
  store.poisoned_tokens.insert("token-5");
  EXPECT_THROW(dispatch(), std::runtime_error);
  std::set<ports::id_t> recorded;
  for (const auto& r : store.records) recorded.insert(r.outbox_id);
  EXPECT_EQ(recorded.size(), 19u);
  EXPECT_FALSE(recorded.count(5));
  EXPECT_EQ(sender.delivered.size(), 20u);
}

TEST_F(dispatcher_test, without_a_provider_webhook_provider_messages_are_left_unclaimed) {
  services::dispatcher_settings s;
  s.provider_configured = false;
  dispatcher.set_settings(s);
  auto alert = message(1);
  alert.target = "staff_webhook";
  store.add(message(2));
  store.add(alert);
  const auto stats = dispatch();
  ASSERT_EQ(store.claims.size(), 1u);
  EXPECT_FALSE(store.claims[0].include_provider);
  EXPECT_EQ(stats.claimed, 1);
  ASSERT_EQ(sender.delivered.size(), 1u);
  EXPECT_EQ(store.ready.size(), 1u);
  EXPECT_EQ(store.ready.front().id, 2);
}

TEST_F(dispatcher_test, records_each_outcome_per_the_retry_policy) {
  configure(100, 4, 8);
  store.add(message(1));     // 200: delivered
  store.add(message(2));     // 503 on the first attempt: retry in 5s
  store.add(message(3, 3));  // 500 on the third attempt: retry in 30m
  store.add(message(4));     // 410: give up
  store.add(message(5));     // 429 with Retry-After 120s: retry in 120s
  store.add(message(6, 8));  // 503 on the last allowed attempt: give up
  store.add(message(7));     // no response: retry in 5s, with the transport error kept
  sender.answer_with_status("msg_2", 503);
  sender.answer_with_status("msg_3", 500);
  sender.answer_with_status("msg_4", 410);
  sender.answer_with_status("msg_5", 429, 120s);
  sender.answer_with_status("msg_6", 503);
  sender.answer_with_status("msg_7", 0);

  const auto stats = dispatch();
  EXPECT_EQ(stats.claimed, 7);
  EXPECT_EQ(stats.delivered, 1);
  EXPECT_EQ(stats.retried, 4);
  EXPECT_EQ(stats.failed, 2);

  const auto r = records_by_id();
  ASSERT_EQ(r.size(), 7u);
  EXPECT_EQ(r.at(1).outcome, next::delivered);
  EXPECT_EQ(r.at(1).http_status, 200);
  EXPECT_EQ(r.at(2).outcome, next::retry);
  EXPECT_EQ(r.at(2).retry_delay, 5s);
  EXPECT_EQ(r.at(2).http_status, 503);
  EXPECT_EQ(r.at(3).outcome, next::retry);
  EXPECT_EQ(r.at(3).retry_delay, 30min);
  EXPECT_EQ(r.at(4).outcome, next::dead);
  EXPECT_EQ(r.at(5).outcome, next::retry);
  EXPECT_EQ(r.at(5).retry_delay, 120s);
  EXPECT_EQ(r.at(6).outcome, next::dead);
  EXPECT_EQ(r.at(7).outcome, next::retry);
  EXPECT_EQ(r.at(7).http_status, 0);
  EXPECT_EQ(r.at(7).error, "connect failed");
}

TEST_F(dispatcher_test, never_more_than_concurrency_in_flight_and_all_processed) {
  configure(100, 3);
  for (int i = 1; i <= 10; ++i) store.add(message(i));
  sender.delay = 2ms;
  const auto stats = dispatch();
  EXPECT_EQ(stats.claimed, 10);
  EXPECT_EQ(stats.delivered, 10);
  EXPECT_EQ(sender.max_in_flight, 3);  // bounded, and the bound is actually used
  EXPECT_EQ(sender.delivered.size(), 10u);
  EXPECT_EQ(records_by_id().size(), 10u);
  EXPECT_EQ(sender.in_flight, 0);
}

TEST_F(dispatcher_test, concurrency_larger_than_the_batch) {
  configure(100, 16);
  for (int i = 1; i <= 2; ++i) store.add(message(i));
  sender.delay = 2ms;
  const auto stats = dispatch();
  EXPECT_EQ(stats.delivered, 2);
  EXPECT_EQ(sender.max_in_flight, 2);
}

TEST_F(dispatcher_test, concurrency_one_is_sequential) {
  configure(100, 1);
  for (int i = 1; i <= 4; ++i) store.add(message(i));
  sender.delay = 1ms;
  EXPECT_EQ(dispatch().delivered, 4);
  EXPECT_EQ(sender.max_in_flight, 1);
}

TEST_F(dispatcher_test, a_sender_that_never_suspends_still_completes_the_batch) {
  configure(100, 4);
  for (int i = 1; i <= 9; ++i) store.add(message(i));
  const auto stats = dispatch();
  EXPECT_EQ(stats.delivered, 9);
  EXPECT_EQ(store.records.size(), 9u);
}

TEST_F(dispatcher_test, a_failing_delivery_is_reported_after_the_rest_of_the_batch) {
  configure(100, 4);
  for (int i = 1; i <= 6; ++i) store.add(message(i));
  sender.delay = 1ms;
  sender.fail_with_exception("msg_3");
  EXPECT_THROW(dispatch(), std::runtime_error);
  const auto r = records_by_id();
  EXPECT_EQ(r.size(), 5u);
  EXPECT_EQ(r.count(3), 0u);  // keeps its lease; retried when it expires
}

TEST_F(dispatcher_test, a_slow_delivery_does_not_hold_back_messages_that_come_due_meanwhile) {
  services::dispatcher_settings s;
  s.batch_size = 10;
  s.concurrency = 4;
  s.lease = 45s;
  s.refill_after = 20ms;
  dispatcher.set_settings(s);
  store.add(message(1));
  sender.delay_for["msg_1"] = 800ms;  // a peer that answers slowly
  // Message 2 comes due 50 ms into the batch, while message 1 is still in flight.
  const auto meanwhile = [&] { store.add(message(2)); };
  const auto stats = dispatch_and_meanwhile(50ms, meanwhile);
  EXPECT_EQ(stats.claimed, 2);
  EXPECT_EQ(stats.delivered, 2);
  ASSERT_EQ(store.records.size(), 2u);
  EXPECT_EQ(store.records[0].outbox_id, 2);  // recorded before the slow one ended
  EXPECT_EQ(store.records[1].outbox_id, 1);
  EXPECT_LT(store.records[0].elapsed, 800ms);
  EXPECT_GE(store.claims.size(), 2u);
  EXPECT_LE(store.claims[1].batch_size, 3);  // only the free slots
}

TEST_F(dispatcher_test, a_message_queued_during_a_slow_batch_is_claimed_at_once_not_at_the_next_refill) {
  services::dispatcher_settings s;
  s.batch_size = 10;
  s.concurrency = 4;
  s.lease = 45s;
  s.refill_after = 1h;  // no refill by time within this test
  dispatcher.set_settings(s);
  store.add(message(1));
  sender.delay_for["msg_1"] = 800ms;
  // Message 2 is queued (and announced, as the NOTIFY would) 50 ms into the batch.
  const auto meanwhile = [&] {
    store.add(message(2));
    dispatcher.messages_queued();
  };
  const auto stats = dispatch_and_meanwhile(50ms, meanwhile);
  EXPECT_EQ(stats.claimed, 2);
  ASSERT_EQ(store.records.size(), 2u);
  EXPECT_EQ(store.records[0].outbox_id, 2);  // sent and recorded while message 1 was in flight
  EXPECT_EQ(store.claims.size(), 2u);
  EXPECT_LE(store.claims[1].batch_size, 3);
}

TEST_F(dispatcher_test, a_round_that_takes_less_than_a_batch_says_when_the_next_message_comes_due) {
  configure(10, 4);
  store.later = 2500ms;
  EXPECT_EQ(dispatch().next_due, 2500ms);  // nothing claimed: the outbox's next due time
  store.add(message(1));
  store.add(message(2));
  const auto stats = dispatch();
  EXPECT_EQ(stats.delivered, 2);
  EXPECT_EQ(stats.next_due, 2500ms);
  ASSERT_EQ(store.next_due_calls.size(), 2u);
  EXPECT_TRUE(store.next_due_calls[1]);  // with the provider configured, its messages count
  store.later.reset();
  EXPECT_EQ(dispatch().next_due, std::nullopt);  // nothing waiting at all
}

TEST_F(dispatcher_test, a_full_batch_does_not_ask_when_the_next_is_due_as_it_runs_again_at_once) {
  configure(2, 4);
  for (int i = 1; i <= 3; ++i) store.add(message(i));
  const auto stats = dispatch();
  EXPECT_EQ(stats.claimed, 2);
  EXPECT_EQ(stats.next_due, std::nullopt);
  EXPECT_TRUE(store.next_due_calls.empty());
}

TEST_F(dispatcher_test, no_refill_once_shutdown_began) {
  services::dispatcher_settings s;
  s.batch_size = 10;
  s.concurrency = 4;
  s.refill_after = 10ms;
  dispatcher.set_settings(s);
  store.add(message(1));
  sender.delay_for["msg_1"] = 200ms;
  dispatcher.stop_refills();
  const auto meanwhile = [&] { store.add(message(2)); };
  EXPECT_EQ(dispatch_and_meanwhile(30ms, meanwhile).claimed, 1);
  EXPECT_EQ(store.claims.size(), 1u);
  EXPECT_EQ(store.ready.size(), 1u);  // message 2 waits for the next instance's claim
}

}  // namespace

TEST_F(dispatcher_test, jitter_spreads_retries_within_a_fifth_either_way) {
  configure(10, 1);
  store.add(message(1, 2));  // second attempt: 5 min nominal
  store.add(message(2, 2));
  sender.answer_with_status("msg_1", 503);
  sender.answer_with_status("msg_2", 503);
  std::vector<double> draws{0.0, 0.999};
  dispatcher.set_jitter([&draws, i = 0]() mutable { return draws[static_cast<std::size_t>(i++)]; });
  dispatch();
  const auto r = records_by_id();
  EXPECT_EQ(r.at(1).retry_delay, 240s);  // 300 s x 0.8
  EXPECT_GE(r.at(2).retry_delay, 359s);  // 300 s x ~1.2
  EXPECT_LE(r.at(2).retry_delay, 360s);
}

TEST_F(dispatcher_test, a_message_older_than_max_age_is_dead_lettered_instead_of_retried) {
  services::dispatcher_settings s;
  s.batch_size = 10;
  s.concurrency = 1;
  s.max_age = std::chrono::hours{1};
  dispatcher.set_settings(s);
  auto old = message(1, 2);
  old.age = std::chrono::hours{2};
  store.add(old);
  auto young = message(2, 2);
  young.age = std::chrono::minutes{5};
  store.add(young);
  sender.answer_with_status("msg_1", 503);
  sender.answer_with_status("msg_2", 503);
  const auto stats = dispatch();
  EXPECT_EQ(stats.failed, 1);
  EXPECT_EQ(records_by_id().at(1).outcome, next::dead);
  EXPECT_EQ(records_by_id().at(2).outcome, next::retry);
}

TEST_F(dispatcher_test, rate_limited_messages_are_handed_back_and_no_route_is_dead_at_once) {
  configure(10, 2);
  store.add(message(1));
  store.add(message(2));
  ports::send_result deferred;
  deferred.deferred = std::chrono::seconds{7};
  sender.answer("msg_1", deferred);
  ports::send_result no_route;
  no_route.permanent = true;
  no_route.error = "no provider for channel email";
  sender.answer("msg_2", no_route);
  const auto stats = dispatch();
  EXPECT_EQ(stats.deferred, 1);
  EXPECT_EQ(stats.failed, 1);
  EXPECT_EQ(records_by_id().at(1).outcome, next::deferred);
  EXPECT_EQ(records_by_id().at(1).retry_delay, 7s);
  EXPECT_EQ(records_by_id().at(2).outcome, next::dead);
}

namespace {

// The database goes away after messages were sent: their results are written again with
// backoff while the claim is surely ours, and nothing further is sent meanwhile.
class dispatcher_outage_test : public dispatcher_test {
 protected:
  void configure_outage(int concurrency, std::chrono::milliseconds lease) {
    services::dispatcher_settings s;
    s.batch_size = 10;
    s.concurrency = concurrency;
    s.lease = lease;
    s.http_timeout = 10ms;
    s.record_retry_first = 1ms;
    s.record_retry_cap = 4ms;
    dispatcher.set_settings(s);
    dispatcher.set_jitter([] { return 0.5; });
  }
};

TEST_F(dispatcher_outage_test, a_result_is_written_again_once_the_database_is_back) {
  configure_outage(4, 45s);
  store.add(message(1));
  store.unavailable_records = 3;
  const auto stats = dispatch();
  EXPECT_EQ(store.failed_records, 3);
  ASSERT_EQ(store.records.size(), 1u);
  EXPECT_EQ(store.records[0].outcome, next::delivered);
  EXPECT_TRUE(store.records[0].rewrite) << "the store must not record the attempt twice";
  EXPECT_EQ(stats.delivered, 1);
  EXPECT_EQ(stats.lost, 0);
  EXPECT_EQ(sender.delivered.size(), 1u);
}

TEST_F(dispatcher_outage_test, a_commit_cut_off_midway_counts_as_recorded_not_lost) {
  configure_outage(4, 45s);
  store.add(message(1));
  store.unavailable_records = 1;
  store.commit_before_failing = true;
  const auto stats = dispatch();
  EXPECT_EQ(store.failed_records, 1);
  EXPECT_EQ(store.records.size(), 1u);
  EXPECT_EQ(stats.lost, 0);
}

TEST_F(dispatcher_outage_test, gives_up_before_the_lease_ends_and_sends_nothing_more_meanwhile) {
  // 5 s of the lease are kept as a margin: 600 ms are left for writing again.
  configure_outage(1, 5600ms);
  for (int i = 1; i <= 3; ++i) store.add(message(i));
  store.unavailable_records = 1'000'000;
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(dispatch(), rollcall::store_unavailable);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, 100ms);
  EXPECT_LT(took, 2s);
  EXPECT_GE(store.failed_records, 3) << "written again with a short backoff";
  EXPECT_TRUE(store.records.empty());
  // The first message went out; the other two stay claimed, unsent, until their lease expires.
  ASSERT_EQ(sender.delivered.size(), 1u);
  EXPECT_EQ(sender.delivered[0].id, 1);
}

}  // namespace
