// The calendar feeds' SQL (sql_feeds.cpp), prepared with the rest by sql::prepare_all.
#pragma once

#include <pqxx/connection>

namespace rollcall::store::sql {

inline constexpr const char* insert_feed = "insert_feed";
inline constexpr const char* feeds_of_owner = "feeds_of_owner";
inline constexpr const char* lock_feed = "lock_feed";
inline constexpr const char* revoke_feed = "revoke_feed";
inline constexpr const char* feed_of_token = "feed_of_token";
inline constexpr const char* group_name = "group_name";
inline constexpr const char* staff_name = "staff_name";
inline constexpr const char* feed_sessions_of_group = "feed_sessions_of_group";
inline constexpr const char* feed_sessions_of_staff = "feed_sessions_of_staff";
inline constexpr const char* feed_sessions_of_client = "feed_sessions_of_client";

void prepare_feeds(pqxx::connection& c);

}  // namespace rollcall::store::sql
