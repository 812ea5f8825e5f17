// Hostile clients of the API on the real binary: size limits (413/431), slow clients cut off at
// the request deadline while others are served, idle connections, and a barrage over every
// route and parameter the served OpenAPI document lists (malformed JSON, wrong types, unknown
// fields, huge arrays, invalid UTF-8, SQL metacharacters, path traversal): each gets a clear 4xx
// as problem+json and the database (audit_log included) is unchanged afterwards. A load of bad
// requests does not break good ones (how much it slows them: tests/bench/hostile_load_bench).
#include <atomic>
#include <iostream>
#include <thread>

#include "clinic_fixture.hpp"
#include "raw_client.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* request_timeout = "3s";

class hostile_clients_test : public clinic_test {
 protected:
  void start() {
    clinic_settings s;
    s.lead_times = R"(["1h"])";
    db_url = shared_cluster().create_database();
    // Keys before the first table land in the harness's [server] table.
    daemon = std::make_unique<daemon_process>("request_timeout = \"" + std::string{request_timeout} + "\"\n" +
                                              config_toml(s));
    ASSERT_TRUE(daemon->start()) << daemon->log();
  }

  // Every table's row count and a digest of its rows. Of audit_log, the change rows: a refused
  // write is itself audited as an access row (kind 'access'; access_audit_test checks those).
  std::map<std::string, std::string> fingerprint() const {
    pqxx::connection c{db_url};
    pqxx::read_transaction tx{c};
    std::map<std::string, std::string> out;
    for (const auto& row : tx.exec("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")) {
      const auto table = row[0].as<std::string>();
      std::string from = tx.quote_name(table);
      if (table == "audit_log") from = "(SELECT * FROM audit_log WHERE kind = 'change')";
      std::string query = "SELECT count(*)::text || ':' || coalesce(md5(string_agg(md5(t::text), '' ORDER BY ";
      query += "md5(t::text))), '') FROM ";
      query += from;
      query += " t";
      out[table] = tx.exec1(query)[0].as<std::string>();
    }
    return out;
  }

  // A request's head with the harness's admin token (the body, if any, follows).
  std::string request_head(const std::string& method, const std::string& target,
                           const std::string& extra_headers = "") const {
    std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ";
    out += daemon->admin_token();
    out += "\r\n";
    out += extra_headers;
    return out;
  }
};

bool is_problem(const api_response& r) {
  if (r.content_type != "application/problem+json") return false;
  boost::system::error_code ec;
  const auto v = json::parse(r.body, ec);
  return !ec && v.is_object() && v.as_object().contains("status") && v.at("status").is_int64() &&
         v.at("status").as_int64() == r.status;
}

TEST_F(hostile_clients_test, an_oversized_body_gets_413_and_oversized_headers_get_431_as_problem_json) {
  start();
  {
    raw_client c{daemon->port()};
    ASSERT_TRUE(c.connected());
    // Declared larger than server.body_limit (1 MiB): refused before the body is read.
    c.send(request_head("POST", "/v1/clients", "Content-Type: application/json\r\nContent-Length: 2000000\r\n\r\n") +
           "{\"first_name\": \"");
    const auto r = c.read_reply(10s);
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(r.content_type, "application/problem+json");
    EXPECT_EQ(json::parse(r.body).at("status").as_int64(), 413) << r.body;
  }
  {
    raw_client c{daemon->port()};
    c.send(request_head("GET", "/v1/clients", "X-Filler: " + std::string(20000, 'a') + "\r\n\r\n"));
    const auto r = c.read_reply(10s);
    EXPECT_EQ(r.status, 431);
    EXPECT_EQ(r.content_type, "application/problem+json");
    EXPECT_EQ(json::parse(r.body).at("status").as_int64(), 431) << r.body;
  }
  // A chunked body growing past the limit is refused too.
  {
    raw_client c{daemon->port()};
    c.send(request_head("POST", "/v1/clients", "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
    const std::string chunk(64 * 1024, ' ');
    bool open = true;
    for (int i = 0; i < 40 && open && !c.peer_spoke(); ++i) open = c.send("10000\r\n" + chunk + "\r\n");
    const auto r = c.read_reply(10s);
    EXPECT_EQ(r.status, 413);
  }
  EXPECT_EQ(daemon->get("/v1/clients").status, 200);
}

TEST_F(hostile_clients_test,
       a_client_trickling_its_request_is_cut_off_at_the_request_deadline_while_others_are_served) {
  start();
  // 60 bytes at one a second would take a minute: a deadline per read would let it go on (each
  // byte restarts it); one deadline over the whole request cuts it off after request_timeout.
  const std::string request = request_head("GET", "/v1/clients?limit=5") + "X-Slow: 1\r\n\r\n";
  raw_client slow{daemon->port()};
  ASSERT_TRUE(slow.connected());
  const auto began = std::chrono::steady_clock::now();
  std::size_t sent = 0;
  int served_meanwhile = 0;
  while (sent < request.size() && !slow.peer_spoke()) {
    if (!slow.send(request.substr(sent, 1))) break;
    ++sent;
    // Others are served while it trickles.
    if (daemon->get("/v1/clients?limit=1").status == 200) ++served_meanwhile;
    std::this_thread::sleep_for(1s);
  }
  const auto reply = slow.read_reply(5s);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
  std::cout << "[hostile clients] trickled request cut off after " << sent << " of " << request.size() << " bytes, "
            << took.count() << " ms; " << served_meanwhile << " other requests served meanwhile\n";
  EXPECT_LT(sent, request.size()) << "the trickled request was never cut off";
  EXPECT_EQ(reply.status, 0) << "a cut-off request gets no answer";
  EXPECT_TRUE(reply.closed);
  EXPECT_EQ(served_meanwhile, static_cast<int>(sent));
}

TEST_F(hostile_clients_test, a_body_that_never_completes_is_cut_off_at_the_request_deadline) {
  start();
  raw_client stalled{daemon->port()};
  stalled.send(request_head("POST", "/v1/clients", "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n") +
               "{\"first_name\":");
  // Meanwhile the daemon answers others.
  EXPECT_EQ(daemon->get("/v1/clients").status, 200);
  const auto reply = stalled.read_reply(20s);
  EXPECT_TRUE(reply.closed);
  EXPECT_EQ(reply.status, 0);
  EXPECT_EQ(count("SELECT count(*) FROM clients"), 0);
}

TEST_F(hostile_clients_test, many_idle_connections_do_not_stop_new_ones_being_served) {
  start();
  constexpr int idle = 400;
  std::vector<std::unique_ptr<raw_client>> held;
  for (int i = 0; i < idle; ++i) {
    held.push_back(std::make_unique<raw_client>(daemon->port()));
    ASSERT_TRUE(held.back()->connected()) << i;
    if (i % 2) held.back()->send("GET /v1/clients HTTP/1.1\r\nHo");  // half a request, then silence
  }
  int served = 0;
  for (int i = 0; i < 20; ++i)
    if (daemon->get("/v1/clients?limit=1").status == 200) ++served;
  EXPECT_EQ(served, 20);
  EXPECT_EQ(daemon->post("/v1/clients", {{"first_name", "Kim"}}).status, 201);
  // The idle ones are closed at the request deadline.
  int closed = 0;
  for (auto& c : held)
    if (c->read_reply(15s).closed) ++closed;
  EXPECT_EQ(closed, idle);
  std::cout << "[hostile clients] " << idle << " idle connections held; " << served << " requests served meanwhile\n";
}

// ---- The barrage over the OpenAPI document ----

const json::object* resolve(const json::object& doc, const json::value& v) {
  const json::object* o = v.if_object();
  while (o && o->contains("$ref")) {
    std::string ref{o->at("$ref").as_string()};
    const json::value* at = &doc.at("components");
    // "#/components/schemas/Name"
    const auto last = ref.rfind('/');
    const auto kind_start = ref.find('/', 2) + 1;
    at = &at->at(ref.substr(kind_start, last - kind_start)).at(ref.substr(last + 1));
    o = at->if_object();
  }
  return o;
}

// The schema's properties, through allOf/oneOf/anyOf: name -> first non-null type.
void collect_properties(const json::object& doc, const json::object& schema, std::map<std::string, std::string>& out) {
  if (const auto* props = schema.if_contains("properties"))
    for (const auto& [name, v] : props->as_object()) {
      const auto* p = resolve(doc, v);
      std::string type;
      if (p && p->contains("type")) {
        const auto& t = p->at("type");
        if (t.is_string()) type = t.as_string();
        if (t.is_array())
          for (const auto& e : t.as_array())
            if (e.as_string() != "null" && type.empty()) type = e.as_string();
      }
      out.emplace(name, type);
    }
  for (const char* combo : {"allOf", "oneOf", "anyOf"})
    if (const auto* list = schema.if_contains(combo))
      for (const auto& s : list->as_array())
        if (const auto* r = resolve(doc, s)) collect_properties(doc, *r, out);
}

struct operation {
  std::string method, path;
  std::vector<std::pair<std::string, std::string>> params;  // {in, name}: path and query
  bool json_body = false;
  std::map<std::string, std::string> fields;  // JSON body properties -> type
};

std::vector<operation> operations_of(const json::object& doc) {
  std::vector<operation> out;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    std::vector<std::pair<std::string, std::string>> common;
    const auto read_params = [&](const json::value* list, std::vector<std::pair<std::string, std::string>>& into) {
      if (!list) return;
      for (const auto& p : list->as_array()) {
        const auto* r = resolve(doc, p);
        const std::string in{r->at("in").as_string()};
        if (in == "path" || in == "query") into.emplace_back(in, std::string{r->at("name").as_string()});
      }
    };
    read_params(item.as_object().if_contains("parameters"), common);
    for (const auto& [method, op] : item.as_object()) {
      if (method == "parameters") continue;
      operation o;
      o.path = path;
      o.method = method;
      for (auto& c : o.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      o.params = common;
      read_params(op.as_object().if_contains("parameters"), o.params);
      if (const auto* body = op.as_object().if_contains("requestBody"))
        if (const auto* content = resolve(doc, *body)->at("content").as_object().if_contains("application/json")) {
          o.json_body = true;
          if (const auto* schema = resolve(doc, content->at("schema"))) collect_properties(doc, *schema, o.fields);
        }
      out.push_back(std::move(o));
    }
  }
  return out;
}

// A value of the wrong JSON type for a field of `type`.
std::optional<json::value> wrong_value(const std::string& type) {
  if (type == "string") return json::value(12345);
  if (type == "integer" || type == "number") return json::value("not a number");
  if (type == "boolean") return json::value("yes");
  if (type == "array") return json::value("not an array");
  if (type == "object") return json::value(17);
  return std::nullopt;
}

// Values for a path or query parameter that no parameter accepts.
const std::vector<std::string> hostile_values{
    "'%20;%20DROP%20TABLE%20clients;%20--",  // ' ; DROP TABLE clients; --
    "1'%20OR%20'1'='1",
    "1;%20--",
    "%00",
    "1%00",
    "../../etc/passwd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "..%2f..%2fetc%2fpasswd",
    "1%2f2",
    "%ff%fe",
    "-1",
    "99999999999999999999999",
};

TEST_F(hostile_clients_test, every_parameter_and_body_field_refuses_hostile_input_and_changes_nothing) {
  start();
  // Something for every id to point at, so that bodies reach their validation.
  const auto site = create("/v1/sites", {{"name", "Eastside"}, {"time_zone", "UTC"}});
  const auto counselor = create("/v1/staff", {{"name", "Dana"}, {"email", "dana@example.org"}});
  const auto client = create("/v1/clients", {{"first_name", "Kim"}, {"phone", "+15550004444"}});
  const auto start_at = starting_in(6h);
  const auto group = create("/v1/groups", {{"site_id", site},
                                           {"name", "Evening"},
                                           {"slot", "evening"},
                                           {"weekdays", every_day},
                                           {"start_time", local_time("UTC", start_at)},
                                           {"end_time", local_end("UTC", start_at)}});
  create("/v1/enrollments", {{"client_id", client},
                             {"group_id", group},
                             {"counselor_id", counselor},
                             {"start_date", local_date("UTC", start_at - 24h)}});
  daemon->post(
      "/v1/clients/" + std::to_string(client) + "/contacts",
      {{"name", "Sam"}, {"relationship", "parent"}, {"phone", "+15550005555"}, {"consent_date", "2026-01-01"}});
  daemon->post("/v1/sites/" + std::to_string(site) + "/closures",
               {{"first_date", "2031-01-01"}, {"last_date", "2031-01-02"}, {"reason", "Holiday"}});
  daemon->post("/v1/feeds", {{"owner_kind", "client"}, {"owner_id", client}});
  ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM sessions") > 0; }, 20s));

  const std::map<std::string, std::string> table_of{{"site_id", "sites"},
                                                    {"group_id", "groups"},
                                                    {"episode_id", "episodes"},
                                                    {"enrollment_id", "enrollments"},
                                                    {"staff_id", "staff"},
                                                    {"client_id", "clients"},
                                                    {"contact_id", "family_contacts"},
                                                    {"session_id", "sessions"},
                                                    {"alert_id", "alerts"},
                                                    {"feed_id", "calendar_feeds"},
                                                    {"message_id", "outbox"},
                                                    {"closure_id", "site_closures"}};
  std::map<std::string, std::string> valid;
  for (const auto& [param, table] : table_of) {
    const auto id = scalar("SELECT min(id) FROM " + table);
    valid[param] = id.empty() ? "1" : id;
  }
  valid["provider"] = "webhook";
  valid["token"] = "AAAAAAAAAAAAAAAAAAAAAA";

  // The planner has settled: the fingerprint holds still without any request.
  auto before = fingerprint();
  std::this_thread::sleep_for(2500ms);
  ASSERT_EQ(fingerprint(), before) << "the database changes by itself: the fingerprint cannot tell";

  auto doc_res = daemon->get("/openapi.json");
  ASSERT_EQ(doc_res.status, 200);
  const auto doc = doc_res.json().as_object();
  const auto ops = operations_of(doc);

  std::map<std::string, int> tried;   // per category
  std::map<int, int> statuses;        // answers seen
  std::vector<std::string> failures;  // what went wrong, one line each
  const auto fill = [&](const operation& op, const std::string& bad_param, const std::string& bad_value) {
    std::string target = op.path;
    for (const auto& [in, name] : op.params) {
      if (in != "path") continue;
      const auto value = name == bad_param ? bad_value : (valid.count(name) ? valid[name] : "1");
      const auto at = target.find("{" + name + "}");
      if (at != std::string::npos) target.replace(at, name.size() + 2, value);
    }
    return target;
  };
  // `field`: a body field the problem must name ("" for none).
  const auto check = [&](const std::string& category, const operation& op, const std::string& target,
                         const std::string& body, const std::string& field, const std::string& content_type) {
    ++tried[category];
    std::vector<std::pair<std::string, std::string>> headers;
    if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
    api_response r;
    try {
      r = daemon->request(op.method, target, body, std::string{"test-token"}, headers);
    } catch (const std::exception& e) {
      failures.push_back(category + " " + op.method + " " + target + ": no answer (" + e.what() + ")");
      return;
    }
    ++statuses[r.status];
    const auto where = category + " " + op.method + " " + target.substr(0, 120) + " -> " + std::to_string(r.status);
    static const std::set<int> clear{400, 401, 403, 404, 405, 413, 415, 422};
    if (!clear.count(r.status)) {
      failures.push_back(where + " " + r.body.substr(0, 200));
      return;
    }
    if (!is_problem(r)) {
      failures.push_back(where + ": not problem+json: " + r.content_type);
      return;
    }
    if (!field.empty() && (r.status == 400 || r.status == 422) && !fields_of(r).count(field))
      failures.push_back(where + ": does not name " + field + ": " + r.body.substr(0, 300));
  };

  for (const auto& op : ops) {
    // Path and query parameters, one at a time, the others valid.
    for (const auto& [in, name] : op.params) {
      for (const auto& value : hostile_values) {
        if (in == "path") {
          check("path parameter", op, fill(op, name, value), op.json_body ? "{}" : "", "", "");
        } else {
          check("query parameter", op, fill(op, "", "") + "?" + name + "=" + value, op.json_body ? "{}" : "", "", "");
        }
      }
    }
    if (!op.json_body) continue;
    const auto target = fill(op, "", "");
    const auto send = [&](const std::string& category, const std::string& body, const std::string& field) {
      check(category, op, target, body, field, "application/json");
    };
    send("malformed JSON", "{\"name\": ", "");
    send("malformed JSON", "{\"a\": 1,}", "");
    send("malformed JSON", "not json at all", "");
    send("not an object", "[1, 2, 3]", "");
    send("not an object", "\"text\"", "");
    send("nesting bomb", std::string(5000, '[') + std::string(5000, ']'), "");
    send("invalid UTF-8", "{\"name\": \"\xff\xfe\xc3\x28\"}", "");
    send("unknown field", R"({"zz_not_a_field": 1})", "zz_not_a_field");
    for (const auto& [field, type] : op.fields) {
      if (const auto bad = wrong_value(type)) send("wrong type", json::serialize(json::object{{field, *bad}}), field);
      if (type == "string") {
        send("invalid UTF-8", "{\"" + field + "\": \"ok\xff\xfe\"}", "");
      }
      if (type == "array") {
        // 100k elements, well within the body limit.
        std::string huge = "{\"" + field + "\": [";
        for (int i = 0; i < 100'000; ++i) huge += i ? ",1" : "1";
        huge += "]}";
        send("huge array", huge, field);
      }
    }
  }

  // A few seconds for anything queued by a request (it should have been nothing) to land.
  std::this_thread::sleep_for(1500ms);
  const auto after = fingerprint();
  for (const auto& [table, digest] : before) EXPECT_EQ(after.at(table), digest) << "table " << table << " changed";
  EXPECT_EQ(after.size(), before.size());

  int total = 0;
  std::cout << "[hostile clients] barrage over " << ops.size() << " operations:";
  for (const auto& [category, n] : tried) {
    std::cout << " " << category << " " << n << ";";
    total += n;
  }
  std::cout << " total " << total << "; answers:";
  for (const auto& [status, n] : statuses) std::cout << " " << status << " x" << n;
  std::cout << "\n";
  for (std::size_t i = 0; i < failures.size() && i < 60; ++i) ADD_FAILURE() << failures[i];
  EXPECT_TRUE(failures.empty()) << failures.size() << " bad answer(s)";
  EXPECT_GT(tried["wrong type"], 100);
  EXPECT_EQ(statuses.count(500), 0u);
}

TEST_F(hostile_clients_test, good_requests_succeed_under_a_load_of_bad_ones) {
  start();
  std::atomic<bool> stop{false};
  std::atomic<int> bad_sent{0};
  std::vector<std::thread> hammers;
  for (int t = 0; t < 4; ++t)
    hammers.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        raw_client c{daemon->port()};
        switch ((t + i) % 4) {
          case 0:
            c.send(request_head("POST", "/v1/clients", "Content-Type: application/json\r\nContent-Length: 9\r\n\r\n") +
                   "{\"first_n");
            break;
          case 1:
            c.send(request_head("GET", "/v1/clients", "X-Filler: " + std::string(20000, 'a') + "\r\n\r\n"));
            break;
          case 2:
            c.send(request_head("POST", "/v1/clients", "Content-Length: 5000000\r\n\r\n"));
            break;
          default:
            c.send("\x16\x03\x01 garbage\r\n\r\n");  // a TLS hello's start on plain HTTP
            break;
        }
        c.read_reply(5s);
        ++bad_sent;
      }
    });
  int good = 0, ok = 0;
  const auto until = std::chrono::steady_clock::now() + 4s;
  while (std::chrono::steady_clock::now() < until) {
    const auto read = daemon->get("/v1/clients?limit=5");
    const auto write = daemon->post("/v1/clients", {{"first_name", "Kim"}});
    good += 2;
    ok += (read.status == 200) + (write.status == 201);
  }
  stop = true;
  for (auto& h : hammers) h.join();
  std::cout << "[hostile clients] under load: " << bad_sent << " bad requests, " << good << " good requests, " << ok
            << " succeeded\n";
  EXPECT_GT(bad_sent.load(), 100);
  EXPECT_GT(good, 10);
  EXPECT_EQ(ok, good);
  EXPECT_EQ(count("SELECT count(*) FROM clients"), good / 2);
}

}  // namespace
}  // namespace rollcall::testing
