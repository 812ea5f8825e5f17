// Importing a clinic's spreadsheets: clients, staff, family contacts and enrolments from CSV.
// Pure: reading and checking the rows (every bad cell, by line and column), placing phone
// numbers normalised elsewhere, and checking rows against facts the store read from the database.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace rollcall::domain {

enum class import_kind { clients, staff, family_contacts, enrollments };

std::optional<import_kind> parse_import_kind(std::string_view name);
std::string_view to_string(import_kind kind);

// The weekly hours an enrolment requires when its row gives none: php 20, iop 9, op 1,
// aftercare 0. The one place this default lives (to become configurable later).
double default_weekly_hours(std::string_view level_of_care);

// One bad cell (or row, when column is empty) of the file.
struct import_error {
  int line = 0;
  std::string column;
  std::string message;
};

struct client_row {
  int line = 0;
  std::string external_id, first_name, phone, email;
};

struct staff_row {
  int line = 0;
  std::string external_id, name, phone, email, alert_webhook_url;
};

struct family_contact_row {
  int line = 0;
  std::string client_external_id, name, relationship, phone, email, consent_date;  // consent_date may be empty
};

struct enrollment_row {
  int line = 0;
  std::string client_external_id;
  std::int64_t site_id = 0;
  std::string level_of_care, start_date;
  int planned_weeks = 0;
  std::string counselor_external_id, case_manager_external_id;  // case manager may be empty
  double weekly_hours_required = 0;
  std::vector<std::int64_t> group_ids;
};

struct import_batch {
  import_kind kind = import_kind::clients;
  std::vector<client_row> clients;
  std::vector<staff_row> staff;
  std::vector<family_contact_row> family_contacts;
  std::vector<enrollment_row> enrollments;

  std::size_t size() const { return clients.size() + staff.size() + family_contacts.size() + enrollments.size(); }
};

struct import_options {
  bool allow_http_webhooks = false;  // staff alert_webhook_url may be http:// (delivery.allow_http)
};

struct parsed_import {
  import_batch batch;
  std::vector<import_error> errors;
};

// The columns a kind accepts, in their documented order, and which of them are required.
struct import_column {
  std::string_view name;
  bool required;
};
const std::vector<import_column>& columns_of(import_kind kind);

// Reads and checks every row. Header names are case-insensitive and trimmed; cells are trimmed.
// Unknown or missing required columns, ragged rows, bad cells and duplicates within the file are
// all reported; rows with bad cells are still returned (with those cells left empty or zero).
parsed_import read_import(import_kind kind, std::string_view csv, const import_options& options = {});

// The phone cells of a batch, in order, for normalisation by the phone_normalizer port.
struct phone_cell {
  int line = 0;
  std::string_view column;
  std::string* value = nullptr;
};
std::vector<phone_cell> phone_cells(import_batch& batch);
// Writes each E.164 form back; a cell with none gets an error naming the default region.
void place_phone_numbers(const std::vector<phone_cell>& cells, const std::vector<std::optional<std::string>>& e164,
                         std::string_view region, std::vector<import_error>& errors);

// What the database holds about the records a batch names (read by the store in the import's
// transaction).
struct client_facts {
  std::int64_t id = 0;
  bool archived = false;
  bool active_episode = false;
  std::set<std::int64_t> open_groups;  // groups the client has an open placement in
};
struct group_facts {
  std::int64_t site_id = 0;
  int capacity = 0;  // 0: no limit
  int taken = 0;     // 'active' and 'offered' placements
};
struct import_facts {
  std::set<std::string> taken_external_ids;  // of the batch's own kind (clients or staff)
  std::map<std::string, client_facts> clients;
  std::map<std::string, std::int64_t> staff;   // not archived
  std::set<std::int64_t> sites;                // not archived
  std::map<std::int64_t, group_facts> groups;  // not archived
};

// Every row that clashes with the database: external ids already taken, unknown references,
// a client with an active episode, a group at another site or full (earlier rows of the same
// file count against its capacity).
std::vector<import_error> check_against(const import_batch& batch, const import_facts& facts);

// Errors in file order (by line, then as found).
void sort_errors(std::vector<import_error>& errors);

}  // namespace rollcall::domain
