// Messaging routes. For staff (bearer token): a client's messages with every attempt and
// status, their consent and opt-outs; dead letters and their replay. For providers (their own
// signatures, no token): delivery receipts and inbound SMS under /hooks/{provider}/...
#pragma once

#include <string>
#include <vector>

#include "rollcall/http/router.hpp"
#include "rollcall/ports/messaging.hpp"
#include "rollcall/services/inbound.hpp"

namespace rollcall::http {

// What verifying a provider's callbacks needs.
struct hook_provider {
  std::string name;
  std::string type;        // twilio: X-Twilio-Signature with auth_token; otherwise Standard Webhooks with secret
  std::string auth_token;  // twilio
  std::string secret;      // whsec_...
  std::string public_url;  // the base URL the provider calls (Twilio signs the full URL)
};

struct messaging_deps {
  ports::messaging_store& store;
  services::inbound_service& inbound;
  const std::vector<hook_provider>* providers;  // follows config reloads
  const ports::clock& clock;
};

void register_messaging_routes(router& r, messaging_deps d);

}  // namespace rollcall::http
