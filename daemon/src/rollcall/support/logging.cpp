#include "rollcall/support/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>

namespace rollcall::support {

bool is_log_level(std::string_view level) {
  for (auto l : {"trace", "debug", "info", "warn", "error", "critical", "off"})
    if (level == l) return true;
  return false;
}

std::shared_ptr<spdlog::logger> make_logger(std::string_view level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("rollcalld", std::move(sink));
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
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
