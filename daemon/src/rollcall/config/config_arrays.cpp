// The array tables of the configuration: [[providers]], [[reminder_rules]], [[templates]] and
// [[event_subscriptions]].
// Each entry's fields are read with the same typed key builders as the top-level keys; what
// spans fields or entries (required fields per provider type, duplicates, a rule's template set,
// placeholders) is checked afterwards, naming the entry as "providers[2].type" (0-based).
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "rollcall/config/config_keys.hpp"
#include "rollcall/domain/events.hpp"
#include "rollcall/domain/templates.hpp"

namespace rollcall::config::detail {

namespace {

check name_like(const std::string& v) {
  const bool ok = !v.empty() && v.size() <= 40 && std::all_of(v.begin(), v.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  if (!ok) return "must be 1 to 40 of a-z, 0-9, _ and -";
  return {};
}

std::function<check(const std::string&)> one_of(std::vector<std::string> allowed, bool allow_empty = false) {
  return [allowed = std::move(allowed), allow_empty](const std::string& v) -> check {
    if (allow_empty && v.empty()) return {};
    if (std::find(allowed.begin(), allowed.end(), v) != allowed.end()) return {};
    std::string names;
    for (const auto& a : allowed) {
      if (!names.empty()) names += ", ";
      names += a;
    }
    return "must be one of " + names;
  };
}

check url_or_empty(const std::string& v) { return require_url(v, true); }

check reveals_nothing(const std::string& v) {
  if (auto w = domain::revealing_word(v)) return "contains \"" + *w + "\", a word that could reveal treatment";
  return {};
}

template <class Owner>
struct array_spec {
  std::string name;
  std::vector<key_spec_of<Owner>> fields;
  std::set<std::string> secrets;                                // also accepted as <field>_file
  std::map<std::string, std::string> documented_defaults = {};  // where show() of a blank entry would mislead
};

const array_spec<provider_section>& provider_spec() {
  using P = provider_section;
  static const array_spec<P> spec{
      "providers",
      {
          string_key<P>(
              "name", [](P & p) -> auto& { return p.name; }, true,
              "unique name (a-z, 0-9, _ and -); callbacks arrive at /hooks/{name}/status and /hooks/{name}/inbound",
              name_like),
          string_key<P>(
              "type", [](P & p) -> auto& { return p.type; }, true, "webhook, twilio or sendgrid",
              one_of({"webhook", "twilio", "sendgrid"})),
          string_set_key<P>(
              "channels", [](P & p) -> auto& { return p.channels; }, {"sms", "email"}, true,
              "what it carries: twilio sms only, sendgrid email only, webhook either (default: all it can)"),
          string_key<P>(
              "url", [](P & p) -> auto& { return p.url; }, true,
              "webhook: the endpoint (required); twilio, sendgrid: API base URL (defaults to the real API)",
              url_or_empty),
          string_key<P>(
              "secret", [](P & p) -> auto& { return p.secret; }, true,
              "webhook: whsec_ secret signing requests and verifying status callbacks (required; a secret; or "
              "secret_file)",
              require_secret),
          string_key<P>(
              "account_sid", [](P & p) -> auto& { return p.account_sid; }, true,
              "twilio: Account SID, AC... (required)",
              [](const std::string& v) -> check {
                if (v.size() != 34 || !v.starts_with("AC")) return "must be AC followed by 32 characters";
                return {};
              }),
          string_key<P>(
              "auth_token", [](P & p) -> auto& { return p.auth_token; }, true,
              "twilio: Auth Token; also checks X-Twilio-Signature on callbacks (required; a secret; or "
              "auth_token_file)"),
          string_key<P>(
              "from", [](P & p) -> auto& { return p.from; }, true,
              "twilio: sending number in E.164 (this or messaging_service_sid)",
              [](const std::string& v) -> check {
                const bool ok = v.size() >= 3 && v.size() <= 16 && v[0] == '+' && v[1] >= '1' && v[1] <= '9' &&
                                std::all_of(v.begin() + 1, v.end(), [](char c) { return c >= '0' && c <= '9'; });
                if (!ok) return "must be a number in E.164 like +12125550123";
                return {};
              }),
          string_key<P>(
              "messaging_service_sid", [](P & p) -> auto& { return p.messaging_service_sid; }, true,
              "twilio: Messaging Service SID, MG... (this or from)",
              [](const std::string& v) -> check {
                if (v.size() != 34 || !v.starts_with("MG")) return "must be MG followed by 32 characters";
                return {};
              }),
          string_key<P>(
              "api_key", [](P & p) -> auto& { return p.api_key; }, true,
              "sendgrid: API key (required; a secret; or api_key_file)"),
          string_key<P>(
              "from_email", [](P & p) -> auto& { return p.from_email; }, true, "sendgrid: sender address (required)",
              [](const std::string& v) -> check {
                const auto at = v.find('@');
                const bool ok = at != std::string::npos && at > 0 && v.find('@', at + 1) == std::string::npos &&
                                v.find('.', at) != std::string::npos && v.back() != '.' &&
                                std::none_of(v.begin(), v.end(), [](char c) { return c == ' ' || c == '<'; });
                if (!ok) return "must be an email address like reminders@example.org";
                return {};
              }),
          string_key<P>(
              "from_name", [](P & p) -> auto& { return p.from_name; }, true,
              "sendgrid: sender name shown to clients; must not reveal treatment", reveals_nothing),
          string_key<P>(
              "public_url", [](P & p) -> auto& { return p.public_url; }, true,
              "base URL at which the provider reaches rollcalld (https://rollcall.example.org); twilio needs it "
              "for status callbacks and signature checks",
              url_or_empty),
          number_key<P>(
              "rate_limit", [](P & p) -> auto& { return p.rate_limit; }, 0.0, 10000.0, true,
              "messages per second sent through it; 0: unlimited"),
          int_key<P>(
              "concurrency", [](P & p) -> auto& { return p.concurrency; }, 1, 1024, true,
              "requests in flight to it at once"),
          bool_key<P>(
              "allow_http", [](P & p) -> auto& { return p.allow_http; }, true,
              "allow plain http:// in url and public_url (only for loopback testing)"),
      },
      {"secret", "auth_token", "api_key"},
      {{"channels", "(by type)"}, {"url", "(by type)"}}};
  return spec;
}

const array_spec<reminder_rule_section>& rule_spec() {
  using R = reminder_rule_section;
  key_spec_of<R> site{"site",
                      "integer",
                      true,
                      "site id the rule applies to; left out: every site",
                      [](const R& r) { return r.site ? std::to_string(*r.site) : std::string{"(any)"}; },
                      [](R& r, const toml::node& n) -> check {
                        if (!n.is_integer()) return "expected an integer (a site id)";
                        const auto v = *n.value<long long>();
                        if (v < 1) return "must be a site id (1 or more)";
                        r.site = v;
                        return {};
                      }};
  static const array_spec<R> spec{
      "reminder_rules",
      {
          site,
          string_key<R>(
              "level", [](R & r) -> auto& { return r.level; }, true,
              "level of care it applies to: php, iop, op or aftercare; left out: every level",
              one_of({"php", "iop", "op", "aftercare"})),
          string_key<R>(
              "kind", [](R & r) -> auto& { return r.kind; }, true,
              "kind of session: group, individual or family; left out: every kind",
              one_of({"group", "individual", "family"})),
          duration_list_key<R>(
              "lead_times", [](R & r) -> auto& { return r.lead_times; }, true,
              "how long before the session each reminder goes out (required)", false),
          string_set_key<R>(
              "channels", [](R & r) -> auto& { return r.channels; }, {"sms", "email"}, true,
              "channels in order of preference: the first the client can receive is used"),
          string_key<R>(
              "templates", [](R & r) -> auto& { return r.templates; }, true,
              "template set of its messages: \"default\" or a set of [[templates]]", name_like),
      },
      {},
      {{"lead_times", "(required)"}}};
  return spec;
}

const array_spec<template_section>& template_spec() {
  using T = template_section;
  static const array_spec<T> spec{
      "templates",
      {
          string_key<T>(
              "set", [](T & t) -> auto& { return t.set; }, true,
              "template set (a-z, 0-9, _ and -); \"default\" overrides the built-in texts", name_like),
          string_key<T>(
              "kind", [](T & t) -> auto& { return t.kind; }, true,
              "reminder, cancelled, moved, opt_out, opt_in, help, confirmed or declined (required)",
              [](const std::string& v) -> check {
                if (!domain::is_template_kind(v))
                  return "must be one of reminder, cancelled, moved, opt_out, opt_in, help, confirmed, declined";
                return {};
              }),
          string_key<T>(
              "channel", [](T & t) -> auto& { return t.channel; }, true, "sms or email (required)",
              one_of({"sms", "email"})),
          string_key<T>(
              "language", [](T & t) -> auto& { return t.language; }, true,
              "language of the client it is for: a lower-case primary tag like en or es",
              [](const std::string& v) -> check {
                if (v.size() < 2 || v.size() > 3 ||
                    !std::all_of(v.begin(), v.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
                  return "must be a lower-case language tag of 2 or 3 letters, like en or es";
                return {};
              }),
          string_key<T>(
              "subject", [](T & t) -> auto& { return t.subject; }, true, "email only: the subject line"),
          string_key<T>(
              "body", [](T & t) -> auto& { return t.body; }, true,
              "the text, with placeholders like {first_name}, {date}, {time}, {site_name}, {reply_hints}; {{ and }} "
              "are braces (required)"),
      },
      {}};
  return spec;
}

// An event subscription's "events": distinct event types, or "*" alone for every type.
key_spec_of<event_subscription_section> events_key() {
  using E = event_subscription_section;
  return {"events",
          "array of strings",
          true,
          "event types it receives (required): attendance.marked, attendance.undone, session.missed, alert.created, "
          "alert.acknowledged, enrollment.changed; or [\"*\"] for all",
          [](const E& e) {
            std::string out = "[";
            for (const auto& s : e.events) {
              if (out.size() > 1) out += ", ";
              out += quote(s);
            }
            return out + "]";
          },
          [](E& e, const toml::node& n) -> check {
            std::string names;
            for (auto t : domain::event_types()) {
              names += names.empty() ? "" : ", ";
              names += t;
            }
            names += " or \"*\"";
            const auto* arr = n.as_array();
            if (!arr) return "expected an array of event types (" + names + ")";
            if (arr->empty()) return "must list at least one of " + names;
            std::vector<std::string> out;
            for (const auto& item : *arr) {
              auto v = item.value<std::string>();
              if (!item.is_string() || !v || (*v != "*" && !domain::is_event_type(*v)))
                return "element " + std::to_string(out.size()) + " must be one of " + names;
              if (std::find(out.begin(), out.end(), *v) != out.end())
                return std::string{"\""} + *v + "\" is listed twice";
              out.push_back(*v);
            }
            if (out.size() > 1 && std::find(out.begin(), out.end(), "*") != out.end())
              return "\"*\" (every type) must be listed alone";
            e.events = std::move(out);
            return {};
          }};
}

const array_spec<event_subscription_section>& event_subscription_spec() {
  using E = event_subscription_section;
  static const array_spec<E> spec{
      "event_subscriptions",
      {
          string_key<E>(
              "name", [](E & e) -> auto& { return e.name; }, true,
              "unique name (a-z, 0-9, _ and -) of the receiving system (required)", name_like),
          string_key<E>(
              "url", [](E & e) -> auto& { return e.url; }, true, "the endpoint events are POSTed to (required; https)",
              url_or_empty),
          string_key<E>(
              "secret", [](E & e) -> auto& { return e.secret; }, true,
              "whsec_ secret signing its requests (Standard Webhooks) (required; a secret; or secret_file)",
              require_secret),
          events_key(),
          bool_key<E>(
              "allow_http", [](E & e) -> auto& { return e.allow_http; }, true,
              "allow a plain http:// url (only for loopback testing)"),
      },
      {"secret"},
      {{"events", "(required)"}}};
  return spec;
}

std::string entry_name(const std::string& table, std::size_t i) {
  std::string out = table;
  out += '[';
  out += std::to_string(i);
  out += ']';
  return out;
}

template <class Owner>
void read_entries(const array_spec<Owner>& spec, std::vector<Owner>& out, const toml::node& node,
                  const std::filesystem::path& file, source_lines& lines) {
  const auto at = [&](const toml::node& n) { return where(file.string(), static_cast<int>(n.source().begin.line)); };
  const auto* arr = node.as_array();
  if (!arr)
    throw config_error(at(node) + ": key '" + spec.name + "': expected an array of tables, written [[" + spec.name +
                       "]]");
  out.clear();
  for (const auto& element : *arr) {
    const auto prefix = entry_name(spec.name, out.size());
    const auto* table = element.as_table();
    if (!table) throw config_error(at(element) + ": key '" + prefix + "': expected a table");
    lines[prefix] = static_cast<int>(element.source().begin.line);
    Owner entry;
    for (const auto& [key, value] : *table) {
      std::string field{key.str()};
      const auto qualified = prefix + "." + field;
      const auto line = static_cast<int>(value.source().begin.line);
      std::optional<toml::value<std::string>> from_file;
      if (field.size() > 5 && field.ends_with("_file") && spec.secrets.count(field.substr(0, field.size() - 5))) {
        from_file.emplace(secret_from_file(value, qualified, file));
        field.resize(field.size() - 5);
      }
      const auto it =
          std::find_if(spec.fields.begin(), spec.fields.end(), [&](const auto& f) { return f.name == field; });
      if (it == spec.fields.end()) throw config_error(at(value) + ": unknown key '" + qualified + "'");
      if (auto err = it->apply(entry, from_file ? static_cast<const toml::node&>(*from_file) : value))
        throw config_error(at(value) + ": key '" + qualified + "': " + (from_file ? "the file's content " : "") + *err);
      lines[prefix + "." + field] = line;
    }
    out.push_back(std::move(entry));
  }
}

// Throws for `key` at the line it was written on, or else at its entry's line.
class reporter {
 public:
  reporter(const std::string& origin, const source_lines& lines) : origin_(origin), lines_(lines) {}
  bool has(const std::string& key) const { return lines_.count(key) > 0; }
  std::string at(const std::string& key) const {
    auto it = lines_.find(key);
    if (it == lines_.end()) it = lines_.find(key.substr(0, key.rfind('.')));
    return it == lines_.end() ? origin_ : where(origin_, it->second);
  }
  [[noreturn]] void fail(const std::string& key, const std::string& message) const {
    throw config_error(at(key) + ": key '" + key + "': " + message);
  }

 private:
  const std::string& origin_;
  const source_lines& lines_;
};

void validate_providers(config& c, const reporter& r) {
  static const std::map<std::string, std::set<std::string>> own_fields{
      {"webhook", {"url", "secret"}},
      {"twilio", {"url", "account_sid", "auth_token", "from", "messaging_service_sid"}},
      {"sendgrid", {"url", "api_key", "from_email", "from_name"}}};
  static const std::set<std::string> typed{"url",        "secret",     "account_sid",
                                           "auth_token", "from",       "messaging_service_sid",
                                           "api_key",    "from_email", "from_name"};
  std::map<std::string, std::string> names;
  for (std::size_t i = 0; i < c.providers.size(); ++i) {
    auto& p = c.providers[i];
    const auto e = entry_name("providers", i) + ".";
    if (!r.has(e + "name")) r.fail(e + "name", "required");
    if (auto [it, fresh] = names.emplace(p.name, e + "name"); !fresh)
      r.fail(e + "name", "\"" + p.name + "\" is already the name of " + it->second.substr(0, it->second.size() - 5));
    if (!r.has(e + "type")) r.fail(e + "type", "required (webhook, twilio or sendgrid)");
    const auto& own = own_fields.at(p.type);
    for (const auto& f : typed)
      if (r.has(e + f) && !own.count(f)) r.fail(e + f, "not used by a provider of type \"" + p.type + "\"");
    auto require = [&](const std::string& field, const std::string& value) {
      if (value.empty()) r.fail(e + field, "required for type \"" + p.type + "\"");
    };
    std::vector<std::string> can_carry{"sms", "email"};
    if (p.type == "webhook") {
      require("url", p.url);
      require("secret", p.secret);
    } else if (p.type == "twilio") {
      can_carry = {"sms"};
      if (p.url.empty()) p.url = "https://api.twilio.com";
      require("account_sid", p.account_sid);
      require("auth_token", p.auth_token);
      if (p.from.empty() == p.messaging_service_sid.empty())
        r.fail(e + (p.from.empty() ? "from" : "messaging_service_sid"),
               "set exactly one of from and messaging_service_sid");
    } else {
      can_carry = {"email"};
      if (p.url.empty()) p.url = "https://api.sendgrid.com";
      require("api_key", p.api_key);
      require("from_email", p.from_email);
    }
    if (!r.has(e + "channels")) p.channels = can_carry;
    for (const auto& ch : p.channels)
      if (std::find(can_carry.begin(), can_carry.end(), ch) == can_carry.end())
        r.fail(e + "channels", "a provider of type \"" + p.type + "\" cannot carry " + ch);
    for (const char* field : {"url", "public_url"}) {
      const auto& v = std::string_view{field} == "url" ? p.url : p.public_url;
      if (v.starts_with("http://") && !p.allow_http)
        r.fail(e + field, "plain http:// needs allow_http = true in this provider (loopback testing only)");
    }
    if (p.type == "twilio" && p.public_url.empty())
      c.warnings.push_back(r.at(e + "type") + ": " + e +
                           "public_url is not set: Twilio status callbacks and replies cannot be received or verified");
  }
  if (!c.providers.empty() && !c.delivery.webhook_url.empty())
    c.warnings.push_back(r.at("providers[0]") + ": delivery.webhook_url is ignored because [[providers]] are set");
}

void validate_rules(const config& c, const reporter& r) {
  for (std::size_t i = 0; i < c.reminder_rules.size(); ++i) {
    const auto& rule = c.reminder_rules[i];
    const auto e = entry_name("reminder_rules", i) + ".";
    if (!r.has(e + "lead_times")) r.fail(e + "lead_times", "required (like [\"24h\", \"2h\"])");
    const bool known =
        rule.templates == "default" || std::any_of(c.templates.begin(), c.templates.end(),
                                                   [&](const template_section& t) { return t.set == rule.templates; });
    if (!known) r.fail(e + "templates", "no [[templates]] entry has set = \"" + rule.templates + "\"");
  }
}

void validate_templates(config& c, const reporter& r) {
  std::map<std::tuple<std::string, std::string, std::string, std::string>, std::string> seen;
  for (std::size_t i = 0; i < c.templates.size(); ++i) {
    const auto& t = c.templates[i];
    const auto e = entry_name("templates", i) + ".";
    for (const char* field : {"kind", "channel", "body"})
      if (!r.has(e + field)) r.fail(e + field, "required");
    if (t.body.empty()) r.fail(e + "body", "must not be empty");
    if (t.channel == "sms" && r.has(e + "subject")) r.fail(e + "subject", "only email templates have a subject");
    if (auto [it, fresh] = seen.emplace(std::make_tuple(t.set, t.kind, t.channel, t.language), e); !fresh)
      r.fail(e + "kind", "the same set, kind, channel and language as " + it->second.substr(0, it->second.size() - 1));
    for (const char* field : {"subject", "body"}) {
      const auto& text = std::string_view{field} == "body" ? t.body : t.subject;
      if (auto problem = domain::check_template(text, t.kind)) r.fail(e + field, problem->message);
      if (auto word = domain::revealing_word(text))
        r.fail(e + field, "contains \"" + *word + "\", a word that could reveal treatment (42 CFR Part 2)");
    }
    if (t.channel == "sms") {
      const auto rendered =
          domain::render_template(t.body, domain::realistic_placeholder_values(t.channel, t.language));
      const auto length = domain::sms_segments(rendered);
      if (length.segments > 2)
        c.warnings.push_back(r.at(e + "body") + ": " + e + "body: about " + std::to_string(length.segments) +
                             " SMS segments with typical values (each is billed; the built-in texts fit in 2)" +
                             (length.ucs2 ? "; a character outside the GSM alphabet halves each segment" : ""));
    }
  }
}

void validate_event_subscriptions(const config& c, const reporter& r) {
  std::map<std::string, std::string> names;
  for (std::size_t i = 0; i < c.event_subscriptions.size(); ++i) {
    const auto& s = c.event_subscriptions[i];
    const auto e = entry_name("event_subscriptions", i) + ".";
    for (const char* field : {"name", "url", "secret", "events"})
      if (!r.has(e + field)) r.fail(e + field, "required");
    if (auto [it, fresh] = names.emplace(s.name, e + "name"); !fresh)
      r.fail(e + "name",
             std::string{"\""} + s.name + "\" is already the name of " + it->second.substr(0, it->second.size() - 5));
    if (s.url.empty()) r.fail(e + "url", "must not be empty");
    if (s.secret.empty()) r.fail(e + "secret", "must not be empty");
    if (s.url.starts_with("http://") && !s.allow_http)
      r.fail(e + "url", "plain http:// needs allow_http = true in this subscription (loopback testing only)");
  }
}

template <class Owner>
void document(const array_spec<Owner>& spec, std::vector<key_doc>& out) {
  const Owner blank;
  for (const auto& f : spec.fields) {
    auto d = spec.documented_defaults.find(f.name);
    std::string value = d != spec.documented_defaults.end() ? d->second
                        : spec.secrets.count(f.name)        ? std::string{"\"\""}
                                                            : f.show(blank);
    out.push_back({spec.name + "[]." + f.name, f.type, std::move(value), true, f.doc, true});
  }
}

}  // namespace

bool is_array_table(const std::string& name) {
  return name == "providers" || name == "reminder_rules" || name == "templates" || name == "event_subscriptions";
}

void apply_array_table(config& c, const std::string& name, const toml::node& node, const std::filesystem::path& file,
                       source_lines& lines) {
  if (name == "providers") read_entries(provider_spec(), c.providers, node, file, lines);
  if (name == "reminder_rules") read_entries(rule_spec(), c.reminder_rules, node, file, lines);
  if (name == "templates") read_entries(template_spec(), c.templates, node, file, lines);
  if (name == "event_subscriptions") read_entries(event_subscription_spec(), c.event_subscriptions, node, file, lines);
}

void validate_array_tables(config& c, const std::string& origin, const source_lines& lines) {
  const reporter r{origin, lines};
  validate_providers(c, r);
  validate_templates(c, r);
  validate_rules(c, r);
  validate_event_subscriptions(c, r);
}

std::vector<key_doc> documented_array_keys() {
  std::vector<key_doc> out;
  document(provider_spec(), out);
  document(rule_spec(), out);
  document(template_spec(), out);
  document(event_subscription_spec(), out);
  return out;
}

}  // namespace rollcall::config::detail
