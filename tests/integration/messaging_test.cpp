// Messaging on the real binary: Twilio- and SendGrid-shaped providers on a local test server
// that answers 200/201, 429, 5xx, hangs or drops the connection; the retry schedule, dead
// letters with their alert and replay, fallback to email, signed receipts, inbound SMS (STOP,
// START, C, N), quiet hours, reminder rules, consent, rate limits and keep-alive.
#include <csignal>
#include <fstream>
#include <thread>

#include <pqxx/pqxx>

#include "clinic_fixture.hpp"
#include "rollcall/delivery/form.hpp"
#include "rollcall/delivery/signing.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using form = std::vector<std::pair<std::string, std::string>>;

constexpr const char* twilio_token = "twilio-auth-token-for-tests";
constexpr const char* twilio_path = "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json";
constexpr const char* sendgrid_path = "/v3/mail/send";
constexpr const char* client_phone = "+15550004444";
constexpr const char* client_email = "kim@example.org";

scripted_reply twilio_created(const std::string& sid) {
  scripted_reply r;
  r.status = 201;
  r.headers = {{"Content-Type", "application/json"}};
  r.body = R"({"sid": ")" + sid + R"(", "status": "queued"})";
  return r;
}
scripted_reply status(int code, std::vector<std::pair<std::string, std::string>> headers = {}) {
  scripted_reply r;
  r.status = code;
  r.headers = std::move(headers);
  return r;
}
scripted_reply behaviour(scripted_reply::kind k) {
  scripted_reply r;
  r.what = k;
  return r;
}

std::string form_value(const std::string& body, const std::string& name) {
  auto fields = delivery::form_decode(body);
  if (fields)
    for (const auto& [k, v] : *fields)
      if (k == name) return v;
  return {};
}

class messaging_test : public clinic_test {
 protected:
  // Twilio ("tw", SMS) and SendGrid ("sg", email) both on this test's sink.
  std::string providers(const std::string& twilio_extra = "") const {
    return "[[providers]]\nname = \"tw\"\ntype = \"twilio\"\nurl = \"" + sink.url("") +
           "\"\naccount_sid = \"AC0123456789abcdef0123456789abcdef\"\nauth_token = \"" + twilio_token +
           "\"\nfrom = \"+15550000000\"\npublic_url = \"https://rollcall.example.org\"\nallow_http = true\n" +
           twilio_extra + "\n[[providers]]\nname = \"sg\"\ntype = \"sendgrid\"\nurl = \"" + sink.url("") +
           "\"\napi_key = \"SG.test-key\"\nfrom_email = \"reminders@example.org\"\nallow_http = true\n\n";
  }

  void start(clinic_settings s) {
    s.webhook_delivery = false;
    // extra_toml continues the Twilio provider's table (rate_limit = ...) or opens new tables.
    s.extra_toml = providers(s.extra_toml);
    start_daemon(s);
  }

  struct clinic {
    std::int64_t site = 0, counselor = 0, client = 0, group = 0;
  };
  // A UTC site, a counselor with an alert webhook, and a client (phone and/or email) placed in
  // a daily group starting at `start`.
  clinic make_clinic(std::chrono::sys_seconds start, bool phone = true, bool email = false,
                     const std::string& site_name = "Eastside") {
    clinic c;
    c.site = create("/v1/sites", {{"name", site_name}, {"time_zone", "UTC"}, {"phone", "+15550001234"}});
    c.counselor = create("/v1/staff", {{"name", "Dana"}, {"alert_webhook_url", sink.url("/alerts/dana")}});
    json::object client{{"first_name", "Kim"}};
    if (phone) client["phone"] = client_phone;
    if (email) client["email"] = client_email;
    c.client = create("/v1/clients", client);
    c.group = create("/v1/groups", {{"site_id", c.site},
                                    {"name", "Evening"},
                                    {"slot", "evening"},
                                    {"weekdays", json::array{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                                    {"start_time", local_time("UTC", start)},
                                    {"end_time", local_end("UTC", start)}});
    create("/v1/enrollments", {{"client_id", c.client},
                               {"group_id", c.group},
                               {"counselor_id", c.counselor},
                               {"start_date", local_date("UTC", start - 24h)}});
    return c;
  }

  std::string outbox(const std::string& column, const std::string& where) const {
    return scalar("SELECT " + column + " FROM outbox WHERE " + where + " ORDER BY id LIMIT 1");
  }

  // Twilio's POST to one of our hooks, signed as Twilio signs it (or not, or wrongly).
  api_response twilio_post(const std::string& hook, const form& fields, const std::string& token = twilio_token,
                           bool sign = true) const {
    // `hook` may carry a query string: Twilio signs the whole URL.
    const auto url = "https://rollcall.example.org/hooks/tw/" + hook;
    std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/x-www-form-urlencoded"}};
    if (sign) headers.push_back({"X-Twilio-Signature", delivery::twilio_signature(token, url, fields)});
    return daemon->request("POST", "/hooks/tw/" + hook, delivery::form_encode(fields), std::nullopt, headers);
  }

  api_response text_from(const std::string& from, const std::string& body, const std::string& sid) const {
    return twilio_post("inbound", {{"AccountSid", "AC0123456789abcdef0123456789abcdef"},
                                   {"Body", body},
                                   {"From", from},
                                   {"MessageSid", sid},
                                   {"To", "+15550000000"}});
  }

  json::array messages_of(std::int64_t client) const {
    auto res = daemon->get("/v1/clients/" + std::to_string(client) + "/messages");
    EXPECT_EQ(res.status, 200) << res.body;
    return res.status == 200 ? res.json().at("messages").as_array() : json::array{};
  }

  // The client's message with this outbox id, as the API lists it.
  json::object message_of(std::int64_t client, const std::string& id) const {
    for (const auto& m : messages_of(client))
      if (std::to_string(m.at("id").as_int64()) == id) return m.as_object();
    ADD_FAILURE() << "message " << id << " is not listed";
    return {};
  }

  std::vector<received_request> alerts() const { return at(sink.requests(), "/alerts/dana"); }
  std::vector<received_request> sms_sent() const { return at(sink.requests(), twilio_path); }
};

TEST_F(messaging_test, honours_a_longer_retry_after_and_shows_every_attempt) {
  sink.script({status(429, {{"Retry-After", "7"}}), twilio_created("SMretry1")});
  start({.lead_times = R"(["1h"])"});
  const auto c = make_clinic(starting_in(30min));  // the 1h lead has passed: one reminder, now

  const std::string mine = "client_id = " + std::to_string(c.client) + " AND kind = 'reminder'";
  ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM delivery_attempts") >= 1; }, 30s)) << daemon->log();
  const auto gap = [&](int attempt) {
    return std::stod(scalar(
        "SELECT extract(epoch FROM o.due_at - a.attempted_at) FROM outbox o JOIN delivery_attempts a ON a.outbox_id = "
        "o.id WHERE o." +
        mine + " ORDER BY a.id OFFSET " + std::to_string(attempt - 1) + " LIMIT 1"));
  };
  // A 429 with Retry-After 7: longer than the schedule's first 5 s (at most 6 s with jitter), so it wins.
  ASSERT_TRUE(eventually([&] { return outbox("status", mine) == "pending"; }, 5s));
  EXPECT_NEAR(gap(1), 7.0, 0.3);
  ASSERT_TRUE(eventually([&] { return outbox("status", mine) == "delivered"; }, 20s)) << daemon->log();

  // Twilio's request shape: form fields, Basic auth, our status callback.
  const auto sent = sms_sent();
  ASSERT_EQ(sent.size(), 2u);
  const auto& last = sent.back();
  EXPECT_EQ(form_value(last.body, "To"), client_phone);
  EXPECT_EQ(form_value(last.body, "From"), "+15550000000");
  EXPECT_NE(form_value(last.body, "Body").find("Eastside"), std::string::npos) << last.body;
  // Our message id rides in the callback URL, so an early receipt still finds its message.
  EXPECT_EQ(form_value(last.body, "StatusCallback"),
            "https://rollcall.example.org/hooks/tw/status?message_id=" + last.headers.at("i-twilio-idempotency-token"));
  EXPECT_EQ(last.headers.at("authorization"),
            "Basic " + delivery::base64_encode(std::string{"AC0123456789abcdef0123456789abcdef:"} + twilio_token));
  // The same message id on every attempt: the receiver's idempotency key.
  EXPECT_EQ(sent[0].headers.at("i-twilio-idempotency-token"), last.headers.at("i-twilio-idempotency-token"));

  // Staff see each attempt, its status and the provider's id.
  // (Tomorrow's session has its reminder planned too: the list holds both.)
  const auto m = message_of(c.client, outbox("id", mine));
  EXPECT_EQ(m.at("status"), "delivered");
  EXPECT_EQ(m.at("channel"), "sms");
  EXPECT_EQ(m.at("provider"), "tw");
  EXPECT_EQ(m.at("provider_message_id"), "SMretry1");
  const auto& history = m.at("history").as_array();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].at("http_status").as_int64(), 429);
  EXPECT_EQ(history[0].at("error"), "HTTP 429");
  EXPECT_EQ(history[1].at("http_status").as_int64(), 201);
  EXPECT_EQ(history[1].at("provider_message_id"), "SMretry1");
}

TEST_F(messaging_test, a_hung_provider_times_out_and_is_retried_until_delivered) {
  sink.script({behaviour(scripted_reply::kind::hang), twilio_created("SMok")});
  start({.lead_times = R"(["1h"])"});
  const auto c = make_clinic(starting_in(30min));
  const std::string mine = "client_id = " + std::to_string(c.client);
  ASSERT_TRUE(eventually([&] { return outbox("status", mine) == "delivered"; }, 30s)) << daemon->log();
  EXPECT_EQ(outbox("attempts", mine), "2");
  const auto history = message_of(c.client, outbox("id", mine)).at("history").as_array();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_TRUE(history[0].at("http_status").is_null());
  EXPECT_EQ(history[0].at("error"), "timeout");  // http_timeout is 2 s in these tests
  EXPECT_GE(history[0].at("elapsed_ms").as_int64(), 1900);
  EXPECT_EQ(history[1].at("http_status").as_int64(), 201);
}

TEST_F(messaging_test, a_refused_sms_is_not_retried_and_falls_back_to_email) {
  scripted_reply refused = status(400, {{"Content-Type", "application/json"}});
  refused.body = R"({"code": 21211, "message": "The 'To' number is not a valid phone number."})";
  scripted_reply accepted = status(202, {{"X-Message-Id", "sg-msg-1"}});
  sink.script({refused, accepted});
  start({.lead_times = R"(["1h"])"});
  const auto c = make_clinic(starting_in(30min), /*phone=*/true, /*email=*/true);

  const std::string sms = "client_id = " + std::to_string(c.client) + " AND channel = 'sms'";
  const std::string email = "client_id = " + std::to_string(c.client) + " AND channel = 'email'";
  ASSERT_TRUE(eventually([&] { return outbox("status", email) == "delivered"; }, 30s)) << daemon->log();
  EXPECT_EQ(outbox("status", sms), "dead");
  EXPECT_EQ(outbox("attempts", sms), "1");  // a 4xx is not retried
  EXPECT_EQ(outbox("fallback_of", email), outbox("id", sms));
  EXPECT_EQ(outbox("provider_message_id", email), "sg-msg-1");

  const auto mail = at(sink.requests(), sendgrid_path);
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_EQ(mail[0].headers.at("authorization"), "Bearer SG.test-key");
  const auto body = json::parse(mail[0].body).as_object();
  EXPECT_EQ(body.at("personalizations").at(0).at("to").at(0).at("email"), client_email);
  EXPECT_EQ(body.at("from").at("email"), "reminders@example.org");
  const std::string text{body.at("content").at(0).at("value").as_string()};
  EXPECT_NE(text.find("Eastside"), std::string::npos) << text;
  EXPECT_EQ(text.find("STOP"), std::string::npos) << "email has no SMS keywords: " << text;
  // The client was reached: no alert.
  std::this_thread::sleep_for(1s);
  EXPECT_TRUE(alerts().empty());
}

TEST_F(messaging_test, a_dead_letter_alerts_the_counselor_and_can_be_replayed) {
  // A dropped connection (retried after 5 s, give or take a fifth), then a 500: two attempts, dead.
  sink.script({behaviour(scripted_reply::kind::drop), status(500)});
  sink.set_default_reply(twilio_created("SMreplayed"));
  start({.lead_times = R"(["1h"])", .dispatcher_extra = "max_attempts = 2\n"});
  const auto c = make_clinic(starting_in(30min));
  const std::string mine = "client_id = " + std::to_string(c.client) + " AND kind = 'reminder'";

  ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM delivery_attempts") >= 1; }, 30s)) << daemon->log();
  ASSERT_TRUE(eventually([&] { return outbox("status", mine) == "pending"; }, 5s));
  const double gap = std::stod(scalar(
      "SELECT extract(epoch FROM o.due_at - a.attempted_at) FROM outbox o JOIN delivery_attempts a ON a.outbox_id = "
      "o.id WHERE o." +
      mine));
  EXPECT_GE(gap, 3.9);
  EXPECT_LE(gap, 6.1);
  ASSERT_TRUE(eventually([&] { return outbox("status", mine) == "dead"; }, 30s)) << daemon->log();
  // The reminder's own attempts (the counselor's alert may be out already: queuing it woke the
  // dispatcher).
  const std::string reminder_attempts =
      " FROM delivery_attempts WHERE outbox_id IN (SELECT id FROM outbox WHERE " + mine + ")";
  EXPECT_FALSE(scalar("SELECT error" + reminder_attempts + " ORDER BY id LIMIT 1").empty());
  EXPECT_EQ(scalar("SELECT http_status" + reminder_attempts + " ORDER BY id DESC LIMIT 1"), "500");
  ASSERT_TRUE(eventually([&] { return !alerts().empty(); }, 10s)) << daemon->log();
  const auto alert = json::parse(alerts()[0].body).as_object();
  EXPECT_EQ(alert.at("alert"), "unreachable");
  EXPECT_EQ(alert.at("client_id").as_int64(), c.client);
  EXPECT_NE(std::string{alert.at("text").as_string()}.find("could not be reached"), std::string::npos);

  auto dead = daemon->get("/v1/dead-letters");
  ASSERT_EQ(dead.status, 200) << dead.body;
  const auto dead_body = dead.json();
  const auto& listed = dead_body.at("messages").as_array();
  ASSERT_EQ(listed.size(), 1u);
  const auto id = listed[0].at("id").as_int64();
  EXPECT_EQ(listed[0].at("attempts").as_int64(), 2);

  auto replayed = daemon->post("/v1/messages/" + std::to_string(id) + "/replay", json::object{});
  ASSERT_EQ(replayed.status, 200) << replayed.body;
  EXPECT_EQ(replayed.json().at("status"), "pending");
  ASSERT_TRUE(eventually([&] { return outbox("status", mine) == "delivered"; }, 15s)) << daemon->log();
  EXPECT_EQ(outbox("provider_message_id", mine), "SMreplayed");
  EXPECT_EQ(daemon->post("/v1/messages/" + std::to_string(id) + "/replay", json::object{}).status, 409);
  EXPECT_EQ(daemon->post("/v1/messages/999999/replay", json::object{}).status, 404);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'replay' AND entity_id = " + std::to_string(id)), 1);
  EXPECT_EQ(alerts().size(), 1u) << "one alert per client and session";
}

TEST_F(messaging_test, receipts_keep_the_furthest_status_and_unsigned_ones_change_nothing) {
  sink.set_default_reply(twilio_created("SMreceipt"));
  start({.lead_times = R"(["1h"])"});
  const auto c = make_clinic(starting_in(30min), /*phone=*/true, /*email=*/true);
  const std::string sms = "client_id = " + std::to_string(c.client) + " AND channel = 'sms'";
  ASSERT_TRUE(eventually([&] { return outbox("status", sms) == "delivered"; }, 30s)) << daemon->log();

  const form sent{
      {"AccountSid", "AC0123456789abcdef0123456789abcdef"}, {"MessageSid", "SMreceipt"}, {"MessageStatus", "sent"}};
  EXPECT_EQ(twilio_post("status", sent, twilio_token, /*sign=*/false).status, 401);
  EXPECT_EQ(twilio_post("status", sent, "not-the-token").status, 403);
  EXPECT_EQ(outbox("coalesce(provider_status, '')", sms), "");
  // Unknown provider names are not found, whatever the signature.
  EXPECT_EQ(daemon->request("POST", "/hooks/nope/status", "MessageSid=x", std::nullopt).status, 404);

  EXPECT_EQ(twilio_post("status", sent).status, 200);
  EXPECT_EQ(outbox("provider_status", sms), "sent");
  // Out of order: "queued" after "sent" changes nothing.
  auto queued = twilio_post("status", {{"MessageSid", "SMreceipt"}, {"MessageStatus", "queued"}});
  EXPECT_EQ(queued.json().at("result"), "unchanged");
  EXPECT_EQ(outbox("provider_status", sms), "sent");

  // Undelivered: the reminder goes out by email instead.
  EXPECT_EQ(
      twilio_post("status", {{"MessageSid", "SMreceipt"}, {"MessageStatus", "undelivered"}, {"ErrorCode", "30003"}})
          .status,
      200);
  EXPECT_EQ(outbox("provider_status", sms), "undelivered");
  EXPECT_EQ(outbox("provider_error", sms), "30003");
  const std::string email = "client_id = " + std::to_string(c.client) + " AND channel = 'email'";
  ASSERT_TRUE(eventually([&] { return outbox("status", email) == "delivered"; }, 15s)) << daemon->log();
  EXPECT_EQ(at(sink.requests(), sendgrid_path).size(), 1u);
  // A late "delivered" cannot undo a final state, nor send the fallback twice.
  twilio_post("status", {{"MessageSid", "SMreceipt"}, {"MessageStatus", "delivered"}});
  EXPECT_EQ(outbox("provider_status", sms), "undelivered");
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE " + email), 1);
  // A receipt naming our message id in its URL (as our StatusCallback does) finds the message
  // by it, whatever MessageSid says (it may come before the send was recorded).
  const auto by_id = twilio_post("status?message_id=" + outbox("message_id", sms),
                                 {{"MessageSid", "SMnot-yet-known"}, {"MessageStatus", "queued"}});
  ASSERT_EQ(by_id.status, 200) << by_id.body;
  EXPECT_EQ(by_id.json().at("result"), "unchanged");  // found (not "unknown_message"), and queued < undelivered
  EXPECT_EQ(twilio_post("status", {{"MessageSid", "SMnot-yet-known"}, {"MessageStatus", "queued"}}).json().at("result"),
            "unknown_message");
}

TEST_F(messaging_test, a_failed_receipt_with_no_other_channel_alerts_the_counselor_and_21610_opts_out) {
  sink.set_default_reply(twilio_created("SMfail"));
  start({.lead_times = R"(["1h"])"});
  const auto c = make_clinic(starting_in(30min));  // SMS only
  const std::string sms = "client_id = " + std::to_string(c.client) + " AND kind = 'reminder'";
  ASSERT_TRUE(eventually([&] { return outbox("status", sms) == "delivered"; }, 30s)) << daemon->log();
  auto failed = twilio_post("status", {{"MessageSid", "SMfail"}, {"MessageStatus", "failed"}, {"ErrorCode", "21610"}});
  ASSERT_EQ(failed.status, 200) << failed.body;
  // Nothing to fall back to: the counselor hears the client could not be reached, and that
  // the number opted out with the carrier.
  ASSERT_TRUE(eventually([&] { return alerts().size() >= 2u; }, 15s)) << daemon->log();
  std::set<std::string> kinds;
  for (const auto& a : alerts()) kinds.insert(std::string{json::parse(a.body).at("alert").as_string()});
  EXPECT_EQ(kinds, (std::set<std::string>{"unreachable", "opted_out"}));
  EXPECT_EQ(scalar("SELECT source FROM opt_outs WHERE address = '" + std::string{client_phone} + "'"), "provider");
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'reply'"), 0) << "no confirmation for a carrier opt-out";
}

TEST_F(messaging_test, generic_webhook_receipts_are_checked_with_standard_webhooks_signatures) {
  start_daemon({.lead_times = R"(["1h"])"});  // the fixture's webhook provider ("webhook")
  const auto c = make_clinic(starting_in(30min));
  const std::string mine = "client_id = " + std::to_string(c.client);
  ASSERT_TRUE(eventually([&] { return outbox("status", mine) == "delivered"; }, 30s)) << daemon->log();
  const auto message_id = outbox("message_id", mine);
  const std::string body = R"({"message_id": ")" + message_id + R"(", "status": "delivered"})";
  const auto key = delivery::decode_webhook_secret(provider_secret);
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto post = [&](const std::string& signature, long long ts) {
    std::vector<std::pair<std::string, std::string>> h{{"webhook-id", "evt_1"},
                                                       {"webhook-timestamp", std::to_string(ts)}};
    if (!signature.empty()) h.push_back({"webhook-signature", signature});
    return daemon->request("POST", "/hooks/webhook/status", body, std::nullopt, h);
  };
  EXPECT_EQ(post("", now).status, 401);
  EXPECT_EQ(post(delivery::sign_webhook("wrong key", "evt_1", now, body), now).status, 403);
  // A correct signature on a stale timestamp (more than 5 minutes old) is refused too.
  EXPECT_EQ(post(delivery::sign_webhook(*key, "evt_1", now - 600, body), now - 600).status, 403);
  EXPECT_EQ(outbox("coalesce(provider_status, '')", mine), "");
  EXPECT_EQ(post(delivery::sign_webhook(*key, "evt_1", now, body), now).status, 200);
  EXPECT_EQ(outbox("provider_status", mine), "delivered");
}

TEST_F(messaging_test, stop_is_honoured_before_the_next_sms_and_the_counselor_hears_of_it) {
  sink.set_default_reply(twilio_created("SMstop"));
  start({.lead_times = R"(["1h", "30s"])"});
  const auto start_at = starting_in(45s);
  const auto c = make_clinic(start_at);  // SMS only; one reminder due at start - 30 s
  const auto session = session_at(c.group, start_at);
  const std::string reminder = "session_id = " + std::to_string(session) + " AND kind = 'reminder'";
  ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM outbox WHERE " + reminder) >= 1; }, 10s))
      << daemon->log();
  ASSERT_EQ(count("SELECT count(*) FROM outbox WHERE " + reminder), 1)
      << scalar("SELECT string_agg(dedupe_key || ' ' || status || ' ' || due_at::text, '; ') FROM outbox");
  ASSERT_EQ(outbox("status", reminder), "pending");

  auto stop = text_from(client_phone, "Stop. Thank you", "SMin1");
  ASSERT_EQ(stop.status, 200) << stop.body;
  EXPECT_EQ(stop.content_type, "text/xml");
  // One confirmation, and the counselor's alert.
  ASSERT_TRUE(eventually([&] { return sms_sent().size() == 1u && !alerts().empty(); }, 10s)) << daemon->log();
  EXPECT_EQ(form_value(sms_sent()[0].body, "To"), client_phone);
  const auto alert = json::parse(alerts()[0].body).as_object();
  EXPECT_EQ(alert.at("alert"), "opted_out");
  EXPECT_EQ(alert.at("client_id").as_int64(), c.client);

  // The reminder is never sent: it is cancelled (no email to fall back to).
  ASSERT_TRUE(eventually([&] { return outbox("status", reminder) == "cancelled"; }, 30s)) << daemon->log();
  EXPECT_EQ(outbox("last_error", reminder), "recipient opted out");
  // A second STOP: silence.
  text_from(client_phone, "STOP", "SMin2");
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(sms_sent().size(), 1u);
  auto contact = daemon->get("/v1/clients/" + std::to_string(c.client) + "/messages").json().at("contact");
  EXPECT_FALSE(contact.at("sms").at("opted_out_at").is_null());

  // START opts back in, with one confirmation.
  text_from(client_phone, "start", "SMin3");
  ASSERT_TRUE(eventually([&] { return sms_sent().size() == 2u; }, 10s)) << daemon->log();
  EXPECT_EQ(count("SELECT count(*) FROM opt_outs"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM inbound_messages WHERE client_id = " + std::to_string(c.client)), 3);
  // The texts and the number never reach the log.
  EXPECT_EQ(daemon->log().find(client_phone), std::string::npos);
  EXPECT_EQ(daemon->log().find("Thank you"), std::string::npos);
}

TEST_F(messaging_test, n_records_the_decline_and_alerts_the_counselor_before_the_session) {
  sink.set_default_reply(twilio_created("SMreply"));
  start({.lead_times = R"(["10s"])"});
  const auto start_at = starting_in(10min);
  const auto c = make_clinic(start_at);
  const auto session = session_at(c.group, start_at);
  ASSERT_NE(session, 0);

  // An unknown number is ignored, and logged without its number or text.
  auto stranger = text_from("+15559990000", "N", "SMx0");
  EXPECT_EQ(stranger.status, 200);
  EXPECT_EQ(count("SELECT count(*) FROM session_replies"), 0);
  EXPECT_TRUE(eventually([&] { return daemon->log().find("unknown sender") != std::string::npos; }, 5s));
  EXPECT_EQ(daemon->log().find("+15559990000"), std::string::npos);

  auto yes = text_from(client_phone, "C", "SMx1");
  ASSERT_EQ(yes.status, 200);
  auto no = text_from(client_phone, "no", "SMx2");
  ASSERT_EQ(no.status, 200);
  // A redelivered webhook (same MessageSid) does nothing more.
  text_from(client_phone, "no", "SMx2");
  EXPECT_EQ(count("SELECT count(*) FROM session_replies WHERE session_id = " + std::to_string(session)), 2);
  EXPECT_EQ(scalar("SELECT reply FROM session_replies ORDER BY id DESC LIMIT 1"), "declined");
  ASSERT_TRUE(eventually([&] { return !alerts().empty(); }, 10s)) << daemon->log();
  EXPECT_LT(std::chrono::system_clock::now(), start_at);
  const auto alert = json::parse(alerts()[0].body).as_object();
  EXPECT_EQ(alert.at("alert"), "declined");
  EXPECT_EQ(alert.at("session_id").as_int64(), session);
  // Two acknowledgements (confirm, decline), none for the stranger.
  ASSERT_TRUE(eventually([&] { return sms_sent().size() == 2u; }, 10s));
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(alerts().size(), 1u);
  EXPECT_EQ(sms_sent().size(), 2u);
  // HELP answers with the site's phone.
  text_from(client_phone, "help", "SMx3");
  ASSERT_TRUE(eventually([&] { return sms_sent().size() == 3u; }, 10s));
  EXPECT_NE(form_value(sms_sent()[2].body, "Body").find("+15550001234"), std::string::npos) << sms_sent()[2].body;
}

TEST_F(messaging_test, quiet_hours_move_a_reminder_to_the_last_minute_before_them) {
  const auto now = std::chrono::floor<std::chrono::minutes>(std::chrono::system_clock::now());
  const auto quiet_from = now + 30min, quiet_to = now + 4h;
  const auto start_at = std::chrono::floor<std::chrono::seconds>(now + 3h);  // its 2 h reminder is due in them
  clinic_settings s{.lead_times = R"(["2h"])", .quiet_hours = true};
  s.extra_toml = "[quiet_hours]\nstart = \"" + date::format("%H:%M", quiet_from) + "\"\nend = \"" +
                 date::format("%H:%M", quiet_to) + "\"\n";
  start(s);
  const auto c = make_clinic(start_at);
  const std::string mine = "client_id = " + std::to_string(c.client) + " AND kind = 'reminder'";
  ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM outbox WHERE " + mine) == 1; }, 15s))
      << daemon->log();
  const auto due = std::stoll(outbox("extract(epoch FROM due_at)::bigint", mine));
  const auto expected = std::chrono::sys_seconds{quiet_from - 1min}.time_since_epoch().count();
  EXPECT_EQ(due, expected) << "due " << due << ", the minute before quiet hours " << expected;
}

TEST_F(messaging_test, reminder_rules_choose_lead_times_and_channels_per_site_and_consent_is_honoured) {
  // Sites get ids 1 and 2 in this test's fresh database: site 2 reminds 3 h ahead, by email only.
  clinic_settings s{.lead_times = R"(["1h"])"};
  s.extra_toml = "[[reminder_rules]]\nsite = 2\nlead_times = [\"3h\"]\nchannels = [\"email\"]\n";
  sink.set_default_reply(twilio_created("SMrule"));
  start(s);
  const auto start_at = starting_in(5h);
  const auto one = make_clinic(start_at, true, true, "North");
  const auto two = make_clinic(start_at, true, true, "South");
  ASSERT_EQ(two.site, 2);
  ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM outbox WHERE kind = 'reminder'") == 2; }, 15s))
      << daemon->log();
  const auto of = [&](const clinic& c, const std::string& column) {
    return outbox(column, "kind = 'reminder' AND client_id = " + std::to_string(c.client));
  };
  EXPECT_EQ(of(one, "channel"), "sms");
  EXPECT_TRUE(of(one, "dedupe_key").ends_with(":3600s")) << of(one, "dedupe_key");
  EXPECT_EQ(of(two, "channel"), "email");
  EXPECT_TRUE(of(two, "dedupe_key").ends_with(":10800s")) << of(two, "dedupe_key");
  EXPECT_EQ(of(two, "alternatives::text"), "[]") << "email only: no SMS fallback";

  // Site 1's client withdraws SMS consent: the pending SMS reminder goes by email instead.
  auto put =
      daemon->request("PUT", "/v1/clients/" + std::to_string(one.client) + "/messaging", R"({"sms_consent": false})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_FALSE(put.json().at("sms").at("consent").as_bool());
  EXPECT_EQ(daemon->request("PUT", "/v1/clients/" + std::to_string(one.client) + "/messaging", R"({"sms": 1})").status,
            422);
  sql("UPDATE outbox SET due_at = now() WHERE client_id = " + std::to_string(one.client));
  const std::string email = "client_id = " + std::to_string(one.client) + " AND channel = 'email'";
  ASSERT_TRUE(eventually([&] { return outbox("status", email) == "delivered"; }, 15s)) << daemon->log();
  EXPECT_EQ(of(one, "last_error"), "no consent for the channel");
  EXPECT_TRUE(sms_sent().empty());
}

TEST_F(messaging_test, templates_reload_on_sighup) {
  sink.set_default_reply(twilio_created("SMreload"));
  start({.lead_times = R"(["1h"])"});
  const auto start_at = starting_in(30min);
  const auto c = make_clinic(start_at);
  ASSERT_TRUE(eventually([&] { return !sms_sent().empty(); }, 30s)) << daemon->log();
  EXPECT_EQ(form_value(sms_sent()[0].body, "Body").rfind("Hi Kim", 0), 0u) << sms_sent()[0].body;
  {
    std::ofstream out(daemon->config_path(), std::ios::app);
    out << "\n[[templates]]\nkind = \"reminder\"\nchannel = \"sms\"\n"
           "body = \"See you {date} {time} at {site_name}, {first_name}. {reply_hints}\"\n";
  }
  daemon->send_signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return daemon->log().find("configuration reloaded") != std::string::npos; }, 10s))
      << daemon->log();
  // A client placed now is reminded with the new text.
  const auto client = create("/v1/clients", {{"first_name", "Lee"}, {"phone", "+15550005555"}});
  create("/v1/enrollments", {{"client_id", client},
                             {"group_id", c.group},
                             {"counselor_id", c.counselor},
                             {"start_date", local_date("UTC", start_at - 24h)}});
  ASSERT_TRUE(eventually([&] { return sms_sent().size() >= 2u; }, 30s)) << daemon->log();
  const auto body = form_value(sms_sent()[1].body, "Body");
  EXPECT_EQ(body.rfind("See you ", 0), 0u) << body;
  EXPECT_NE(body.find(", Lee. Reply C"), std::string::npos) << body;
}

TEST_F(messaging_test, a_client_checks_in_by_sms_around_the_start_and_staff_can_overrule_it) {
  sink.set_default_reply(twilio_created("SMcheckin"));
  start({.lead_times = R"(["10s"])",
         .attendance_extra = "sms_checkin = true\ncheckin_before = \"30m\"\ncheckin_after = \"15m\"\n"});
  const auto start_at = starting_in(10min);
  const auto c = make_clinic(start_at);
  const auto session = session_at(c.group, start_at);
  ASSERT_NE(session, 0);
  const std::string mine = "SELECT count(*) FROM attendance_marks WHERE session_id = " + std::to_string(session);

  ASSERT_EQ(text_from(client_phone, "Here", "SMc1").status, 200);
  EXPECT_EQ(count(mine + " AND source = 'sms' AND status = 'present' AND marked_by = 'sms'"), 1);
  text_from(client_phone, "here", "SMc2");  // a second text adds nothing
  EXPECT_EQ(count(mine), 1);
  // Staff overrule it: the latest mark counts, the check-in stays in the history.
  auto overrule = daemon->post("/v1/sessions/" + std::to_string(session) + "/attendance",
                               {{"client_id", c.client}, {"status", "absent"}});
  ASSERT_EQ(overrule.status, 201) << overrule.body;
  const auto all = daemon->get("/v1/sessions/" + std::to_string(session) + "/attendance").json();
  EXPECT_EQ(all.at("marks").as_array().size(), 2u);
  EXPECT_EQ(all.at("current").at(0).at("status"), "absent");
  EXPECT_EQ(all.at("marks").at(0).at("source"), "sms");

  // Far from any session's start (tomorrow's is a day away), HERE records nothing.
  sql("DELETE FROM attendance_marks WHERE session_id = " + std::to_string(session));
  sql("UPDATE sessions SET starts_at = now() + interval '2 hours', ends_at = now() + interval '3 hours' WHERE id = " +
      std::to_string(session));
  text_from(client_phone, "HERE", "SMc3");
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks"), 0);
  EXPECT_TRUE(sms_sent().empty()) << "a check-in gets no reply";
}

TEST_F(messaging_test, a_site_name_that_reveals_the_kind_of_care_is_refused) {
  start({});
  auto res = daemon->post("/v1/sites", {{"name", "Eastside Recovery Center"}, {"time_zone", "UTC"}});
  EXPECT_EQ(res.status, 422) << res.body;
  EXPECT_EQ(fields_of(res), std::set<std::string>{"name"});
  const auto site = create("/v1/sites", {{"name", "Eastside"}, {"time_zone", "UTC"}});
  auto patch = daemon->request("PATCH", "/v1/sites/" + std::to_string(site), R"({"name": "Eastside Rehab"})");
  EXPECT_EQ(patch.status, 422) << patch.body;
}

TEST_F(messaging_test, a_provider_rate_limit_spaces_sends_over_kept_alive_connections) {
  sink.set_default_reply(twilio_created("SMrate"));
  start({.lead_times = R"(["20s"])", .extra_toml = "rate_limit = 2.0\nconcurrency = 2\n"});
  const auto start_at = starting_in(40s);
  const auto c = make_clinic(start_at);
  // Seven more clients in the same group: eight SMS due at the same second (start - 20 s).
  for (int i = 0; i < 7; ++i) {
    const auto client =
        create("/v1/clients", {{"first_name", "P" + std::to_string(i)}, {"phone", "+1555000770" + std::to_string(i)}});
    create("/v1/enrollments", {{"client_id", client},
                               {"group_id", c.group},
                               {"counselor_id", c.counselor},
                               {"start_date", local_date("UTC", start_at - 24h)}});
  }
  ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM outbox WHERE kind = 'reminder'") == 8; }, 15s))
      << daemon->log();
  ASSERT_TRUE(eventually([&] { return !sms_sent().empty(); }, 30s)) << daemon->log();
  const auto first = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return sms_sent().size() >= 8u; }, 30s)) << daemon->log();
  // Two at once, then one every half second: the eighth comes 3 s after the first.
  EXPECT_GE(std::chrono::steady_clock::now() - first, 2500ms);
  EXPECT_LE(sink.connections_accepted(), 2u) << "deliveries reuse kept-alive connections";
}

// The dispatcher sleeps for its whole interval (an hour here) only when nothing wakes it: a
// message queued meanwhile goes out at once (the outbox's NOTIFY), and one queued for later
// goes out when it comes due (the next due time it read after its last round).
TEST_F(messaging_test, the_dispatcher_wakes_for_a_queued_message_and_for_the_next_due_time_not_its_interval) {
  clinic_settings s;
  s.dispatcher_interval = "1h";
  start_daemon(s);
  const auto listening = [&] {
    return count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'");
  };
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (listening() == 0 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(50ms);
  ASSERT_EQ(listening(), 1) << daemon->log();
  std::this_thread::sleep_for(500ms);  // its first rounds are over: it sleeps for the interval

  const auto queue = [&](const std::string& key, const std::string& due) {
    sql("INSERT INTO outbox (dedupe_key, kind, target, target_url, payload, due_at) VALUES ('" + key +
        "', 'staff_alert', 'staff_webhook', '" + sink.url("/staff/" + key) + "', '{\"type\":\"test\"}', " + due + ")");
  };
  const auto received = [&](const std::string& key) {
    return [key](const std::vector<received_request>& all) { return !at(all, "/staff/" + key).empty(); };
  };
  const auto t0 = std::chrono::steady_clock::now();
  queue("now", "now()");
  ASSERT_TRUE(sink.wait_for(received("now"), 30s)) << daemon->log();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s) << "not at the next poll, an hour away";

  const auto t1 = std::chrono::steady_clock::now();
  queue("in-three-seconds", "now() + interval '3 seconds'");
  ASSERT_TRUE(sink.wait_for(received("in-three-seconds"), 40s)) << daemon->log();
  const auto took = std::chrono::steady_clock::now() - t1;
  EXPECT_GE(took, 2500ms) << "sent before it was due";
  EXPECT_LT(took, 13s) << "not at the next poll, an hour away";
  // Recorded once the sink has answered, a moment after it received the message.
  EXPECT_TRUE(eventually([&] { return count("SELECT count(*) FROM outbox WHERE status = 'delivered'") == 2; }, 10s))
      << daemon->log();
}

}  // namespace
}  // namespace rollcall::testing
