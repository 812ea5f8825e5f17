// Cursor pagination shared by every list: a page is the rows after the last id the caller saw,
// in id order, so rows inserted meanwhile (new ids are larger) never shift a page: nothing is
// skipped or repeated.
#pragma once

#include <optional>
#include <vector>

#include "rollcall/ports/records.hpp"

namespace rollcall::ports {

struct page_request {
  id_t after = 0;  // the last id of the previous page; 0: from the start
  int limit = 50;  // 1..200 (http/paging.hpp checks it)
};

template <class T>
struct page {
  std::vector<T> items;
  std::optional<id_t> next_after;  // the cursor for the next page; none: this was the last
};

// Which records a list shows: the ones in use (default), the archived ones, or both.
enum class status_filter { active, archived, all };

inline const char* to_string(status_filter s) {
  return s == status_filter::active ? "active" : s == status_filter::archived ? "archived" : "all";
}

}  // namespace rollcall::ports
