#include "rollcall/domain/messages.hpp"

namespace rollcall::domain {

std::string format_local_when(const date::time_zone& zone, std::chrono::sys_seconds instant) {
  const auto local = zone.to_local(instant);
  const auto day = date::floor<date::days>(local);
  const date::hh_mm_ss<std::chrono::seconds> tod{local - day};
  const auto hours = tod.hours().count();
  const int h12 = hours % 12 == 0 ? 12 : static_cast<int>(hours % 12);
  return date::format("%a ", day) + std::to_string(h12) + ":" + (tod.minutes().count() < 10 ? "0" : "") +
         std::to_string(tod.minutes().count()) + (hours < 12 ? " AM" : " PM");
}

std::string render_reminder(const reminder_text_input& in) {
  return "Hi " + std::string{in.first_name} + ", reminder: " + in.local_when + " at " + std::string{in.site_name} +
         ". Reply C to confirm, N if you can't make it. STOP to opt out.";
}

std::string render_cancellation_notice(std::string_view first_name, std::string_view site_name,
                                       const std::string& local_when) {
  return "Hi " + std::string{first_name} + ", update: " + local_when + " at " + std::string{site_name} +
         " is cancelled. STOP to opt out.";
}

std::string render_change_notice(std::string_view first_name, std::string_view site_name, const std::string& old_when,
                                 const std::string& new_when) {
  return "Hi " + std::string{first_name} + ", update: " + old_when + " at " + std::string{site_name} + " is now " +
         new_when + ". Reply C to confirm, N if you can't make it. STOP to opt out.";
}

std::string render_missed_alert(const missed_alert_text_input& in) {
  return "Missed session: " + std::string{in.client_first_name} + " (client " + std::to_string(in.client_id) +
         ") was not marked present at " + std::string{in.group_name} + ", " + in.local_when + " at " +
         std::string{in.site_name} + ".";
}

std::string render_missed_alert_minimal(long long client_id, const std::string& local_when) {
  return "rollcall: client " + std::to_string(client_id) + " was not marked present at the " + local_when +
         " session. Details in rollcall.";
}

}  // namespace rollcall::domain
