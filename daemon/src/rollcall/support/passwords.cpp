#include "rollcall/support/passwords.hpp"

#include <stdexcept>

#include <sodium.h>

namespace rollcall::support {

namespace {

constexpr unsigned long long opslimit = 2;
constexpr std::size_t memlimit = 19u * 1024u * 1024u;

// Made once, from a random password nobody knows: verifying against it always fails but
// takes the time of a real verify.
const std::string& dummy_hash() {
  static const std::string hash = [] {
    unsigned char secret[32];
    randombytes_buf(secret, sizeof secret);
    auto h = hash_password(std::string_view{reinterpret_cast<const char*>(secret), sizeof secret});
    sodium_memzero(secret, sizeof secret);
    return h;
  }();
  return hash;
}

}  // namespace

std::optional<std::string> password_problem(std::string_view password) {
  if (password.size() < min_password_bytes) return "must be at least 12 characters";
  if (password.size() > max_password_bytes) return "must be at most 1024 bytes";
  return std::nullopt;
}

std::optional<std::string> username_problem(std::string_view username) {
  if (username.size() < 3 || username.size() > 64) return "must be 3 to 64 characters";
  for (char c : username)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return "may hold only a-z, 0-9, '.', '_' and '-'";
  return std::nullopt;
}

std::string hash_password(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), opslimit, memlimit, crypto_pwhash_ALG_ARGON2ID13) !=
      0)
    throw std::runtime_error("password hashing ran out of memory");
  return out;
}

bool verify_password(std::string_view password, const std::string& hash) {
  const std::string& against = hash.empty() ? dummy_hash() : hash;
  const bool ok = crypto_pwhash_str_verify(against.c_str(), password.data(), password.size()) == 0;
  return ok && !hash.empty();
}

}  // namespace rollcall::support
