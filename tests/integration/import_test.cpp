// CSV imports through the real daemon and its command line: dry runs write nothing, every bad
// cell is reported by line and column, phone numbers come out in E.164 (libphonenumber through
// gawk), and a commit writes every row or none.
#include <fstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <pqxx/pqxx>

#include "clinic_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
namespace http = boost::beast::http;

class import_test : public clinic_test {
 protected:
  // POSTs `body` with the given content type (the harness's client always sends JSON).
  api_response post_file(const std::string& target, const std::string& body,
                         const std::string& content_type = "text/csv; charset=utf-8") const {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket{io};
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), daemon->port()});
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, "Bearer " + daemon->admin_token());
    req.set(http::field::content_type, content_type);
    req.body() = body;
    req.prepare_payload();
    req.keep_alive(false);
    if (body.size() > (1u << 20)) {
      // Over the server's limit: it answers 413 from the Content-Length alone, and would reset
      // the connection under a body it never reads.
      http::request_serializer<http::string_body> header{req};
      http::write_header(socket, header);
    } else {
      http::write(socket, req);
    }
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    boost::beast::error_code ec;
    http::read(socket, buffer, res, ec);
    return {static_cast<int>(res.result_int()), std::string{res[http::field::content_type]}, res.body()};
  }

  std::string scalar(const std::string& query) const {
    pqxx::connection c{db_url};
    pqxx::read_transaction tx{c};
    return tx.exec1(query)[0].as<std::string>();
  }

  static std::set<std::tuple<int, std::string>> cells_of(const api_response& r) {
    std::set<std::tuple<int, std::string>> out;
    const auto body = r.json();  // named: the loop must not run over a destroyed temporary
    for (const auto& e : body.at("errors").as_array())
      out.insert({static_cast<int>(e.at("line").as_int64()),
                  e.at("column").is_null() ? std::string{} : std::string{e.at("column").as_string()}});
    return out;
  }

  static constexpr const char* clients_csv =
      "\xEF\xBB\xBF"
      "External_ID,first_name,phone,email\r\n"
      "MRN-1,Ann,(212) 555-0123,\r\n"
      "MRN-2,\"Bo, Jr\",,bo@example.org\r\n";
};

TEST_F(import_test, a_dry_run_reports_each_row_with_its_normalised_phone_and_writes_nothing) {
  start_daemon();
  auto res = post_file("/v1/imports/clients?dry_run=true", clients_csv);
  ASSERT_EQ(res.status, 200) << res.body;
  const auto body = res.json();
  EXPECT_EQ(body.at("kind"), "clients");
  EXPECT_EQ(body.at("dry_run"), true);
  EXPECT_EQ(body.at("rows"), 2);
  EXPECT_EQ(body.at("created"), 0);
  EXPECT_TRUE(body.at("errors").as_array().empty());
  const auto& items = body.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("line"), 2);
  EXPECT_EQ(items[0].at("phone"), "+12125550123");
  EXPECT_EQ(items[1].at("first_name"), "Bo, Jr");
  EXPECT_EQ(count("SELECT count(*) FROM clients"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE kind = 'change' AND entity <> 'api_token'"), 0);
  // Without dry_run=false nothing is written either.
  EXPECT_EQ(post_file("/v1/imports/clients", clients_csv).json().at("dry_run"), true);
  EXPECT_EQ(count("SELECT count(*) FROM clients"), 0);
}

TEST_F(import_test, every_bad_cell_is_reported_by_line_and_column_and_nothing_is_written) {
  start_daemon();
  const std::string csv =
      "external_id,first_name,phone,email\n"
      "c1,Ann,(212) 555-0123,\n"  // fine
      "c2,,555-0000,not-mail\n"   // three bad cells: name, invalid number, email
      "c1,Cy,+1 212 555 0199,\n"  // duplicate id
      "c4,Di,911,\n"              // a short number is not a phone
      "c5,Ed\n";                  // ragged
  for (const char* mode : {"true", "false"}) {
    auto res = post_file(std::string{"/v1/imports/clients?dry_run="} + mode, csv);
    ASSERT_EQ(res.status, 422) << res.body;
    EXPECT_EQ(res.content_type, "application/problem+json");
    EXPECT_EQ(cells_of(res),
              (std::set<std::tuple<int, std::string>>{
                  {3, "first_name"}, {3, "phone"}, {3, "email"}, {4, "external_id"}, {5, "phone"}, {6, ""}}))
        << res.body;
    EXPECT_EQ(res.json().at("kind"), "clients");
  }
  EXPECT_EQ(count("SELECT count(*) FROM clients"), 0) << "one bad row: nothing committed";
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE kind = 'change' AND entity <> 'api_token'"), 0);

  auto header = post_file("/v1/imports/clients?dry_run=false", "external_id,nickname\nc1,x\n");
  ASSERT_EQ(header.status, 422);
  EXPECT_EQ(cells_of(header), (std::set<std::tuple<int, std::string>>{{1, "nickname"}, {1, "first_name"}}));
}

TEST_F(import_test, a_valid_file_commits_every_row_with_an_audit_row_each) {
  start_daemon();
  auto res = post_file("/v1/imports/clients?dry_run=false", clients_csv);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json().at("created"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM clients"), 2);
  EXPECT_EQ(scalar("SELECT phone FROM clients WHERE external_id = 'MRN-1'"), "+12125550123");
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE entity = 'client' AND actor = 'token:test'"), 2);
  // The same ids again clash with the database.
  auto again = post_file("/v1/imports/clients?dry_run=true", clients_csv);
  ASSERT_EQ(again.status, 422);
  EXPECT_EQ(cells_of(again), (std::set<std::tuple<int, std::string>>{{2, "external_id"}, {3, "external_id"}}));

  auto staff = post_file("/v1/imports/staff?dry_run=false",
                         "external_id,name,phone,email,alert_webhook_url\n"
                         "E-1,Dr Ada,,ada@example.org,\n"
                         "E-2,Dr Ben,(201) 555-0177,,https://hooks.example.org/ben\n");
  ASSERT_EQ(staff.status, 200) << staff.body;
  EXPECT_EQ(scalar("SELECT phone FROM staff WHERE external_id = 'E-2'"), "+12015550177");

  auto family = post_file("/v1/imports/family_contacts?dry_run=false",
                          "client_external_id,name,relationship,phone,consent_date\n"
                          "MRN-1,Pat,mother,(212) 555-0144,2024-03-01\n"
                          "MRN-2,Sam,brother,,\n");
  ASSERT_EQ(family.status, 200) << family.body;
  EXPECT_EQ(count("SELECT count(*) FROM family_contacts WHERE consent_date = '2024-03-01'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM family_contacts"), 2);
  auto unknown =
      post_file("/v1/imports/family_contacts?dry_run=false", "client_external_id,name,relationship\nMRN-9,Lee,aunt\n");
  ASSERT_EQ(unknown.status, 422);
  EXPECT_EQ(cells_of(unknown), (std::set<std::tuple<int, std::string>>{{2, "client_external_id"}}));
  EXPECT_EQ(count("SELECT count(*) FROM family_contacts"), 2);
}

TEST_F(import_test, enrolments_open_episodes_and_place_clients_in_groups) {
  start_daemon();
  const auto site = create("/v1/sites", {{"name", "East"}, {"time_zone", "America/New_York"}});
  const auto other = create("/v1/sites", {{"name", "West"}, {"time_zone", "America/Denver"}});
  const json::array days{"mon", "wed"};
  const auto group = create(
      "/v1/groups", {{"site_id", site}, {"name", "G"}, {"slot", "morning"}, {"weekdays", days}, {"capacity", 1}});
  const auto far = create("/v1/groups", {{"site_id", other}, {"name", "W"}, {"slot", "morning"}, {"weekdays", days}});
  ASSERT_EQ(post_file("/v1/imports/staff?dry_run=false", "external_id,name,email\nE-1,Dr A,a@example.org\n").status,
            200);
  ASSERT_EQ(post_file("/v1/imports/clients?dry_run=false",
                      "external_id,first_name,email\nc1,A,a@x.org\nc2,B,b@x.org\nc3,C,c@x.org\n")
                .status,
            200);
  const std::string head =
      "client_external_id,site_id,level_of_care,start_date,planned_weeks,counselor_external_id,"
      "case_manager_external_id,weekly_hours_required,group_ids\n";
  const auto s = std::to_string(site), g = std::to_string(group), w = std::to_string(far);
  // Row 3 would take a second seat of a one-seat group, and names a group at another site.
  auto bad = post_file("/v1/imports/enrollments?dry_run=false", head + "c1," + s + ",php,2024-05-06,12,E-1,E-1,," + g +
                                                                    "\n" + "c2," + s + ",iop,2024-05-06,8,E-1,,," + g +
                                                                    ";" + w + "\n");
  ASSERT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(cells_of(bad), (std::set<std::tuple<int, std::string>>{{3, "group_ids"}}));
  EXPECT_EQ(bad.json().at("errors").as_array().size(), 2u) << bad.body;
  EXPECT_EQ(count("SELECT count(*) FROM episodes"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM enrollments"), 0);

  auto ok =
      post_file("/v1/imports/enrollments?dry_run=false", head + "c1," + s + ",php,2024-05-06,12,E-1,E-1,," + g + "\n" +
                                                             "c2," + s + ",aftercare,2024-05-06,8,E-1,,2.5,\n");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json().at("created"), 2);
  EXPECT_EQ(ok.json().at("placements"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM episodes WHERE status = 'active'"), 2);
  EXPECT_EQ(scalar("SELECT weekly_hours_required::text FROM episodes e JOIN clients c ON c.id = e.client_id"
                   " WHERE c.external_id = 'c1'"),
            "20.0");
  EXPECT_EQ(scalar("SELECT weekly_hours_required::text FROM episodes e JOIN clients c ON c.id = e.client_id"
                   " WHERE c.external_id = 'c2'"),
            "2.5");
  EXPECT_EQ(count("SELECT count(*) FROM episode_levels l JOIN episodes e ON e.id = l.episode_id"
                  " WHERE l.effective_date = e.start_date AND l.changed_by = 'token:test'"),
            2);
  EXPECT_EQ(count("SELECT count(*) FROM enrollments n JOIN episodes e ON e.id = n.episode_id"
                  " WHERE n.status = 'active' AND n.group_id = " +
                  g + " AND n.start_date = '2024-05-06'"),
            1);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE entity IN ('episode', 'episode_level', 'enrollment')"), 5);
  // The client now has an active episode; the group is full.
  auto again = post_file("/v1/imports/enrollments?dry_run=true", head + "c1," + s + ",iop,2024-06-03,8,E-1,,,\n" +
                                                                     "c3," + s + ",iop,2024-06-03,8,E-1,,," + g + "\n");
  ASSERT_EQ(again.status, 422);
  EXPECT_EQ(cells_of(again), (std::set<std::tuple<int, std::string>>{{2, "client_external_id"}, {3, "group_ids"}}));
}

TEST_F(import_test, content_type_kind_flag_and_size_are_checked) {
  start_daemon();
  EXPECT_EQ(post_file("/v1/imports/clients", clients_csv, "application/json").status, 415);
  EXPECT_EQ(post_file("/v1/imports/patients", clients_csv).status, 404);
  EXPECT_EQ(post_file("/v1/imports/clients?dry_run=maybe", clients_csv).status, 400);
  EXPECT_EQ(post_file("/v1/imports/clients", std::string(2 << 20, 'x')).status, 413);
  EXPECT_EQ(daemon->request("POST", "/v1/imports/clients", "a", std::string{"wrong"}).status, 401);
}

TEST_F(import_test, the_command_line_imports_a_file_with_a_dry_run_first) {
  start_daemon();
  daemon_process cli{config_toml({})};
  const auto file = cli.dir() / "clients.csv";
  std::ofstream(file) << clients_csv;
  const auto base =
      std::vector<std::string>{"--config", cli.config_path().string(), "--import", "clients", file.string()};
  auto dry = base;
  dry.push_back("--dry-run");
  EXPECT_EQ(cli.run_to_exit(dry), 0) << cli.log();
  EXPECT_NE(cli.log().find("\"+12125550123\""), std::string::npos) << cli.log();
  EXPECT_NE(cli.log().find("\"dry_run\":true"), std::string::npos) << cli.log();
  EXPECT_EQ(count("SELECT count(*) FROM clients"), 0);

  EXPECT_EQ(cli.run_to_exit(base), 0) << cli.log();
  EXPECT_EQ(count("SELECT count(*) FROM clients"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE actor = 'cli'"), 2);

  // The same file again: every row clashes; exit 1 and nothing more written.
  EXPECT_EQ(cli.run_to_exit(base), 1) << cli.log();
  EXPECT_EQ(count("SELECT count(*) FROM clients"), 2);
  EXPECT_EQ(cli.run_to_exit({"--config", cli.config_path().string(), "--import", "patients", file.string()}), 2);
  EXPECT_EQ(daemon->get("/healthz").status, 200);
}

}  // namespace
}  // namespace rollcall::testing
