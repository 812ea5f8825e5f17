// Reading, changing and archiving the directory (sites, closures, staff, clients, family
// contacts), reading sessions, and reading the audit log. Every change is audited with the
// row before and after it, in the transaction that makes it.
#pragma once

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "rollcall/ports/paging.hpp"
#include "rollcall/ports/records.hpp"
#include "rollcall/support/errc.hpp"

namespace rollcall::ports {

// A PATCH: each field is nullopt when not given; for optional columns "" clears the value.
struct site_patch {
  std::optional<std::string> name, address, phone, time_zone;
};
struct staff_patch {
  std::optional<std::string> name, alert_webhook_url, phone, email, external_id, chat_webhook_url;
};
struct client_patch {
  std::optional<std::string> first_name, phone, email, external_id, language, time_zone;
};

struct session_filter {
  std::optional<id_t> site_id;
  std::optional<id_t> group_id;
  std::optional<std::string> from;  // site-local dates YYYY-MM-DD, inclusive
  std::optional<std::string> to;
  std::optional<bool> cancelled;  // none: both
};

struct client_filter {
  status_filter status = status_filter::active;
  std::optional<id_t> site_id;  // clients with an episode at this site
};

class directory_admin_store {
 public:
  template <class T>
  using task = boost::asio::awaitable<T>;
  virtual ~directory_admin_store() = default;

  // `site_ids`: only these sites (a staff member's); none: every site.
  virtual task<page<site>> list_sites(status_filter status, const page_request& p,
                                      const std::optional<std::vector<id_t>>& site_ids) = 0;
  // not_found; conflict: archived, or time_zone while the site has groups.
  virtual task<outcome<site>> update_site(id_t id, const site_patch& patch, const std::string& actor) = 0;
  // not_found; conflict: archived already, or it has groups that are not archived.
  virtual task<outcome<site>> archive_site(id_t id, const std::string& actor) = 0;

  // not_found: no such site.
  virtual task<result<std::vector<closure>>> closures_of_site(id_t site_id, status_filter status) = 0;
  // The closure stops closing days; sessions it cancelled stay cancelled. not_found; conflict.
  virtual task<outcome<closure>> archive_closure(id_t site_id, id_t closure_id, const std::string& actor) = 0;

  // conflict: external_id taken.
  virtual task<outcome<staff>> create_staff(const new_staff& in, const std::string& actor) = 0;
  virtual task<result<staff>> get_staff(id_t id) = 0;
  virtual task<page<staff>> list_staff(status_filter status, const page_request& p) = 0;
  // not_found; conflict: archived, external_id taken; invalid_input: no way left to reach them.
  virtual task<outcome<staff>> update_staff(id_t id, const staff_patch& patch, const std::string& actor) = 0;
  // conflict: counselor or case manager of an active episode, or facilitator of a group.
  virtual task<outcome<staff>> archive_staff(id_t id, const std::string& actor) = 0;

  virtual task<outcome<client>> create_client(const new_client& in, const std::string& actor) = 0;
  virtual task<result<client>> get_client(id_t id) = 0;
  virtual task<page<client>> list_clients(const client_filter& f, const page_request& p) = 0;
  virtual task<outcome<client>> update_client(id_t id, const client_patch& patch, const std::string& actor) = 0;
  // conflict: the client has an active episode.
  virtual task<outcome<client>> archive_client(id_t id, const std::string& actor) = 0;

  virtual task<result<session>> get_session(id_t id) = 0;
  virtual task<page<session>> list_sessions(const session_filter& f, const page_request& p) = 0;
};

// A person a client named for family sessions; messages need their consent.
struct new_family_contact {
  id_t client_id = 0;
  std::string name;
  std::string relationship;
  std::string phone;         // E.164 or empty
  std::string email;         // or empty; one of the two is needed
  std::string consent_date;  // YYYY-MM-DD of the client's written consent, or empty
};
struct family_contact : new_family_contact {
  id_t id = 0;
  std::optional<sys_seconds> consent_revoked_at;
  std::optional<sys_seconds> archived_at;
  int messages_cancelled = 0;  // on revoke or archive: pending messages to them cancelled
  // given | none | revoked
  const char* consent() const { return consent_revoked_at ? "revoked" : consent_date.empty() ? "none" : "given"; }
};
struct contact_patch {
  std::optional<std::string> name, relationship, phone, email;
};

class family_contact_store {
 public:
  template <class T>
  using task = boost::asio::awaitable<T>;
  virtual ~family_contact_store() = default;
  // not_found: no such client; conflict: the client is archived.
  virtual task<outcome<family_contact>> create_contact(const new_family_contact& in, const std::string& actor) = 0;
  virtual task<result<family_contact>> get_contact(id_t id) = 0;
  virtual task<result<page<family_contact>>> contacts_of_client(id_t client_id, status_filter status,
                                                                const page_request& p) = 0;
  // not_found; conflict: archived; invalid_input: neither phone nor email left.
  virtual task<outcome<family_contact>> update_contact(id_t id, const contact_patch& patch,
                                                       const std::string& actor) = 0;
  // Records written consent and clears a revocation.
  virtual task<outcome<family_contact>> record_consent(id_t id, const std::string& consent_date,
                                                       const std::string& actor) = 0;
  // Revokes consent at once and cancels the contact's pending messages, in one transaction.
  virtual task<outcome<family_contact>> revoke_consent(id_t id, const std::string& actor) = 0;
  virtual task<outcome<family_contact>> archive_contact(id_t id, const std::string& actor) = 0;
};

// One audit_log row; detail, before and after are JSON text (before/after empty when absent).
// kind: "change" (a record's before and after, written with the change) or "access" (one API
// request: a read of a client's record, or a write, written after it was answered).
struct audit_entry {
  id_t id = 0;
  sys_seconds at;
  std::string kind;
  std::string actor;
  std::string action;
  std::string entity;
  std::optional<id_t> entity_id;
  std::string detail;
  std::string before;
  std::string after;
  std::string source_address;  // the caller's IP address; empty when unknown
};

// What GET /v1/audit lists (each filter optional).
struct audit_filter {
  std::optional<std::string> entity;
  std::optional<id_t> entity_id;
  std::optional<std::string> kind;
  std::optional<std::string> actor;
};

// One access row: who (actor), "read" or "write", which record (entity, entity_id; no id for a
// list), how (detail: JSON object text with the method, route, status and a list's filter) and
// from where (source_address, empty when unknown).
struct access_record {
  std::string actor;
  std::string action;
  std::string entity;
  std::optional<id_t> entity_id;
  std::string detail = "{}";
  std::string source_address;
};

class audit_store {
 public:
  template <class T>
  using task = boost::asio::awaitable<T>;
  virtual ~audit_store() = default;
  virtual task<page<audit_entry>> list_audit(const audit_filter& filter, const page_request& p) = 0;
  // Appends one access row, committed when this returns, in a transaction apart from the
  // request's (whose effect is already committed: a failure here throws and loses nothing but
  // the row). Rows of concurrent calls may share that transaction, one commit for them all.
  virtual task<void> record_access(const access_record& r) = 0;
};

}  // namespace rollcall::ports
