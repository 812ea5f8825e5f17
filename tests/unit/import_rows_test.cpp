// Reading and checking import rows (pure): every bad cell by line and column, duplicates,
// phone numbers placed from the normaliser's answers, and the checks against database facts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rollcall/domain/import.hpp"

namespace rollcall::domain {
namespace {

using cells = std::set<std::tuple<int, std::string>>;

cells cells_of(const std::vector<import_error>& errors) {
  cells out;
  for (const auto& e : errors) out.insert({e.line, e.column});
  return out;
}

TEST(import_rows, header_names_are_case_insensitive_and_trimmed) {
  auto p = read_import(import_kind::clients, " External_ID ,FIRST_NAME,Email\nc1, Ann ,ann@example.org\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].message;
  ASSERT_EQ(p.batch.clients.size(), 1u);
  EXPECT_EQ(p.batch.clients[0].external_id, "c1");
  EXPECT_EQ(p.batch.clients[0].first_name, "Ann");
  EXPECT_EQ(p.batch.clients[0].line, 2);
}

TEST(import_rows, unknown_duplicate_and_missing_columns_are_header_errors) {
  auto p = read_import(import_kind::clients, "external_id,nickname,email,email\nc1,x,a@b.org,a@b.org\n");
  EXPECT_EQ(cells_of(p.errors), (cells{{1, "nickname"}, {1, "email"}, {1, "first_name"}}));
  EXPECT_TRUE(p.batch.clients.empty());
}

TEST(import_rows, every_bad_cell_of_every_row_is_reported) {
  const auto p = read_import(import_kind::clients,
                             "external_id,first_name,phone,email\n"
                             "c1,Ann,,ann@example.org\n"
                             ",,,not-an-email\n"  // line 3: three bad cells
                             "c1,Bo,,\n"          // line 4: duplicate id, no contact
                             "c4,Cy\n");          // line 5: ragged
  EXPECT_EQ(cells_of(p.errors), (cells{{3, "external_id"},
                                       {3, "first_name"},
                                       {3, "email"},
                                       {3, "phone"},
                                       {4, "external_id"},
                                       {4, "phone"},
                                       {5, ""}}));
  for (const auto& e : p.errors) {
    if (e.line == 4 && e.column == "external_id") {
      EXPECT_EQ(e.message, "duplicates line 2");
    }
  }
}

TEST(import_rows, staff_need_a_way_to_be_reached_and_https_webhooks) {
  const auto p = read_import(import_kind::staff,
                             "external_id,name,alert_webhook_url\n"
                             "s1,Dr A,https://hooks.example.org/a\n"
                             "s2,Dr B,\n"
                             "s3,Dr C,http://hooks.example.org/c\n");
  EXPECT_EQ(cells_of(p.errors), (cells{{3, "alert_webhook_url"}, {4, "alert_webhook_url"}}));
  const auto allowed = read_import(import_kind::staff, "external_id,name,alert_webhook_url\ns3,C,http://h.example/c\n",
                                   {.allow_http_webhooks = true});
  EXPECT_TRUE(allowed.errors.empty());
}

TEST(import_rows, family_contacts_consent_date_is_optional_but_must_be_a_date) {
  const auto p = read_import(import_kind::family_contacts,
                             "client_external_id,name,relationship,consent_date\n"
                             "c1,Pat,mother,2024-03-01\n"
                             "c1,Sam,brother,\n"
                             "c1,Lee,,03/01/2024\n");
  EXPECT_EQ(cells_of(p.errors), (cells{{4, "relationship"}, {4, "consent_date"}}));
  EXPECT_EQ(p.batch.family_contacts[0].consent_date, "2024-03-01");
}

TEST(import_rows, enrolments_default_weekly_hours_by_level_and_read_group_lists) {
  const auto p = read_import(import_kind::enrollments,
                             "client_external_id,site_id,level_of_care,start_date,planned_weeks,"
                             "counselor_external_id,weekly_hours_required,group_ids\n"
                             "c1,1,PHP,2024-05-06,12,s1,,3; 7\n"
                             "c2,1,iop,2024-05-06,8,s1,12.5,\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].message;
  EXPECT_EQ(p.batch.enrollments[0].level_of_care, "php");
  EXPECT_EQ(p.batch.enrollments[0].weekly_hours_required, 20);
  EXPECT_EQ(p.batch.enrollments[0].group_ids, (std::vector<std::int64_t>{3, 7}));
  EXPECT_EQ(p.batch.enrollments[1].weekly_hours_required, 12.5);
  EXPECT_TRUE(p.batch.enrollments[1].group_ids.empty());
}

TEST(import_rows, default_weekly_hours_per_level) {
  EXPECT_EQ(default_weekly_hours("php"), 20);
  EXPECT_EQ(default_weekly_hours("iop"), 9);
  EXPECT_EQ(default_weekly_hours("op"), 1);
  EXPECT_EQ(default_weekly_hours("aftercare"), 0);
}

TEST(import_rows, bad_enrolment_cells) {
  const auto p = read_import(import_kind::enrollments,
                             "client_external_id,site_id,level_of_care,start_date,planned_weeks,"
                             "counselor_external_id,weekly_hours_required,group_ids\n"
                             "c1,x,rehab,2024-13-01,105,,81,3;x\n"
                             "c1,1,op,2024-05-06,0,s1,7.25,3;3\n");
  EXPECT_EQ(cells_of(p.errors), (cells{{2, "site_id"},
                                       {2, "level_of_care"},
                                       {2, "start_date"},
                                       {2, "planned_weeks"},
                                       {2, "counselor_external_id"},
                                       {2, "weekly_hours_required"},
                                       {2, "group_ids"},
                                       {3, "client_external_id"},
                                       {3, "planned_weeks"},
                                       {3, "weekly_hours_required"},
                                       {3, "group_ids"}}));
}

TEST(import_rows, empty_files_and_header_only_files_are_errors) {
  EXPECT_EQ(cells_of(read_import(import_kind::staff, "").errors), (cells{{1, ""}}));
  EXPECT_EQ(cells_of(read_import(import_kind::staff, "external_id,name,email\n").errors), (cells{{1, ""}}));
  EXPECT_EQ(cells_of(read_import(import_kind::staff, "external_id,name\n\"s1,x\n").errors), (cells{{2, ""}}));
}

TEST(import_rows, phones_are_replaced_by_their_e164_form_or_reported) {
  auto p = read_import(import_kind::clients, "external_id,first_name,phone\nc1,A,(212) 555-0123\nc2,B,911\n");
  ASSERT_TRUE(p.errors.empty());
  auto phones = phone_cells(p.batch);
  ASSERT_EQ(phones.size(), 2u);
  EXPECT_EQ(*phones[0].value, "(212) 555-0123");
  place_phone_numbers(phones, {std::string{"+12125550123"}, std::nullopt}, "US", p.errors);
  EXPECT_EQ(p.batch.clients[0].phone, "+12125550123");
  EXPECT_EQ(p.batch.clients[1].phone, "");
  EXPECT_EQ(cells_of(p.errors), (cells{{3, "phone"}}));
  EXPECT_THAT(p.errors[0].message, ::testing::HasSubstr("US"));
}

TEST(import_rows, rows_are_checked_against_the_database) {
  const auto p = read_import(import_kind::enrollments,
                             "client_external_id,site_id,level_of_care,start_date,planned_weeks,"
                             "counselor_external_id,case_manager_external_id,group_ids\n"
                             "c1,1,iop,2024-05-06,12,s1,,10\n"       // fine: takes the last seat of 10
                             "c2,1,iop,2024-05-06,12,s1,s9,10;20\n"  // 10 full now; 20 elsewhere; s9 unknown
                             "c3,1,iop,2024-05-06,12,s1,,\n"         // already in an episode
                             "c4,2,iop,2024-05-06,12,s2,,30\n"       // unknown client, site, staff, group
                             "c5,1,iop,2024-05-06,12,s1,,\n");       // archived client
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].message;
  import_facts f;
  f.clients["c1"] = {1, false, false, {}};
  f.clients["c2"] = {2, false, false, {}};
  f.clients["c3"] = {3, false, true, {}};
  f.clients["c5"] = {5, true, false, {}};
  f.staff["s1"] = 1;
  f.sites = {1};
  f.groups[10] = {1, 3, 2};
  f.groups[20] = {9, 0, 0};
  EXPECT_EQ(cells_of(check_against(p.batch, f)), (cells{{3, "group_ids"},
                                                        {3, "case_manager_external_id"},
                                                        {4, "client_external_id"},
                                                        {5, "client_external_id"},
                                                        {5, "site_id"},
                                                        {5, "counselor_external_id"},
                                                        {5, "group_ids"},
                                                        {6, "client_external_id"}}));
  const auto errors = check_against(p.batch, f);
  const auto full = std::count_if(errors.begin(), errors.end(), [](const import_error& e) {
    return e.line == 3 && e.message.find("full") != std::string::npos;
  });
  const auto elsewhere = std::count_if(errors.begin(), errors.end(), [](const import_error& e) {
    return e.line == 3 && e.message.find("another site") != std::string::npos;
  });
  EXPECT_EQ(full, 1);
  EXPECT_EQ(elsewhere, 1);
}

TEST(import_rows, external_ids_already_in_the_database_are_refused) {
  const auto p = read_import(import_kind::clients, "external_id,first_name,email\nc1,A,a@example.org\nc2,B,b@x.org\n");
  import_facts f;
  f.taken_external_ids = {"c2"};
  EXPECT_EQ(cells_of(check_against(p.batch, f)), (cells{{3, "external_id"}}));
}

}  // namespace
}  // namespace rollcall::domain
