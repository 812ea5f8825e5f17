// Cross-checks rollcall's webhook signatures with third-party libraries (see run.sh):
// `sign` prints cases signed by rollcall as JSON for verify.mjs; `verify` reads the signatures
// the Standard Webhooks and Twilio libraries made of the same cases (stdin) and checks them with
// rollcall's verifiers, and that tampered copies are rejected. Exits non-zero on any mismatch.

#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "rollcall/delivery/signing.hpp"

namespace {

namespace del = rollcall::delivery;
namespace json = boost::json;

using param_list = std::vector<std::pair<std::string, std::string>>;

struct webhook_case {
  std::string_view name;
  std::string_view body;
  std::size_t key_bytes;  // varied so that secrets with and without base64 padding occur
};

// Bodies are signed as raw bytes: unicode, escapes and a trailing newline must survive as-is.
constexpr webhook_case webhook_cases[] = {
    {"receipt_json", R"({"message_id":"msg_2f7c","status":"delivered","error_code":""})", 24},
    {"unicode",
     "{\"text\":\"Hi Zo\xc3\xab, reminder: \xe6\x98\x9f\xe6\x9c\x9f\xe4\xba\x8c 6:00 PM \xe2\x9c\x93 "
     "\xf0\x9f\x91\x8b\"}",
     32},
    {"empty_object", "{}", 16},
    {"empty_body", "", 33},
    {"escapes_and_newline", "{\"a\": \"line\\nbreak\\ttab \\\"quoted\\\" \\u00e9\"}\n", 64},
};

struct twilio_case {
  std::string name;
  std::string url;
  param_list params;
};

std::vector<twilio_case> twilio_cases() {
  return {
      {"status_callback",
       "https://rollcall.example.org/hooks/twilio/status?site=east&attempt=2",
       {{"MessageSid", "SM0123456789abcdef0123456789abcdef"},
        {"MessageStatus", "delivered"},
        {"ErrorCode", ""},
        {"AccountSid", "AC0123456789abcdef0123456789abcdef"},
        {"From", "+15005550006"},
        {"To", "+15005550001"}}},
      {"repeated_and_unicode",
       "https://rollcall.example.org/hooks/twilio/sms?lang=fr&q=a%20b",
       {{"Body", "Oui \xe2\x9c\x93 \xc3\xa0 demain \xf0\x9f\x91\x8d"},
        {"Tag", "b"},
        {"Tag", "\xc3\xa7"},
        {"Tag", "a"},
        {"From", "+15005550006"}}},
      // Sorting "name+value" strings instead of names would put ReasonC... before ReasonP...
      {"prefix_names",
       "https://rollcall.example.org/hooks/twilio/status",
       {{"ReasonConferenceEnded", "participant-left"}, {"Reason", "Participant left"}, {"reason", "lower"}}},
      {"port_in_url", "https://rollcall.example.org:8443/hooks/twilio/status", {{"MessageStatus", "failed"}}},
      {"empty_params", "https://rollcall.example.org/hooks/twilio/voice?x=1&y=2", {}},
  };
}

std::string random_bytes(std::random_device& rd, std::size_t n) {
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rd() & 0xff);
  return out;
}

std::string random_hex(std::random_device& rd, std::size_t n) {
  constexpr std::string_view digits = "0123456789abcdef";
  std::string out(n, '0');
  for (auto& c : out) c = digits[rd() % 16];
  return out;
}

long long unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

json::array params_to_json(const param_list& params) {
  json::array out;
  for (const auto& [name, value] : params) out.push_back(json::array{json::string(name), json::string(value)});
  return out;
}

int sign_mode() {
  std::random_device rd;
  const long long now = unix_now();
  json::array webhooks;
  for (const auto& c : webhook_cases) {
    const std::string key = random_bytes(rd, c.key_bytes);
    std::string secret = "whsec_";
    secret += del::base64_encode(key);
    std::string id = "msg_";
    id += random_hex(rd, 24);
    webhooks.push_back(json::object{{"name", c.name},
                                    {"secret", secret},
                                    {"id", id},
                                    {"timestamp", std::to_string(now)},
                                    {"body", c.body},
                                    {"signature", del::sign_webhook(key, id, now, c.body)}});
  }
  json::array twilio;
  for (const auto& c : twilio_cases()) {
    const std::string token = random_hex(rd, 32);
    twilio.push_back(json::object{{"name", c.name},
                                  {"auth_token", token},
                                  {"url", c.url},
                                  {"params", params_to_json(c.params)},
                                  {"signature", del::twilio_signature(token, c.url, c.params)}});
  }
  std::cout << json::serialize(json::object{{"standard_webhooks", webhooks}, {"twilio", twilio}}) << '\n';
  return 0;
}

std::string str(const json::value& v, std::string_view key) {
  const auto& s = v.as_object().at(key).as_string();
  return std::string{s.data(), s.size()};
}

// Every case sign_mode made must come back exactly once, so an empty answer cannot pass.
bool names_match(std::string_view scheme, const json::array& got, const std::set<std::string>& want) {
  std::multiset<std::string> names;
  for (const auto& c : got) names.insert(str(c, "name"));
  if (names == std::multiset<std::string>(want.begin(), want.end())) return true;
  std::cerr << "FAIL " << scheme << ": the cases that came back differ from the ones signed\n";
  return false;
}

struct tally {
  int passed = 0;
  int failed = 0;
  void check(bool ok, std::string_view scheme, std::string_view name, std::string_view what) {
    if (ok) {
      ++passed;
      return;
    }
    ++failed;
    std::cerr << "FAIL " << scheme << '/' << name << ": " << what << '\n';
  }
};

void verify_webhooks(const json::array& cases, long long now, tally& t) {
  for (const auto& c : cases) {
    const std::string name = str(c, "name");
    const auto key = del::decode_webhook_secret(str(c, "secret"));
    t.check(key.has_value(), "standard_webhooks", name, "rollcall cannot decode the secret");
    if (!key) continue;
    const std::string id = str(c, "id"), ts = str(c, "timestamp"), body = str(c, "body"), sig = str(c, "signature");
    t.check(del::verify_webhook(*key, id, ts, body, sig, now), "standard_webhooks", name,
            "rollcall rejects the library's signature");
    t.check(!del::verify_webhook(*key, id, ts, body + " ", sig, now), "standard_webhooks", name,
            "rollcall accepts the signature for a changed body");
    std::string other_key = *key;
    other_key.back() = static_cast<char>(other_key.back() ^ 1);
    t.check(!del::verify_webhook(other_key, id, ts, body, sig, now), "standard_webhooks", name,
            "rollcall accepts the signature under another key");
  }
}

void verify_twilio_cases(const json::array& cases, tally& t) {
  for (const auto& c : cases) {
    const std::string name = str(c, "name");
    const std::string token = str(c, "auth_token"), url = str(c, "url"), sig = str(c, "signature");
    param_list params;
    for (const auto& p : c.as_object().at("params").as_array()) {
      const auto& pair = p.as_array();
      params.emplace_back(std::string{pair.at(0).as_string()}, std::string{pair.at(1).as_string()});
    }
    t.check(del::verify_twilio(token, url, params, sig), "twilio", name, "rollcall rejects the library's signature");
    param_list changed = params;
    if (changed.empty())
      changed.emplace_back("Extra", "1");
    else
      changed.front().second += "x";
    t.check(!del::verify_twilio(token, url, changed, sig), "twilio", name,
            "rollcall accepts the signature for changed params");
    std::string other_token = token;
    other_token.front() = other_token.front() == '0' ? '1' : '0';
    t.check(!del::verify_twilio(other_token, url, params, sig), "twilio", name,
            "rollcall accepts the signature under another token");
  }
}

int verify_mode() {
  const std::string input{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  if (input.empty()) {
    std::cerr << "signature_vectors verify: no input (verify.mjs failed or printed nothing)\n";
    return 1;
  }
  const json::value doc = json::parse(input);
  const auto& webhooks = doc.as_object().at("standard_webhooks").as_array();
  const auto& twilio = doc.as_object().at("twilio").as_array();

  std::set<std::string> webhook_names, twilio_names;
  for (const auto& c : webhook_cases) webhook_names.emplace(c.name);
  for (const auto& c : twilio_cases()) twilio_names.insert(c.name);
  const bool complete =
      names_match("standard_webhooks", webhooks, webhook_names) & names_match("twilio", twilio, twilio_names);

  tally t;
  verify_webhooks(webhooks, unix_now(), t);
  verify_twilio_cases(twilio, t);
  std::cout << "signature_vectors verify: " << t.passed << " passed, " << t.failed << " failed\n";
  return complete && t.failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view mode = argc == 2 ? argv[1] : "";
  try {
    if (mode == "sign") return sign_mode();
    if (mode == "verify") return verify_mode();
  } catch (const std::exception& e) {
    std::cerr << "signature_vectors " << mode << ": " << e.what() << '\n';
    return 2;
  }
  std::cerr << "usage: signature_vectors sign|verify\n";
  return 2;
}
