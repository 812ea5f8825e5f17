// A clock that reads whatever the test set, so services never see the real time.
#pragma once

#include <chrono>

#include "rollcall/ports/ports.hpp"

namespace rollcall::fakes {

class fake_clock final : public ports::clock {
 public:
  explicit fake_clock(std::chrono::system_clock::time_point now = {}) : now_(now) {}
  std::chrono::system_clock::time_point now() const override { return now_; }
  void set(std::chrono::system_clock::time_point now) { now_ = now; }
  void advance(std::chrono::system_clock::duration d) { now_ += d; }

 private:
  std::chrono::system_clock::time_point now_;
};

}  // namespace rollcall::fakes
