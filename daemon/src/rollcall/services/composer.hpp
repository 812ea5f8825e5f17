// What clients are told, on which channel, and when: the reminder rules (lead times and
// channels per site, level of care and session kind), the templates per channel and language,
// consent and opt-outs, and quiet hours, applied to one recipient at a time. Pure: no I/O.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rollcall/domain/quiet_hours.hpp"
#include "rollcall/domain/reminder_rules.hpp"
#include "rollcall/domain/templates.hpp"
#include "rollcall/ports/records.hpp"

namespace rollcall::services {

struct composer_settings {
  std::vector<domain::reminder_rule> rules;
  domain::reminder_rule fallback;  // when no rule matches: planner.reminder_lead_times, sms then email
  domain::quiet_hours quiet;
  std::vector<domain::message_template> templates;  // configured; the built-in ones fill the gaps
};

// One way to reach a recipient: the channel, the address and the rendered text.
struct delivery_choice {
  std::string channel;  // sms | email
  std::string to;
  std::string subject;  // email
  std::string text;
};

// Who a client-facing message (a reply, not about a session) goes to.
struct reply_recipient {
  ports::id_t client_id = 0;
  ports::id_t family_contact_id = 0;
  std::string first_name;
  std::string phone;
  std::string language = "en";
  std::string site_name;
  std::string site_phone;
};

// Thread-safe: planning and notices run on the database pool's threads while a reload (on the
// event loop) may replace the settings; each call works on one snapshot of them.
class composer {
 public:
  composer();
  composer(const composer& other) : state_(other.state_.load()) {}
  composer& operator=(const composer& other) {
    state_.store(other.state_.load());
    return *this;
  }
  void set_settings(composer_settings s);
  // Quiet hours as configured (for the dispatcher's check of late reminders).
  domain::quiet_hours quiet_hours() const { return state_.load()->settings.quiet; }

  domain::reminder_rule rule_for(const ports::session_attendee& a) const;

  // The reminders of one attendee, per the matching rule: one per lead time (see
  // domain::plan_reminders for late ones), on the rule's first channel the attendee can be
  // reached on, the others kept as fallbacks; moved or dropped by quiet hours. None when the
  // session has started or no channel is allowed (no address, no consent, opted out).
  std::vector<ports::new_message> reminders(const ports::session_attendee& a, ports::sys_seconds now,
                                            bool late_fallback = true) const;

  // The notice of a cancelled ("cancelled") or moved ("moved") session, due now (quiet hours do
  // not hold back news of a change).
  std::vector<ports::new_message> notices(const std::string& kind, const ports::session_context& before,
                                          const ports::session_context& after,
                                          const std::vector<ports::session_attendee>& attendees,
                                          ports::sys_seconds now) const;

  // An SMS answer to an inbound message (kinds opt_out, opt_in, help, confirmed, declined),
  // due now. `session_when` fills {date} and {time} for confirmed/declined.
  std::optional<ports::new_message> sms_reply(const std::string& kind, const reply_recipient& to,
                                              const std::string& dedupe, ports::sys_seconds now,
                                              std::optional<ports::sys_seconds> session_when = std::nullopt,
                                              const std::string& zone = "UTC") const;

  // The channels (in the rule's order) `a` can be reached on, with `kind`'s text rendered.
  std::vector<delivery_choice> choices(const ports::session_attendee& a, const std::vector<std::string>& channels,
                                       const std::string& template_set, const std::string& kind,
                                       const domain::placeholder_values& extra) const;

 private:
  struct state {
    composer_settings settings;
    domain::template_catalog catalog;
  };
  std::vector<delivery_choice> choices(const state& st, const ports::session_attendee& a,
                                       const std::vector<std::string>& channels, const std::string& template_set,
                                       const std::string& kind, const domain::placeholder_values& extra) const;
  std::atomic<std::shared_ptr<const state>> state_;
};

// The part of a message's dedupe key naming its recipient: the client, or one of the client's
// family contacts ("12f3").
std::string recipient_key(const ports::session_attendee& attendee);

// "Tue Nov 24" and "6:00 PM" in `zone`.
std::string local_date_text(const std::string& zone, ports::sys_seconds instant);
std::string local_time_text(const std::string& zone, ports::sys_seconds instant);

// A JSON array of fallbacks, for new_message::alternatives.
std::string alternatives_json(const std::vector<delivery_choice>& choices, std::size_t from);

}  // namespace rollcall::services
