#include "rollcall/store/db_pool.hpp"

namespace rollcall::store {

db_pool::db_pool(std::string url, int size, std::function<void(pqxx::connection&)> prepare)
    : url_(std::move(url)), size_(size), prepare_(std::move(prepare)), threads_(static_cast<std::size_t>(size)) {}

db_pool::~db_pool() { stop(); }

void db_pool::stop() {
  threads_.stop();
  threads_.join();
  std::lock_guard lock{mutex_};
  idle_.clear();
}

int db_pool::open() const {
  std::lock_guard lock{mutex_};
  return open_;
}

int db_pool::in_use() const {
  std::lock_guard lock{mutex_};
  return open_ - static_cast<int>(idle_.size());
}

std::unique_ptr<pqxx::connection> db_pool::acquire() {
  std::unique_lock lock{mutex_};
  available_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    if (conn->is_open()) return conn;
    --open_;
  }
  ++open_;
  lock.unlock();
  try {
    auto conn = std::make_unique<pqxx::connection>(url_);
    prepare_(*conn);
    return conn;
  } catch (...) {
    ++connection_errors_;
    lock.lock();
    --open_;
    available_.notify_one();
    throw;
  }
}

void db_pool::release(std::unique_ptr<pqxx::connection> conn, bool broken) {
  std::lock_guard lock{mutex_};
  if (broken || !conn || !conn->is_open()) {
    if (broken) ++connection_errors_;
    --open_;
  } else {
    idle_.push_back(std::move(conn));
  }
  available_.notify_one();
}

}  // namespace rollcall::store
