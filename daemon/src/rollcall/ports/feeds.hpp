// Calendar feeds: a secret token opens one owner's (group, staff member or client) sessions as
// an iCalendar feed. Only the token's SHA-256 is stored; the token itself is shown once.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "rollcall/ports/records.hpp"
#include "rollcall/support/errc.hpp"

namespace rollcall::ports {

struct new_calendar_feed {
  std::string owner_kind;  // group | staff | client
  id_t owner_id = 0;
  std::string token_sha256;  // hex
};

struct calendar_feed {
  id_t id = 0;
  std::string owner_kind;
  id_t owner_id = 0;
  std::string created_by;
  sys_seconds created_at;
  std::optional<sys_seconds> revoked_at;
};

// One session as a feed shows it, with everything any kind of feed may need; the feed's kind
// decides what is shown (services/calendar_feeds.hpp).
struct feed_session {
  id_t session_id = 0;
  sys_seconds starts_at, ends_at;
  bool cancelled = false;
  int revision = 0;
  std::string time_zone;  // the site's
  std::string group_name;
  std::string room;  // the session's, else the group's
  std::string telehealth_url;
  std::string site_name;
  std::string site_address;
};

struct feed_contents {
  std::string owner_kind;
  std::string owner_name;  // the group's or staff member's name; empty for clients
  std::vector<feed_session> sessions;
};

class calendar_feed_store {
 public:
  virtual ~calendar_feed_store() = default;
  template <class T>
  using task = boost::asio::awaitable<T>;

  // not_found: no such owner. Audited (never the token or its hash).
  virtual task<outcome<calendar_feed>> create_feed(const new_calendar_feed& in, const std::string& actor) = 0;
  virtual task<std::vector<calendar_feed>> feeds_of_owner(const std::string& owner_kind, id_t owner_id) = 0;
  // not_found; conflict: already revoked. Audited.
  virtual task<outcome<calendar_feed>> revoke_feed(id_t feed_id, const std::string& actor) = 0;
  // The owner's sessions starting at or after `since`, archived groups left out. not_found:
  // no feed has this token hash, or it was revoked (the caller cannot tell which).
  virtual task<result<feed_contents>> feed_by_token(const std::string& token_sha256, sys_seconds since) = 0;
};

}  // namespace rollcall::ports
