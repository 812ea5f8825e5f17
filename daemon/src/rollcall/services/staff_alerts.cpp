#include "rollcall/services/staff_alerts.hpp"

#include <boost/json.hpp>

#include "rollcall/services/composer.hpp"

namespace rollcall::services {

std::optional<ports::new_message> staff_alert(const ports::staff& to, const staff_alert_text& text,
                                              const std::string& dedupe, ports::id_t client_id,
                                              std::optional<ports::id_t> session_id, ports::sys_seconds due) {
  boost::json::object payload{{"type", "staff_alert"},
                              {"alert", text.alert},
                              {"text", text.minimal},
                              {"staff_id", to.id},
                              {"client_id", client_id}};
  if (session_id) payload["session_id"] = *session_id;
  ports::new_message out;
  if (!to.alert_webhook_url.empty()) {
    out.target = "staff_webhook";
    out.target_url = to.alert_webhook_url;
    out.channel = "webhook";
    payload["text"] = text.full;
  } else if (!to.phone.empty()) {
    out.target = "provider";
    out.channel = "sms";
    out.recipient = to.phone;
  } else if (!to.email.empty()) {
    out.target = "provider";
    out.channel = "email";
    out.recipient = to.email;
    payload["subject"] = "rollcall alert";
  } else {
    return std::nullopt;
  }
  payload["channel"] = out.channel;
  if (!out.recipient.empty()) payload["to"] = out.recipient;
  out.dedupe_key = dedupe;
  out.kind = "staff_alert";
  out.payload = boost::json::serialize(payload);
  out.due_at = due;
  out.client_id = client_id;
  out.staff_id = to.id;
  out.session_id = session_id;
  return out;
}

std::vector<ports::new_message> client_alert_messages(const ports::client_alert& a) {
  const auto id = std::to_string(a.client_id);
  std::string when;
  if (a.session_id) {
    when = local_date_text(a.time_zone, a.starts_at);
    when += ' ';
    when += local_time_text(a.time_zone, a.starts_at);
  }
  staff_alert_text text{a.alert, {}, {}};
  if (a.alert == "unreachable") {
    text.full = a.client_first_name + " (client " + id + ") could not be reached by any channel" +
                (when.empty() ? std::string{"."} : " about the " + when + " session.");
    text.minimal = "rollcall: client " + id + " could not be reached" +
                   (when.empty() ? std::string{"."} : " about the " + when + " session.") + " Details in rollcall.";
  } else if (a.alert == "opted_out") {
    text.full = a.client_first_name + " (client " + id + ") opted out of text messages (replied STOP).";
    text.minimal = "rollcall: client " + id + " opted out of text messages. Details in rollcall.";
  } else if (a.alert == "declined") {
    text.full =
        a.client_first_name + " (client " + id + ") replied that they can't make it to the " + when + " session.";
    text.minimal = "rollcall: client " + id + " can't make it to the " + when + " session. Details in rollcall.";
  } else {
    return {};
  }
  // Due at once, whatever the hour: staff alerts are not held by quiet hours.
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto m = staff_alert(a.counselor, text, a.dedupe, a.client_id, a.session_id, now);
  if (!m) return {};
  return {std::move(*m)};
}

}  // namespace rollcall::services
