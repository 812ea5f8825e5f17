// Which PostgreSQL errors mean the database has gone away (the pool discards the connection
// and callers get store_unavailable, HTTP 503) rather than a failed statement.
#include <gtest/gtest.h>

#include "rollcall/store/db_pool.hpp"

namespace {

using rollcall::store::connection_lost;

TEST(connection_lost, connection_exceptions_and_server_shutdowns_only) {
  for (const char* s : {"08000", "08003", "08006", "08001", "08004", "57P01", "57P02", "57P03"})
    EXPECT_TRUE(connection_lost(s)) << s;
  for (const char* s : {"", "57014", "57P04", "40001", "40P01", "23505", "42P01", "53300", "0800"})
    EXPECT_FALSE(connection_lost(s)) << s;
}

}  // namespace
