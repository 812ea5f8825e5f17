// Fuzz target: what the provider callbacks (/hooks/{provider}/status|inbound) read before anything
// else: the form-encoded body (delivery/form.hpp), the X-Twilio-Signature and Standard Webhooks
// signature checks (delivery/signing.hpp) over it, and the SMS reply keywords of its Body
// (domain/sms_reply.hpp).
#include "rollcall/delivery/form.hpp"
#include "fuzz/fuzz_input.hpp"
#include "rollcall/delivery/signing.hpp"
#include "rollcall/domain/sms_reply.hpp"

namespace {

namespace delivery = rollcall::delivery;
namespace domain = rollcall::domain;

constexpr std::string_view auth_token = "12345678901234567890123456789012";
constexpr std::string_view callback_url = "https://rollcall.example.org/hooks/twilio/inbound";

void check_form(std::string_view body, std::string_view signature) {
  const auto fields = delivery::form_decode(body);
  if (!fields) return;
  // Encoding what was decoded and decoding it again gives the same fields.
  const auto again = delivery::form_decode(delivery::form_encode(*fields));
  FUZZ_CHECK(again && *again == *fields);
  (void)delivery::verify_twilio(auth_token, callback_url, *fields, signature);
  const auto good = delivery::twilio_signature(auth_token, callback_url, *fields);
  FUZZ_CHECK(delivery::verify_twilio(auth_token, callback_url, *fields, good));
  for (const auto& [name, value] : *fields) {
    if (name != "Body") continue;
    const auto intent = domain::parse_sms_reply(value, false);
    (void)domain::to_string(intent);
    // Opting out is never undone by the sender's state: STOP means STOP either way.
    if (intent == domain::sms_intent::opt_out)
      FUZZ_CHECK(domain::parse_sms_reply(value, true) == domain::sms_intent::opt_out);
  }
}

void check_webhook(std::string_view id, std::string_view timestamp, std::string_view signature, std::string_view body) {
  constexpr long long now = 1'700'000'000;
  const std::string key = "fuzz-key";
  (void)delivery::verify_webhook(key, id, timestamp, body, signature, now);
  // A signature made now verifies, whatever the id and body.
  FUZZ_CHECK(
      delivery::verify_webhook(key, id, std::to_string(now), body, delivery::sign_webhook(key, id, now, body), now));
}

void check_base64(std::string_view text) {
  (void)delivery::decode_webhook_secret(text);
  if (const auto bytes = delivery::base64_decode(text)) {
    const auto again = delivery::base64_decode(delivery::base64_encode(*bytes));
    FUZZ_CHECK(again && *again == *bytes);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rollcall::fuzz::input input{data, size};
  switch (input.byte() % 4) {
    case 0: {
      const auto signature = input.part('\n');
      check_form(input.rest(), signature);
      break;
    }
    case 1: {
      const auto id = input.part('\n');
      const auto timestamp = input.part('\n');
      const auto signature = input.part('\n');
      check_webhook(id, timestamp, signature, input.rest());
      break;
    }
    case 2: {
      const bool opted_out = input.byte() & 1;
      (void)domain::parse_sms_reply(input.rest(), opted_out);
      break;
    }
    default:
      check_base64(input.rest());
      break;
  }
  return 0;
}
