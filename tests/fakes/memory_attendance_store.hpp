// attendance_store in memory: sessions with their enrolled clients, marks, and the outbox
// rows that record_missed enqueues (unique per dedupe key).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "rollcall/domain/attendance.hpp"
#include "rollcall/ports/ports.hpp"

namespace rollcall::fakes {

class memory_attendance_store final : public ports::attendance_store {
 public:
  struct roster_entry {
    ports::session session;
    ports::missed_attendance details;  // session_id, client_id and starts_at are filled from here
  };

  void add(roster_entry e) {
    e.details.session_id = e.session.id;
    e.details.starts_at = e.session.starts_at;
    roster_.push_back(std::move(e));
  }

  ports::task<outcome<ports::attendance_mark>> record_mark(const ports::attendance_mark_input& in,
                                                           ports::sys_seconds now) override {
    const roster_entry* entry = nullptr;
    bool session_exists = false;
    for (const auto& e : roster_) {
      if (e.session.id != in.session_id) continue;
      session_exists = true;
      if (e.details.client_id == in.client_id) entry = &e;
    }
    if (!session_exists) co_return reject(errc::not_found, "session_id", "no such session");
    if (!entry) co_return reject(errc::invalid_input, "client_id", "not enrolled");
    if (now < entry->session.starts_at) co_return reject(errc::invalid_input, "session_id", "not started");
    ports::attendance_mark m{next_mark_id_++, in.session_id, in.client_id, in.status, "staff",
                             in.marked_by,    now,           in.minutes,   in.reason};
    marks.push_back(m);
    co_return m;
  }

  // Every mark or none, as in PostgreSQL.
  ports::task<outcome<std::vector<ports::attendance_mark>>> record_marks(
      ports::id_t session_id, const std::vector<ports::attendance_mark_input>& in, ports::sys_seconds now) override {
    const auto kept = marks;
    std::vector<ports::attendance_mark> out;
    for (auto one : in) {
      one.session_id = session_id;
      auto m = co_await record_mark(one, now);
      if (!m) {
        marks = kept;
        co_return m.error();
      }
      out.push_back(*m);
    }
    co_return out;
  }

  ports::task<result<std::vector<ports::attendance_mark>>> marks_of_session(ports::id_t session_id) override {
    std::vector<ports::attendance_mark> out;
    for (const auto& m : marks)
      if (m.session_id == session_id) out.push_back(m);
    co_return out;
  }

  ports::task<int> record_missed(ports::sys_seconds now, std::chrono::seconds grace,
                                 const alert_maker& make_alerts) override {
    std::vector<ports::missed_attendance> missed;
    for (const auto& e : roster_) {
      if (domain::is_missed(e.session.starts_at, grace, has_mark(e.session.id, e.details.client_id),
                            e.session.cancelled, now))
        missed.push_back(e.details);
    }
    for (const auto& m : missed)
      marks.push_back({next_mark_id_++, m.session_id, m.client_id, "absent", "auto", "", now, std::nullopt, {}});
    for (auto& msg : make_alerts(missed))
      if (dedupe_keys_.insert(msg.dedupe_key).second) outbox.push_back(std::move(msg));
    co_return static_cast<int>(missed.size());
  }

  std::vector<ports::attendance_mark> marks;
  std::vector<ports::new_message> outbox;

 private:
  bool has_mark(ports::id_t session_id, ports::id_t client_id) const {
    for (const auto& m : marks)
      if (m.session_id == session_id && m.client_id == client_id) return true;
    return false;
  }

  std::vector<roster_entry> roster_;
  std::set<std::string> dedupe_keys_;
  ports::id_t next_mark_id_ = 1;
};

}  // namespace rollcall::fakes
