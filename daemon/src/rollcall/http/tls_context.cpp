#include "rollcall/http/tls_context.hpp"

#include <fstream>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace rollcall::http {

namespace net = boost::asio;

namespace {

// Mozilla's "intermediate" TLS 1.2 suites without the DHE ones (they need DH parameters, and
// every client that can reach a TLS 1.2+ server offers ECDHE). TLS 1.3 keeps OpenSSL's
// default suites, all of which are AEAD.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* key_exchange_groups = "X25519:P-256:P-384";

// Drains OpenSSL's error queue into one line (its reasons, e.g. "no start line").
std::string openssl_reasons() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(e);
    char buf[256];
    if (!reason) {
      ERR_error_string_n(e, buf, sizeof buf);
      reason = buf;
    }
    if (!out.empty()) out += "; ";
    out += reason;
  }
  return out.empty() ? std::string{"unknown OpenSSL error"} : out;
}

// `with_reasons`: append OpenSSL's reasons in parentheses.
[[noreturn]] void fail(tls_file_error::which which, const std::string& path, const char* what,
                       bool with_reasons = true) {
  std::string message = "cannot load ";
  message += path;
  message += ": ";
  message += what;
  if (with_reasons) {
    message += " (";
    message += openssl_reasons();
    message += ")";
  }
  ERR_clear_error();
  throw tls_file_error(which, message);
}

void require_readable(tls_file_error::which which, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(which, path, "cannot read the file (missing, or not readable by this user)", false);
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out = n > 0 ? std::string{data, static_cast<std::size_t>(n)} : std::string{};
  BIO_free(bio);
  return out;
}

tls_certificate_info describe(X509* leaf) {
  tls_certificate_info info;
  if (!leaf) return info;
  BIO* subject = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(subject, X509_get_subject_name(leaf), 0, XN_FLAG_RFC2253);
  info.subject = bio_text(subject);
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(leaf), nullptr)) {
    if (char* hex = BN_bn2hex(bn)) {
      info.serial = hex;
      OPENSSL_free(hex);
    }
    BN_free(bn);
  }
  BIO* not_after = BIO_new(BIO_s_mem());
  ASN1_TIME_print(not_after, X509_get0_notAfter(leaf));
  info.not_after = bio_text(not_after);
  info.expired = X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0;
  return info;
}

}  // namespace

server_tls load_server_tls(const std::string& certificate_chain, const std::string& private_key) {
  using which = tls_file_error::which;
  require_readable(which::certificate_chain, certificate_chain);
  require_readable(which::private_key, private_key);
  ERR_clear_error();

  auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, tls12_ciphers) != 1 ||
      SSL_CTX_set1_groups_list(native, key_exchange_groups) != 1) {
    std::string message = "OpenSSL refused the TLS settings: ";
    message += openssl_reasons();
    throw std::runtime_error(message);
  }
  // Compression invites CRIME; renegotiation is a denial-of-service lever and nothing here
  // needs it. Mozilla's intermediate profile leaves the cipher choice to the client (all the
  // suites are strong; a phone may prefer ChaCha20).
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_clear_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE);
  // An encrypted key would make OpenSSL prompt on the terminal for a passphrase: refuse it.
  SSL_CTX_set_default_passwd_cb(native, [](char*, int, int, void*) { return 0; });

  if (SSL_CTX_use_certificate_chain_file(native, certificate_chain.c_str()) != 1)
    fail(which::certificate_chain, certificate_chain, "not a PEM certificate chain");
  if (SSL_CTX_use_PrivateKey_file(native, private_key.c_str(), SSL_FILETYPE_PEM) != 1)
    fail(which::private_key, private_key, "not an unencrypted PEM private key for this certificate");
  if (SSL_CTX_check_private_key(native) != 1)
    fail(which::private_key, private_key, "the key does not belong to the certificate");
  return {std::move(ctx), describe(SSL_CTX_get0_certificate(native))};
}

}  // namespace rollcall::http
