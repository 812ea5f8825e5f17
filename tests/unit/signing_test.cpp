#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "rollcall/delivery/signing.hpp"

namespace {

namespace del = rollcall::delivery;

// The test vector published with the Standard Webhooks specification.
constexpr const char* vector_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* vector_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr long long vector_ts = 1614265330;
constexpr const char* vector_body = R"({"test": 2432232314})";
constexpr const char* vector_signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

class standard_webhooks_vector : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = del::decode_webhook_secret(vector_secret);
    ASSERT_TRUE(k.has_value());
    key = *k;
  }
  bool verify(const std::string& body, const std::string& header, long long now,
              const std::string& ts = std::to_string(vector_ts)) const {
    return del::verify_webhook(key, vector_id, ts, body, header, now);
  }
  std::string key;
};

TEST_F(standard_webhooks_vector, signs_to_the_published_signature) {
  EXPECT_EQ(key.size(), 24u);
  EXPECT_EQ(del::sign_webhook(key, vector_id, vector_ts, vector_body), vector_signature);
}

TEST_F(standard_webhooks_vector, verify_accepts_the_published_signature) {
  EXPECT_TRUE(verify(vector_body, vector_signature, vector_ts));
  EXPECT_TRUE(verify(vector_body, vector_signature, vector_ts + 299));
  EXPECT_TRUE(verify(vector_body, vector_signature, vector_ts - 300));
}

TEST_F(standard_webhooks_vector, verify_rejects_a_tampered_body) {
  EXPECT_FALSE(verify(R"({"test": 2432232315})", vector_signature, vector_ts));
  EXPECT_FALSE(verify(R"({"test":2432232314})", vector_signature, vector_ts));
}

TEST_F(standard_webhooks_vector, verify_rejects_other_ids_keys_and_timestamps_in_the_content) {
  EXPECT_FALSE(
      del::verify_webhook(key, "msg_other", std::to_string(vector_ts), vector_body, vector_signature, vector_ts));
  EXPECT_FALSE(
      del::verify_webhook(key + "x", vector_id, std::to_string(vector_ts), vector_body, vector_signature, vector_ts));
  // A different timestamp is signed content too, even when it is within the tolerance.
  EXPECT_FALSE(verify(vector_body, vector_signature, vector_ts, std::to_string(vector_ts + 1)));
}

TEST_F(standard_webhooks_vector, verify_rejects_timestamps_outside_five_minutes) {
  EXPECT_FALSE(verify(vector_body, vector_signature, vector_ts + 301));
  EXPECT_FALSE(verify(vector_body, vector_signature, vector_ts - 301));
  EXPECT_FALSE(verify(vector_body, vector_signature, vector_ts + 86400));
}

TEST_F(standard_webhooks_vector, verify_rejects_malformed_timestamps) {
  for (const char* ts : {"", "abc", "1614265330x", " 1614265330", "1614265330.0"})
    EXPECT_FALSE(verify(vector_body, vector_signature, vector_ts, ts)) << '"' << ts << '"';
}

TEST_F(standard_webhooks_vector, verify_accepts_a_match_anywhere_in_the_list) {
  const std::string other = "v1,Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4";
  EXPECT_TRUE(verify(vector_body, other + " " + vector_signature, vector_ts));
  EXPECT_TRUE(verify(vector_body, std::string{vector_signature} + " " + other, vector_ts));
  EXPECT_TRUE(verify(vector_body, "v1a,abc " + other + " " + vector_signature, vector_ts));
  EXPECT_FALSE(verify(vector_body, other, vector_ts));
  EXPECT_FALSE(verify(vector_body, other + " " + other, vector_ts));
  EXPECT_FALSE(verify(vector_body, "", vector_ts));
  // Only exact entries count: no prefix, no other version tag.
  EXPECT_FALSE(verify(vector_body, std::string{vector_signature}.substr(0, 20), vector_ts));
  EXPECT_FALSE(verify(vector_body, "v2," + std::string{vector_signature}.substr(3), vector_ts));
}

struct b64_case {
  std::string raw;
  std::string encoded;
};
class base64_cases : public ::testing::TestWithParam<b64_case> {};
TEST_P(base64_cases, encodes_and_decodes_back) {
  EXPECT_EQ(del::base64_encode(GetParam().raw), GetParam().encoded);
  const auto back = del::base64_decode(GetParam().encoded);
  ASSERT_TRUE(back.has_value()) << GetParam().encoded;
  EXPECT_EQ(*back, GetParam().raw);
}
// RFC 4648 section 10, plus binary with zero bytes and high bytes.
INSTANTIATE_TEST_SUITE_P(rfc4648, base64_cases,
                         ::testing::Values(b64_case{"", ""}, b64_case{"f", "Zg=="}, b64_case{"fo", "Zm8="},
                                           b64_case{"foo", "Zm9v"}, b64_case{"foob", "Zm9vYg=="},
                                           b64_case{"fooba", "Zm9vYmE="}, b64_case{"foobar", "Zm9vYmFy"},
                                           b64_case{std::string("\0\0\0", 3), "AAAA"},
                                           b64_case{std::string("\0", 1), "AA=="},
                                           b64_case{"\xff\xfe\xfd\xfc", "//79/A=="}));

TEST(base64, round_trips_every_byte_value_and_length) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t len = 0; len <= all.size(); len += 1) {
    const auto raw = all.substr(all.size() - len);
    const auto back = del::base64_decode(del::base64_encode(raw));
    ASSERT_TRUE(back.has_value()) << len;
    ASSERT_EQ(*back, raw) << len;
  }
}

class base64_invalid : public ::testing::TestWithParam<std::string> {};
TEST_P(base64_invalid, rejects) { EXPECT_FALSE(del::base64_decode(GetParam()).has_value()) << GetParam(); }
INSTANTIATE_TEST_SUITE_P(bad, base64_invalid,
                         ::testing::Values("Zg=", "Zm9", "Zm9vY", "Zm9v Yg==", "Zm9v\nYmFy", "Zm9-", "Zm9_", "Zm9v!!==",
                                           // padding anywhere but the end, or too much of it
                                           "====", "Z===", "Zg==Zm9v", "Z=g=", "Zm=v", "=Zm9"));

class webhook_secret_invalid : public ::testing::TestWithParam<std::string> {};
TEST_P(webhook_secret_invalid, rejects) {
  EXPECT_FALSE(del::decode_webhook_secret(GetParam()).has_value()) << GetParam();
}
INSTANTIATE_TEST_SUITE_P(bad, webhook_secret_invalid,
                         ::testing::Values("", "whsec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                           "whsk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                           "WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                           "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS",  // length not a multiple of 4
                                           "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa$w",
                                           "whsec_ MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                           "whsec_========================"));

TEST(decode_webhook_secret, decodes_the_base64_after_the_prefix) {
  const auto key = del::decode_webhook_secret("whsec_Zm9vYmFy");
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(*key, "foobar");
}

}  // namespace

namespace {

// Twilio's documented X-Twilio-Signature example.
const std::string twilio_token = "12345";
const std::string twilio_url = "https://mycompany.com/myapp.php?foo=1&bar=2";
const std::vector<std::pair<std::string, std::string>> twilio_params{{"CallSid", "CA1234567890ABCDE"},
                                                                     {"Caller", "+12349013030"},
                                                                     {"Digits", "1234"},
                                                                     {"From", "+12349013030"},
                                                                     {"To", "+18005551212"}};
constexpr const char* twilio_expected = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";

TEST(twilio_signature, matches_the_documented_vector) {
  EXPECT_EQ(del::twilio_signature(twilio_token, twilio_url, twilio_params), twilio_expected);
}

TEST(twilio_signature, sorts_the_parameters_by_name) {
  auto shuffled = twilio_params;
  std::reverse(shuffled.begin(), shuffled.end());
  std::swap(shuffled[1], shuffled[3]);
  EXPECT_EQ(del::twilio_signature(twilio_token, twilio_url, shuffled), twilio_expected);
}

TEST(twilio_signature, orders_repeated_names_by_value) {
  const std::vector<std::pair<std::string, std::string>> a{{"B", "2"}, {"A", "x"}, {"B", "1"}};
  const std::vector<std::pair<std::string, std::string>> b{{"B", "1"}, {"B", "2"}, {"A", "x"}};
  EXPECT_EQ(del::twilio_signature("t", "https://h/p", a), del::twilio_signature("t", "https://h/p", b));
  EXPECT_NE(del::twilio_signature("t", "https://h/p", a),
            del::twilio_signature("t", "https://h/p", {{"A", "x"}, {"B", "12"}}));
}

TEST(verify_twilio, accepts_the_documented_vector) {
  EXPECT_TRUE(del::verify_twilio(twilio_token, twilio_url, twilio_params, twilio_expected));
}

TEST(verify_twilio, rejects_another_token_url_parameter_or_header) {
  EXPECT_FALSE(del::verify_twilio("12346", twilio_url, twilio_params, twilio_expected));
  EXPECT_FALSE(
      del::verify_twilio(twilio_token, "https://mycompany.com/myapp.php?foo=1&bar=3", twilio_params, twilio_expected));
  auto changed = twilio_params;
  changed[2].second = "1235";
  EXPECT_FALSE(del::verify_twilio(twilio_token, twilio_url, changed, twilio_expected));
  auto extra = twilio_params;
  extra.emplace_back("Body", "");
  EXPECT_FALSE(del::verify_twilio(twilio_token, twilio_url, extra, twilio_expected));
  EXPECT_FALSE(del::verify_twilio(twilio_token, twilio_url, twilio_params, ""));
  EXPECT_FALSE(del::verify_twilio(twilio_token, twilio_url, twilio_params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ"));
  EXPECT_FALSE(del::verify_twilio(twilio_token, twilio_url, twilio_params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ= "));
}

}  // namespace
