// Retry policy for outgoing HTTP deliveries (webhooks and providers).
#pragma once

#include <chrono>
#include <optional>

namespace rollcall::domain {

struct delivery_outcome {
  int http_status = 0;                              // 0 when the request never got a response (connect, TLS, timeout)
  std::optional<std::chrono::seconds> retry_after;  // from a Retry-After header, if any
};

enum class delivery_verdict { delivered, retry, give_up };

struct retry_decision {
  delivery_verdict verdict;
  std::chrono::seconds delay{0};  // for retry: how long from now
};

// 2xx is delivered. 410 (endpoint gone) and other 4xx except 408/425/429 are permanent.
// Everything else (3xx, 408, 425, 429, 5xx, no response) is retried on the schedule
// 5s, 5m, 30m, 2h, 5h, 10h, 10h (Svix's), honouring a longer Retry-After (up to 1h), until
// `max_attempts` attempts have been made.
// Same as the overload below with no age limit and no jitter.
retry_decision decide_retry(const delivery_outcome& outcome, int attempts_made, int max_attempts);

// As above, and also gives up once the message is `age` old (since it was first due) when
// age >= max_age (max_age <= 0: no age limit). The scheduled delay is scaled by 0.8 + 0.4 * jitter01
// (jitter01 in [0, 1); 0.5 leaves it unchanged) so that messages failing together do not retry in
// lockstep; a longer Retry-After (capped at 1h) still wins over the jittered delay.
retry_decision decide_retry(const delivery_outcome& outcome, int attempts_made, int max_attempts,
                            std::chrono::seconds age, std::chrono::seconds max_age, double jitter01);

}  // namespace rollcall::domain
