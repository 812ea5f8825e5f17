#include "rollcall/services/inbound.hpp"

#include "rollcall/domain/sms_reply.hpp"
#include "rollcall/services/staff_alerts.hpp"

namespace rollcall::services {

ports::inbound_actions decide_inbound(const composer& c, const ports::inbound_sms& message,
                                      const ports::inbound_sender& sender, ports::sys_seconds now) {
  ports::inbound_actions out;
  const auto intent = domain::parse_sms_reply(message.body, sender.opted_out);
  out.intent = std::string{domain::to_string(intent)};
  if (!sender.known) return out;
  reply_recipient to{sender.client_id, sender.family_contact_id, sender.first_name, message.from,
                     sender.language,  sender.site_name,         sender.site_phone};
  const auto dedupe = "reply:" + message.provider + ":" + message.provider_message_id;
  auto reply = [&](const char* kind, std::optional<ports::sys_seconds> when = std::nullopt) {
    if (auto m = c.sms_reply(kind, to, dedupe, now, when, sender.time_zone)) out.messages.push_back(std::move(*m));
  };
  const bool client = sender.family_contact_id == 0;
  switch (intent) {
    case domain::sms_intent::opt_out:
      out.opt_out = true;
      reply("opt_out");  // sent only if the number was not opted out already (the store checks)
      break;
    case domain::sms_intent::opt_in:
      out.opt_in = true;
      reply("opt_in");
      break;
    case domain::sms_intent::help:
      reply("help");  // answered even when opted out (carriers require it)
      break;
    case domain::sms_intent::confirm:
    case domain::sms_intent::decline:
      // A number several clients share cannot say whose session it is about.
      if (!client || !sender.next_session_id || sender.shared_number) break;
      out.session_reply = intent == domain::sms_intent::confirm ? "confirmed" : "declined";
      // An opted-out number hears nothing back; the reply is still recorded.
      if (!sender.opted_out) reply(out.session_reply.c_str(), sender.next_session_starts_at);
      break;
    case domain::sms_intent::check_in:
      // Recorded as present (source sms) when a session of theirs starts about now; no reply.
      out.check_in = client && !sender.shared_number && sender.checkin_session_id.has_value();
      break;
    case domain::sms_intent::unknown:
      break;
  }
  return out;
}

ports::task<ports::inbound_result> inbound_service::handle(const ports::inbound_sms& original) {
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  ports::inbound_sms message = original;
  message.checkin = checkin_;
  message.checkin_before = before_;
  message.checkin_after = after_;
  const ports::inbound_decider decide = [this, &message, now](const ports::inbound_sender& sender) {
    return decide_inbound(composer_, message, sender, now);
  };
  const ports::client_alert_maker alerts = [](const ports::client_alert& a) { return client_alert_messages(a); };
  co_return co_await store_.handle_inbound(message, decide, alerts);
}

}  // namespace rollcall::services
