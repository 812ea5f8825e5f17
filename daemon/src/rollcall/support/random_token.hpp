// A fresh secret for a URL or a cookie: 32 random bytes (libsodium), base64url without padding.
#pragma once

#include <string>

namespace rollcall::support {

std::string random_url_token();

}  // namespace rollcall::support
