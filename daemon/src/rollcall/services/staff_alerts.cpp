#include "rollcall/services/staff_alerts.hpp"

#include <cstdio>
#include <set>

#include <boost/json.hpp>

#include "rollcall/services/composer.hpp"

namespace rollcall::services {

namespace {

std::string when_text(const std::string& zone, ports::sys_seconds t) {
  std::string when = local_date_text(zone, t);
  when += ' ';
  when += local_time_text(zone, t);
  return when;
}

std::string hours_text(double h) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", h);
  return buf;
}

std::string client_ref(const std::string& first_name, ports::id_t id) {
  std::string out = first_name;
  out += " (client ";
  out += std::to_string(id);
  out += ')';
  return out;
}

std::string minimal_ref(ports::id_t id) {
  std::string out = "rollcall: client ";
  out += std::to_string(id);
  return out;
}

}  // namespace

std::string chat_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    if (ch == '&')
      out += "&amp;";
    else if (ch == '<')
      out += "&lt;";
    else if (ch == '>')
      out += "&gt;";
    else
      out += ch;
  }
  return out;
}

std::optional<ports::new_message> staff_alert(const ports::staff& to, const staff_alert_text& text,
                                              const std::string& dedupe, std::optional<ports::id_t> client_id,
                                              std::optional<ports::id_t> session_id, ports::sys_seconds due,
                                              const boost::json::object& extra) {
  boost::json::object payload{
      {"type", "staff_alert"}, {"alert", text.alert}, {"text", text.minimal}, {"staff_id", to.id}};
  if (client_id) payload["client_id"] = *client_id;
  if (session_id) payload["session_id"] = *session_id;
  for (const auto& [k, v] : extra) payload[k] = v;
  ports::new_message out;
  if (!to.chat_webhook_url.empty()) {
    out.target = "chat_webhook";
    out.target_url = to.chat_webhook_url;
    out.channel = "chat";
    // Exactly what a Slack-compatible incoming webhook takes.
    payload = boost::json::object{{"text", chat_escape(text.full)}};
  } else if (!to.alert_webhook_url.empty()) {
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
  if (out.channel != "chat") {
    payload["channel"] = out.channel;
    if (!out.recipient.empty()) payload["to"] = out.recipient;
  }
  out.dedupe_key = dedupe;
  out.kind = "staff_alert";
  out.payload = boost::json::serialize(payload);
  out.due_at = due;
  out.client_id = client_id;
  out.staff_id = to.id;
  out.session_id = session_id;
  return out;
}

ports::new_alert make_alert(const staff_alert_text& text, const std::string& dedupe, ports::id_t client_id,
                            std::optional<ports::id_t> session_id, std::optional<ports::id_t> site_id,
                            const std::vector<ports::staff>& to, ports::sys_seconds now, std::string detail) {
  ports::new_alert a;
  a.kind = text.alert;
  a.dedupe_key = dedupe;
  a.client_id = client_id;
  a.session_id = session_id;
  a.site_id = site_id;
  a.detail = std::move(detail);
  a.full_text = text.full;
  a.minimal_text = text.minimal;
  std::set<ports::id_t> told;
  for (const auto& s : to) {
    if (!told.insert(s.id).second) continue;
    std::string key = "alert:";
    key += dedupe;
    key += ":staff:";
    key += std::to_string(s.id);
    if (auto m = staff_alert(s, text, key, client_id, session_id, now)) a.messages.push_back(std::move(*m));
  }
  return a;
}

std::vector<ports::new_alert> client_alert_messages(const ports::client_alert& a) {
  const auto id = std::to_string(a.client_id);
  std::string when;
  if (a.session_id) when = when_text(a.time_zone, a.starts_at);
  staff_alert_text text{a.alert, {}, {}};
  const std::string about = when.empty() ? std::string{"."} : " about the " + when + " session.";
  if (a.alert == "unreachable") {
    text.full = client_ref(a.client_first_name, a.client_id) + " could not be reached by any channel" + about;
    text.minimal = minimal_ref(a.client_id) + " could not be reached" + about + " Details in rollcall.";
  } else if (a.alert == "opted_out") {
    text.full = client_ref(a.client_first_name, a.client_id) + " opted out of text messages (replied STOP).";
    text.minimal = minimal_ref(a.client_id) + " opted out of text messages. Details in rollcall.";
  } else if (a.alert == "declined") {
    text.full =
        client_ref(a.client_first_name, a.client_id) + " replied that they can't make it to the " + when + " session.";
    text.minimal = minimal_ref(a.client_id) + " can't make it to the " + when + " session. Details in rollcall.";
  } else {
    return {};
  }
  // Due at once, whatever the hour: staff alerts are not held by quiet hours.
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return {make_alert(text, a.dedupe, a.client_id, a.session_id, a.site_id, {a.counselor}, now)};
}

std::vector<ports::new_alert> rule_alerts(const ports::client_rule_context& c,
                                          const domain::attendance_rule_settings& settings, ports::sys_seconds now) {
  std::vector<ports::new_alert> out;
  const auto who = client_ref(c.first_name, c.input.client_id);
  const auto counselor = c.counselor ? std::vector<ports::staff>{*c.counselor} : std::vector<ports::staff>{};
  for (const auto& hit : domain::evaluate_attendance_rules(c.input, settings, now)) {
    staff_alert_text text{std::string{domain::to_string(hit.kind)}, {}, {}};
    std::vector<ports::staff> to;
    boost::json::object detail;
    const std::string when = hit.session_id ? when_text(c.time_zone, hit.session_start) : std::string{};
    switch (hit.kind) {
      case domain::rule_kind::missed_session: {
        std::string group;
        if (auto g = c.group_of_session.find(*hit.session_id); g != c.group_of_session.end()) group = g->second;
        text.full = "Missed session: " + who + " was absent from " + group + ", " + when + " at " + c.site_name + ".";
        text.minimal =
            minimal_ref(c.input.client_id) + " was absent from the " + when + " session. Details in rollcall.";
        to = counselor;
        if (!c.digest) to.insert(to.end(), c.copy_to.begin(), c.copy_to.end());
        break;
      }
      case domain::rule_kind::consecutive_misses:
        text.full = who + " has missed " + std::to_string(hit.streak) + " sessions in a row (the latest " + when + ").";
        text.minimal = minimal_ref(c.input.client_id) + " has missed " + std::to_string(hit.streak) +
                       " sessions in a row. Details in rollcall.";
        to = c.supervisor ? std::vector<ports::staff>{*c.supervisor} : counselor;
        detail = {{"streak", hit.streak}};
        break;
      case domain::rule_kind::low_attendance:
        text.full = who + " attended " + std::to_string(hit.attended) + " of " + std::to_string(hit.counted) +
                    " sessions in the last " + std::to_string(settings.rate_window.count()) + " days.";
        text.minimal = minimal_ref(c.input.client_id) + " attended " + std::to_string(hit.attended) + " of " +
                       std::to_string(hit.counted) + " recent sessions. Details in rollcall.";
        to = counselor;
        detail = {{"attended", hit.attended}, {"counted", hit.counted}, {"rate", hit.rate}};
        break;
      case domain::rule_kind::hours_at_risk:
        text.full = "Weekly hours at risk: " + who + " can reach at most " +
                    hours_text(hit.attended_hours + hit.remaining_hours) + " of the " + hours_text(hit.required_hours) +
                    " hours required in " + hit.week + " (" + hours_text(hit.attended_hours) + " attended, " +
                    hours_text(hit.remaining_hours) + " still scheduled).";
        text.minimal = minimal_ref(c.input.client_id) + " can reach at most " +
                       hours_text(hit.attended_hours + hit.remaining_hours) + " of " + hours_text(hit.required_hours) +
                       " required hours in " + hit.week + ". Details in rollcall.";
        to = c.case_manager ? std::vector<ports::staff>{*c.case_manager} : counselor;
        detail = {{"week", hit.week},
                  {"attended_hours", hit.attended_hours},
                  {"remaining_hours", hit.remaining_hours},
                  {"required_hours", hit.required_hours}};
        break;
    }
    out.push_back(make_alert(text, hit.dedupe_key, c.input.client_id, hit.session_id, c.site_id, to, now,
                             boost::json::serialize(detail)));
  }
  return out;
}

std::vector<ports::new_message> digest_messages(const ports::closed_session& s, ports::sys_seconds now) {
  std::vector<ports::new_message> out;
  if (s.absentees.empty()) return out;
  const auto when = when_text(s.time_zone, s.starts_at);
  staff_alert_text text{"missed_digest", {}, {}};
  text.full = "Absent from " + s.group_name + ", " + when + " at " + s.site_name + " (" +
              std::to_string(s.absentees.size()) + "):";
  text.minimal = "rollcall: " + std::to_string(s.absentees.size()) + " absent from the " + when + " session: clients";
  bool first = true;
  for (const auto& [id, name] : s.absentees) {
    text.full += (first ? " " : ", ") + client_ref(name, id);
    text.minimal += (first ? " " : ", ") + std::to_string(id);
    first = false;
  }
  text.full += '.';
  text.minimal += ". Details in rollcall.";
  boost::json::array ids;
  for (const auto& a : s.absentees) ids.push_back(a.first);
  for (const auto& to : s.digest_to) {
    std::string key = "digest:" + std::to_string(s.session_id) + ":staff:" + std::to_string(to.id);
    // About several clients: their ids instead of one.
    if (auto m = staff_alert(to, text, key, std::nullopt, s.session_id, now, {{"client_ids", ids}}))
      out.push_back(std::move(*m));
  }
  return out;
}

std::optional<ports::new_message> escalation_message(const ports::alert_record& alert, const ports::staff& to, int step,
                                                     ports::sys_seconds now) {
  staff_alert_text text{alert.kind, "Not yet acknowledged: " + alert.full_text,
                        alert.minimal_text + " (not yet acknowledged)"};
  std::string key = "alert:" + std::to_string(alert.id) + ":escalation:" + std::to_string(step);
  auto m = staff_alert(to, text, key, alert.client_id, alert.session_id, now);
  if (m) m->alert_id = alert.id;
  return m;
}

}  // namespace rollcall::services
