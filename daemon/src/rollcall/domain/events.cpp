#include "rollcall/domain/events.hpp"

#include <algorithm>
#include <array>

namespace rollcall::domain {

namespace {
constexpr std::array<std::string_view, 6> types{"attendance.marked", "attendance.undone",  "session.missed",
                                                "alert.created",     "alert.acknowledged", "enrollment.changed"};
}  // namespace

std::span<const std::string_view> event_types() { return types; }

bool is_event_type(std::string_view type) { return std::find(types.begin(), types.end(), type) != types.end(); }

bool subscribes_to(const std::vector<std::string>& events, std::string_view type) {
  return std::any_of(events.begin(), events.end(), [&](const std::string& e) { return e == "*" || e == type; });
}

std::string event_dedupe_key(std::string_view type, std::string_view entity_key, std::string_view subscription) {
  std::string out = "event:";
  out += type;
  out += ':';
  out += entity_key;
  out += ':';
  out += subscription;
  return out;
}

}  // namespace rollcall::domain
