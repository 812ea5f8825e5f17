// application/x-www-form-urlencoded bodies: what Twilio's API takes and what its status and
// inbound-message callbacks send (and sign, see twilio_signature).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rollcall::delivery {

using form_fields = std::vector<std::pair<std::string, std::string>>;

// Names and values in order, joined by '&' and '='. Space becomes '+'; everything but ASCII
// letters, digits and "*-._" is percent-encoded (so a phone's '+' travels as %2B).
std::string form_encode(const form_fields& fields);

// The fields in order ('+' is a space, %XX decoded; a field without '=' has an empty value; empty
// fields between '&'s are skipped). nullopt when a '%' is not followed by two hex digits.
std::optional<form_fields> form_decode(std::string_view body);

}  // namespace rollcall::delivery
