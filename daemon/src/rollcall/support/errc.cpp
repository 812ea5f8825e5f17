#include "rollcall/support/errc.hpp"

#include <stdexcept>

namespace rollcall {

namespace {
class category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "rollcall"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::ok:
        return "ok";
      case errc::not_found:
        return "not found";
      case errc::conflict:
        return "conflict";
      case errc::invalid_input:
        return "invalid input";
      case errc::unauthorized:
        return "unauthorized";
    }
    return "unknown rollcall error";
  }
};
}  // namespace

const boost::system::error_category& rollcall_category() noexcept {
  static const category instance;
  return instance;
}

void throw_exception_from_error(const rejection& r, const boost::source_location&) {
  throw std::logic_error("outcome holds a rejection: " + (r.detail.empty() ? std::string{"invalid input"} : r.detail));
}

}  // namespace rollcall
