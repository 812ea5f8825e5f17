// Turning phone numbers as people write them ("(212) 555-0123") into E.164 ("+12125550123").
// The adapter (delivery/gawk_phone_normalizer) asks libphonenumber; tests use fakes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rollcall/ports/ports.hpp"

namespace rollcall::ports {

class phone_normalizer {
 public:
  virtual ~phone_normalizer() = default;
  // One answer per number, in order: its E.164 form, or nothing when it is not a valid number
  // (short numbers such as 911 included). Numbers without a country code are read as dialled
  // in `region` (two uppercase letters, like "US"). Throws when the normaliser cannot run.
  virtual task<std::vector<std::optional<std::string>>> normalize(const std::vector<std::string>& numbers,
                                                                  const std::string& region) = 0;
};

}  // namespace rollcall::ports
