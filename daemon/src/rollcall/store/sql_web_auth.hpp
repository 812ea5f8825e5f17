// Staff logins' and web sessions' SQL (sql_web_auth.cpp), prepared with the rest by sql::prepare_all.
#pragma once

#include <pqxx/connection>

namespace rollcall::store::sql {

inline constexpr const char* login_of_staff = "login_of_staff";
inline constexpr const char* lock_login = "lock_login";
inline constexpr const char* staff_archived = "staff_archived";
inline constexpr const char* username_taken = "username_taken";
inline constexpr const char* insert_login = "insert_login";
inline constexpr const char* update_login = "update_login";
inline constexpr const char* clear_login_sites = "clear_login_sites";
inline constexpr const char* add_login_site = "add_login_site";
inline constexpr const char* disable_login = "disable_login";
inline constexpr const char* end_sessions_of_staff = "end_sessions_of_staff";
inline constexpr const char* snapshot_staff_login = "snapshot_staff_login";
inline constexpr const char* login_by_username = "login_by_username";
inline constexpr const char* login_for_session = "login_for_session";
inline constexpr const char* insert_web_session = "insert_web_session";
inline constexpr const char* web_session_by_token = "web_session_by_token";
inline constexpr const char* touch_web_session = "touch_web_session";
inline constexpr const char* end_web_session = "end_web_session";
inline constexpr const char* insert_sign_in_audit = "insert_sign_in_audit";

void prepare_web_auth(pqxx::connection& c);

}  // namespace rollcall::store::sql
