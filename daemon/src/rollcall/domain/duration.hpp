// Durations as people write them in config and the API: "90s", "15m", "24h", "14d".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace rollcall::domain {

// Parses a non-negative whole number followed by one unit (ms, s, m, h, d).
// Returns nullopt for anything else (no sign, no spaces, no mixed units, no overflow).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// Shortest exact spelling of a duration in the same notation ("90s", "2h").
std::string format_duration(std::chrono::milliseconds d);

}  // namespace rollcall::domain
