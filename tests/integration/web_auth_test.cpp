// Staff sign-in against the real binary: logins made with the API token, session cookies and
// their attributes, the CSRF and cross-site checks on writes, role route access, idle and
// absolute expiry, sign-out and disabled logins, what the audit log and the database keep
// (hashes, never passwords), and a flood of sign-ins holding no database connection.
#include <atomic>
#include <thread>

#include "clinic_fixture.hpp"
#include "staff_session.hpp"

namespace rollcall::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;
using headers = header_list;

constexpr const char* password = "plain-Password-42";

class web_auth_test : public clinic_test {
 protected:
  void start(const std::string& web_toml = {}) {
    clinic_settings s;
    s.extra_toml = web_toml;
    start_daemon(s);
    site = create("/v1/sites", {{"name", "North"}, {"time_zone", "UTC"}});
  }

  // A staff member with a login; returns the staff id.
  std::int64_t staff_with_login(const std::string& username, const std::string& role, json::array sites) {
    const auto staff = create("/v1/staff", {{"name", "Staff " + username}, {"email", username + "@example.org"}});
    const auto res = put("/v1/staff/" + std::to_string(staff) + "/login",
                         {{"username", username}, {"password", password}, {"role", role}, {"site_ids", sites}});
    EXPECT_EQ(res.status, 200) << res.body;
    return staff;
  }

  api_response sign_in_raw(const std::string& username, const std::string& pass, const headers& h = {}) {
    return testing::sign_in_raw(*daemon, username, pass, h);
  }
  staff_session sign_in(const std::string& username) { return testing::sign_in(*daemon, username, password); }
  api_response as(const staff_session& s, const std::string& method, const std::string& path,
                  const std::string& body = {}, const headers& extra = {}) {
    return as_staff(*daemon, s, method, path, body, extra);
  }
  api_response with_csrf(const staff_session& s, const std::string& method, const std::string& path,
                         const std::string& body = {}) {
    return write_as_staff(*daemon, s, method, path, body);
  }

  std::string site_name() const { return scalar("SELECT name FROM sites WHERE id = " + std::to_string(site)); }

  std::int64_t site = 0;
};

TEST_F(web_auth_test, a_login_made_with_the_token_signs_in_with_a_strict_http_only_cookie) {
  start();
  const auto staff = staff_with_login("casey", "counselor", {site});
  EXPECT_EQ(scalar("SELECT left(password_hash, 10) FROM staff_logins WHERE staff_id = " + std::to_string(staff)),
            "$argon2id$");

  const auto got = daemon->get("/v1/staff/" + std::to_string(staff) + "/login");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json(), json::parse(R"({"staff_id":)" + std::to_string(staff) +
                                    R"(,"username":"casey","role":"counselor","site_ids":[)" + std::to_string(site) +
                                    R"(],"disabled":false})"));

  const auto s = sign_in("casey");
  const auto& cookie = s.answer.set_cookie;
  EXPECT_TRUE(cookie.starts_with("rollcall_session=")) << cookie;
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; Max-Age=43200"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "web.cookie_secure is false by default: " << cookie;
  const auto body = s.answer.json();
  EXPECT_EQ(body.at("staff").at("id").as_int64(), staff);
  EXPECT_EQ(body.at("staff").at("name").as_string(), "Staff casey");
  EXPECT_EQ(body.at("staff").at("role").as_string(), "counselor");
  EXPECT_EQ(body.at("staff").at("site_ids"), json::array{site});
  EXPECT_FALSE(body.at("staff").at("all_sites").as_bool());
  EXPECT_GE(s.csrf.size(), 40u);
  // Only the cookie's hash is stored.
  const auto value = s.cookie.substr(s.cookie.find('=') + 1);
  EXPECT_EQ(count("SELECT count(*) FROM web_sessions WHERE token_hash = convert_to('" + value + "', 'UTF8')"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM web_sessions WHERE ended_at IS NULL"), 1);

  const auto now = as(s, "GET", "/v1/session");
  ASSERT_EQ(now.status, 200) << now.body;
  EXPECT_EQ(now.json().at("csrf_token").as_string(), s.csrf);
  EXPECT_EQ(now.json().at("staff"), body.at("staff"));
  EXPECT_EQ(daemon->get("/v1/session").status, 401) << "the API token is not a staff session";
  EXPECT_EQ(daemon->request("GET", "/v1/session", {}, std::nullopt, {{"Cookie", "rollcall_session=forged"}}).status,
            401);

  // Audited, without the password or its hash, in the audit log and the daemon's log alike.
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE entity = 'staff_login' AND action = 'create'"
                  " AND actor = 'token:test' AND entity_id = " +
                  std::to_string(staff)),
            1);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE entity = 'web_session' AND action = 'sign_in'"
                  " AND actor = 'staff:casey'"),
            1);
  EXPECT_EQ(count(std::string{"SELECT count(*) FROM audit_log WHERE concat(detail::text, before::text, after::text)"
                              " LIKE '%argon2%' OR concat(detail::text, before::text, after::text) LIKE '%"} +
                  password + "%'"),
            0);
  EXPECT_EQ(scalar("SELECT after->>'username' FROM audit_log WHERE entity = 'staff_login'"), "casey");
  EXPECT_EQ(daemon->log().find(password), std::string::npos);
  EXPECT_EQ(daemon->log().find(value), std::string::npos);
}

TEST_F(web_auth_test, a_cookie_write_needs_the_csrf_token_from_the_same_origin) {
  start();
  staff_with_login("boss", "admin", {});
  const auto s = sign_in("boss");
  EXPECT_TRUE(s.answer.json().at("staff").at("all_sites").as_bool());
  const auto path = "/v1/sites/" + std::to_string(site);
  const auto rename = json::serialize(json::object{{"name", "Renamed"}});
  const auto refused = [&](const api_response& r) {
    EXPECT_EQ(r.status, 403) << r.body;
    if (r.status == 403) {
      EXPECT_EQ(r.json().at("title").as_string(), "Cross-site request refused");
    }
  };
  refused(as(s, "PATCH", path, rename));                                // no token
  refused(as(s, "PATCH", path, rename, {{"X-CSRF-Token", "not-it"}}));  // a wrong one
  refused(as(s, "PATCH", path, rename, {{"X-CSRF-Token", "<session>"}, {"Origin", "https://evil.example"}}));
  refused(as(s, "PATCH", path, rename, {{"X-CSRF-Token", "<session>"}, {"Sec-Fetch-Site", "cross-site"}}));
  EXPECT_EQ(site_name(), "North") << "nothing changed";

  const auto ok = with_csrf(s, "PATCH", path, rename);
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(site_name(), "Renamed");
  EXPECT_EQ(scalar("SELECT actor FROM audit_log WHERE entity = 'site' AND action = 'update' ORDER BY id DESC LIMIT 1"),
            "staff:boss");
  // Reads need no CSRF token; the bearer token never did.
  EXPECT_EQ(as(s, "GET", path).status, 200);
  EXPECT_EQ(patch(path, {{"name", "North"}}).status, 200);
}

TEST_F(web_auth_test, a_failed_sign_in_says_nothing_about_why) {
  start();
  const auto staff = staff_with_login("casey", "counselor", {site});
  const auto wrong = sign_in_raw("casey", "not-the-password");
  const auto unknown = sign_in_raw("nobody", password);
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_EQ(wrong.json().at("title").as_string(), "Sign-in failed");
  EXPECT_TRUE(wrong.set_cookie.empty());
  EXPECT_EQ(daemon->request("DELETE", "/v1/staff/" + std::to_string(staff) + "/login").status, 204);
  const auto disabled = sign_in_raw("casey", password);
  EXPECT_EQ(disabled.status, 401);
  EXPECT_EQ(disabled.body, wrong.body);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'sign_in_failed'"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM web_sessions"), 0);

  const auto missing = daemon->request("POST", "/v1/session", R"({"username": 5})", std::nullopt);
  EXPECT_EQ(missing.status, 422) << missing.body;
  EXPECT_EQ(fields_of(missing), (std::set<std::string>{"username", "password"}));
  // Login CSRF: a sign-in form posted from another site.
  const auto foreign = sign_in_raw("casey", password, {{"Origin", "https://evil.example"}});
  EXPECT_EQ(foreign.status, 403) << foreign.body;
}

TEST_F(web_auth_test, sessions_end_when_idle_and_at_their_absolute_limit) {
  start("[web]\nsession_idle = \"2s\"\nsession_max = \"5s\"\n");
  staff_with_login("casey", "counselor", {site});
  const auto idle = sign_in("casey");
  EXPECT_NE(idle.answer.set_cookie.find("Max-Age=5"), std::string::npos) << idle.answer.set_cookie;
  const auto busy = sign_in("casey");
  EXPECT_EQ(as(idle, "GET", "/v1/session").status, 200);
  const auto started = std::chrono::steady_clock::now();
  // `busy` is used every 500 ms: past the idle limit it stays open; `idle` is not used.
  while (std::chrono::steady_clock::now() - started < 3s) {
    ASSERT_EQ(as(busy, "GET", "/v1/session").status, 200);
    std::this_thread::sleep_for(500ms);
  }
  EXPECT_EQ(as(idle, "GET", "/v1/session").status, 401) << "unused for more than session_idle";
  EXPECT_TRUE(eventually([&] { return as(busy, "GET", "/v1/session").status == 401; }, 4s))
      << "session_max ends even a busy session";
  EXPECT_GE(std::chrono::steady_clock::now() - started, 3s);
}

TEST_F(web_auth_test, signing_out_ends_the_session) {
  start();
  staff_with_login("casey", "front_desk", {site});
  const auto s = sign_in("casey");
  EXPECT_EQ(as(s, "DELETE", "/v1/session").status, 403) << "sign-out needs the CSRF token too";
  const auto out = with_csrf(s, "DELETE", "/v1/session");
  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_EQ(out.set_cookie, "rollcall_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
  EXPECT_EQ(as(s, "GET", "/v1/session").status, 401);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'sign_out' AND actor = 'staff:casey'"), 1);
}

TEST_F(web_auth_test, a_role_calls_only_its_routes) {
  start();
  staff_with_login("desk", "front_desk", {site});
  const auto s = sign_in("desk");
  const auto create_site = with_csrf(s, "POST", "/v1/sites", R"({"name": "South", "time_zone": "UTC"})");
  EXPECT_EQ(create_site.status, 403) << create_site.body;
  EXPECT_EQ(create_site.json().at("title").as_string(), "Forbidden");
  EXPECT_EQ(count("SELECT count(*) FROM sites"), 1);
  EXPECT_EQ(as(s, "GET", "/v1/audit").status, 403);
  EXPECT_EQ(as(s, "GET", "/v1/staff/1/login").status, 403);
  EXPECT_EQ(as(s, "GET", "/v1/sites").status, 200);
  EXPECT_EQ(as(s, "GET", "/v1/staff").status, 403);  // contacts and webhook URLs of every site
}

TEST_F(web_auth_test, disabling_a_login_or_changing_its_password_ends_its_sessions) {
  start();
  const auto staff = staff_with_login("casey", "counselor", {site});
  const auto login = "/v1/staff/" + std::to_string(staff) + "/login";
  const auto first = sign_in("casey");
  const auto changed = put(login, {{"username", "casey"},
                                   {"password", "a-new-password-1"},
                                   {"role", "counselor"},
                                   {"site_ids", json::array{site}}});
  EXPECT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(as(first, "GET", "/v1/session").status, 401) << "a new password ends the old sessions";
  EXPECT_EQ(sign_in_raw("casey", password).status, 401);
  const auto second = sign_in_raw("casey", "a-new-password-1");
  ASSERT_EQ(second.status, 200);
  const staff_session s{second.set_cookie.substr(0, second.set_cookie.find(';')), "", second};

  EXPECT_EQ(daemon->request("DELETE", login).status, 204);
  EXPECT_EQ(as(s, "GET", "/v1/session").status, 401);
  EXPECT_TRUE(daemon->get(login).json().at("disabled").as_bool());
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE entity = 'staff_login' AND action = 'disable'"), 1);
  // A PUT enables it again (the password kept).
  EXPECT_EQ(put(login, {{"username", "casey"}, {"role", "counselor"}, {"site_ids", json::array{site}}}).status, 200);
  EXPECT_EQ(sign_in_raw("casey", "a-new-password-1").status, 200);
}

TEST_F(web_auth_test, logins_are_checked) {
  start();
  const auto a = create("/v1/staff", {{"name", "A"}, {"email", "a@example.org"}});
  const auto b = create("/v1/staff", {{"name", "B"}, {"email", "b@example.org"}});
  const auto path = [](std::int64_t id) { return "/v1/staff/" + std::to_string(id) + "/login"; };
  EXPECT_EQ(daemon->get(path(a)).status, 404);
  auto no_password = put(path(a), {{"username", "aaa"}, {"role", "admin"}, {"site_ids", json::array{}}});
  EXPECT_EQ(no_password.status, 422) << no_password.body;
  EXPECT_EQ(fields_of(no_password), std::set<std::string>{"password"});
  auto bad = put(path(a), {{"username", "A B"}, {"password", "short"}, {"role", "boss"}, {"site_ids", json::array{}}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(fields_of(bad), (std::set<std::string>{"username", "password", "role"}));
  auto no_sites =
      put(path(a), {{"username", "aaa"}, {"password", password}, {"role", "counselor"}, {"site_ids", json::array{}}});
  EXPECT_EQ(fields_of(no_sites), std::set<std::string>{"site_ids"});
  auto no_such_site =
      put(path(a),
          {{"username", "aaa"}, {"password", password}, {"role", "counselor"}, {"site_ids", json::array{site + 100}}});
  EXPECT_EQ(no_such_site.status, 422) << no_such_site.body;
  EXPECT_EQ(fields_of(no_such_site), std::set<std::string>{"site_ids"});
  EXPECT_EQ(
      put(path(9999), {{"username", "zzz"}, {"password", password}, {"role", "admin"}, {"site_ids", json::array{}}})
          .status,
      404);
  EXPECT_EQ(put(path(a), {{"username", "aaa"}, {"password", password}, {"role", "admin"}, {"site_ids", json::array{}}})
                .status,
            200);
  auto taken =
      put(path(b), {{"username", "aaa"}, {"password", password}, {"role", "admin"}, {"site_ids", json::array{}}});
  EXPECT_EQ(taken.status, 409) << taken.body;
  EXPECT_EQ(count("SELECT count(*) FROM staff_logins"), 1);
}

TEST_F(web_auth_test, the_cookie_is_secure_when_configured) {
  start("[web]\ncookie_secure = true\n");
  staff_with_login("casey", "counselor", {site});
  const auto s = sign_in("casey");
  EXPECT_TRUE(s.answer.set_cookie.ends_with("; Secure")) << s.answer.set_cookie;
}

// Regression: the argon2id verify ran inside a pool job, so a few parallel sign-ins held every
// database connection (the fixture's pool_size is 2) and everything else queued behind them. Now
// the verifies wait on the hasher's one thread, holding nothing: a bearer-token read sent once
// the flood is under way answers while most sign-ins are still waiting for their verify. (Before,
// its pool job queued behind the sign-ins' and answered after nearly all of them.)
TEST_F(web_auth_test, a_flood_of_sign_ins_holds_no_database_connection) {
  start();
  staff_with_login("casey", "counselor", {site});
  constexpr int flood = 12;
  std::atomic<int> answered{0};
  std::vector<int> statuses(flood);
  std::vector<std::thread> threads;
  for (int i = 0; i < flood; ++i)
    threads.emplace_back([&, i] {
      statuses[i] = sign_in_raw(i % 2 ? "casey" : "nobody", "not-the-password").status;
      answered.fetch_add(1);
    });
  while (answered.load() == 0) std::this_thread::yield();  // the flood is under way
  const auto sites = daemon->get("/v1/sites");
  const int answered_before_the_read = answered.load();
  for (auto& t : threads) t.join();
  EXPECT_EQ(sites.status, 200) << sites.body;
  EXPECT_LE(answered_before_the_read, flood / 2) << "the read waited for the sign-ins' connections";
  for (int status : statuses) EXPECT_EQ(status, 401) << "within the bound: every one verified and refused";
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'sign_in_failed'"), flood);
}

// Past the hasher's bound (16 waiting) a sign-in is refused at once with a 503 and Retry-After,
// so a flood cannot queue memory without limit.
TEST_F(web_auth_test, sign_ins_past_the_bound_answer_503_with_retry_after) {
  start();
  constexpr int flood = 64;
  std::vector<api_response> answers(flood);
  std::vector<std::thread> threads;
  for (int i = 0; i < flood; ++i)
    threads.emplace_back([&, i] { answers[i] = sign_in_raw("nobody", "not-the-password"); });
  for (auto& t : threads) t.join();
  int refused = 0, busy = 0;
  for (const auto& a : answers) {
    if (a.status == 401) ++refused;
    if (a.status != 503) continue;
    ++busy;
    EXPECT_EQ(a.retry_after, "1");
    EXPECT_EQ(a.content_type, "application/problem+json");
  }
  EXPECT_EQ(refused + busy, flood);
  EXPECT_GE(refused, 16) << "the first 16 are verified";
  EXPECT_GE(busy, 1) << "64 at once cannot all fit in 16 places";
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'sign_in_failed'"), refused)
      << "a 503 is no sign-in attempt";
  EXPECT_EQ(daemon->get("/v1/sites").status, 200);
}

}  // namespace
}  // namespace rollcall::testing
