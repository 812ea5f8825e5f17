// Family contacts with the client's consent, and the audit log's before/after through the real
// daemon: consent given, revoked (cancelling pending messages in the same transaction) and given
// again; every change visible with its before and after in GET /v1/audit, which is read-only.
#include <pqxx/pqxx>

#include "clinic_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;

class contacts_test : public clinic_test {
 protected:
  // A message for the contact, as the lead's family-session reminders will queue them.
  void queue_message(std::int64_t contact, const std::string& key, const std::string& status) {
    sql("INSERT INTO outbox (dedupe_key, kind, target, payload, status, due_at, family_contact_id) VALUES ('" + key +
        "', 'reminder', 'provider', '{}', '" + status + "', now() + interval '1 day', " + std::to_string(contact) +
        ")");
  }
  json::array audit_of(const std::string& entity, std::int64_t id) {
    auto res = daemon->get("/v1/audit?kind=change&entity=" + entity + "&entity_id=" + std::to_string(id));
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json().at("items").as_array();
  }
};

TEST_F(contacts_test, contacts_are_kept_with_consent_that_can_be_revoked_and_given_again) {
  start_daemon();
  const auto kim = create("/v1/clients", {{"first_name", "Kim"}});
  const auto base = "/v1/clients/" + std::to_string(kim) + "/contacts";

  EXPECT_EQ(fields_of(daemon->post(base, {{"name", "Pat"}, {"relationship", "mother"}})),
            std::set<std::string>{"phone"});
  EXPECT_EQ(
      fields_of(daemon->post(
          base, {{"name", ""}, {"phone", "12"}, {"email", "x"}, {"consent_date", "yesterday"}, {"nickname", "P"}})),
      (std::set<std::string>{"name", "relationship", "phone", "email", "consent_date", "nickname"}));
  EXPECT_EQ(
      daemon->post("/v1/clients/99/contacts", {{"name", "P"}, {"relationship", "x"}, {"phone", "+15550001111"}}).status,
      404);

  auto made = daemon->post(base, {{"name", "Pat"}, {"relationship", "mother"}, {"phone", "+15550001111"}});
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json().at("consent"), "none");
  EXPECT_TRUE(made.json().at("consent_date").is_null());
  const auto pat = made.json().at("id").as_int64();
  auto with_consent = daemon->post(
      base,
      {{"name", "Sam"}, {"relationship", "partner"}, {"email", "sam@example.org"}, {"consent_date", "2025-01-02"}});
  ASSERT_EQ(with_consent.status, 201) << with_consent.body;
  EXPECT_EQ(with_consent.json().at("consent"), "given");
  const auto sam = with_consent.json().at("id").as_int64();
  const auto path = "/v1/contacts/" + std::to_string(pat);

  auto listed = daemon->get(base + "?limit=1");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(listed.json().at("items").at(0).at("id"), pat);
  auto rest = daemon->get(base + "?limit=1&cursor=" + std::string{listed.json().at("next_cursor").as_string()});
  EXPECT_EQ(rest.json().at("items").at(0).at("id"), sam);
  EXPECT_TRUE(rest.json().at("next_cursor").is_null());
  EXPECT_EQ(daemon->get("/v1/clients/99/contacts").status, 404);
  EXPECT_EQ(daemon->get(path).json().at("relationship"), "mother");
  EXPECT_EQ(daemon->get("/v1/contacts/99").status, 404);

  auto changed = patch(path, {{"email", "pat@example.org"}, {"relationship", "aunt"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json().at("name"), "Pat");
  EXPECT_EQ(changed.json().at("relationship"), "aunt");
  EXPECT_EQ(fields_of(patch(path, {{"name", nullptr}, {"phone", "5"}, {"consent", "given"}})),
            (std::set<std::string>{"name", "phone", "consent"}));
  EXPECT_EQ(fields_of(patch(path, {{"phone", nullptr}, {"email", ""}})), std::set<std::string>{"phone"});
  EXPECT_EQ(patch("/v1/contacts/99", {{"name", "X"}}).status, 404);

  EXPECT_EQ(fields_of(daemon->post(path + "/consent", json::object{})), std::set<std::string>{"consent_date"});
  auto consent = daemon->post(path + "/consent", {{"consent_date", "2025-03-04"}});
  ASSERT_EQ(consent.status, 200) << consent.body;
  EXPECT_EQ(consent.json().at("consent"), "given");
  EXPECT_EQ(consent.json().at("consent_date"), "2025-03-04");

  // Revoking cancels what was waiting to go to them, and only that.
  queue_message(pat, "family:1", "pending");
  queue_message(pat, "family:2", "sending");
  queue_message(pat, "family:3", "delivered");
  queue_message(sam, "family:4", "pending");
  auto revoked = daemon->post(path + "/revoke-consent", json::object{});
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(revoked.json().at("consent"), "revoked");
  EXPECT_FALSE(revoked.json().at("consent_revoked_at").is_null());
  EXPECT_EQ(revoked.json().at("messages_cancelled"), 2);
  EXPECT_EQ(
      count("SELECT count(*) FROM outbox WHERE status = 'cancelled' AND family_contact_id = " + std::to_string(pat)),
      2);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE status = 'delivered'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE status = 'pending'"), 1) << "another contact's message stays";
  auto again = daemon->post(path + "/revoke-consent", json::object{});
  EXPECT_EQ(again.json().at("consent_revoked_at"), revoked.json().at("consent_revoked_at")) << "the first one counts";

  auto renewed = daemon->post(path + "/consent", {{"consent_date", "2025-05-06"}});
  EXPECT_EQ(renewed.json().at("consent"), "given");
  EXPECT_TRUE(renewed.json().at("consent_revoked_at").is_null());

  auto archived = daemon->post("/v1/contacts/" + std::to_string(sam) + "/archive", json::object{});
  ASSERT_EQ(archived.status, 200) << archived.body;
  EXPECT_EQ(archived.json().at("status"), "archived");
  EXPECT_EQ(archived.json().at("messages_cancelled"), 1);
  EXPECT_EQ(patch("/v1/contacts/" + std::to_string(sam), {{"name", "S"}}).status, 409);
  EXPECT_EQ(daemon->post("/v1/contacts/" + std::to_string(sam) + "/consent", {{"consent_date", "2025-01-01"}}).status,
            409);
  EXPECT_EQ(daemon->get(base).json().at("items").as_array().size(), 1u);
  EXPECT_EQ(daemon->get(base + "?status=archived").json().at("items").at(0).at("id"), sam);
  EXPECT_EQ(fields_of(daemon->get(base + "?status=x")), std::set<std::string>{"status"});

  // An archived client takes no new contacts.
  sql("UPDATE clients SET archived_at = now() WHERE id = " + std::to_string(kim));
  EXPECT_EQ(daemon->post(base, {{"name", "Q"}, {"relationship", "friend"}, {"phone", "+15550001111"}}).status, 409);

  // Each change is in the audit log with the contact before and after it.
  const auto log = audit_of("family_contact", pat);
  std::vector<std::string> actions;
  for (const auto& e : log) actions.push_back(std::string{e.at("action").as_string()});
  EXPECT_EQ(actions,
            (std::vector<std::string>{"create", "update", "consent", "revoke_consent", "revoke_consent", "consent"}));
  EXPECT_TRUE(log[0].at("before").is_null());
  EXPECT_EQ(log[1].at("before").at("relationship"), "mother");
  EXPECT_EQ(log[1].at("after").at("relationship"), "aunt");
  EXPECT_TRUE(log[3].at("before").at("consent_revoked_at").is_null());
  EXPECT_FALSE(log[3].at("after").at("consent_revoked_at").is_null());
  EXPECT_EQ(log[3].at("detail").at("messages_cancelled"), 2);
}

TEST_F(contacts_test, every_write_is_in_the_audit_log_with_before_and_after_and_the_log_is_read_only) {
  start_daemon();
  const auto site = create("/v1/sites", {{"name", "Eastside"}, {"time_zone", "UTC"}});
  const auto staff = create("/v1/staff", {{"name", "Dana"}, {"email", "dana@example.org"}});
  ASSERT_EQ(patch("/v1/staff/" + std::to_string(staff), {{"name", "Dana R."}}).status, 200);
  ASSERT_EQ(patch("/v1/sites/" + std::to_string(site), {{"address", "1 Main St"}}).status, 200);
  ASSERT_EQ(daemon
                ->request("PUT", "/v1/sites/" + std::to_string(site) + "/slots",
                          R"({"slot":"evening","start_time":"17:00","end_time":"20:00"})")
                .status,
            200);
  ASSERT_EQ(daemon->post("/v1/staff/" + std::to_string(staff) + "/archive", json::object{}).status, 200);

  const auto staff_log = audit_of("staff", staff);
  ASSERT_EQ(staff_log.size(), 3u);
  EXPECT_EQ(staff_log[0].at("action"), "create");
  EXPECT_TRUE(staff_log[0].at("before").is_null());
  EXPECT_EQ(staff_log[0].at("after").at("name"), "Dana");
  EXPECT_EQ(staff_log[0].at("actor"), "token:test");
  EXPECT_EQ(staff_log[1].at("before").at("name"), "Dana");
  EXPECT_EQ(staff_log[1].at("after").at("name"), "Dana R.");
  EXPECT_EQ(staff_log[1].at("entity_id"), staff);
  EXPECT_EQ(staff_log[2].at("action"), "archive");
  EXPECT_TRUE(staff_log[2].at("before").at("archived_at").is_null());
  EXPECT_FALSE(staff_log[2].at("after").at("archived_at").is_null());

  const auto site_log = audit_of("site", site);
  ASSERT_EQ(site_log.size(), 2u);
  EXPECT_EQ(site_log[1].at("before").at("address"), "");
  EXPECT_EQ(site_log[1].at("after").at("address"), "1 Main St");
  const auto slot_log = audit_of("site_slot", site);
  ASSERT_EQ(slot_log.size(), 1u);
  EXPECT_EQ(slot_log[0].at("before").as_array().size(), 3u);
  bool changed = false;
  for (const auto& slot : slot_log[0].at("after").as_array())
    if (slot.at("slot") == "evening") changed = slot.at("start_second") == 17 * 3600;
  EXPECT_TRUE(changed) << json::serialize(slot_log[0]);

  // Pages of the whole log, and filters that must be well-formed.
  const int total = count("SELECT count(*) FROM audit_log");
  std::vector<std::int64_t> ids;
  std::string cursor;
  for (int i = 0; i < 50; ++i) {
    const auto body = daemon->get("/v1/audit?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor)).json();
    for (const auto& e : body.at("items").as_array()) ids.push_back(e.at("id").as_int64());
    if (body.at("next_cursor").is_null()) break;
    cursor = std::string{body.at("next_cursor").as_string()};
  }
  EXPECT_EQ(static_cast<int>(ids.size()), total);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<std::int64_t>(ids.begin(), ids.end()).size(), ids.size());
  EXPECT_EQ(fields_of(daemon->get("/v1/audit?entity_id=abc&limit=500")), (std::set<std::string>{"entity_id", "limit"}));
  EXPECT_EQ(daemon->get("/v1/audit?entity=nothing").json().at("items").as_array().size(), 0u);

  // There is no way to change the log through the API.
  EXPECT_EQ(daemon->request("DELETE", "/v1/audit").status, 405);
  EXPECT_EQ(daemon->post("/v1/audit", json::object{}).status, 405);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log"), total);
}

}  // namespace
}  // namespace rollcall::testing
