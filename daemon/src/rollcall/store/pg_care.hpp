// The PostgreSQL adapter of care_store: episodes, placements with capacity and a waitlist,
// group facilitators and edits, appointments. Conflicts are checked (with domain::first_overlap)
// in the transaction that writes, under the locks that make the check hold.
#pragma once

#include "rollcall/ports/care.hpp"
#include "rollcall/store/db_pool.hpp"
#include "rollcall/store/pg_events.hpp"

namespace rollcall::store {

class pg_care_store final : public ports::care_store {
 public:
  // `events`: placement changes queue enrollment.changed for its subscriptions.
  explicit pg_care_store(db_pool& pool, const event_subscriptions& events = no_event_subscriptions())
      : pool_(pool), events_(events) {}

  ports::task<outcome<ports::episode>> create_episode(const ports::new_episode& in, const std::string& actor) override;
  ports::task<result<ports::episode>> get_episode(ports::id_t id) override;
  ports::task<outcome<ports::episode>> update_episode(ports::id_t id, const ports::episode_patch& patch,
                                                      const std::string& actor) override;
  ports::task<outcome<ports::episode>> change_level(ports::id_t id, const ports::level_change& change,
                                                    const std::string& actor) override;
  ports::task<outcome<ports::episode>> discharge_episode(ports::id_t id, const ports::discharge& d,
                                                         const std::string& actor) override;
  ports::task<outcome<ports::placement>> place(const ports::new_placement& in, const std::string& actor) override;
  ports::task<result<ports::placement>> get_placement(ports::id_t id) override;
  ports::task<outcome<ports::placement>> end_placement(ports::id_t id, const std::string& end_date,
                                                       const std::string& reason, const std::string& actor) override;
  ports::task<outcome<ports::placement>> answer_offer(ports::id_t id, bool accept, const std::string& actor) override;
  ports::task<result<std::vector<ports::placement>>> waitlist_of_group(ports::id_t group_id) override;
  ports::task<outcome<ports::group>> create_group(const ports::new_group& in, const std::string& actor) override;
  ports::task<outcome<ports::group>> get_group(ports::id_t id) override;
  ports::task<result<std::vector<ports::id_t>>> facilitators_of_group(ports::id_t id) override;
  ports::task<outcome<std::vector<ports::id_t>>> set_facilitators(ports::id_t group_id,
                                                                  const std::vector<ports::id_t>& staff_ids,
                                                                  const std::string& actor) override;
  ports::task<outcome<ports::group>> update_group(ports::id_t id, const ports::group_patch& patch,
                                                  const std::string& actor,
                                                  const ports::change_notice_maker& notices) override;
  ports::task<outcome<ports::group>> archive_group(ports::id_t id, const std::string& actor) override;
  ports::task<outcome<ports::group>> create_appointment(const ports::new_appointment& in,
                                                        const std::string& actor) override;
  ports::task<result<ports::episode_schedule>> schedule_of_episode(ports::id_t id, const std::string& from,
                                                                   const std::string& to) override;

  ports::task<ports::page<ports::group>> list_groups(const group_filter& f, const ports::page_request& p) override;
  ports::task<ports::page<ports::episode>> list_episodes(const episode_filter& f,
                                                         const ports::page_request& p) override;
  ports::task<ports::page<ports::placement>> list_placements(const placement_filter& f,
                                                             const ports::page_request& p) override;
  ports::task<outcome<ports::episode>> archive_episode(ports::id_t id, const std::string& actor) override;
  ports::task<outcome<ports::placement>> archive_placement(ports::id_t id, const std::string& actor) override;

 private:
  db_pool& pool_;
  const event_subscriptions& events_;
};

}  // namespace rollcall::store
