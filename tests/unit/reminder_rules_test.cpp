#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rollcall/domain/reminder_rules.hpp"

namespace {

using namespace std::chrono_literals;
namespace dom = rollcall::domain;

dom::reminder_rule rule(std::optional<long long> site, std::string level, std::string kind, std::string set) {
  dom::reminder_rule r;
  r.site_id = site;
  r.level = std::move(level);
  r.kind = std::move(kind);
  r.lead_times = {24h};
  r.channels = {"sms"};
  r.template_set = std::move(set);
  return r;
}

const dom::reminder_rule fallback = rule(std::nullopt, "", "", "fallback");

std::string pick(const std::vector<dom::reminder_rule>& rules, long long site, std::string_view level,
                 std::string_view kind) {
  return dom::match_rule(rules, fallback, site, level, kind).template_set;
}

TEST(match_rule, fallback_when_nothing_matches) {
  EXPECT_EQ(pick({}, 1, "iop", "group"), "fallback");
  EXPECT_EQ(pick({rule(2, "", "", "site2"), rule(std::nullopt, "php", "", "php")}, 1, "iop", "group"), "fallback");
  EXPECT_EQ(&dom::match_rule({}, fallback, 1, "iop", "group"), &fallback);
}

TEST(match_rule, a_catch_all_rule_beats_the_fallback) {
  EXPECT_EQ(pick({rule(std::nullopt, "", "", "any")}, 7, "op", "individual"), "any");
}

TEST(match_rule, more_specific_wins_whatever_the_order) {
  const std::vector<dom::reminder_rule> rules{
      rule(std::nullopt, "", "", "any"),
      rule(std::nullopt, "", "group", "kind"),
      rule(std::nullopt, "iop", "", "level"),
      rule(std::nullopt, "iop", "group", "level+kind"),
      rule(1, "", "", "site"),
      rule(1, "", "group", "site+kind"),
      rule(1, "iop", "", "site+level"),
      rule(1, "iop", "group", "site+level+kind"),
  };
  EXPECT_EQ(pick(rules, 1, "iop", "group"), "site+level+kind");
  EXPECT_EQ(pick(rules, 1, "iop", "family"), "site+level");
  EXPECT_EQ(pick(rules, 1, "php", "group"), "site+kind");
  EXPECT_EQ(pick(rules, 1, "php", "family"), "site");
  EXPECT_EQ(pick(rules, 2, "iop", "group"), "level+kind");
  EXPECT_EQ(pick(rules, 2, "iop", "family"), "level");
  EXPECT_EQ(pick(rules, 2, "php", "group"), "kind");
  EXPECT_EQ(pick(rules, 2, "php", "family"), "any");
  // Reversed, the answers are the same.
  const std::vector<dom::reminder_rule> reversed(rules.rbegin(), rules.rend());
  EXPECT_EQ(pick(reversed, 1, "iop", "group"), "site+level+kind");
  EXPECT_EQ(pick(reversed, 2, "php", "family"), "any");
}

TEST(match_rule, site_outweighs_level_and_kind_together) {
  // 4 > 2 + 1: a rule for the site beats a rule for level and kind at any site.
  const std::vector<dom::reminder_rule> rules{rule(std::nullopt, "iop", "group", "level+kind"),
                                              rule(3, "", "", "site")};
  EXPECT_EQ(pick(rules, 3, "iop", "group"), "site");
  // Level outweighs kind.
  const std::vector<dom::reminder_rule> lk{rule(std::nullopt, "", "group", "kind"),
                                           rule(std::nullopt, "iop", "", "level")};
  EXPECT_EQ(pick(lk, 3, "iop", "group"), "level");
}

TEST(match_rule, ties_go_to_the_earlier_rule) {
  const std::vector<dom::reminder_rule> rules{rule(std::nullopt, "iop", "", "first"),
                                              rule(std::nullopt, "iop", "", "second"),
                                              rule(std::nullopt, "", "group", "kind")};
  EXPECT_EQ(pick(rules, 1, "iop", "group"), "first");
  const std::vector<dom::reminder_rule> kinds{rule(std::nullopt, "", "group", "a"),
                                              rule(std::nullopt, "", "group", "b")};
  EXPECT_EQ(pick(kinds, 1, "op", "group"), "a");
}

}  // namespace
