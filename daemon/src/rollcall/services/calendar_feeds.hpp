// What each kind of calendar feed shows. Group and staff feeds name the group and its room;
// a client's feed must reveal no treatment (42 CFR Part 2): every event is an "Appointment"
// at the site's address (or the telehealth link of a group with no room), nothing else.
#pragma once

#include <chrono>
#include <string>

#include "rollcall/domain/ics.hpp"
#include "rollcall/ports/feeds.hpp"

namespace rollcall::services {

// How far back a feed reaches: calendar apps keep what they had, so recent weeks suffice.
inline constexpr std::chrono::days feed_history{30};

domain::ics_calendar feed_calendar(const ports::feed_contents& feed);

// The feed as RFC 5545 text, stamped `now`.
std::string render_feed(const ports::feed_contents& feed, std::chrono::sys_seconds now);

}  // namespace rollcall::services
