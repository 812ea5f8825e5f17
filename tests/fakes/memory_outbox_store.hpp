// outbox_store in memory: a queue of ready messages handed out in claim order, and every
// delivery record the dispatcher writes.
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "rollcall/ports/ports.hpp"

namespace rollcall::fakes {

class memory_outbox_store final : public ports::outbox_store {
 public:
  void add(ports::claimed_message m) { ready.push_back(std::move(m)); }

  // Messages for the provider stay queued while `include_provider` is false, as in PostgreSQL.
  ports::task<std::vector<ports::claimed_message>> claim_due(int batch_size, std::chrono::milliseconds lease,
                                                             bool include_provider) override {
    claims.push_back({batch_size, lease, include_provider});
    std::vector<ports::claimed_message> out;
    for (auto it = ready.begin(); it != ready.end() && static_cast<int>(out.size()) < batch_size;) {
      if (!include_provider && it->target == "provider") {
        ++it;
        continue;
      }
      out.push_back(std::move(*it));
      it = ready.erase(it);
    }
    co_return out;
  }

  // Zero while a message is ready; otherwise `later` (what the test says comes due next).
  ports::task<std::optional<std::chrono::milliseconds>> next_due(bool include_provider) override {
    next_due_calls.push_back(include_provider);
    for (const auto& m : ready)
      if (include_provider || m.target != "provider") co_return std::chrono::milliseconds{0};
    co_return later;
  }

  // A record whose claim token is in `lost_tokens` finds its claim taken over (false). The
  // first `unavailable_records` calls throw as an unreachable database does; with
  // `commit_before_failing` each of them has written its records first (a COMMIT cut off).
  ports::task<std::vector<bool>> record_deliveries(const std::vector<ports::delivery_record>& batch,
                                                   const ports::client_alert_maker&) override {
    ++record_calls;
    if (record_delay.count() > 0) {
      boost::asio::steady_timer timer{co_await boost::asio::this_coro::executor, record_delay};
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
    for (const auto& record : batch)
      if (poisoned_tokens.count(record.claim_token)) throw std::runtime_error{"a result the store cannot take"};
    if (unavailable_records > 0) {
      --unavailable_records;
      ++failed_records;
      if (commit_before_failing)
        for (const auto& record : batch)
          if (committed_tokens.insert(record.claim_token).second) records.push_back(record);
      throw store_unavailable{"database unavailable: test"};
    }
    std::vector<bool> out;
    for (const auto& record : batch) {
      if (committed_tokens.count(record.claim_token)) {
        out.push_back(false);  // its claim token was cleared by that commit
        continue;
      }
      records.push_back(record);
      out.push_back(!lost_tokens.count(record.claim_token));
    }
    co_return out;
  }

  struct claim_call {
    int batch_size;
    std::chrono::milliseconds lease;
    bool include_provider;
  };
  std::set<std::string> lost_tokens;
  int unavailable_records = 0;
  bool commit_before_failing = false;
  int failed_records = 0;
  int record_calls = 0;
  std::chrono::milliseconds record_delay{0};  // each write takes this long (others may run meanwhile)
  std::set<std::string> poisoned_tokens;      // a write holding one of these fails (not the connection)
  std::set<std::string> committed_tokens;

  std::optional<std::chrono::milliseconds> later;
  std::vector<bool> next_due_calls;
  std::deque<ports::claimed_message> ready;
  std::vector<claim_call> claims;
  std::vector<ports::delivery_record> records;
};

}  // namespace rollcall::fakes
