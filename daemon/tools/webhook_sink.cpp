// rollcall-webhook-sink: a tiny local receiver that prints each webhook rollcalld delivers
// (channel, recipient, text) and checks its Standard Webhooks signature. Used by
// scripts/demo, and handy for an admin trying a configuration before pointing it at a
// real provider. Not for production: it prints message contents.
//
//   ROLLCALL_WEBHOOK_SECRET=whsec_... [ROLLCALL_ALERT_WEBHOOK_SECRET=whsec_...]
//     rollcall-webhook-sink --port 9000 [--port-file F]
// (secrets come from the environment, never argv, which every local user can read)
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "rollcall/delivery/signing.hpp"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

struct options {
  unsigned short port = 0;
  std::string secret, alert_secret, port_file;
};

void print(const http::request<http::string_body>& req, const options& opt) {
  const auto now = std::chrono::system_clock::now();
  const auto t = std::chrono::system_clock::to_time_t(now);
  char when[16];
  std::strftime(when, sizeof when, "%H:%M:%S", std::localtime(&t));
  const bool to_alerts = req.target().starts_with("/alerts");
  const auto key =
      rollcall::delivery::decode_webhook_secret(to_alerts && !opt.alert_secret.empty() ? opt.alert_secret : opt.secret);
  const bool valid = key && rollcall::delivery::verify_webhook(
                                *key, req["webhook-id"], req["webhook-timestamp"], req.body(), req["webhook-signature"],
                                std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  boost::system::error_code ec;
  auto body = boost::json::parse(req.body(), ec);
  std::string kind = "?", channel = "?", to = "?", text = req.body();
  if (!ec && body.is_object()) {
    auto& o = body.as_object();
    auto get = [&](const char* k) {
      return o.contains(k) && o.at(k).is_string() ? std::string{o.at(k).as_string()} : std::string{};
    };
    kind = get("type") == "staff_alert" ? "ALERT   " : "REMINDER";
    channel = get("channel");
    to = channel == "webhook" ? "counselor webhook " + std::string{req.target()} : get("to");
    text = get("text");
  }
  static std::mutex out_mutex;
  std::lock_guard lock{out_mutex};
  std::cout << when << "  " << kind << "  via " << channel << " to " << to << "  [signature "
            << (valid ? "valid" : "INVALID") << "]\n           \"" << text << "\"\n"
            << std::flush;
}

void serve(tcp::socket socket, const options& opt) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(1 << 20);
    http::read(socket, buffer, parser, ec);
    if (ec) break;
    auto req = parser.release();
    print(req, opt);
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    res.body() = "{\"received\":true}";
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    http::write(socket, res, ec);
    if (ec || !req.keep_alive()) break;
  }
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--port")
      opt.port = static_cast<unsigned short>(std::stoi(argv[i + 1]));
    else if (flag == "--port-file")
      opt.port_file = argv[i + 1];
    else {
      std::cerr << "usage: ROLLCALL_WEBHOOK_SECRET=whsec_... rollcall-webhook-sink --port N [--port-file F]\n";
      return 2;
    }
  }
  if (const char* v = std::getenv("ROLLCALL_WEBHOOK_SECRET")) opt.secret = v;
  if (const char* v = std::getenv("ROLLCALL_ALERT_WEBHOOK_SECRET")) opt.alert_secret = v;
  try {
    net::io_context io;
    tcp::acceptor acceptor{io, {net::ip::make_address("127.0.0.1"), opt.port}};
    if (!opt.port_file.empty()) std::ofstream(opt.port_file) << acceptor.local_endpoint().port() << "\n";
    for (;;) std::thread{serve, acceptor.accept(), std::cref(opt)}.detach();
  } catch (const std::exception& e) {
    std::cerr << "rollcall-webhook-sink: " << e.what() << "\n";
    return 1;
  }
}
