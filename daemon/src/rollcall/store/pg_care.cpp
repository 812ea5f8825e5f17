// pg_care_store: episodes, placements and the waitlist, group facilitators and edits,
// appointments. Locks are always taken in the order episode, group(s), placement, so two
// changes never wait on each other in a cycle.
#include "rollcall/store/pg_care.hpp"

#include <algorithm>
#include <map>

#include <pqxx/pqxx>

#include "rollcall/domain/care.hpp"
#include "rollcall/domain/recurrence.hpp"
#include "rollcall/domain/schedule.hpp"
#include "rollcall/store/pg_audit.hpp"
#include "rollcall/store/pg_paging.hpp"
#include "rollcall/store/pg_rows.hpp"
#include "rollcall/store/sql_alerts.hpp"
#include "rollcall/store/sql_care.hpp"

namespace rollcall::store {

using namespace ports;

namespace {

// Conflicts are looked for over this many weeks from the first day that matters (a typical
// program's length); occurrences further out are not compared.
constexpr int conflict_weeks = 12;

std::string iso(sys_seconds t) { return date::format("%FT%TZ", t); }

bool row_exists(pqxx::work& tx, const char* statement, id_t a, id_t b) {
  return !tx.exec_prepared(statement, a, b).empty();
}

// References named in a request body: a missing one is a bad field (422, every one listed), an
// archived one a conflict (409).
class references {
 public:
  explicit references(pqxx::work& tx) : tx_(tx) {}
  references& need(const char* statement, id_t id, const std::string& field, const std::string& what) {
    auto rows = tx_.exec_prepared(statement, id);
    if (rows.empty())
      missing_.fields.push_back({field, "no such " + what});
    else if (!rows[0][0].as<bool>() && !archived_)
      archived_ = reject(errc::conflict, field, "the " + what + " is archived");
    return *this;
  }
  std::optional<rejection> problem() const {
    if (!missing_.fields.empty()) return missing_;
    return archived_;
  }

 private:
  pqxx::work& tx_;
  rejection missing_{errc::invalid_input, {}, {}, {}};
  std::optional<rejection> archived_;
};

std::optional<rejection> usable(pqxx::work& tx, const char* statement, id_t id, const std::string& field,
                                const std::string& what) {
  return references{tx}.need(statement, id, field, what).problem();
}

placement read_placement(const pqxx::row& r) {
  placement p;
  p.id = r[0].as<id_t>();
  p.episode_id = r[1].as<id_t>();
  p.client_id = r[2].as<id_t>();
  p.group_id = r[3].as<id_t>();
  p.start_date = r[4].as<std::string>();
  p.end_date = r[5].as<std::string>();
  p.status = r[6].as<std::string>();
  p.end_reason = r[7].as<std::string>();
  if (!r[8].is_null()) p.waitlist_position = r[8].as<int>();
  return p;
}

std::optional<episode> read_episode(pqxx::work& tx, id_t id, bool lock) {
  auto rows = tx.exec_prepared(lock ? sql::care_lock_episode : sql::care_select_episode, id);
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  episode e;
  e.id = r[0].as<id_t>();
  e.client_id = r[1].as<id_t>();
  e.site_id = r[2].as<id_t>();
  e.level_of_care = r[3].as<std::string>();
  e.start_date = r[4].as<std::string>();
  e.planned_weeks = r[5].as<int>();
  e.counselor_id = r[6].as<id_t>();
  if (const auto cm = r[7].as<id_t>(); cm != 0) e.case_manager_id = cm;
  e.weekly_hours_required = r[8].as<double>();
  e.status = r[9].as<std::string>();
  e.discharge_date = r[10].as<std::string>();
  e.discharge_outcome = r[11].as<std::string>();
  e.archived = r[12].as<bool>();
  for (const auto& l : tx.exec_prepared(sql::care_levels_of_episode, id))
    e.levels.push_back({l[0].as<std::string>(), l[1].as<double>(), l[2].as<std::string>(), l[3].as<std::string>(),
                        l[4].as<std::string>()});
  for (const auto& p : tx.exec_prepared(sql::care_placements_of_episode, id)) e.placements.push_back(read_placement(p));
  return e;
}

std::optional<group> read_full_group(pqxx::work& tx, id_t id) {
  auto rows = tx.exec_prepared(sql::care_select_group, id);
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  group g = read_group(r);
  g.level_of_care = r[8].as<std::string>();
  if (const int cap = r[9].as<int>(); cap > 0) g.capacity = cap;
  g.room = r[10].as<std::string>();
  g.telehealth_url = r[11].as<std::string>();
  g.kind = r[12].as<std::string>();
  g.archived = r[13].as<bool>();
  for (const auto& f : tx.exec_prepared(sql::care_facilitators_of_group, id))
    g.facilitator_ids.push_back(f[0].as<id_t>());
  return g;
}

using domain::day_of;

// A stored rule as a timetable; stored rules were validated on the way in.
domain::timetable timetable_of(const std::string& rule, const std::string& first, int start, int end,
                               const std::string& zone, const std::string& from = {}, const std::string& until = {}) {
  domain::timetable t;
  const auto parsed = domain::parse_rrule(rule);
  if (const auto* r = std::get_if<domain::weekly_rule>(&parsed)) t.rule = *r;
  t.first = day_of(first).value_or(date::local_days{});
  t.start = std::chrono::seconds{start};
  t.end = std::chrono::seconds{end};
  t.zone = date::locate_zone(zone);
  t.attends_from = day_of(from);
  t.attends_until = day_of(until);
  return t;
}

struct commitment {
  id_t group_id = 0;
  std::string name;
  domain::timetable times;
};

// Rows of care_client_commitments / care_staff_commitments / care_room_commitments.
std::vector<commitment> read_commitments(const pqxx::result& rows) {
  std::vector<commitment> out;
  for (const auto& r : rows)
    out.push_back({r[0].as<id_t>(), r[1].as<std::string>(),
                   timetable_of(r[2].as<std::string>(), r[3].as<std::string>(), r[4].as<int>(), r[5].as<int>(),
                                r[6].as<std::string>(), r[7].as<std::string>(), r[8].as<std::string>())});
  return out;
}

void find_conflicts(std::vector<conflict>& out, const domain::timetable& candidate,
                    const std::vector<commitment>& others, const std::string& kind, const std::string& what,
                    date::local_days from) {
  const auto to = from + date::days{7 * conflict_weeks};
  for (const auto& o : others)
    if (const auto hit = domain::first_overlap(candidate, o.times, from, to)) {
      // The first instant both run: the later of the two starts (the candidate may begin first).
      const auto at = iso(std::max(hit->a_start, hit->b_start));
      out.push_back({kind, "group", o.group_id, at,
                     what + " group " + std::to_string(o.group_id) + " (" + o.name + ") at that time, first on " + at});
    }
}

// The group row locked, with what placing and editing need.
struct locked_group {
  id_t id = 0, site_id = 0;
  std::string kind, recurrence, first_date;
  int start_second = 0, end_second = 0;
  std::string time_zone;
  int capacity = 0;  // 0: unlimited
  bool archived = false;
  std::string room, level_of_care, today;  // today: the date at the site
  domain::timetable times(const std::string& from = {}, const std::string& until = {}) const {
    return timetable_of(recurrence, first_date, start_second, end_second, time_zone, from, until);
  }
  // Where the conflict window starts: today, or the group's first day if it starts later (a
  // window from today would never reach a group that begins more than conflict_weeks out).
  date::local_days first_day_that_matters() const {
    const auto now = *day_of(today);
    const auto first = day_of(first_date).value_or(now);
    return std::max(now, first);
  }
};

std::optional<locked_group> lock_group(pqxx::work& tx, id_t id) {
  auto rows = tx.exec_prepared(sql::care_lock_group, id);
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  return locked_group{r[0].as<id_t>(),        r[1].as<id_t>(), r[2].as<std::string>(),  r[3].as<std::string>(),
                      r[4].as<std::string>(), r[5].as<int>(),  r[6].as<int>(),          r[7].as<std::string>(),
                      r[8].as<int>(),         r[9].as<bool>(), r[10].as<std::string>(), r[11].as<std::string>(),
                      r[12].as<std::string>()};
}

// Offers the group's free seats to the placements waiting longest (staff then accept or decline).
void offer_free_seats(pqxx::work& tx, id_t group_id, const std::string& actor, const event_subscriptions& events) {
  const auto g = lock_group(tx, group_id);
  if (!g || g->capacity == 0 || g->archived) return;
  int taken = tx.exec_prepared1(sql::care_seats_taken, group_id)[0].as<int>();
  while (taken < g->capacity) {
    auto next = tx.exec_prepared(sql::care_first_waiting, group_id);
    if (next.empty()) break;
    const auto id = next[0][0].as<id_t>();
    const auto before = snapshot(tx, sql::snapshot_enrollment, id);
    tx.exec_prepared(sql::care_offer, id);
    audit_change(tx, actor, "offer_seat", "enrollment", sql::snapshot_enrollment, id, before, {{"group_id", group_id}});
    queue_enrollment_event(tx, events, id, "seat_offered");
    ++taken;
  }
}

rejection conflicts_rejection(const std::string& field, const std::string& message, std::vector<conflict> found) {
  rejection r = reject(errc::conflict, field, message);
  r.conflicts = std::move(found);
  return r;
}

placement placement_by_id(pqxx::work& tx, id_t id) {
  return read_placement(tx.exec_prepared1(sql::care_select_placement, id));
}

// The episode's placements that are not ended, as the audit log's "before" (by id).
std::map<id_t, std::optional<std::string>> open_placement_snapshots(pqxx::work& tx, const episode& ep) {
  std::map<id_t, std::optional<std::string>> out;
  for (const auto& p : ep.placements)
    if (p.status != "ended") out[p.id] = snapshot(tx, sql::snapshot_enrollment, p.id);
  return out;
}

std::optional<std::string> before_of(const std::map<id_t, std::optional<std::string>>& snapshots, id_t id) {
  const auto it = snapshots.find(id);
  return it == snapshots.end() ? std::nullopt : it->second;
}

// Audits each placement a change ended (`rows`: id, group id), with the row as it was before;
// returns the groups whose seats it freed, and adds the placements to `ended`.
std::vector<id_t> record_ended(pqxx::work& tx, const pqxx::result& rows,
                               const std::map<id_t, std::optional<std::string>>& before, const std::string& reason,
                               const std::string& actor, boost::json::array& ended, const event_subscriptions& events) {
  std::vector<id_t> freed;
  for (const auto& r : rows) {
    const auto pid = r[0].as<id_t>();
    ended.push_back(pid);
    freed.push_back(r[1].as<id_t>());
    audit_change(tx, actor, "end", "enrollment", sql::snapshot_enrollment, pid, before_of(before, pid),
                 {{"reason", reason}});
    queue_enrollment_event(tx, events, pid, "ended");
  }
  return freed;
}

std::string slot_of(int start_second) {
  if (start_second < 12 * 3600) return "morning";
  if (start_second < 17 * 3600) return "afternoon";
  return "evening";
}

}  // namespace

task<outcome<episode>> pg_care_store::create_episode(const new_episode& in, const std::string& actor) {
  auto work = [in, actor](pqxx::connection& c) -> outcome<episode> {
    pqxx::work tx{c};
    references refs{tx};
    refs.need(sql::care_client_usable, in.client_id, "client_id", "client")
        .need(sql::care_site_usable, in.site_id, "site_id", "site")
        .need(sql::care_staff_usable, in.counselor_id, "counselor_id", "staff member");
    if (in.case_manager_id) refs.need(sql::care_staff_usable, *in.case_manager_id, "case_manager_id", "staff member");
    if (auto bad = refs.problem()) return *bad;
    pqxx::subtransaction insert{tx, "insert_episode"};
    id_t id = 0;
    try {
      id = insert
               .exec_prepared1(sql::care_insert_episode, in.client_id, in.site_id, in.level_of_care, in.start_date,
                               in.planned_weeks, in.counselor_id, in.case_manager_id.value_or(0),
                               in.weekly_hours_required)[0]
               .as<id_t>();
      insert.commit();
    } catch (const pqxx::unique_violation&) {
      return reject(errc::conflict, "client_id", "the client has an active episode; discharge it first");
    }
    tx.exec_prepared(sql::care_insert_level, id, in.level_of_care, in.weekly_hours_required, in.start_date,
                     std::string{"admission"}, actor);
    audit_change(tx, actor, "create", "episode", sql::snapshot_episode, id, std::nullopt);
    auto out = *read_episode(tx, id, false);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<result<episode>> pg_care_store::get_episode(id_t id) {
  auto work = [id](pqxx::connection& c) -> result<episode> {
    pqxx::work tx{c};
    auto out = read_episode(tx, id, false);
    if (!out) return errc::not_found;
    return std::move(*out);
  };
  co_return co_await pool_.run(work);
}

task<outcome<episode>> pg_care_store::update_episode(id_t id, const episode_patch& patch, const std::string& actor) {
  auto work = [id, patch, actor](pqxx::connection& c) -> outcome<episode> {
    pqxx::work tx{c};
    auto before = read_episode(tx, id, true);
    if (!before) return reject(errc::not_found, "id", "no such episode");
    if (before->archived) return reject(errc::conflict, "id", "the episode is archived");
    if (patch.counselor_id)
      if (auto bad = usable(tx, sql::care_staff_usable, *patch.counselor_id, "counselor_id", "staff member"))
        return *bad;
    if (patch.case_manager_id && *patch.case_manager_id)
      if (auto bad = usable(tx, sql::care_staff_usable, **patch.case_manager_id, "case_manager_id", "staff member"))
        return *bad;
    const auto case_manager = patch.case_manager_id ? *patch.case_manager_id : before->case_manager_id;
    const auto row_before = snapshot(tx, sql::snapshot_episode, id);
    tx.exec_prepared(sql::care_update_episode, id, patch.planned_weeks.value_or(before->planned_weeks),
                     patch.counselor_id.value_or(before->counselor_id), case_manager.value_or(0),
                     patch.weekly_hours_required.value_or(before->weekly_hours_required));
    // The hours report judges weeks by the level history: the level in force takes the new hours.
    if (patch.weekly_hours_required)
      tx.exec_prepared(sql::care_set_current_level_hours, id, *patch.weekly_hours_required);
    audit_change(tx, actor, "update", "episode", sql::snapshot_episode, id, row_before);
    auto out = *read_episode(tx, id, false);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<episode>> pg_care_store::change_level(id_t id, const level_change& change, const std::string& actor) {
  auto work = [id, change, actor, &events = events_](pqxx::connection& c) -> outcome<episode> {
    pqxx::work tx{c};
    auto before = read_episode(tx, id, true);
    if (!before) return reject(errc::not_found, "id", "no such episode");
    if (before->status != "active" || before->archived)
      return reject(errc::conflict, "id", "the episode is discharged or archived");
    if (change.effective_date < before->start_date)
      return reject(errc::invalid_input, "effective_date", "is before the episode's start_date " + before->start_date);
    if (!before->levels.empty() && change.effective_date < before->levels.back().effective_date)
      return reject(errc::invalid_input, "effective_date",
                    "is before the last level change (" + before->levels.back().effective_date + ")");
    tx.exec_prepared(sql::care_lock_groups_of_episode, id);
    const auto row_before = snapshot(tx, sql::snapshot_episode, id);
    const auto placements_before = open_placement_snapshots(tx, *before);
    tx.exec_prepared(sql::care_insert_level, id, change.level_of_care, change.weekly_hours_required,
                     change.effective_date, change.reason, actor);
    tx.exec_prepared(sql::care_set_level, id, change.level_of_care, change.weekly_hours_required);
    tx.exec_prepared(sql::queue_rule_check, before->client_id);  // another weekly requirement
    boost::json::array ended;
    const auto freed =
        record_ended(tx, tx.exec_prepared(sql::care_end_other_level, id, change.effective_date, change.level_of_care),
                     placements_before, "level changed", actor, ended, events);
    // Reminders planned for those groups' sessions from the change on are no longer wanted.
    const auto day_before = domain::format_date(date::year_month_day{*day_of(change.effective_date) - date::days{1}});
    for (const auto g : freed)
      tx.exec_prepared(sql::care_cancel_messages_after, before->client_id, day_before, std::string{"level changed"}, g);
    for (const auto g : freed) offer_free_seats(tx, g, actor, events);
    const auto prev = domain::parse_level_of_care(before->level_of_care).value_or(domain::level_of_care::iop);
    const auto next = domain::parse_level_of_care(change.level_of_care).value_or(domain::level_of_care::iop);
    audit_change(tx, actor, std::string{domain::level_change_kind(prev, next)}.c_str(), "episode",
                 sql::snapshot_episode, id, row_before,
                 {{"from", before->level_of_care},
                  {"to", change.level_of_care},
                  {"effective_date", change.effective_date},
                  {"placements_ended", std::move(ended)}});
    auto out = *read_episode(tx, id, false);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<episode>> pg_care_store::discharge_episode(id_t id, const discharge& d, const std::string& actor) {
  auto work = [id, d, actor, &events = events_](pqxx::connection& c) -> outcome<episode> {
    pqxx::work tx{c};
    auto before = read_episode(tx, id, true);
    if (!before) return reject(errc::not_found, "id", "no such episode");
    if (before->status != "active") return reject(errc::conflict, "id", "the episode is already discharged");
    if (d.date < before->start_date)
      return reject(errc::invalid_input, "date", "is before the episode's start_date " + before->start_date);
    tx.exec_prepared(sql::lock_calendar);  // its appointments close: no planner round meanwhile
    tx.exec_prepared(sql::care_lock_groups_of_episode, id);
    const auto row_before = snapshot(tx, sql::snapshot_episode, id);
    const auto placements_before = open_placement_snapshots(tx, *before);
    tx.exec_prepared(sql::care_discharge, id, d.date, d.outcome);
    boost::json::array ended;
    const auto freed =
        record_ended(tx, tx.exec_prepared(sql::care_end_episode_placements, id, d.date, std::string{"discharged"}),
                     placements_before, "discharged", actor, ended, events);
    tx.exec_prepared(sql::care_cancel_messages_after, before->client_id, d.date, std::string{"client discharged"},
                     id_t{0});
    for (const auto g : freed) offer_free_seats(tx, g, actor, events);
    // The client's individual and family sessions end with the episode: no more are planned,
    // those after the discharge date are cancelled, and their staff are free again.
    boost::json::array closed;
    for (const auto& r : tx.exec_prepared(sql::care_close_appointments_of_episode, id, d.date)) {
      closed.push_back(r[0].as<id_t>());
      audit(tx, actor, "archive", "group", r[0].as<id_t>(), {{"reason", "client discharged"}});
    }
    audit_change(tx, actor, "discharge", "episode", sql::snapshot_episode, id, row_before,
                 {{"date", d.date},
                  {"outcome", d.outcome},
                  {"placements_ended", std::move(ended)},
                  {"appointments_closed", std::move(closed)}});
    auto out = *read_episode(tx, id, false);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<placement>> pg_care_store::place(const new_placement& in, const std::string& actor) {
  auto work = [in, actor, &events = events_](pqxx::connection& c) -> outcome<placement> {
    pqxx::work tx{c};
    auto episode_id = in.episode_id;
    if (episode_id == 0) {
      // The short form: the client's active episode, or a new one at the group's site and level.
      references refs{tx};
      refs.need(sql::care_client_usable, in.client_id, "client_id", "client")
          .need(sql::care_staff_usable, in.counselor_id, "counselor_id", "staff member")
          .need(sql::care_group_usable, in.group_id, "group_id", "group");
      if (auto bad = refs.problem()) return *bad;
      auto active = tx.exec_prepared(sql::care_active_episode, in.client_id);
      if (!active.empty()) {
        episode_id = active[0][0].as<id_t>();
      } else {
        const auto g = read_full_group(tx, in.group_id);
        if (!g) return reject(errc::not_found, "group_id", "no such group");
        const auto start = in.start_date.empty() ? lock_group(tx, in.group_id)->today : in.start_date;
        const auto hours =
            in.weekly_hours_by_level.count(g->level_of_care) ? in.weekly_hours_by_level.at(g->level_of_care) : 0.0;
        // Another request may open the client's episode at the same moment: then use that one.
        pqxx::subtransaction open{tx, "open_episode"};
        try {
          episode_id = open.exec_prepared1(sql::care_insert_episode, in.client_id, g->site_id, g->level_of_care, start,
                                           12, in.counselor_id, id_t{0}, hours)[0]
                           .as<id_t>();
          open.commit();
        } catch (const pqxx::unique_violation&) {
          return reject(errc::conflict, "client_id", "the client's episode was opened meanwhile; try again");
        }
        tx.exec_prepared(sql::care_insert_level, episode_id, g->level_of_care, hours, start, std::string{"admission"},
                         actor);
        audit_change(tx, actor, "create", "episode", sql::snapshot_episode, episode_id, std::nullopt);
      }
    }
    const auto ep = read_episode(tx, episode_id, true);
    const auto g = lock_group(tx, in.group_id);
    if (!ep || !g) {  // every reference that does not exist, named
      rejection missing{errc::invalid_input, {}, {}, {}};
      if (!ep) missing.fields.push_back({"episode_id", "no such episode"});
      if (!g) missing.fields.push_back({"group_id", "no such group"});
      return missing;
    }
    if (ep->status != "active" || ep->archived)
      return reject(errc::conflict, "episode_id", "the episode is discharged or archived");
    if (g->archived) return reject(errc::conflict, "group_id", "the group is archived");
    if (g->kind != "group")
      return reject(errc::conflict, "group_id", "an individual or family session's client is set when it is made");
    const auto start = !in.start_date.empty() ? in.start_date : std::max(ep->start_date, g->today);
    if (start < ep->start_date)
      return reject(errc::invalid_input, "start_date", "is before the episode's start_date " + ep->start_date);
    if (!in.end_date.empty() && in.end_date < start)
      return reject(errc::invalid_input, "end_date", "must not be before start_date");
    if (row_exists(tx, sql::care_open_placement_exists, ep->client_id, in.group_id))
      return reject(errc::conflict, "group_id", "the client is already placed in (or waiting for) this group");

    std::vector<conflict> found;
    const auto from = std::max(*day_of(start), *day_of(g->today));
    find_conflicts(found, g->times(start, in.end_date),
                   read_commitments(tx.exec_prepared(sql::care_client_commitments, ep->client_id, in.group_id)),
                   "client_overlap", "the client already attends", from);
    if (!found.empty())
      return conflicts_rejection("group_id", "the client has sessions at the same time", std::move(found));

    std::string status = "active";
    const int taken = tx.exec_prepared1(sql::care_seats_taken, in.group_id)[0].as<int>();
    if (g->capacity > 0 && taken >= g->capacity) {
      if (!in.waitlist)
        return conflicts_rejection(
            "group_id", "the group is full",
            {{"capacity", "group", in.group_id, "",
              "all " + std::to_string(g->capacity) +
                  " seats are taken; send waitlist: true to join the waitlist for the next free seat"}});
      status = "waitlisted";
    }
    const auto id = tx.exec_prepared1(sql::care_insert_placement, ep->client_id, in.group_id, ep->counselor_id, start,
                                      in.end_date, ep->id, status)[0]
                        .as<id_t>();
    audit_change(tx, actor, status == "waitlisted" ? "waitlist" : "create", "enrollment", sql::snapshot_enrollment, id,
                 std::nullopt);
    queue_enrollment_event(tx, events, id, status == "waitlisted" ? "waitlisted" : "created");
    auto out = placement_by_id(tx, id);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<result<placement>> pg_care_store::get_placement(id_t id) {
  auto work = [id](pqxx::connection& c) -> result<placement> {
    pqxx::work tx{c};
    auto rows = tx.exec_prepared(sql::care_select_placement, id);
    if (rows.empty()) return errc::not_found;
    return read_placement(rows[0]);
  };
  co_return co_await pool_.run(work);
}

namespace {
// Locks the placement's group, then the placement (the lock order), and reads both.
struct locked_placement {
  locked_group grp;
  std::string status;
  id_t client_id = 0;
};
std::optional<locked_placement> lock_placement(pqxx::work& tx, id_t id) {
  auto found = tx.exec_prepared(sql::care_select_placement, id);
  if (found.empty()) return std::nullopt;
  const auto g = lock_group(tx, found[0][3].as<id_t>());
  auto rows = tx.exec_prepared(sql::care_lock_placement, id);
  return locked_placement{*g, rows[0][1].as<std::string>(), rows[0][2].as<id_t>()};
}
}  // namespace

task<outcome<placement>> pg_care_store::end_placement(id_t id, const std::string& end_date, const std::string& reason,
                                                      const std::string& actor) {
  auto work = [id, end_date, reason, actor, &events = events_](pqxx::connection& c) -> outcome<placement> {
    pqxx::work tx{c};
    const auto p = lock_placement(tx, id);
    if (!p) return reject(errc::not_found, "id", "no such placement");
    if (p->status == "ended") return reject(errc::conflict, "id", "the placement has ended already");
    const auto before = placement_by_id(tx, id);
    // No end date: today, or the day before a placement that has not begun yet.
    const auto day_before_start = domain::format_date(date::year_month_day{*day_of(before.start_date) - date::days{1}});
    const auto last = !end_date.empty() ? end_date : std::max(p->grp.today, day_before_start);
    if (p->status == "active" && last < day_before_start)
      return reject(errc::invalid_input, "end_date", "is before the placement's start_date " + before.start_date);
    const auto row_before = snapshot(tx, sql::snapshot_enrollment, id);
    tx.exec_prepared(sql::care_end_placement, id, last, reason.empty() ? std::string{"ended by staff"} : reason);
    tx.exec_prepared(sql::care_cancel_messages_after, p->client_id, last, std::string{"placement ended"}, p->grp.id);
    audit_change(tx, actor, "end", "enrollment", sql::snapshot_enrollment, id, row_before);
    queue_enrollment_event(tx, events, id, "ended");
    offer_free_seats(tx, p->grp.id, actor, events);
    auto out = placement_by_id(tx, id);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<placement>> pg_care_store::answer_offer(id_t id, bool accept, const std::string& actor) {
  auto work = [id, accept, actor, &events = events_](pqxx::connection& c) -> outcome<placement> {
    pqxx::work tx{c};
    const auto p = lock_placement(tx, id);
    if (!p) return reject(errc::not_found, "id", "no such placement");
    if (p->status != "offered") return reject(errc::conflict, "id", "no seat is on offer to this placement");
    const auto row_before = snapshot(tx, sql::snapshot_enrollment, id);
    const auto offered = placement_by_id(tx, id);
    // The client attends from tomorrow (or the planned start): today's sessions may be over,
    // and the no-show sweep must not count them as missed.
    const auto tomorrow = domain::format_date(date::year_month_day{*day_of(p->grp.today) + date::days{1}});
    if (accept && !offered.end_date.empty() && offered.end_date < tomorrow)
      return reject(errc::conflict, "id", "the placement's end date has passed; end it instead");
    if (accept)
      tx.exec_prepared(sql::care_accept_offer, id, tomorrow);
    else
      tx.exec_prepared(sql::care_end_placement, id, p->grp.today, std::string{"seat declined"});
    audit_change(tx, actor, accept ? "accept_seat" : "decline_seat", "enrollment", sql::snapshot_enrollment, id,
                 row_before);
    queue_enrollment_event(tx, events, id, accept ? "seat_accepted" : "seat_declined");
    if (!accept) offer_free_seats(tx, p->grp.id, actor, events);
    auto out = placement_by_id(tx, id);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<result<std::vector<placement>>> pg_care_store::waitlist_of_group(id_t group_id) {
  auto work = [group_id](pqxx::connection& c) -> result<std::vector<placement>> {
    pqxx::work tx{c};
    if (!exists(tx, sql::group_exists, group_id)) return errc::not_found;
    std::vector<placement> out;
    for (const auto& r : tx.exec_prepared(sql::care_waitlist_of_group, group_id)) out.push_back(read_placement(r));
    return out;
  };
  co_return co_await pool_.run(work);
}

namespace {
// Checks and stores the group's facilitators (its timetable already locked and current).
std::optional<rejection> store_facilitators(pqxx::work& tx, const locked_group& g, const std::vector<id_t>& staff_ids) {
  std::vector<conflict> found;
  for (const auto s : staff_ids) {
    if (auto bad = usable(tx, sql::care_staff_usable, s, "facilitator_ids", "staff member")) return bad;
    find_conflicts(found, g.times(), read_commitments(tx.exec_prepared(sql::care_staff_commitments, s, g.id)),
                   "facilitator_double_booked", "staff member " + std::to_string(s) + " already leads",
                   g.first_day_that_matters());
  }
  if (!found.empty())
    return conflicts_rejection("facilitator_ids", "a facilitator is booked elsewhere at that time", std::move(found));
  tx.exec_prepared(sql::care_clear_facilitators, g.id);
  for (const auto s : staff_ids) tx.exec_prepared(sql::care_add_facilitator, g.id, s);
  return std::nullopt;
}

std::optional<rejection> check_room(pqxx::work& tx, const locked_group& g) {
  std::vector<conflict> found;
  find_conflicts(found, g.times(),
                 read_commitments(tx.exec_prepared(sql::care_room_commitments, g.site_id, g.room, g.id)),
                 "room_double_booked", "room '" + g.room + "' is taken by", g.first_day_that_matters());
  if (found.empty()) return std::nullopt;
  return conflicts_rejection("room", "the room is booked at that time", std::move(found));
}
}  // namespace

task<outcome<group>> pg_care_store::create_group(const new_group& in, const std::string& actor) {
  auto work = [in, actor](pqxx::connection& c) -> outcome<group> {
    pqxx::work tx{c};
    if (!exists(tx, sql::site_exists, in.site_id)) return reject(errc::invalid_input, "site_id", "no such site");
    if (auto bad = usable(tx, sql::care_site_usable, in.site_id, "site_id", "site")) return *bad;
    const auto id = tx.exec_prepared1(sql::insert_group, in.site_id, in.name, in.slot, in.recurrence, in.first_date,
                                      in.start_second, in.end_second, in.level_of_care, in.capacity.value_or(0),
                                      in.room, in.telehealth_url)[0]
                        .as<id_t>();
    const auto g = *lock_group(tx, id);
    if (auto bad = check_room(tx, g)) return *bad;
    if (auto bad = store_facilitators(tx, g, in.facilitator_ids)) return *bad;
    audit_change(tx, actor, "create", "group", sql::snapshot_group, id, std::nullopt,
                 {{"facilitator_ids", boost::json::array(in.facilitator_ids.begin(), in.facilitator_ids.end())}});
    auto out = *read_full_group(tx, id);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<group>> pg_care_store::get_group(id_t id) {
  auto work = [id](pqxx::connection& c) -> outcome<group> {
    pqxx::work tx{c};
    auto g = read_full_group(tx, id);
    if (!g) return reject(errc::not_found, "id", "no such group");
    return std::move(*g);
  };
  co_return co_await pool_.run(work);
}

task<result<std::vector<id_t>>> pg_care_store::facilitators_of_group(id_t id) {
  auto work = [id](pqxx::connection& c) -> result<std::vector<id_t>> {
    pqxx::work tx{c};
    if (!exists(tx, sql::group_exists, id)) return errc::not_found;
    std::vector<id_t> out;
    for (const auto& r : tx.exec_prepared(sql::care_facilitators_of_group, id)) out.push_back(r[0].as<id_t>());
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<std::vector<id_t>>> pg_care_store::set_facilitators(id_t group_id, const std::vector<id_t>& staff_ids,
                                                                 const std::string& actor) {
  auto work = [group_id, staff_ids, actor](pqxx::connection& c) -> outcome<std::vector<id_t>> {
    pqxx::work tx{c};
    const auto g = lock_group(tx, group_id);
    if (!g) return reject(errc::not_found, "id", "no such group");
    if (g->archived) return reject(errc::conflict, "id", "the group is archived");
    const auto before = snapshot(tx, sql::snapshot_group, group_id);
    if (auto bad = store_facilitators(tx, *g, staff_ids)) return *bad;
    boost::json::array ids(staff_ids.begin(), staff_ids.end());
    audit_change(tx, actor, "set_facilitators", "group", sql::snapshot_group, group_id, before,
                 {{"facilitator_ids", std::move(ids)}});
    std::vector<id_t> out;
    for (const auto& r : tx.exec_prepared(sql::care_facilitators_of_group, group_id)) out.push_back(r[0].as<id_t>());
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<group>> pg_care_store::update_group(id_t id, const group_patch& patch, const std::string& actor,
                                                 const change_notice_maker& notices) {
  auto work = [id, patch, actor, notices, &events = events_](pqxx::connection& c) -> outcome<group> {
    pqxx::work tx{c};
    tx.exec_prepared(sql::lock_calendar);  // the planner must not add sessions by the old rule meanwhile
    auto g = lock_group(tx, id);
    if (!g) return reject(errc::not_found, "id", "no such group");
    if (g->archived) return reject(errc::conflict, "id", "the group is archived");
    const auto before = *read_full_group(tx, id);
    auto next = before;
    if (patch.name) next.name = *patch.name;
    if (patch.recurrence) next.recurrence = *patch.recurrence;
    if (patch.start_second) next.start_second = *patch.start_second;
    if (patch.end_second) next.end_second = *patch.end_second;
    if (patch.level_of_care) next.level_of_care = *patch.level_of_care;
    if (patch.capacity) next.capacity = *patch.capacity;
    if (patch.room) next.room = *patch.room;
    if (patch.telehealth_url) next.telehealth_url = *patch.telehealth_url;
    if (next.end_second <= next.start_second)
      return reject(errc::invalid_input, "end_time", "must be after start_time");
    const auto rule = std::get<domain::weekly_rule>(domain::parse_rrule(next.recurrence));
    if (rule.until_date && *rule.until_date < *day_of(next.first_date))
      return reject(errc::invalid_input, "recurrence", "UNTIL is before first_date: the group would never meet");

    // The new timetable must not collide with its facilitators' or its room's other bookings.
    g->recurrence = next.recurrence;
    g->start_second = next.start_second;
    g->end_second = next.end_second;
    g->room = next.room;
    if (auto bad = check_room(tx, *g)) return *bad;
    // ... nor with the other groups its clients attend.
    if (patch.recurrence || patch.start_second || patch.end_second) {
      std::vector<conflict> found;
      for (const auto& r : tx.exec_prepared(sql::care_placed_clients_of_group, id)) {
        const auto client = r[0].as<id_t>();
        const auto start = r[1].as<std::string>(), until = r[2].as<std::string>();
        find_conflicts(found, g->times(start, until),
                       read_commitments(tx.exec_prepared(sql::care_client_commitments, client, id)), "client_overlap",
                       "client " + std::to_string(client) + " also attends",
                       std::max(*day_of(g->today), *day_of(start)));
      }
      if (!found.empty())
        return conflicts_rejection(patch.recurrence ? "recurrence" : "start_time",
                                   "placed clients have other sessions at the new times", std::move(found));
    }
    if (auto bad = store_facilitators(tx, *g, patch.facilitator_ids.value_or(before.facilitator_ids))) return *bad;
    if (next.capacity) {
      const int taken = tx.exec_prepared1(sql::care_seats_taken, id)[0].as<int>();
      if (taken > *next.capacity)
        return conflicts_rejection(
            "capacity", "fewer seats than placed clients",
            {{"capacity", "group", id, "", std::to_string(taken) + " clients hold seats; end placements first"}});
    }
    const auto row_before = snapshot(tx, sql::snapshot_group, id);
    tx.exec_prepared(sql::care_update_group, id, next.name, next.recurrence, next.start_second, next.end_second,
                     next.level_of_care, next.capacity.value_or(0), next.room, next.telehealth_url);

    // Sessions that have not started follow the new rule; started ones and attendance stay.
    int cancelled = 0, retimed = 0;
    const auto& zone = *date::locate_zone(g->time_zone);
    const auto first = *day_of(next.first_date);
    for (const auto& r : tx.exec_prepared(sql::care_future_sessions_of_group, id)) {
      const auto s = read_session(r);
      const auto scheduled = *day_of(s.scheduled_date);
      const auto was = *read_context(tx, s.id);
      const bool kept = !domain::occurrence_dates(rule, first, scheduled, scheduled).empty();
      if (!kept) {
        tx.exec_prepared(sql::cancel_session, s.id, std::string{"schedule changed"});
        tx.exec_prepared(sql::cancel_reminders_of_session, s.id, std::string{"schedule changed"});
        const notice_maker make = [&](const session_context& now_is, const std::vector<session_attendee>& people) {
          return notices("cancelled", was, now_is, people);
        };
        queue_notices(tx, s.id, make);
        ++cancelled;
        continue;
      }
      // A session moved by hand to another day or time keeps it (a new room or facilitator
      // alone does not count): only one still at the group's old times follows the new ones.
      const auto day = *day_of(s.local_date);
      const auto old_start =
          domain::resolve_local_time(zone, date::local_seconds{day} + std::chrono::seconds{before.start_second});
      const auto old_end =
          domain::resolve_local_time(zone, date::local_seconds{day} + std::chrono::seconds{before.end_second});
      if (s.local_date != s.scheduled_date || s.starts_at != old_start || s.ends_at != old_end) continue;
      const auto starts =
          domain::resolve_local_time(zone, date::local_seconds{day} + std::chrono::seconds{next.start_second});
      const auto ends =
          domain::resolve_local_time(zone, date::local_seconds{day} + std::chrono::seconds{next.end_second});
      if (starts == s.starts_at && ends == s.ends_at) continue;
      tx.exec_prepared(sql::care_retime_session, s.id, epoch(starts), epoch(ends));
      tx.exec_prepared(sql::cancel_reminders_of_session, s.id, std::string{"session moved"});
      const notice_maker make = [&](const session_context& now_is, const std::vector<session_attendee>& people) {
        return notices("moved", was, now_is, people);
      };
      queue_notices(tx, s.id, make);
      ++retimed;
    }
    audit_change(tx, actor, "update", "group", sql::snapshot_group, id, row_before,
                 {{"sessions_cancelled", cancelled}, {"sessions_retimed", retimed}});
    // More seats: those waiting longest are offered them now.
    offer_free_seats(tx, id, actor, events);
    auto out = *read_full_group(tx, id);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<group>> pg_care_store::archive_group(id_t id, const std::string& actor) {
  auto work = [id, actor](pqxx::connection& c) -> outcome<group> {
    pqxx::work tx{c};
    tx.exec_prepared(sql::lock_calendar);  // no planner round may add sessions meanwhile
    const auto g = lock_group(tx, id);
    if (!g) return reject(errc::not_found, "id", "no such group");
    if (g->archived) return reject(errc::conflict, "id", "the group is archived already");
    if (const int open = tx.exec_prepared1(sql::care_open_placements_of_group, id)[0].as<int>(); open > 0)
      return reject(errc::conflict, "id",
                    std::to_string(open) + " placements are still open or waiting; end them first");
    const auto before = snapshot(tx, sql::snapshot_group, id);
    tx.exec_prepared(sql::care_archive_group, id);
    tx.exec_prepared(sql::care_cancel_future_sessions, id, std::string{"group archived"});
    audit_change(tx, actor, "archive", "group", sql::snapshot_group, id, before);
    auto out = *read_full_group(tx, id);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<group>> pg_care_store::create_appointment(const new_appointment& in, const std::string& actor) {
  auto work = [in, actor, &events = events_](pqxx::connection& c) -> outcome<group> {
    pqxx::work tx{c};
    references refs{tx};
    refs.need(sql::care_client_usable, in.client_id, "client_id", "client")
        .need(sql::care_staff_usable, in.staff_id, "staff_id", "staff member");
    if (in.site_id != 0) refs.need(sql::care_site_usable, in.site_id, "site_id", "site");
    if (auto bad = refs.problem()) return *bad;
    auto active = tx.exec_prepared(sql::care_active_episode, in.client_id);
    if (active.empty()) return reject(errc::conflict, "client_id", "the client has no active episode");
    const auto ep = *read_episode(tx, active[0][0].as<id_t>(), true);
    if (ep.status != "active" || ep.archived)
      return reject(errc::conflict, "client_id", "the client's episode was discharged meanwhile");
    const auto site_id = in.site_id != 0 ? in.site_id : ep.site_id;
    if (auto bad = usable(tx, sql::care_site_usable, site_id, "site_id", "site")) return *bad;
    if (in.first_date < ep.start_date)
      return reject(errc::invalid_input, "date", "is before the client's episode began (" + ep.start_date + ")");
    const auto gid = tx.exec_prepared1(sql::care_insert_appointment, site_id,
                                       std::string{in.kind == "family" ? "Family session" : "Individual session"},
                                       slot_of(in.start_second), in.recurrence, in.first_date, in.start_second,
                                       in.end_second, ep.level_of_care, in.room, in.telehealth_url, in.kind)[0]
                         .as<id_t>();
    const auto g = *lock_group(tx, gid);
    std::vector<conflict> found;
    const auto from = std::max(*day_of(in.first_date), *day_of(g.today));
    find_conflicts(found, g.times(),
                   read_commitments(tx.exec_prepared(sql::care_client_commitments, in.client_id, gid)),
                   "client_overlap", "the client already attends", from);
    if (!found.empty())
      return conflicts_rejection("date", "the client has sessions at the same time", std::move(found));
    if (auto bad = check_room(tx, g)) return *bad;
    const std::vector<id_t> staff{in.staff_id};
    if (auto bad = store_facilitators(tx, g, staff)) {
      bad->fields = {{"staff_id", "the staff member is booked elsewhere at that time"}};
      return *bad;
    }
    const auto pid = tx.exec_prepared1(sql::care_insert_placement, in.client_id, gid, ep.counselor_id, in.first_date,
                                       std::string{}, ep.id, std::string{"active"})[0]
                         .as<id_t>();
    audit_change(tx, actor, "create", "group", sql::snapshot_group, gid, std::nullopt,
                 {{"kind", in.kind}, {"client_id", in.client_id}, {"staff_id", in.staff_id}, {"enrollment_id", pid}});
    audit_change(tx, actor, "create", "enrollment", sql::snapshot_enrollment, pid, std::nullopt);
    queue_enrollment_event(tx, events, pid, "created");
    auto out = *read_full_group(tx, gid);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<result<episode_schedule>> pg_care_store::schedule_of_episode(id_t id, const std::string& from,
                                                                  const std::string& to) {
  auto work = [id, from, to](pqxx::connection& c) -> result<episode_schedule> {
    pqxx::work tx{c};
    auto ep = read_episode(tx, id, false);
    if (!ep) return errc::not_found;
    episode_schedule out;
    out.ep = std::move(*ep);
    for (const auto& r : tx.exec_prepared(sql::care_groups_of_episode, id))
      out.groups.push_back({read_group(r), r[8].as<std::string>()});
    for (const auto& r : tx.exec_prepared(sql::care_sessions_of_episode, id, from, to))
      out.sessions.push_back(read_session(r));
    return out;
  };
  co_return co_await pool_.run(work);
}

// The lists read a page of ids, then each record as get_* does, in one transaction.
task<page<group>> pg_care_store::list_groups(const group_filter& f, const page_request& p) {
  auto work = [f, p](pqxx::connection& c) {
    pqxx::work tx{c};
    auto read = [&tx](const pqxx::row& r) { return *read_full_group(tx, r[0].as<id_t>()); };
    const auto sites = pg_id_array(f.site_ids);
    return read_page<group>(tx, sql::care_list_groups, p, read, nullable(as_text(f.site_id)), nullable(f.kind),
                            nullable(f.level_of_care), std::string{to_string(f.status)}, nullable(sites));
  };
  co_return co_await pool_.run(work);
}

task<page<episode>> pg_care_store::list_episodes(const episode_filter& f, const page_request& p) {
  auto work = [f, p](pqxx::connection& c) {
    pqxx::work tx{c};
    auto read = [&tx](const pqxx::row& r) { return *read_episode(tx, r[0].as<id_t>(), false); };
    return read_page<episode>(tx, sql::care_list_episodes, p, read, nullable(as_text(f.site_id)),
                              nullable(as_text(f.client_id)), nullable(as_text(f.counselor_id)), nullable(f.status),
                              nullable(f.from), nullable(f.to));
  };
  co_return co_await pool_.run(work);
}

task<page<placement>> pg_care_store::list_placements(const placement_filter& f, const page_request& p) {
  auto work = [f, p](pqxx::connection& c) {
    pqxx::work tx{c};
    auto read = [](const pqxx::row& r) { return read_placement(r); };
    return read_page<placement>(tx, sql::care_list_placements, p, read, nullable(as_text(f.group_id)),
                                nullable(as_text(f.client_id)), nullable(as_text(f.episode_id)), nullable(f.status));
  };
  co_return co_await pool_.run(work);
}

task<outcome<episode>> pg_care_store::archive_episode(id_t id, const std::string& actor) {
  auto work = [id, actor](pqxx::connection& c) -> outcome<episode> {
    pqxx::work tx{c};
    const auto before = snapshot(tx, sql::snapshot_episode, id);
    if (!before) return reject(errc::not_found, "id", "no such episode");
    if (tx.exec_prepared(sql::care_archive_episode, id).empty())
      return reject(errc::conflict, "id", "only a discharged episode that is not archived can be archived");
    audit_change(tx, actor, "archive", "episode", sql::snapshot_episode, id, before);
    auto out = *read_episode(tx, id, false);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<placement>> pg_care_store::archive_placement(id_t id, const std::string& actor) {
  auto work = [id, actor, &events = events_](pqxx::connection& c) -> outcome<placement> {
    pqxx::work tx{c};
    const auto before = snapshot(tx, sql::snapshot_enrollment, id);
    if (!before) return reject(errc::not_found, "id", "no such placement");
    if (tx.exec_prepared(sql::care_archive_placement, id).empty())
      return reject(errc::conflict, "id", "only an ended placement that is not archived can be archived");
    audit_change(tx, actor, "archive", "enrollment", sql::snapshot_enrollment, id, before);
    queue_enrollment_event(tx, events, id, "archived");
    auto out = placement_by_id(tx, id);
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

}  // namespace rollcall::store
