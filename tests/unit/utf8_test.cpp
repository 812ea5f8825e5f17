// support/utf8: well-formed UTF-8 told apart from the rest, and text made storable as jsonb.
#include "rollcall/support/utf8.hpp"

#include <string>

#include <gtest/gtest.h>

namespace rollcall::support {
namespace {

TEST(utf8_test, sequence_lengths_follow_rfc_3629) {
  EXPECT_EQ(utf8_sequence_length(""), 0u);
  EXPECT_EQ(utf8_sequence_length("a"), 1u);
  EXPECT_EQ(utf8_sequence_length("\xC3\xA9"), 2u);          // é
  EXPECT_EQ(utf8_sequence_length("\xE2\x82\xAC"), 3u);      // €
  EXPECT_EQ(utf8_sequence_length("\xF0\x9F\x98\x80"), 4u);  // an emoji
  EXPECT_EQ(utf8_sequence_length("\xC3"), 0u) << "truncated";
  EXPECT_EQ(utf8_sequence_length("\xC0\xAF"), 0u) << "overlong";
  EXPECT_EQ(utf8_sequence_length("\xED\xA0\x80"), 0u) << "a surrogate";
  EXPECT_EQ(utf8_sequence_length("\xF4\x90\x80\x80"), 0u) << "above U+10FFFF";
  EXPECT_EQ(utf8_sequence_length("\x80"), 0u) << "a lone continuation byte";
}

TEST(utf8_test, storable_text_drops_nul_replaces_malformed_bytes_and_never_cuts_a_character) {
  EXPECT_EQ(storable_text("plain", 100), "plain");
  EXPECT_EQ(storable_text(std::string{"a\0b", 3}, 100), "ab");
  EXPECT_EQ(storable_text("a\xFF"
                          "b",
                          100),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(storable_text("caf\xC3\xA9", 4), "caf") << "é would not fit whole";
  EXPECT_EQ(storable_text("caf\xC3\xA9", 5), "caf\xC3\xA9");
  EXPECT_EQ(storable_text("xxxxx", 3), "xxx");
  EXPECT_EQ(storable_text("", 3), "");
}

}  // namespace
}  // namespace rollcall::support
