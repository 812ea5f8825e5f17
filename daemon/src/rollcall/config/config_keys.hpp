// Internal to config/: how one key is shown and applied, and the typed key builders shared by the
// top-level key table (config.cpp) and the fields of the array tables (config_arrays.cpp).
#pragma once

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "rollcall/config/config.hpp"
#include "rollcall/config/toml.hpp"
#include "rollcall/domain/duration.hpp"

namespace rollcall::config::detail {

// What went wrong with one value; the caller adds file, line and key.
using check = std::optional<std::string>;

// One key of `Owner` (the config, or one entry of an array table).
template <class Owner>
struct key_spec_of {
  std::string name;
  std::string type;
  bool reloadable;
  std::string doc;
  std::function<std::string(const Owner&)> show;          // current value, TOML syntax
  std::function<check(Owner&, const toml::node&)> apply;  // sets the value or says why not
};
using key_spec = key_spec_of<config>;

std::string quote(const std::string& s);
check require_url(const std::string& v, bool allow_empty);
check require_secret(const std::string& v);
check parse_duration_node(const toml::node& n, duration& out, bool allow_zero);
std::optional<std::string> read_secret_file(const std::filesystem::path& p);
// The content of the file a `<key>_file` node names (relative to the config file's directory);
// throws config_error when the node is not a string or the file cannot be read.
std::string secret_from_file(const toml::node& node, const std::string& name, const std::filesystem::path& file);
std::string format_time_of_day(std::chrono::minutes m);
std::string where(const std::string& origin, int line);

template <class Owner = config, class Get>
key_spec_of<Owner> string_key(std::string name, Get get, bool reloadable, std::string doc,
                              std::function<check(const std::string&)> validate = {}) {
  return {name,
          "string",
          reloadable,
          std::move(doc),
          [get](const Owner& c) { return quote(get(const_cast<Owner&>(c))); },
          [get, validate](Owner& c, const toml::node& n) -> check {
            auto v = n.value<std::string>();
            if (!n.is_string() || !v) return "expected a string";
            if (validate)
              if (auto err = validate(*v)) return err;
            get(c) = *v;
            return {};
          }};
}

template <class Owner = config, class Get>
key_spec_of<Owner> int_key(std::string name, Get get, long long lo, long long hi, bool reloadable, std::string doc) {
  return {name,
          "integer",
          reloadable,
          std::move(doc),
          [get](const Owner& c) { return std::to_string(get(const_cast<Owner&>(c))); },
          [get, lo, hi](Owner& c, const toml::node& n) -> check {
            if (!n.is_integer()) return "expected an integer";
            auto v = *n.value<long long>();
            if (v < lo || v > hi) return "must be between " + std::to_string(lo) + " and " + std::to_string(hi);
            get(c) = static_cast<std::remove_reference_t<decltype(get(c))>>(v);
            return {};
          }};
}

// A number (integer or float) in [lo, hi].
template <class Owner = config, class Get>
key_spec_of<Owner> number_key(std::string name, Get get, double lo, double hi, bool reloadable, std::string doc) {
  return {name,
          "number",
          reloadable,
          std::move(doc),
          [get](const Owner& c) {
            std::ostringstream out;
            out << get(const_cast<Owner&>(c));
            return out.str();
          },
          [get, lo, hi](Owner& c, const toml::node& n) -> check {
            if (!n.is_number()) return "expected a number";
            const double v = *n.value<double>();
            if (!(v >= lo && v <= hi)) {
              std::ostringstream out;
              out << "must be between " << lo << " and " << hi;
              return out.str();
            }
            get(c) = v;
            return {};
          }};
}

template <class Owner = config, class Get>
key_spec_of<Owner> bool_key(std::string name, Get get, bool reloadable, std::string doc) {
  return {name,
          "boolean",
          reloadable,
          std::move(doc),
          [get](const Owner& c) { return get(const_cast<Owner&>(c)) ? std::string{"true"} : std::string{"false"}; },
          [get](Owner& c, const toml::node& n) -> check {
            if (!n.is_boolean()) return "expected true or false";
            get(c) = *n.value<bool>();
            return {};
          }};
}

template <class Owner = config, class Get>
key_spec_of<Owner> duration_key(std::string name, Get get, bool reloadable, std::string doc, bool allow_zero = false) {
  return {
      name,
      "duration",
      reloadable,
      std::move(doc),
      [get](const Owner& c) { return quote(domain::format_duration(get(const_cast<Owner&>(c)))); },
      [get, allow_zero](Owner& c, const toml::node& n) -> check { return parse_duration_node(n, get(c), allow_zero); }};
}

template <class Owner = config, class Get>
key_spec_of<Owner> duration_list_key(std::string name, Get get, bool reloadable, std::string doc,
                                     bool allow_empty = true) {
  return {name,
          "array of durations",
          reloadable,
          std::move(doc),
          [get](const Owner& c) {
            std::string out = "[";
            for (const auto& d : get(const_cast<Owner&>(c))) {
              if (out.size() > 1) out += ", ";
              out += quote(domain::format_duration(d));
            }
            return out + "]";
          },
          [get, allow_empty](Owner& c, const toml::node& n) -> check {
            const auto* arr = n.as_array();
            if (!arr) return "expected an array of durations like [\"24h\", \"2h\"]";
            if (arr->empty() && !allow_empty) return "must list at least one duration";
            std::vector<duration> out;
            for (const auto& item : *arr) {
              duration d{};
              if (auto err = parse_duration_node(item, d, false))
                return "element " + std::to_string(out.size()) + " " + *err;
              out.push_back(d);
            }
            get(c) = std::move(out);
            return {};
          }};
}

// An array of distinct strings, each one of `allowed`.
template <class Owner = config, class Get>
key_spec_of<Owner> string_set_key(std::string name, Get get, std::vector<std::string> allowed, bool reloadable,
                                  std::string doc) {
  return {name,
          "array of strings",
          reloadable,
          std::move(doc),
          [get](const Owner& c) {
            std::string out = "[";
            for (const auto& s : get(const_cast<Owner&>(c))) {
              if (out.size() > 1) out += ", ";
              out += quote(s);
            }
            return out + "]";
          },
          [get, allowed](Owner& c, const toml::node& n) -> check {
            const auto* arr = n.as_array();
            std::string names;
            for (const auto& a : allowed) names += (names.empty() ? "" : ", ") + a;
            if (!arr) return "expected an array of strings (" + names + ")";
            if (arr->empty()) return "must list at least one of " + names;
            std::vector<std::string> out;
            for (const auto& item : *arr) {
              auto v = item.value<std::string>();
              if (!item.is_string() || !v || std::find(allowed.begin(), allowed.end(), *v) == allowed.end())
                return "element " + std::to_string(out.size()) + " must be one of " + names;
              if (std::find(out.begin(), out.end(), *v) != out.end()) return "\"" + *v + "\" is listed twice";
              out.push_back(*v);
            }
            get(c) = std::move(out);
            return {};
          }};
}

// A local time of day written "HH:MM" (00:00 to 23:59).
template <class Owner = config, class Get>
key_spec_of<Owner> time_of_day_key(std::string name, Get get, bool reloadable, std::string doc) {
  return {name,
          "time of day",
          reloadable,
          std::move(doc),
          [get](const Owner& c) { return quote(format_time_of_day(get(const_cast<Owner&>(c)))); },
          [get](Owner& c, const toml::node& n) -> check {
            auto v = n.value<std::string>();
            const auto digit = [](char ch) { return ch >= '0' && ch <= '9'; };
            if (!n.is_string() || !v || v->size() != 5 || (*v)[2] != ':' || !digit((*v)[0]) || !digit((*v)[1]) ||
                !digit((*v)[3]) || !digit((*v)[4]))
              return "expected a time of day like \"21:00\" (HH:MM, 24-hour)";
            const int h = ((*v)[0] - '0') * 10 + ((*v)[1] - '0');
            const int m = ((*v)[3] - '0') * 10 + ((*v)[4] - '0');
            if (h > 23 || m > 59) return "\"" + *v + "\" is not a time of day between 00:00 and 23:59";
            get(c) = std::chrono::minutes{h * 60 + m};
            return {};
          }};
}

// The array tables ([[providers]], [[reminder_rules]], [[templates]]); config_arrays.cpp.

// Where each entry and field of an array table was written: "providers[0]" and
// "providers[0].url" -> line.
using source_lines = std::map<std::string, int>;

bool is_array_table(const std::string& name);
// Reads one array of tables into `c`; throws config_error naming file, line and key.
void apply_array_table(config& c, const std::string& name, const toml::node& node, const std::filesystem::path& file,
                       source_lines& lines);
// Checks what needs more than one field (required fields per type, duplicates, references between
// tables), fills per-type defaults and adds warnings. `origin` is the file name or "defaults".
void validate_array_tables(config& c, const std::string& origin, const source_lines& lines);
std::vector<key_doc> documented_array_keys();

}  // namespace rollcall::config::detail
