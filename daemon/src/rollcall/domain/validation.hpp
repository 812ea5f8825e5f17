// Checks of contact details as clients and staff give them.
#pragma once

#include <string_view>

namespace rollcall::domain {

// E.164: '+', a non-zero digit, then 1-14 more digits (no spaces or punctuation).
bool is_e164(std::string_view phone);

// A pragmatic address check: one '@', a non-empty local part, a dotted domain, no spaces.
bool is_plausible_email(std::string_view email);

}  // namespace rollcall::domain
