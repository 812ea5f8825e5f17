// A throwaway CA and a server certificate for DNS:localhost only, made with the openssl command,
// for HTTPS peers in tests (webhook_sink with tls_files).
#pragma once

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "daemon_process.hpp"
#include "webhook_sink.hpp"

namespace rollcall::testing {

struct test_pki {
  temp_dir dir;
  std::string ca() const { return (dir.path() / "ca.pem").string(); }
  tls_files server() const { return {(dir.path() / "server.pem").string(), (dir.path() / "server.key").string()}; }

  test_pki() {
    const auto d = dir.path().string();
    const std::string script =
        "cd " + d +
        " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 "
        "-subj /CN=rollcall-test-ca && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
        "-subj /CN=localhost && printf 'subjectAltName=DNS:localhost\\n' > ext.cnf && openssl x509 -req -in server.csr "
        "-CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf";
    if (std::system((script + " >" + d + "/openssl.log 2>&1").c_str()) != 0)
      throw std::runtime_error("openssl failed; see " + d + "/openssl.log");
  }
};

}  // namespace rollcall::testing
