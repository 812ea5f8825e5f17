#include "rollcall/delivery/signing.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace rollcall::delivery {

std::string base64_encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  // '=' is only valid as one or two final padding characters. EVP_DecodeBlock reads '=' anywhere
  // as zero bits, so without this "====" decoded to 3 bytes minus 4 of padding (a size_t underflow).
  const std::size_t pad = text.ends_with("==") ? 2 : text.ends_with('=') ? 1 : 0;
  for (char c : text.substr(0, text.size() - pad))
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/')) return std::nullopt;
  std::string out(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0 || static_cast<std::size_t>(n) < pad) return std::nullopt;
  // EVP_DecodeBlock counts padding as zero bytes; drop them.
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

std::optional<std::string> decode_webhook_secret(std::string_view secret) {
  constexpr std::string_view prefix = "whsec_";
  if (secret.substr(0, prefix.size()) != prefix) return std::nullopt;
  auto key = base64_decode(secret.substr(prefix.size()));
  if (!key || key->empty()) return std::nullopt;
  return key;
}

std::string sign_webhook(std::string_view key, std::string_view id, long long timestamp, std::string_view body) {
  std::string content;
  content.reserve(id.size() + body.size() + 24);
  content.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(content.data()),
       content.size(), mac, &mac_len);
  return "v1," + base64_encode(std::string_view{reinterpret_cast<const char*>(mac), mac_len});
}

bool verify_webhook(std::string_view key, std::string_view id, std::string_view timestamp, std::string_view body,
                    std::string_view signature_header, long long now, long long tolerance_s) {
  long long ts = 0;
  auto [ptr, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
  if (ec != std::errc{} || ptr != timestamp.data() + timestamp.size()) return false;
  // Compared without subtracting the untrusted value, which could overflow.
  if (ts < now - tolerance_s || ts > now + tolerance_s) return false;
  const std::string expected = sign_webhook(key, id, ts, body);
  bool ok = false;
  std::size_t pos = 0;
  while (pos <= signature_header.size()) {
    auto end = signature_header.find(' ', pos);
    if (end == std::string_view::npos) end = signature_header.size();
    const auto candidate = signature_header.substr(pos, end - pos);
    if (candidate.size() == expected.size() && CRYPTO_memcmp(candidate.data(), expected.data(), expected.size()) == 0)
      ok = true;
    pos = end + 1;
  }
  return ok;
}

std::string twilio_signature(std::string_view auth_token, std::string_view url,
                             std::vector<std::pair<std::string, std::string>> params) {
  std::sort(params.begin(), params.end());
  std::string content{url};
  for (const auto& [name, value] : params) content.append(name).append(value);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha1(), auth_token.data(), static_cast<int>(auth_token.size()),
       reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac, &mac_len);
  return base64_encode(std::string_view{reinterpret_cast<const char*>(mac), mac_len});
}

bool verify_twilio(std::string_view auth_token, std::string_view url,
                   const std::vector<std::pair<std::string, std::string>>& params, std::string_view header) {
  const std::string expected = twilio_signature(auth_token, url, params);
  return header.size() == expected.size() && CRYPTO_memcmp(header.data(), expected.data(), expected.size()) == 0;
}

}  // namespace rollcall::delivery
