#include "rollcall/support/utf8.hpp"

namespace rollcall::support {

std::size_t utf8_sequence_length(std::string_view s) {
  if (s.empty()) return 0;
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const auto cont = [&](std::size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) > 0x9F)) return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if ((c == 0xF0 && b(1) < 0x90) || (c == 0xF4 && b(1) > 0x8F)) return 0;
    return 4;
  }
  return 0;
}

std::string storable_text(std::string_view s, std::size_t max_bytes) {
  constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto n = utf8_sequence_length(s.substr(i));
    const auto piece = n == 0 ? replacement : s.substr(i, n);
    i += n == 0 ? 1 : n;
    if (piece == std::string_view{"\0", 1}) continue;
    if (out.size() + piece.size() > max_bytes) break;
    out += piece;
  }
  return out;
}

}  // namespace rollcall::support
