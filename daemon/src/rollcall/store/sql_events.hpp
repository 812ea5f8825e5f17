// The integration events' SQL (sql_events.cpp), prepared with the rest by sql::prepare_all.
#pragma once

#include <pqxx/connection>

namespace rollcall::store::sql {

inline constexpr const char* insert_event = "insert_event";
inline constexpr const char* event_mark = "event_mark";
inline constexpr const char* event_enrollment = "event_enrollment";
inline constexpr const char* event_missed = "event_missed";

void prepare_events(pqxx::connection& c);

}  // namespace rollcall::store::sql
