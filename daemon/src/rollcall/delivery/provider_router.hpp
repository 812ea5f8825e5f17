// Sends each claimed message through a provider that carries its channel: staff alert
// webhooks to the staff member's URL, integration events to their subscription's endpoint
// signed with that subscription's secret, SMS and email to the configured providers in order (a
// retry goes to the next provider of the channel, so a second provider is a failover). Each
// provider has its own bound on requests in flight and its own rate limit (messages/second);
// a message that would wait too long for the rate limit is handed back, not sent, and not
// counted as an attempt. Used from the io_context's one thread only.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "rollcall/delivery/http_client.hpp"
#include "rollcall/delivery/providers.hpp"
#include "rollcall/domain/rate_limit.hpp"
#include "rollcall/ports/ports.hpp"

namespace rollcall::delivery {

struct routed_provider {
  provider_settings settings;
  std::vector<std::string> channels;  // sms, email
  double rate_limit = 0;              // messages/second; 0: unlimited
  int concurrency = 4;
};

// An integration event subscription as the router needs it: the secret its events are signed with.
struct event_endpoint {
  std::string name;
  std::string secret;  // whsec_...
};

struct router_settings {
  std::vector<routed_provider> providers;
  std::string alert_secret;  // whsec_ signing staff alert webhooks
  std::vector<event_endpoint> event_endpoints;
  std::chrono::milliseconds timeout{10'000};
  std::chrono::milliseconds max_rate_wait{5'000};  // longer: hand the message back
};

class provider_router final : public ports::message_sender {
 public:
  provider_router(http_client& client, const ports::clock& clock) : client_(client), clock_(clock) {}
  // Replaces the providers (on reload); deliveries under way finish with the old ones.
  void set_settings(const router_settings& s);
  bool has_providers() const { return !entries_.empty(); }
  ports::task<ports::send_result> deliver(const ports::claimed_message& message) override;

  struct entry {
    std::unique_ptr<provider> p;
    std::vector<std::string> channels;
    domain::token_bucket bucket;
    int concurrency = 4;
    int in_flight = 0;
    std::deque<boost::asio::steady_timer*> waiting;
  };

 private:
  http_client& client_;
  const ports::clock& clock_;
  std::vector<std::shared_ptr<entry>> entries_;
  router_settings settings_;
};

}  // namespace rollcall::delivery
