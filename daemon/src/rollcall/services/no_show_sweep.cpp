#include "rollcall/services/no_show_sweep.hpp"

#include <date/tz.h>
#include <boost/json.hpp>

#include "rollcall/domain/messages.hpp"

namespace rollcall::services {

std::optional<ports::new_message> missed_session_alert(const ports::missed_attendance& m) {
  const auto& zone = *date::locate_zone(m.time_zone);
  const auto when = domain::format_local_when(zone, m.starts_at);
  boost::json::object payload{{"type", "staff_alert"},
                              {"alert", "missed_session"},
                              {"text", domain::render_missed_alert_minimal(m.client_id, when)},
                              {"staff_id", m.counselor.id},
                              {"client_id", m.client_id},
                              {"session_id", m.session_id}};
  ports::new_message out;
  if (!m.counselor.alert_webhook_url.empty()) {
    out.target = "staff_webhook";
    out.target_url = m.counselor.alert_webhook_url;
    payload["channel"] = "webhook";
    payload["text"] = domain::render_missed_alert({m.client_first_name, m.client_id, m.group_name, m.site_name, when});
  } else if (!m.counselor.phone.empty()) {
    out.target = "provider";
    payload["channel"] = "sms";
    payload["to"] = m.counselor.phone;
  } else if (!m.counselor.email.empty()) {
    out.target = "provider";
    payload["channel"] = "email";
    payload["to"] = m.counselor.email;
  } else {
    return std::nullopt;
  }
  out.dedupe_key = "alert:missed:" + std::to_string(m.session_id) + ":" + std::to_string(m.client_id);
  out.kind = "staff_alert";
  out.payload = boost::json::serialize(payload);
  out.due_at = m.starts_at;  // due at once: anything in the past is due
  out.client_id = m.client_id;
  out.staff_id = m.counselor.id;
  out.session_id = m.session_id;
  return out;
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
