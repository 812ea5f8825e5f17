// planning_store in memory: groups in, sessions and outbox rows out. Sessions are unique per
// (group, local date) and messages per dedupe key, as the database's unique indexes make them.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rollcall/ports/ports.hpp"

namespace rollcall::fakes {

class memory_planning_store final : public ports::planning_store {
 public:
  struct enrolled_client {
    ports::id_t group_id = 0;
    ports::id_t client_id = 0;
    std::string first_name;
    std::string phone;
    std::string email;
  };

  // A group at a site; the site's name and zone are what reminders need.
  void add_group(const ports::group& g, std::string time_zone, std::string site_name) {
    groups_.push_back({g, time_zone});
    sites_[g.id] = {std::move(site_name), std::move(time_zone)};
  }
  void enroll(enrolled_client c) { enrolled_.push_back(std::move(c)); }

  ports::task<std::vector<ports::group_for_planning>> groups_for_planning() override { co_return groups_; }

  // The fake has no closures, so no session is ever planned cancelled.
  ports::task<int> add_sessions(const std::vector<ports::session_slot>& slots, const ports::notice_maker&) override {
    int added = 0;
    for (const auto& s : slots) {
      if (!session_keys_.insert({s.group_id, s.local_date}).second) continue;
      ports::session made;
      made.id = next_session_id_++;
      made.group_id = s.group_id;
      made.local_date = s.local_date;
      made.starts_at = s.starts_at;
      made.ends_at = s.ends_at;
      sessions.push_back(std::move(made));
      ++added;
    }
    co_return added;
  }

  ports::task<std::vector<ports::session_attendee>> attendees_between(ports::sys_seconds from,
                                                                      ports::sys_seconds to) override {
    ++attendee_queries;
    std::vector<ports::session_attendee> out;
    for (const auto& s : sessions) {
      if (s.cancelled || s.starts_at < from || s.starts_at >= to) continue;
      for (const auto& c : enrolled_) {
        if (c.group_id != s.group_id) continue;
        const auto& site = sites_.at(s.group_id);
        ports::session_attendee a;
        a.session_id = s.id;
        a.revision = s.revision;
        a.starts_at = s.starts_at;
        a.client_id = c.client_id;
        a.first_name = c.first_name;
        a.phone = c.phone;
        a.email = c.email;
        a.site_name = site.first;
        a.time_zone = site.second;
        out.push_back(std::move(a));
      }
    }
    co_return out;
  }

  // The planner never asks for this (the preview service does); tests of it use PostgreSQL.
  ports::task<result<ports::site_plan_inputs>> plan_inputs_of_site(ports::id_t, const std::string&,
                                                                   const std::string&) override {
    co_return errc::not_found;
  }

  ports::task<int> enqueue(const std::vector<ports::new_message>& messages) override {
    int inserted = 0;
    for (const auto& m : messages) {
      if (!dedupe_keys_.insert(m.dedupe_key).second) continue;
      outbox.push_back(m);
      ++inserted;
    }
    co_return inserted;
  }

  std::vector<ports::session> sessions;
  std::vector<ports::new_message> outbox;
  int attendee_queries = 0;

 private:
  std::vector<ports::group_for_planning> groups_;
  std::map<ports::id_t, std::pair<std::string, std::string>> sites_;  // group -> (site name, zone)
  std::vector<enrolled_client> enrolled_;
  std::set<std::pair<ports::id_t, std::string>> session_keys_;
  std::set<std::string> dedupe_keys_;
  ports::id_t next_session_id_ = 1;
};

}  // namespace rollcall::fakes
