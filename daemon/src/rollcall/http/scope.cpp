#include "rollcall/http/scope.hpp"

namespace rollcall::http {

boost::asio::awaitable<bool> session_visible(ports::view_store& views, const principal& who, std::int64_t session_id) {
  if (who.all_sites) co_return true;
  const auto site = co_await views.site_of_session(session_id);
  co_return !site || who.can_see_site(*site);
}

boost::asio::awaitable<bool> group_visible(ports::view_store& views, const principal& who, std::int64_t group_id) {
  if (who.all_sites) co_return true;
  const auto site = co_await views.site_of_group(group_id);
  co_return !site || who.can_see_site(*site);
}

}  // namespace rollcall::http
