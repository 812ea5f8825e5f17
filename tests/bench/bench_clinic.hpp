// The benchmark's clinic: a synthetic data set written straight into a freshly migrated
// database with set-based SQL (seconds, not the minutes 20,000 API calls would take), and
// the number of sessions its rules call for, counted independently of rollcalld's planner.
#pragma once

#include <cstdint>
#include <string>

namespace rollcall::bench {

struct clinic_shape {
  int sites = 10;  // two per time zone
  int groups = 1000;
  int enrollments = 20000;  // one client, episode and placement each, spread evenly over the groups
  int staff = 100;
};

struct seed_counts {
  std::int64_t sites = 0, groups = 0, staff = 0, clients = 0, episodes = 0, enrollments = 0;
};

// Seeds an empty, migrated database. Groups start today (site-local) and meet 3 to 5
// weekdays a week; every placement starts today.
seed_counts seed_clinic(const std::string& db_url, const clinic_shape& shape);

// The sessions the groups' rules produce for a planning round at `now` (unix seconds) with
// `horizon_seconds`: each site-local day from today to the horizon's date on which the rule meets.
std::int64_t expected_sessions(const std::string& db_url, std::int64_t now, std::int64_t horizon_seconds);

}  // namespace rollcall::bench
