// What the staff web page reads in one go: a site's day (sessions with their counts), a client's
// and a group's overview, the sites records belong to (for site scoping), and the undo of a
// staff mark. Read-mostly; each view is read in one snapshot with set-based queries.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rollcall/ports/ports.hpp"

namespace rollcall::ports {

// One session of a site's day, with counts over its expected clients' latest marks and replies.
struct day_session {
  id_t session_id = 0, group_id = 0;
  std::string group_name, group_kind, slot;  // slot: the group's (morning | afternoon | evening)
  sys_seconds starts_at, ends_at;
  std::string local_start, local_end;  // HH:MM in the site's zone
  std::string room;
  bool cancelled = false;
  int expected = 0, present = 0, late = 0, left_early = 0, absent = 0, excused = 0, unmarked = 0;
  int confirmed = 0, declined = 0;
};

struct site_day {
  id_t site_id = 0;
  std::string site_name, time_zone, date;  // date: YYYY-MM-DD, site-local
  std::vector<day_session> sessions;       // by start time
};

// The client's latest staff mark at a session, removed; `removed` is what it was.
struct undone_mark {
  attendance_mark removed;
};

struct overview_client {
  id_t id = 0;
  std::string first_name, status, language;  // status: active | archived
};
struct overview_session {
  id_t session_id = 0, group_id = 0, site_id = 0;
  std::string group_name, local_date;
  sys_seconds starts_at, ends_at;
  bool cancelled = false;
  std::optional<std::string> reply;  // confirmed | declined: the latest reply
};
struct overview_attendance {
  id_t session_id = 0, site_id = 0;
  std::string group_name, local_date, status, marked_by, source;
  sys_seconds starts_at, marked_at;
  std::optional<int> minutes;
};
struct overview_message {
  id_t id = 0;
  std::string kind, channel, status, text;
  sys_seconds due_at;
  std::optional<sys_seconds> delivered_at;
  int attempts = 0;
};
struct overview_channel {
  bool consent = false;
  std::optional<sys_seconds> opted_out_at;  // the client's address opted out on this channel
};
struct overview_family_contact {
  id_t id = 0;
  std::string relationship;
  bool consent = false;          // consent given and not revoked
  std::string consent_given_at;  // YYYY-MM-DD or empty
  std::optional<sys_seconds> revoked_at;
};
struct client_overview {
  overview_client client;
  struct site_zone {
    id_t site_id = 0;
    std::string time_zone;
  };
  std::vector<site_zone> sites;  // of the client's open episodes (scope; "this week" at the site)
  std::vector<overview_session> upcoming;
  std::vector<overview_attendance> attendance;
  std::vector<overview_message> messages;
  overview_channel sms, email;
  std::vector<overview_family_contact> family_contacts;
};

struct group_member {
  id_t client_id = 0;
  std::string first_name, start_date, end_date, status;  // end_date may be empty
  int position = 0;                                      // waitlist: 1, 2, ...
};
struct group_overview {
  id_t site_id = 0;
  std::string site_name;
  std::vector<group_member> enrolled, waitlist;
  std::vector<overview_session> upcoming;
};

// Records whose sites the site scope looks up (rollcall::http::site_rule).
enum class site_owner { episode, enrollment, client, contact };

class view_store {
 public:
  virtual ~view_store() = default;
  // The sessions of `site_id` on `date` (empty: the site's local date at `now`). not_found: no site.
  virtual task<result<site_day>> site_day_of(id_t site_id, const std::string& date, sys_seconds now) = 0;
  // Removes the client's latest mark at the session when staff made it, in the audit log as
  // "attendance.undo" with the row. `mark_id`: the mark the caller means, which must still be
  // the latest. not_found: no session; invalid_input (client_id): not on the roster; conflict:
  // the latest mark is not a staff mark, there is none, it is not `mark_id`, another undo took
  // it meanwhile, or the session's attendance is closed (a correction is the way then).
  virtual task<outcome<undone_mark>> undo_mark(id_t session_id, id_t client_id, std::optional<id_t> mark_id,
                                               const std::string& actor) = 0;
  // Upcoming from `now` for 14 days (at most 20), attendance of the last 8 weeks, the latest 20
  // messages. not_found: no such client.
  virtual task<result<client_overview>> client_overview_of(id_t client_id, sys_seconds now) = 0;
  // The next 10 sessions from `now`. not_found: no such group.
  virtual task<result<group_overview>> group_overview_of(id_t group_id, sys_seconds now) = 0;
  // The site a session or a group belongs to; nullopt: no such record.
  virtual task<std::optional<id_t>> site_of_session(id_t session_id) = 0;
  virtual task<std::optional<id_t>> site_of_group(id_t group_id) = 0;
  // The sites of record `id`; nullopt: no such record. An episode or an enrollment (its group's)
  // has one; a client, or a family contact's client, those of their active episodes (maybe none).
  virtual task<std::optional<std::vector<id_t>>> sites_of(site_owner kind, id_t id) = 0;
};

}  // namespace rollcall::ports
