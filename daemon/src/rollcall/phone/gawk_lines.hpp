// The line protocol between rollcalld and its gawk child (gawk_phone_normalizer): what goes to
// gawk's stdin and how its stdout becomes one answer per number. Pure, so the part of phone
// normalisation that handles outside input can be fuzzed without starting a process.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rollcall::phone {

// Line 1 is the default region, then one line per number. A number that would not fit on one
// line (a control character) or is longer than 64 bytes goes as an empty line, so a number can
// never add a line and shift the answers of the numbers after it.
std::string gawk_input(const std::vector<std::string>& numbers, const std::string& region);

// One answer per line of gawk's output: the E.164 number, or nullopt for "-" or anything else.
std::vector<std::optional<std::string>> gawk_answers(std::string_view output);

}  // namespace rollcall::phone
