#include "rollcall/http/api_messaging.hpp"

#include <spdlog/spdlog.h>

#include "rollcall/delivery/form.hpp"
#include "rollcall/delivery/signing.hpp"
#include "rollcall/http/api_internal.hpp"
#include "rollcall/services/staff_alerts.hpp"

namespace rollcall::http {

namespace {

json::value nullable_time(const std::optional<std::chrono::sys_seconds>& t) {
  return t ? json::value(iso_utc(*t)) : json::value(nullptr);
}

json::object to_json(const ports::message_view& m) {
  json::array history;
  for (const auto& a : m.history)
    history.push_back(
        json::object{{"at", iso_utc(a.at)},
                     {"http_status", a.http_status == 0 ? json::value(nullptr) : json::value(a.http_status)},
                     {"error", a.error},
                     {"provider", a.provider},
                     {"provider_message_id", a.provider_message_id},
                     {"elapsed_ms", a.elapsed_ms}});
  const auto id_or_null = [](const std::optional<ports::id_t>& v) {
    return v ? json::value(*v) : json::value(nullptr);
  };
  return {{"id", m.id},
          {"message_id", m.message_id},
          {"kind", m.kind},
          {"channel", m.channel},
          {"to", m.recipient},
          {"status", m.status},
          {"text", m.text},
          {"due_at", iso_utc(m.due_at)},
          {"delivered_at", nullable_time(m.delivered_at)},
          {"attempts", m.attempts},
          {"last_error", m.last_error},
          {"provider", m.provider},
          {"provider_message_id", m.provider_message_id},
          {"provider_status", m.provider_status},
          {"client_id", id_or_null(m.client_id)},
          {"session_id", id_or_null(m.session_id)},
          {"fallback_of", id_or_null(m.fallback_of)},
          {"history", std::move(history)}};
}

json::object to_json(const ports::contact_state& s) {
  return {{"sms", json::object{{"consent", s.sms_consent}, {"opted_out_at", nullable_time(s.sms_opted_out_at)}}},
          {"email", json::object{{"consent", s.email_consent}, {"opted_out_at", nullable_time(s.email_opted_out_at)}}}};
}

// ?limit= (1-500, default 100) and ?before= (an id) for newest-first lists.
bool read_window(const request& req, int& limit, ports::id_t& before, field_errors& bad) {
  limit = 100;
  before = 0;
  if (auto l = query_param(req, "limit"); !l.empty()) {
    try {
      std::size_t used = 0;
      limit = std::stoi(l, &used);
      if (used != l.size() || limit < 1 || limit > 500) throw std::out_of_range{"limit"};
    } catch (const std::exception&) {
      bad.push_back({"limit", "must be a whole number from 1 to 500"});
    }
  }
  if (auto b = query_param(req, "before"); !b.empty()) {
    try {
      std::size_t used = 0;
      before = std::stoll(b, &used);
      if (used != b.size() || before < 1) throw std::out_of_range{"before"};
    } catch (const std::exception&) {
      bad.push_back({"before", "must be a message id"});
    }
  }
  return bad.empty();
}

using mtask = boost::asio::awaitable<response>;

// GET /v1/clients/{id}/messages?limit=&before=
mtask client_messages(messaging_deps d, request_context& ctx) {
  field_errors bad;
  int limit = 0;
  ports::id_t before = 0;
  if (!read_window(ctx.req, limit, before, bad)) co_return ctx.fail(st::bad_request, "Invalid query", bad);
  auto messages = co_await d.store.messages_of_client(ctx.ids[0], limit, before);
  if (!messages) co_return ctx.fail(st::not_found, "Not found", {}, "no such client");
  auto contact = co_await d.store.contact_state_of(ctx.ids[0]);
  json::array out;
  for (const auto& m : *messages) out.push_back(to_json(m));
  json::object body{{"messages", std::move(out)}, {"contact", contact ? to_json(*contact) : json::object{}}};
  if (!messages->empty() && static_cast<int>(messages->size()) == limit) body["next_before"] = messages->back().id;
  co_return ctx.json(st::ok, body);
}

// PUT /v1/clients/{id}/messaging {sms_consent?, email_consent?}
mtask set_messaging(messaging_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  const auto sms = in.optional_bool("sms_consent");
  const auto email = in.optional_bool("email_consent");
  in.reject_unknown_fields();
  if (in.ok() && !sms && !email) in.add_error("sms_consent", "give sms_consent or email_consent");
  if (!in.ok()) co_return invalid(ctx, in);
  auto out = co_await d.store.set_consent(ctx.ids[0], sms, email, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

// GET /v1/dead-letters?limit=&before=
mtask dead_letters(messaging_deps d, request_context& ctx) {
  field_errors bad;
  int limit = 0;
  ports::id_t before = 0;
  if (!read_window(ctx.req, limit, before, bad)) co_return ctx.fail(st::bad_request, "Invalid query", bad);
  auto messages = co_await d.store.dead_letters(limit, before);
  json::array out;
  for (const auto& m : messages) out.push_back(to_json(m));
  json::object body{{"messages", std::move(out)}};
  if (!messages.empty() && static_cast<int>(messages.size()) == limit) body["next_before"] = messages.back().id;
  co_return ctx.json(st::ok, body);
}

// POST /v1/messages/{id}/replay
mtask replay(messaging_deps d, request_context& ctx) {
  auto out = co_await d.store.replay(ctx.ids[0], ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

const hook_provider* provider_named(const messaging_deps& d, const std::string& name) {
  for (const auto& p : *d.providers)
    if (p.name == name) return &p;
  return nullptr;
}

std::string header(const request& req, std::string_view name) {
  auto it = req.find(name);
  return it == req.end() ? std::string{} : std::string{it->value()};
}

// The URL Twilio signed: the configured public one, else what this request says it is.
std::string called_url(const hook_provider& p, const request& req) {
  std::string base = p.public_url;
  if (base.empty()) {
    base = "http://";
    base += header(req, "Host");
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  base += std::string_view{req.target()};
  return base;
}

struct verified {
  bool ok = false;
  bool twilio = false;  // a Twilio form (else a webhook provider's JSON)
  response rejection;
  std::vector<std::pair<std::string, std::string>> form;  // twilio
  json::object body;                                      // webhook
};

// 404 for an unknown provider, 401 without a signature, 403 with a wrong one, 400 for a body
// that cannot be read. Nothing is changed unless the signature holds.
verified verify(const messaging_deps& d, request_context& ctx) {
  verified v;
  const auto* p = provider_named(d, ctx.token);
  if (!p) {
    v.rejection = ctx.fail(st::not_found, "Not found");
    return v;
  }
  const auto& body = ctx.req.body();
  if (p->type == "twilio") {
    const auto signature = header(ctx.req, "X-Twilio-Signature");
    if (signature.empty()) {
      v.rejection = ctx.fail(st::unauthorized, "Unauthorized", {}, "X-Twilio-Signature is required");
      return v;
    }
    auto form = delivery::form_decode(body);
    if (!form || !delivery::verify_twilio(p->auth_token, called_url(*p, ctx.req), *form, signature)) {
      v.rejection = ctx.fail(st::forbidden, "Forbidden", {}, "the signature does not match");
      return v;
    }
    v.form = std::move(*form);
    v.twilio = true;
  } else {
    const auto id = header(ctx.req, "webhook-id");
    const auto ts = header(ctx.req, "webhook-timestamp");
    const auto sig = header(ctx.req, "webhook-signature");
    if (id.empty() || ts.empty() || sig.empty()) {
      v.rejection = ctx.fail(st::unauthorized, "Unauthorized", {},
                             "webhook-id, webhook-timestamp and webhook-signature are required");
      return v;
    }
    const auto key = delivery::decode_webhook_secret(p->secret);
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(d.clock.now().time_since_epoch()).count();
    if (!key || !delivery::verify_webhook(*key, id, ts, body, sig, now)) {
      v.rejection = ctx.fail(st::forbidden, "Forbidden", {}, "the signature does not match");
      return v;
    }
    boost::system::error_code ec;
    auto parsed = json::parse(body, ec);
    if (ec || !parsed.is_object()) {
      v.rejection = ctx.fail(st::bad_request, "Invalid request", {{"body", "must be a JSON object"}});
      return v;
    }
    v.body = std::move(parsed.as_object());
  }
  v.ok = true;
  return v;
}

std::string form_value(const std::vector<std::pair<std::string, std::string>>& form, std::string_view name) {
  for (const auto& [k, v] : form)
    if (k == name) return v;
  return {};
}

std::string string_field(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  return v && v->is_string() ? std::string{v->as_string()} : std::string{};
}

response empty_twiml(const request_context& ctx) {
  response res{st::ok, ctx.req.version()};
  res.set(beast_http::field::content_type, "text/xml");
  res.keep_alive(ctx.req.keep_alive());
  res.body() = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";
  res.prepare_payload();
  return res;
}

// POST /hooks/{provider}/status: Twilio's status callback (form: MessageSid, MessageStatus,
// ErrorCode) or a webhook provider's signed JSON {message_id, status, error_code?}.
mtask receipt(messaging_deps d, request_context& ctx) {
  auto v = verify(d, ctx);
  if (!v.ok) co_return std::move(v.rejection);
  ports::delivery_receipt r;
  r.provider = ctx.token;
  if (v.twilio) {
    // Our id, from the StatusCallback URL we gave; Twilio's MessageSid otherwise.
    r.message_id = query_param(ctx.req, "message_id");
    r.provider_message_id = form_value(v.form, "MessageSid");
    r.status = form_value(v.form, "MessageStatus");
    r.error_code = form_value(v.form, "ErrorCode");
  } else {
    r.message_id = string_field(v.body, "message_id");
    r.status = string_field(v.body, "status");
    r.error_code = string_field(v.body, "error_code");
  }
  field_errors bad;
  if (r.provider_message_id.empty() && r.message_id.empty()) bad.push_back({"message_id", "is required"});
  if (r.status.empty()) bad.push_back({"status", "is required"});
  if (!bad.empty()) co_return ctx.fail(st::unprocessable_entity, "Invalid request", bad);
  const ports::client_alert_maker alerts = [](const ports::client_alert& a) {
    return services::client_alert_messages(a);
  };
  const auto result = co_await d.store.apply_receipt(r, alerts);
  if (result == ports::receipt_result::unknown_message)
    spdlog::info("receipt from {}: no message with that id (ignored)", r.provider);
  co_return ctx.json(st::ok,
                     json::object{{"result", result == ports::receipt_result::updated     ? "updated"
                                             : result == ports::receipt_result::unchanged ? "unchanged"
                                                                                          : "unknown_message"}});
}

// POST /hooks/{provider}/inbound: Twilio's incoming message (form: From, Body, MessageSid) or a
// webhook provider's signed JSON {id, from, text}.
mtask inbound(messaging_deps d, request_context& ctx) {
  auto v = verify(d, ctx);
  if (!v.ok) co_return std::move(v.rejection);
  ports::inbound_sms m;
  m.provider = ctx.token;
  const bool twilio = v.twilio;
  if (twilio) {
    m.provider_message_id = form_value(v.form, "MessageSid");
    m.from = form_value(v.form, "From");
    m.body = form_value(v.form, "Body");
  } else {
    m.provider_message_id = string_field(v.body, "id");
    m.from = string_field(v.body, "from");
    m.body = string_field(v.body, "text");
  }
  field_errors bad;
  if (m.provider_message_id.empty()) bad.push_back({twilio ? "MessageSid" : "id", "is required"});
  if (m.from.empty()) bad.push_back({twilio ? "From" : "from", "is required"});
  if (!bad.empty()) co_return ctx.fail(st::unprocessable_entity, "Invalid request", bad);
  const auto result = co_await d.inbound.handle(m);
  // Ids and the meaning only: never the number or the text.
  if (result.duplicate)
    spdlog::info("inbound from {}: a message already handled (ignored)", m.provider);
  else if (!result.known_sender)
    spdlog::info("inbound from {}: unknown sender (ignored)", m.provider);
  else
    spdlog::info("inbound from {}: {}", m.provider, result.intent);
  if (twilio) co_return empty_twiml(ctx);
  co_return ctx.json(st::ok, json::object{{"intent", result.intent}, {"known_sender", result.known_sender}});
}

}  // namespace

void register_messaging_routes(router& r, messaging_deps d) {
  using v = beast_http::verb;
  auto bind = [d](mtask (*fn)(messaging_deps, request_context&)) -> handler {
    return [d, fn](request_context& ctx) { return fn(d, ctx); };
  };
  r.add(v::get, "/v1/clients/{id}/messages", true, bind(client_messages));
  r.add(v::put, "/v1/clients/{id}/messaging", true, bind(set_messaging));
  r.add(v::get, "/v1/dead-letters", true, bind(dead_letters));
  r.add(v::post, "/v1/messages/{id}/replay", true, bind(replay));
  r.add(v::post, "/hooks/{token}/status", false, bind(receipt));
  r.add(v::post, "/hooks/{token}/inbound", false, bind(inbound));
}

}  // namespace rollcall::http
