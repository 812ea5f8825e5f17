#include "rollcall/support/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "rollcall/support/utf8.hpp"

namespace rollcall::support {

namespace {

// The message as the contents of a JSON string: quotes, backslashes and control characters
// escaped (an exception's text may hold anything).
class json_escaped_message final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    static constexpr char hex[] = "0123456789abcdef";
    const std::string_view text{msg.payload.data(), msg.payload.size()};
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char ch = text[i];
      const auto c = static_cast<unsigned char>(ch);
      if (c >= 0x80) {
        // Copy a well-formed UTF-8 sequence; anything else (a library's message in another
        // encoding) becomes U+FFFD, so that the line stays valid JSON.
        const std::size_t n = utf8_sequence_length(text.substr(i));
        if (n == 0) {
          constexpr std::string_view replacement = "\\ufffd";
          dest.append(replacement.data(), replacement.data() + replacement.size());
        } else {
          dest.append(text.data() + i, text.data() + i + n);
          i += n - 1;
        }
      } else if (c == '"' || c == '\\') {
        dest.push_back('\\');
        dest.push_back(ch);
      } else if (c < 0x20) {
        const char esc[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        dest.append(esc, esc + sizeof esc);
      } else {
        dest.push_back(ch);
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<json_escaped_message>(); }
};

}  // namespace

bool is_log_format(std::string_view format) { return format == "text" || format == "json"; }

bool is_log_level(std::string_view level) {
  for (auto l : {"trace", "debug", "info", "warn", "error", "critical", "off"})
    if (level == l) return true;
  return false;
}

std::shared_ptr<spdlog::logger> make_logger(std::string_view level, std::string_view format) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("rollcalld", std::move(sink));
  if (format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<json_escaped_message>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","message":"%*"})");
    logger->set_formatter(std::move(formatter));
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  }
  logger->set_level(spdlog::level::from_str(std::string{level}));
  logger->flush_on(spdlog::level::info);
  return logger;
}

std::string loggable(const std::exception& e) {
  std::string_view what = e.what();
  what = what.substr(0, what.find('\n'));
  return std::string{what.substr(0, 300)};
}

}  // namespace rollcall::support
