// outbox_store in memory: a queue of ready messages handed out in claim order, and every
// delivery record the dispatcher writes.
#pragma once

#include <deque>
#include <vector>

#include "rollcall/ports/ports.hpp"

namespace rollcall::fakes {

class memory_outbox_store final : public ports::outbox_store {
 public:
  void add(ports::claimed_message m) { ready.push_back(std::move(m)); }

  ports::task<std::vector<ports::claimed_message>> claim_due(int batch_size,
                                                             std::chrono::milliseconds lease) override {
    claims.push_back({batch_size, lease});
    std::vector<ports::claimed_message> out;
    while (!ready.empty() && static_cast<int>(out.size()) < batch_size) {
      out.push_back(std::move(ready.front()));
      ready.pop_front();
    }
    co_return out;
  }

  ports::task<void> record_delivery(const ports::delivery_record& record) override {
    records.push_back(record);
    co_return;
  }

  struct claim_call {
    int batch_size;
    std::chrono::milliseconds lease;
  };

  std::deque<ports::claimed_message> ready;
  std::vector<claim_call> claims;
  std::vector<ports::delivery_record> records;
};

}  // namespace rollcall::fakes
