// The PostgreSQL adapter for every store port. SQL lives in sql.cpp; this file turns rows
// into records and keeps each use case in one explicit transaction.
#pragma once

#include <memory>

#include "rollcall/ports/ports.hpp"
#include "rollcall/store/db_pool.hpp"
#include "rollcall/store/pg_events.hpp"

namespace rollcall::store {

class pg_store final : public ports::directory_store,
                       public ports::session_change_store,
                       public ports::planning_store,
                       public ports::attendance_store,
                       public ports::outbox_store,
                       public ports::health_store {
 public:
  // `events`: the integration event subscriptions, read in each transaction that queues one.
  explicit pg_store(db_pool& pool, const event_subscriptions& events = no_event_subscriptions())
      : pool_(pool), events_(events) {}

  // directory_store
  ports::task<ports::site> create_site(const ports::new_site& in, const std::string& actor) override;
  ports::task<result<ports::site>> get_site(ports::id_t id) override;
  ports::task<outcome<ports::site>> set_slot_times(ports::id_t site_id, const ports::slot_times& times,
                                                   const std::string& actor) override;
  ports::task<result<std::vector<ports::session>>> sessions_of_group(ports::id_t group_id) override;

  // session_change_store
  ports::task<result<ports::session_context>> session_context_of(ports::id_t session_id) override;
  ports::task<outcome<ports::session>> cancel_session(ports::id_t session_id, const std::string& reason,
                                                      const std::string& actor,
                                                      const notice_maker& make_notices) override;
  ports::task<outcome<ports::closure>> create_closure(const ports::new_closure& in, const std::string& actor,
                                                      const notice_maker& make_notices) override;
  ports::task<outcome<ports::session>> move_session(ports::id_t session_id, const ports::session_move& move,
                                                    const std::string& actor,
                                                    const notice_maker& make_notices) override;

  // planning_store
  ports::task<std::vector<ports::group_for_planning>> groups_for_planning() override;
  ports::task<int> add_sessions(const std::vector<ports::session_slot>& slots,
                                const ports::notice_maker& closed_notices) override;
  ports::task<std::vector<ports::session_attendee>> attendees_between(ports::sys_seconds from,
                                                                      ports::sys_seconds to) override;
  ports::task<result<ports::site_plan_inputs>> plan_inputs_of_site(ports::id_t site_id, const std::string& from,
                                                                   const std::string& to) override;
  ports::task<int> enqueue(const std::vector<ports::new_message>& messages) override;

  // attendance_store
  ports::task<outcome<std::vector<ports::attendance_mark>>> record_marks(
      ports::id_t session_id, const std::vector<ports::attendance_mark_input>& in, ports::sys_seconds now,
      bool only_unmarked) override;
  ports::task<outcome<ports::attendance_mark>> record_mark(const ports::attendance_mark_input& in,
                                                           ports::sys_seconds now) override;
  ports::task<result<std::vector<ports::attendance_mark>>> marks_of_session(ports::id_t session_id) override;

  // outbox_store
  ports::task<std::vector<ports::claimed_message>> claim_due(int batch_size, std::chrono::milliseconds lease,
                                                             bool include_provider) override;
  ports::task<std::optional<std::chrono::milliseconds>> next_due(bool include_provider) override;
  ports::task<std::vector<bool>> record_deliveries(const std::vector<ports::delivery_record>& records,
                                                   const ports::client_alert_maker& alerts) override;

  // health_store
  ports::task<bool> ready() override;

 private:
  db_pool& pool_;
  const event_subscriptions& events_;
};

}  // namespace rollcall::store
