#include "rollcall/domain/messages.hpp"

namespace rollcall::domain {

std::string format_local_date(const date::time_zone& zone, std::chrono::sys_seconds instant) {
  return date::format("%a %b %d", date::floor<date::days>(zone.to_local(instant)));
}

std::string format_local_time(const date::time_zone& zone, std::chrono::sys_seconds instant) {
  const auto local = zone.to_local(instant);
  const date::hh_mm_ss<std::chrono::seconds> tod{local - date::floor<date::days>(local)};
  const auto hours = tod.hours().count();
  std::string out = std::to_string(hours % 12 == 0 ? 12 : hours % 12);
  out += tod.minutes().count() < 10 ? ":0" : ":";
  out += std::to_string(tod.minutes().count());
  out += hours < 12 ? " AM" : " PM";
  return out;
}

std::string format_local_when(const date::time_zone& zone, std::chrono::sys_seconds instant) {
  auto out = date::format("%a ", date::floor<date::days>(zone.to_local(instant)));
  out += format_local_time(zone, instant);
  return out;
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
