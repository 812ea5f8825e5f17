#include "rollcall/app/import_command.hpp"

#include <fstream>
#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include "rollcall/phone/gawk_phone_normalizer.hpp"
#include "rollcall/services/importer.hpp"
#include "rollcall/store/pg_import_store.hpp"
#include "rollcall/store/sql.hpp"

namespace rollcall::app {

namespace net = boost::asio;

int run_import_command(const options& opts, const config::config& cfg, const std::string& db_url) {
  const auto kind = domain::parse_import_kind(*opts.import_kind);
  if (!kind) {
    std::cerr << "rollcalld: --import takes clients, staff, family_contacts or enrollments\n";
    return 2;
  }
  std::ifstream in(opts.import_file, std::ios::binary);
  if (!in) {
    std::cerr << "rollcalld: cannot read " << opts.import_file << "\n";
    return 2;
  }
  const std::string csv{std::istreambuf_iterator<char>(in), {}};

  net::io_context io{1};
  store::db_pool pool{db_url, 1, store::sql::prepare_all};
  store::event_subscriptions events;
  std::vector<store::event_subscription> subs;
  for (const auto& e : cfg.event_subscriptions) subs.push_back({e.name, e.url, e.events});
  events.set(std::move(subs));
  store::pg_import_store store{pool, events};
  phone::gawk_phone_normalizer phones;
  services::importer importer{store, phones};
  importer.set_settings({cfg.imports.default_region, cfg.delivery.allow_http});
  const std::string actor = "cli";
  auto result = net::co_spawn(io, importer.import_csv(*kind, csv, opts.import_dry_run, actor), net::use_future);
  io.run();
  const auto report = result.get();
  std::cout << boost::json::serialize(services::to_json(report)) << "\n";
  return report.ok() ? 0 : 1;
}

}  // namespace rollcall::app
