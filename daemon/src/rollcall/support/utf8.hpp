// Well-formed UTF-8 (RFC 3629), for text from outside that must stay valid where it goes (a log
// line as JSON, an audit row as jsonb: PostgreSQL refuses malformed UTF-8 and NUL there).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rollcall::support {

// The length of the well-formed UTF-8 sequence `s` starts with (no overlong forms, no
// surrogates, nothing above U+10FFFF; an ASCII byte is 1), or 0 (also for an empty `s`).
std::size_t utf8_sequence_length(std::string_view s);

// `s` as PostgreSQL's jsonb keeps it, in at most `max_bytes`: well-formed sequences kept, any
// other byte replaced by U+FFFD, NUL dropped, cut before a character that would not fit.
std::string storable_text(std::string_view s, std::size_t max_bytes);

}  // namespace rollcall::support
