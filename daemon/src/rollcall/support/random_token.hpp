// A fresh secret for a URL, a cookie or an API token: 32 random bytes (libsodium), base64url
// without padding; and the hash such a secret is stored as.
#pragma once

#include <string>
#include <string_view>

namespace rollcall::support {

std::string random_url_token();

// Hex of the BLAKE2b-256 (crypto_generichash) of `secret`. A fast hash suits secrets of 32
// random bytes: nothing can be guessed from it, and it costs a request no time.
std::string secret_hash(std::string_view secret);

}  // namespace rollcall::support
