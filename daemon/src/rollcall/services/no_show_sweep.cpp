#include "rollcall/services/no_show_sweep.hpp"

#include <date/tz.h>

#include "rollcall/domain/messages.hpp"
#include "rollcall/services/staff_alerts.hpp"

namespace rollcall::services {

std::optional<ports::new_message> missed_session_alert(const ports::missed_attendance& m) {
  const auto& zone = *date::locate_zone(m.time_zone);
  const auto when = domain::format_local_when(zone, m.starts_at);
  const staff_alert_text text{
      "missed_session",
      domain::render_missed_alert({m.client_first_name, m.client_id, m.group_name, m.site_name, when}),
      domain::render_missed_alert_minimal(m.client_id, when)};
  // Due at once: anything in the past is due.
  return staff_alert(m.counselor, text,
                     "alert:missed:" + std::to_string(m.session_id) + ":" + std::to_string(m.client_id), m.client_id,
                     m.session_id, m.starts_at);
}

ports::task<int> no_show_sweep::sweep_once() {
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  const ports::attendance_store::alert_maker make_alerts = [](const std::vector<ports::missed_attendance>& missed) {
    std::vector<ports::new_message> alerts;
    for (const auto& m : missed)
      if (auto alert = missed_session_alert(m)) alerts.push_back(std::move(*alert));
    return alerts;
  };
  co_return co_await store_.record_missed(now, grace_, make_alerts);
}

}  // namespace rollcall::services
