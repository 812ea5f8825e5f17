// The API over HTTPS (server.tls_certificate / tls_private_key) with a CA made in the test: a
// verifying client is served; plain HTTP, TLS 1.0/1.1 and weak TLS 1.2 ciphers are refused;
// SIGHUP loads a renewed certificate for new connections (a broken one keeps the old one);
// idle and never-handshaking clients are cut off; bad files are config errors (exit 78).
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "daemon_process.hpp"
#include "pg_cluster.hpp"
#include "staff_session.hpp"
#include "test_pki.hpp"

namespace rollcall::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string serial_hex(X509* cert) {
  std::string out;
  if (!cert) return out;
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)) {
    if (char* hex = BN_bn2hex(bn)) {
      out = hex;
      OPENSSL_free(hex);
    }
    BN_free(bn);
  }
  return out;
}

// The serial number of the (first) certificate in a PEM file.
std::string serial_of_file(const std::string& pem) {
  FILE* f = std::fopen(pem.c_str(), "r");
  if (!f) return {};
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  auto out = serial_hex(cert);
  X509_free(cert);
  return out;
}

// A TCP connection to 127.0.0.1:port with a receive timeout, so no test can hang on it.
int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("connect failed");
  }
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// A blocking TLS client on plain OpenSSL, so each test can pin protocol versions and ciphers
// and look at what the server presented. Verifies the chain against `ca` and the name localhost.
class tls_client {
 public:
  struct options {
    int min_version = 0;  // 0: the library's default
    int max_version = 0;
    std::string tls12_ciphers;  // empty: the library's default
    // OpenSSL on Debian refuses TLS < 1.2 (and SHA-1 suites) by itself at its default level:
    // 0 lets this client offer them, so a refusal must come from the server.
    bool security_level_0 = false;
  };

  tls_client(std::uint16_t port, const std::string& ca, const options& o) : fd_(connect_to(port)) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (o.security_level_0) SSL_CTX_set_security_level(ctx_, 0);
    if (o.min_version) SSL_CTX_set_min_proto_version(ctx_, o.min_version);
    if (o.max_version) SSL_CTX_set_max_proto_version(ctx_, o.max_version);
    if (!o.tls12_ciphers.empty() && SSL_CTX_set_cipher_list(ctx_, o.tls12_ciphers.c_str()) != 1)
      throw std::runtime_error("this OpenSSL cannot offer " + o.tls12_ciphers);
    SSL_CTX_load_verify_locations(ctx_, ca.c_str(), nullptr);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    SSL_set_tlsext_host_name(ssl_, "localhost");
    SSL_set1_host(ssl_, "localhost");
  }
  tls_client(std::uint16_t port, const std::string& ca) : tls_client(port, ca, options{}) {}
  ~tls_client() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
    ::close(fd_);
  }
  tls_client(const tls_client&) = delete;
  tls_client& operator=(const tls_client&) = delete;

  // True once the handshake succeeded (and the certificate verified); else error() says why.
  bool handshake() {
    ERR_clear_error();
    if (SSL_connect(ssl_) == 1) return true;
    while (const unsigned long e = ERR_get_error()) {
      char buf[256];
      ERR_error_string_n(e, buf, sizeof buf);
      error_ += buf;
      error_ += "; ";
    }
    if (error_.empty()) error_ = "handshake failed without an OpenSSL error (connection closed)";
    return false;
  }
  const std::string& error() const { return error_; }
  int version() const { return SSL_version(ssl_); }
  std::string cipher() const { return SSL_get_cipher_name(ssl_); }
  std::string peer_serial() const {
    X509* cert = SSL_get1_peer_certificate(ssl_);
    auto out = serial_hex(cert);
    X509_free(cert);
    return out;
  }

  // GET on this (kept-alive) connection; returns the status, 0 when no answer came.
  int get(const std::string& target) {
    std::string req = "GET ";
    req += target;
    req += " HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n";
    if (SSL_write(ssl_, req.data(), static_cast<int>(req.size())) <= 0) return 0;
    std::string got;
    std::size_t body_at = std::string::npos, length = 0;
    char buf[4096];
    for (;;) {
      if (body_at == std::string::npos && (body_at = got.find("\r\n\r\n")) != std::string::npos) {
        body_at += 4;
        auto pos = got.find("Content-Length: ");
        if (pos == std::string::npos) pos = got.find("content-length: ");
        length = pos == std::string::npos ? 0 : std::stoul(got.substr(pos + 16));
      }
      if (body_at != std::string::npos && got.size() >= body_at + length) break;
      const int n = SSL_read(ssl_, buf, sizeof buf);
      if (n <= 0) return 0;
      got.append(buf, static_cast<std::size_t>(n));
    }
    return got.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(got.substr(9, 3)) : 0;
  }

  // Blocks until the server closes the connection (true) or 10 s pass without that (false).
  bool closed_by_server() {
    char c;
    const int n = SSL_read(ssl_, &c, 1);
    if (n > 0) return false;
    const int err = SSL_get_error(ssl_, n);
    return err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && errno != EAGAIN && errno != EWOULDBLOCK) ||
           err == SSL_ERROR_SSL;
  }

 private:
  int fd_;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string error_;
};

void copy_over(const std::string& from, const fs::path& to) {
  // Write beside, then rename: the daemon never reads a half-written file.
  const auto tmp = to.string() + ".new";
  fs::copy_file(from, tmp, fs::copy_options::overwrite_existing);
  fs::rename(tmp, to);
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

class api_tls : public ::testing::Test {
 protected:
  test_pki pki;
  temp_dir tls_dir;
  fs::path certificate = tls_dir.path() / "api.pem";
  fs::path key = tls_dir.path() / "api.key";
  std::unique_ptr<daemon_process> daemon;

  void SetUp() override {
    copy_over(pki.server().certificate_chain, certificate);
    copy_over(pki.server().private_key, key);
  }

  // Keys before any table header land in the harness's [server] table.
  void start(const std::string& server_extra = "") {
    const auto url = shared_cluster().create_database();
    daemon =
        std::make_unique<daemon_process>("tls_certificate = \"" + certificate.string() + "\"\ntls_private_key = \"" +
                                         key.string() + "\"\n" + server_extra + "[database]\nurl = \"" + url + "\"\n");
    daemon->set_tls_ca(pki.ca());
    ASSERT_TRUE(daemon->start()) << daemon->log();
  }

  // Sends SIGHUP and waits for the reload's outcome (`expect`) to show up once more in the log.
  bool reload_and_wait_for(const std::string& expect) {
    const auto before = count_of(daemon->log(), expect);
    daemon->send_signal(SIGHUP);
    return eventually([&] { return count_of(daemon->log(), expect) > before; }, 20s);
  }
};

TEST_F(api_tls, a_verifying_client_is_served_over_https_and_plain_http_is_refused) {
  start();
  const auto ready = daemon->get("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(daemon->post("/v1/sites", {{"name", "Eastside"}, {"time_zone", "Europe/London"}}).status, 201);
  EXPECT_NE(daemon->log().find("(HTTPS only)"), std::string::npos) << daemon->log();

  // The same port in plain HTTP gets no HTTP answer.
  daemon->set_tls_ca("");
  EXPECT_ANY_THROW(daemon->get("/readyz"));
  // A client that trusts another CA refuses the certificate.
  test_pki other;
  tls_client stranger{daemon->port(), other.ca()};
  EXPECT_FALSE(stranger.handshake());
  EXPECT_NE(stranger.error().find("certificate verify failed"), std::string::npos) << stranger.error();
  // And the daemon still serves verifying clients.
  daemon->set_tls_ca(pki.ca());
  EXPECT_EQ(daemon->get("/readyz").status, 200);
}

TEST_F(api_tls, tls_1_2_and_1_3_are_served_and_1_0_and_1_1_refused_by_the_server) {
  start();
  tls_client tls13{daemon->port(), pki.ca()};
  ASSERT_TRUE(tls13.handshake()) << tls13.error();
  EXPECT_EQ(tls13.version(), TLS1_3_VERSION);
  EXPECT_EQ(tls13.get("/healthz"), 200);

  tls_client tls12{daemon->port(), pki.ca(), {.max_version = TLS1_2_VERSION}};
  ASSERT_TRUE(tls12.handshake()) << tls12.error();
  EXPECT_EQ(tls12.version(), TLS1_2_VERSION);
  EXPECT_EQ(tls12.get("/healthz"), 200);

  for (const int old : {TLS1_1_VERSION, TLS1_VERSION}) {
    tls_client client{daemon->port(), pki.ca(), {.min_version = old, .max_version = old, .security_level_0 = true}};
    EXPECT_FALSE(client.handshake()) << "version " << old << " was accepted";
    // The server's protocol_version alert, not a refusal of this client's own library.
    EXPECT_NE(client.error().find("alert protocol version"), std::string::npos) << client.error();
  }
}

TEST_F(api_tls, weak_tls_1_2_ciphers_are_refused_and_strong_ones_served) {
  start();
  // RSA key exchange (no forward secrecy), with CBC and SHA-1 or with GCM, and ECDHE with CBC
  // and SHA-1 or SHA-256: each offered alone.
  for (const char* weak : {"AES128-SHA", "AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES128-SHA256"}) {
    tls_client client{
        daemon->port(), pki.ca(), {.max_version = TLS1_2_VERSION, .tls12_ciphers = weak, .security_level_0 = true}};
    EXPECT_FALSE(client.handshake()) << weak << " was accepted";
    EXPECT_NE(client.error().find("alert handshake failure"), std::string::npos) << weak << ": " << client.error();
  }
  for (const char* strong :
       {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305"}) {
    tls_client client{daemon->port(), pki.ca(), {.max_version = TLS1_2_VERSION, .tls12_ciphers = strong}};
    ASSERT_TRUE(client.handshake()) << strong << ": " << client.error();
    EXPECT_EQ(client.cipher(), strong);
    EXPECT_EQ(client.get("/healthz"), 200);
  }
}

TEST_F(api_tls, sighup_serves_a_renewed_certificate_to_new_connections_and_keeps_open_ones) {
  start();
  const auto first = serial_of_file(pki.server().certificate_chain);
  tls_client before{daemon->port(), pki.ca()};
  ASSERT_TRUE(before.handshake()) << before.error();
  EXPECT_EQ(before.peer_serial(), first);
  EXPECT_EQ(before.get("/healthz"), 200);

  const auto renewed = pki.issue("renewed");
  const auto second = serial_of_file(renewed.certificate_chain);
  ASSERT_NE(first, second);
  copy_over(renewed.certificate_chain, certificate);
  copy_over(renewed.private_key, key);
  ASSERT_TRUE(reload_and_wait_for("reload: configuration reloaded")) << daemon->log();
  EXPECT_NE(daemon->log().find("reload: TLS certificate CN=localhost (serial " + second + ")"), std::string::npos)
      << daemon->log();

  tls_client after{daemon->port(), pki.ca()};
  ASSERT_TRUE(after.handshake()) << after.error();
  EXPECT_EQ(after.peer_serial(), second);
  EXPECT_EQ(after.get("/healthz"), 200);
  // The connection opened before the reload goes on, with the certificate it began with.
  EXPECT_EQ(before.get("/healthz"), 200);
  EXPECT_EQ(before.get("/readyz"), 200);
  EXPECT_EQ(before.peer_serial(), first);
}

TEST_F(api_tls, a_broken_certificate_or_a_foreign_key_on_sighup_keeps_the_old_certificate) {
  start();
  const auto first = serial_of_file(pki.server().certificate_chain);
  const auto failed = "reload: kept the running configuration";

  std::ofstream(certificate, std::ios::trunc) << "-----BEGIN CERTIFICATE-----\nnot base64\n";
  ASSERT_TRUE(reload_and_wait_for(failed)) << daemon->log();
  EXPECT_NE(daemon->log().find("key 'server.tls_certificate'"), std::string::npos) << daemon->log();
  {
    tls_client client{daemon->port(), pki.ca()};
    ASSERT_TRUE(client.handshake()) << client.error();
    EXPECT_EQ(client.peer_serial(), first);
    EXPECT_EQ(client.get("/healthz"), 200);
  }

  // A good certificate with a key that is not its own.
  const auto renewed = pki.issue("renewed");
  copy_over(renewed.certificate_chain, certificate);
  ASSERT_TRUE(reload_and_wait_for(failed)) << daemon->log();
  EXPECT_NE(daemon->log().find("key 'server.tls_private_key'"), std::string::npos) << daemon->log();
  tls_client client{daemon->port(), pki.ca()};
  ASSERT_TRUE(client.handshake()) << client.error();
  EXPECT_EQ(client.peer_serial(), first);
  EXPECT_EQ(daemon->get("/readyz").status, 200);

  // Once the pair matches again, the reload takes it.
  copy_over(renewed.private_key, key);
  ASSERT_TRUE(reload_and_wait_for("reload: configuration reloaded")) << daemon->log();
  tls_client fixed{daemon->port(), pki.ca()};
  ASSERT_TRUE(fixed.handshake()) << fixed.error();
  EXPECT_EQ(fixed.peer_serial(), serial_of_file(renewed.certificate_chain));
}

TEST_F(api_tls, silent_clients_are_disconnected_after_the_idle_timeout) {
  start("request_timeout = \"1s\"\n");
  // Connects and never starts the handshake.
  {
    const int fd = connect_to(daemon->port());
    const auto began = std::chrono::steady_clock::now();
    char c;
    const auto n = ::recv(fd, &c, 1, 0);
    const auto took = std::chrono::steady_clock::now() - began;
    ::close(fd);
    EXPECT_EQ(n, 0) << "expected the server to close the connection";
    EXPECT_GE(took, 900ms);
    EXPECT_LT(took, 8s);
  }
  // Finishes the handshake, then sends no request.
  {
    tls_client client{daemon->port(), pki.ca()};
    ASSERT_TRUE(client.handshake()) << client.error();
    const auto began = std::chrono::steady_clock::now();
    EXPECT_TRUE(client.closed_by_server());
    const auto took = std::chrono::steady_clock::now() - began;
    EXPECT_GE(took, 900ms);
    EXPECT_LT(took, 8s);
  }
  EXPECT_EQ(daemon->get("/healthz").status, 200);
}

TEST_F(api_tls, https_sign_ins_get_a_secure_cookie_though_web_cookie_secure_is_off) {
  start();
  const auto staff = daemon->post("/v1/staff", {{"name", "Staff casey"}, {"email", "casey@example.org"}});
  ASSERT_EQ(staff.status, 201) << staff.body;
  const auto id = std::to_string(staff.json().at("id").as_int64());
  const auto login =
      daemon->request("PUT", "/v1/staff/" + id + "/login",
                      R"({"username":"casey","password":"plain-Password-42","role":"admin","site_ids":[]})");
  ASSERT_EQ(login.status, 200) << login.body;
  const auto s = sign_in(*daemon, "casey", "plain-Password-42");
  EXPECT_TRUE(s.answer.set_cookie.starts_with("rollcall_session=")) << s.answer.set_cookie;
  EXPECT_NE(s.answer.set_cookie.find("; Secure"), std::string::npos) << s.answer.set_cookie;
}

class api_tls_config : public api_tls {};

TEST_F(api_tls_config, unusable_certificate_files_stop_start_up_with_a_config_error) {
  const auto other = pki.issue("other");
  struct bad_case {
    std::string certificate, key, must_mention;
  };
  const std::string missing = (tls_dir.path() / "missing.pem").string();
  const auto garbage = tls_dir.path() / "garbage.pem";
  std::ofstream(garbage) << "not a certificate\n";
  for (const auto& c : std::vector<bad_case>{
           {missing, key.string(), "key 'server.tls_certificate': cannot load " + missing},
           {certificate.string(), missing, "key 'server.tls_private_key'"},
           {garbage.string(), key.string(), "key 'server.tls_certificate'"},
           {certificate.string(), garbage.string(), "key 'server.tls_private_key'"},
           {certificate.string(), other.private_key, "key 'server.tls_private_key'"},
           {certificate.string(), "", "key 'server.tls_private_key': required"},
       }) {
    daemon_process d{"tls_certificate = \"" + c.certificate + "\"\ntls_private_key = \"" + c.key + "\"\n"};
    EXPECT_EQ(d.run_to_exit({"--config", d.config_path().string(), "--check-config"}), 78) << d.log();
    EXPECT_NE(d.log().find(c.must_mention), std::string::npos) << d.log();
    // Starting for real stops the same way, before touching any database.
    EXPECT_EQ(d.run_to_exit({"--config", d.config_path().string()}), 78) << d.log();
  }
  daemon_process good{"tls_certificate = \"" + certificate.string() + "\"\ntls_private_key = \"" + key.string() +
                      "\"\n"};
  EXPECT_EQ(good.run_to_exit({"--config", good.config_path().string(), "--check-config"}), 0) << good.log();
}

}  // namespace
}  // namespace rollcall::testing
