// Logger set-up. Log lines carry ids only: never names, phone numbers, emails or bodies.
#pragma once

#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace rollcall::support {

// A logger writing to stderr (journald adds its own timestamps under systemd). `format` "text"
// writes "2026-11-22T09:00:00.123 info message"; "json" one object a line,
// {"time":"2026-11-22T09:00:00.123456Z","level":"info","message":"..."}, for log shippers.
std::shared_ptr<spdlog::logger> make_logger(std::string_view level, std::string_view format = "text");

// Accepts text, json.
bool is_log_format(std::string_view format);

// Accepts trace, debug, info, warn, error, critical, off.
bool is_log_level(std::string_view level);

// An exception's message made safe to log: the first line only, at most 300 characters.
// PostgreSQL puts row values (which may be personal data) in the DETAIL line that follows.
std::string loggable(const std::exception& e);

}  // namespace rollcall::support
