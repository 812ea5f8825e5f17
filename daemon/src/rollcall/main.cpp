// rollcalld: argv -> options -> app::run; one top-level catch turns failures into exit codes.
#include <cstring>
#include <iostream>

#include "rollcall/app/app.hpp"
#include "rollcall/app/token_command.hpp"
#include "rollcall/config/config.hpp"

namespace {
void usage(std::ostream& out) {
  out << "usage: rollcalld [--config PATH] [--check-config] [--migrate-only] [--preview SITE FROM TO]\n"
         "                 [--import KIND FILE [--dry-run]] [--help-config] [--version]\n"
         "       rollcalld [--config PATH] token create|revoke|list ...\n"
         "  --config PATH    read the TOML configuration at PATH (defaults only when absent)\n"
         "  --check-config   validate the configuration and exit (0 when valid)\n"
         "  --migrate-only   apply database migrations and exit\n"
         "  --preview SITE FROM TO\n"
         "                   print, one JSON object a line, every message that would go out for site\n"
         "                   SITE on local dates FROM..TO (YYYY-MM-DD), without sending anything\n"
         "  --import KIND FILE [--dry-run]\n"
         "                   import a CSV file of clients, staff, family_contacts or enrollments, all\n"
         "                   rows or none, and print the report as JSON (exit 1 when a row is bad);\n"
         "                   --dry-run checks every row and writes nothing\n"
         "  --help-config    list every configuration key with its default\n"
         "  token create --name NAME --role ROLE [--site ID ...] | token revoke NAME | token list\n"
         "                   manage the API's bearer tokens (the schema must be migrated; see below)\n\n"
      << rollcall::app::token_usage();
}
}  // namespace

int main(int argc, char** argv) {
  rollcall::app::options opts;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      opts.config_file = argv[++i];
    } else if (arg == "--check-config") {
      opts.check_config = true;
    } else if (arg == "--migrate-only") {
      opts.migrate_only = true;
    } else if (arg == "--preview" && i + 3 < argc) {
      try {
        opts.preview_site = std::stoll(argv[++i]);
      } catch (const std::exception&) {
        std::cerr << "rollcalld: --preview takes a site id, then two dates YYYY-MM-DD\n";
        return 2;
      }
      opts.preview_from = argv[++i];
      opts.preview_to = argv[++i];
    } else if (arg == "--import" && i + 2 < argc) {
      opts.import_kind = argv[++i];
      opts.import_file = argv[++i];
    } else if (arg == "token") {
      // Everything after `token` belongs to the token command (checked before any database work).
      opts.token_args = std::vector<std::string>(argv + i + 1, argv + argc);
      break;
    } else if (arg == "--dry-run") {
      opts.import_dry_run = true;
    } else if (arg == "--version") {
      std::cout << "rollcalld " ROLLCALL_VERSION "\n";
      return 0;
    } else if (arg == "--help-config") {
      for (const auto& k : rollcall::config::documented_keys())
        std::cout << k.name << " = " << k.default_value << "  # " << k.type << (k.reloadable ? ", reloadable" : "")
                  << ": " << k.doc << "\n";
      return 0;
    } else if (arg == "--help" || arg == "-h") {
      usage(std::cout);
      return 0;
    } else {
      std::cerr << "rollcalld: unknown argument '" << arg << "'\n";
      usage(std::cerr);
      return 2;
    }
  }
  try {
    return rollcall::app::run(opts);
  } catch (const rollcall::config::config_error& e) {
    std::cerr << "rollcalld: config error: " << e.what() << "\n";
    return 78;  // EX_CONFIG
  } catch (const std::exception& e) {
    std::string what = e.what();
    std::cerr << "rollcalld: fatal: " << what.substr(0, what.find('\n')) << "\n";
    return 1;
  }
}
