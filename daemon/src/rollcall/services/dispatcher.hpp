// Claims due messages from the outbox, delivers them with bounded concurrency, and records
// each attempt and its result (delivered, retry later, or failed) per the retry policy. Results
// are written together: one write at a time takes all that finished while the last was under
// way (so a busy queue writes large batches and a quiet one writes each result at once). While
// slow deliveries hold some of the slots, free slots take more due messages (refills), so one
// slow or hostile peer does not hold back everything behind it.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "rollcall/domain/quiet_hours.hpp"
#include "rollcall/ports/ports.hpp"

namespace rollcall::services {

struct dispatcher_settings {
  int batch_size = 100;
  int concurrency = 16;
  std::chrono::milliseconds lease{60'000};
  int max_attempts = 8;
  std::chrono::milliseconds max_age{std::chrono::hours{24}};  // since first due; then dead-lettered
  std::chrono::milliseconds http_timeout{10'000};
  // While deliveries are in flight and slots are free, claim what came due this often (the
  // dispatcher's poll interval).
  std::chrono::milliseconds refill_after{1'000};
  // Reminders (those with a quiet_zone) held up into quiet hours wait until they end.
  domain::quiet_hours quiet = [] {
    domain::quiet_hours q;
    q.enabled = false;
    return q;
  }();
  bool provider_configured = true;  // false: provider messages wait, unclaimed
  // While the database is unreachable, a result is written again after this, doubling up to
  // the cap, until the lease is nearly up.
  std::chrono::milliseconds record_retry_first{500};
  std::chrono::milliseconds record_retry_cap{5'000};
};

struct dispatch_stats {
  int claimed = 0;
  int delivered = 0;
  int retried = 0;
  int failed = 0;    // dead-lettered
  int deferred = 0;  // handed back unsent (a provider's rate limit)
  int lost = 0;      // results not recorded because another claim had taken the message over
  // After a round that claimed less than a batch: how long until the next message comes due or
  // a lease runs out (nullopt: nothing is waiting), so the loop can sleep until then.
  std::optional<std::chrono::milliseconds> next_due;
};

class dispatcher {
 public:
  dispatcher(ports::outbox_store& store, ports::message_sender& sender);
  // A number in [0, 1) for the retry jitter (tests fix it).
  void set_jitter(std::function<double()> jitter) { jitter_ = std::move(jitter); }
  void set_settings(dispatcher_settings s) { settings_ = s; }
  // Told of every attempt made (not of messages handed back unsent) once its result is known:
  // the message, the outcome, and the time from its first due time until now (for metrics).
  using attempt_observer = std::function<void(const ports::claimed_message&, ports::delivery_record::next,
                                              std::chrono::milliseconds since_due)>;
  void set_observer(attempt_observer observer) { observer_ = std::move(observer); }
  // One batch: claim, deliver all of it, record; meanwhile refill free slots with messages that
  // come due (every refill_after) until nothing is in flight. Returns what happened.
  ports::task<dispatch_stats> dispatch_once();
  // Shutting down: batches under way claim nothing more (they finish what they hold).
  void stop_refills() { refills_stopped_ = true; }
  // A message was queued (the outbox's NOTIFY): a batch under way with free slots claims at
  // once rather than at its next refill. Call on the dispatcher's executor.
  void messages_queued();

 private:
  // A delivery's result, waiting to be written with others.
  struct pending_result {
    ports::delivery_record record;
    std::chrono::steady_clock::time_point claimed_at;
  };
  // `store_down` is shared by the batch: set while results cannot be written, so that no
  // further message is sent meanwhile.
  ports::task<void> deliver_one(const ports::claimed_message& message, dispatch_stats& stats,
                                std::chrono::steady_clock::time_point claimed_at, std::vector<pending_result>& results);
  // Writes `results` (some may be dropped: given up); throws the first error once the rest are
  // written.
  ports::task<void> record_results(std::vector<pending_result>& results, dispatch_stats& stats, bool& store_down);
  // The store's next due time; nullopt if it cannot say (the database went away meanwhile).
  ports::task<std::optional<std::chrono::milliseconds>> next_due();
  // Why not to send `m` now, if there is a reason: how long to hold it back.
  std::optional<std::chrono::seconds> hold_back(const ports::claimed_message& m,
                                                std::chrono::steady_clock::time_point claimed_at) const;

  ports::outbox_store& store_;
  ports::message_sender& sender_;
  dispatcher_settings settings_;
  std::function<double()> jitter_;
  ports::client_alert_maker alerts_;
  attempt_observer observer_;
  bool refills_stopped_ = false;
  bool queued_ = false;                              // messages_queued() since the last claim
  boost::asio::steady_timer* batch_wake_ = nullptr;  // the running batch's wait, if any
};

}  // namespace rollcall::services
