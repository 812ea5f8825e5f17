// Standard Webhooks signatures: v1,<base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))>,
// where key is the base64-decoded part of the secret after "whsec_". Also Twilio's
// X-Twilio-Signature on the callbacks it sends us.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rollcall::delivery {

// nullopt when the secret is not whsec_ followed by valid base64.
std::optional<std::string> decode_webhook_secret(std::string_view secret);

// The full header value "v1,<base64>".
std::string sign_webhook(std::string_view key, std::string_view id, long long timestamp, std::string_view body);

// Checks a webhook-signature header (space-separated list; any v1 entry may match) in
// constant time, and that the timestamp is within `tolerance_s` of `now`.
bool verify_webhook(std::string_view key, std::string_view id, std::string_view timestamp, std::string_view body,
                    std::string_view signature_header, long long now, long long tolerance_s = 300);

// base64(HMAC-SHA1(auth_token, url + concat of name+value of each POST param sorted by name)).
// `url` is the full URL as Twilio called it (the public one behind a TLS-terminating proxy).
// Pairs are sorted whole: equal names are ordered by value, as Twilio's own libraries do.
std::string twilio_signature(std::string_view auth_token, std::string_view url,
                             std::vector<std::pair<std::string, std::string>> params);
// Constant-time comparison with the X-Twilio-Signature header value.
bool verify_twilio(std::string_view auth_token, std::string_view url,
                   const std::vector<std::pair<std::string, std::string>>& params, std::string_view header);

std::string base64_encode(std::string_view data);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace rollcall::delivery
