// `xietong serve`: the transaction processor behind the HTTP server, on the
// embedded SQLite database (created from data/ when missing, as `demo`
// does). Settings come from the defaults of http::ServerOptions, then a
// JSON config file (--config), then the flags; each later one wins.
//
// Shutdown: SIGTERM or SIGINT stops accepting, lets accepted requests finish
// and be answered, then closes the store, which drains its writer. Every
// answer sent was durable before it was sent, so nothing acknowledged is
// lost; a second signal exits at once (still losing nothing acknowledged).
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "cli/cli_util.h"
#include "cli/http_commands.h"
#include "cli/progress.h"
#include "core/clock.h"
#include "http/server.h"
#include "service/accounts.h"
#include "service/clearing_service.h"
#include "service/counter_service.h"
#include "service/operator_service.h"
#include "service/credentials.h"
#include "service/processor.h"
#include "service/refdata.h"
#include "service/rest.h"
#include "service/results_service.h"
#include "store/store.h"
#include "tools/client.h"
#include "tools/demo.h"

namespace xt::cli {

namespace {

using json = nlohmann::json;

constexpr size_t kConfigBytesMax = 64 << 10;

struct ServeConfig {
  std::string db = "xietong.db";
  std::string data;  // empty: service::DefaultDataDir()
  std::string web;   // empty: the default search (WebFolder)
  http::ServerOptions server;
  service::AccountsOptions accounts;  // staff sessions: cookie_secure, session_idle_timeout_s
};

Status ConfigError(const std::string& file, const std::string& why) {
  return Status::Error("XT-CLI-003", "the config file " + file + " is invalid: " + why);
}

Status ParseListen(const std::string& text, http::ServerOptions* out) {
  const size_t colon = text.rfind(':');
  const std::string port = colon == std::string::npos ? std::string() : text.substr(colon + 1);
  bool digits = !port.empty() && port.size() <= 5;
  for (char c : port) digits = digits && c >= '0' && c <= '9';
  if (colon == 0 || !digits || std::stoi(port) > 65535) {
    return Status::Error("XT-CLI-003", "--listen must be HOST:PORT (e.g. 127.0.0.1:8080), not " + text);
  }
  out->host = text.substr(0, colon);
  out->port = std::stoi(port);
  return Status::Ok();
}

// Integer settings by name, shared by the config file and the flags.
struct IntSetting {
  const char* key;
  std::optional<int64_t> ServeArgs::*flag;
  void (*apply)(http::ServerOptions&, int64_t);
};

const IntSetting kIntSettings[] = {
    {"io_threads", &ServeArgs::io_threads,
     [](http::ServerOptions& o, int64_t v) { o.io_threads = static_cast<int>(v); }},
    {"threads", &ServeArgs::threads, [](http::ServerOptions& o, int64_t v) { o.threads = static_cast<int>(v); }},
    {"connections_max", &ServeArgs::connections_max,
     [](http::ServerOptions& o, int64_t v) { o.connections_max = static_cast<int>(v); }},
    {"payload_bytes_max", &ServeArgs::payload_bytes_max,
     [](http::ServerOptions& o, int64_t v) { o.payload_bytes_max = static_cast<size_t>(v); }},
    {"header_count_max", &ServeArgs::header_count_max,
     [](http::ServerOptions& o, int64_t v) { o.header_count_max = static_cast<int>(v); }},
    {"header_bytes_max", &ServeArgs::header_bytes_max,
     [](http::ServerOptions& o, int64_t v) { o.header_bytes_max = static_cast<size_t>(v); }},
    {"read_timeout_ms", &ServeArgs::read_timeout_ms,
     [](http::ServerOptions& o, int64_t v) { o.read_timeout_ms = static_cast<int>(v); }},
    {"write_timeout_ms", &ServeArgs::write_timeout_ms,
     [](http::ServerOptions& o, int64_t v) { o.write_timeout_ms = static_cast<int>(v); }},
    {"keep_alive_timeout_s", &ServeArgs::keep_alive_timeout_s,
     [](http::ServerOptions& o, int64_t v) { o.keep_alive_timeout_s = static_cast<int>(v); }},
    {"keep_alive_requests_max", &ServeArgs::keep_alive_requests_max,
     [](http::ServerOptions& o, int64_t v) { o.keep_alive_requests_max = static_cast<int>(v); }},
};

// Values beyond int range would wrap when applied; Validate then checks
// the real ranges.
bool FitsInt(int64_t v) { return v >= 0 && v <= 1'000'000'000; }

Status ApplyConfigFile(const std::string& file, ServeConfig* cfg) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::Error("XT-CLI-002", "cannot read " + file);
  std::string text(kConfigBytesMax + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kConfigBytesMax) return ConfigError(file, "larger than 64 KiB");
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return ConfigError(file, "not a JSON object");
  for (const auto& [key, value] : j.items()) {
    auto want_string = [&](std::string* out) -> Status {
      if (!value.is_string()) return ConfigError(file, key + " must be a string");
      *out = value.get<std::string>();
      return Status::Ok();
    };
    if (key == "db") {
      XT_RETURN_IF_ERROR(want_string(&cfg->db));
    } else if (key == "data") {
      XT_RETURN_IF_ERROR(want_string(&cfg->data));
    } else if (key == "web") {
      XT_RETURN_IF_ERROR(want_string(&cfg->web));
    } else if (key == "listen") {
      std::string listen;
      XT_RETURN_IF_ERROR(want_string(&listen));
      XT_RETURN_IF_ERROR(ParseListen(listen, &cfg->server));
    } else if (key == "access_log") {
      if (!value.is_boolean()) return ConfigError(file, "access_log must be true or false");
      cfg->server.access_log = value.get<bool>();
    } else if (key == "cookie_secure") {
      if (!value.is_boolean()) return ConfigError(file, "cookie_secure must be true or false");
      cfg->accounts.cookie_secure = value.get<bool>();
    } else if (key == "session_idle_timeout_s") {
      if (!value.is_number_integer() || !FitsInt(value.get<int64_t>())) {
        return ConfigError(file, key + " must be a whole number");
      }
      cfg->accounts.idle_timeout_s = static_cast<int>(value.get<int64_t>());
    } else {
      const IntSetting* setting = nullptr;
      for (const auto& s : kIntSettings) if (key == s.key) setting = &s;
      // A typo is refused, not ignored: a limit silently left at its
      // default is worse than a server that does not start.
      if (!setting) return ConfigError(file, "unknown key " + key);
      if (!value.is_number_integer() || !FitsInt(value.get<int64_t>())) {
        return ConfigError(file, key + " must be a whole number");
      }
      setting->apply(cfg->server, value.get<int64_t>());
    }
  }
  return Status::Ok();
}

Result<ServeConfig> Resolve(const ServeArgs& a) {
  ServeConfig cfg;
  if (!a.config.empty()) XT_RETURN_IF_ERROR(ApplyConfigFile(a.config, &cfg));
  if (a.db) cfg.db = *a.db;
  if (a.data) cfg.data = *a.data;
  if (a.web) cfg.web = *a.web;
  if (a.listen) XT_RETURN_IF_ERROR(ParseListen(*a.listen, &cfg.server));
  if (a.access_log) cfg.server.access_log = *a.access_log;
  for (const auto& s : kIntSettings) {
    const auto& v = a.*(s.flag);
    if (!v) continue;
    if (!FitsInt(*v)) return Status::Error("XT-CLI-003", std::string("--") + s.key + " is out of range");
    s.apply(cfg.server, *v);
  }
  if (a.cookie_secure) cfg.accounts.cookie_secure = true;
  if (a.session_idle_timeout_s) {
    if (!FitsInt(*a.session_idle_timeout_s)) return Status::Error("XT-CLI-003", "--session-idle-timeout-s is out of range");
    cfg.accounts.idle_timeout_s = static_cast<int>(*a.session_idle_timeout_s);
  }
  XT_RETURN_IF_ERROR(cfg.server.Validate());
  if (Status st = cfg.accounts.Validate(); !st.ok()) {
    return Status::Error("XT-CLI-003", "--session-idle-timeout-s must be 60..86400 seconds (" + st.message() + ")");
  }
  if (!cfg.web.empty() && !std::filesystem::is_directory(cfg.web)) {
    // Named but not there: a typo should stop the start, not serve the
    // page saying the application is not built.
    return Status::Error("XT-CLI-003", "--web " + cfg.web + " is not a folder");
  }
  return cfg;
}

// The application's folder: the one named, else web/dist beside the source
// tree of this binary (build/xietong -> web/dist), else ./web/dist; empty
// when none is there (the server then answers a page saying how to build it).
std::string WebFolder(const std::string& named) {
  if (!named.empty()) return named;
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::vector<std::filesystem::path> candidates;
  if (!ec) candidates.push_back(exe.parent_path().parent_path() / "web" / "dist");
  candidates.push_back(std::filesystem::path("web") / "dist");
  for (const auto& c : candidates) {
    if (std::filesystem::is_directory(c, ec)) return c.lexically_normal().string();
  }
  return {};
}

// Requests the user can paste: 1101 person info for the demo patient, as
// the demo hospital (with its key and a sign-in made for it here), and the
// same patient's settlements as the resident. Empty without demo keys.
std::string SampleRequests(store::Store& store, const service::RefData& ref, service::Processor& processor,
                           const std::vector<service::IssuedKey>& keys, const std::string& url) {
  const registry::Institution* inst = ref.registry.FindInstitution(service::kDemoFixmedinsCode);
  std::string certno;
  (void)store.Read([&](store::ReadTxn& txn) -> Status {
    auto p = txn.registry().FindPersonByPsnNo(service::kDemoPsnNo);
    if (p.ok() && *p) certno = (*p)->certno;
    return Status::Ok();
  });
  const service::IssuedKey* hospital = nullptr;
  const service::IssuedKey* resident = nullptr;
  for (const auto& k : keys) {
    if (k.credential.role == "hospital" && k.credential.scope == service::kDemoFixmedinsCode) hospital = &k;
    if (k.credential.role == "resident") resident = &k;
  }
  if (!inst || certno.empty() || !hospital || !resident) return {};
  service::HospitalClient client(inst->fixmedins_code, inst->admdvs, &SystemClock::Instance());
  const service::Caller caller{service::Role::kHospital, hospital->credential.scope, hospital->credential.key_id};
  const json signed_in = json::parse(
      processor.Call(caller, client.Envelope("9001", R"({"signIn":{"opter_no":"demo","mac":"","ip":"127.0.0.1"}})", ""),
                     nullptr),
      nullptr, false);
  if (signed_in.is_discarded() || signed_in.value("infcode", -1) != 0) return {};
  const std::string sign_no = signed_in["output"]["signinoutb"].value("sign_no", "");
  const nlohmann::ordered_json body = {{"infno", "1101"},
                                       {"msgid", client.NextMsgid()},
                                       {"mdtrtarea_admvs", inst->admdvs},
                                       {"insuplc_admdvs", ""},
                                       {"fixmedins_code", inst->fixmedins_code},
                                       {"opter", "demo"},
                                       {"sign_no", sign_no},
                                       {"input", {{"data", {{"mdtrt_cert_type", "02"}, {"mdtrt_cert_no", certno}}}}}};
  return "  curl -s " + url + std::string(http::kEnvelopePath) + " -H 'Authorization: Bearer " + hospital->api_key +
         "' -H 'Content-Type: application/json' -d '" + body.dump() + "'\n\n" +
         "and the demo patient's own settlements, as the resident:\n\n  curl -s " + url +
         "/api/v1/settlements -H 'Authorization: Bearer " + resident->api_key + "'\n";
}

}  // namespace

CLI::App* AddServeCommand(CLI::App& app, ServeArgs* a) {
  auto* cmd = app.add_subcommand("serve", "serve the national interface over HTTP (POST /fsi/api/callService), "
                                          "with /healthz and /metrics");
  cmd->add_option("--config", a->config, "JSON file whose keys mirror these flags (db, listen, threads, ...); "
                                         "flags override it");
  cmd->add_option("--db", a->db, "SQLite database file, created from data/ when missing (default xietong.db)");
  cmd->add_option("--data", a->data, "data folder to load when the database is created");
  cmd->add_option("--listen", a->listen, "HOST:PORT to listen on (default 127.0.0.1:8080; port 0: any free port)");
  cmd->add_option("--io-threads", a->io_threads, "event-loop threads serving the connections (default 2)");
  cmd->add_option("--threads", a->threads, "threads for the REST routes, which may wait on the store (default 16)");
  cmd->add_option("--connections-max", a->connections_max,
                  "open connections; one more is answered 503 and closed (default 10000)");
  cmd->add_option("--payload-bytes-max", a->payload_bytes_max, "largest request body (default 1 MiB)");
  cmd->add_option("--header-count-max", a->header_count_max, "most headers in a request (default 64)");
  cmd->add_option("--header-bytes-max", a->header_bytes_max, "largest total of header bytes (default 16 KiB)");
  cmd->add_option("--read-timeout-ms", a->read_timeout_ms, "a request being read must progress within (default 5000)");
  cmd->add_option("--write-timeout-ms", a->write_timeout_ms, "an answer being written must progress within (default 5000)");
  cmd->add_option("--keep-alive-timeout-s", a->keep_alive_timeout_s, "idle kept-alive connections close after (default 5)");
  cmd->add_option("--keep-alive-requests-max", a->keep_alive_requests_max,
                  "requests on one connection before it closes (default 1000)");
  cmd->add_option("--web", a->web, "folder of the built browser application (default: web/dist beside the source "
                                   "tree of this binary, then ./web/dist)");
  cmd->add_option("--access-log", a->access_log, "one JSON line per request on stderr: true or false (default true)");
  cmd->add_flag("--cookie-secure", a->cookie_secure,
                "mark the staff session cookie Secure (required when the server is reached over TLS)");
  cmd->add_option("--session-idle-timeout-s", a->session_idle_timeout_s,
                  "a staff session unused this long has ended (default 900, sample)");
  cmd->add_flag("--demo-credentials", a->demo_credentials,
                "issue and print keys for one hospital per region, one agency per region, the demo resident and "
                "an operator (earlier demo keys are revoked), and provide and print one demo staff account per "
                "role with its sample password");
  return cmd;
}

// `xietong serve`, in the order the process must go: signals blocked
// before any thread starts, the store, reference data, services, the
// server, then the wait for a signal and the orderly stop. Kept as one
// sequence so that the order of start and stop is read in one place.
int RunServe(const ServeArgs& args) {
  auto cfg = Resolve(args);
  if (!cfg.ok()) return Fail(cfg.status());

  // SIGTERM and SIGINT are taken by a watcher thread (sigtimedwait), so they
  // are blocked here, before the store and the server start their threads,
  // which inherit the mask. A client gone mid-answer must not kill us.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto opened = OpenDatabase(cfg->db, /*create=*/true, cfg->data, /*progress_bar=*/true);
  if (!opened.ok()) return Fail(opened.status());
  std::unique_ptr<store::Store> store = std::move(opened->store);
  std::unique_ptr<service::RefData> ref = std::move(opened->ref);
  auto processor = std::make_unique<service::Processor>(store.get(), ref.get(), &SystemClock::Instance());
  auto api = std::make_unique<service::Api>(store.get(), ref.get(), &SystemClock::Instance());
  auto auth = std::make_unique<service::Authenticator>(store.get());
  auto clearing = std::make_unique<service::ClearingService>(store.get(), &SystemClock::Instance());
  auto counter = std::make_unique<service::CounterService>(processor.get(), store.get(), ref.get(), &SystemClock::Instance());
  auto accounts = std::make_unique<service::Accounts>(store.get(), &SystemClock::Instance(), cfg->accounts);
  auto operators = std::make_unique<service::OperatorService>(store.get(), ref.get(), &SystemClock::Instance());
  const http::Services services{processor.get(), auth.get(),     api.get(),      &api->results(), clearing.get(),
                                counter.get(),   accounts.get(), operators.get()};
  cfg->server.web_dir = WebFolder(cfg->web);
  auto server = std::make_unique<http::HttpServer>(services, cfg->server);
  Status st = server->Bind();
  if (!st.ok()) return Fail(st);

  const std::string url = "http://" + server->address();
  std::printf("xietong serve: listening on %s (database %s, %d event loops)\n", url.c_str(), cfg->db.c_str(),
              cfg->server.io_threads);
  std::vector<service::IssuedKey> keys;
  std::vector<service::DemoAccount> staff;
  if (args.demo_credentials) {
    auto issued = service::IssueDemoCredentials(store.get(), *ref, SystemClock::Instance().NowLocal());
    if (!issued.ok()) return Fail(issued.status());
    keys = std::move(issued).value();
    std::printf("\nDemo credentials (shown once; only their hashes are stored). Send as 'Authorization: Bearer KEY':\n\n");
    for (const auto& k : keys) {
      std::printf("  %-8s %-14s %s\n", k.credential.role.c_str(), k.credential.scope.c_str(), k.api_key.c_str());
    }
    const std::string sample = SampleRequests(*store, *ref, *processor, keys, url);
    if (!sample.empty()) {
      std::printf("\nTry it: 1101 person info for the demo patient, as the demo hospital %s (signed in for you):\n\n%s",
                  service::kDemoFixmedinsCode, sample.c_str());
    }
    auto provided = service::ProvideDemoAccounts(store.get(), *ref, SystemClock::Instance().NowLocal());
    if (!provided.ok()) return Fail(provided.status());
    staff = std::move(provided).value();
  } else {
    std::printf("\nEvery route but /healthz and /openapi.json needs a key: `xietong credentials issue --db %s ...`, "
                "or start with --demo-credentials.\n",
                cfg->db.c_str());
  }
  std::printf("\nAlso GET %s/healthz, %s/openapi.json and %s/metrics (operator key).\n", url.c_str(), url.c_str(),
              url.c_str());
  if (cfg->server.web_dir.empty()) {
    std::printf("\nNo web application folder (web/dist, or --web DIR): %s/ answers a page saying so.\n", url.c_str());
  } else if (!staff.empty()) {
    // Last, so that it is what the terminal shows when the server is up.
    std::printf("\nDemo staff accounts for the web application (sample passwords, for a demo only):\n\n");
    std::printf("  %-14s %-21s %-9s %-8s %-17s %s\n", "user name", "password", "role", "duty", "scope", "for");
    for (const auto& d : staff) {
      const auto& n = d.account;
      std::printf("  %-14s %-21s %-9s %-8s %-17s %s\n", n.username.c_str(), d.password.c_str(),
                  std::string(service::RoleName(n.role)).c_str(),
                  n.duty ? std::string(service::DutyName(*n.duty)).c_str() : "-", n.scope.c_str(), d.purpose.c_str());
    }
    std::printf("\nOpen %s/ in a browser and sign in with one of these accounts.\n", url.c_str());
  } else {
    std::printf("\nThe web application: %s/ (from %s).\n", url.c_str(), cfg->server.web_dir.c_str());
  }
  std::printf("Stop with Ctrl-C or SIGTERM (finishes what was accepted).\n");
  std::fflush(stdout);

  std::atomic<bool> served{false};
  std::thread watcher([&] {
    int signals_seen = 0;
    while (!served.load()) {
      timespec wait{0, 200 * 1000 * 1000};
      const int sig = sigtimedwait(&stop_signals, nullptr, &wait);
      if (sig <= 0) continue;
      if (++signals_seen == 1) {
        std::fprintf(stderr, "xietong serve: %s: stopping (answering what was accepted; again to exit now)\n",
                     strsignal(sig));
        server->Stop();
      } else {
        // Every answer already sent was durable; the WAL recovers the rest.
        std::fprintf(stderr, "xietong serve: exiting now\n");
        _exit(1);
      }
    }
  });
  st = server->Serve();
  served.store(true);
  watcher.join();
  const int64_t answered = processor->stats().calls;
  server.reset();
  counter.reset();
  accounts.reset();
  clearing.reset();
  api.reset();
  auth.reset();
  processor.reset();
  store.reset();  // drains the writer and checkpoints
  if (!st.ok()) return Fail(st);
  std::fprintf(stderr, "xietong serve: stopped (envelopes answered: %lld); database closed\n",
               static_cast<long long>(answered));
  return 0;
}

}  // namespace xt::cli
