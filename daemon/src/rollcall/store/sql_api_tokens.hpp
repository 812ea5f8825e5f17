// API tokens' SQL (sql_api_tokens.cpp), prepared with the rest by sql::prepare_all.
#pragma once

#include <pqxx/connection>

namespace rollcall::store::sql {

inline constexpr const char* api_token_name_taken = "api_token_name_taken";
inline constexpr const char* insert_api_token = "insert_api_token";
inline constexpr const char* add_api_token_site = "add_api_token_site";
inline constexpr const char* api_token_by_id = "api_token_by_id";
inline constexpr const char* lock_api_token_by_name = "lock_api_token_by_name";
inline constexpr const char* revoke_api_token = "revoke_api_token";
inline constexpr const char* all_api_tokens = "all_api_tokens";
inline constexpr const char* api_token_by_hash = "api_token_by_hash";
inline constexpr const char* touch_api_token = "touch_api_token";
inline constexpr const char* snapshot_api_token = "snapshot_api_token";

void prepare_api_tokens(pqxx::connection& c);

}  // namespace rollcall::store::sql
