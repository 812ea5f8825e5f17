// The PostgreSQL adapter for calendar feeds (ports/feeds.hpp); SQL in sql_feeds.cpp.
#pragma once

#include "rollcall/ports/feeds.hpp"
#include "rollcall/store/db_pool.hpp"

namespace rollcall::store {

class pg_feed_store final : public ports::calendar_feed_store {
 public:
  explicit pg_feed_store(db_pool& pool) : pool_(pool) {}

  task<outcome<ports::calendar_feed>> create_feed(const ports::new_calendar_feed& in,
                                                  const std::string& actor) override;
  task<std::vector<ports::calendar_feed>> feeds_of_owner(const std::string& owner_kind, ports::id_t owner_id) override;
  task<outcome<ports::calendar_feed>> revoke_feed(ports::id_t feed_id, const std::string& actor) override;
  task<result<ports::feed_contents>> feed_by_token(const std::string& token_sha256, ports::sys_seconds since) override;

 private:
  db_pool& pool_;
};

}  // namespace rollcall::store
