#include "rollcall/app/token_command.hpp"

#include <charconv>
#include <iostream>

#include <date/date.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "rollcall/store/pg_api_tokens.hpp"
#include "rollcall/store/sql.hpp"
#include "rollcall/support/random_token.hpp"

namespace rollcall::app {

namespace net = boost::asio;

namespace {

constexpr const char* actor = "cli:token";

bool is_role(const std::string& r) {
  return r == "admin" || r == "supervisor" || r == "counselor" || r == "front_desk" || r == "integration";
}

bool is_name(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '-'))
      return false;
  return true;
}

std::optional<std::int64_t> positive_id(const std::string& s) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

std::string time_text(const std::optional<ports::sys_seconds>& t) {
  return t ? date::format("%FT%TZ", *t) : std::string{"-"};
}

std::string sites_text(const std::vector<ports::id_t>& ids) {
  if (ids.empty()) return "all";
  std::string out;
  for (auto id : ids) {
    if (!out.empty()) out += ',';
    out += std::to_string(id);
  }
  return out;
}

template <class T>
T run_task(net::awaitable<T> task) {
  net::io_context io{1};
  auto result = net::co_spawn(io, std::move(task), net::use_future);
  io.run();
  return result.get();
}

int refused(const rejection& r) {
  for (const auto& f : r.fields) std::cerr << "rollcalld: token: " << f.message << "\n";
  return 1;
}

void print_list(const std::vector<ports::api_token>& tokens) {
  // Names, roles and dates only: secrets are never stored, hashes never shown.
  std::size_t width = 4;
  for (const auto& t : tokens) width = std::max(width, t.name.size());
  const auto pad = [](std::string s, std::size_t w) {
    s.resize(std::max(s.size(), w), ' ');
    return s;
  };
  std::cout << pad("NAME", width) << "  " << pad("ROLE", 11) << "  " << pad("SITES", 10) << "  " << pad("CREATED", 20)
            << "  " << pad("REVOKED", 20) << "  LAST USED\n";
  for (const auto& t : tokens)
    std::cout << pad(t.name, width) << "  " << pad(t.role, 11) << "  " << pad(sites_text(t.site_ids), 10) << "  "
              << pad(time_text(t.created_at), 20) << "  " << pad(time_text(t.revoked_at), 20) << "  "
              << time_text(t.last_used_at) << "\n";
}

}  // namespace

const char* token_usage() {
  return "usage: rollcalld [--config PATH] token create --name NAME --role ROLE [--site ID ...]\n"
         "       rollcalld [--config PATH] token revoke NAME\n"
         "       rollcalld [--config PATH] token list\n"
         "  ROLE is admin, supervisor, counselor, front_desk or integration; --site (repeatable)\n"
         "  limits the token to those sites (none: every site). create prints the secret on stdout,\n"
         "  once: only its hash is stored.\n";
}

std::optional<token_command> parse_token_command(const std::vector<std::string>& args, std::string& error) {
  token_command cmd;
  if (args.empty()) {
    error = "token: say create, revoke or list";
    return std::nullopt;
  }
  const auto& verb = args[0];
  if (verb == "list") {
    if (args.size() > 1) {
      error = "token list: unexpected argument '" + args[1] + "'";
      return std::nullopt;
    }
    cmd.what = token_command::action::list;
    return cmd;
  }
  if (verb == "revoke") {
    if (args.size() != 2) {
      error = "token revoke: name one token: token revoke NAME";
      return std::nullopt;
    }
    cmd.what = token_command::action::revoke;
    cmd.name = args[1];
    return cmd;
  }
  if (verb != "create") {
    error = "token: unknown action '" + verb + "' (create, revoke or list)";
    return std::nullopt;
  }
  cmd.what = token_command::action::create;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const auto& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--name" && has_value) {
      cmd.name = args[++i];
    } else if (a == "--role" && has_value) {
      cmd.role = args[++i];
    } else if (a == "--site" && has_value) {
      const auto id = positive_id(args[++i]);
      if (!id) {
        error = "token create: --site takes a site id (a positive integer), not '" + args[i] + "'";
        return std::nullopt;
      }
      cmd.site_ids.push_back(*id);
    } else {
      error = "token create: unexpected argument '" + a + "'";
      return std::nullopt;
    }
  }
  if (cmd.name.empty()) {
    error = "token create: --name is required";
  } else if (!is_name(cmd.name)) {
    error = "token create: the name must be 1-64 letters, digits, '.', '_' or '-'";
  } else if (cmd.role.empty()) {
    error = "token create: --role is required";
  } else if (!is_role(cmd.role)) {
    error = "token create: unknown role '" + cmd.role + "' (admin, supervisor, counselor, front_desk or integration)";
  } else if (cmd.role == "admin" && !cmd.site_ids.empty()) {
    error = "token create: an admin token sees every site; leave out --site or pick another role";
  }
  if (!error.empty()) return std::nullopt;
  return cmd;
}

int run_token_command(const token_command& cmd, const std::string& db_url) {
  store::db_pool pool{db_url, 1, store::sql::prepare_all};
  store::pg_api_token_store tokens{pool};
  // Named: the store's coroutines keep references to their arguments until they finish.
  const std::string who{actor};
  int code = 0;
  switch (cmd.what) {
    case token_command::action::create: {
      const auto secret = support::random_url_token();
      const ports::new_api_token in{cmd.name, cmd.role, cmd.site_ids, support::secret_hash(secret)};
      auto made = run_task(tokens.create_token(in, who));
      if (!made) {
        code = refused(made.error());
        break;
      }
      std::cout << secret << "\n" << std::flush;
      std::cerr << "rollcalld: token '" << made->name << "' created (role " << made->role << ", sites "
                << sites_text(made->site_ids) << "); its secret went to stdout, this once\n";
      break;
    }
    case token_command::action::revoke: {
      auto revoked = run_task(tokens.revoke_token(cmd.name, who));
      if (!revoked) {
        code = refused(revoked.error());
        break;
      }
      std::cerr << "rollcalld: token '" << revoked->name << "' revoked\n";
      break;
    }
    case token_command::action::list:
      print_list(run_task(tokens.list_tokens()));
      break;
  }
  pool.stop();
  return code;
}

}  // namespace rollcall::app
