// pg_feed_store: calendar feed tokens (stored as SHA-256 only) and the sessions each feed shows.
#include "rollcall/store/pg_feeds.hpp"

#include <pqxx/pqxx>

#include "rollcall/store/pg_rows.hpp"
#include "rollcall/store/sql_feeds.hpp"

namespace rollcall::store {

using namespace ports;

namespace {

calendar_feed read_feed(const pqxx::row& r) {
  calendar_feed f;
  f.id = r[0].as<id_t>();
  f.owner_kind = r[1].as<std::string>();
  f.owner_id = r[2].as<id_t>();
  f.created_by = r[3].as<std::string>();
  f.created_at = from_epoch(r[4].as<long long>());
  if (!r[5].is_null()) f.revoked_at = from_epoch(r[5].as<long long>());
  return f;
}

feed_session read_feed_session(const pqxx::row& r) {
  feed_session s;
  s.session_id = r[0].as<id_t>();
  s.starts_at = from_epoch(r[1].as<long long>());
  s.ends_at = from_epoch(r[2].as<long long>());
  s.cancelled = r[3].as<bool>();
  s.revision = r[4].as<int>();
  s.time_zone = r[5].as<std::string>();
  s.group_name = r[6].as<std::string>();
  s.room = r[7].as<std::string>();
  s.telehealth_url = r[8].as<std::string>();
  s.site_name = r[9].as<std::string>();
  s.site_address = r[10].as<std::string>();
  return s;
}

const char* owner_exists(const std::string& kind) {
  return kind == "group" ? sql::group_exists : kind == "staff" ? sql::staff_exists : sql::client_exists;
}

const char* sessions_of(const std::string& kind) {
  return kind == "group"   ? sql::feed_sessions_of_group
         : kind == "staff" ? sql::feed_sessions_of_staff
                           : sql::feed_sessions_of_client;
}

boost::json::object audit_detail(const calendar_feed& f) {
  return {{"owner_kind", f.owner_kind}, {"owner_id", f.owner_id}};
}

}  // namespace

task<outcome<calendar_feed>> pg_feed_store::create_feed(const new_calendar_feed& in, const std::string& actor) {
  auto work = [in, actor](pqxx::connection& c) -> outcome<calendar_feed> {
    pqxx::work tx{c};
    if (!exists(tx, owner_exists(in.owner_kind), in.owner_id))
      return reject(errc::not_found, "owner_id", "no such " + in.owner_kind);
    auto feed = read_feed(tx.exec_prepared1(sql::insert_feed, in.owner_kind, in.owner_id, in.token_sha256, actor));
    audit(tx, actor, "create", "calendar_feed", feed.id, audit_detail(feed));
    tx.commit();
    return feed;
  };
  co_return co_await pool_.run(work);
}

task<std::vector<calendar_feed>> pg_feed_store::feeds_of_owner(const std::string& owner_kind, id_t owner_id) {
  auto work = [owner_kind, owner_id](pqxx::connection& c) {
    pqxx::read_transaction tx{c};
    std::vector<calendar_feed> out;
    for (const auto& r : tx.exec_prepared(sql::feeds_of_owner, owner_kind, owner_id)) out.push_back(read_feed(r));
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<calendar_feed>> pg_feed_store::revoke_feed(id_t feed_id, const std::string& actor) {
  auto work = [feed_id, actor](pqxx::connection& c) -> outcome<calendar_feed> {
    pqxx::work tx{c};
    auto rows = tx.exec_prepared(sql::lock_feed, feed_id);
    if (rows.empty()) return reject(errc::not_found, "id", "no such feed");
    if (read_feed(rows[0]).revoked_at) return reject(errc::conflict, "id", "the feed is already revoked");
    auto feed = read_feed(tx.exec_prepared1(sql::revoke_feed, feed_id));
    audit(tx, actor, "revoke", "calendar_feed", feed.id, audit_detail(feed));
    tx.commit();
    return feed;
  };
  co_return co_await pool_.run(work);
}

task<result<feed_contents>> pg_feed_store::feed_by_token(const std::string& token_sha256, sys_seconds since) {
  auto work = [token_sha256, since](pqxx::connection& c) -> result<feed_contents> {
    pqxx::read_transaction tx{c};
    auto found = tx.exec_prepared(sql::feed_of_token, token_sha256);
    if (found.empty()) return errc::not_found;
    feed_contents out;
    out.owner_kind = found[0][0].as<std::string>();
    const auto owner_id = found[0][1].as<id_t>();
    const char* name_of = out.owner_kind == "group"   ? sql::group_name
                          : out.owner_kind == "staff" ? sql::staff_name
                                                      : nullptr;  // a client's feed names no one
    if (name_of) {
      auto name = tx.exec_prepared(name_of, owner_id);
      if (!name.empty()) out.owner_name = name[0][0].as<std::string>();
    }
    for (const auto& r : tx.exec_prepared(sessions_of(out.owner_kind), owner_id, epoch(since)))
      out.sessions.push_back(read_feed_session(r));
    return out;
  };
  co_return co_await pool_.run(work);
}

}  // namespace rollcall::store
