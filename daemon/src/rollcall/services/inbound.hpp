// Inbound SMS: what a client's (or family contact's) text means and what rollcall does about
// it. STOP-words opt the number out at once (one confirmation, then silence, and the counselor
// hears the client is unreachable by SMS); START-words opt it back in; HELP answers with the
// site's phone; C confirms and N declines the next session (N alerts the counselor). Unknown
// senders are ignored. The text itself is never stored or logged.
#pragma once

#include "rollcall/ports/messaging.hpp"
#include "rollcall/services/composer.hpp"

namespace rollcall::services {

// What to do about `message` from `sender` (pure; exposed for tests).
ports::inbound_actions decide_inbound(const composer& c, const ports::inbound_sms& message,
                                      const ports::inbound_sender& sender, ports::sys_seconds now);

class inbound_service {
 public:
  inbound_service(ports::messaging_store& store, const composer& composer, const ports::clock& clock)
      : store_(store), composer_(composer), clock_(clock) {}
  // SMS check-in: off, or the window around a session's start in which a HERE counts.
  void set_checkin(bool enabled, std::chrono::seconds before, std::chrono::seconds after) {
    checkin_ = enabled;
    before_ = before;
    after_ = after;
  }
  ports::task<ports::inbound_result> handle(const ports::inbound_sms& message);

 private:
  ports::messaging_store& store_;
  const composer& composer_;
  const ports::clock& clock_;
  bool checkin_ = false;
  std::chrono::seconds before_{0}, after_{0};
};

}  // namespace rollcall::services
