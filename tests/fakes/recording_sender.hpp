// message_sender that records what it was asked to deliver and answers with a scripted
// outcome per message id. An optional timer delay keeps deliveries in flight at once, so
// tests can see how many overlap (everything runs on one single-threaded io_context).
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "rollcall/ports/ports.hpp"

namespace rollcall::fakes {

class recording_sender final : public ports::message_sender {
 public:
  // Outcome for a message id; messages without one get `default_result`.
  void answer(const std::string& message_id, ports::send_result r) { answers_[message_id] = std::move(r); }
  void answer_with_status(const std::string& message_id, int status,
                          std::optional<std::chrono::seconds> retry_after = std::nullopt) {
    ports::send_result r;
    r.outcome = {status, retry_after};
    r.error = status == 0 ? "connect failed" : "";
    answer(message_id, r);
  }
  // Deliveries of this id throw, as a broken adapter would.
  void fail_with_exception(const std::string& message_id) { throwing_ = message_id; }

  ports::task<ports::send_result> deliver(const ports::claimed_message& m) override {
    delivered.push_back(m);
    if (on_deliver) on_deliver();
    ++in_flight;
    max_in_flight = std::max(max_in_flight, in_flight);
    const auto own = delay_for.find(m.message_id);
    const auto wait = own == delay_for.end() ? delay : own->second;
    if (wait.count() > 0) {
      boost::asio::steady_timer timer{co_await boost::asio::this_coro::executor, wait};
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
    --in_flight;
    if (!throwing_.empty() && m.message_id == throwing_) throw std::runtime_error("sender broke");
    const auto it = answers_.find(m.message_id);
    co_return it == answers_.end() ? default_result : it->second;
  }

  ports::send_result default_result = [] {
    ports::send_result r;
    r.outcome.http_status = 200;
    return r;
  }();
  std::function<void()> on_deliver;  // called as each delivery starts
  std::chrono::milliseconds delay{0};
  std::map<std::string, std::chrono::milliseconds> delay_for;  // by message id: a slow peer
  std::vector<ports::claimed_message> delivered;
  int in_flight = 0;
  int max_in_flight = 0;

 private:
  std::map<std::string, ports::send_result> answers_;
  std::string throwing_;
};

}  // namespace rollcall::fakes
