// Claims due messages from the outbox, delivers them with bounded concurrency, and records
// each attempt and its result (delivered, retry later, or failed) per the retry policy.
#pragma once

#include <chrono>
#include <functional>

#include "rollcall/ports/ports.hpp"

namespace rollcall::services {

struct dispatcher_settings {
  int batch_size = 100;
  int concurrency = 16;
  std::chrono::milliseconds lease{60'000};
  int max_attempts = 8;
  bool provider_configured = true;  // false: provider messages wait, unclaimed
};

struct dispatch_stats {
  int claimed = 0;
  int delivered = 0;
  int retried = 0;
  int failed = 0;
  int lost = 0;  // results not recorded because another claim had taken the message over
};

class dispatcher {
 public:
  dispatcher(ports::outbox_store& store, ports::message_sender& sender) : store_(store), sender_(sender) {}
  void set_settings(dispatcher_settings s) { settings_ = s; }
  // One batch: claim, deliver all of it, record. Returns what happened.
  ports::task<dispatch_stats> dispatch_once();

 private:
  ports::task<void> deliver_one(const ports::claimed_message& message, dispatch_stats& stats);

  ports::outbox_store& store_;
  ports::message_sender& sender_;
  dispatcher_settings settings_;
};

}  // namespace rollcall::services
