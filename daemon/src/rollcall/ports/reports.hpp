// Attendance reports read what happened: the clients expected at each session of a date range
// with their current marks, and the hours episodes' clients attended. Read-only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "rollcall/ports/records.hpp"

namespace rollcall::ports {

// Sessions by their site-local date in [from, to] (YYYY-MM-DD, inclusive); each filter optional.
struct report_filter {
  std::string from, to;
  std::optional<id_t> site_id, group_id, client_id;
};

// A client expected at a session that is not cancelled (an attending placement on its date, or
// any mark on it), with the names staff read reports by and the current (latest) mark.
struct expected_client {
  id_t session_id = 0, client_id = 0, group_id = 0, site_id = 0;
  std::string local_date;
  sys_seconds starts_at, ends_at;
  std::string client_first_name, group_name, site_name;
  std::optional<std::string> status;  // the current mark's; none: unmarked
  std::optional<int> minutes;
};

// An episode in care on some day of the range, with what the weekly-hours report shows of it.
struct report_episode {
  id_t episode_id = 0, client_id = 0, site_id = 0;
  std::string client_first_name, site_name, time_zone;
};

// A current mark of an episode's client at a session of one of the episode's groups.
struct episode_mark {
  id_t episode_id = 0;
  std::string local_date;
  std::string status;
  std::optional<int> minutes;
  long long session_seconds = 0;
};

struct weekly_hours_facts {
  std::vector<report_episode> episodes;  // in id order, at most the limit asked for plus one
  std::vector<episode_mark> marks;
};

class report_store {
 public:
  virtual ~report_store() = default;
  template <class T>
  using task = boost::asio::awaitable<T>;

  // Ordered by date, session, client. `group_id` and `site_id` select sessions, `client_id` clients.
  virtual task<std::vector<expected_client>> expected_clients(const report_filter& f) = 0;
  // Episodes (of `site_id`, `client_id`; `group_id` is ignored) in care on some day of the
  // range, at most `limit` + 1 (so the caller knows there were more), and their clients'
  // current marks in the range; in one snapshot.
  virtual task<weekly_hours_facts> weekly_hours_facts_of(const report_filter& f, int limit) = 0;
};

}  // namespace rollcall::ports
