// The import use case over fakes: phones normalised in one batch, commit only when asked and
// no row is bad, errors of the file and of the database together in file order.
#include <gtest/gtest.h>

#include "rollcall/services/importer.hpp"
#include "unit/run_task.hpp"

namespace rollcall::services {
namespace {

using rollcall::testing::run_task;

class fake_phones final : public ports::phone_normalizer {
 public:
  ports::task<std::vector<std::optional<std::string>>> normalize(const std::vector<std::string>& numbers,
                                                                 const std::string& region) override {
    ++calls;
    last_region = region;
    std::vector<std::optional<std::string>> out;
    for (const auto& n : numbers)
      out.push_back(n == "(212) 555-0123" ? std::optional<std::string>{"+12125550123"} : std::nullopt);
    co_return out;
  }
  int calls = 0;
  std::string last_region;
};

class fake_store final : public ports::import_store {
 public:
  ports::task<ports::import_result> import_batch(const domain::import_batch& batch, bool commit,
                                                 const std::string& actor) override {
    commits.push_back(commit);
    last_actor = actor;
    ports::import_result out;
    out.errors = clashes;
    if (commit && clashes.empty())
      for (std::size_t i = 0; i < batch.size(); ++i) out.ids.push_back(static_cast<ports::id_t>(100 + i));
    co_return out;
  }
  std::vector<bool> commits;
  std::vector<domain::import_error> clashes;
  std::string last_actor;
};

struct importer_test : ::testing::Test {
  fake_phones phones;
  fake_store store;
  importer imp{store, phones};
  import_report run(const std::string& csv, bool dry_run) {
    return run_task(imp.import_csv(domain::import_kind::clients, csv, dry_run, actor));
  }
  std::string actor = "api-token";
};

const std::string good = "external_id,first_name,phone\nc1,A,(212) 555-0123\nc2,B,(212) 555-0123\n";

TEST_F(importer_test, a_dry_run_checks_against_the_store_without_committing) {
  const auto r = run(good, true);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.rows, 2u);
  EXPECT_EQ(r.created, 0u);
  EXPECT_EQ(store.commits, std::vector<bool>{false});
  EXPECT_EQ(phones.calls, 1) << "one batch for every phone of the file";
  EXPECT_EQ(r.batch.clients[1].phone, "+12125550123");
}

TEST_F(importer_test, a_clean_file_commits_and_reports_the_ids) {
  imp.set_settings({.default_region = "GB"});
  const auto r = run(good, false);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.created, 2u);
  EXPECT_EQ(r.ids, (std::vector<ports::id_t>{100, 101}));
  EXPECT_EQ(store.commits, std::vector<bool>{true});
  EXPECT_EQ(store.last_actor, "api-token");
  EXPECT_EQ(phones.last_region, "GB");
}

TEST_F(importer_test, a_bad_cell_means_no_commit_and_all_errors_come_in_line_order) {
  store.clashes = {{2, "external_id", "already exists in rollcall"}};
  const auto r = run("external_id,first_name,phone\nc1,A,(212) 555-0123\nc2,B,12\n", false);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(store.commits, std::vector<bool>{false}) << "checked, never committed";
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_EQ(r.errors[1].line, 3);
  EXPECT_EQ(r.errors[1].column, "phone");
  EXPECT_EQ(r.created, 0u);
}

TEST_F(importer_test, a_broken_header_never_reaches_the_store) {
  const auto r = run("id,first_name\n1,A\n", false);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(store.commits.empty());
  EXPECT_EQ(phones.calls, 0);
}

TEST_F(importer_test, the_report_json_has_the_documented_shape) {
  const auto j = to_json(run(good, true));
  EXPECT_EQ(j.at("kind"), "clients");
  EXPECT_EQ(j.at("dry_run"), true);
  EXPECT_EQ(j.at("rows"), 2);
  EXPECT_EQ(j.at("created"), 0);
  EXPECT_EQ(j.at("items").as_array()[0].at("phone"), "+12125550123");
  EXPECT_TRUE(j.at("errors").as_array().empty());
}

}  // namespace
}  // namespace rollcall::services
