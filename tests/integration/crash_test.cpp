// Crash safety: rollcalld killed with SIGKILL in the middle of its work, then started again on
// the same database. Three moments: while thousands of reminders are being dispatched, while a
// planning round is writing thousands of reminders, and while the no-show sweep is raising
// thousands of alerts. Each time nothing is lost, nothing is planned or raised twice, and a
// message reaches its receiver twice only if it was in flight at the kill (claimed, its result
// not yet recorded), under the same webhook-id both times. Each test prints its figures.
#include <signal.h>

#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "care_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* rules_off = "consecutive_misses = 0\nmin_attendance_percent = 0\n";

// The dispatcher of these tests claims 32 messages at a time and has at most 16 sends (HTTP
// request, then the write of its result) going at once. A batch is sent in ceil(32 / 16) = 2
// waves of at most http_timeout (3 s, generous: a send that timed out on busy cores would be
// retried, a duplicate no crash caused), so the lease must exceed 2 x 3 s + 10 s: 17 s, short
// so that the claims of a killed process are taken over within the test.
constexpr int batch_size = 32, concurrency = 16;
clinic_settings crash_settings() {
  return {.lead_times = R"(["1h"])",
          .dispatcher_extra =
              "batch_size = " + std::to_string(batch_size) + "\nconcurrency = " + std::to_string(concurrency) + "\n",
          .alerts_extra = rules_off,
          .http_timeout = "3s",
          .lease = "17s",
          .pool_size = 4};
}

// What the sink received, by webhook-id.
struct received_messages {
  std::map<std::string, int> times;
  int mismatched = 0;  // a request whose header and payload ids differ, or with no id
  int unsigned_ = 0;   // a request whose signature does not verify
  int duplicates() const {
    int n = 0;
    for (const auto& [id, t] : times) n += t - 1;
    return n;
  }
};

// What a run shows at the end, for the checks and the figures.
struct delivery_figures {
  std::size_t messages = 0;
  int duplicates = 0;
};

class crash_test : public care_test {
 protected:
  void start_with(const clinic_settings& s) {
    db_url = shared_cluster().create_database();
    daemon = std::make_unique<daemon_process>(config_toml(s));
    ASSERT_TRUE(daemon->start()) << daemon->log();
  }

  // SIGKILL: no shutdown, no drain, nothing written on the way out.
  void kill_daemon() { ASSERT_EQ(daemon->stop(SIGKILL).value_or(-1), 128 + SIGKILL); }

  // A new rollcalld on the same database, with `s` (the killed one's settings if not given).
  void restart(const std::optional<clinic_settings>& s = std::nullopt) {
    auto next = s ? std::make_unique<daemon_process>(config_toml(*s)) : daemon->sibling();
    daemon = std::move(next);
    ASSERT_TRUE(daemon->start()) << daemon->log();
  }

  api_response post_csv(const std::string& target, const std::string& csv) const {
    return daemon->request("POST", target, csv, std::string{"test-token"}, {{"Content-Type", "text/csv"}});
  }

  // `n` clients reached by email, external ids c00000...
  void import_clients(int n) {
    std::string csv = "external_id,first_name,email\n";
    for (int i = 0; i < n; ++i) {
      char row[80];
      std::snprintf(row, sizeof row, "c%05d,Pat,c%05d@example.org\n", i, i);
      csv += row;
    }
    const auto res = post_csv("/v1/imports/clients?dry_run=false", csv);
    ASSERT_EQ(res.status, 200) << res.body.substr(0, 2000);
    ASSERT_EQ(res.json().at("created").as_int64(), n);
  }

  // One import (one transaction): client c<i> is placed in groups_of(i) ("3" or "3;7"), with
  // counselor S-1.
  void import_enrolments(std::int64_t site, int n, const std::function<std::string(int)>& groups_of,
                         std::int64_t placements) {
    std::string csv =
        "client_external_id,site_id,level_of_care,start_date,planned_weeks,counselor_external_id,group_ids\n";
    for (int i = 0; i < n; ++i) {
      char ext[16];
      std::snprintf(ext, sizeof ext, "c%05d", i);
      csv += ext;
      csv += "," + std::to_string(site) + ",iop," + day(-21) + ",12,S-1," + groups_of(i) + "\n";
    }
    const auto res = post_csv("/v1/imports/enrollments?dry_run=false", csv);
    ASSERT_EQ(res.status, 200) << res.body.substr(0, 2000);
    ASSERT_EQ(res.json().at("placements").as_int64(), placements);
  }

  // `k` groups meeting today only, the first at `first`, each `length` long and starting
  // `spacing` after the one before; then every client c<i> (i < n) placed in all of them.
  std::vector<std::int64_t> groups_with_everyone(std::int64_t site, int n, int k, std::chrono::sys_seconds first,
                                                 std::chrono::seconds spacing, std::chrono::seconds length) {
    std::vector<std::int64_t> groups;
    std::string all;
    for (int g = 0; g < k; ++g) {
      const auto start = first + g * spacing;
      groups.push_back(new_group(site, json::array{weekday_name(today())}, local_time(zone, start),
                                 local_time(zone, start + length), {{"name", "Track " + std::to_string(g)}}));
      all += (g ? ";" : "") + std::to_string(groups.back());
    }
    import_enrolments(
        site, n, [&](int) { return all; }, static_cast<std::int64_t>(n) * k);
    return groups;
  }

  static std::string id_list(const std::vector<std::int64_t>& ids) {
    std::string out;
    for (auto id : ids) out += (out.empty() ? "" : ", ") + std::to_string(id);
    return out;
  }

  received_messages received() const {
    received_messages out;
    for (const auto& r : sink.requests()) {
      if (!signed_with(r, r.target == "/provider" ? provider_secret : alert_secret)) ++out.unsigned_;
      const auto header = r.headers.count("webhook-id") ? r.headers.at("webhook-id") : std::string{};
      const auto body = json::parse(r.body).as_object();
      const auto* id = body.if_contains("message_id");
      if (header.empty() || !id || !id->is_string() || id->as_string() != header) ++out.mismatched;
      ++out.times[header];
    }
    return out;
  }

  // message_id -> status, of every outbox row.
  std::map<std::string, std::string> outbox_status() const {
    pqxx::connection c{db_url};
    pqxx::read_transaction tx{c};
    std::map<std::string, std::string> out;
    for (const auto& r : tx.exec("SELECT message_id, status FROM outbox"))
      out[r[0].as<std::string>()] = r[1].as<std::string>();
    return out;
  }

  // Right after a kill: the messages the dead process held, claimed and with no result
  // recorded. Only these can have been sent without the database knowing.
  std::set<std::string> claimed_unrecorded() const {
    pqxx::connection c{db_url};
    pqxx::read_transaction tx{c};
    std::set<std::string> out;
    for (const auto& r : tx.exec("SELECT message_id FROM outbox WHERE status = 'sending'"))
      out.insert(r[0].as<std::string>());
    return out;
  }

  // Polls `query` (one bigint) on a connection of its own every 2 ms until `done` holds for its
  // value, and returns that value (-1 on timeout). eventually() polls every 50 ms: too coarse
  // to catch a planning transaction that may last under a second.
  long long watch(const std::string& query, const std::function<bool(long long)>& done,
                  std::chrono::milliseconds timeout) const {
    pqxx::connection c{db_url};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pqxx::nontransaction tx{c};
      const auto v = tx.exec1(query)[0].as<long long>();
      if (done(v)) return v;
      std::this_thread::sleep_for(2ms);
    }
    return -1;
  }

  // After the run (the last process stopped, so nothing more can arrive): every outbox message
  // reached the sink, signed, and is recorded delivered; the sink got nothing else; a message
  // came twice only if it was among `in_flight`, and no more often than the bound allows.
  delivery_figures check_delivery(const std::set<std::string>& in_flight) const {
    const auto got = received();
    const auto rows = outbox_status();
    EXPECT_EQ(got.mismatched, 0) << "webhook-id and payload message_id differ";
    EXPECT_EQ(got.unsigned_, 0);
    int missing = 0, unknown = 0, unexplained = 0, thrice = 0;
    std::map<std::string, int> by_status;
    for (const auto& [id, status] : rows) {
      ++by_status[status];
      missing += got.times.count(id) == 0;
    }
    for (const auto& [id, n] : got.times) {
      unknown += rows.count(id) == 0;
      if (n > 1 && in_flight.count(id) == 0) ++unexplained;
      thrice += n > 2;
    }
    EXPECT_EQ(missing, 0) << "outbox messages the sink never received";
    EXPECT_EQ(unknown, 0) << "the sink received messages the outbox does not hold";
    EXPECT_EQ(by_status, (std::map<std::string, int>{{"delivered", static_cast<int>(rows.size())}}))
        << "every message delivered: none pending, sending (a stuck claim), dead or cancelled";
    EXPECT_EQ(unexplained, 0) << "a message that was not in flight at the kill arrived twice";
    EXPECT_EQ(thrice, 0) << "one kill can repeat a message once at most";
    // At most every claimed message, and at most one per worker: a worker sends, then records,
    // then takes its next message.
    EXPECT_LE(in_flight.size(), static_cast<std::size_t>(batch_size));
    EXPECT_LE(got.duplicates(), static_cast<int>(in_flight.size()));
    EXPECT_LE(got.duplicates(), concurrency);
    return {rows.size(), got.duplicates()};
  }

  // For failure messages: the outbox by status, and the end of the daemon's log.
  std::string state() const {
    std::string out = "outbox:";
    pqxx::connection c{db_url};
    pqxx::read_transaction tx{c};
    for (const auto& r : tx.exec("SELECT status, count(*), max(attempts), max(coalesce(last_error, '')) FROM outbox"
                                 " GROUP BY status ORDER BY status"))
      out += " " + r[0].as<std::string>() + " " + r[1].as<std::string>() + " (attempts up to " +
             r[2].as<std::string>() + ", last error: " + r[3].as<std::string>() + ")";
    const auto log = daemon->log();
    return out + "\n" + log.substr(log.size() > 6000 ? log.size() - 6000 : 0);
  }

  void report(const std::string& key, const std::string& value) {
    std::cout << "[ figures  ] " << key << " = " << value << std::endl;
    RecordProperty(key, value);
  }
};

TEST_F(crash_test, dispatch_killed_midway_loses_nothing_and_repeats_only_what_was_in_flight) {
  pick_zone();
  constexpr int clients = 1000, groups = 2, messages = clients * groups;
  // Two sessions today within the hour, lead time 1h: every reminder is a late one, all due at
  // once. The sink takes 5 ms to answer, so there are always sends in flight.
  sink.set_response_delay(5ms);
  start_with(crash_settings());
  const auto site = new_site();
  create("/v1/staff", {{"name", "Dana"}, {"external_id", "S-1"}, {"email", "dana@example.org"}});
  import_clients(clients);
  groups_with_everyone(site, clients, groups, starting_in(20min), 20min, 10min);

  // Killed once the sink has seen 30% of them.
  ASSERT_TRUE(sink.wait_for([&](const auto& all) { return all.size() >= messages * 3 / 10; }, 180s))
      << sink.requests().size() << " received\n"
      << state();
  kill_daemon();
  const auto at_kill = received();
  const auto in_flight = claimed_unrecorded();
  const int planned = count("SELECT count(*) FROM outbox");
  ASSERT_EQ(planned, messages);
  ASSERT_LT(at_kill.times.size(), static_cast<std::size_t>(messages)) << "all sent before the kill: nothing was tested";
  EXPECT_GT(in_flight.size(), 0u) << "nothing was in flight at the kill: the test proved little";
  int sent_unrecorded = 0;  // in flight, and the sink already had them
  for (const auto& id : in_flight) sent_unrecorded += at_kill.times.count(id) > 0;

  const auto restarted = std::chrono::steady_clock::now();
  restart();
  ASSERT_TRUE(
      eventually([&] { return count("SELECT count(*) FROM outbox WHERE status = 'delivered'") == messages; }, 180s))
      << count("SELECT count(*) FROM outbox WHERE status = 'delivered'") << " of " << messages << " delivered\n"
      << state();
  const auto drained =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - restarted);
  ASSERT_EQ(daemon->stop(SIGTERM).value_or(-1), 0) << daemon->log();

  const auto f = check_delivery(in_flight);
  EXPECT_EQ(f.messages, static_cast<std::size_t>(messages));
  // Claims the dead process held were taken over once their lease ran out, and only then.
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE attempts <> 1"), static_cast<int>(in_flight.size()));
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE attempts = 2"), static_cast<int>(in_flight.size()));

  report("dispatch.messages", std::to_string(f.messages));
  report("dispatch.received_before_kill", std::to_string(at_kill.times.size()));
  report("dispatch.claimed_unrecorded_at_kill",
         std::to_string(in_flight.size()) + " (of which the sink had " + std::to_string(sent_unrecorded) + ")");
  report("dispatch.duplicates", std::to_string(f.duplicates));
  report("dispatch.bound", "min(claimed at the kill, dispatcher.concurrency = " + std::to_string(concurrency) +
                               "); batch_size = " + std::to_string(batch_size));
  report("dispatch.drain_after_restart_ms", std::to_string(drained.count()));
}

TEST_F(crash_test, planning_killed_midway_plans_each_reminder_once_and_sends_it_once) {
  pick_zone();
  constexpr int clients = 1000, groups = 2, expected = clients * groups;
  // While the clinic is set up the planner waits (its one round at start-up comes before there
  // is anything to plan); the next process plans it all in one round.
  auto quiet = crash_settings();
  quiet.planner_interval = "1h";
  start_with(quiet);
  const auto site = new_site();
  create("/v1/staff", {{"name", "Dana"}, {"external_id", "S-1"}, {"email", "dana@example.org"}});
  import_clients(clients);
  // Two sessions today within the hour: each client's reminder for each is late, due at once.
  const auto group_ids = groups_with_everyone(site, clients, groups, starting_in(15min), 15min, 10min);
  ASSERT_EQ(daemon->stop(SIGTERM).value_or(-1), 0) << daemon->log();
  ASSERT_EQ(count("SELECT count(*) FROM outbox"), 0);

  // Uncommitted rows are invisible to others, but each takes the next id of the outbox's
  // sequence at once (sequences are not transactional): the ids taken show how far the
  // planning transaction has got.
  const auto seq = scalar("SELECT pg_get_serial_sequence('outbox', 'id')");
  const auto taken = "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM " + seq;
  const long long base = std::stoll(scalar(taken));
  // The round is held mid-way, so that the kill lands before its COMMIT however fast or slow
  // either side runs (sanitizers, a loaded machine): this test holds a client in the middle
  // FOR UPDATE, and the outbox's foreign key check of that client's first reminder (FOR KEY
  // SHARE on clients) waits for it.
  pqxx::connection holder{db_url};
  pqxx::work hold{holder};
  // (By its id: FOR UPDATE with OFFSET would lock the rows skipped too.)
  hold.exec1("SELECT id FROM clients WHERE id = (SELECT id FROM clients ORDER BY id OFFSET " +
             std::to_string(clients / 2) + " LIMIT 1) FOR UPDATE");
  restart(crash_settings());
  const auto seen = watch(
      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
      " AND query LIKE 'INSERT INTO outbox%'",
      [](long long v) { return v > 0; }, 90s);
  ASSERT_GE(seen, 0) << "the planner never reached the held client\n" << state();
  kill_daemon();
  hold.abort();                                                // the dead client's backend goes on, then finds it gone
  const long long written = std::stoll(scalar(taken)) - base;  // rows the killed round had inserted
  EXPECT_GT(written, expected / 10);
  EXPECT_LT(written, expected * 9 / 10) << "killed too late to be mid-planning";
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 0) << "the killed round committed rows";
  EXPECT_EQ(sink.requests().size(), 0u);

  restart();
  ASSERT_TRUE(
      eventually([&] { return count("SELECT count(*) FROM outbox WHERE status = 'delivered'") == expected; }, 180s))
      << count("SELECT count(*) FROM outbox WHERE status = 'delivered'") << " of " << expected << " delivered\n"
      << state();
  ASSERT_EQ(daemon->stop(SIGTERM).value_or(-1), 0) << daemon->log();

  // Every reminder due exists once: one per client and session, and nothing else.
  const auto in_groups = " WHERE s.group_id IN (" + id_list(group_ids) + ")";
  EXPECT_EQ(count("SELECT count(*) FROM sessions s" + in_groups), groups);
  EXPECT_EQ(count("SELECT count(*) FROM sessions s JOIN enrollments e ON e.group_id = s.group_id" + in_groups),
            expected);
  EXPECT_EQ(count("SELECT count(*) FROM sessions s JOIN enrollments e ON e.group_id = s.group_id" + in_groups +
                  " AND (SELECT count(*) FROM outbox o WHERE o.kind = 'reminder' AND o.client_id = e.client_id"
                  "   AND o.session_id = s.id) <> 1"),
            0);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'reminder'"), expected);
  // All of them from the round after the kill: the killed round left only a gap in the ids.
  EXPECT_GT(std::stoll(scalar("SELECT min(id) FROM outbox")), base + written);
  // Nothing was committed before the kill, so nothing was in flight: no message twice.
  const auto f = check_delivery({});
  EXPECT_EQ(f.messages, static_cast<std::size_t>(expected));
  EXPECT_EQ(f.duplicates, 0);

  report("planning.reminders", std::to_string(expected));
  report("planning.rows_written_at_kill",
         std::to_string(written) + " of " + std::to_string(expected) + " (uncommitted, rolled back)");
  report("planning.messages_delivered", std::to_string(f.messages));
  report("planning.duplicates", std::to_string(f.duplicates));
  report("planning.bound", "0 (no planned row was committed, so none could be claimed)");
}

TEST_F(crash_test, no_show_sweep_killed_midway_raises_each_alert_once_and_delivers_it) {
  pick_zone();
  constexpr int clients = 1000, groups = 2, absences = clients * groups;
  // Only the missed-session alert (one per absence), to the counselor's webhook, never
  // escalated.
  auto s = crash_settings();
  s.grace = "1s";
  s.absent_after = "1s";
  s.alerts_extra = std::string{rules_off} + "escalate_after = \"0s\"\n";
  // No planner rounds while the clinic is set up: the sessions are planned only once they have
  // started, too late for reminders (this test is about the sweep's alerts).
  auto quiet = s;
  quiet.planner_interval = "1h";
  sink.set_response_delay(2ms);
  start_with(quiet);
  const auto site = open_site();
  create("/v1/staff", {{"name", "Dana"}, {"external_id", "S-1"}, {"alert_webhook_url", sink.url("/alerts/dana")}});
  import_clients(clients);
  // Placements count for a session only when made before it starts, and placing a thousand
  // clients takes long on busy cores: the groups are placed first, at a time two hours away,
  // then moved to two short sessions just ahead (no session exists yet to move), further ahead
  // again whenever the moves took so long that the first session would have started.
  const auto group_ids = groups_with_everyone(site, clients, groups, starting_in(2h), 3s, 2s);
  std::chrono::sys_seconds first;
  for (auto ahead = 8s;; ahead *= 2) {
    ASSERT_LE(ahead, 128s) << "moving the groups takes too long";
    first = starting_in(ahead);
    for (int g = 0; g < groups; ++g) {
      const auto start = first + g * 3s;
      const auto moved = patch("/v1/groups/" + std::to_string(group_ids[g]),
                               {{"start_time", local_time(zone, start)}, {"end_time", local_time(zone, start + 2s)}});
      ASSERT_EQ(moved.status, 200) << moved.body;
    }
    if (std::chrono::system_clock::now() + 1s < first) break;
  }
  ASSERT_EQ(daemon->stop(SIGTERM).value_or(-1), 0) << daemon->log();
  const auto last_start = std::to_string((first + (groups - 1) * 3s).time_since_epoch().count());
  ASSERT_TRUE(eventually([&] { return count("SELECT (now() >= to_timestamp(" + last_start + "))::int") == 1; }, 60s));

  // The sweep runs the rules for 200 clients a transaction: killed once 20% of the alerts are
  // raised, at a moment the dispatcher holds a claim on some of their messages (the query
  // answers 0 while it holds none).
  restart(s);
  const auto seen = watch(
      "SELECT (SELECT count(*) FROM alerts) * (SELECT (count(*) > 0)::int FROM outbox WHERE status = 'sending')",
      [&](long long v) { return v >= absences / 5; }, 90s);
  ASSERT_GE(seen, 0) << "the sweep never raised alerts\n" << state();
  kill_daemon();
  const auto in_flight = claimed_unrecorded();
  const int alerts_at_kill = count("SELECT count(*) FROM alerts");
  const int absences_at_kill = count("SELECT count(*) FROM attendance_marks WHERE source = 'auto'");
  const auto at_kill = received();
  EXPECT_GT(alerts_at_kill, 0);
  EXPECT_LT(alerts_at_kill, absences * 4 / 5) << "killed too late to be mid-sweep";
  int sent_unrecorded = 0;
  for (const auto& id : in_flight) sent_unrecorded += at_kill.times.count(id) > 0;

  restart();
  ASSERT_TRUE(eventually(
      [&] {
        return count("SELECT count(*) FROM alerts") == absences &&
               count("SELECT count(*) FROM outbox WHERE status = 'delivered'") == absences;
      },
      180s))
      << count("SELECT count(*) FROM alerts") << " alerts, "
      << count("SELECT count(*) FROM outbox WHERE status = 'delivered'") << " messages delivered\n"
      << state();
  ASSERT_EQ(daemon->stop(SIGTERM).value_or(-1), 0) << daemon->log();

  // One absence and one missed-session alert per client and session, each alert told to the
  // counselor once.
  EXPECT_EQ(count("SELECT count(*) FROM sessions s WHERE s.attendance_closed_at IS NOT NULL AND s.group_id IN (" +
                  id_list(group_ids) + ")"),
            groups);
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE source = 'auto' AND status = 'absent'"), absences);
  EXPECT_EQ(count("SELECT count(*) FROM (SELECT 1 FROM attendance_marks GROUP BY session_id, client_id"
                  " HAVING count(*) > 1) x"),
            0);
  EXPECT_EQ(count("SELECT count(*) FROM alerts WHERE kind = 'missed_session'"), absences);
  EXPECT_EQ(count("SELECT count(DISTINCT (client_id, session_id)) FROM alerts"), absences);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'staff_alert'"), absences);
  EXPECT_EQ(count("SELECT count(*) FROM alerts a WHERE (SELECT count(*) FROM outbox o WHERE o.alert_id = a.id) <> 1"),
            0);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE entity = 'alert' AND action = 'raise'"), absences);
  const auto f = check_delivery(in_flight);
  EXPECT_EQ(f.messages, static_cast<std::size_t>(absences));

  report("sweep.alerts", std::to_string(absences) + " (" + std::to_string(clients) + " clients x " +
                             std::to_string(groups) + " sessions)");
  report("sweep.alerts_at_kill",
         std::to_string(alerts_at_kill) + " (absences recorded: " + std::to_string(absences_at_kill) + ")");
  report("sweep.messages_delivered", std::to_string(f.messages));
  report("sweep.claimed_unrecorded_at_kill",
         std::to_string(in_flight.size()) + " (of which the sink had " + std::to_string(sent_unrecorded) + ")");
  report("sweep.duplicates", std::to_string(f.duplicates));
  report("sweep.bound", "min(claimed at the kill, dispatcher.concurrency = " + std::to_string(concurrency) + ")");
}

}  // namespace
}  // namespace rollcall::testing
