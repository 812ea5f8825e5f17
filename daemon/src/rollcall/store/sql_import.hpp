// The statements of CSV imports (pg_import_store), prepared by sql::prepare_all. Lists of keys
// cross as one JSON array parameter ($1::jsonb), never as SQL built from strings.
#pragma once

#include <pqxx/connection>

namespace rollcall::store::sql {

inline constexpr const char* import_lock = "import_lock";
inline constexpr const char* import_clients_by_external_id = "import_clients_by_external_id";
inline constexpr const char* import_open_placements = "import_open_placements";
inline constexpr const char* import_staff_by_external_id = "import_staff_by_external_id";
inline constexpr const char* import_sites = "import_sites";
inline constexpr const char* import_groups = "import_groups";
inline constexpr const char* import_insert_client = "import_insert_client";
inline constexpr const char* import_insert_staff = "import_insert_staff";
inline constexpr const char* import_insert_family_contact = "import_insert_family_contact";
inline constexpr const char* import_insert_episode = "import_insert_episode";
inline constexpr const char* import_insert_episode_level = "import_insert_episode_level";
inline constexpr const char* import_insert_placement = "import_insert_placement";

void prepare_import(pqxx::connection& c);

}  // namespace rollcall::store::sql
