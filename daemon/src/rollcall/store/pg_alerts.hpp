// PostgreSQL side of alerts (ports/alerts.hpp): closing sessions' attendance, the rule checks,
// escalation, acknowledgements, site routing and rosters. Every background step claims its
// rows with FOR UPDATE SKIP LOCKED, so several instances share the work without doing it twice.
#pragma once

#include <pqxx/pqxx>

#include "rollcall/ports/alerts.hpp"
#include "rollcall/store/db_pool.hpp"
#include "rollcall/store/pg_events.hpp"

namespace rollcall::store {

// Inserts each alert whose dedupe key is new, with its messages linked to it, audits it and
// queues alert.created for `events`. Returns how many alerts were new.
int insert_alerts(pqxx::work& tx, const event_subscriptions& events, const std::vector<ports::new_alert>& alerts);

// The staff with these ids who are not archived (chat webhook included).
std::vector<ports::staff> staff_by_ids(pqxx::transaction_base& tx, const std::vector<ports::id_t>& ids);

class pg_alert_store final : public ports::alert_store {
 public:
  // `events`: closing a session queues attendance.marked and session.missed; alerts queue
  // alert.created and alert.acknowledged.
  explicit pg_alert_store(db_pool& pool, const event_subscriptions& events = no_event_subscriptions())
      : pool_(pool), events_(events) {}
  ports::task<ports::close_result> close_sessions(ports::sys_seconds now, std::chrono::seconds margin, int batch,
                                                  const ports::digest_maker& digest) override;
  ports::task<int> check_rules(ports::sys_seconds now, std::chrono::days lookback, int batch,
                               const ports::rules_maker& make) override;
  ports::task<int> queue_week_start(ports::sys_seconds now) override;
  ports::task<int> escalate_due(ports::sys_seconds now, std::chrono::seconds after, int batch,
                                const ports::escalation_maker& make) override;
  ports::task<outcome<ports::alert_record>> acknowledge(ports::id_t alert_id, ports::id_t staff_id,
                                                        const std::string& note, const std::string& actor) override;
  ports::task<result<ports::alert_record>> alert(ports::id_t id) override;
  ports::task<std::vector<ports::alert_record>> alerts(const ports::alert_filter& filter) override;
  ports::task<outcome<ports::site_alerting>> set_site_alerting(const ports::site_alerting& in,
                                                               const std::string& actor) override;
  ports::task<result<ports::site_alerting>> site_alerting_of(ports::id_t site_id) override;
  ports::task<result<ports::session_roster>> roster(ports::id_t session_id) override;

 private:
  db_pool& pool_;
  const event_subscriptions& events_;
};

}  // namespace rollcall::store
