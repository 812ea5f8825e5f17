// The named statements of care episodes, placements, group edits and appointments (pg_care.cpp).
#pragma once

#include <pqxx/connection>

namespace rollcall::store::sql {

inline constexpr const char* care_insert_episode = "care_insert_episode";
inline constexpr const char* care_insert_level = "care_insert_level";
inline constexpr const char* care_select_episode = "care_select_episode";
inline constexpr const char* care_lock_episode = "care_lock_episode";
inline constexpr const char* care_levels_of_episode = "care_levels_of_episode";
inline constexpr const char* care_placements_of_episode = "care_placements_of_episode";
inline constexpr const char* care_select_placement = "care_select_placement";
inline constexpr const char* care_lock_placement = "care_lock_placement";
inline constexpr const char* care_update_episode = "care_update_episode";
inline constexpr const char* care_set_level = "care_set_level";
inline constexpr const char* care_set_current_level_hours = "care_set_current_level_hours";
inline constexpr const char* care_end_other_level = "care_end_other_level";
inline constexpr const char* care_discharge = "care_discharge";
inline constexpr const char* care_end_episode_placements = "care_end_episode_placements";
inline constexpr const char* care_cancel_messages_after = "care_cancel_messages_after";
inline constexpr const char* care_lock_group = "care_lock_group";
inline constexpr const char* care_seats_taken = "care_seats_taken";
inline constexpr const char* care_open_placement_exists = "care_open_placement_exists";
inline constexpr const char* care_client_commitments = "care_client_commitments";
inline constexpr const char* care_staff_commitments = "care_staff_commitments";
inline constexpr const char* care_room_commitments = "care_room_commitments";
inline constexpr const char* care_insert_placement = "care_insert_placement";
inline constexpr const char* care_first_waiting = "care_first_waiting";
inline constexpr const char* care_offer = "care_offer";
inline constexpr const char* care_end_placement = "care_end_placement";
inline constexpr const char* care_accept_offer = "care_accept_offer";
inline constexpr const char* care_waitlist_of_group = "care_waitlist_of_group";
inline constexpr const char* care_today_at_site = "care_today_at_site";
inline constexpr const char* care_select_group = "care_select_group";
inline constexpr const char* care_facilitators_of_group = "care_facilitators_of_group";
inline constexpr const char* care_clear_facilitators = "care_clear_facilitators";
inline constexpr const char* care_add_facilitator = "care_add_facilitator";
inline constexpr const char* care_active_episode = "care_active_episode";
inline constexpr const char* care_staff_usable = "care_staff_usable";
inline constexpr const char* care_update_group = "care_update_group";
inline constexpr const char* care_future_sessions_of_group = "care_future_sessions_of_group";
inline constexpr const char* care_retime_session = "care_retime_session";
inline constexpr const char* care_open_placements_of_group = "care_open_placements_of_group";
inline constexpr const char* care_archive_group = "care_archive_group";
inline constexpr const char* care_cancel_future_sessions = "care_cancel_future_sessions";
inline constexpr const char* care_insert_appointment = "care_insert_appointment";
inline constexpr const char* care_client_usable = "care_client_usable";
inline constexpr const char* care_group_usable = "care_group_usable";
inline constexpr const char* care_site_usable = "care_site_usable";
inline constexpr const char* care_groups_of_episode = "care_groups_of_episode";
inline constexpr const char* care_sessions_of_episode = "care_sessions_of_episode";
inline constexpr const char* care_lock_groups_of_episode = "care_lock_groups_of_episode";

inline constexpr const char* care_close_appointments_of_episode = "care_close_appointments_of_episode";
inline constexpr const char* care_archive_episode = "care_archive_episode";
inline constexpr const char* care_archive_placement = "care_archive_placement";
inline constexpr const char* care_placed_clients_of_group = "care_placed_clients_of_group";
inline constexpr const char* care_list_groups = "care_list_groups";
inline constexpr const char* care_list_episodes = "care_list_episodes";
inline constexpr const char* care_list_placements = "care_list_placements";

// Columns 0-8 of a placement, as pg_care.cpp's read_placement reads them ("... FROM enrollments e").
extern const char* const placement_columns;

void prepare_care(pqxx::connection& c);
void prepare_care_lists(pqxx::connection& c);

}  // namespace rollcall::store::sql
