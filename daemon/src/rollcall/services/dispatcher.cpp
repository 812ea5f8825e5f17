#include "rollcall/services/dispatcher.hpp"

#include <deque>
#include <functional>
#include <memory>
#include <random>

#include <date/tz.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "rollcall/services/staff_alerts.hpp"
#include "rollcall/support/backoff.hpp"

namespace rollcall::services {

namespace net = boost::asio;

dispatcher::dispatcher(ports::outbox_store& store, ports::message_sender& sender)
    : store_(store),
      sender_(sender),
      jitter_([rng = std::make_shared<std::mt19937_64>(std::random_device{}())] {
        return std::uniform_real_distribution<double>{0.0, 1.0}(*rng);
      }),
      alerts_([](const ports::client_alert& a) { return client_alert_messages(a); }) {}

std::optional<std::chrono::seconds> dispatcher::hold_back(const ports::claimed_message& m,
                                                          std::chrono::steady_clock::time_point claimed_at) const {
  // Too little of the lease is left to finish this send: another instance could claim it
  // meanwhile and send it again. Hand it back to be claimed afresh.
  const auto margin = std::chrono::seconds{5};
  if (std::chrono::steady_clock::now() - claimed_at + settings_.http_timeout + margin > settings_.lease)
    return std::chrono::seconds{0};
  if (!m.quiet_zone.empty() && settings_.quiet.enabled) {
    const date::time_zone* zone = nullptr;
    try {
      zone = date::locate_zone(m.quiet_zone);
    } catch (const std::exception&) {
      return std::nullopt;
    }
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    if (const auto until = domain::quiet_until(now, *zone, settings_.quiet))
      return std::chrono::ceil<std::chrono::seconds>(*until - now);
  }
  return std::nullopt;
}

ports::task<void> dispatcher::record_results(std::vector<pending_result>& results, dispatch_stats& stats,
                                             bool& store_down) {
  // The messages went out (or not): their recorded results are what keep them from going out
  // again. While the database is away, write them again with backoff, each for as long as its
  // claim is surely ours (until 5 s before its lease ends); after that another claim may take
  // the message over, so its result is given up and the message left `sending` under its lease
  // (claimed again, and maybe sent again, when that expires). The others go on.
  const auto give_up_at = [this](const pending_result& r) {
    return r.claimed_at + settings_.lease - std::chrono::seconds{5};
  };
  net::steady_timer timer{co_await net::this_coro::executor};
  std::exception_ptr gave_up;
  bool write_alone = false;
  for (int failures = 0;;) {
    std::exception_ptr error;
    try {
      std::vector<ports::delivery_record> records;
      records.reserve(results.size());
      for (const auto& r : results) {
        records.push_back(r.record);
        records.back().rewrite = r.record.rewrite || failures > 0;
      }
      const auto recorded = co_await store_.record_deliveries(records, alerts_);
      store_down = false;
      const auto now = std::chrono::steady_clock::now();
      for (std::size_t i = 0; i < results.size(); ++i) {
        // Refused after a failed try: the claim has no other owner before its lease runs out,
        // so the try that failed had committed (its COMMIT was cut off, not lost). Once the
        // lease may have run out (a write can take a connect timeout), another claim may have
        // taken the message over instead: then it is reported as not recorded.
        const bool rewritten = failures > 0 || results[i].record.rewrite;
        const bool ok = recorded.at(i) || (rewritten && now < results[i].claimed_at + settings_.lease);
        if (!ok) ++stats.lost;
      }
      if (gave_up) std::rethrow_exception(gave_up);
      co_return;
    } catch (const store_unavailable&) {
      error = std::current_exception();
    } catch (const std::exception&) {
      // Not the connection: something about one of the results (say, a dead message's fallback
      // could not be built) or a deadlock. Written together they fail together, so write each
      // alone: only the one at fault is left unrecorded.
      if (results.size() == 1) throw;
      write_alone = true;
    }
    if (write_alone) {
      // A failed try before this one may have committed: the single writes are rewrites.
      if (failures > 0)
        for (auto& r : results) r.record.rewrite = true;
      break;
    }
    store_down = true;
    const auto wait = support::backoff_delay(++failures, settings_.record_retry_first, settings_.record_retry_cap);
    const auto next_try = std::chrono::steady_clock::now() + wait;
    std::erase_if(results, [&](const pending_result& r) {
      if (next_try <= give_up_at(r)) return false;
      if (!gave_up) gave_up = error;
      return true;
    });
    if (results.empty()) std::rethrow_exception(error);
    timer.expires_after(wait);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
  }
  std::exception_ptr first_error = gave_up;
  for (auto& r : results) {
    std::vector<pending_result> one{std::move(r)};
    try {
      co_await record_results(one, stats, store_down);
    } catch (...) {
      if (!first_error) first_error = std::current_exception();
    }
  }
  if (first_error) std::rethrow_exception(first_error);
}

ports::task<void> dispatcher::deliver_one(const ports::claimed_message& m, dispatch_stats& stats,
                                          std::chrono::steady_clock::time_point claimed_at,
                                          std::vector<pending_result>& results) {
  const auto started = std::chrono::steady_clock::now();
  ports::send_result sent;
  if (const auto wait = hold_back(m, claimed_at))
    sent.deferred = *wait;
  else
    sent = co_await sender_.deliver(m);
  ports::delivery_record rec;
  rec.outbox_id = m.id;
  rec.claim_token = m.claim_token;
  rec.http_status = sent.outcome.http_status;
  rec.error = sent.error;
  rec.provider = sent.provider;
  rec.provider_message_id = sent.provider_message_id;
  rec.recipient_opted_out = sent.recipient_opted_out;
  rec.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  if (sent.deferred) {
    rec.outcome = ports::delivery_record::next::deferred;
    rec.retry_delay = *sent.deferred;
    ++stats.deferred;
  } else {
    const auto decision =
        sent.permanent ? domain::retry_decision{domain::delivery_verdict::give_up}
                       : domain::decide_retry(sent.outcome, m.attempts, settings_.max_attempts, m.age,
                                              std::chrono::ceil<std::chrono::seconds>(settings_.max_age), jitter_());
    switch (decision.verdict) {
      case domain::delivery_verdict::delivered:
        rec.outcome = ports::delivery_record::next::delivered;
        ++stats.delivered;
        break;
      case domain::delivery_verdict::retry:
        rec.outcome = ports::delivery_record::next::retry;
        rec.retry_delay = decision.delay;
        ++stats.retried;
        break;
      case domain::delivery_verdict::give_up:
        rec.outcome = ports::delivery_record::next::dead;
        ++stats.failed;
        break;
    }
  }
  if (observer_ && rec.outcome != ports::delivery_record::next::deferred)
    observer_(m, rec.outcome,
              m.due_age +
                  std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - claimed_at));
  results.push_back({std::move(rec), claimed_at});
}

ports::task<dispatch_stats> dispatcher::dispatch_once() {
  dispatch_stats stats;
  // Each claim's lease starts within its claim_due call: its time is taken just before, so
  // hold_back errs early.
  struct claimed {
    ports::claimed_message message;
    std::chrono::steady_clock::time_point at;
  };
  std::deque<claimed> queue;
  auto claim = [&](int n) -> ports::task<void> {
    queued_ = false;
    const auto at = std::chrono::steady_clock::now();
    auto batch = co_await store_.claim_due(n, settings_.lease, settings_.provider_configured);
    stats.claimed += static_cast<int>(batch.size());
    for (auto& m : batch) queue.push_back({std::move(m), at});
  };
  auto first = claim(settings_.batch_size);
  co_await std::move(first);
  if (queue.empty()) {
    stats.next_due = co_await next_due();
    co_return stats;
  }

  // Each message is delivered by its own coroutine; `wake` is cancelled when one ends. Their
  // results wait in `results` for the one writer, which takes all that are waiting each time it
  // writes. A message holds its slot until its result is written, so that at most
  // `concurrency` messages are ever sent and not yet recorded (what a crash or an outage can
  // send twice). Everything runs on this coroutine's
  // (single-threaded) executor, so the counters need no locks, and no completion can slip in
  // between a check and the wait.
  auto ex = co_await net::this_coro::executor;
  const int slots = std::max(1, settings_.concurrency);
  int running = 0;
  int writing = 0;  // results being written
  std::vector<pending_result> results;
  std::exception_ptr first_error;
  bool store_down = false;
  bool refilling = true;
  auto last_claim = std::chrono::steady_clock::now();
  net::steady_timer wake{ex};
  batch_wake_ = &wake;
  struct forget_wake {
    net::steady_timer*& at;
    ~forget_wake() { at = nullptr; }
  } forget{batch_wake_};
  // Starts a write of what is waiting, unless one is under way; called again when a result
  // comes in and when a write ends, so results never wait on the claims of this loop.
  std::function<void()> start_writer = [&] {
    if (results.empty() || writing != 0) return;
    writing = static_cast<int>(results.size());
    net::co_spawn(
        ex,
        [this, batch = std::exchange(results, {}), &stats, &store_down]() mutable -> net::awaitable<void> {
          co_await record_results(batch, stats, store_down);
        },
        [&](std::exception_ptr e) {
          if (e && !first_error) first_error = e;
          writing = 0;
          start_writer();
          wake.cancel();
        });
  };
  for (;;) {
    // One message's failure (say, its result could not be recorded) must not stop the rest:
    // note it, go on, and report it when all are done. But while the database is away nothing
    // more is sent: a result that cannot be written means a second delivery later, whereas an
    // unsent message just waits for its lease.
    const auto busy = [&] { return running + static_cast<int>(results.size()) + writing; };
    while (!queue.empty() && busy() < slots && !store_down) {
      auto item = std::make_shared<claimed>(std::move(queue.front()));
      queue.pop_front();
      ++running;
      net::co_spawn(
          ex,
          [this, item, &stats, &results]() -> net::awaitable<void> {
            co_await deliver_one(item->message, stats, item->at, results);
          },
          [&](std::exception_ptr e) {
            if (e && !first_error) first_error = e;
            --running;
            start_writer();
            wake.cancel();
          });
    }
    start_writer();
    // Claimed messages left unsent (the database is away) keep their lease.
    if (busy() == 0) break;
    const auto now = std::chrono::steady_clock::now();
    const bool can_refill = refilling && !refills_stopped_ && queue.empty() && busy() < slots && !store_down;
    if (can_refill && (queued_ || now >= last_claim + settings_.refill_after)) {
      // Slow deliveries hold some slots: the free ones take what came due meanwhile.
      last_claim = now;
      try {
        auto refill = claim(std::min(settings_.batch_size, slots - busy()));
        co_await std::move(refill);
      } catch (...) {
        if (!first_error) first_error = std::current_exception();
        refilling = false;
      }
      continue;
    }
    wake.expires_at(can_refill ? last_claim + settings_.refill_after : std::chrono::steady_clock::time_point::max());
    co_await wake.async_wait(net::as_tuple(net::use_awaitable));
  }
  if (first_error) std::rethrow_exception(first_error);
  if (stats.claimed < settings_.batch_size) stats.next_due = co_await next_due();
  co_return stats;
}

ports::task<std::optional<std::chrono::milliseconds>> dispatcher::next_due() {
  try {
    co_return co_await store_.next_due(settings_.provider_configured);
  } catch (const std::exception&) {
    co_return std::nullopt;  // the round's work is done; the loop waits its interval
  }
}

void dispatcher::messages_queued() {
  queued_ = true;
  if (batch_wake_) batch_wake_->cancel();
}

}  // namespace rollcall::services
