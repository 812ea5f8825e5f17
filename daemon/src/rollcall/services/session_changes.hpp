// Cancelling or moving one session: the store changes it, cancels its pending reminders and
// queues a neutral notice to each enrolled client, in one transaction; the planner then plans
// fresh reminders for a moved session.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "rollcall/ports/ports.hpp"
#include "rollcall/services/composer.hpp"

namespace rollcall::services {

struct move_request {
  std::optional<std::string> local_date;           // default: the same date
  std::optional<std::chrono::seconds> start, end;  // local times of day; default: the same
  std::string room;                                // empty: unchanged (the group's room)
  std::optional<ports::id_t> facilitator_id;       // someone else leads this one session
  std::string reason;                              // staff only
};

class session_changes {
 public:
  session_changes(ports::session_change_store& store, const composer& composer, const ports::clock& clock)
      : store_(store), composer_(composer), clock_(clock) {}
  const services::composer& composer() const { return composer_; }
  ports::task<outcome<ports::session>> cancel(ports::id_t session_id, const std::string& reason,
                                              const std::string& actor);
  ports::task<outcome<ports::session>> move(ports::id_t session_id, const move_request& request,
                                            const std::string& actor);
  // A site closure: every upcoming session it covers is cancelled as by cancel().
  ports::task<outcome<ports::closure>> close_site(const ports::new_closure& closure, const std::string& actor);

 private:
  ports::session_change_store& store_;
  const services::composer& composer_;
  const ports::clock& clock_;
};

// The notices for a changed session (pure; exposed for tests). `before` is the session as
// clients last heard of it; kind is "cancelled" or "moved".
std::vector<ports::new_message> change_notices(const composer& c, const std::string& kind,
                                               const ports::session_context& before,
                                               const ports::session_context& after,
                                               const std::vector<ports::session_attendee>& attendees,
                                               ports::sys_seconds now);

}  // namespace rollcall::services
