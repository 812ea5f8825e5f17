#include "rollcall/services/composer.hpp"

#include <date/tz.h>
#include <boost/json.hpp>

#include "rollcall/domain/messages.hpp"
#include "rollcall/domain/reminders.hpp"

namespace rollcall::services {

namespace {

const date::time_zone& zone_or_utc(const std::string& name) {
  try {
    return *date::locate_zone(name.empty() ? "UTC" : name);
  } catch (const std::exception&) {
    return *date::locate_zone("UTC");
  }
}

bool allowed(const ports::session_attendee& a, const std::string& channel) {
  if (channel == "sms") return !a.phone.empty() && a.sms_allowed;
  if (channel == "email") return !a.email.empty() && a.email_allowed;
  return false;
}

// "Call {site_phone}" for a site with no phone on record names the site instead of nothing.
const std::string& phone_or_name(const std::string& phone, const std::string& site_name) {
  return phone.empty() ? site_name : phone;
}

domain::placeholder_values session_values(const ports::session_attendee& a, const std::string& channel) {
  return {{"first_name", a.first_name},
          {"site_name", a.site_name},
          {"site_phone", phone_or_name(a.site_phone, a.site_name)},
          {"date", local_date_text(a.time_zone, a.starts_at)},
          {"time", local_time_text(a.time_zone, a.starts_at)},
          {"slot", a.slot},
          {"reply_hints", domain::reply_hints(channel, a.language)}};
}

boost::json::object base_payload(const char* type, const delivery_choice& c, const ports::session_attendee& a) {
  boost::json::object payload{{"type", type},   {"channel", c.channel},     {"to", c.to},
                              {"text", c.text}, {"client_id", a.client_id}, {"session_id", a.session_id}};
  if (!c.subject.empty()) payload["subject"] = c.subject;
  if (a.family_contact_id != 0) payload["family_contact_id"] = a.family_contact_id;
  return payload;
}

ports::new_message message_for(const ports::session_attendee& a, const std::vector<delivery_choice>& choices) {
  ports::new_message m;
  m.target = "provider";
  m.channel = choices.front().channel;
  m.recipient = choices.front().to;
  m.alternatives = alternatives_json(choices, 1);
  m.client_id = a.client_id;
  m.session_id = a.session_id;
  if (a.family_contact_id != 0) m.family_contact_id = a.family_contact_id;
  return m;
}

}  // namespace

std::string recipient_key(const ports::session_attendee& a) {
  auto key = std::to_string(a.client_id);
  if (a.family_contact_id != 0) {
    key += 'f';  // (not `"f" + ...`: GCC 12 -O3 warns falsely, bug 105329)
    key += std::to_string(a.family_contact_id);
  }
  return key;
}

std::string local_date_text(const std::string& zone, ports::sys_seconds instant) {
  return domain::format_local_date(zone_or_utc(zone), instant);
}

std::string local_time_text(const std::string& zone, ports::sys_seconds instant) {
  return domain::format_local_time(zone_or_utc(zone), instant);
}

std::string alternatives_json(const std::vector<delivery_choice>& choices, std::size_t from) {
  boost::json::array out;
  for (std::size_t i = from; i < choices.size(); ++i) {
    boost::json::object c{{"channel", choices[i].channel}, {"to", choices[i].to}, {"text", choices[i].text}};
    if (!choices[i].subject.empty()) c["subject"] = choices[i].subject;
    out.push_back(std::move(c));
  }
  return boost::json::serialize(out);
}

composer::composer() : state_(std::make_shared<const state>(state{{}, domain::template_catalog{}})) {}

void composer::set_settings(composer_settings s) {
  auto catalog = domain::template_catalog{s.templates};
  state_.store(std::make_shared<const state>(state{std::move(s), std::move(catalog)}));
}

domain::reminder_rule composer::rule_for(const ports::session_attendee& a) const {
  const auto st = state_.load();
  return domain::match_rule(st->settings.rules, st->settings.fallback, a.site_id, a.level, a.group_kind);
}

std::vector<delivery_choice> composer::choices(const ports::session_attendee& a,
                                               const std::vector<std::string>& channels,
                                               const std::string& template_set, const std::string& kind,
                                               const domain::placeholder_values& extra) const {
  return choices(*state_.load(), a, channels, template_set, kind, extra);
}

std::vector<delivery_choice> composer::choices(const state& st, const ports::session_attendee& a,
                                               const std::vector<std::string>& channels,
                                               const std::string& template_set, const std::string& kind,
                                               const domain::placeholder_values& extra) const {
  std::vector<delivery_choice> out;
  for (const auto& channel : channels) {
    if (!allowed(a, channel)) continue;
    const auto* t = st.catalog.find(template_set, kind, channel, a.language);
    if (!t) continue;
    auto values = session_values(a, channel);
    for (const auto& [k, v] : extra) values[k] = v;
    out.push_back({channel, channel == "sms" ? a.phone : a.email, domain::render_template(t->subject, values),
                   domain::render_template(t->body, values)});
  }
  return out;
}

std::vector<ports::new_message> composer::reminders(const ports::session_attendee& a, ports::sys_seconds now,
                                                    bool late_fallback) const {
  std::vector<ports::new_message> out;
  const auto st = state_.load();
  const auto& rule = domain::match_rule(st->settings.rules, st->settings.fallback, a.site_id, a.level, a.group_kind);
  const auto options = choices(*st, a, rule.channels, rule.template_set, "reminder", {});
  if (options.empty()) return out;
  const auto& quiet_zone = zone_or_utc(a.recipient_zone.empty() ? a.time_zone : a.recipient_zone);
  for (const auto& r : domain::plan_reminders(a.starts_at, rule.lead_times, now, late_fallback)) {
    const auto quiet = domain::apply_quiet_hours(r.due_at, quiet_zone, st->settings.quiet, now);
    if (quiet.what == domain::quiet_decision::action::dropped) continue;
    auto payload = base_payload("reminder", options.front(), a);
    payload["session_starts_at"] = a.starts_at.time_since_epoch().count();
    auto m = message_for(a, options);
    // The session's revision is part of the key: a moved session gets fresh reminders. The
    // channel is not: a recipient's channel may change (an opt-out) without a second reminder.
    m.dedupe_key = "reminder:" + std::to_string(a.session_id) + ":r" + std::to_string(a.revision) + ":" +
                   recipient_key(a) + ":" + std::to_string(r.lead.count()) + "s";
    m.kind = "reminder";
    m.payload = boost::json::serialize(payload);
    m.due_at = quiet.at;
    m.quiet_zone = quiet_zone.name();
    m.session_revision = a.revision;
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<ports::new_message> composer::notices(const std::string& kind, const ports::session_context& before,
                                                  const ports::session_context& after,
                                                  const std::vector<ports::session_attendee>& attendees,
                                                  ports::sys_seconds now) const {
  std::vector<ports::new_message> out;
  const auto st = state_.load();
  for (auto a : attendees) {
    // Cancelled: the old date and time; moved: the new ones, with the old as {old_date} {old_time}.
    a.starts_at = kind == "cancelled" ? before.s.starts_at : after.s.starts_at;
    const domain::placeholder_values extra{{"old_date", local_date_text(a.time_zone, before.s.starts_at)},
                                           {"old_time", local_time_text(a.time_zone, before.s.starts_at)}};
    const auto& rule = domain::match_rule(st->settings.rules, st->settings.fallback, a.site_id, a.level, a.group_kind);
    const auto options = choices(*st, a, rule.channels, rule.template_set, kind, extra);
    if (options.empty()) continue;
    auto payload = base_payload("notice", options.front(), a);
    payload["notice"] = kind;
    payload["session_id"] = after.s.id;
    auto m = message_for(a, options);
    m.dedupe_key = "notice:" + kind + ":" + std::to_string(after.s.id) + ":r" + std::to_string(after.s.revision) + ":" +
                   recipient_key(a);
    m.kind = "notice";
    m.payload = boost::json::serialize(payload);
    m.due_at = now;
    m.session_id = after.s.id;
    out.push_back(std::move(m));
  }
  return out;
}

std::optional<ports::new_message> composer::sms_reply(const std::string& kind, const reply_recipient& to,
                                                      const std::string& dedupe, ports::sys_seconds now,
                                                      std::optional<ports::sys_seconds> session_when,
                                                      const std::string& zone) const {
  if (to.phone.empty()) return std::nullopt;
  const auto st = state_.load();
  const auto* t = st->catalog.find("default", kind, "sms", to.language);
  if (!t) return std::nullopt;
  domain::placeholder_values values{{"first_name", to.first_name},
                                    {"site_name", to.site_name},
                                    {"site_phone", phone_or_name(to.site_phone, to.site_name)},
                                    {"reply_hints", domain::reply_hints("sms", to.language)}};
  if (session_when) {
    values["date"] = local_date_text(zone, *session_when);
    values["time"] = local_time_text(zone, *session_when);
  }
  const auto text = domain::render_template(t->body, values);
  boost::json::object payload{{"type", "reply"}, {"reply", kind}, {"channel", "sms"}, {"to", to.phone}, {"text", text}};
  if (to.client_id != 0) payload["client_id"] = to.client_id;
  ports::new_message m;
  m.dedupe_key = dedupe;
  m.kind = "reply";
  m.target = "provider";
  m.channel = "sms";
  m.recipient = to.phone;
  m.payload = boost::json::serialize(payload);
  m.due_at = now;
  if (to.client_id != 0) m.client_id = to.client_id;
  if (to.family_contact_id != 0) m.family_contact_id = to.family_contact_id;
  return m;
}

}  // namespace rollcall::services
