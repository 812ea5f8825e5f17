// Care episodes, their placements in groups (with capacity and a waitlist), group facilitators
// and edits, and appointments: the records of the continuum of care, and the store port that
// keeps them, checking conflicts in the transaction that writes.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rollcall/ports/paging.hpp"
#include "rollcall/ports/ports.hpp"

namespace rollcall::ports {

struct new_episode {
  id_t client_id = 0;
  id_t site_id = 0;
  std::string level_of_care;
  std::string start_date;  // YYYY-MM-DD, site-local
  int planned_weeks = 0;
  id_t counselor_id = 0;
  std::optional<id_t> case_manager_id;
  double weekly_hours_required = 0;
};

struct level_period {
  std::string level_of_care;
  double weekly_hours_required = 0;
  std::string effective_date;
  std::string reason;
  std::string changed_by;
};

struct placement {
  id_t id = 0;
  id_t episode_id = 0;
  id_t client_id = 0;
  id_t group_id = 0;
  std::string start_date;
  std::string end_date;  // empty: open
  std::string status;    // active | waitlisted | offered | ended
  std::string end_reason;
  std::optional<int> waitlist_position;  // 1 = next to be offered a seat
};

struct episode : new_episode {
  id_t id = 0;
  std::string status;  // active | discharged
  std::string discharge_date;
  std::string discharge_outcome;
  bool archived = false;
  std::vector<level_period> levels;  // oldest first
  std::vector<placement> placements;
};

struct episode_patch {
  std::optional<int> planned_weeks;
  std::optional<id_t> counselor_id;
  std::optional<std::optional<id_t>> case_manager_id;  // set, or cleared with null
  std::optional<double> weekly_hours_required;
};

struct level_change {
  std::string level_of_care;
  std::string effective_date;
  double weekly_hours_required = 0;
  std::string reason;
};

struct discharge {
  std::string date;  // last day of care, inclusive
  std::string outcome;
};

struct new_placement {
  id_t episode_id = 0;  // 0: the client's active episode, opened at the group's site and level if none
  id_t client_id = 0;   // with episode_id 0
  id_t counselor_id = 0;
  std::map<std::string, double> weekly_hours_by_level;  // for a new episode
  id_t group_id = 0;
  std::string start_date;  // empty: the later of the episode's start and today at the site
  std::string end_date;
  bool waitlist = false;  // when the group is full: wait for a seat instead of 409
};

using conflict = conflict_item;

struct group_patch {
  std::optional<std::string> name;
  std::optional<std::string> recurrence;  // canonical
  std::optional<int> start_second, end_second;
  std::optional<std::string> level_of_care;
  std::optional<std::optional<int>> capacity;
  std::optional<std::string> room;
  std::optional<std::string> telehealth_url;
  std::optional<std::vector<id_t>> facilitator_ids;
};

// An appointment: a group of kind individual or family with one client and one staff member.
struct new_appointment {
  std::string kind;  // individual | family
  id_t client_id = 0;
  id_t staff_id = 0;
  id_t site_id = 0;        // 0: the site of the client's active episode
  std::string recurrence;  // canonical; FREQ=WEEKLY;COUNT=1 for a one-off
  std::string first_date;
  int start_second = 0;
  int end_second = 0;
  std::string room;
  std::string telehealth_url;
};

// What the hours report needs: the episode (with its level history and placements), the
// groups it was placed in, and their materialised sessions on local dates [from, to].
struct episode_schedule {
  episode ep;
  std::vector<group_for_planning> groups;
  std::vector<session> sessions;
};

// A change to a future session made by a group edit: before and after, as clients knew it.
using change_notice_maker = std::function<std::vector<new_message>(
    const std::string& kind, const session_context& before, const session_context& after,
    const std::vector<session_attendee>& attendees)>;

class care_store {
 public:
  virtual ~care_store() = default;
  // not_found: client, site or staff; conflict: the client has an active episode.
  virtual task<outcome<episode>> create_episode(const new_episode& in, const std::string& actor) = 0;
  virtual task<result<episode>> get_episode(id_t id) = 0;
  virtual task<outcome<episode>> update_episode(id_t id, const episode_patch& patch, const std::string& actor) = 0;
  // Steps the episode to another level from a date; placements in groups of another level end
  // the day before (their seats go to the waitlist). conflict: discharged.
  virtual task<outcome<episode>> change_level(id_t id, const level_change& change, const std::string& actor) = 0;
  // Ends every placement on the date (waiting ones at once), cancels the client's reminders
  // for sessions after it, offers the freed seats. conflict: already discharged.
  virtual task<outcome<episode>> discharge_episode(id_t id, const discharge& d, const std::string& actor) = 0;
  // Capacity, waitlist and the client's other commitments are checked under the group's lock.
  virtual task<outcome<placement>> place(const new_placement& in, const std::string& actor) = 0;
  virtual task<result<placement>> get_placement(id_t id) = 0;
  // Ends an active/offered placement on `end_date` (or takes a waiting one off the list),
  // and offers the freed seat to the first waiting placement.
  virtual task<outcome<placement>> end_placement(id_t id, const std::string& end_date, const std::string& reason,
                                                 const std::string& actor) = 0;
  // Staff confirm (accept) or decline an offered seat; a decline offers it to the next.
  virtual task<outcome<placement>> answer_offer(id_t id, bool accept, const std::string& actor) = 0;
  virtual task<result<std::vector<placement>>> waitlist_of_group(id_t group_id) = 0;

  // A group with its facilitators; room and facilitators are checked for double-booking.
  // invalid_input: no such site (an id in the body).
  virtual task<outcome<group>> create_group(const new_group& in, const std::string& actor) = 0;
  virtual task<outcome<group>> get_group(id_t id) = 0;
  virtual task<result<std::vector<id_t>>> facilitators_of_group(id_t id) = 0;
  virtual task<outcome<std::vector<id_t>>> set_facilitators(id_t group_id, const std::vector<id_t>& staff_ids,
                                                            const std::string& actor) = 0;
  // Changes the group and its sessions that have not started: those its new rule drops are
  // cancelled, unmoved ones take its new times; started sessions and attendance stay as they were.
  virtual task<outcome<group>> update_group(id_t id, const group_patch& patch, const std::string& actor,
                                            const change_notice_maker& notices) = 0;
  // conflict: the group still has open placements.
  virtual task<outcome<group>> archive_group(id_t id, const std::string& actor) = 0;
  virtual task<outcome<group>> create_appointment(const new_appointment& in, const std::string& actor) = 0;

  virtual task<result<episode_schedule>> schedule_of_episode(id_t id, const std::string& from,
                                                             const std::string& to) = 0;

  // Lists in id order, a page at a time (ports/paging.hpp); every filter is optional.
  struct group_filter {
    std::optional<id_t> site_id;
    std::optional<std::string> kind;           // group | individual | family
    std::optional<std::string> level_of_care;  // php | iop | op | aftercare
    status_filter status = status_filter::active;
    std::optional<std::vector<id_t>> site_ids;  // only groups of these sites (a staff member's); none: all
  };
  virtual task<page<group>> list_groups(const group_filter& f, const page_request& p) = 0;
  struct episode_filter {
    std::optional<id_t> site_id, client_id, counselor_id;
    std::optional<std::string> status;    // active | discharged; none: both
    std::optional<std::string> from, to;  // episodes in care on some day of [from, to]
  };
  virtual task<page<episode>> list_episodes(const episode_filter& f, const page_request& p) = 0;
  struct placement_filter {
    std::optional<id_t> group_id, client_id, episode_id;
    std::optional<std::string> status;  // active | waitlisted | offered | ended
  };
  virtual task<page<placement>> list_placements(const placement_filter& f, const page_request& p) = 0;
  // Archiving hides what was entered in error or is long finished from lists; conflict unless
  // the episode is discharged (the placement ended).
  virtual task<outcome<episode>> archive_episode(id_t id, const std::string& actor) = 0;
  virtual task<outcome<placement>> archive_placement(id_t id, const std::string& actor) = 0;
};

}  // namespace rollcall::ports
