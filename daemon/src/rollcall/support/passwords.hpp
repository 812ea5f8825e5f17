// Staff passwords: argon2id hashes (libsodium crypto_pwhash_str, OWASP's 19 MiB / 2 passes),
// their verification, and the length rule. Hashing takes tens of milliseconds and 19 MiB:
// never on the event loop. Sign-in verifies on support::password_hasher's thread; put_login
// hashes in its pool job.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rollcall::support {

inline constexpr std::size_t min_password_bytes = 12;
inline constexpr std::size_t max_password_bytes = 1024;  // bounds what one request can make us hash

// Why `password` cannot be set, or nullopt if it can.
std::optional<std::string> password_problem(std::string_view password);
// Why `username` cannot be used (3..64 of a-z, 0-9, '.', '_', '-'), or nullopt.
std::optional<std::string> username_problem(std::string_view username);

// A "$argon2id$..." string holding salt and parameters. Throws std::bad_alloc-like
// std::runtime_error if libsodium runs out of memory.
std::string hash_password(std::string_view password);
// Whether `password` matches `hash`. An empty `hash` (no such login) still runs a full verify
// against a fixed dummy hash, so an unknown username costs as long as a wrong password.
bool verify_password(std::string_view password, const std::string& hash);

}  // namespace rollcall::support
