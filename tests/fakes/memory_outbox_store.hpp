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
  ports::task<bool> record_delivery(const ports::delivery_record& record, const ports::client_alert_maker&) override {
    records.push_back(record);
    co_return !lost_tokens.count(record.claim_token);
  }

  struct claim_call {
    int batch_size;
    std::chrono::milliseconds lease;
    bool include_provider;
  };
  std::set<std::string> lost_tokens;

  std::deque<ports::claimed_message> ready;
  std::vector<claim_call> claims;
  std::vector<ports::delivery_record> records;
};

}  // namespace rollcall::fakes
