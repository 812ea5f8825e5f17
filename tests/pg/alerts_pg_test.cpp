// store/ against a real PostgreSQL: pg_alert_store closes each session's attendance once (also
// with two instances at once), runs the rules once per queued client, raises each alert once,
// re-sends unacknowledged alerts down the site's list, and keeps acknowledgements and routing.
#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "pg_store_fixture.hpp"
#include "rollcall/store/pg_alerts.hpp"
#include "unit/run_task.hpp"

namespace rollcall::testing {
namespace {

using namespace std::chrono_literals;
namespace ports = rollcall::ports;
using ports::id_t;

std::string str(long long v) { return std::to_string(v); }

class alerts_pg_test : public pg_store_fixture {
 protected:
  // Site 1 (New York), group 1 "Evening"; staff 1 Dana (counselor, webhook and chat), 2 Casey
  // (case manager), 3 Frida (front desk), 4 Sam (supervisor), 5 Eli and 6 Fay (on call);
  // clients 1 Ana, 2 Ben, 3 Cal, each with an active episode and placed in group 1 a day ago.
  void SetUp() override {
    pg_store_fixture::SetUp();
    sql("INSERT INTO sites (name, time_zone) VALUES ('Eastside', 'America/New_York')");
    sql("INSERT INTO groups (site_id, name, slot, recurrence, first_date, start_second, end_second)"
        " VALUES (1, 'Evening', 'evening', 'FREQ=WEEKLY', '2020-01-01', 64800, 75600)");
    sql("INSERT INTO staff (name, alert_webhook_url, chat_webhook_url, phone, email) VALUES"
        " ('Dana', 'https://alerts.example.org/dana', 'https://chat.example.org/dana', '+15550000001',"
        "  'dana@example.org'),"
        " ('Casey', 'https://alerts.example.org/casey', NULL, NULL, NULL),"
        " ('Frida', 'https://alerts.example.org/frida', 'https://chat.example.org/frida', NULL, NULL),"
        " ('Sam', 'https://alerts.example.org/sam', NULL, NULL, NULL),"
        " ('Eli', 'https://alerts.example.org/eli', NULL, NULL, NULL),"
        " ('Fay', 'https://alerts.example.org/fay', NULL, NULL, NULL)");
    for (const char* name : {"Ana", "Ben", "Cal"}) add_client(name, "now() - interval '1 day'");
  }

  id_t insert_id(const std::string& statement) {
    pqxx::connection c{url};
    pqxx::work tx{c};
    const auto id = tx.exec1(statement)[0].as<id_t>();
    tx.commit();
    return id;
  }
  int count(const std::string& query) { return scalar(query); }

  // A client with an active episode at site 1, placed in `group` at `enrolled_at` (SQL).
  id_t add_client(const std::string& name, const std::string& enrolled_at, id_t group = 1) {
    const auto id = insert_id("INSERT INTO clients (first_name) VALUES ('" + name + "') RETURNING id");
    const auto episode = insert_id(
        "INSERT INTO episodes (client_id, site_id, level_of_care, start_date, planned_weeks, counselor_id,"
        " case_manager_id, weekly_hours_required) VALUES (" +
        str(id) + ", 1, 'iop', '2020-01-01', 12, 1, 2, 9) RETURNING id");
    enroll(id, group, episode, enrolled_at);
    return id;
  }
  void enroll(id_t client, id_t group, id_t episode, const std::string& enrolled_at) {
    sql("INSERT INTO enrollments (client_id, group_id, counselor_id, start_date, created_at, episode_id) VALUES (" +
        str(client) + ", " + str(group) + ", 1, '2020-01-01', " + enrolled_at + ", " + str(episode) + ")");
  }
  // A session of `group` from now + start to now + end (each on a day of its own).
  id_t add_session(std::chrono::seconds start, std::chrono::seconds end, id_t group = 1) {
    const auto day = "(date '2025-01-01' + " + str(next_day_++) + ")";
    return insert_id("INSERT INTO sessions (group_id, scheduled_date, local_date, starts_at, ends_at) VALUES (" +
                     str(group) + ", " + day + ", " + day + ", to_timestamp(" + str(epoch(now_ + start)) +
                     "), to_timestamp(" + str(epoch(now_ + end)) + ")) RETURNING id");
  }
  void mark(id_t session, id_t client, const std::string& status, const std::string& source = "staff") {
    sql("INSERT INTO attendance_marks (session_id, client_id, status, source, marked_by) VALUES (" + str(session) +
        ", " + str(client) + ", '" + status + "', '" + source + "', 'front desk')");
  }
  // An alert about client 1 at site 1, created `age` ago; returns its id.
  id_t add_alert(const std::string& key, std::chrono::seconds age = 0s) {
    return insert_id(
        "INSERT INTO alerts (kind, dedupe_key, client_id, site_id, full_text, minimal_text, created_at)"
        " VALUES ('low_attendance', '" +
        key + "', 1, 1, 'Ana missed Evening', 'Client 1 missed a session', now() - make_interval(secs => " +
        str(age.count()) + ")) RETURNING id");
  }
  static long long epoch(ports::sys_seconds t) { return t.time_since_epoch().count(); }

  ports::close_result close(ports::sys_seconds at, std::chrono::seconds margin = 10min, int batch = 100) {
    return run_task(alerts.close_sessions(at, margin, batch, digest));
  }
  int escalate(ports::sys_seconds at, std::chrono::seconds after = 600s) {
    return run_task(alerts.escalate_due(at, after, 10, escalate_to));
  }

  static ports::new_message staff_message(const std::string& key, const ports::staff& to, ports::sys_seconds due) {
    ports::new_message m;
    m.dedupe_key = key;
    m.kind = "staff_alert";
    m.target = "staff_webhook";
    m.target_url = to.alert_webhook_url;
    m.payload = R"({"type":"staff_alert"})";
    m.due_at = due;
    m.staff_id = to.id;
    m.channel = "webhook";
    return m;
  }

  ports::sys_seconds now_ = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  int next_day_ = 0;
  store::pg_alert_store alerts{pool};

  std::vector<ports::closed_session> digests;
  ports::digest_maker digest = [this](const ports::closed_session& s) {
    digests.push_back(s);
    std::vector<ports::new_message> out;
    for (const auto& to : s.digest_to)
      out.push_back(staff_message("digest:" + str(s.session_id) + ":" + str(to.id), to, s.starts_at));
    return out;
  };

  struct escalation_call {
    id_t alert_id = 0, staff_id = 0;
    int step = 0;
  };
  std::vector<escalation_call> escalations;
  ports::escalation_maker escalate_to = [this](const ports::alert_record& a, const ports::staff& to, int step) {
    escalations.push_back({a.id, to.id, step});
    return std::optional{staff_message("alert:" + str(a.id) + ":escalation:" + str(step), to, now_)};
  };
};

// --- closing sessions ------------------------------------------------------------------------

TEST_F(alerts_pg_test, an_ended_session_records_its_unmarked_clients_absent_once) {
  const auto late = add_client("Dee", "now()");                         // 4: placed after the start
  const auto unmarked = add_client("Eve", "now() - interval '1 day'");  // 5
  const auto ended = add_session(-80min, -20min);
  const auto ending = add_session(-30min, -5min);  // end + margin still ahead
  const auto cancelled = add_session(-100min, -40min);
  sql("UPDATE sessions SET cancelled = true WHERE id = " + str(cancelled));
  mark(ended, 1, "present");
  mark(ended, 2, "excused");

  const auto r = close(now_);
  EXPECT_EQ(r.sessions, 1);
  EXPECT_EQ(r.absences, 2);
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE source = 'auto'"), 2);
  for (id_t client : {id_t{3}, unmarked})
    EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE source = 'auto' AND status = 'absent'"
                    " AND session_id = " +
                    str(ended) + " AND client_id = " + str(client)),
              1)
        << client;
  for (id_t client : {id_t{1}, id_t{2}, late})
    EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE source = 'auto' AND client_id = " + str(client)), 0)
        << client;
  EXPECT_EQ(count("SELECT count(*) FROM sessions WHERE attendance_closed_at IS NOT NULL"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM sessions WHERE attendance_closed_at IS NOT NULL AND id = " + str(ended)), 1);
  EXPECT_EQ(
      count("SELECT count(*) FROM attendance_marks WHERE session_id IN (" + str(ending) + ", " + str(cancelled) + ")"),
      0);
  for (id_t client : {id_t{1}, id_t{2}, id_t{3}, unmarked})
    EXPECT_EQ(count("SELECT count(*) FROM attendance_rule_checks WHERE client_id = " + str(client)), 1) << client;
  EXPECT_EQ(count("SELECT count(*) FROM audit_log a JOIN attendance_marks m ON m.id = a.entity_id"
                  " WHERE a.entity = 'attendance' AND a.action = 'mark' AND a.actor = 'rollcalld'"
                  " AND m.source = 'auto'"),
            2);
  EXPECT_TRUE(digests.empty()) << "the site wants no digest";

  const auto again = close(now_);
  EXPECT_EQ(again.sessions, 0);
  EXPECT_EQ(again.absences, 0);
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks"), 4);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE entity = 'attendance'"), 2);

  // Once its end plus the margin has passed, the second session closes too; the cancelled one never.
  const auto later = close(now_ + 6min);
  EXPECT_EQ(later.sessions, 1);
  EXPECT_EQ(later.absences, 4) << "Ana, Ben, Cal and Eve; Dee was placed after it started";
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE session_id = " + str(ending) +
                  " AND client_id = " + str(late)),
            0);
  EXPECT_EQ(close(now_ + 24h).sessions, 0);
  EXPECT_EQ(count("SELECT count(*) FROM sessions WHERE attendance_closed_at IS NULL AND id = " + str(cancelled)), 1);
}

TEST_F(alerts_pg_test, a_site_with_a_digest_gets_one_list_per_closed_session) {
  ports::site_alerting routing;
  routing.site_id = 1;
  routing.copy_to = {3};
  routing.digest = true;
  ASSERT_TRUE(run_task(alerts.set_site_alerting(routing, "admin")).has_value());
  const auto s = add_session(-80min, -20min);
  mark(s, 1, "present");

  EXPECT_EQ(close(now_).sessions, 1);
  ASSERT_EQ(digests.size(), 1u);
  const auto& d = digests[0];
  EXPECT_EQ(d.session_id, s);
  EXPECT_EQ(d.site_id, 1);
  EXPECT_EQ(d.group_name, "Evening");
  EXPECT_EQ(d.site_name, "Eastside");
  EXPECT_EQ(d.time_zone, "America/New_York");
  EXPECT_EQ(d.starts_at, now_ - 80min);
  const std::vector<std::pair<id_t, std::string>> absent{{2, "Ben"}, {3, "Cal"}};
  EXPECT_EQ(d.absentees, absent);
  ASSERT_EQ(d.digest_to.size(), 1u);
  EXPECT_EQ(d.digest_to[0].id, 3);
  EXPECT_EQ(d.digest_to[0].name, "Frida");
  EXPECT_EQ(d.digest_to[0].chat_webhook_url, "https://chat.example.org/frida");
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE staff_id = 3 AND dedupe_key = 'digest:" + str(s) + ":3'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 1);

  EXPECT_EQ(close(now_).sessions, 0);
  EXPECT_EQ(digests.size(), 1u) << "a closed session is not listed again";
}

TEST_F(alerts_pg_test, without_a_digest_the_digest_maker_is_not_called) {
  ports::site_alerting routing;
  routing.site_id = 1;
  routing.copy_to = {3};
  routing.digest = false;
  ASSERT_TRUE(run_task(alerts.set_site_alerting(routing, "admin")).has_value());
  add_session(-80min, -20min);
  EXPECT_EQ(close(now_).absences, 3);
  EXPECT_TRUE(digests.empty());
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 0);
}

// Two instances, each on a pool of its own, close the same 50 sessions at once.
class alerts_two_instances_pg_test : public alerts_pg_test {
 protected:
  void SetUp() override {
    alerts_pg_test::SetUp();
    for (int i = 0; i < 50; ++i) {
      const auto s = add_session(-80min, -20min);
      if (i % 5 == 0) mark(s, 1, "present");  // 10 marks
    }
  }
  void expect_each_absence_once(int sessions, int absences) {
    EXPECT_EQ(sessions, 50);
    EXPECT_EQ(absences, 140);
    EXPECT_EQ(count("SELECT count(*) FROM sessions WHERE attendance_closed_at IS NULL"), 0);
    EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE source = 'auto'"), 140);
    EXPECT_EQ(count("SELECT count(*) FROM (SELECT DISTINCT session_id, client_id FROM attendance_marks) t"), 150)
        << "no client has two marks at one session";
    EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE entity = 'attendance'"), 140);
  }

  store::db_pool pool_b{url, 2, store::sql::prepare_all};
  store::pg_alert_store alerts_b{pool_b};
  const ports::digest_maker no_digest = [](const ports::closed_session&) { return std::vector<ports::new_message>{}; };
};

TEST_F(alerts_two_instances_pg_test, close_each_session_once) {
  const auto at = now_;
  auto run = [&](store::pg_alert_store& s) { return run_task(s.close_sessions(at, 10min, 100, no_digest)); };
  auto a = std::async(std::launch::async, [&] { return run(alerts); });
  auto b = std::async(std::launch::async, [&] { return run(alerts_b); });
  const auto ra = a.get(), rb = b.get();
  expect_each_absence_once(ra.sessions + rb.sessions, ra.absences + rb.absences);
}

TEST_F(alerts_two_instances_pg_test, taking_small_batches_share_the_work) {
  const auto at = now_;
  auto drain = [&](store::pg_alert_store& s) {
    ports::close_result total;
    for (;;) {
      const auto r = run_task(s.close_sessions(at, 10min, 4, no_digest));
      if (r.sessions == 0) return total;
      total.sessions += r.sessions;
      total.absences += r.absences;
    }
  };
  auto a = std::async(std::launch::async, [&] { return drain(alerts); });
  auto b = std::async(std::launch::async, [&] { return drain(alerts_b); });
  const auto ra = a.get(), rb = b.get();
  expect_each_absence_once(ra.sessions + rb.sessions, ra.absences + rb.absences);
}

// --- rule checks -----------------------------------------------------------------------------

TEST_F(alerts_pg_test, queued_clients_are_checked_once_with_their_sessions_and_staff) {
  ports::site_alerting routing;
  routing.site_id = 1;
  routing.copy_to = {3};
  routing.supervisor_id = 4;
  ASSERT_TRUE(run_task(alerts.set_site_alerting(routing, "admin")).has_value());
  const auto morning = insert_id(
      "INSERT INTO groups (site_id, name, slot, recurrence, first_date, start_second, end_second)"
      " VALUES (1, 'Morning', 'morning', 'FREQ=WEEKLY', '2020-01-01', 32400, 43200) RETURNING id");
  enroll(1, morning, 1, "now() - interval '1 day'");
  const auto two_days_ago = add_session(-48h, -47h);
  const auto yesterday = add_session(-24h, -23h);
  const auto tomorrow = add_session(24h, 25h);
  const auto morning_session = add_session(-72h, -71h, morning);
  sql("UPDATE sessions SET attendance_closed_at = ends_at WHERE ends_at < now()");
  mark(two_days_ago, 1, "absent", "auto");
  mark(two_days_ago, 1, "present");  // a correction: the latest mark counts
  sql("INSERT INTO attendance_marks (session_id, client_id, status, source, marked_by, minutes) VALUES (" +
      str(yesterday) + ", 1, 'late', 'staff', 'x', 40)");
  mark(morning_session, 1, "absent");
  sql("UPDATE episodes SET status = 'discharged', discharge_date = '2024-01-01', discharge_outcome = 'completed'"
      " WHERE client_id = 3");
  sql("INSERT INTO attendance_rule_checks (client_id) VALUES (1), (2), (3)");

  std::map<id_t, ports::client_rule_context> seen;
  const ports::rules_maker make = [&](const ports::client_rule_context& ctx, ports::sys_seconds) {
    seen[ctx.input.client_id] = ctx;
    std::vector<ports::new_alert> out;
    if (ctx.input.client_id != 1) return out;
    ports::new_alert a;
    a.kind = "missed_session";
    a.dedupe_key = "missed_session:1:" + str(morning_session);
    a.client_id = 1;
    a.session_id = morning_session;
    a.site_id = 1;
    a.full_text = "Ana missed Morning";
    a.minimal_text = "Client 1 missed a session";
    a.messages.push_back(staff_message("alert:missed:1:counselor", *ctx.counselor, now_));
    a.messages.push_back(staff_message("alert:missed:1:copy", ctx.copy_to.at(0), now_));
    out.push_back(std::move(a));
    return out;
  };

  EXPECT_EQ(run_task(alerts.check_rules(now_, std::chrono::days{14}, 10, make)), 3);
  EXPECT_EQ(count("SELECT count(*) FROM attendance_rule_checks"), 0);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen.contains(3)) << "no active episode: claimed but not checked";

  const auto& ctx = seen.at(1);
  EXPECT_EQ(ctx.first_name, "Ana");
  EXPECT_EQ(ctx.site_id, 1);
  EXPECT_EQ(ctx.site_name, "Eastside");
  EXPECT_EQ(ctx.time_zone, "America/New_York");
  EXPECT_DOUBLE_EQ(ctx.input.weekly_hours_required, 9.0);
  ASSERT_NE(ctx.input.zone, nullptr);
  EXPECT_EQ(ctx.input.zone->name(), "America/New_York");
  EXPECT_EQ(ctx.input.episode_start, date::local_days{date::year{2020} / 1 / 1});
  EXPECT_FALSE(ctx.input.last_low_rate_alert);
  EXPECT_FALSE(ctx.digest);
  ASSERT_EQ(ctx.input.sessions.size(), 4u);
  std::map<id_t, domain::client_session> by_id;
  for (const auto& s : ctx.input.sessions) by_id[s.session_id] = s;
  const auto& a = by_id.at(two_days_ago);
  EXPECT_EQ(a.status, domain::attendance_status::present);
  EXPECT_TRUE(a.closed);
  EXPECT_EQ(a.starts_at, now_ - 48h);
  EXPECT_EQ(a.ends_at, now_ - 47h);
  EXPECT_EQ(by_id.at(yesterday).status, domain::attendance_status::late);
  EXPECT_EQ(by_id.at(yesterday).minutes, 40);
  EXPECT_FALSE(by_id.at(tomorrow).status);
  EXPECT_FALSE(by_id.at(tomorrow).closed);
  EXPECT_EQ(by_id.at(morning_session).status, domain::attendance_status::absent);
  EXPECT_EQ(ctx.group_of_session.at(morning_session), "Morning");
  EXPECT_EQ(ctx.group_of_session.at(tomorrow), "Evening");
  ASSERT_TRUE(ctx.counselor);
  EXPECT_EQ(ctx.counselor->id, 1);
  EXPECT_EQ(ctx.counselor->name, "Dana");
  EXPECT_EQ(ctx.counselor->alert_webhook_url, "https://alerts.example.org/dana");
  EXPECT_EQ(ctx.counselor->chat_webhook_url, "https://chat.example.org/dana");
  EXPECT_EQ(ctx.counselor->phone, "+15550000001");
  EXPECT_EQ(ctx.counselor->email, "dana@example.org");
  ASSERT_TRUE(ctx.case_manager);
  EXPECT_EQ(ctx.case_manager->id, 2);
  ASSERT_TRUE(ctx.supervisor);
  EXPECT_EQ(ctx.supervisor->id, 4);
  ASSERT_EQ(ctx.copy_to.size(), 1u);
  EXPECT_EQ(ctx.copy_to[0].id, 3);
  EXPECT_EQ(ctx.copy_to[0].chat_webhook_url, "https://chat.example.org/frida");
  EXPECT_EQ(seen.at(2).input.sessions.size(), 3u) << "Ben is only in the evening group";

  const auto alert_id = scalar<id_t>("SELECT id FROM alerts");
  EXPECT_EQ(count("SELECT count(*) FROM alerts"), 1);
  EXPECT_EQ(
      count("SELECT count(*) FROM alerts WHERE client_id = 1 AND site_id = 1 AND session_id = " + str(morning_session)),
      1);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE alert_id = " + str(alert_id)), 2);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE entity = 'alert' AND action = 'raise' AND entity_id = " +
                  str(alert_id)),
            1);
  const auto record = run_task(alerts.alert(alert_id));
  ASSERT_TRUE(record.has_value());
  ASSERT_EQ(record->deliveries.size(), 2u);
  EXPECT_EQ(record->deliveries[0].staff_id, 1);
  EXPECT_EQ(record->deliveries[0].step, 0);
  EXPECT_EQ(record->deliveries[1].staff_id, 3);

  // Queued again (a new mark, say): checked again, the same alert is not raised twice.
  sql("INSERT INTO alerts (kind, dedupe_key, client_id, site_id, full_text, minimal_text, created_at)"
      " VALUES ('low_attendance', 'low:1', 1, 1, 't', 'm', to_timestamp(" +
      str(epoch(now_ - 24h)) + "))");
  sql("INSERT INTO attendance_rule_checks (client_id) VALUES (1)");
  seen.clear();
  EXPECT_EQ(run_task(alerts.check_rules(now_, std::chrono::days{14}, 10, make)), 1);
  ASSERT_TRUE(seen.contains(1));
  EXPECT_EQ(seen.at(1).input.last_low_rate_alert, now_ - 24h);
  EXPECT_EQ(count("SELECT count(*) FROM alerts WHERE kind = 'missed_session'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 2);
  EXPECT_EQ(run_task(alerts.check_rules(now_, std::chrono::days{14}, 10, make)), 0) << "nothing queued";
}

TEST_F(alerts_pg_test, sessions_before_the_lookback_are_left_out) {
  const auto old = add_session(-20 * 24h, -20 * 24h + 1h);
  const auto recent = add_session(-24h, -23h);
  sql("INSERT INTO attendance_rule_checks (client_id) VALUES (1)");
  std::vector<id_t> sessions;
  const ports::rules_maker make = [&](const ports::client_rule_context& ctx, ports::sys_seconds) {
    for (const auto& s : ctx.input.sessions) sessions.push_back(s.session_id);
    return std::vector<ports::new_alert>{};
  };
  EXPECT_EQ(run_task(alerts.check_rules(now_, std::chrono::days{14}, 10, make)), 1);
  EXPECT_EQ(sessions, std::vector<id_t>{recent}) << "session " << old << " is 20 days old";
}

// check_rules writes a round's alerts together (a thousand a statement, then their messages and
// audit rows): each dedupe key is raised once, whether raised before, twice in one statement or
// in two; only a new alert's messages and audit row are written, each naming its own alert.
TEST_F(alerts_pg_test, a_round_raises_its_alerts_together_each_dedupe_key_once_with_its_messages_and_audit) {
  add_alert("missed_session:old");
  sql("INSERT INTO attendance_rule_checks (client_id) VALUES (1), (2)");
  // Alert i has 1 + i % 3 messages (the first keyed message_key), so that each audit row's
  // recipient count names its own alert.
  const auto alert = [this](const ports::client_rule_context& ctx, const std::string& key,
                            const std::string& message_key, int i = 0, const std::string& full = "full") {
    ports::new_alert a;
    a.kind = "low_attendance";
    a.dedupe_key = key;
    a.client_id = ctx.input.client_id;
    a.site_id = 1;
    a.detail = R"({"n":1})";
    a.full_text = full;
    a.minimal_text = "minimal";
    a.messages.push_back(staff_message(message_key, *ctx.counselor, now_));
    for (int extra = 0; extra < i % 3; ++extra)
      a.messages.push_back(staff_message(message_key + ":copy" + str(extra), *ctx.case_manager, now_));
    return a;
  };
  const ports::rules_maker make = [&](const ports::client_rule_context& ctx, ports::sys_seconds) {
    std::vector<ports::new_alert> out;
    if (ctx.input.client_id == 1) {
      for (int i = 0; i < 1200; ++i) {
        out.push_back(alert(ctx, "bulk:" + str(i), "msg:bulk:" + str(i), i));
        if (i == 10) out.push_back(alert(ctx, "bulk:10", "msg:dup:within", 0, "second"));  // twice in one statement
      }
      out.push_back(alert(ctx, "bulk:5", "msg:dup:across"));  // the second statement repeats the first's
      out.push_back(alert(ctx, "missed_session:old", "msg:old"));
    } else {
      out.push_back(alert(ctx, "solo", "msg:solo"));
    }
    return out;
  };
  EXPECT_EQ(run_task(alerts.check_rules(now_, std::chrono::days{14}, 10, make)), 2);

  // 1,200 bulk alerts with 1 + i % 3 messages each (400 x 1 + 400 x 2 + 400 x 3), and solo's one.
  EXPECT_EQ(count("SELECT count(*) FROM alerts"), 1 + 1200 + 1);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 2400 + 1);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'msg:dup:%' OR dedupe_key LIKE 'msg:old%'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM outbox o JOIN alerts a ON a.id = o.alert_id"
                  " WHERE o.dedupe_key = 'msg:' || a.dedupe_key AND o.staff_id = 1"),
            1201)
      << "each message names its own alert";
  EXPECT_EQ(count("SELECT count(*) FROM outbox o JOIN alerts a ON a.id = o.alert_id"
                  " WHERE o.dedupe_key LIKE 'msg:' || a.dedupe_key || ':copy%' AND o.staff_id <> 1"),
            1200);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log l JOIN alerts a ON a.id = l.entity_id"
                  " WHERE l.actor = 'rollcalld' AND l.action = 'raise' AND l.entity = 'alert'"
                  " AND (l.detail->>'recipients')::int = (SELECT count(*) FROM outbox o WHERE o.alert_id = a.id)"
                  " AND (l.detail->>'client_id')::bigint = a.client_id"
                  " AND l.detail->>'kind' = 'low_attendance' AND a.dedupe_key <> 'missed_session:old'"),
            1201)
      << "each audit row names its own alert and that alert's recipients";
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'raise'"), 1201);
  EXPECT_EQ(count("SELECT count(*) FROM alerts a JOIN alerts b ON b.dedupe_key = 'bulk:1199'"
                  " JOIN alerts c ON c.dedupe_key = 'solo' WHERE a.dedupe_key = 'bulk:0' AND a.id < b.id"
                  " AND b.id < c.id"),
            1)
      << "ids follow the round's order";
  EXPECT_EQ(count("SELECT count(*) FROM alerts WHERE dedupe_key = 'bulk:10' AND detail = '{\"n\":1}'::jsonb"
                  " AND full_text = 'full' AND minimal_text = 'minimal' AND site_id = 1 AND session_id IS NULL"),
            1)
      << "the first of a repeated key is the one raised";
}

// PostgreSQL caches a connection's foreign-key check plans: planned while `alerts` was one page,
// the check of each new message's alert_id stays a sequential scan of the whole table after it
// has grown (the no-show sweep went quadratic). The rule rounds plan for the table's size now.
TEST_F(alerts_pg_test, a_rule_round_after_the_alerts_table_grew_checks_its_messages_alerts_by_index) {
  // Analyzed while empty, as after `vacuumdb --analyze` on a new install (or the benchmarks'
  // seed): PostgreSQL then sizes the table by its pages now, not by a ten-page guess.
  sql("ANALYZE alerts");
  store::db_pool one{url, 1, store::sql::prepare_all};  // every round on the same connection
  store::pg_alert_store store{one};
  int round = 0;
  int per_round = 1;
  const ports::rules_maker make = [&](const ports::client_rule_context& ctx, ports::sys_seconds) {
    std::vector<ports::new_alert> out;
    for (int i = 0; i < per_round; ++i) {
      ports::new_alert a;
      a.kind = "low_attendance";
      a.dedupe_key = "round:" + str(round) + ":" + str(i);
      a.client_id = ctx.input.client_id;
      a.full_text = "full";
      a.minimal_text = "minimal";
      a.messages.push_back(staff_message("msg:" + a.dedupe_key, *ctx.counselor, now_));
      out.push_back(std::move(a));
    }
    return out;
  };
  // More rounds than PostgreSQL plans afresh before it settles on a cached plan.
  for (round = 0; round < 8; ++round) {
    sql("INSERT INTO attendance_rule_checks (client_id) VALUES (1)");
    ASSERT_EQ(run_task(store.check_rules(now_, std::chrono::days{14}, 10, make)), 1);
  }
  sql("INSERT INTO alerts (kind, dedupe_key, client_id, site_id, full_text, minimal_text)"
      " SELECT 'low_attendance', 'grown:' || i, 2, 1, 'full', 'minimal' FROM generate_series(1, 5000) i");
  // The counts of a connection's scans reach pg_stat_user_tables when it is next idle.
  const auto seq_scans_of_alerts = [&] {
    const auto flush = [](pqxx::connection& c) {
      pqxx::nontransaction tx{c};
      tx.exec("SELECT pg_stat_force_next_flush()");
      return 0;
    };
    run_task(one.run(flush));
    return scalar<long long>("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'alerts'");
  };
  const auto before = seq_scans_of_alerts();
  per_round = 40;
  sql("INSERT INTO attendance_rule_checks (client_id) VALUES (1)");
  ASSERT_EQ(run_task(store.check_rules(now_, std::chrono::days{14}, 10, make)), 1);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'msg:round:8:%'"), 40);
  EXPECT_LT(seq_scans_of_alerts() - before, 40) << "a sequential scan of alerts for each message's alert_id";
}

TEST_F(alerts_two_instances_pg_test, check_each_client_once) {
  std::vector<id_t> clients{1, 2, 3};
  for (int i = 0; i < 37; ++i) clients.push_back(add_client("C" + str(i), "now() - interval '1 day'"));
  sql("INSERT INTO attendance_rule_checks (client_id) SELECT id FROM clients");
  std::mutex m;
  std::map<id_t, int> checked;
  const ports::rules_maker make = [&](const ports::client_rule_context& ctx, ports::sys_seconds) {
    {
      std::lock_guard lock{m};
      ++checked[ctx.input.client_id];
    }
    std::this_thread::sleep_for(2ms);  // hold the claim a while, so the other instance runs meanwhile
    return std::vector<ports::new_alert>{};
  };
  const auto at = now_;
  auto drain = [&](store::pg_alert_store& s) {
    int total = 0;
    for (;;) {
      const auto n = run_task(s.check_rules(at, std::chrono::days{14}, 3, make));
      if (n == 0) return total;
      total += n;
    }
  };
  auto a = std::async(std::launch::async, [&] { return drain(alerts); });
  auto b = std::async(std::launch::async, [&] { return drain(alerts_b); });
  EXPECT_EQ(a.get() + b.get(), 40);
  EXPECT_EQ(checked.size(), 40u);
  for (auto id : clients) EXPECT_EQ(checked[id], 1) << "client " << id;
  EXPECT_EQ(count("SELECT count(*) FROM attendance_rule_checks"), 0);
}

// --- escalation ------------------------------------------------------------------------------

class alerts_escalation_pg_test : public alerts_pg_test {
 protected:
  void route(std::vector<id_t> escalation) {
    ports::site_alerting routing;
    routing.site_id = 1;
    routing.escalation = std::move(escalation);
    ASSERT_TRUE(run_task(alerts.set_site_alerting(routing, "admin")).has_value());
  }
  ports::alert_record record(id_t id) { return run_task(alerts.alert(id)).value(); }
};

TEST_F(alerts_escalation_pg_test, an_unacknowledged_alert_goes_down_the_list_once_per_wait) {
  route({5, 6});
  const auto id = add_alert("a");

  EXPECT_EQ(escalate(now_ + 300s), 0) << "the first wait is not over";
  EXPECT_EQ(record(id).escalation_step, 0);

  const auto first = now_ + 660s;
  EXPECT_EQ(escalate(first), 1);
  ASSERT_EQ(escalations.size(), 1u);
  EXPECT_EQ(escalations[0].alert_id, id);
  EXPECT_EQ(escalations[0].staff_id, 5);
  EXPECT_EQ(escalations[0].step, 1);
  auto a = record(id);
  EXPECT_EQ(a.escalation_step, 1);
  ASSERT_TRUE(a.escalated_at);
  EXPECT_EQ(*a.escalated_at, first);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE staff_id = 5 AND alert_id = " + str(id)), 1);

  EXPECT_EQ(escalate(first), 0) << "just re-sent";
  EXPECT_EQ(escalate(first + 300s), 0) << "the wait counts from the re-send";
  EXPECT_EQ(escalations.size(), 1u);

  const auto second = first + 660s;
  EXPECT_EQ(escalate(second), 1);
  ASSERT_EQ(escalations.size(), 2u);
  EXPECT_EQ(escalations[1].staff_id, 6);
  EXPECT_EQ(escalations[1].step, 2);
  a = record(id);
  EXPECT_EQ(a.escalation_step, 2);
  EXPECT_EQ(*a.escalated_at, second);
  ASSERT_EQ(a.deliveries.size(), 2u);
  EXPECT_EQ(a.deliveries[0].staff_id, 5);
  EXPECT_EQ(a.deliveries[0].step, 1);
  EXPECT_EQ(a.deliveries[1].staff_id, 6);
  EXPECT_EQ(a.deliveries[1].step, 2);

  EXPECT_EQ(escalate(second + 660s), 0) << "the list is exhausted";
  EXPECT_EQ(escalate(second + 24h), 0);
  EXPECT_EQ(escalations.size(), 2u);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE entity = 'alert' AND action = 'escalate'"), 2);
}

TEST_F(alerts_pg_test, each_local_week_from_monday_morning_queues_every_client_in_care_once) {
  sql("UPDATE episodes SET status = 'discharged', discharge_date = '2020-02-01', discharge_outcome = 'completed'"
      " WHERE client_id = 3");
  const auto at = [](const char* local) {  // a New York local time (EST in January)
    std::istringstream in{local};
    date::local_seconds t;
    in >> date::parse("%F %T", t);
    return date::locate_zone("America/New_York")->to_sys(t);
  };
  // Monday 2026-01-12 05:59 local still belongs to the week before (it starts at 06:00).
  EXPECT_EQ(run_task(alerts.queue_week_start(at("2026-01-12 05:59:00"))), 2) << "the first look at any week";
  sql("DELETE FROM attendance_rule_checks");
  EXPECT_EQ(run_task(alerts.queue_week_start(at("2026-01-11 20:00:00"))), 0) << "that week again";
  EXPECT_EQ(run_task(alerts.queue_week_start(at("2026-01-12 06:00:00"))), 2) << "a new week, from 06:00";
  EXPECT_EQ(count("SELECT count(*) FROM attendance_rule_checks WHERE client_id IN (1, 2)"), 2);
  EXPECT_EQ(run_task(alerts.queue_week_start(at("2026-01-16 12:00:00"))), 0);
  EXPECT_EQ(count("SELECT count(*) FROM rule_weeks"), 2);
}

TEST_F(alerts_escalation_pg_test, a_missed_session_corrected_since_is_not_chased) {
  route({5, 6});
  const auto session = add_session(-80min, -20min);
  mark(session, 1, "absent", "auto");
  const auto missed = add_alert("missed");
  sql("UPDATE alerts SET kind = 'missed_session', session_id = " + str(session) + " WHERE id = " + str(missed));
  EXPECT_EQ(escalate(now_ + 3600s), 1) << "still absent: chased";
  mark(session, 1, "present");  // staff correct it: the client was there
  EXPECT_EQ(escalate(now_ + 7200s), 0);
  EXPECT_EQ(escalations.size(), 1u);
}

TEST_F(alerts_escalation_pg_test, acknowledged_and_week_old_alerts_are_not_chased) {
  route({5, 6});
  const auto acknowledged = add_alert("acknowledged");
  sql("UPDATE alerts SET acknowledged_at = now(), acknowledged_by = 1 WHERE id = " + str(acknowledged));
  const auto old = add_alert("old", 8 * 24h);
  EXPECT_EQ(escalate(now_ + 3600s), 0);
  EXPECT_EQ(escalate(now_ + 7200s), 0);
  EXPECT_TRUE(escalations.empty());
  EXPECT_EQ(count("SELECT count(*) FROM alerts WHERE escalation_step > 0"), 0) << acknowledged << " " << old;
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 0);

  const auto fresh = add_alert("fresh");
  EXPECT_EQ(escalate(now_ + 8 * 24h), 0) << "a week-old alert is not chased any more";
  EXPECT_EQ(record(fresh).escalation_step, 0);
}

TEST_F(alerts_escalation_pg_test, an_archived_person_on_the_list_uses_up_a_step_without_a_message) {
  route({5, 6});
  sql("UPDATE staff SET archived_at = now() WHERE id = 5");
  const auto id = add_alert("a");
  EXPECT_EQ(escalate(now_ + 660s), 0);
  EXPECT_TRUE(escalations.empty());
  EXPECT_EQ(record(id).escalation_step, 1);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 0);
  EXPECT_EQ(escalate(now_ + 1320s), 1);
  ASSERT_EQ(escalations.size(), 1u);
  EXPECT_EQ(escalations[0].staff_id, 6);
  EXPECT_EQ(escalations[0].step, 2);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE staff_id = 6"), 1);
}

// --- acknowledgements, routing, rosters -----------------------------------------------------

TEST_F(alerts_pg_test, an_alert_is_acknowledged_once) {
  const auto id = add_alert("a");
  const auto r = run_task(alerts.acknowledge(id, 1, "called her", "dana@clinic"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->id, id);
  EXPECT_EQ(r->acknowledged_by, 1);
  EXPECT_EQ(r->ack_note, "called her");
  ASSERT_TRUE(r->acknowledged_at);
  EXPECT_LE(std::chrono::abs(*r->acknowledged_at - now_), 60s);
  EXPECT_EQ(count("SELECT count(*) FROM alerts WHERE acknowledged_by = 1 AND ack_note = 'called her'"
                  " AND acknowledged_at IS NOT NULL"),
            1);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE actor = 'dana@clinic' AND action = 'acknowledge'"
                  " AND entity = 'alert' AND entity_id = " +
                  str(id)),
            1);
  ports::alert_filter open;
  open.status = "open";
  EXPECT_TRUE(run_task(alerts.alerts(open)).empty());

  const auto again = run_task(alerts.acknowledge(id, 2, "", "casey@clinic"));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, errc::conflict);
  EXPECT_EQ(count("SELECT count(*) FROM alerts WHERE acknowledged_by = 1"), 1) << "the first stands";
}

TEST_F(alerts_pg_test, acknowledging_needs_a_known_alert_and_active_staff) {
  const auto id = add_alert("a");
  const auto unknown_alert = run_task(alerts.acknowledge(id + 100, 1, "", "x"));
  ASSERT_FALSE(unknown_alert.has_value());
  EXPECT_EQ(unknown_alert.error().code, errc::not_found);

  const auto unknown_staff = run_task(alerts.acknowledge(id, 99, "", "x"));
  ASSERT_FALSE(unknown_staff.has_value());
  EXPECT_EQ(unknown_staff.error().code, errc::invalid_input);
  ASSERT_EQ(unknown_staff.error().fields.size(), 1u);
  EXPECT_EQ(unknown_staff.error().fields[0].field, "staff_id");

  sql("UPDATE staff SET archived_at = now() WHERE id = 2");
  const auto archived = run_task(alerts.acknowledge(id, 2, "", "x"));
  ASSERT_FALSE(archived.has_value());
  EXPECT_EQ(archived.error().code, errc::invalid_input);
  EXPECT_EQ(archived.error().fields.at(0).field, "staff_id");
  EXPECT_EQ(count("SELECT count(*) FROM alerts WHERE acknowledged_at IS NULL"), 1);
}

TEST_F(alerts_pg_test, site_routing_round_trips_and_names_the_bad_field) {
  const auto empty = run_task(alerts.site_alerting_of(1));
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->site_id, 1);
  EXPECT_TRUE(empty->copy_to.empty());
  EXPECT_FALSE(empty->supervisor_id);
  EXPECT_TRUE(empty->escalation.empty());
  EXPECT_FALSE(empty->digest);

  ports::site_alerting in;
  in.site_id = 1;
  in.copy_to = {3, 1};
  in.supervisor_id = 4;
  in.escalation = {6, 5};
  in.digest = true;
  ASSERT_TRUE(run_task(alerts.set_site_alerting(in, "admin")).has_value());
  const auto out = run_task(alerts.site_alerting_of(1));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->copy_to, (std::vector<id_t>{3, 1}));
  EXPECT_EQ(out->supervisor_id, 4);
  EXPECT_EQ(out->escalation, (std::vector<id_t>{6, 5}));
  EXPECT_TRUE(out->digest);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE entity = 'site_alerting' AND actor = 'admin'"), 1);

  auto bad = in;
  bad.copy_to = {3, 99};
  const auto unknown = run_task(alerts.set_site_alerting(bad, "admin"));
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, errc::invalid_input);
  EXPECT_EQ(unknown.error().fields.at(0).field, "copy_to[1]");
  sql("UPDATE staff SET archived_at = now() WHERE id = 6");
  const auto archived = run_task(alerts.set_site_alerting(in, "admin"));
  ASSERT_FALSE(archived.has_value());
  EXPECT_EQ(archived.error().fields.at(0).field, "escalation[0]");
  EXPECT_EQ(run_task(alerts.site_alerting_of(1))->escalation, (std::vector<id_t>{6, 5})) << "nothing changed";

  auto elsewhere = in;
  elsewhere.site_id = 99;
  elsewhere.escalation = {};
  const auto no_site = run_task(alerts.set_site_alerting(elsewhere, "admin"));
  ASSERT_FALSE(no_site.has_value());
  EXPECT_EQ(no_site.error().code, errc::not_found);
  const auto no_site_read = run_task(alerts.site_alerting_of(99));
  ASSERT_FALSE(no_site_read.has_value());
  EXPECT_EQ(no_site_read.error(), errc::not_found);
}

TEST_F(alerts_pg_test, a_roster_lists_the_expected_clients_and_anyone_marked) {
  const auto s = add_session(-60min, 0min);
  const auto visitor = insert_id("INSERT INTO clients (first_name) VALUES ('Abe') RETURNING id");
  mark(s, visitor, "present");
  auto r = run_task(alerts.roster(s));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->starts_at, now_ - 60min);
  EXPECT_FALSE(r->cancelled);
  std::vector<std::pair<id_t, std::string>> clients;
  for (const auto& c : r->clients) clients.emplace_back(c.client_id, c.first_name);
  const std::vector<std::pair<id_t, std::string>> expected{{visitor, "Abe"}, {1, "Ana"}, {2, "Ben"}, {3, "Cal"}};
  EXPECT_EQ(clients, expected);

  sql("UPDATE sessions SET cancelled = true WHERE id = " + str(s));
  r = run_task(alerts.roster(s));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->cancelled);

  const auto none = run_task(alerts.roster(s + 100));
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error(), errc::not_found);
}

}  // namespace
}  // namespace rollcall::testing
