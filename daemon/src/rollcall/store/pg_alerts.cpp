#include "rollcall/store/pg_alerts.hpp"

#include <algorithm>
#include <utility>

#include <boost/json.hpp>

#include "rollcall/domain/schedule.hpp"

#include "rollcall/store/pg_audit.hpp"
#include "rollcall/store/pg_events.hpp"
#include "rollcall/store/pg_rows.hpp"
#include "rollcall/store/sql_alerts.hpp"

namespace rollcall::store {

using namespace ports;

namespace {

std::vector<id_t> parse_pg_array(const std::string& text) {
  std::vector<id_t> out;
  id_t v = 0;
  bool in_number = false;
  for (char ch : text) {
    if (ch >= '0' && ch <= '9') {
      v = v * 10 + (ch - '0');
      in_number = true;
    } else if (in_number) {
      out.push_back(v);
      v = 0;
      in_number = false;
    }
  }
  if (in_number) out.push_back(v);
  return out;
}

staff read_alert_staff(const pqxx::row& r) {
  staff f;
  f.id = r[0].as<id_t>();
  f.name = r[1].as<std::string>();
  f.alert_webhook_url = r[2].as<std::string>();
  f.phone = r[3].as<std::string>();
  f.email = r[4].as<std::string>();
  f.chat_webhook_url = r[5].as<std::string>();
  return f;
}

alert_record read_alert(const pqxx::row& r) {
  alert_record a;
  a.id = r[0].as<id_t>();
  a.kind = r[1].as<std::string>();
  a.client_id = r[2].as<id_t>();
  if (auto s = r[3].as<id_t>()) a.session_id = s;
  if (auto s = r[4].as<id_t>()) a.site_id = s;
  a.detail = r[5].as<std::string>();
  a.full_text = r[6].as<std::string>();
  a.minimal_text = r[7].as<std::string>();
  a.created_at = from_epoch(r[8].as<long long>());
  if (!r[9].is_null()) a.acknowledged_at = from_epoch(r[9].as<long long>());
  if (auto by = r[10].as<id_t>()) a.acknowledged_by = by;
  a.ack_note = r[11].as<std::string>();
  a.escalation_step = r[12].as<int>();
  if (!r[13].is_null()) a.escalated_at = from_epoch(r[13].as<long long>());
  a.client_first_name = r[14].is_null() ? std::string{} : r[14].as<std::string>();
  return a;
}

// The deliveries of every alert in `alerts`, in one query.
void read_deliveries(pqxx::transaction_base& tx, std::vector<alert_record>& alerts) {
  if (alerts.empty()) return;
  std::vector<id_t> ids;
  std::map<id_t, alert_record*> by_id;
  for (auto& a : alerts) {
    ids.push_back(a.id);
    by_id[a.id] = &a;
  }
  for (const auto& r : tx.exec_prepared(sql::deliveries_of_alert, pg_array(ids))) {
    alert_delivery d;
    d.staff_id = r[0].as<id_t>();
    d.channel = r[1].as<std::string>();
    d.status = r[2].as<std::string>();
    const auto key = r[3].as<std::string>();
    if (const auto at = key.rfind(":escalation:"); at != std::string::npos)
      d.step = std::stoi(key.substr(at + std::string_view{":escalation:"}.size()));
    by_id.at(r[4].as<id_t>())->deliveries.push_back(std::move(d));
  }
}

alert_record read_alert_with_deliveries(pqxx::transaction_base& tx, const pqxx::row& r) {
  std::vector<alert_record> one{read_alert(r)};
  read_deliveries(tx, one);
  return std::move(one.front());
}

}  // namespace

std::vector<staff> staff_by_ids(pqxx::transaction_base& tx, const std::vector<id_t>& ids) {
  std::vector<staff> out;
  if (ids.empty()) return out;
  for (const auto& r : tx.exec_prepared(sql::staff_by_ids, pg_array(ids))) out.push_back(read_alert_staff(r));
  return out;
}

int insert_alerts(pqxx::work& tx, const event_subscriptions& events, const std::vector<new_alert>& alerts) {
  // A statement for a thousand alerts, then one for their messages and one for their audit rows:
  // the no-show sweep raises thousands at once, and three round trips an alert cost it seconds.
  constexpr std::size_t chunk = 1000;
  const bool announce = events.wants("alert.created");
  int inserted = 0;
  for (std::size_t start = 0; start < alerts.size(); start += chunk) {
    const std::size_t end = std::min(alerts.size(), start + chunk);
    boost::json::array rows;
    rows.reserve(end - start);
    for (std::size_t i = start; i < end; ++i) {
      const auto& a = alerts[i];
      rows.push_back({{"kind", a.kind},
                      {"dedupe_key", a.dedupe_key},
                      {"client_id", a.client_id},
                      {"session_id", a.session_id.value_or(0)},
                      {"site_id", a.site_id.value_or(0)},
                      {"detail", a.detail},
                      {"full_text", a.full_text},
                      {"minimal_text", a.minimal_text}});
    }
    std::map<std::string, id_t, std::less<>> raised;  // dedupe key -> id, of the alerts new now
    for (const auto& r : tx.exec_prepared(sql::insert_alert_rows, boost::json::serialize(rows)))
      raised.emplace(r[1].as<std::string>(), r[0].as<id_t>());
    std::vector<new_message> messages;
    boost::json::array audits;
    std::vector<std::pair<id_t, boost::json::object>> created;  // alert.created, after the messages
    for (std::size_t i = start; i < end; ++i) {
      const auto& a = alerts[i];
      const auto it = raised.find(a.dedupe_key);
      if (it == raised.end()) continue;  // raised before (or earlier in this array)
      const auto id = it->second;
      raised.erase(it);
      ++inserted;
      for (const auto& m : a.messages) {
        messages.push_back(m);
        messages.back().alert_id = id;
      }
      audits.push_back({{"actor", "rollcalld"},
                        {"action", "raise"},
                        {"entity", "alert"},
                        {"entity_id", id},
                        {"detail", boost::json::serialize(boost::json::object{
                                       {"kind", a.kind},
                                       {"client_id", a.client_id},
                                       {"recipients", static_cast<std::int64_t>(a.messages.size())}})}});
      if (announce)
        created.emplace_back(
            id, boost::json::object{{"alert_id", id},
                                    {"kind", a.kind},
                                    {"client_id", a.client_id},
                                    {"session_id", a.session_id ? boost::json::value(*a.session_id) : nullptr},
                                    {"site_id", a.site_id ? boost::json::value(*a.site_id) : nullptr}});
    }
    insert_messages(tx, messages);
    if (!audits.empty()) tx.exec_prepared(sql::insert_audit_rows, boost::json::serialize(audits));
    for (const auto& [id, data] : created) queue_event(tx, events, "alert.created", std::to_string(id), data);
  }
  return inserted;
}

task<close_result> pg_alert_store::close_sessions(sys_seconds now, std::chrono::seconds margin, int batch,
                                                  const digest_maker& digest) {
  auto work = [now, margin, batch, &digest, &events = events_](pqxx::connection& c) {
    pqxx::work tx{c};
    close_result out;
    for (const auto& s : tx.exec_prepared(sql::sessions_to_close, epoch(now), margin.count(), batch)) {
      if (out.sessions == 0) plan_for_current_table_sizes(tx);  // not on an idle tick
      closed_session closed;
      closed.session_id = s[0].as<id_t>();
      closed.site_id = s[1].as<id_t>();
      closed.group_name = s[2].as<std::string>();
      closed.site_name = s[3].as<std::string>();
      closed.time_zone = s[4].as<std::string>();
      closed.starts_at = from_epoch(s[5].as<long long>());
      for (const auto& m : tx.exec_prepared(sql::record_unmarked_absent, closed.session_id)) {
        audit_change(tx, "rollcalld", "mark", "attendance", sql::snapshot_mark, m[0].as<id_t>(), std::nullopt);
        queue_mark_event(tx, events, m[0].as<id_t>());
        queue_missed_event(tx, events, closed.session_id, m[1].as<id_t>());
        ++out.absences;
      }
      tx.exec_prepared(sql::queue_session_rule_checks, closed.session_id);
      for (const auto& m : tx.exec_prepared(sql::current_marks_of_session, closed.session_id))
        if (m[1].as<std::string>() == "absent") closed.absentees.emplace_back(m[0].as<id_t>(), m[2].as<std::string>());
      if (!closed.absentees.empty())
        for (const auto& r : tx.exec_prepared(sql::digest_recipients, closed.site_id))
          closed.digest_to.push_back(read_alert_staff(r));
      if (!closed.digest_to.empty()) insert_messages(tx, digest(closed));
      tx.exec_prepared(sql::close_session, closed.session_id);
      ++out.sessions;
    }
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<int> pg_alert_store::check_rules(sys_seconds now, std::chrono::days lookback, int batch, const rules_maker& make) {
  auto work = [now, lookback, batch, &make, &events = events_](pqxx::connection& c) {
    pqxx::work tx{c};
    std::vector<id_t> ids;
    for (const auto& r : tx.exec_prepared(sql::claim_rule_checks, batch)) ids.push_back(r[0].as<id_t>());
    if (ids.empty()) return 0;
    plan_for_current_table_sizes(tx);  // not on an idle tick: only once there is work
    const auto id_list = pg_array(ids);
    std::map<id_t, client_rule_context> contexts;
    std::vector<id_t> staff_ids;
    struct roles {
      id_t counselor = 0, case_manager = 0, supervisor = 0;
      std::vector<id_t> copy_to;
    };
    std::map<id_t, roles> wanted;
    for (const auto& r : tx.exec_prepared(sql::rule_contexts, id_list, epoch(now))) {
      client_rule_context ctx;
      ctx.input.client_id = r[0].as<id_t>();
      ctx.first_name = r[1].as<std::string>();
      ctx.site_id = r[2].as<id_t>();
      ctx.site_name = r[3].as<std::string>();
      ctx.time_zone = r[4].as<std::string>();
      ctx.input.weekly_hours_required = r[5].as<double>();
      try {
        ctx.input.zone = date::locate_zone(ctx.time_zone);
      } catch (const std::exception&) {
        ctx.input.zone = date::locate_zone("UTC");  // a zone tzdata no longer knows: never block the rules
      }
      // domain::parse_date, not date::parse: GCC 12 at -O3 reports a false -Wmaybe-uninitialized
      // inside date.h's stream parser, which stops a -Werror Release build.
      if (const auto start = domain::parse_date(r[6].as<std::string>()))
        ctx.input.episode_start = date::local_days{*start};
      roles who{r[7].as<id_t>(), r[8].as<id_t>(), r[9].as<id_t>(), parse_pg_array(r[10].as<std::string>())};
      ctx.digest = r[11].as<bool>();
      if (!r[12].is_null()) ctx.input.last_low_rate_alert = from_epoch(r[12].as<long long>());
      if (!r[13].is_null()) ctx.input.last_streak_alert = from_epoch(r[13].as<long long>());
      for (auto id : {who.counselor, who.case_manager, who.supervisor})
        if (id) staff_ids.push_back(id);
      staff_ids.insert(staff_ids.end(), who.copy_to.begin(), who.copy_to.end());
      wanted[ctx.input.client_id] = std::move(who);
      contexts.emplace(ctx.input.client_id, std::move(ctx));
    }
    if (contexts.empty()) {
      tx.commit();
      return static_cast<int>(ids.size());
    }
    std::map<id_t, staff> people;
    for (auto& f : staff_by_ids(tx, staff_ids)) people.emplace(f.id, std::move(f));
    const auto person = [&people](id_t id) -> std::optional<staff> {
      if (auto it = people.find(id); it != people.end()) return it->second;
      return std::nullopt;
    };
    for (auto& [id, ctx] : contexts) {
      const auto& who = wanted[id];
      ctx.counselor = person(who.counselor);
      ctx.case_manager = person(who.case_manager);
      ctx.supervisor = person(who.supervisor);
      for (auto s : who.copy_to)
        if (auto f = person(s)) ctx.copy_to.push_back(std::move(*f));
    }
    // Far enough ahead to cover the rest of the week in any zone.
    const auto to = now + std::chrono::days{8};
    for (const auto& r : tx.exec_prepared(sql::rule_sessions, id_list, epoch(now - lookback), epoch(to))) {
      auto it = contexts.find(r[0].as<id_t>());
      if (it == contexts.end()) continue;
      domain::client_session s;
      s.session_id = r[1].as<id_t>();
      it->second.group_of_session[s.session_id] = r[2].as<std::string>();
      s.starts_at = from_epoch(r[3].as<long long>());
      s.ends_at = from_epoch(r[4].as<long long>());
      s.cancelled = r[5].as<bool>();
      s.closed = r[6].as<bool>();
      if (!r[7].is_null()) s.status = domain::parse_attendance_status(r[7].as<std::string>());
      if (!r[8].is_null()) s.minutes = r[8].as<int>();
      it->second.input.sessions.push_back(s);
    }
    std::vector<new_alert> raised;
    for (const auto& [id, ctx] : contexts)
      for (auto& a : make(ctx, now)) raised.push_back(std::move(a));
    insert_alerts(tx, events, raised);
    tx.commit();
    return static_cast<int>(ids.size());
  };
  co_return co_await pool_.run(work);
}

task<int> pg_alert_store::queue_week_start(sys_seconds now) {
  auto work = [now](pqxx::connection& c) {
    pqxx::work tx{c};
    const auto queued = static_cast<int>(tx.exec_prepared(sql::queue_week_start, epoch(now)).affected_rows());
    tx.commit();
    return queued;
  };
  co_return co_await pool_.run(work);
}

task<int> pg_alert_store::escalate_due(sys_seconds now, std::chrono::seconds after, int batch,
                                       const escalation_maker& make) {
  auto work = [now, after, batch, &make](pqxx::connection& c) {
    pqxx::work tx{c};
    int sent = 0;
    bool planned = false;
    for (const auto& r : tx.exec_prepared(sql::alerts_to_escalate, epoch(now), after.count(), batch)) {
      if (!planned) plan_for_current_table_sizes(tx);  // not on an idle tick
      planned = true;
      auto a = read_alert(r);
      const int step = a.escalation_step + 1;
      // The step is used up even when that person cannot be reached (archived, no channel).
      tx.exec_prepared(sql::mark_escalated, a.id, step, epoch(now));
      const auto to = staff_by_ids(tx, {r[15].as<id_t>()});
      std::optional<new_message> m;
      if (!to.empty()) m = make(a, to.front(), step);
      if (m) {
        m->alert_id = a.id;
        insert_messages(tx, {*m});
        ++sent;
      }
      audit(tx, "rollcalld", "escalate", "alert", a.id,
            {{"step", step}, {"staff_id", to.empty() ? std::int64_t{0} : to.front().id}, {"sent", m.has_value()}});
    }
    tx.commit();
    return sent;
  };
  co_return co_await pool_.run(work);
}

task<outcome<alert_record>> pg_alert_store::acknowledge(id_t alert_id, id_t staff_id, const std::string& note,
                                                        const std::string& actor) {
  auto work = [=, &events = events_](pqxx::connection& c) -> outcome<alert_record> {
    pqxx::work tx{c};
    const auto lock = tx.exec_prepared(sql::lock_alert, alert_id);
    if (lock.empty()) return reject(errc::not_found, "id", "no such alert");
    if (tx.exec_prepared(sql::active_staff, staff_id).empty())
      return reject(errc::invalid_input, "staff_id", "no such staff member (or archived)");
    if (lock[0][0].as<bool>()) {
      auto a = read_alert(tx.exec_prepared1(sql::select_alert, alert_id));
      std::string message = "already acknowledged by staff ";
      message += std::to_string(a.acknowledged_by.value_or(0));
      return reject(errc::conflict, "id", std::move(message));
    }
    tx.exec_prepared(sql::acknowledge_alert, alert_id, staff_id, note);
    audit(tx, actor, "acknowledge", "alert", alert_id, {{"staff_id", staff_id}});
    queue_event(tx, events, "alert.acknowledged", std::to_string(alert_id),
                {{"alert_id", alert_id}, {"staff_id", staff_id}});
    auto a = read_alert_with_deliveries(tx, tx.exec_prepared1(sql::select_alert, alert_id));
    tx.commit();
    return a;
  };
  co_return co_await pool_.run(work);
}

task<result<alert_record>> pg_alert_store::alert(id_t id) {
  auto work = [id](pqxx::connection& c) -> result<alert_record> {
    pqxx::read_transaction tx{c};
    const auto rows = tx.exec_prepared(sql::select_alert, id);
    if (rows.empty()) return errc::not_found;
    return read_alert_with_deliveries(tx, rows[0]);
  };
  co_return co_await pool_.run(work);
}

task<std::vector<alert_record>> pg_alert_store::alerts(const alert_filter& f) {
  auto work = [f](pqxx::connection& c) {
    pqxx::read_transaction tx{c};
    std::vector<alert_record> out;
    const std::optional<std::string> sites = f.site_ids ? std::optional{pg_array(*f.site_ids)} : std::nullopt;
    for (const auto& r :
         tx.exec_prepared(sql::list_alerts, f.status, f.site_id.value_or(0), f.client_id.value_or(0), f.kind, f.before,
                          f.limit, sites ? sites->c_str() : nullptr, f.mine_of.value_or(0)))
      out.push_back(read_alert(r));
    read_deliveries(tx, out);
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<site_alerting>> pg_alert_store::set_site_alerting(const site_alerting& in, const std::string& actor) {
  auto work = [in, actor](pqxx::connection& c) -> outcome<site_alerting> {
    pqxx::work tx{c};
    if (tx.exec_prepared(sql::select_site_alerting, in.site_id).empty())
      return reject(errc::not_found, "id", "no such site");
    const auto check = [&tx](const std::vector<id_t>& ids, const std::string& field) -> std::optional<rejection> {
      for (std::size_t i = 0; i < ids.size(); ++i)
        if (tx.exec_prepared(sql::active_staff, ids[i]).empty())
          return reject(errc::invalid_input, field + "[" + std::to_string(i) + "]",
                        "no such staff member (or archived)");
      return std::nullopt;
    };
    if (auto bad = check(in.copy_to, "copy_to")) return *bad;
    if (auto bad = check(in.escalation, "escalation")) return *bad;
    if (in.supervisor_id && tx.exec_prepared(sql::active_staff, *in.supervisor_id).empty())
      return reject(errc::invalid_input, "supervisor_id", "no such staff member (or archived)");
    tx.exec_prepared(sql::upsert_site_alerting, in.site_id, pg_array(in.copy_to), in.supervisor_id.value_or(0),
                     pg_array(in.escalation), in.digest);
    boost::json::array copy_to(in.copy_to.begin(), in.copy_to.end()),
        escalation(in.escalation.begin(), in.escalation.end());
    audit(tx, actor, "update", "site_alerting", in.site_id,
          {{"copy_to", copy_to},
           {"escalation", escalation},
           {"supervisor_id", in.supervisor_id.value_or(0)},
           {"digest", in.digest}});
    tx.commit();
    return in;
  };
  co_return co_await pool_.run(work);
}

task<result<site_alerting>> pg_alert_store::site_alerting_of(id_t site_id) {
  auto work = [site_id](pqxx::connection& c) -> result<site_alerting> {
    pqxx::read_transaction tx{c};
    const auto rows = tx.exec_prepared(sql::select_site_alerting, site_id);
    if (rows.empty()) return errc::not_found;
    site_alerting out;
    out.site_id = site_id;
    out.copy_to = parse_pg_array(rows[0][1].as<std::string>());
    if (auto s = rows[0][2].as<id_t>()) out.supervisor_id = s;
    out.escalation = parse_pg_array(rows[0][3].as<std::string>());
    out.digest = rows[0][4].as<bool>();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<result<session_roster>> pg_alert_store::roster(id_t session_id) {
  auto work = [session_id](pqxx::connection& c) -> result<session_roster> {
    pqxx::read_transaction tx{c};
    const auto s = tx.exec_prepared(sql::roster_session, session_id);
    if (s.empty()) return errc::not_found;
    session_roster out;
    out.starts_at = from_epoch(s[0][0].as<long long>());
    out.ends_at = from_epoch(s[0][1].as<long long>());
    out.cancelled = s[0][2].as<bool>();
    out.site_id = s[0][3].as<id_t>();
    out.group_name = s[0][4].as<std::string>();
    for (const auto& r : tx.exec_prepared(sql::roster_clients, session_id)) {
      roster_entry e{r[0].as<id_t>(), r[1].as<std::string>(), std::nullopt};
      if (!r[2].is_null()) e.reply = r[2].as<std::string>();
      out.clients.push_back(std::move(e));
    }
    return out;
  };
  co_return co_await pool_.run(work);
}

}  // namespace rollcall::store
