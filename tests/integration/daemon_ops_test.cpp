// rollcalld as an operator meets it: config errors, migrations, the embedded database,
// signals and the sd_notify protocol.
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include <pqxx/pqxx>

#include "clinic_fixture.hpp"

namespace rollcall::testing {
namespace {

using namespace std::chrono_literals;

TEST(config_check, a_valid_file_passes_and_each_bad_key_is_named_with_its_line) {
  daemon_process good{"[planner]\nhorizon = \"7d\"\n"};
  EXPECT_EQ(good.run_to_exit({"--config", good.config_path().string(), "--check-config"}), 0) << good.log();

  struct bad_case {
    std::string toml, must_mention;
  };
  for (const auto& c : std::vector<bad_case>{
           {"[planner]\nhorizn = \"7d\"\n", "unknown key 'planner.horizn'"},
           {"[planner]\n\nhorizon = 7\n", ":3: key 'planner.horizon'"},
           {"[attendance]\ngrace = \"-5m\"\n", "must not be negative"},
           {"[delivery]\nwebhook_url = \"not a url\"\n", "key 'delivery.webhook_url'"},
           {"[log]\nlevel = \"loud\"\n", "key 'log.level'"},
           {"[server]\nport = 70000\n", "key 'server.port'"},
           {"[[templates]]\nkind = \"reminder\"\nchannel = \"sms\"\nbody = \"Hi {first_name}, take {dosage}\"\n",
            "unknown placeholder {dosage}"},
           {"[[templates]]\nkind = \"reminder\"\nchannel = \"sms\"\nbody = \"Your therapy: {date} {time}\"\n",
            "therapy"},
       }) {
    daemon_process bad{c.toml, true};
    EXPECT_EQ(bad.run_to_exit({"--config", bad.config_path().string(), "--check-config"}), 78) << c.toml;
    const auto log = bad.log();
    EXPECT_NE(log.find(c.must_mention), std::string::npos) << log;
    EXPECT_NE(log.find(bad.config_path().string()), std::string::npos) << log;
  }
  daemon_process broken{"[planner\n", true};
  EXPECT_EQ(broken.run_to_exit({"--config", broken.config_path().string(), "--check-config"}), 78);
  EXPECT_NE(broken.log().find(":1:"), std::string::npos) << broken.log();
}

TEST(config_check, the_shipped_example_passes_the_real_binary_check) {
  // tests/unit/config_test.cpp checks that it shows every key with its default.
  const std::filesystem::path example = ROLLCALL_SOURCE_DIR "/config/rollcall.toml";
  daemon_process check{"", true};
  EXPECT_EQ(check.run_to_exit({"--config", example.string(), "--check-config"}), 0) << check.log();
}

TEST(migrations, concurrent_migrate_only_runs_apply_each_migration_once) {
  const auto url = shared_cluster().create_database();
  daemon_process a{"[database]\nurl = \"" + url + "\"\n"};
  daemon_process b{"[database]\nurl = \"" + url + "\"\n"};
  int code_a = -1, code_b = -1;
  std::thread ta{[&] { code_a = a.run_to_exit({"--config", a.config_path().string(), "--migrate-only"}); }};
  std::thread tb{[&] { code_b = b.run_to_exit({"--config", b.config_path().string(), "--migrate-only"}); }};
  ta.join();
  tb.join();
  EXPECT_EQ(code_a, 0) << a.log();
  EXPECT_EQ(code_b, 0) << b.log();
  pqxx::connection c{url};
  pqxx::read_transaction tx{c};
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM schema_migrations")[0].as<int>(),
            tx.exec1("SELECT count(DISTINCT version) FROM schema_migrations")[0].as<int>());
  EXPECT_GE(tx.exec1("SELECT count(*) FROM schema_migrations")[0].as<int>(), 1);
  EXPECT_TRUE(tx.exec1("SELECT to_regclass('outbox') IS NOT NULL")[0].as<bool>());
}

TEST(embedded_database, runs_a_private_cluster_and_stops_it_on_exit) {
  daemon_process d{""};
  ASSERT_TRUE(d.start(120s)) << d.log();
  auto ready = d.get("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  const auto data = d.dir() / "state" / "postgres" / "data";
  EXPECT_TRUE(std::filesystem::exists(data / "postmaster.pid"));
  // Only a unix socket: no TCP port in the cluster's settings.
  std::ifstream conf(data / "rollcall.conf");
  std::string settings{std::istreambuf_iterator<char>(conf), {}};
  EXPECT_NE(settings.find("listen_addresses = ''"), std::string::npos);
  EXPECT_EQ(d.post("/v1/sites", {{"name", "Eastside"}, {"time_zone", "Europe/London"}}).status, 201);
  // A one-off command beside the running daemon uses its cluster and leaves it running.
  EXPECT_EQ(d.run_to_exit({"--config", d.config_path().string(), "--migrate-only"}), 0) << d.log();
  EXPECT_EQ(d.get("/readyz").status, 200);
  EXPECT_TRUE(std::filesystem::exists(data / "postmaster.pid"));
  EXPECT_EQ(d.stop(SIGTERM), 0) << d.log();
  EXPECT_FALSE(std::filesystem::exists(data / "postmaster.pid")) << "the cluster must stop with rollcalld";

  // A second run reuses the cluster and its data.
  ASSERT_TRUE(d.start(120s)) << d.log();
  EXPECT_EQ(d.get("/v1/sites/1").status, 200);
  EXPECT_EQ(d.stop(SIGINT), 0);
  const auto log = d.log();
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n') > 0, true);
  std::size_t inits = 0;
  for (auto pos = log.find("initialising a new cluster"); pos != std::string::npos;
       pos = log.find("initialising a new cluster", pos + 1))
    ++inits;
  EXPECT_EQ(inits, 1u);
}

// Listens on a unix datagram socket the way systemd does for Type=notify services.
class notify_listener {
 public:
  explicit notify_listener(const std::filesystem::path& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("bind notify socket");
    timeval tv{0, 100'000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~notify_listener() { close(fd_); }
  // Reads datagrams until one contains `what` or the timeout passes.
  bool wait_for(const std::string& what, std::chrono::milliseconds timeout) {
    return eventually(
        [&] {
          char buf[4096];
          for (ssize_t n; (n = recv(fd_, buf, sizeof buf, 0)) > 0;)
            seen_.append(buf, static_cast<std::size_t>(n)).push_back('\n');
          return seen_.find(what) != std::string::npos;
        },
        timeout);
  }
  const std::string& seen() const { return seen_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::string seen_;
};

TEST_F(clinic_test, sd_notify_ready_watchdog_reloading_and_stopping) {
  temp_dir dir;
  notify_listener notify{dir.path() / "notify.sock"};
  db_url = shared_cluster().create_database();
  daemon = std::make_unique<daemon_process>(
      config_toml({}), false,
      std::map<std::string, std::string>{{"NOTIFY_SOCKET", (dir.path() / "notify.sock").string()},
                                         {"WATCHDOG_USEC", "200000"}});
  ASSERT_TRUE(daemon->start()) << daemon->log();
  EXPECT_TRUE(notify.wait_for("READY=1", 10s)) << notify.seen();
  EXPECT_TRUE(notify.wait_for("WATCHDOG=1", 5s)) << notify.seen();

  // SIGHUP: a changed reloadable key takes effect; a broken file keeps the running config.
  {
    std::ofstream out(daemon->config_path(), std::ios::app);
    out << "\n";
  }
  daemon->send_signal(SIGHUP);
  EXPECT_TRUE(notify.wait_for("RELOADING=1", 5s)) << notify.seen();
  EXPECT_TRUE(eventually([&] { return daemon->log().find("configuration reloaded") != std::string::npos; }, 5s));
  {
    std::ofstream out(daemon->config_path(), std::ios::app);
    out << "\n[planner]\nnot_a_key = 1\n";
  }
  daemon->send_signal(SIGHUP);
  EXPECT_TRUE(
      eventually([&] { return daemon->log().find("kept the running configuration") != std::string::npos; }, 5s));
  EXPECT_TRUE(daemon->running());
  EXPECT_EQ(daemon->get("/healthz").status, 200);

  EXPECT_EQ(daemon->stop(SIGTERM), 0);
  EXPECT_TRUE(notify.wait_for("STOPPING=1", 5s)) << notify.seen();
}

}  // namespace
}  // namespace rollcall::testing
