#include "rollcall/delivery/http_client.hpp"

#include <sys/socket.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <stdexcept>

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

// One connection, plain or TLS. TLS sessions are kept with their connection: a reused one skips the
// handshake, and its peer was verified (under this origin's host name) when it was opened.
struct http_client::connection {
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

namespace {

constexpr std::size_t response_body_limit = 64 * 1024;

std::optional<std::chrono::seconds> parse_retry_after(std::string_view v) {
  long long s = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), s);
  if (ec != std::errc{} || ptr != v.data() + v.size() || s < 0) return std::nullopt;
  return std::chrono::seconds{s};
}

struct exchange_result {
  http_response response;
  boost::system::error_code ec;   // set: no usable response
  bool nothing_received = false;  // failed before any response byte arrived (write failed, EOF, reset)
  bool keep_alive = false;        // the connection ended the response cleanly and may carry another
};

template <class Stream>
net::awaitable<void> read_body(Stream& stream, beast::flat_buffer& buffer,
                               http::response_parser<http::buffer_body>& parser, exchange_result& out) {
  char chunk[8192];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
    (void)n;
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      out.ec = ec;
      co_return;
    }
    const std::size_t got = sizeof chunk - parser.get().body().size;
    const std::size_t room = response_body_limit - out.response.body.size();
    out.response.body.append(chunk, std::min(got, room));
    // Only the start of a body matters (a provider's id or error code); the rest is not read,
    // so the connection is not reused.
    if (got > room) co_return;
  }
  out.keep_alive = parser.get().keep_alive() && buffer.size() == 0;
}

template <class Stream>
net::awaitable<exchange_result> exchange(Stream& stream, http::request<http::string_body>& req) {
  exchange_result out;
  auto [wec, wn] = co_await http::async_write(stream, req, net::as_tuple(net::use_awaitable));
  (void)wn;
  if (wec) {
    out.ec = wec;
    out.nothing_received = true;
    co_return out;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);                 // read_body stops at response_body_limit itself
  parser.skip(req.method() == http::verb::head);  // its Content-Length describes a body not sent
  auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, net::as_tuple(net::use_awaitable));
  (void)hn;
  if (hec) {
    out.ec = hec;
    out.nothing_received = !parser.got_some() && buffer.size() == 0;
    co_return out;
  }
  const auto& head = parser.get();
  out.response.status = static_cast<int>(head.result_int());
  for (const auto& f : head) {
    std::string name{f.name_string()};
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.response.headers.emplace_back(std::move(name), std::string{f.value()});
  }
  if (auto it = head.find(http::field::retry_after); it != head.end())
    out.response.retry_after = parse_retry_after(it->value());
  co_await read_body(stream, buffer, parser, out);
  co_return out;
}

http_response failure(const boost::system::error_code& ec, std::chrono::steady_clock::time_point deadline) {
  http_response out;
  if (ec == beast::error::timeout || std::chrono::steady_clock::now() >= deadline)
    out.error = "timeout";
  else if (ec == http::error::end_of_stream || ec == net::error::eof || ec == http::error::partial_message)
    out.error = "connection closed without a response";
  else if (ec == net::error::connection_reset)
    out.error = "connection reset";
  else
    out.error = ec.message();
  return out;
}

http_response error_response(std::string error) {
  http_response out;
  out.error = std::move(error);
  return out;
}

// Whether an idle connection still looks open: no EOF and no unsolicited bytes waiting. This
// saves a doomed write when the peer's keep-alive timer closed it; the retry in send() covers
// the race where it closes just as we write.
bool looks_open(int fd) {
  char byte = 0;
  const auto n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

http_client::http_client(net::any_io_executor ex, net::ssl::context& tls) : ex_(std::move(ex)), tls_(tls) {}

http_client::~http_client() = default;

void http_client::set_max_idle_per_origin(std::size_t n) {
  max_idle_per_origin_ = n;
  for (auto& [origin, list] : idle_)
    if (list.size() > n) list.erase(list.begin(), list.end() - static_cast<std::ptrdiff_t>(n));
}

void http_client::set_idle_timeout(std::chrono::milliseconds t) { idle_timeout_ = t; }

std::size_t http_client::idle_connections() const {
  std::size_t n = 0;
  for (const auto& [origin, list] : idle_) n += list.size();
  return n;
}

std::unique_ptr<http_client::connection> http_client::take_idle(const std::string& origin) {
  auto it = idle_.find(origin);
  if (it == idle_.end()) return nullptr;
  auto& list = it->second;
  const auto oldest_allowed = std::chrono::steady_clock::now() - idle_timeout_;
  std::erase_if(list, [&](const idle_connection& c) { return c.since < oldest_allowed; });
  std::unique_ptr<connection> found;
  // The most recently used first: it is the likeliest to be open, and the rest can age out.
  while (!list.empty() && !found) {
    auto candidate = std::move(list.back().conn);
    list.pop_back();
    if (looks_open(candidate->lowest().socket().native_handle())) found = std::move(candidate);
  }
  if (list.empty()) idle_.erase(it);
  return found;
}

void http_client::give_back(const std::string& origin, std::unique_ptr<connection> conn) {
  if (max_idle_per_origin_ == 0) return;
  conn->lowest().expires_never();
  auto& list = idle_[origin];
  list.push_back({std::move(conn), std::chrono::steady_clock::now()});
  if (list.size() > max_idle_per_origin_) list.erase(list.begin());
}

net::awaitable<std::unique_ptr<http_client::connection>> http_client::open(
    const std::string& host, const std::string& port, bool https, bool host_is_name,
    std::chrono::steady_clock::time_point deadline) {
  // A host-name lookup runs getaddrinfo on a background thread that cannot be interrupted, and
  // its resolver ignores cancellation until the lookup returns. So the lookup gets state of its
  // own, and we stop waiting at the deadline: a hung DNS server then costs the lookup's thread,
  // not this delivery's deadline (the late result is dropped).
  struct lookup {
    explicit lookup(const net::any_io_executor& ex) : resolver(ex), signal(ex) {}
    tcp::resolver resolver;
    net::steady_timer signal;
    boost::system::error_code ec;
    tcp::resolver::results_type results;
    bool done = false;
  };
  auto state = std::make_shared<lookup>(ex_);
  state->signal.expires_at(deadline);
  state->resolver.async_resolve(host, port, [state](boost::system::error_code ec, tcp::resolver::results_type results) {
    state->ec = ec;
    state->results = std::move(results);
    state->done = true;
    state->signal.cancel();
  });
  co_await state->signal.async_wait(net::as_tuple(net::use_awaitable));
  if (!state->done) throw boost::system::system_error{beast::error::timeout};
  if (state->ec) throw boost::system::system_error{state->ec};
  const auto endpoints = state->results;

  auto conn = std::make_unique<connection>();
  beast::tcp_stream stream{ex_};
  stream.expires_at(deadline);
  co_await stream.async_connect(endpoints, net::use_awaitable);
  if (!https) {
    conn->plain.emplace(std::move(stream));
    co_return conn;
  }
  conn->tls.emplace(std::move(stream), tls_);
  // SNI carries names only (RFC 6066); an IP literal is still checked against the certificate.
  if (host_is_name && !SSL_set_tlsext_host_name(conn->tls->native_handle(), host.c_str()))
    throw boost::system::system_error{net::error::invalid_argument, "cannot set TLS server name"};
  conn->tls->set_verify_callback(net::ssl::host_name_verification(host));
  co_await conn->tls->async_handshake(net::ssl::stream_base::client, net::use_awaitable);
  co_return conn;
}

net::awaitable<http_response> http_client::send(const http_request& request) {
  auto parsed = boost::urls::parse_absolute_uri(request.url);
  if (!parsed) co_return error_response("invalid URL");
  const bool https = parsed->scheme() == "https";
  if (!https && parsed->scheme() != "http") co_return error_response("unsupported URL scheme");
  const std::string host = parsed->host_address();
  const std::string port = parsed->has_port() ? std::string{parsed->port()} : (https ? "443" : "80");
  std::string target{parsed->encoded_target()};
  if (target.empty()) target = "/";
  const auto verb = http::string_to_verb(request.method);
  if (verb == http::verb::unknown) co_return error_response("invalid method");

  std::string origin{https ? "https://" : "http://"};
  for (char c : host) origin += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  origin += ':';
  origin += port;

  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, std::string_view{parsed->encoded_host_and_port()});
  req.set(http::field::user_agent, "rollcalld");
  if (!request.content_type.empty() &&
      (!request.body.empty() || verb == http::verb::post || verb == http::verb::put || verb == http::verb::patch))
    req.set(http::field::content_type, request.content_type);
  for (const auto& [name, value] : request.headers) req.set(name, value);
  req.body() = request.body;
  req.keep_alive(true);
  req.prepare_payload();

  const auto deadline = std::chrono::steady_clock::now() + request.timeout;
  for (bool first = true;; first = false) {
    std::unique_ptr<connection> conn = first ? take_idle(origin) : nullptr;
    const bool reused = conn != nullptr;
    if (!conn) {
      try {
        conn = co_await open(host, port, https, parsed->host_type() == boost::urls::host_type::name, deadline);
      } catch (const boost::system::system_error& e) {
        co_return failure(e.code(), deadline);
      }
    }
    conn->lowest().expires_at(deadline);
    exchange_result x;
    if (conn->tls) {
      auto op = exchange(*conn->tls, req);
      x = co_await std::move(op);
    } else {
      auto op = exchange(*conn->plain, req);
      x = co_await std::move(op);
    }
    if (!x.ec) {
      x.response.reused_connection = reused;
      if (x.keep_alive) give_back(origin, std::move(conn));
      co_return std::move(x.response);
    }
    // A kept-alive connection the peer closed before answering anything: retry once on a fresh
    // connection, as browsers and curl do. The peer may in rare cases have acted on the first
    // copy; the stable message id (webhook-id, idempotency key) lets it drop the duplicate.
    const bool stale =
        reused && x.nothing_received && x.ec != beast::error::timeout && std::chrono::steady_clock::now() < deadline;
    if (!stale) co_return failure(x.ec, deadline);
  }
}

net::awaitable<http_response> http_client::post(const std::string& url, const header_list& headers,
                                                const std::string& body, std::chrono::milliseconds timeout) {
  http_request request;
  request.url = url;
  request.headers = headers;
  request.body = body;
  request.timeout = timeout;
  auto op = send(request);
  co_return co_await std::move(op);
}

net::ssl::context make_client_tls_context(const std::string& ca_file) {
  net::ssl::context ctx{net::ssl::context::tls_client};
  ctx.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 | net::ssl::context::no_sslv3 |
                  net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
  // The same floor as a version range, which also holds for versions OpenSSL adds later.
  if (SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION) != 1)
    throw std::runtime_error("OpenSSL cannot require TLS 1.2");
  ctx.set_default_verify_paths();
  if (!ca_file.empty()) ctx.load_verify_file(ca_file);
  ctx.set_verify_mode(net::ssl::verify_peer);
  return ctx;
}

}  // namespace rollcall::delivery
