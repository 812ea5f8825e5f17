// The staff web page's SQL (sql_views.cpp): a site's day, the roster's session facts, the undo
// of a staff mark, client and group overviews, and the site a record belongs to (for scoping).
// Prepared with the rest by sql::prepare_all.
#pragma once

#include <pqxx/connection>

namespace rollcall::store::sql {

inline constexpr const char* view_site_day = "view_site_day";
inline constexpr const char* view_day_sessions = "view_day_sessions";
inline constexpr const char* view_latest_mark = "view_latest_mark";
inline constexpr const char* view_delete_mark = "view_delete_mark";
inline constexpr const char* view_attendance_closed = "view_attendance_closed";
inline constexpr const char* view_client = "view_client";
inline constexpr const char* view_client_sites = "view_client_sites";
inline constexpr const char* view_client_upcoming = "view_client_upcoming";
inline constexpr const char* view_client_attendance = "view_client_attendance";
inline constexpr const char* view_client_messages = "view_client_messages";
inline constexpr const char* view_client_family = "view_client_family";
inline constexpr const char* view_group = "view_group";
inline constexpr const char* view_group_members = "view_group_members";
inline constexpr const char* view_group_upcoming = "view_group_upcoming";
inline constexpr const char* view_site_of_session = "view_site_of_session";
inline constexpr const char* view_site_of_group = "view_site_of_group";
inline constexpr const char* view_sites_of_episode = "view_sites_of_episode";
inline constexpr const char* view_sites_of_enrollment = "view_sites_of_enrollment";
inline constexpr const char* view_sites_of_client = "view_sites_of_client";
inline constexpr const char* view_sites_of_contact = "view_sites_of_contact";

void prepare_views(pqxx::connection& c);

}  // namespace rollcall::store::sql
