// Lists of groups, episodes and placements through the real daemon: filters, cursor pages
// that neither skip nor repeat, and 422 for bad query parameters.
#include <set>
#include <string>

#include "clinic_fixture.hpp"

namespace rollcall::testing {
namespace {

class care_lists_test : public clinic_test {
 protected:
  std::int64_t group_at(std::int64_t site, const std::string& level, const char* day) {
    return create("/v1/groups", {{"site_id", site},
                                 {"name", "G " + level},
                                 {"slot", "morning"},
                                 {"weekdays", boost::json::array{day}},
                                 {"level_of_care", level}});
  }
};

TEST_F(care_lists_test, groups_episodes_and_placements_list_by_filter_and_page) {
  start_daemon();
  const auto east = create("/v1/sites", {{"name", "East"}, {"time_zone", "America/New_York"}});
  const auto west = create("/v1/sites", {{"name", "West"}, {"time_zone", "America/Los_Angeles"}});
  const auto counselor = create("/v1/staff", {{"name", "Dana"}, {"email", "dana@example.org"}});
  std::vector<std::int64_t> east_groups;
  for (const char* day : {"mon", "tue", "wed", "thu", "fri"}) east_groups.push_back(group_at(east, "iop", day));
  const auto php = group_at(east, "php", "sat");
  const auto far = group_at(west, "iop", "mon");

  // Five IOP groups and one PHP group at East: pages of two give all six, once each, in order.
  auto all_east = all_ids("/v1/groups?site_id=" + std::to_string(east), 2);
  auto expected = east_groups;
  expected.push_back(php);
  EXPECT_EQ(all_east, expected);
  EXPECT_EQ(all_ids("/v1/groups?site_id=" + std::to_string(east) + "&level_of_care=php", 10),
            std::vector<std::int64_t>{php});
  EXPECT_EQ(all_ids("/v1/groups?site_id=" + std::to_string(west), 10), std::vector<std::int64_t>{far});

  // Three clients, each in an episode at East and placed in the first group.
  std::vector<std::int64_t> episodes, placements;
  for (const char* name : {"A", "B", "C"}) {
    const auto client = create("/v1/clients", {{"first_name", name}, {"email", std::string{name} + "@example.org"}});
    episodes.push_back(create("/v1/episodes", {{"client_id", client},
                                               {"site_id", east},
                                               {"level_of_care", "iop"},
                                               {"start_date", "2026-01-05"},
                                               {"counselor_id", counselor}}));
    placements.push_back(create("/v1/enrollments", {{"episode_id", episodes.back()}, {"group_id", east_groups[0]}}));
  }
  EXPECT_EQ(all_ids("/v1/episodes?site_id=" + std::to_string(east), 2), episodes);
  EXPECT_TRUE(all_ids("/v1/episodes?site_id=" + std::to_string(west), 2).empty());
  EXPECT_EQ(all_ids("/v1/episodes?staff_id=" + std::to_string(counselor) + "&status=active", 5), episodes);
  EXPECT_EQ(all_ids("/v1/enrollments?group_id=" + std::to_string(east_groups[0]), 2), placements);

  // A discharged episode leaves the active list and its placement the active placements.
  auto out = daemon->post("/v1/episodes/" + std::to_string(episodes[1]) + "/discharge",
                          {{"date", "2026-02-01"}, {"outcome", "completed"}});
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_EQ(all_ids("/v1/episodes?status=active", 5), (std::vector<std::int64_t>{episodes[0], episodes[2]}));
  EXPECT_EQ(all_ids("/v1/episodes?status=discharged", 5), std::vector<std::int64_t>{episodes[1]});
  EXPECT_EQ(all_ids("/v1/enrollments?status=active", 5), (std::vector<std::int64_t>{placements[0], placements[2]}));
  EXPECT_EQ(all_ids("/v1/enrollments?status=ended", 5), std::vector<std::int64_t>{placements[1]});
  // In care on some day of March: the discharged one (ended 2026-02-01) is not.
  EXPECT_EQ(all_ids("/v1/episodes?from=2026-03-01&to=2026-03-31", 5),
            (std::vector<std::int64_t>{episodes[0], episodes[2]}));

  // An archived group leaves the default list and shows under status=archived.
  auto archived = daemon->post("/v1/groups/" + std::to_string(far) + "/archive", boost::json::object{});
  ASSERT_EQ(archived.status, 200) << archived.body;
  EXPECT_TRUE(all_ids("/v1/groups?site_id=" + std::to_string(west), 10).empty());
  EXPECT_EQ(all_ids("/v1/groups?site_id=" + std::to_string(west) + "&status=archived", 10),
            std::vector<std::int64_t>{far});
}

TEST_F(care_lists_test, only_what_has_ended_is_archived_and_discharge_ends_appointments) {
  start_daemon();
  const auto site = create("/v1/sites", {{"name", "East"}, {"time_zone", "UTC"}});
  const auto dana = create("/v1/staff", {{"name", "Dana"}, {"email", "dana@example.org"}});
  const auto client = create("/v1/clients", {{"first_name", "Kim"}, {"phone", "+15550001234"}});
  const auto g = group_at(site, "iop", "mon");
  const auto episode = create("/v1/episodes", {{"client_id", client},
                                               {"site_id", site},
                                               {"level_of_care", "iop"},
                                               {"start_date", "2026-01-05"},
                                               {"counselor_id", dana}});
  const auto placement = create("/v1/enrollments", {{"episode_id", episode}, {"group_id", g}});
  // A weekly individual session, tomorrow on: it is planned, and Dana is booked for it.
  const auto tomorrow = local_date("UTC", starting_in(std::chrono::hours{24}));
  const auto appointment = create("/v1/appointments", {{"kind", "individual"},
                                                       {"client_id", client},
                                                       {"staff_id", dana},
                                                       {"date", tomorrow},
                                                       {"start_time", "14:00"},
                                                       {"end_time", "15:00"},
                                                       {"weekly", true}});
  const auto sessions_path = "/v1/groups/" + std::to_string(appointment) + "/sessions";
  ASSERT_TRUE(eventually([&] { return !daemon->get(sessions_path).json().at("sessions").as_array().empty(); },
                         std::chrono::seconds{10}));

  const auto episode_path = "/v1/episodes/" + std::to_string(episode);
  const auto placement_path = "/v1/enrollments/" + std::to_string(placement);
  EXPECT_EQ(daemon->post(episode_path + "/archive", boost::json::object{}).status, 409);
  EXPECT_EQ(daemon->post(placement_path + "/archive", boost::json::object{}).status, 409);
  EXPECT_EQ(daemon->post("/v1/episodes/999/archive", boost::json::object{}).status, 404);

  // Discharged today: the placement ends, the appointment stops and its later sessions go.
  const auto today = local_date("UTC", starting_in(std::chrono::seconds{0}));
  auto out = daemon->post(episode_path + "/discharge", {{"date", today}, {"outcome", "completed"}});
  ASSERT_EQ(out.status, 200) << out.body;
  const auto closed = daemon->get("/v1/groups/" + std::to_string(appointment)).json();
  EXPECT_TRUE(closed.at("archived").as_bool());
  const auto listed = daemon->get(sessions_path).json();
  for (const auto& s : listed.at("sessions").as_array()) {
    EXPECT_TRUE(s.at("cancelled").as_bool()) << s;
    EXPECT_EQ(s.at("cancel_reason").as_string(), "client discharged");
  }
  // Dana is free at that hour again: a new weekly group there is no conflict.
  EXPECT_EQ(daemon
                ->post("/v1/groups", {{"site_id", site},
                                      {"name", "New"},
                                      {"slot", "afternoon"},
                                      {"weekdays", boost::json::array{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                                      {"start_time", "14:00"},
                                      {"end_time", "15:00"},
                                      {"facilitator_ids", boost::json::array{dana}}})
                .status,
            201);

  auto archived = daemon->post(placement_path + "/archive", boost::json::object{});
  EXPECT_EQ(archived.status, 200) << archived.body;
  EXPECT_TRUE(all_ids("/v1/enrollments?group_id=" + std::to_string(g), 10).empty());
  auto gone = daemon->post(episode_path + "/archive", boost::json::object{});
  ASSERT_EQ(gone.status, 200) << gone.body;
  EXPECT_TRUE(gone.json().at("archived").as_bool());
  EXPECT_TRUE(all_ids("/v1/episodes?client_id=" + std::to_string(client), 10).empty());
  EXPECT_EQ(daemon->post(episode_path + "/archive", boost::json::object{}).status, 409);
}

TEST_F(care_lists_test, a_group_edit_may_not_put_its_clients_in_two_places_at_once) {
  start_daemon();
  const auto site = create("/v1/sites", {{"name", "East"}, {"time_zone", "America/New_York"}});
  const auto dana = create("/v1/staff", {{"name", "Dana"}, {"email", "dana@example.org"}});
  const auto client = create("/v1/clients", {{"first_name", "Kim"}, {"email", "kim@example.org"}});
  const auto monday = group_at(site, "iop", "mon");
  const auto tuesday = group_at(site, "iop", "tue");
  const auto episode = create("/v1/episodes", {{"client_id", client},
                                               {"site_id", site},
                                               {"level_of_care", "iop"},
                                               {"start_date", "2026-01-05"},
                                               {"counselor_id", dana}});
  create("/v1/enrollments", {{"episode_id", episode}, {"group_id", monday}});
  create("/v1/enrollments", {{"episode_id", episode}, {"group_id", tuesday}});
  const auto path = "/v1/groups/" + std::to_string(tuesday);
  auto clash = daemon->request("PATCH", path,
                               boost::json::serialize(boost::json::object{{"weekdays", boost::json::array{"mon"}}}));
  ASSERT_EQ(clash.status, 409) << clash.body;
  const auto body = clash.json();
  const auto& conflicts = body.at("conflicts").as_array();
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].at("kind").as_string(), "client_overlap");
  EXPECT_EQ(conflicts[0].at("id").as_int64(), monday);
  EXPECT_EQ(body.at("errors").as_array()[0].at("field").as_string(), "recurrence");
  // Nothing changed; another day is fine.
  EXPECT_EQ(daemon->get(path).json().at("weekdays"), boost::json::array{"tue"});
  auto moved = daemon->request("PATCH", path,
                               boost::json::serialize(boost::json::object{{"weekdays", boost::json::array{"wed"}}}));
  EXPECT_EQ(moved.status, 200) << moved.body;
}

TEST_F(care_lists_test, bad_query_parameters_are_named) {
  start_daemon();
  auto bad = daemon->get("/v1/groups?kind=party&level_of_care=x&site_id=-1&limit=0");
  EXPECT_EQ(bad.status, 422);
  std::set<std::string> fields;
  const auto bad_body = bad.json();
  for (const auto& e : bad_body.at("errors").as_array()) fields.insert(std::string{e.at("field").as_string()});
  EXPECT_EQ(fields, (std::set<std::string>{"kind", "level_of_care", "site_id", "limit"}));
  auto dates = daemon->get("/v1/episodes?from=2026-03-31&to=2026-03-01&status=gone");
  EXPECT_EQ(dates.status, 422);
  fields.clear();
  const auto dates_body = dates.json();
  for (const auto& e : dates_body.at("errors").as_array()) fields.insert(std::string{e.at("field").as_string()});
  EXPECT_EQ(fields, (std::set<std::string>{"to", "status"}));
  EXPECT_EQ(daemon->get("/v1/enrollments?status=maybe").status, 422);
  EXPECT_EQ(daemon->get("/v1/enrollments?cursor=not-a-cursor").status, 422);
}

}  // namespace
}  // namespace rollcall::testing
