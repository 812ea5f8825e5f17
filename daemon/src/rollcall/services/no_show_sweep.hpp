// Finds clients nobody marked a grace period after their session started, records them
// absent and raises one missed-session alert to their primary counselor.
#pragma once

#include <chrono>

#include "rollcall/ports/ports.hpp"

namespace rollcall::services {

class no_show_sweep {
 public:
  no_show_sweep(ports::attendance_store& store, const ports::clock& clock) : store_(store), clock_(clock) {}
  void set_grace(std::chrono::seconds grace) { grace_ = grace; }
  // Returns how many clients were newly recorded as missed.
  ports::task<int> sweep_once();

 private:
  ports::attendance_store& store_;
  const ports::clock& clock_;
  std::chrono::seconds grace_{15 * 60};
};

// The alert for one missed session (pure; exposed for tests). Sent to the counselor's alert
// webhook when they have one, else by SMS, else by email; nullopt when they have none.
std::optional<ports::new_message> missed_session_alert(const ports::missed_attendance& missed);

}  // namespace rollcall::services
