// The API listener's TLS: a server context built from a PEM certificate chain and private key
// with Mozilla's "intermediate" settings (TLS 1.2 and 1.3 only, ECDHE with AEAD ciphers, no
// compression, no renegotiation). Each load makes a new context, so a reload never disturbs
// the connections that began with the old one.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include <boost/asio/ssl/context.hpp>

namespace rollcall::http {

// What the leaf certificate says, for the start-up and reload log lines.
struct tls_certificate_info {
  std::string subject;    // e.g. "CN=rollcall.example.org"
  std::string serial;     // hexadecimal
  std::string not_after;  // e.g. "Jun  1 12:00:00 2026 GMT"
  bool expired = false;
};

struct server_tls {
  std::shared_ptr<boost::asio::ssl::context> context;
  tls_certificate_info certificate;
};

// Which file a load failed on, with OpenSSL's reason.
class tls_file_error : public std::runtime_error {
 public:
  enum class which { certificate_chain, private_key };
  tls_file_error(which file, const std::string& message) : std::runtime_error(message), file_(file) {}
  which file() const { return file_; }

 private:
  which file_;
};

// Reads both files and checks that the key belongs to the certificate; throws tls_file_error.
server_tls load_server_tls(const std::string& certificate_chain, const std::string& private_key);

}  // namespace rollcall::http
