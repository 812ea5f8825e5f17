// The attendance reports' SQL (sql_reports.cpp), prepared with the rest by sql::prepare_all.
#pragma once

#include <pqxx/connection>

namespace rollcall::store::sql {

inline constexpr const char* report_expected_clients = "report_expected_clients";
inline constexpr const char* report_episodes = "report_episodes";
inline constexpr const char* report_episode_marks = "report_episode_marks";

void prepare_reports(pqxx::connection& c);

}  // namespace rollcall::store::sql
