// A raw TCP client for hostile-client tests and benchmarks: sends exactly the bytes given (a
// request trickled a byte at a time, headers too large, a body that never ends) and reads what
// comes back with a deadline, telling a response from a closed connection.
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rollcall::testing {

struct raw_reply {
  int status = 0;  // 0: no response
  std::string content_type;
  std::string body;
  bool closed = false;  // the server closed (or reset) the connection
};

class raw_client {
 public:
  explicit raw_client(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~raw_client() {
    if (fd_ >= 0) ::close(fd_);
  }
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;

  bool connected() const { return connected_; }

  // False once the peer has closed or reset the connection.
  bool send(std::string_view data) {
    while (!data.empty()) {
      const auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Whether the server has closed the connection (or sent something) without blocking.
  bool peer_spoke() {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
  }

  // Reads until one whole response (its Content-Length body included) or the connection's end,
  // or until `timeout` passes.
  raw_reply read_reply(std::chrono::milliseconds timeout) {
    raw_reply out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (parse(out)) return out;
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return out;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[16384];
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        out.closed = true;
        parse(out);
        return out;
      }
      data_.append(buf, static_cast<std::size_t>(n));
    }
  }

 private:
  // Fills `out` from the bytes so far; true once a whole response is there.
  bool parse(raw_reply& out) const {
    const auto end = data_.find("\r\n\r\n");
    if (end == std::string::npos || data_.rfind("HTTP/1.", 0) != 0 || data_.size() < 12) return false;
    out.status = std::stoi(data_.substr(9, 3));
    std::size_t length = 0;
    std::size_t pos = data_.find("\r\n") + 2;
    while (pos < end) {
      const auto eol = data_.find("\r\n", pos);
      const auto line = data_.substr(pos, eol - pos);
      const auto colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto value = colon == std::string::npos ? std::string{} : line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (name == "content-length") length = std::stoul(value);
      if (name == "content-type") out.content_type = value;
      pos = eol + 2;
    }
    out.body = data_.substr(end + 4, length);
    return data_.size() >= end + 4 + length;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string data_;
};

}  // namespace rollcall::testing
