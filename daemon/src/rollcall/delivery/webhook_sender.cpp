#include "rollcall/delivery/webhook_sender.hpp"

#include <boost/json.hpp>

#include "rollcall/delivery/signing.hpp"

namespace rollcall::delivery {

std::string webhook_body(const ports::claimed_message& m) {
  auto payload = boost::json::parse(m.payload).as_object();
  payload["message_id"] = m.message_id;
  return boost::json::serialize(payload);
}

ports::task<ports::send_result> webhook_sender::deliver(const ports::claimed_message& m) {
  const bool to_staff = m.target == "staff_webhook";
  const std::string& url = to_staff ? m.target_url : settings_.provider_url;
  const std::string& secret =
      to_staff && !settings_.alert_secret.empty() ? settings_.alert_secret : settings_.provider_secret;
  if (url.empty()) co_return ports::send_result{{}, "no webhook URL configured"};
  auto key = decode_webhook_secret(secret);
  if (!key) co_return ports::send_result{{}, "no valid signing secret configured"};

  std::string body = webhook_body(m);
  const auto ts = std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
  header_list headers{{"webhook-id", m.message_id},
                      {"webhook-timestamp", std::to_string(ts)},
                      {"webhook-signature", sign_webhook(*key, m.message_id, ts, body)}};
  auto res = co_await client_.post(url, headers, body, settings_.timeout);
  ports::send_result out;
  out.outcome.http_status = res.status;
  out.outcome.retry_after = res.retry_after;
  out.error = res.status == 0 ? res.error : (res.status >= 300 ? "HTTP " + std::to_string(res.status) : "");
  co_return out;
}

}  // namespace rollcall::delivery
