// The messaging SQL (sql_messaging.cpp): fallbacks, opt-outs, receipts, inbound SMS, replies
// and the message history staff see. Prepared with the rest by sql::prepare_all.
#pragma once

#include <pqxx/connection>

namespace rollcall::store::sql {

inline constexpr const char* message_for_failover = "message_for_failover";
inline constexpr const char* client_alert_context = "client_alert_context";
inline constexpr const char* cancel_message = "cancel_message";
inline constexpr const char* unreachable_due = "unreachable_due";
inline constexpr const char* insert_opt_out = "insert_opt_out";
inline constexpr const char* delete_opt_out = "delete_opt_out";
inline constexpr const char* pending_to_address = "pending_to_address";
inline constexpr const char* receipt_by_provider_id = "receipt_by_provider_id";
inline constexpr const char* receipt_by_message_id = "receipt_by_message_id";
inline constexpr const char* set_provider_status = "set_provider_status";
inline constexpr const char* set_provider_message_id = "set_provider_message_id";
inline constexpr const char* insert_inbound = "insert_inbound";
inline constexpr const char* update_inbound = "update_inbound";
inline constexpr const char* client_by_phone = "client_by_phone";
inline constexpr const char* contact_by_phone = "contact_by_phone";
inline constexpr const char* opted_out = "opted_out";
inline constexpr const char* next_session_of_client = "next_session_of_client";
inline constexpr const char* home_site_of_client = "home_site_of_client";
inline constexpr const char* insert_session_reply = "insert_session_reply";
inline constexpr const char* checkin_session_of_client = "checkin_session_of_client";
inline constexpr const char* insert_sms_checkin = "insert_sms_checkin";
inline constexpr const char* messages_of_client = "messages_of_client";
inline constexpr const char* dead_letters = "dead_letters";
inline constexpr const char* message_by_id = "message_by_id";
inline constexpr const char* attempts_of_messages = "attempts_of_messages";
inline constexpr const char* replay_message = "replay_message";
inline constexpr const char* contact_state = "contact_state";
inline constexpr const char* set_consent = "set_consent";
inline constexpr const char* snapshot_client_messaging = "snapshot_client_messaging";

void prepare_messaging(pqxx::connection& c);

}  // namespace rollcall::store::sql
