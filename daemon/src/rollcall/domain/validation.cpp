#include "rollcall/domain/validation.hpp"

#include <algorithm>

namespace rollcall::domain {

bool is_e164(std::string_view phone) {
  if (phone.size() < 3 || phone.size() > 16 || phone[0] != '+' || phone[1] < '1' || phone[1] > '9') return false;
  return std::all_of(phone.begin() + 1, phone.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_plausible_email(std::string_view email) {
  if (email.size() > 254) return false;
  const auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos) return false;
  const auto domain = email.substr(at + 1);
  const auto dot = domain.find('.');
  if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') return false;
  return std::none_of(email.begin(), email.end(),
                      // unsigned: UTF-8 bytes (>= 0x80) of internationalised addresses are not controls.
                      [](unsigned char c) { return c == ' ' || c < 0x20; });
}

}  // namespace rollcall::domain
