// PostgreSQL side of messaging: fallbacks and dead letters, receipts, inbound SMS, consent
// and the message history staff see (ports/messaging.hpp).
#pragma once

#include <pqxx/pqxx>

#include "rollcall/ports/messaging.hpp"
#include "rollcall/store/db_pool.hpp"
#include "rollcall/store/pg_events.hpp"

namespace rollcall::store {

// A message to a client that will not arrive (given up on, undelivered, or its channel no
// longer allowed): queues its next channel, if it has one; else, when `alerts` is given and it
// was a reminder or notice, tells the client's counselor the client could not be reached.
// The caller has locked the message and set its own status.
void fail_over(pqxx::work& tx, ports::id_t outbox_id, const ports::client_alert_maker* alerts,
               const event_subscriptions& events = no_event_subscriptions());

// Records that the recipient of message `outbox_id` opted out of its channel with the provider
// (Twilio's 21610) and moves their other pending messages on it to their next channel.
void opt_out_recipient(pqxx::work& tx, ports::id_t outbox_id, const ports::client_alert_maker& alerts,
                       const event_subscriptions& events);

class pg_messaging_store final : public ports::messaging_store {
 public:
  // `events`: an SMS check-in queues attendance.marked for its subscriptions.
  explicit pg_messaging_store(db_pool& pool, const event_subscriptions& events = no_event_subscriptions())
      : pool_(pool), events_(events) {}
  ports::task<result<std::vector<ports::message_view>>> messages_of_client(ports::id_t client_id, int limit,
                                                                           ports::id_t before) override;
  ports::task<result<ports::contact_state>> contact_state_of(ports::id_t client_id) override;
  ports::task<std::vector<ports::message_view>> dead_letters(int limit, ports::id_t before) override;
  ports::task<outcome<ports::message_view>> replay(ports::id_t outbox_id, const std::string& actor) override;
  ports::task<ports::receipt_result> apply_receipt(const ports::delivery_receipt& receipt,
                                                   const ports::client_alert_maker& alerts) override;
  ports::task<ports::inbound_result> handle_inbound(const ports::inbound_sms& message,
                                                    const ports::inbound_decider& decide,
                                                    const ports::client_alert_maker& alerts) override;
  ports::task<outcome<ports::contact_state>> set_consent(ports::id_t client_id, std::optional<bool> sms,
                                                         std::optional<bool> email, const std::string& actor) override;

 private:
  db_pool& pool_;
  const event_subscriptions& events_;
};

}  // namespace rollcall::store
