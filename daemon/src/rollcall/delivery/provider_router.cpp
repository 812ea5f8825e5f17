#include "rollcall/delivery/provider_router.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

namespace rollcall::delivery {

namespace net = boost::asio;

namespace {

std::string field(const boost::json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  return v && v->is_string() ? std::string{v->as_string()} : std::string{};
}

// A place in a provider's queue for a slot, left when it goes out of scope (also when the
// coroutine is destroyed while waiting, at shutdown), so no freed timer stays queued.
class waiter {
 public:
  waiter(provider_router::entry& e, net::steady_timer& t) : e_(e), t_(t) { e_.waiting.push_back(&t_); }
  waiter(const waiter&) = delete;
  waiter& operator=(const waiter&) = delete;
  ~waiter() { std::erase(e_.waiting, &t_); }

 private:
  provider_router::entry& e_;
  net::steady_timer& t_;
};

// Holds one of a provider's concurrency slots for as long as it lives.
class slot {
 public:
  explicit slot(provider_router::entry& e) : e_(e) {}
  slot(const slot&) = delete;
  slot& operator=(const slot&) = delete;
  ~slot() {
    --e_.in_flight;
    if (!e_.waiting.empty()) {
      e_.waiting.front()->cancel();
      e_.waiting.pop_front();
    }
  }

 private:
  provider_router::entry& e_;
};

}  // namespace

void provider_router::set_settings(const router_settings& s) {
  settings_ = s;
  std::vector<std::shared_ptr<entry>> next;
  for (const auto& p : s.providers) {
    auto e = std::make_shared<entry>(entry{make_provider(p.settings, client_, clock_),
                                           p.channels,
                                           domain::token_bucket{p.rate_limit, std::max(1.0, p.rate_limit)},
                                           std::max(1, p.concurrency),
                                           0,
                                           {}});
    next.push_back(std::move(e));
  }
  entries_ = std::move(next);
}

ports::task<ports::send_result> provider_router::deliver(const ports::claimed_message& m) {
  ports::send_result out;
  auto payload = boost::json::parse(m.payload).as_object();
  outbound_message msg;
  msg.message_id = m.message_id;
  msg.channel = m.channel.empty() ? field(payload, "channel") : m.channel;
  msg.to = field(payload, "to");
  msg.subject = field(payload, "subject");
  msg.text = field(payload, "text");
  msg.payload_json = m.payload;

  if (m.target == "staff_webhook" || m.target == "chat_webhook" || m.target == "event_webhook") {
    const bool chat = m.target == "chat_webhook";
    provider_settings s;
    s.name = chat ? "staff-chat" : m.target == "staff_webhook" ? "staff-webhook" : "event-webhook";
    s.type = chat ? "chat" : "webhook";
    s.url = m.target_url;
    s.secret = settings_.alert_secret;
    if (m.target == "event_webhook") {
      // Signed with the secret its subscription has now: a reload may have rotated it, or
      // removed the subscription (then the event cannot be sent and is dead-lettered).
      const auto& subs = settings_.event_endpoints;
      const auto sub = std::find_if(subs.begin(), subs.end(), [&](const auto& e) { return e.name == m.subscription; });
      if (sub == subs.end()) {
        out.error = "event subscription \"";
        out.error += m.subscription;
        out.error += "\" is no longer configured";
        out.permanent = true;
        out.provider = s.name;
        co_return out;
      }
      s.secret = sub->secret;
    }
    s.timeout = settings_.timeout;
    auto p = make_provider(std::move(s), client_, clock_);
    auto sent = co_await p->send(msg);
    out.outcome = sent.outcome;
    out.error = sent.error;
    out.permanent = sent.permanent;
    out.provider = p->settings().name;
    co_return out;
  }

  std::vector<std::shared_ptr<entry>> candidates;
  for (const auto& e : entries_)
    if (std::find(e->channels.begin(), e->channels.end(), msg.channel) != e->channels.end()) candidates.push_back(e);
  if (candidates.empty()) {
    out.error = "no provider for channel " + msg.channel;
    out.permanent = true;
    co_return out;
  }
  // Attempt n goes to provider (n - 1) mod k: a retry fails over to the next provider.
  auto e = candidates[static_cast<std::size_t>(std::max(0, m.attempts - 1)) % candidates.size()];
  out.provider = e->p->settings().name;

  // Waiting for a slot and for the rate limit together takes at most max_rate_wait; past that
  // the message is handed back (the batch's lease must not run out while messages queue here).
  const auto give_up_at = std::chrono::steady_clock::now() + settings_.max_rate_wait;
  auto ex = co_await net::this_coro::executor;
  net::steady_timer wait{ex};
  while (e->in_flight >= e->concurrency) {
    if (std::chrono::steady_clock::now() >= give_up_at) {
      out.deferred = std::chrono::seconds{1};
      co_return out;
    }
    wait.expires_at(give_up_at);
    waiter queued{*e, wait};
    co_await wait.async_wait(net::as_tuple(net::use_awaitable));
  }
  ++e->in_flight;
  slot held{*e};
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    const auto until = e->bucket.take(now);
    if (until.count() == 0) break;
    if (now + until > give_up_at) {
      out.deferred = std::chrono::ceil<std::chrono::seconds>(until);
      co_return out;
    }
    wait.expires_after(until);
    co_await wait.async_wait(net::as_tuple(net::use_awaitable));
  }
  auto sent = co_await e->p->send(msg);
  out.outcome = sent.outcome;
  out.error = sent.error;
  out.provider_message_id = sent.provider_message_id;
  out.permanent = sent.permanent;
  out.recipient_opted_out = sent.provider_error_code == 21610;  // Twilio: "unsubscribed recipient"
  co_return out;
}

}  // namespace rollcall::delivery
