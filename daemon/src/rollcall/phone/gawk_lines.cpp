#include "rollcall/phone/gawk_lines.hpp"

#include "rollcall/domain/validation.hpp"

namespace rollcall::phone {

namespace {

bool sendable(const std::string& n) {
  if (n.size() > 64) return false;
  for (unsigned char c : n)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

}  // namespace

std::string gawk_input(const std::vector<std::string>& numbers, const std::string& region) {
  std::string input = region;
  input += '\n';
  for (const auto& n : numbers) {
    if (sendable(n)) input += n;
    input += '\n';
  }
  return input;
}

std::vector<std::optional<std::string>> gawk_answers(std::string_view output) {
  std::vector<std::optional<std::string>> out;
  for (std::size_t pos = 0; pos < output.size();) {
    auto end = output.find('\n', pos);
    if (end == std::string_view::npos) end = output.size();
    const auto line = output.substr(pos, end - pos);
    out.push_back(line != "-" && domain::is_e164(line) ? std::optional<std::string>{line} : std::nullopt);
    pos = end + 1;
  }
  return out;
}

}  // namespace rollcall::phone
