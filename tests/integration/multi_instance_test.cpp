// Several rollcalld processes on one database share the work: three instances plan, send,
// close sessions and escalate alerts for a thousand clients, and the sink receives every
// message exactly once; an instance killed (SIGKILL) in the middle of dispatch loses nothing,
// the others sending what it held once its lease runs out (a send it had in flight may arrive
// twice, and only such a send).
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "care_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* rules_off = "consecutive_misses = 0\nmin_attendance_percent = 0\n";

// One instance's share, added up from its log lines.
struct instance_share {
  int claimed = 0, delivered = 0, retried = 0, dead = 0, deferred = 0, not_recorded = 0;
  int sessions_added = 0, reminders_planned = 0;
  int sessions_closed = 0, absences = 0, escalated = 0, rules_run = 0;
};

instance_share share_of(const std::string& log) {
  instance_share s;
  std::istringstream in{log};
  for (std::string line; std::getline(in, line);) {
    int a = 0, b = 0, c = 0, d = 0, e = 0;
    if (const auto p = line.find("dispatcher: "); p != std::string::npos) {
      const char* rest = line.c_str() + p + 12;
      if (std::sscanf(rest, "%d claimed, %d delivered, %d to retry, %d dead-lettered, %d deferred", &a, &b, &c, &d,
                      &e) == 5) {
        s.claimed += a, s.delivered += b, s.retried += c, s.dead += d, s.deferred += e;
      } else if (std::sscanf(rest, "%d result(s) not recorded", &a) == 1) {
        s.not_recorded += a;
      }
    } else if (const auto q = line.find("planner: "); q != std::string::npos) {
      if (std::sscanf(line.c_str() + q + 9, "%d session(s) added, %d reminder(s) planned", &a, &b) == 2)
        s.sessions_added += a, s.reminders_planned += b;
    } else if (const auto r = line.find("attendance watch: "); r != std::string::npos) {
      if (std::sscanf(line.c_str() + r + 18, "%d session(s) closed, %d absence(s) recorded, %d alert(s) re-sent", &a,
                      &b, &c) == 3)
        s.sessions_closed += a, s.absences += b, s.escalated += c;
      else if (std::sscanf(line.c_str() + r + 18, "rules run for %d client(s)", &a) == 1)
        s.rules_run += a;
    }
  }
  return s;
}

// What the sink received: each message id with how often, and each message's payload (the
// first copy). The Standard Webhooks id and the payload's message_id must be the same.
struct received_messages {
  std::map<std::string, int> times;
  std::map<std::string, json::object> payload;
  int mismatched = 0;  // a request whose header and payload ids differ, or with no id
  int unsigned_ = 0;   // a request whose signature does not verify
};

// One outbox row, as the database holds it at the end.
struct outbox_row {
  std::int64_t id = 0;
  std::string kind, status;
  int attempts = 0;  // claims that counted as attempts
  int recorded = 0;  // delivery_attempts rows: sends whose result was recorded
  std::int64_t alert_id = 0, staff_id = 0, client_id = 0;
  double delivered_at = 0;  // Unix seconds
};

class multi_instance_test : public care_test {
 protected:
  // `daemon` and `n - 1` siblings: the same config, the same database.
  void start_instances(const clinic_settings& s, int n) {
    start_clinic(s);
    instances.push_back(daemon.get());
    for (int i = 1; i < n; ++i) {
      others.push_back(daemon->sibling());
      ASSERT_TRUE(others.back()->start()) << others.back()->log();
      instances.push_back(others.back().get());
    }
  }

  api_response post_csv(const daemon_process& d, const std::string& target, const std::string& csv) const {
    return d.request("POST", target, csv, std::string{"test-token"}, {{"Content-Type", "text/csv"}});
  }

  // `n` clients reached by email (no phone: no number to normalise), external ids c0000...
  void import_clients(int n) {
    std::string csv = "external_id,first_name,email\n";
    for (int i = 0; i < n; ++i) {
      char row[80];
      std::snprintf(row, sizeof row, "c%04d,Pat,c%04d@example.org\n", i, i);
      csv += row;
    }
    const auto res = post_csv(*daemon, "/v1/imports/clients?dry_run=false", csv);
    ASSERT_EQ(res.status, 200) << res.body.substr(0, 2000);
    ASSERT_EQ(res.json().at("created").as_int64(), n);
  }

  // Opens an episode for each client c<first>..c<first + n - 1> with counselor `counselor_ext`,
  // placed in `group`.
  void import_enrolments(std::int64_t site, std::int64_t group, int first, int n, const std::string& counselor_ext) {
    std::string csv =
        "client_external_id,site_id,level_of_care,start_date,planned_weeks,counselor_external_id,group_ids\n";
    for (int i = first; i < first + n; ++i) {
      char ext[16];
      std::snprintf(ext, sizeof ext, "c%04d", i);
      csv += ext;
      csv +=
          "," + std::to_string(site) + ",iop," + day(-21) + ",12," + counselor_ext + "," + std::to_string(group) + "\n";
    }
    const auto res = post_csv(*daemon, "/v1/imports/enrollments?dry_run=false", csv);
    ASSERT_EQ(res.status, 200) << res.body.substr(0, 2000);
    ASSERT_EQ(res.json().at("placements").as_int64(), n);
  }

  received_messages received() const {
    received_messages out;
    for (const auto& r : sink.requests()) {
      if (!signed_with(r, r.target == "/provider" ? provider_secret : alert_secret)) ++out.unsigned_;
      const auto body = json::parse(r.body).as_object();
      const auto header = r.headers.count("webhook-id") ? r.headers.at("webhook-id") : std::string{};
      const auto* id = body.if_contains("message_id");
      if (header.empty() || !id || !id->is_string() || id->as_string() != header) ++out.mismatched;
      if (++out.times[header] == 1) out.payload[header] = body;
    }
    return out;
  }

  std::map<std::string, outbox_row> outbox() const {
    pqxx::connection c{db_url};
    pqxx::read_transaction tx{c};
    std::map<std::string, outbox_row> out;
    for (const auto& r : tx.exec("SELECT o.message_id, o.id, o.kind, o.status, o.attempts,"
                                 " (SELECT count(*) FROM delivery_attempts d WHERE d.outbox_id = o.id)::int,"
                                 " coalesce(o.alert_id, 0), coalesce(o.staff_id, 0), coalesce(o.client_id, 0),"
                                 " coalesce(extract(epoch FROM o.delivered_at), 0)::float8 FROM outbox o")) {
      outbox_row row{r[1].as<std::int64_t>(), r[2].as<std::string>(),  r[3].as<std::string>(),
                     r[4].as<int>(),          r[5].as<int>(),          r[6].as<std::int64_t>(),
                     r[7].as<std::int64_t>(), r[8].as<std::int64_t>(), r[9].as<double>()};
      out[r[0].as<std::string>()] = row;
    }
    return out;
  }

  void report(const std::string& key, const std::string& value) {
    std::cout << "[ figures  ] " << key << " = " << value << std::endl;
    RecordProperty(key, value);
  }

  std::vector<daemon_process*> instances;  // daemon first
  std::vector<std::unique_ptr<daemon_process>> others;
};

TEST_F(multi_instance_test, three_instances_plan_send_close_and_escalate_every_message_exactly_once) {
  pick_zone();
  constexpr int clients = 1000, groups = 2, per_group = clients / groups, present_per_group = 5;
  constexpr auto lead_early = 15s, lead_late = 8s, length = 6s;
  // Small batches, so that while a thousand reminders fall due at once each instance keeps
  // coming back for more and all three take part. The HTTP deadline and the lease are generous:
  // a send that timed out on two busy cores would be retried, a duplicate this test does not
  // forgive.
  const clinic_settings s{.lead_times = R"(["15s", "8s"])",  // lead_early, lead_late
                          .grace = "1s",
                          .absent_after = "1s",
                          .dispatcher_extra = "batch_size = 25\nconcurrency = 8\n",
                          .alerts_extra = std::string{rules_off} + "escalate_after = \"3s\"\n",
                          .http_timeout = "5s",
                          .lease = "45s",
                          .pool_size = 4};
  const auto began = std::chrono::steady_clock::now();
  start_instances(s, 3);
  ASSERT_EQ(instances.size(), 3u);
  auto& first = *instances[0];
  auto& second = *instances[1];
  auto& third = *instances[2];

  const auto site = open_site();
  const auto counselor =
      create("/v1/staff", {{"name", "Dana"}, {"external_id", "S-1"}, {"alert_webhook_url", sink.url("/alerts/dana")}});
  const auto on_call = create("/v1/staff", {{"name", "On call"}, {"alert_webhook_url", sink.url("/alerts/oncall")}});
  const auto director =
      create("/v1/staff", {{"name", "Director"}, {"alert_webhook_url", sink.url("/alerts/director")}});
  // Any instance serves the API.
  ASSERT_EQ(second
                .request("PUT", "/v1/sites/" + std::to_string(site) + "/alerting",
                         json::serialize(json::object{{"escalation", json::array{on_call, director}}}))
                .status,
            200);
  import_clients(clients);

  // Both groups meet once, today, at the same time: each reminder wave is a thousand messages
  // due at the same second.
  const auto start = starting_in(lead_early + 8s);
  std::vector<std::int64_t> group_ids;
  for (int g = 0; g < groups; ++g)
    group_ids.push_back(new_group(site, json::array{weekday_name(today())}, local_time(zone, start),
                                  local_time(zone, start + length), {{"name", "Track " + std::to_string(g)}}));
  for (int g = 0; g < groups; ++g) import_enrolments(site, group_ids[g], g * per_group, per_group, "S-1");
  const auto margin =
      std::chrono::duration_cast<std::chrono::milliseconds>(start - lead_early - std::chrono::system_clock::now());
  ASSERT_GT(margin, 2s) << "seeding took too long: the first reminders would be past due when planned";
  const auto seeded = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - began);

  std::vector<std::int64_t> sessions;
  for (auto g : group_ids) {
    const auto session = session_on(g, today());
    ASSERT_FALSE(session.empty());
    sessions.push_back(session.at("id").as_int64());
  }
  // A few come (checked in early, through the third instance); the rest never turn up.
  std::set<std::int64_t> present;
  for (int g = 0; g < groups; ++g) {
    const auto roster = third.get("/v1/sessions/" + std::to_string(sessions[g]) + "/roster").json();
    const auto& people = roster.at("clients").as_array();
    ASSERT_EQ(people.size(), static_cast<std::size_t>(per_group));
    for (int i = 0; i < present_per_group; ++i) {
      const auto client = people[i].at("client_id").as_int64();
      auto res = third.post("/v1/sessions/" + std::to_string(sessions[g]) + "/attendance",
                            {{"client_id", client}, {"status", "present"}});
      ASSERT_EQ(res.status, 201) << res.body;
      present.insert(client);
    }
  }
  const int absent = clients - groups * present_per_group;
  const std::size_t reminders = 2u * clients, alert_messages = 3u * absent;  // counselor, then two escalations

  ASSERT_TRUE(sink.wait_for([&](const auto& all) { return all.size() >= reminders + alert_messages; }, 120s))
      << "received " << sink.requests().size() << " of " << reminders + alert_messages << "\n"
      << first.log().substr(0, 4000);
  std::this_thread::sleep_for(3s);  // every chance for a duplicate or a further escalation
  const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - began);

  // At the sink: each message once, signed, its id in the header and in the payload alike.
  const auto got = received();
  const auto rows = outbox();
  EXPECT_EQ(got.mismatched, 0);
  EXPECT_EQ(got.unsigned_, 0);
  std::vector<std::string> twice;
  for (const auto& [id, n] : got.times)
    if (n != 1) twice.push_back(id + " x" + std::to_string(n));
  EXPECT_TRUE(twice.empty()) << twice.size() << " message(s) received more than once, e.g. " << twice.front();
  // In the database: exactly the messages the sink saw, every one delivered by one attempt.
  EXPECT_EQ(rows.size(), reminders + alert_messages);
  EXPECT_EQ(got.times.size(), rows.size());
  std::map<std::string, int> by_kind, by_status;
  int missing = 0, extra_attempts = 0;
  for (const auto& [id, row] : rows) {
    ++by_kind[row.kind];
    ++by_status[row.status];
    missing += got.times.count(id) == 0;
    extra_attempts += row.recorded != 1 || row.attempts != 1;
  }
  for (const auto& [id, n] : got.times) EXPECT_EQ(rows.count(id), 1u) << "the sink got " << id << ", not in the outbox";
  EXPECT_EQ(missing, 0) << "outbox messages the sink never received";
  EXPECT_EQ(by_status, (std::map<std::string, int>{{"delivered", static_cast<int>(rows.size())}}));
  EXPECT_EQ(by_kind, (std::map<std::string, int>{{"reminder", static_cast<int>(reminders)},
                                                 {"staff_alert", static_cast<int>(alert_messages)}}));
  EXPECT_EQ(extra_attempts, 0) << "messages claimed or sent more than once";

  // Planning: one session per group and day, one reminder per client, session and lead.
  EXPECT_EQ(count("SELECT count(*) FROM sessions WHERE group_id IN (" + std::to_string(group_ids[0]) + ", " +
                  std::to_string(group_ids[1]) + ")"),
            groups);
  EXPECT_EQ(count("SELECT count(DISTINCT (client_id, session_id)) FROM outbox WHERE kind = 'reminder'"), clients);
  EXPECT_EQ(count("SELECT count(*) FROM (SELECT 1 FROM outbox WHERE kind = 'reminder'"
                  " GROUP BY client_id, session_id HAVING count(*) <> 2) x"),
            0);
  EXPECT_EQ(count("SELECT count(DISTINCT due_at) FROM outbox WHERE kind = 'reminder'"), 2) << "one wave per lead";
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'reminder' AND due_at = to_timestamp(" +
                  std::to_string((start - lead_late).time_since_epoch().count()) + ")"),
            clients);

  // The sweep: one automatic absence for each client who never came, none for those who did.
  EXPECT_EQ(count("SELECT count(*) FROM sessions WHERE attendance_closed_at IS NOT NULL AND group_id IN (" +
                  std::to_string(group_ids[0]) + ", " + std::to_string(group_ids[1]) + ")"),
            groups);
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE source = 'auto' AND status = 'absent'"), absent);
  EXPECT_EQ(count("SELECT count(*) FROM (SELECT 1 FROM attendance_marks GROUP BY session_id, client_id"
                  " HAVING count(*) > 1) x"),
            0);
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE source = 'staff' AND status = 'present'"),
            groups * present_per_group);
  // One missed-session alert each, escalated once per step down the two-person list.
  EXPECT_EQ(count("SELECT count(*) FROM alerts WHERE kind = 'missed_session'"), absent);
  EXPECT_EQ(count("SELECT count(*) FROM alerts"), absent);
  EXPECT_EQ(count("SELECT count(DISTINCT client_id) FROM alerts"), absent);
  EXPECT_EQ(count("SELECT count(*) FROM alerts WHERE escalation_step = 2"), absent);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE entity = 'alert' AND action = 'escalate'"), 2 * absent);
  EXPECT_EQ(count("SELECT count(*) FROM (SELECT 1 FROM audit_log WHERE entity = 'alert' AND action = 'escalate'"
                  " GROUP BY entity_id, detail->>'step' HAVING count(*) > 1) x"),
            0);
  // ...and at the sink, each absent client's alert reached the counselor, then on call, then
  // the director, once each; nobody who came was alerted about.
  std::map<std::pair<std::int64_t, std::int64_t>, int> alert_copies;  // (client, staff) -> copies
  std::set<std::int64_t> alerted;
  int reminder_copies = 0;
  for (const auto& [id, body] : got.payload) {
    if (body.at("type") == "reminder") {
      ++reminder_copies;
      continue;
    }
    EXPECT_EQ(body.at("alert"), "missed_session");
    const auto client = body.at("client_id").as_int64();
    alert_copies[{client, body.at("staff_id").as_int64()}] += got.times.at(id);
    alerted.insert(client);
  }
  EXPECT_EQ(reminder_copies, static_cast<int>(reminders));
  EXPECT_EQ(alerted.size(), static_cast<std::size_t>(absent));
  for (auto c : present) EXPECT_EQ(alerted.count(c), 0u) << "client " << c << " came";
  int wrong_copies = 0;
  for (auto c : alerted)
    for (auto to : {counselor, on_call, director}) wrong_copies += alert_copies[{c, to}] != 1;
  EXPECT_EQ(wrong_copies, 0);
  EXPECT_EQ(alert_copies.size(), 3u * absent);

  // The work was shared: each instance claimed and sent some of it, and the instances' own
  // accounts add up to what the database recorded.
  std::vector<instance_share> shares;
  for (auto* d : instances) shares.push_back(share_of(d->log()));
  int attempts = 0, planned = 0, added = 0, closed = 0, absences = 0, escalated = 0;
  std::string dispatch_split, plan_split, watch_split;
  for (std::size_t i = 0; i < shares.size(); ++i) {
    const auto& sh = shares[i];
    EXPECT_GT(sh.claimed, 0) << "instance " << i << " sent nothing";
    EXPECT_EQ(sh.not_recorded, 0) << "instance " << i;
    EXPECT_EQ(sh.retried + sh.dead, 0) << "instance " << i;
    attempts += sh.claimed - sh.deferred;
    planned += sh.reminders_planned;
    added += sh.sessions_added;
    closed += sh.sessions_closed;
    absences += sh.absences;
    escalated += sh.escalated;
    const auto sep = i ? " / " : "";
    dispatch_split += sep + std::to_string(sh.claimed - sh.deferred);
    plan_split += sep + std::to_string(sh.reminders_planned);
    watch_split += sep + std::to_string(sh.sessions_closed) + " closed, " + std::to_string(sh.absences) +
                   " absences, rules run for " + std::to_string(sh.rules_run) + " clients, " +
                   std::to_string(sh.escalated) + " escalations";
  }
  EXPECT_EQ(attempts, count("SELECT count(*) FROM delivery_attempts"));
  EXPECT_EQ(planned, static_cast<int>(reminders)) << "reminders each instance says it planned, added up";
  EXPECT_EQ(added, groups);
  EXPECT_EQ(closed, groups);
  EXPECT_EQ(absences, absent);
  EXPECT_EQ(escalated, 2 * absent);

  // How long each wave of a thousand took to drain, from its due second to its last delivery.
  std::string drain;
  {
    pqxx::connection c{db_url};
    pqxx::read_transaction tx{c};
    for (const auto& r : tx.exec("SELECT count(*), extract(epoch FROM max(delivered_at) - due_at)::float8"
                                 " FROM outbox WHERE kind = 'reminder' GROUP BY due_at ORDER BY due_at")) {
      char part[80];
      std::snprintf(part, sizeof part, "%s%d in %.1f s", drain.empty() ? "" : ", ", r[0].as<int>(), r[1].as<double>());
      drain += part;
    }
    const auto alerts_drain = tx.exec1(
        "SELECT extract(epoch FROM max(o.delivered_at) - min(a.created_at))::float8 FROM outbox o"
        " JOIN alerts a ON a.id = o.alert_id");
    char part[80];
    std::snprintf(part, sizeof part, "; alerts: first raised to last escalation delivered %.1f s",
                  alerts_drain[0].as<double>());
    drain += part;
  }
  report("messages", std::to_string(rows.size()) + " (" + std::to_string(reminders) + " reminders, " +
                         std::to_string(alert_messages) + " alert messages)");
  report("duplicates", std::to_string(twice.size()));
  report("dispatch_per_instance", dispatch_split);
  report("reminders_planned_per_instance", plan_split);
  report("watch_per_instance", watch_split);
  report("drain", drain);
  report("elapsed_s", std::to_string(elapsed.count()) + " (3 instances up and " + std::to_string(clients) +
                          " clients enrolled after " + std::to_string(seeded.count()) + " s, " +
                          std::to_string(margin.count()) + " ms before the first wave was due)");
}

TEST_F(multi_instance_test, a_killed_instance_s_claims_are_sent_by_the_others_once_its_lease_runs_out) {
  pick_zone();
  constexpr int clients = 1000;
  // Lead "1h" before a session ten minutes away: every reminder is a late one, due at once.
  // The lease is as short as the config allows (ceil(20 / 4) x 1 s + 10 s); the sink takes
  // 100 ms to answer, so every instance always has sends in flight.
  const clinic_settings s{.lead_times = R"(["1h"])",
                          .dispatcher_extra = "batch_size = 20\nconcurrency = 4\n",
                          .alerts_extra = rules_off,
                          .http_timeout = "1s",
                          .lease = "16s",
                          .pool_size = 3};
  sink.set_response_delay(100ms);
  start_instances(s, 3);
  ASSERT_EQ(instances.size(), 3u);
  auto& victim = *instances[2];

  const auto site = new_site();
  create("/v1/staff", {{"name", "Dana"}, {"external_id", "S-1"}, {"email", "dana@example.org"}});
  import_clients(clients);
  const auto start = starting_in(10min);
  const auto group = new_group(site, json::array{weekday_name(today())}, local_time(zone, start),
                               local_time(zone, start + 1h), {{"name", "Later"}});
  import_enrolments(site, group, 0, clients, "S-1");

  // Once the victim has sent a batch and is well into the next, it dies without a word.
  // A batch takes at least 5 waves of 100 ms; the next is claimed as soon as one is done.
  ASSERT_TRUE(eventually([&] { return share_of(victim.log()).claimed > 0; }, 60s)) << victim.log();
  std::this_thread::sleep_for(200ms);
  const auto victim_before = share_of(victim.log());
  ASSERT_EQ(victim.stop(SIGKILL).value_or(-1), 128 + SIGKILL);
  const auto killed_at = std::chrono::system_clock::now();
  const auto killed_steady = std::chrono::steady_clock::now();

  ASSERT_TRUE(eventually(
      [&] {
        return count("SELECT count(*) FROM outbox WHERE status = 'delivered'") == clients &&
               count("SELECT count(*) FROM outbox") == clients;
      },
      90s))
      << count("SELECT count(*) FROM outbox WHERE status = 'delivered'") << " of "
      << count("SELECT count(*) FROM outbox") << " delivered\n"
      << instances[0]->log().substr(0, 4000);
  const auto drained =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed_steady);
  std::this_thread::sleep_for(2s);  // a late duplicate would show now

  const auto got = received();
  const auto rows = outbox();
  EXPECT_EQ(got.mismatched, 0);
  EXPECT_EQ(got.unsigned_, 0);
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(clients));
  // Nothing missing: every message the outbox holds reached the sink, delivered.
  int missing = 0, undelivered = 0;
  for (const auto& [id, row] : rows) {
    missing += got.times.count(id) == 0;
    undelivered += row.status != "delivered";
  }
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(undelivered, 0);
  EXPECT_EQ(got.times.size(), rows.size());

  // The victim's claims it never recorded: attempts the database counted (one per claim)
  // without a delivery_attempts row. Only those messages may have reached the sink twice.
  int unrecorded = 0, duplicates = 0, unexplained = 0, reclaimed_after_kill = 0;
  double resent_from = 1e300, resent_to = 0;  // seconds after the kill
  const double killed = std::chrono::duration<double>(killed_at.time_since_epoch()).count();
  for (const auto& [id, row] : rows) {
    const int lost = row.attempts - row.recorded;
    unrecorded += lost;
    if (lost > 0) {
      reclaimed_after_kill += row.delivered_at >= killed;
      resent_from = std::min(resent_from, row.delivered_at - killed);
      resent_to = std::max(resent_to, row.delivered_at - killed);
    }
    const auto n = got.times.count(id) ? got.times.at(id) : 0;
    if (n > 1) {
      duplicates += n - 1;
      if (n - 1 > lost) ++unexplained;
    }
    EXPECT_EQ(row.recorded, 1) << id << ": one recorded send per message";
  }
  EXPECT_GT(unrecorded, 0) << "the victim held no claims when it died: the test proved nothing";
  EXPECT_LE(unrecorded, 20) << "at most one batch was in the victim's hands";
  EXPECT_EQ(unexplained, 0) << "a message the victim never held in flight arrived twice";
  EXPECT_LE(duplicates, unrecorded);
  EXPECT_EQ(reclaimed_after_kill, unrecorded) << "the others finished the victim's claims";
  // It claimed them less than a second before it died: nobody could take them over before
  // most of the 16 s lease had run out.
  EXPECT_GT(resent_from, 8.0) << "claimed again before the victim's lease ran out";

  // The survivors finished the work, recording every result they sent.
  int logged = victim_before.claimed - victim_before.deferred;
  std::string split;
  for (std::size_t i = 0; i < 2; ++i) {
    const auto sh = share_of(instances[i]->log());
    EXPECT_GT(sh.claimed, 0) << "instance " << i;
    EXPECT_EQ(sh.not_recorded, 0) << "instance " << i;
    logged += sh.claimed - sh.deferred;
    split += std::to_string(sh.claimed - sh.deferred) + " / ";
  }
  split += std::to_string(victim_before.claimed - victim_before.deferred) + " (killed; batches it finished)";
  // The logs count finished batches; the victim's last one died with some results recorded.
  const int recorded = count("SELECT count(*) FROM delivery_attempts");
  EXPECT_LE(logged, recorded);
  EXPECT_GE(logged, recorded - 20);

  report("messages", std::to_string(rows.size()));
  report("dispatch_per_instance", split);
  report("victim_claims_unrecorded", std::to_string(unrecorded));
  report("duplicates", std::to_string(duplicates));
  report("drain_after_kill_ms", std::to_string(drained.count()));
  char span[80];
  std::snprintf(span, sizeof span, "%.1f to %.1f s after the kill (lease 16 s)", resent_from, resent_to);
  report("victim_claims_resent", span);
}

}  // namespace
}  // namespace rollcall::testing
