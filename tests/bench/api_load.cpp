#include "api_load.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace rollcall::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

double api_load_result::percentile(double q) const {
  if (latencies_ms.empty()) return 0;
  auto sorted = latencies_ms;
  std::sort(sorted.begin(), sorted.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

namespace {

struct shared {
  tcp::endpoint endpoint;
  std::string authorization;
  int expected_status;
  const std::function<std::optional<api_request>()>& next;
  const std::function<bool()>& stop;
  api_load_result& out;
  steady::time_point last_answer;
};

net::awaitable<void> connection(shared& s) {
  try {
    beast::tcp_stream stream{co_await net::this_coro::executor};
    co_await stream.async_connect(s.endpoint, net::use_awaitable);
    stream.socket().set_option(tcp::no_delay{true});
    beast::flat_buffer buffer;
    while (!s.stop()) {
      auto item = s.next();
      if (!item) break;
      http::request<http::string_body> req{http::verb::post, item->target, 11};
      req.set(http::field::host, "127.0.0.1");
      req.set(http::field::authorization, s.authorization);
      req.set(http::field::content_type, "application/json");
      req.body() = std::move(item->body);
      req.prepare_payload();
      req.keep_alive(true);
      const auto t = steady::now();
      co_await http::async_write(stream, req, net::use_awaitable);
      http::response<http::string_body> res;
      co_await http::async_read(stream, buffer, res, net::use_awaitable);
      s.last_answer = steady::now();
      s.out.latencies_ms.push_back(std::chrono::duration<double, std::milli>(s.last_answer - t).count());
      if (res.result_int() == static_cast<unsigned>(s.expected_status)) {
        ++s.out.answered;
      } else {
        if (s.out.failed++ == 0)
          s.out.first_failure = std::to_string(res.result_int()) + " " + res.body().substr(0, 300);
      }
      if (!res.keep_alive()) break;
    }
  } catch (const std::exception& e) {
    if (s.out.failed++ == 0) s.out.first_failure = e.what();
  }
}

}  // namespace

api_load_result run_api_load(unsigned short port, const std::string& token, int connections, int expected_status,
                             const std::function<std::optional<api_request>()>& next,
                             const std::function<bool()>& stop) {
  api_load_result out;
  net::io_context io{1};
  shared s{tcp::endpoint{net::ip::make_address("127.0.0.1"), port},
           "Bearer " + token,
           expected_status,
           next,
           stop,
           out,
           steady::now()};
  const auto t0 = steady::now();
  for (int i = 0; i < connections; ++i) net::co_spawn(io, connection(s), net::detached);
  io.run();
  out.seconds = std::chrono::duration<double>(s.last_answer - t0).count();
  return out;
}

}  // namespace rollcall::bench
