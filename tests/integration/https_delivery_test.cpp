// Deliveries over HTTPS verify the peer: a certificate from a CA made in the test is accepted
// through delivery.ca_file; the same server is refused without it, under another host name,
// or when it speaks nothing newer than TLS 1.1.
#include <openssl/ssl.h>
#include <pqxx/pqxx>

#include "clinic_fixture.hpp"
#include "test_pki.hpp"

namespace rollcall::testing {
namespace {

using namespace std::chrono_literals;

class https_delivery : public clinic_test {
 protected:
  test_pki pki;
  webhook_sink tls_sink{pki.server()};

  std::string last_error() {
    pqxx::connection c{db_url};
    pqxx::read_transaction tx{c};
    auto r = tx.exec("SELECT coalesce(last_error, '') FROM outbox ORDER BY id LIMIT 1");
    return r.empty() ? std::string{} : r[0][0].as<std::string>();
  }
};

TEST_F(https_delivery, a_certificate_from_the_configured_ca_is_accepted) {
  start_daemon({.lead_times = R"(["1h"])",
                .grace = "1h",
                .provider_url = tls_sink.url("/provider", "localhost"),
                .ca_file = pki.ca()});
  const auto client = enrol_one_client().client;
  ASSERT_TRUE(tls_sink.wait_for([](const auto& all) { return !all.empty(); }, 30s)) << daemon->log();
  const auto body = boost::json::parse(tls_sink.requests()[0].body);
  EXPECT_EQ(body.at("client_id").as_int64(), client);
  EXPECT_TRUE(eventually([&] { return last_error().empty(); }, 5s));
}

TEST_F(https_delivery, an_unknown_ca_is_refused) {
  start_daemon({.lead_times = R"(["1h"])", .grace = "1h", .provider_url = tls_sink.url("/provider", "localhost")});
  enrol_one_client();
  EXPECT_TRUE(eventually([&] { return !last_error().empty(); }, 30s)) << daemon->log();
  EXPECT_NE(last_error().find("certificate verify failed"), std::string::npos) << last_error();
  EXPECT_TRUE(tls_sink.requests().empty());
}

TEST_F(https_delivery, a_certificate_for_another_host_name_is_refused) {
  start_daemon({.lead_times = R"(["1h"])",
                .grace = "1h",
                .provider_url = tls_sink.url("/provider", "127.0.0.1"),
                .ca_file = pki.ca()});
  enrol_one_client();
  EXPECT_TRUE(eventually([&] { return !last_error().empty(); }, 30s)) << daemon->log();
  EXPECT_NE(last_error().find("certificate verify failed"), std::string::npos) << last_error();
  EXPECT_TRUE(tls_sink.requests().empty());
}

TEST_F(https_delivery, a_provider_without_tls_1_2_is_refused) {
  auto files = pki.server();
  files.max_version = TLS1_1_VERSION;
  webhook_sink old_sink{files};
  start_daemon({.lead_times = R"(["1h"])",
                .grace = "1h",
                .provider_url = old_sink.url("/provider", "localhost"),
                .ca_file = pki.ca()});
  enrol_one_client();
  EXPECT_TRUE(eventually([&] { return !last_error().empty(); }, 30s)) << daemon->log();
  EXPECT_NE(last_error().find("protocol"), std::string::npos) << last_error();
  EXPECT_TRUE(old_sink.requests().empty());
}

}  // namespace
}  // namespace rollcall::testing
