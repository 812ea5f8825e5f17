// Integration events: the event types other systems (an EHR) may subscribe to, which
// subscriptions want an event, and the outbox dedupe key that queues an event once per endpoint.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rollcall::domain {

// attendance.marked, attendance.undone, session.missed, alert.created, alert.acknowledged, enrollment.changed.
std::span<const std::string_view> event_types();
bool is_event_type(std::string_view type);

// Whether a subscription listing `events` ("*" alone: every type) wants `type`.
bool subscribes_to(const std::vector<std::string>& events, std::string_view type);

// "event:<type>:<entity_key>:<subscription>": the same event (type and entity) is queued once
// for each endpoint, however often the code that noticed it runs.
std::string event_dedupe_key(std::string_view type, std::string_view entity_key, std::string_view subscription);

}  // namespace rollcall::domain
