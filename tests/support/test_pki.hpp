// A throwaway CA and server certificates for DNS:localhost, made with the openssl command, for
// HTTPS peers in tests (webhook_sink with tls_files) and rollcalld's own HTTPS listener.
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
    run("openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=rollcall-test-ca");
    issue("server");
  }

  // Another certificate from this CA (its own key and serial): NAME.pem and NAME.key.
  tls_files issue(const std::string& name, const std::string& subject_alt_name = "DNS:localhost") {
    std::string script = "openssl req -newkey rsa:2048 -nodes -keyout " + name + ".key -out " + name +
                         ".csr -subj /CN=localhost && printf 'subjectAltName=" + subject_alt_name + "\\n' > " + name +
                         ".cnf && openssl x509 -req -in " + name + ".csr -CA ca.pem -CAkey ca.key " +
                         "-CAcreateserial -out " + name + ".pem -days 2 -extfile " + name + ".cnf";
    run(script);
    return {(dir.path() / (name + ".pem")).string(), (dir.path() / (name + ".key")).string()};
  }

 private:
  void run(const std::string& command) const {
    const auto d = dir.path().string();
    if (std::system(("cd " + d + " && (" + command + ") >>" + d + "/openssl.log 2>&1").c_str()) != 0)
      throw std::runtime_error("openssl failed; see " + d + "/openssl.log");
  }
};

}  // namespace rollcall::testing
