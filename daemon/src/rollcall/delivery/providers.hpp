// Provider adapters: turn one outbound message into the HTTP request a provider expects and its
// answer into an outcome for the retry policy. webhook: Standard Webhooks JSON; twilio: the
// Messages API (SMS); sendgrid: v3 mail/send (email). Errors are short and carry no personal
// data (no numbers, addresses or message text), so they can be stored and logged.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "rollcall/delivery/http_client.hpp"
#include "rollcall/domain/retry.hpp"
#include "rollcall/ports/ports.hpp"

namespace rollcall::delivery {

struct outbound_message {
  std::string message_id;    // msg_..., stable across retries: webhook-id / idempotency key
  std::string channel;       // sms | email
  std::string to;            // E.164 phone or email address
  std::string subject;       // email
  std::string text;          // the body text
  std::string payload_json;  // webhook providers: the JSON object to send (message_id is added to it)
};

struct provider_result {
  domain::delivery_outcome outcome;  // http_status 0 = no response; retry_after
  std::string error;                 // short, no personal data: "HTTP 500", "timeout", "twilio error 21610"
  std::string provider_message_id;   // Twilio "sid"; SendGrid X-Message-Id; webhook: the message_id
  // The provider's own error code when it sent one (Twilio "code", e.g. 21610: the recipient
  // opted out; 21211: invalid number), else 0.
  long long provider_error_code = 0;
  // Nothing was sent because the message or the settings cannot work (no URL, bad secret,
  // payload not a JSON object): retrying will not help. outcome.http_status is 0.
  bool permanent = false;
};

struct provider_settings {
  std::string name;
  std::string type;    // webhook | twilio | sendgrid | chat (a Slack-compatible incoming webhook, unsigned)
  std::string url;     // webhook endpoint, or base URL for twilio/sendgrid
  std::string secret;  // webhook: whsec_...
  std::string account_sid, auth_token, from, messaging_service_sid;  // twilio
  std::string api_key, from_email, from_name;                        // sendgrid
  std::string status_callback_url;                                   // twilio StatusCallback (empty: not sent)
  std::chrono::milliseconds timeout{10'000};
};

class provider {
 public:
  virtual ~provider() = default;
  virtual const provider_settings& settings() const = 0;
  virtual boost::asio::awaitable<provider_result> send(const outbound_message& m) = 0;
};

// Throws std::invalid_argument for an unknown type. `client` and `clock` must outlive it.
std::unique_ptr<provider> make_provider(provider_settings s, http_client& client, const ports::clock& clock);

// The webhook body: `payload_json` (a JSON object) with "message_id" added; nullopt if it is not
// a JSON object.
std::optional<std::string> webhook_payload(const outbound_message& m);

}  // namespace rollcall::delivery
