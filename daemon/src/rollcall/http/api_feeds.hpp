// Calendar feed routes: staff create, list and revoke feed tokens (bearer auth); calendar apps
// fetch GET /ical/{token}.ics with the token as the only credential.
#pragma once

#include "rollcall/http/router.hpp"
#include "rollcall/ports/feeds.hpp"
#include "rollcall/ports/ports.hpp"

namespace rollcall::http {

struct feed_deps {
  ports::calendar_feed_store& feeds;
  const ports::clock& clock;
};

void register_feed_routes(router& r, feed_deps deps);

// A fresh token: 32 random bytes (libsodium), URL-safe base64 without padding.
std::string new_feed_token();
// The stored form of a token: SHA-256 of its text, in hex.
std::string feed_token_hash(std::string_view token);

}  // namespace rollcall::http
