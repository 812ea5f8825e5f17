// PostgreSQL side of the staff web page's views (ports/views.hpp): each view read in one
// snapshot with set-based statements (sql_views.cpp), and the undo of a staff mark.
#pragma once

#include "rollcall/ports/views.hpp"
#include "rollcall/store/db_pool.hpp"
#include "rollcall/store/pg_events.hpp"

namespace rollcall::store {

class pg_view_store final : public ports::view_store {
 public:
  // `events`: an undo queues attendance.undone for subscribers.
  explicit pg_view_store(db_pool& pool, const event_subscriptions& events = no_event_subscriptions())
      : pool_(pool), events_(events) {}
  ports::task<result<ports::site_day>> site_day_of(ports::id_t site_id, const std::string& date,
                                                   ports::sys_seconds now) override;
  ports::task<outcome<ports::undone_mark>> undo_mark(ports::id_t session_id, ports::id_t client_id,
                                                     std::optional<ports::id_t> mark_id,
                                                     const std::string& actor) override;
  ports::task<result<ports::client_overview>> client_overview_of(ports::id_t client_id,
                                                                 ports::sys_seconds now) override;
  ports::task<result<ports::group_overview>> group_overview_of(ports::id_t group_id, ports::sys_seconds now) override;
  ports::task<std::optional<ports::id_t>> site_of_session(ports::id_t session_id) override;
  ports::task<std::optional<ports::id_t>> site_of_group(ports::id_t group_id) override;
  ports::task<std::optional<std::vector<ports::id_t>>> sites_of(ports::site_owner kind, ports::id_t id) override;

 private:
  ports::task<std::optional<ports::id_t>> site_by(const char* statement, ports::id_t id);
  db_pool& pool_;
  const event_subscriptions& events_;
};

}  // namespace rollcall::store
