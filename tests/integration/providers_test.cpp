// The delivery client and provider adapters against a real HTTP(S) peer on loopback, without
// the daemon: the requests each provider sends, how answers, failures and hangs come back, and
// keep-alive reuse (including a peer that closes kept-alive connections).
#include <algorithm>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include "rollcall/delivery/form.hpp"
#include "rollcall/delivery/http_client.hpp"
#include "rollcall/delivery/providers.hpp"
#include "rollcall/delivery/signing.hpp"
#include "rollcall/domain/retry.hpp"
#include "test_pki.hpp"
#include "webhook_sink.hpp"

namespace rollcall::testing {
namespace {

namespace net = boost::asio;
namespace del = rollcall::delivery;
using namespace std::chrono_literals;
using kind = scripted_reply::kind;

class system_clock final : public ports::clock {
 public:
  std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::now(); }
};

constexpr const char* secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

// One io_context for the whole test, so the client's idle pool lives from one request to the next.
class delivery_peer : public ::testing::Test {
 protected:
  net::io_context io{1};
  net::ssl::context tls = del::make_client_tls_context("");
  del::http_client client{io.get_executor(), tls};
  system_clock clock;
  webhook_sink sink;

  template <class T>
  T run(net::awaitable<T> task) {
    auto result = net::co_spawn(io, std::move(task), net::use_future);
    io.restart();
    io.run_for(30s);
    if (result.wait_for(0s) != std::future_status::ready) throw std::runtime_error("coroutine did not finish");
    return result.get();
  }

  del::provider_result send(del::provider& p, const del::outbound_message& m) { return run(p.send(m)); }

  del::http_response get(const std::string& url, std::chrono::milliseconds timeout = 5s) {
    del::http_request req;
    req.url = url;
    req.body = "{}";
    req.timeout = timeout;
    return run(client.send(req));
  }

  std::unique_ptr<del::provider> webhook(const std::string& url, std::chrono::milliseconds timeout = 5s) {
    del::provider_settings s;
    s.name = "hook";
    s.type = "webhook";
    s.url = url;
    s.secret = secret;
    s.timeout = timeout;
    return del::make_provider(s, client, clock);
  }

  static del::outbound_message message(const std::string& id = "msg_1") {
    return {id, "sms", "+15551234567", "", "Reminder: Tue 6:00 PM at Eastside.", R"({"client_id":7})"};
  }
};

std::string header(const received_request& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string{"<none>"} : it->second;
}

// --- twilio -----------------------------------------------------------------------------------

class twilio : public delivery_peer {
 protected:
  del::provider_settings settings() const {
    del::provider_settings s;
    s.name = "sms";
    s.type = "twilio";
    s.url = sink.url("/");  // the trailing slash must not double up
    s.account_sid = "AC0123456789";
    s.auth_token = "token-xyz";
    s.from = "+15550001111";
    s.status_callback_url = "https://rollcall.example.org/twilio/status?x=1";
    s.timeout = 5s;
    return s;
  }
};

TEST_F(twilio, posts_the_messages_form_with_basic_auth_and_reads_the_sid) {
  sink.script({{kind::respond, 201, {}, R"({"sid":"SM9a8b7c","status":"queued","to":"+15551234567"})"}});
  auto p = del::make_provider(settings(), client, clock);
  const auto res = send(*p, message("msg_tw1"));
  EXPECT_EQ(res.outcome.http_status, 201);
  EXPECT_EQ(res.provider_message_id, "SM9a8b7c");
  EXPECT_EQ(res.error, "");
  EXPECT_EQ(domain::decide_retry(res.outcome, 1, 8).verdict, domain::delivery_verdict::delivered);

  ASSERT_EQ(sink.requests().size(), 1u);
  const auto r = sink.requests()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/2010-04-01/Accounts/AC0123456789/Messages.json");
  EXPECT_EQ(header(r, "authorization"), "Basic " + del::base64_encode("AC0123456789:token-xyz"));
  EXPECT_EQ(header(r, "content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(header(r, "i-twilio-idempotency-token"), "msg_tw1");
  // '+' must travel encoded, or Twilio reads a space.
  EXPECT_NE(r.body.find("To=%2B15551234567"), std::string::npos) << r.body;
  const auto fields = del::form_decode(r.body);
  ASSERT_TRUE(fields.has_value()) << r.body;
  const del::form_fields expected{
      {"To", "+15551234567"},
      {"From", "+15550001111"},
      {"Body", "Reminder: Tue 6:00 PM at Eastside."},
      {"StatusCallback", "https://rollcall.example.org/twilio/status?x=1&message_id=msg_tw1"}};
  EXPECT_EQ(*fields, expected);
}

TEST_F(twilio, a_messaging_service_wins_over_from_and_no_callback_is_sent_when_unset) {
  auto s = settings();
  s.messaging_service_sid = "MG42";
  s.status_callback_url.clear();
  sink.script({{kind::respond, 201, {}, R"({"sid":"SM1"})"}});
  auto p = del::make_provider(s, client, clock);
  EXPECT_EQ(send(*p, message()).provider_message_id, "SM1");
  ASSERT_EQ(sink.requests().size(), 1u);
  const auto fields = del::form_decode(sink.requests()[0].body);
  ASSERT_TRUE(fields.has_value());
  const del::form_fields expected{
      {"To", "+15551234567"}, {"MessagingServiceSid", "MG42"}, {"Body", "Reminder: Tue 6:00 PM at Eastside."}};
  EXPECT_EQ(*fields, expected);
}

TEST_F(twilio, an_error_code_is_reported_without_the_message_text_and_is_permanent) {
  sink.script({{kind::respond,
                400,
                {},
                R"({"code":21610,"message":"Attempt to send to unsubscribed recipient +15551234567",)"
                R"("more_info":"https://www.twilio.com/docs/errors/21610","status":400})"}});
  auto p = del::make_provider(settings(), client, clock);
  const auto res = send(*p, message());
  EXPECT_EQ(res.outcome.http_status, 400);
  EXPECT_EQ(res.error, "twilio error 21610");
  EXPECT_EQ(res.provider_error_code, 21610);
  EXPECT_EQ(res.provider_message_id, "");
  EXPECT_EQ(domain::decide_retry(res.outcome, 1, 8).verdict, domain::delivery_verdict::give_up);
}

TEST_F(twilio, an_error_without_json_is_reported_by_status) {
  sink.script({{kind::respond, 503, {{"Retry-After", "7"}}, "<html>busy</html>"}});
  auto p = del::make_provider(settings(), client, clock);
  const auto res = send(*p, message());
  EXPECT_EQ(res.outcome.http_status, 503);
  EXPECT_EQ(res.outcome.retry_after, std::chrono::seconds{7});
  EXPECT_EQ(res.error, "HTTP 503");
  EXPECT_EQ(res.provider_error_code, 0);
}

TEST_F(twilio, settings_without_a_sender_send_nothing) {
  auto s = settings();
  s.from.clear();
  auto p = del::make_provider(s, client, clock);
  const auto res = send(*p, message());
  EXPECT_TRUE(res.permanent);
  EXPECT_EQ(res.outcome.http_status, 0);
  EXPECT_TRUE(sink.requests().empty());
}

// --- sendgrid ---------------------------------------------------------------------------------

class sendgrid : public delivery_peer {
 protected:
  del::provider_settings settings() const {
    del::provider_settings s;
    s.name = "mail";
    s.type = "sendgrid";
    s.url = sink.url("");
    s.api_key = "SG.key";
    s.from_email = "reminders@example.org";
    s.from_name = "Eastside";
    s.timeout = 5s;
    return s;
  }
  static del::outbound_message mail() {
    return {"msg_m1", "email", "sam@example.com", "Your appointment", "Reminder: Tue 6:00 PM at Eastside.", ""};
  }
};

TEST_F(sendgrid, posts_the_mail_send_json_with_a_bearer_key_and_reads_x_message_id) {
  sink.script({{kind::respond, 202, {{"X-Message-Id", "sg-4Nf0"}}, ""}});
  auto p = del::make_provider(settings(), client, clock);
  const auto res = send(*p, mail());
  EXPECT_EQ(res.outcome.http_status, 202);
  EXPECT_EQ(res.provider_message_id, "sg-4Nf0");
  EXPECT_EQ(res.error, "");

  ASSERT_EQ(sink.requests().size(), 1u);
  const auto r = sink.requests()[0];
  EXPECT_EQ(r.target, "/v3/mail/send");
  EXPECT_EQ(header(r, "authorization"), "Bearer SG.key");
  EXPECT_EQ(header(r, "content-type"), "application/json");
  const auto expected = boost::json::parse(R"({
    "personalizations": [{"to": [{"email": "sam@example.com"}], "custom_args": {"message_id": "msg_m1"}}],
    "from": {"email": "reminders@example.org", "name": "Eastside"},
    "subject": "Your appointment",
    "content": [{"type": "text/plain", "value": "Reminder: Tue 6:00 PM at Eastside."}]})");
  EXPECT_EQ(boost::json::parse(r.body), expected) << r.body;
}

TEST_F(sendgrid, an_empty_from_name_is_left_out_and_a_missing_x_message_id_gives_no_id) {
  auto s = settings();
  s.from_name.clear();
  sink.script({{kind::respond, 202, {}, ""}});
  auto p = del::make_provider(s, client, clock);
  const auto res = send(*p, mail());
  EXPECT_EQ(res.outcome.http_status, 202);
  EXPECT_EQ(res.provider_message_id, "");
  ASSERT_EQ(sink.requests().size(), 1u);
  const auto body = boost::json::parse(sink.requests()[0].body);
  EXPECT_EQ(body.at("from"), boost::json::parse(R"({"email":"reminders@example.org"})"));
}

// --- webhook ----------------------------------------------------------------------------------

TEST_F(delivery_peer, a_webhook_is_signed_per_standard_webhooks) {
  auto p = webhook(sink.url("/hook"));
  const auto res = send(*p, message("msg_wh1"));
  EXPECT_EQ(res.outcome.http_status, 200);
  EXPECT_EQ(res.provider_message_id, "msg_wh1");

  ASSERT_EQ(sink.requests().size(), 1u);
  const auto r = sink.requests()[0];
  EXPECT_EQ(r.target, "/hook");
  EXPECT_EQ(header(r, "webhook-id"), "msg_wh1");
  const auto key = del::decode_webhook_secret(secret);
  ASSERT_TRUE(key.has_value());
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
  EXPECT_TRUE(del::verify_webhook(*key, "msg_wh1", header(r, "webhook-timestamp"), r.body,
                                  header(r, "webhook-signature"), now));
  EXPECT_FALSE(del::verify_webhook(*key, "msg_other", header(r, "webhook-timestamp"), r.body,
                                   header(r, "webhook-signature"), now));
  EXPECT_EQ(boost::json::parse(r.body), boost::json::parse(R"({"client_id":7,"message_id":"msg_wh1"})"));
}

TEST_F(delivery_peer, a_payload_that_is_not_a_json_object_is_not_sent) {
  auto p = webhook(sink.url("/hook"));
  auto m = message();
  m.payload_json = "[1,2]";
  const auto res = send(*p, m);
  EXPECT_TRUE(res.permanent);
  EXPECT_TRUE(sink.requests().empty());
}

// --- answers and failures ---------------------------------------------------------------------

TEST_F(delivery_peer, a_429_with_retry_after_surfaces_the_delay) {
  sink.script({{kind::respond, 429, {{"Retry-After", "2"}}, ""}});
  const auto res = send(*webhook(sink.url("/hook")), message());
  EXPECT_EQ(res.outcome.http_status, 429);
  EXPECT_EQ(res.outcome.retry_after, std::chrono::seconds{2});
  EXPECT_EQ(res.error, "HTTP 429");
}

TEST_F(delivery_peer, a_500_surfaces_its_status) {
  sink.script({{kind::respond, 500, {}, "oops"}});
  const auto res = send(*webhook(sink.url("/hook")), message());
  EXPECT_EQ(res.outcome.http_status, 500);
  EXPECT_EQ(res.outcome.retry_after, std::nullopt);
  EXPECT_EQ(res.error, "HTTP 500");
}

TEST_F(delivery_peer, a_hung_peer_times_out_within_the_deadline) {
  sink.script({{kind::hang}});
  const auto start = std::chrono::steady_clock::now();
  const auto res = send(*webhook(sink.url("/hook"), 300ms), message());
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(res.outcome.http_status, 0);
  EXPECT_EQ(res.error, "timeout");
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 2s);
  EXPECT_EQ(client.idle_connections(), 0u);
}

TEST_F(delivery_peer, a_dropped_fresh_connection_is_an_error_and_is_not_retried) {
  sink.script({{kind::drop}});
  const auto res = send(*webhook(sink.url("/hook")), message());
  EXPECT_EQ(res.outcome.http_status, 0);
  EXPECT_EQ(res.error, "connection closed without a response");
  EXPECT_EQ(sink.requests().size(), 1u);
  EXPECT_EQ(client.idle_connections(), 0u);
}

TEST_F(delivery_peer, a_refused_connection_is_an_error) {
  std::string refused;
  {
    webhook_sink gone;
    refused = gone.url("/hook");
  }
  const auto res = get(refused);
  EXPECT_EQ(res.status, 0);
  EXPECT_FALSE(res.error.empty());
}

TEST_F(delivery_peer, the_body_and_lower_cased_headers_come_back_and_a_large_body_is_truncated) {
  const std::string big(100 * 1024, 'x');
  sink.script({{kind::respond, 200, {{"X-Custom-Thing", "v"}}, R"({"ok":true})"},
               {kind::respond, 200, {}, big},
               {kind::respond, 200, {}, ""}});
  auto res = get(sink.url("/a"));
  EXPECT_EQ(res.body, R"({"ok":true})");
  EXPECT_NE(
      std::find(res.headers.begin(), res.headers.end(), std::pair<std::string, std::string>{"x-custom-thing", "v"}),
      res.headers.end());
  res = get(sink.url("/b"));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body.size(), 64u * 1024u);
  EXPECT_TRUE(res.reused_connection);
  // The rest of the large body was never read: that connection is not reused.
  res = get(sink.url("/c"));
  EXPECT_EQ(res.status, 200);
  EXPECT_FALSE(res.reused_connection);
  EXPECT_EQ(sink.connections_accepted(), 2u);
}

// --- keep-alive -------------------------------------------------------------------------------

TEST_F(delivery_peer, sequential_sends_share_one_kept_alive_connection) {
  auto p = webhook(sink.url("/hook"));
  for (int i = 0; i < 20; ++i) {
    const auto res = get(sink.url("/hook"));
    ASSERT_EQ(res.status, 200) << i << ": " << res.error;
    EXPECT_EQ(res.reused_connection, i > 0) << i;
  }
  for (int i = 0; i < 3; ++i) EXPECT_EQ(send(*p, message()).outcome.http_status, 200);
  EXPECT_EQ(sink.connections_accepted(), 1u);
  EXPECT_EQ(sink.requests().size(), 23u);
  EXPECT_EQ(client.idle_connections(), 1u);
}

TEST_F(delivery_peer, a_kept_alive_connection_dropped_before_any_answer_is_retried_once_on_a_new_one) {
  sink.script({{kind::respond, 200, {}, ""}, {kind::drop}, {kind::respond, 201, {}, ""}});
  EXPECT_EQ(get(sink.url("/one")).status, 200);
  const auto res = get(sink.url("/two"));
  EXPECT_EQ(res.status, 201) << res.error;
  EXPECT_FALSE(res.reused_connection);
  EXPECT_EQ(sink.connections_accepted(), 2u);
  ASSERT_EQ(sink.requests().size(), 3u);
  EXPECT_EQ(sink.requests()[1].target, "/two");
  EXPECT_EQ(sink.requests()[2].target, "/two");
}

TEST_F(delivery_peer, the_retry_happens_only_once) {
  sink.script({{kind::respond, 200, {}, ""}, {kind::drop}, {kind::drop}});
  EXPECT_EQ(get(sink.url("/one")).status, 200);
  const auto res = get(sink.url("/two"));
  EXPECT_EQ(res.status, 0);
  EXPECT_EQ(res.error, "connection closed without a response");
  EXPECT_EQ(sink.requests().size(), 3u);
}

TEST_F(delivery_peer, a_peer_that_closes_idle_connections_still_gets_every_request) {
  sink.set_close_after_response(true);
  for (int i = 0; i < 5; ++i) {
    const auto res = get(sink.url("/hook"));
    ASSERT_EQ(res.status, 200) << i << ": " << res.error;
    EXPECT_FALSE(res.reused_connection) << i;
  }
  EXPECT_EQ(sink.connections_accepted(), 5u);
  EXPECT_EQ(sink.requests().size(), 5u);  // no request was lost or sent twice
}

TEST_F(delivery_peer, a_timeout_on_a_kept_alive_connection_is_not_retried_and_not_pooled) {
  sink.script({{kind::respond, 200, {}, ""}, {kind::hang}});
  EXPECT_EQ(get(sink.url("/one")).status, 200);
  const auto res = get(sink.url("/two"), 300ms);
  EXPECT_EQ(res.status, 0);
  EXPECT_EQ(res.error, "timeout");
  EXPECT_EQ(sink.requests().size(), 2u);
  EXPECT_EQ(client.idle_connections(), 0u);
}

TEST_F(delivery_peer, idle_connections_older_than_the_idle_timeout_are_not_reused) {
  client.set_idle_timeout(50ms);
  EXPECT_EQ(get(sink.url("/one")).status, 200);
  std::this_thread::sleep_for(120ms);  // past the idle timeout by more than the clock's resolution
  const auto res = get(sink.url("/two"));
  EXPECT_EQ(res.status, 200);
  EXPECT_FALSE(res.reused_connection);
  EXPECT_EQ(sink.connections_accepted(), 2u);
}

TEST_F(delivery_peer, the_idle_pool_is_capped_per_origin) {
  client.set_max_idle_per_origin(1);
  sink.set_response_delay(100ms);  // so the three requests overlap and need three connections
  std::vector<std::future<del::http_response>> results;
  del::http_request req;
  req.url = sink.url("/x");
  for (int i = 0; i < 3; ++i) results.push_back(net::co_spawn(io, client.send(req), net::use_future));
  io.restart();
  io.run_for(10s);
  for (auto& r : results) EXPECT_EQ(r.get().status, 200);
  EXPECT_EQ(sink.connections_accepted(), 3u);
  EXPECT_EQ(client.idle_connections(), 1u);

  sink.set_response_delay(0ms);
  EXPECT_TRUE(get(sink.url("/y")).reused_connection);  // the one kept
  // 0 turns reuse off and closes what is idle.
  client.set_max_idle_per_origin(0);
  EXPECT_EQ(client.idle_connections(), 0u);
  EXPECT_FALSE(get(sink.url("/z")).reused_connection);
  EXPECT_EQ(client.idle_connections(), 0u);
  EXPECT_EQ(sink.connections_accepted(), 4u);
}

TEST_F(delivery_peer, origins_do_not_share_connections) {
  webhook_sink other;
  EXPECT_EQ(get(sink.url("/a")).status, 200);
  EXPECT_FALSE(get(other.url("/a")).reused_connection);
  EXPECT_TRUE(get(sink.url("/b")).reused_connection);
  EXPECT_TRUE(get(other.url("/b")).reused_connection);
  EXPECT_EQ(client.idle_connections(), 2u);
}

// --- TLS --------------------------------------------------------------------------------------

class tls_delivery : public delivery_peer {
 protected:
  static test_pki& pki() {
    static test_pki p;  // one CA for the suite: making keys takes a while
    return p;
  }
  tls_delivery() { tls.load_verify_file(pki().ca()); }
};

TEST_F(tls_delivery, kept_alive_tls_connections_are_reused) {
  webhook_sink tls_sink{pki().server()};
  auto p = webhook(tls_sink.url("/hook", "localhost"));
  for (int i = 0; i < 5; ++i) {
    const auto res = get(tls_sink.url("/hook", "localhost"));
    ASSERT_EQ(res.status, 200) << i << ": " << res.error;
    EXPECT_EQ(res.reused_connection, i > 0) << i;
  }
  EXPECT_EQ(send(*p, message()).outcome.http_status, 200);
  EXPECT_EQ(tls_sink.connections_accepted(), 1u);
}

TEST_F(tls_delivery, a_dropped_kept_alive_tls_connection_is_retried_on_a_new_one) {
  webhook_sink tls_sink{pki().server()};
  tls_sink.script({{kind::respond, 200, {}, ""}, {kind::drop}, {kind::respond, 200, {}, ""}});
  EXPECT_EQ(get(tls_sink.url("/one", "localhost")).status, 200);
  const auto res = get(tls_sink.url("/two", "localhost"));
  EXPECT_EQ(res.status, 200) << res.error;
  EXPECT_FALSE(res.reused_connection);
  EXPECT_EQ(tls_sink.connections_accepted(), 2u);
}

TEST_F(tls_delivery, the_peer_is_still_verified) {
  webhook_sink tls_sink{pki().server()};
  const auto res = get(tls_sink.url("/hook", "127.0.0.1"));  // the certificate is for localhost only
  EXPECT_EQ(res.status, 0);
  EXPECT_NE(res.error.find("certificate verify failed"), std::string::npos) << res.error;
  EXPECT_TRUE(tls_sink.requests().empty());
}

}  // namespace
}  // namespace rollcall::testing
