#include "rollcall/delivery/providers.hpp"

#include <stdexcept>

#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "rollcall/delivery/form.hpp"
#include "rollcall/delivery/signing.hpp"

namespace rollcall::delivery {

namespace net = boost::asio;
namespace json = boost::json;

namespace {

provider_result not_sendable(std::string error) {
  provider_result out;
  out.error = std::move(error);
  out.permanent = true;
  return out;
}

// The outcome of an HTTP exchange; the provider fills in its id and error details.
provider_result result_of(const http_response& res) {
  provider_result out;
  out.outcome.http_status = res.status;
  out.outcome.retry_after = res.retry_after;
  if (res.status == 0) {
    out.error = res.error;
  } else if (res.status >= 300) {
    out.error = "HTTP ";
    out.error += std::to_string(res.status);
  }
  return out;
}

std::string header_value(const http_response& res, std::string_view lower_name) {
  for (const auto& [name, value] : res.headers)
    if (name == lower_name) return value;
  return {};
}

std::string base_url(const std::string& url) {
  std::string base = url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

// A JSON object in the body, or nullptr (no body, not JSON, not an object).
std::optional<json::object> json_object_of(const std::string& body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

class webhook_provider final : public provider {
 public:
  webhook_provider(provider_settings s, http_client& client, const ports::clock& clock)
      : settings_(std::move(s)), client_(client), clock_(clock) {}
  const provider_settings& settings() const override { return settings_; }

  net::awaitable<provider_result> send(const outbound_message& m) override {
    if (settings_.url.empty()) co_return not_sendable("no webhook URL configured");
    auto key = decode_webhook_secret(settings_.secret);
    if (!key) co_return not_sendable("no valid signing secret configured");
    auto body = webhook_payload(m);
    if (!body) co_return not_sendable("payload is not a JSON object");
    const auto ts = std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
    http_request req;
    req.url = settings_.url;
    req.headers = {{"webhook-id", m.message_id},
                   {"webhook-timestamp", std::to_string(ts)},
                   {"webhook-signature", sign_webhook(*key, m.message_id, ts, *body)}};
    req.body = std::move(*body);
    req.timeout = settings_.timeout;
    auto op = client_.send(req);
    const auto res = co_await std::move(op);
    auto out = result_of(res);
    if (res.status >= 200 && res.status < 300) out.provider_message_id = m.message_id;
    co_return out;
  }

 private:
  provider_settings settings_;
  http_client& client_;
  const ports::clock& clock_;
};

// A chat incoming webhook (Slack-compatible): the payload as it is ({"text": ...}), unsigned;
// the URL itself is the credential.
class chat_provider final : public provider {
 public:
  chat_provider(provider_settings s, http_client& client) : settings_(std::move(s)), client_(client) {}
  const provider_settings& settings() const override { return settings_; }

  net::awaitable<provider_result> send(const outbound_message& m) override {
    if (settings_.url.empty()) co_return not_sendable("no chat webhook URL");
    http_request req;
    req.url = settings_.url;
    req.body = m.payload_json;
    req.timeout = settings_.timeout;
    auto op = client_.send(req);
    const auto res = co_await std::move(op);
    co_return result_of(res);
  }

 private:
  provider_settings settings_;
  http_client& client_;
};

class twilio_provider final : public provider {
 public:
  explicit twilio_provider(provider_settings s, http_client& client) : settings_(std::move(s)), client_(client) {}
  const provider_settings& settings() const override { return settings_; }

  net::awaitable<provider_result> send(const outbound_message& m) override {
    if (settings_.url.empty() || settings_.account_sid.empty() || settings_.auth_token.empty())
      co_return not_sendable("twilio account not configured");
    if (settings_.from.empty() && settings_.messaging_service_sid.empty())
      co_return not_sendable("twilio sender not configured");
    form_fields fields{{"To", m.to}};
    // Twilio picks the sender from the messaging service when one is given; sending both is
    // allowed by the API but ambiguous, so only the service goes.
    if (!settings_.messaging_service_sid.empty())
      fields.emplace_back("MessagingServiceSid", settings_.messaging_service_sid);
    else
      fields.emplace_back("From", settings_.from);
    fields.emplace_back("Body", m.text);
    // Our message id rides in the callback URL (Twilio signs the whole URL), so a receipt that
    // arrives before the send is recorded (or after a send that timed out here but went out)
    // still finds its message.
    if (!settings_.status_callback_url.empty()) {
      std::string callback = settings_.status_callback_url;
      callback += callback.find('?') == std::string::npos ? "?message_id=" : "&message_id=";
      callback += m.message_id;
      fields.emplace_back("StatusCallback", std::move(callback));
    }

    http_request req;
    req.url = base_url(settings_.url);
    req.url += "/2010-04-01/Accounts/";
    req.url += boost::urls::encode(settings_.account_sid, boost::urls::unreserved_chars);
    req.url += "/Messages.json";
    req.content_type = "application/x-www-form-urlencoded";
    std::string credentials = settings_.account_sid;
    credentials += ':';
    credentials += settings_.auth_token;
    std::string authorization = "Basic ";
    authorization += base64_encode(credentials);
    // Twilio documents this header for its webhooks' retries; harmless where it is ignored.
    req.headers = {{"Authorization", std::move(authorization)}, {"I-Twilio-Idempotency-Token", m.message_id}};
    req.body = form_encode(fields);
    req.timeout = settings_.timeout;
    auto op = client_.send(req);
    const auto res = co_await std::move(op);
    auto out = result_of(res);
    if (res.status == 0) co_return out;
    const auto body = json_object_of(res.body);
    if (res.status >= 200 && res.status < 300) {
      if (body)
        if (const auto* sid = body->if_contains("sid"); sid && sid->is_string())
          out.provider_message_id = std::string{sid->as_string()};
    } else if (body) {
      // {"code": 21610, "message": "...", "status": 400}. The message may quote the number: dropped.
      if (const auto* code = body->if_contains("code"); code && code->is_int64()) {
        out.provider_error_code = code->as_int64();
        out.error = "twilio error ";
        out.error += std::to_string(out.provider_error_code);
      }
    }
    co_return out;
  }

 private:
  provider_settings settings_;
  http_client& client_;
};

class sendgrid_provider final : public provider {
 public:
  explicit sendgrid_provider(provider_settings s, http_client& client) : settings_(std::move(s)), client_(client) {}
  const provider_settings& settings() const override { return settings_; }

  net::awaitable<provider_result> send(const outbound_message& m) override {
    if (settings_.url.empty() || settings_.api_key.empty() || settings_.from_email.empty())
      co_return not_sendable("sendgrid not configured");
    json::object from{{"email", settings_.from_email}};
    if (!settings_.from_name.empty()) from["name"] = settings_.from_name;
    json::object personalization{{"to", json::array{json::object{{"email", m.to}}}},
                                 {"custom_args", json::object{{"message_id", m.message_id}}}};
    json::object mail{{"personalizations", json::array{std::move(personalization)}},
                      {"from", std::move(from)},
                      {"subject", m.subject},
                      {"content", json::array{json::object{{"type", "text/plain"}, {"value", m.text}}}}};

    http_request req;
    req.url = base_url(settings_.url);
    req.url += "/v3/mail/send";
    std::string authorization = "Bearer ";
    authorization += settings_.api_key;
    req.headers = {{"Authorization", std::move(authorization)}};
    req.body = json::serialize(mail);
    req.timeout = settings_.timeout;
    auto op = client_.send(req);
    const auto res = co_await std::move(op);
    auto out = result_of(res);
    if (res.status >= 200 && res.status < 300) out.provider_message_id = header_value(res, "x-message-id");
    co_return out;
  }

 private:
  provider_settings settings_;
  http_client& client_;
};

}  // namespace

std::optional<std::string> webhook_payload(const outbound_message& m) {
  auto payload = json_object_of(m.payload_json);
  if (!payload) return std::nullopt;
  (*payload)["message_id"] = m.message_id;
  return json::serialize(*payload);
}

std::unique_ptr<provider> make_provider(provider_settings s, http_client& client, const ports::clock& clock) {
  if (s.type == "webhook") return std::make_unique<webhook_provider>(std::move(s), client, clock);
  if (s.type == "twilio") return std::make_unique<twilio_provider>(std::move(s), client);
  if (s.type == "chat") return std::make_unique<chat_provider>(std::move(s), client);
  if (s.type == "sendgrid") return std::make_unique<sendgrid_provider>(std::move(s), client);
  throw std::invalid_argument("unknown provider type");
}

}  // namespace rollcall::delivery
