#include "rollcall/store/sql_api_tokens.hpp"

#include <string>

#include <pqxx/pqxx>

namespace rollcall::store::sql {

namespace {
// A token as pg_api_tokens.cpp reads it (columns 0-6): id, name, role, created, revoked, last
// used (epoch seconds) and its site ids joined with commas. Alias t: api_tokens.
constexpr const char* token_columns =
    "t.id, t.name, t.role, extract(epoch FROM t.created_at)::bigint, extract(epoch FROM t.revoked_at)::bigint,"
    " extract(epoch FROM t.last_used_at)::bigint,"
    " (SELECT coalesce(string_agg(x.site_id::text, ',' ORDER BY x.site_id), '') FROM api_token_sites x"
    "  WHERE x.token_id = t.id)";
}  // namespace

void prepare_api_tokens(pqxx::connection& c) {
  c.prepare(api_token_name_taken, "SELECT 1 FROM api_tokens WHERE name = $1");
  c.prepare(insert_api_token,
            "INSERT INTO api_tokens (name, role, token_hash) VALUES ($1, $2, decode($3, 'hex')) RETURNING id");
  c.prepare(add_api_token_site, "INSERT INTO api_token_sites (token_id, site_id) VALUES ($1, $2)");
  c.prepare(api_token_by_id, std::string{"SELECT "} + token_columns + " FROM api_tokens t WHERE t.id = $1");
  c.prepare(lock_api_token_by_name, "SELECT id, revoked_at IS NOT NULL FROM api_tokens WHERE name = $1 FOR UPDATE");
  c.prepare(revoke_api_token, "UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL");
  c.prepare(all_api_tokens, std::string{"SELECT "} + token_columns + " FROM api_tokens t ORDER BY t.name");
  // Column 7: the stored hash (hex), compared again by the caller; column 8: last used longer
  // ago than a minute (time to refresh it).
  c.prepare(api_token_by_hash,
            std::string{"SELECT "} + token_columns +
                ", encode(t.token_hash, 'hex'),"
                " t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute'"
                " FROM api_tokens t WHERE t.token_hash = decode($1, 'hex') AND t.revoked_at IS NULL");
  c.prepare(touch_api_token, "UPDATE api_tokens SET last_used_at = now() WHERE id = $1");
  // The audit log's before/after of a token: never its hash.
  c.prepare(snapshot_api_token,
            "SELECT ((to_jsonb(t) - 'token_hash' - 'last_used_at') || jsonb_build_object('site_ids',"
            " (SELECT coalesce(jsonb_agg(x.site_id ORDER BY x.site_id), '[]'::jsonb) FROM api_token_sites x"
            "  WHERE x.token_id = t.id)))::text FROM api_tokens t WHERE t.id = $1");
}

}  // namespace rollcall::store::sql
