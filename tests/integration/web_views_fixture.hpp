// The clinic the web-view tests share: a site, a counselor, Kim and Lee placed in a daily
// afternoon group, and helpers that read the day view and the roster, mark, undo and reply.
#pragma once

#include "clinic_fixture.hpp"

namespace rollcall::testing {

class web_views_fixture : public clinic_test {
 protected:
  struct clinic {
    std::int64_t site = 0, counselor = 0, kim = 0, lee = 0, group = 0, session = 0;
    std::string date;
    std::chrono::sys_seconds start;
  };
  // A site in UTC, a counselor, Kim and Lee placed in a daily afternoon group whose session
  // today starts `ahead` from now (marks are taken from an hour before the start).
  clinic set_up(std::chrono::seconds ahead, const std::string& site_name = "Eastside") {
    clinic c;
    const std::string zone = "UTC";
    c.start = starting_in(ahead);
    c.date = local_date(zone, c.start);
    c.site = create("/v1/sites", {{"name", site_name}, {"time_zone", zone}});
    c.counselor = create("/v1/staff", {{"name", "Robin"}, {"email", "robin@example.org"}});
    c.kim = create("/v1/clients", {{"first_name", "Kim"}, {"phone", "+15550009999"}});
    c.lee = create("/v1/clients", {{"first_name", "Lee"}, {"phone", "+15550008888"}});
    c.group = create("/v1/groups", {{"site_id", c.site},
                                    {"name", "Tuesday track"},
                                    {"slot", "afternoon"},
                                    {"weekdays", boost::json::array{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                                    {"start_time", local_time(zone, c.start)},
                                    {"end_time", local_end(zone, c.start)}});
    for (auto client : {c.kim, c.lee})
      create("/v1/enrollments", {{"client_id", client},
                                 {"group_id", c.group},
                                 {"counselor_id", c.counselor},
                                 {"start_date", local_date(zone, c.start - std::chrono::hours{24})}});
    c.session = session_at(c.group, c.start);
    return c;
  }

  std::string path(const std::string& base, std::int64_t id, const std::string& rest = {}) const {
    return base + "/" + std::to_string(id) + rest;
  }

  // The day view's entry for `session` (and that it sits in the afternoon part).
  boost::json::object day_entry(const clinic& c) const {
    auto res = daemon->get(path("/v1/sites", c.site, "/day?date=" + c.date));
    EXPECT_EQ(res.status, 200) << res.body;
    const auto body = res.json().as_object();
    const auto& parts = body.at("parts").as_array();
    EXPECT_EQ(parts.size(), 3u);
    for (const auto& p : parts)
      for (const auto& s : p.at("sessions").as_array())
        if (s.at("session_id").as_int64() == c.session) {
          EXPECT_EQ(p.at("slot"), "afternoon");
          return s.as_object();
        }
    ADD_FAILURE() << "session " << c.session << " is not in the day view: " << res.body;
    return {};
  }

  boost::json::object roster_entry(const clinic& c, std::int64_t client) const {
    auto res = daemon->get(path("/v1/sessions", c.session, "/roster"));
    EXPECT_EQ(res.status, 200) << res.body;
    const auto body = res.json();
    for (const auto& e : body.at("clients").as_array())
      if (e.at("client_id").as_int64() == client) return e.as_object();
    ADD_FAILURE() << "client " << client << " is not on the roster: " << res.body;
    return {};
  }

  api_response mark(const clinic& c, std::int64_t client, boost::json::object m) const {
    m["client_id"] = client;
    return daemon->post(path("/v1/sessions", c.session, "/attendance"), m);
  }
  api_response undo(const clinic& c, std::int64_t client) const {
    return daemon->post(path("/v1/sessions", c.session, "/attendance/undo"),
                        boost::json::object{{"client_id", client}});
  }
  void reply(const clinic& c, std::int64_t client, const std::string& answer) const {
    sql("INSERT INTO session_replies (session_id, client_id, reply) VALUES (" + std::to_string(c.session) + ", " +
        std::to_string(client) + ", '" + answer + "')");
  }
};

}  // namespace rollcall::testing
