#include "rollcall/delivery/http_client.hpp"

#include <charconv>

#include <openssl/ssl.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

namespace rollcall::delivery {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using namespace net::experimental::awaitable_operators;

namespace {

constexpr std::size_t response_body_limit = 64 * 1024;  // we only need the status

std::optional<std::chrono::seconds> parse_retry_after(std::string_view v) {
  long long s = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), s);
  if (ec != std::errc{} || ptr != v.data() + v.size() || s < 0) return std::nullopt;
  return std::chrono::seconds{s};
}

template <class Stream>
net::awaitable<http_response> exchange(Stream& stream, http::request<http::string_body>& req) {
  co_await http::async_write(stream, req, net::use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(response_body_limit);
  // Only the status matters: a 2xx whose body is larger than we care to read still counts.
  auto [ec, n] = co_await http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
  (void)n;
  if (ec && !(ec == http::error::body_limit && parser.is_header_done())) throw boost::system::system_error{ec};
  const auto& res = parser.get();
  http_response out;
  out.status = static_cast<int>(res.result_int());
  if (auto it = res.find(http::field::retry_after); it != res.end()) out.retry_after = parse_retry_after(it->value());
  co_return out;
}

}  // namespace

net::ssl::context make_client_tls_context(const std::string& ca_file) {
  net::ssl::context ctx{net::ssl::context::tls_client};
  ctx.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 | net::ssl::context::no_sslv3 |
                  net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
  ctx.set_default_verify_paths();
  if (!ca_file.empty()) ctx.load_verify_file(ca_file);
  ctx.set_verify_mode(net::ssl::verify_peer);
  return ctx;
}

net::awaitable<http_response> http_client::post(const std::string& url, const header_list& headers,
                                                const std::string& body, std::chrono::milliseconds timeout) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) co_return http_response{0, std::nullopt, "invalid URL"};
  const bool https = parsed->scheme() == "https";
  const std::string host = parsed->host_address();
  const std::string port = parsed->has_port() ? std::string{parsed->port()} : (https ? "443" : "80");
  std::string target{parsed->encoded_target()};
  if (target.empty()) target = "/";

  http::request<http::string_body> req{http::verb::post, target, 11};
  req.set(http::field::host, std::string_view{parsed->encoded_host_and_port()});
  req.set(http::field::user_agent, "rollcalld");
  req.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  try {
    tcp::resolver resolver{ex_};
    net::steady_timer timer{ex_, deadline};
    // Named awaitables: see the GCC 12 note in store/db_pool.hpp.
    auto resolve = resolver.async_resolve(host, port, net::use_awaitable);
    auto expire = timer.async_wait(net::use_awaitable);
    auto either = std::move(resolve) || std::move(expire);
    auto resolved = co_await std::move(either);
    if (resolved.index() == 1) co_return http_response{0, std::nullopt, "timeout resolving host"};
    auto endpoints = std::get<0>(std::move(resolved));

    beast::tcp_stream tcp_stream{ex_};
    tcp_stream.expires_at(deadline);
    co_await tcp_stream.async_connect(endpoints, net::use_awaitable);
    if (!https) {
      auto res = co_await exchange(tcp_stream, req);
      beast::error_code ignored;
      tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      co_return res;
    }
    beast::ssl_stream<beast::tcp_stream> tls{std::move(tcp_stream), tls_};
    // SNI carries names only (RFC 6066); an IP literal is still checked against the certificate.
    if (parsed->host_type() == boost::urls::host_type::name &&
        !SSL_set_tlsext_host_name(tls.native_handle(), host.c_str()))
      co_return http_response{0, std::nullopt, "cannot set TLS server name"};
    tls.set_verify_callback(net::ssl::host_name_verification(host));
    co_await tls.async_handshake(net::ssl::stream_base::client, net::use_awaitable);
    auto res = co_await exchange(tls, req);
    // Many servers close without a TLS close_notify; stream_truncated here is not an error.
    beast::get_lowest_layer(tls).expires_after(std::chrono::seconds{1});
    auto [ec] = co_await tls.async_shutdown(net::as_tuple(net::use_awaitable));
    (void)ec;
    co_return res;
  } catch (const boost::system::system_error& e) {
    const bool timed_out = e.code() == beast::error::timeout || std::chrono::steady_clock::now() >= deadline;
    co_return http_response{0, std::nullopt, timed_out ? std::string{"timeout"} : e.code().message()};
  }
}

}  // namespace rollcall::delivery
