// outbox_store in memory: a queue of ready messages handed out in claim order, and every
// delivery record the dispatcher writes.
#pragma once

#include <deque>
#include <set>
#include <string>
#include <vector>

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

  // A record whose claim token is in `lost_tokens` finds its claim taken over (returns false).
  // The first `unavailable_records` calls throw as an unreachable database does; with
  // `commit_before_failing` each of them has written the record first (a COMMIT cut off).
  ports::task<bool> record_delivery(const ports::delivery_record& record, const ports::client_alert_maker&) override {
    const bool recorded_before = committed_tokens.count(record.claim_token) > 0;
    if (unavailable_records > 0) {
      --unavailable_records;
      ++failed_records;
      if (commit_before_failing) {
        committed_tokens.insert(record.claim_token);
        records.push_back(record);
      }
      throw store_unavailable{"database unavailable: test"};
    }
    if (recorded_before) co_return false;  // its claim token was cleared by that commit
    records.push_back(record);
    co_return !lost_tokens.count(record.claim_token);
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
  std::set<std::string> committed_tokens;

  std::deque<ports::claimed_message> ready;
  std::vector<claim_call> claims;
  std::vector<ports::delivery_record> records;
};

}  // namespace rollcall::fakes
