// Site scope decisions (http/scope.hpp): the token and admins see every site; staff see their own
// sites only, and a list filtered by a site outside them is refused (404) rather than emptied.
#include <gtest/gtest.h>

#include "rollcall/http/scope.hpp"

namespace {

namespace http = rollcall::http;

http::principal token(std::string role = "admin") {
  http::principal p;
  p.who = http::principal::kind::token;
  p.token_name = "ops";
  p.role = std::move(role);
  p.all_sites = true;
  return p;
}

http::principal staff(std::vector<std::int64_t> sites, std::string role = "counselor") {
  http::principal p;
  p.who = http::principal::kind::staff;
  p.staff_id = 7;
  p.role = std::move(role);
  p.site_ids = std::move(sites);
  p.all_sites = p.role == "admin";
  return p;
}

TEST(scope, the_token_sees_every_record_even_one_without_a_site) {
  EXPECT_TRUE(http::in_scope(token(), 1));
  EXPECT_TRUE(http::in_scope(token(), 999));
  EXPECT_TRUE(http::in_scope(token(), std::nullopt));
}

TEST(scope, staff_see_records_of_their_sites_only) {
  const auto p = staff({2, 5});
  EXPECT_TRUE(http::in_scope(p, 2));
  EXPECT_TRUE(http::in_scope(p, 5));
  EXPECT_FALSE(http::in_scope(p, 3));
  EXPECT_FALSE(http::in_scope(p, std::nullopt));  // an alert without a site
  EXPECT_FALSE(http::in_scope(staff({}), 2));
}

TEST(scope, an_admin_sees_every_site) {
  const auto p = staff({}, "admin");
  EXPECT_TRUE(http::in_scope(p, 3));
  EXPECT_TRUE(http::in_scope(p, std::nullopt));
}

TEST(scope, lists_for_the_token_are_not_narrowed) {
  const auto s = http::scope_of_list(token(), std::nullopt);
  EXPECT_FALSE(s.out_of_scope);
  EXPECT_FALSE(s.site_ids.has_value());
  const auto filtered = http::scope_of_list(token(), 42);
  EXPECT_FALSE(filtered.out_of_scope);
  EXPECT_FALSE(filtered.site_ids.has_value());
}

TEST(scope, lists_for_staff_show_their_sites_and_refuse_another_site) {
  const auto p = staff({2, 5});
  const auto all = http::scope_of_list(p, std::nullopt);
  EXPECT_FALSE(all.out_of_scope);
  ASSERT_TRUE(all.site_ids.has_value());
  EXPECT_EQ(*all.site_ids, (std::vector<std::int64_t>{2, 5}));
  const auto mine = http::scope_of_list(p, 5);
  EXPECT_FALSE(mine.out_of_scope);
  ASSERT_TRUE(mine.site_ids.has_value());
  EXPECT_TRUE(http::scope_of_list(p, 3).out_of_scope);
  // No sites at all: an empty list, not every site.
  const auto none = http::scope_of_list(staff({}), std::nullopt);
  ASSERT_TRUE(none.site_ids.has_value());
  EXPECT_TRUE(none.site_ids->empty());
}

TEST(scope, front_desk_staff_do_not_read_message_texts) {
  EXPECT_TRUE(token().reads_message_text());
  EXPECT_TRUE(token("counselor").reads_message_text());
  EXPECT_FALSE(token("front_desk").reads_message_text());
  EXPECT_FALSE(token("integration").reads_message_text()) << "an integration sees that messages went out";
  EXPECT_TRUE(staff({1}).reads_message_text());
  EXPECT_FALSE(staff({1}, "front_desk").reads_message_text());
}

TEST(scope, front_desk_staff_do_not_read_clinical_notes) {
  EXPECT_TRUE(token().reads_clinical_notes());
  EXPECT_TRUE(token("supervisor").reads_clinical_notes());
  EXPECT_FALSE(token("integration").reads_clinical_notes());
  EXPECT_TRUE(staff({1}).reads_clinical_notes());
  EXPECT_TRUE(staff({1}, "supervisor").reads_clinical_notes());
  EXPECT_FALSE(staff({1}, "front_desk").reads_clinical_notes());
  EXPECT_FALSE(http::principal{}.reads_clinical_notes());
}

}  // namespace
