// Plain records that cross the ports between services and adapters (no pqxx, no Beast).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rollcall::ports {

using id_t = std::int64_t;
using sys_seconds = std::chrono::sys_seconds;

// A slot's local times at one site.
struct slot_times {
  std::string slot;  // morning | afternoon | evening
  int start_second = 0;
  int end_second = 0;
};

struct new_site {
  std::string name;
  std::string time_zone;  // IANA, validated by the caller
  std::string address;    // may appear in client messages
  std::string phone;      // E.164 or empty; may appear in client messages
};
struct site : new_site {
  id_t id = 0;
  std::vector<slot_times> slots;  // the site's slot catalogue
  std::optional<sys_seconds> archived_at;
};

struct new_closure {
  id_t site_id = 0;
  std::string first_date;  // YYYY-MM-DD, site-local
  std::string last_date;   // inclusive
  std::string reason;      // staff only: never sent to clients
};
struct closure : new_closure {
  id_t id = 0;
  int sessions_cancelled = 0;              // on creation: upcoming sessions it cancelled
  std::optional<sys_seconds> archived_at;  // archived: it no longer closes its days
};

struct new_group {
  id_t site_id = 0;
  std::string name;
  std::string slot;        // morning | afternoon | evening
  std::string recurrence;  // canonical RRULE subset (domain/recurrence.hpp)
  std::string first_date;  // YYYY-MM-DD, site-local; empty on input: today at the site
  int start_second = -1;   // local time of day in seconds; -1 on input: the site's slot time
  int end_second = -1;
  std::string level_of_care = "iop";  // php | iop | op | aftercare
  std::optional<int> capacity;        // seats; none: unlimited
  std::string room;
  std::string telehealth_url;
  std::vector<id_t> facilitator_ids;  // staff who lead it
};
struct group : new_group {
  id_t id = 0;
  std::string kind = "group";  // group | individual | family
  bool archived = false;
};

struct new_staff {
  std::string name;
  std::string alert_webhook_url;  // may be empty: signed Standard Webhooks JSON
  std::string chat_webhook_url;   // may be empty: a Slack-compatible incoming webhook ({"text": ...})
  std::string phone;              // E.164 or empty
  std::string email;              // or empty
  std::string external_id;        // the clinic's own id (employee number), or empty
};
struct staff : new_staff {
  id_t id = 0;
  std::optional<sys_seconds> archived_at;
};

struct new_client {
  std::string first_name;
  std::string phone;
  std::string email;
  std::string external_id;      // the clinic's own id (medical record number), or empty
  std::string language = "en";  // of the client's messages (templates)
  std::string time_zone;        // IANA; quiet hours are kept in it (empty: the site's zone)
};
struct client : new_client {
  id_t id = 0;
  std::optional<sys_seconds> archived_at;
};

// A session to be materialised for a group.
struct session_slot {
  id_t group_id = 0;
  std::string local_date;  // YYYY-MM-DD in the site's zone
  sys_seconds starts_at;
  sys_seconds ends_at;
  // The group as the planner read it: a slot is dropped if the group changed or was archived
  // meanwhile (the edit has already made its sessions; the next round plans by the new rule).
  std::string recurrence;
  int start_second = 0;
  int end_second = 0;
};

struct session {
  id_t id = 0;
  id_t group_id = 0;
  std::string local_date;
  sys_seconds starts_at;
  sys_seconds ends_at;
  bool cancelled = false;
  std::string cancel_reason;   // staff only
  int revision = 0;            // bumped by each move
  std::string room;            // the group's room unless the session was moved elsewhere
  std::string scheduled_date;  // the date the group's rule put it on (a move keeps this)
};

// A session with what changing it needs: its site's zone and names.
struct session_context {
  session s;
  std::string group_name;
  std::string site_name;
  std::string time_zone;
  std::string recurrence;  // the group's rule and first date: a move may not take a day
  std::string first_date;  // the rule will give the group anyway
};

struct session_move {
  std::string local_date;  // YYYY-MM-DD, site-local
  sys_seconds starts_at;
  sys_seconds ends_at;
  std::string room;
  id_t facilitator_id = 0;    // not 0: who leads this session instead of the group's facilitators
  std::string note;           // why (staff only)
  int expected_revision = 0;  // the change is refused if the session changed meanwhile
  bool time_changed = true;   // false: only the room changes (no new revision, no notice)
};

// Everything the planner needs about one group.
struct group_for_planning {
  group grp;
  std::string time_zone;
};

// An enrolled client of a session, with what the reminder needs.
struct session_attendee {
  id_t session_id = 0;
  int revision = 0;
  sys_seconds starts_at;
  id_t client_id = 0;
  std::string first_name;
  std::string phone;
  std::string email;
  std::string site_name;
  std::string time_zone;
  id_t family_contact_id = 0;  // not 0: a consenting family contact of the client (family sessions)
  // What the reminder rules, templates, consent and quiet hours need (messaging).
  id_t site_id = 0;
  std::string site_phone;
  std::string group_kind = "group";  // group | individual | family
  std::string level;                 // the group's level of care (php | iop | op | aftercare)
  std::string slot;                  // morning | afternoon | evening
  std::string language = "en";
  std::string recipient_zone;  // the client's own zone, or empty: the site's (time_zone)
  bool sms_allowed = true;     // consent given and the number not opted out
  bool email_allowed = true;   // consent given and the address not opted out
};

// What a preview of a site's messages needs (read in one transaction).
struct enrolled_client {
  id_t group_id = 0;
  id_t client_id = 0;
  std::string first_name;
  std::string phone;
  std::string email;
  std::string start_date;  // YYYY-MM-DD
  std::string end_date;    // empty: open
};
struct site_plan_inputs {
  site where;
  std::vector<group> groups;
  std::vector<closure> closures;
  std::vector<session> sessions;  // materialised sessions of those groups in the range
  std::vector<enrolled_client> clients;
};

// One row for the outbox: a message that a dispatcher will deliver.
struct new_message {
  std::string dedupe_key;  // unique: planning twice plans nothing twice
  std::string kind;        // reminder | staff_alert
  std::string target;      // provider (delivery.webhook_url) | staff_webhook
  std::string target_url;  // for staff_webhook
  std::string payload;     // JSON body, without the message id (added at delivery)
  sys_seconds due_at;
  std::optional<id_t> client_id;
  std::optional<id_t> staff_id;
  std::optional<id_t> session_id;
  std::optional<int> session_revision;  // reminders: the revision they were planned for
  std::optional<id_t> family_contact_id;
  std::string channel;              // sms | email | webhook (staff alert webhooks)
  std::string recipient;            // the phone number or address (opt-outs are matched on it)
  std::string alternatives;         // JSON array of fallbacks [{channel, to, subject, text}], in order; empty: none
  std::optional<id_t> fallback_of;  // the message this one stands in for
  std::string quiet_zone;           // a reminder's recipient zone: it is not sent in quiet hours there
  std::optional<id_t> alert_id;     // a staff alert's record (set by the store)
};

// An alert to staff about a client (a row of alerts) with the messages to its first
// recipients; the store links them to it. Raised once per dedupe_key.
struct new_alert {
  std::string kind;  // missed_session | consecutive_misses | low_attendance | hours_at_risk | declined | ...
  std::string dedupe_key;
  id_t client_id = 0;
  std::optional<id_t> session_id;
  std::optional<id_t> site_id;
  std::string detail = "{}";  // JSON: numbers only
  std::string full_text;      // may name the client: staff webhooks and chat
  std::string minimal_text;   // ids only: SMS and email
  std::vector<new_message> messages;
};

struct claimed_message {
  id_t id = 0;
  std::string message_id;  // msg_..., stable across retries (the webhook-id)
  std::string kind;
  std::string target;
  std::string target_url;
  std::string payload;
  int attempts = 0;                      // including this one
  std::string claim_token;               // proves this claim still holds the message when recording
  std::string channel;                   // sms | email | webhook
  std::chrono::seconds age{0};           // since it was first due
  std::chrono::milliseconds due_age{0};  // the same to the millisecond, at the claim (for metrics)
  std::string quiet_zone;                // not empty: a reminder not to send in quiet hours in this zone
  std::string subscription;              // target event_webhook: the event subscription whose secret signs it
};

struct delivery_record {
  id_t outbox_id = 0;
  std::string claim_token;
  int http_status = 0;
  std::string error;  // short, no personal data
  std::chrono::milliseconds elapsed{0};
  // deferred: not attempted (the provider's rate limit); back to pending, the attempt not counted.
  // dead: given up on; a client's message falls back to its next channel or alerts staff.
  enum class next { delivered, retry, dead, deferred } outcome = next::delivered;
  std::chrono::seconds retry_delay{0};
  // A second write of the same result after the first failed in transit: if the claim is gone
  // now, the first write committed (its reply was lost) and the attempt is recorded already.
  bool rewrite = false;
  std::string provider;              // which provider it went to
  std::string provider_message_id;   // that provider's id for it
  bool recipient_opted_out = false;  // the provider refused: the recipient opted out with it
};

struct attendance_mark_input {
  id_t session_id = 0;
  id_t client_id = 0;
  std::string status;
  std::string marked_by;
  std::optional<int> minutes;  // late: minutes late; left_early: minutes attended
  std::string reason;          // excused: why (staff only)
};

struct attendance_mark {
  id_t id = 0;
  id_t session_id = 0;
  id_t client_id = 0;
  std::string status;
  std::string source;  // staff | auto
  std::string marked_by;
  sys_seconds marked_at;
  std::optional<int> minutes;
  std::string reason;
};

}  // namespace rollcall::ports
