// Messaging beyond planning and dispatch: provider receipts, inbound SMS, fallbacks and dead
// letters, and what staff can see of a client's messages.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rollcall/ports/ports.hpp"

namespace rollcall::ports {

// A provider's report on a message it accepted.
struct delivery_receipt {
  std::string provider;             // the configured provider's name
  std::string provider_message_id;  // Twilio MessageSid; or
  std::string message_id;           // our msg_... id (generic webhook providers)
  std::string status;               // queued | sending | sent | delivered | undelivered | failed | ...
  std::string error_code;           // e.g. Twilio ErrorCode 21610 (the recipient opted out)
};
enum class receipt_result { updated, unchanged, unknown_message };

// Who sent an inbound SMS, as far as rollcall knows, and what their next session is.
struct inbound_sender {
  bool known = false;
  bool shared_number = false;  // several clients have this number: whose session is unclear
  id_t client_id = 0;
  id_t family_contact_id = 0;
  std::string first_name;
  std::string language = "en";
  std::string site_name;
  std::string site_phone;
  bool opted_out = false;
  std::optional<id_t> next_session_id;  // the client's next session that has not started
  sys_seconds next_session_starts_at;
  std::string time_zone;  // of the next session's site
  std::optional<staff> counselor;
  std::optional<id_t> checkin_session_id;  // a session of theirs starting about now (SMS check-in)
};

struct inbound_sms {
  std::string provider;
  std::string provider_message_id;
  std::string from;  // E.164
  std::string body;  // never stored or logged
  // SMS check-in: a session of the sender starting within [now - after, now + before] counts.
  bool checkin = false;
  std::chrono::seconds checkin_before{0};
  std::chrono::seconds checkin_after{0};
};

// What an inbound message does, decided by the inbound service from the sender.
struct inbound_actions {
  std::string intent;  // opt_out | opt_in | help | confirm | decline | unknown
  bool opt_out = false;
  bool opt_in = false;
  std::string session_reply;  // confirmed | declined | empty
  bool check_in = false;      // record a present mark (source sms) for checkin_session_id
  std::vector<new_message> messages;
};
using inbound_decider = std::function<inbound_actions(const inbound_sender&)>;

struct inbound_result {
  bool duplicate = false;  // the provider sent this message before: nothing done
  bool known_sender = false;
  std::string intent;
};

struct message_attempt {
  sys_seconds at;
  int http_status = 0;
  std::string error;
  std::string provider;
  std::string provider_message_id;
  int elapsed_ms = 0;
};

// One message as staff see it (GET /v1/clients/{id}/messages).
struct message_view {
  id_t id = 0;
  std::string message_id;
  std::string kind;
  std::string channel;
  std::string recipient;
  std::string status;
  std::string text;
  sys_seconds due_at;
  std::optional<sys_seconds> delivered_at;
  int attempts = 0;
  std::string last_error;
  std::string provider;
  std::string provider_message_id;
  std::string provider_status;
  std::optional<id_t> client_id;
  std::optional<id_t> session_id;
  std::optional<id_t> fallback_of;
  std::vector<message_attempt> history;
};

// A client's reachability, for the client view.
struct contact_state {
  bool sms_consent = true;
  bool email_consent = true;
  std::optional<sys_seconds> sms_opted_out_at;
  std::optional<sys_seconds> email_opted_out_at;
};

class messaging_store {
 public:
  virtual ~messaging_store() = default;
  // not_found: no such client. Newest first; `before` (an id) pages back.
  virtual task<result<std::vector<message_view>>> messages_of_client(id_t client_id, int limit, id_t before) = 0;
  virtual task<result<contact_state>> contact_state_of(id_t client_id) = 0;
  virtual task<std::vector<message_view>> dead_letters(int limit, id_t before) = 0;
  // Puts a dead message back in the queue, due now, with its attempts reset. not_found;
  // conflict: it is not dead.
  virtual task<outcome<message_view>> replay(id_t outbox_id, const std::string& actor) = 0;
  // Records the furthest status a provider reported (receipts may arrive out of order). An
  // undelivered or failed message falls back to its next channel, or its client's counselor
  // hears that the client could not be reached; error 21610 opts the number out.
  virtual task<receipt_result> apply_receipt(const delivery_receipt& receipt, const client_alert_maker& alerts) = 0;
  // In one transaction: records the message (once per provider id), finds its sender, and
  // carries out what `decide` returns for them (opt-out/in, a session reply, messages).
  virtual task<inbound_result> handle_inbound(const inbound_sms& message, const inbound_decider& decide,
                                              const client_alert_maker& alerts) = 0;
  // Client consent per channel (PUT /v1/clients/{id}/messaging). not_found.
  virtual task<outcome<contact_state>> set_consent(id_t client_id, std::optional<bool> sms, std::optional<bool> email,
                                                   const std::string& actor) = 0;
};

}  // namespace rollcall::ports
