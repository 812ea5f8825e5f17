// Delivers outbox messages as Standard Webhooks: JSON POSTs with webhook-id (the stable
// message id), webhook-timestamp and webhook-signature headers. Client reminders go to the
// configured provider webhook; staff alerts to the counselor's own alert webhook.
#pragma once

#include <string>

#include "rollcall/delivery/http_client.hpp"
#include "rollcall/ports/ports.hpp"

namespace rollcall::delivery {

struct webhook_settings {
  std::string provider_url;
  std::string provider_secret;  // whsec_...
  std::string alert_secret;     // whsec_...; the provider secret when empty
  std::chrono::milliseconds timeout{10'000};
};

class webhook_sender final : public ports::message_sender {
 public:
  webhook_sender(http_client& client, const ports::clock& clock) : client_(client), clock_(clock) {}
  void set_settings(webhook_settings s) { settings_ = std::move(s); }
  ports::task<ports::send_result> deliver(const ports::claimed_message& message) override;

 private:
  http_client& client_;
  const ports::clock& clock_;
  webhook_settings settings_;
};

// The body sent for a message: its stored payload with the message id added.
std::string webhook_body(const ports::claimed_message& message);

}  // namespace rollcall::delivery
