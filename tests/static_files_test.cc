// The browser application served by the real server on 127.0.0.1 from a
// folder made here (an index.html and hashed files under assets/), as a
// browser asks for it: the files with their content types, cache and
// security headers, index.html for the application's own paths, a 404 for
// a missing asset, path traversal refused (plain, percent-encoded, with an
// empty segment), the APIs answering as before, and the page saying that no
// application folder was found.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "http/static_files.h"
#include "http_util.h"
#include "test_env.h"

namespace xt::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kIndexHtml = "<!doctype html><title>Xietong</title><div id=app></div>";
constexpr const char* kAppJs = "console.log('counter');";
constexpr const char* kSecret = "secret beside the web folder";
constexpr const char* kCsp =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

void WriteFile(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// One request on a fresh connection, written as is (no client rewrites the
// path), and the whole answer, head and body, read until the server closes.
std::string RawGet(int port, const std::string& target, const std::string& extra_headers = "") {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + extra_headers + "\r\n";
  EXPECT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    env_ = std::make_unique<Env>(name + ".db");
    root_ = fs::temp_directory_path() / ("xt-web-test-" + std::to_string(::getpid()) + "-" + name);
    fs::remove_all(root_);
    web_ = root_ / "dist";
    WriteFile(web_ / "index.html", kIndexHtml);
    WriteFile(web_ / "assets" / "index-3f2a91.js", kAppJs);
    WriteFile(web_ / "assets" / "index-3f2a91.js.gz", "gzip bytes of the script");
    WriteFile(web_ / "assets" / "index-77aa01.css", "body{margin:0}");
    WriteFile(web_ / "assets" / "logo-1b2c3d.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>");
    WriteFile(web_ / "assets" / "seal-9e8d7c.png", std::string("\x89PNG\r\n\x1a\n", 8));
    WriteFile(web_ / "assets" / "font-5a5a5a.woff2", "wOF2");
    WriteFile(web_ / "assets" / "index-3f2a91.js.map", "{\"version\":3}");
    WriteFile(web_ / "favicon.ico", std::string("\0\0\1\0", 4));
    WriteFile(web_ / "manifest.json", "{\"name\":\"Xietong\"}");
    WriteFile(root_ / "secret.txt", kSecret);
    Start(web_.string());
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(root_);
  }

  void Start(const std::string& web_dir) {
    server_.reset();
    http::ServerOptions o = TestOptions();
    o.web_dir = web_dir;
    server_ = std::make_unique<RunningServer>(*env_, o);
    cli_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    cli_->set_read_timeout(10, 0);
  }

  static void ExpectPageHeaders(const httplib::Result& res) {
    EXPECT_EQ(res->get_header_value("Content-Security-Policy"), kCsp);
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(res->get_header_value("Referrer-Policy"), "no-referrer");
  }

  std::unique_ptr<Env> env_;
  fs::path root_;
  fs::path web_;
  std::unique_ptr<RunningServer> server_;
  std::unique_ptr<httplib::Client> cli_;
};

TEST_F(StaticFilesTest, IndexAndAssetsWithTheirTypesAndHeaders) {
  auto index = cli_->Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->body, kIndexHtml);
  EXPECT_EQ(index->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(index->get_header_value("Cache-Control"), "no-cache");
  ExpectPageHeaders(index);

  auto js = cli_->Get("/assets/index-3f2a91.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->body, kAppJs);
  EXPECT_EQ(js->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  ExpectPageHeaders(js);

  const struct {
    const char* path;
    const char* type;
    const char* cache;
  } kFiles[] = {
      {"/assets/index-3f2a91.js", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
      {"/assets/index-77aa01.css", "text/css; charset=utf-8", "public, max-age=31536000, immutable"},
      {"/assets/logo-1b2c3d.svg", "image/svg+xml", "public, max-age=31536000, immutable"},
      {"/assets/seal-9e8d7c.png", "image/png", "public, max-age=31536000, immutable"},
      {"/assets/font-5a5a5a.woff2", "font/woff2", "public, max-age=31536000, immutable"},
      {"/assets/index-3f2a91.js.map", "application/json", "public, max-age=31536000, immutable"},
      {"/favicon.ico", "image/x-icon", "no-cache"},
      {"/manifest.json", "application/json", "no-cache"},
      {"/index.html", "text/html; charset=utf-8", "no-cache"},
  };
  for (const auto& f : kFiles) {
    auto res = cli_->Get(f.path);
    ASSERT_TRUE(res) << f.path;
    EXPECT_EQ(res->status, 200) << f.path;
    EXPECT_EQ(res->get_header_value("Content-Type"), f.type) << f.path;
    EXPECT_EQ(res->get_header_value("Cache-Control"), f.cache) << f.path;
    std::ifstream in(web_ / std::string(f.path).substr(1), std::ios::binary);
    const std::string want((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(res->body, want) << f.path;
  }
}

TEST_F(StaticFilesTest, ApplicationPathsAnswerIndexButMissingAssetsAre404) {
  for (const char* path : {"/counter", "/counter/visits/M120103000012026112000001", "/agency/",
                           "/no-such-file.png"}) {
    auto res = cli_->Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path;
    EXPECT_EQ(res->body, kIndexHtml) << path;
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8") << path;
    EXPECT_EQ(res->get_header_value("Cache-Control"), "no-cache") << path;
    ExpectPageHeaders(res);
  }
  auto missing = cli_->Get("/assets/index-000000.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body, kIndexHtml);
  EXPECT_EQ(json::parse(missing->body)["err_code"], "XT-WEB-003");
  ExpectPageHeaders(missing);
}

TEST_F(StaticFilesTest, PathTraversalIsRefused) {
  for (const char* target : {"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/assets/..%2f..%2fsecret.txt",
                             "/assets/%2e%2e/%2e%2e/secret.txt", "/./index.html", "//etc/passwd",
                             "/assets//index-3f2a91.js", "/..%5csecret.txt", "/%00index.html"}) {
    const std::string answer = RawGet(server_->port(), target);
    EXPECT_EQ(answer.rfind("HTTP/1.1 400 ", 0), 0u) << target << ": " << answer.substr(0, 200);
    EXPECT_NE(answer.find("XT-WEB-001"), std::string::npos) << target;
    EXPECT_EQ(answer.find(kSecret), std::string::npos) << target;
    EXPECT_EQ(answer.find(kIndexHtml), std::string::npos) << target;
  }
  // A link inside the folder pointing out of it is not served either.
  fs::create_symlink(root_ / "secret.txt", web_ / "assets" / "linked-aaaaaa.txt");
  Start(web_.string());
  const std::string linked = RawGet(server_->port(), "/assets/linked-aaaaaa.txt");
  EXPECT_EQ(linked.rfind("HTTP/1.1 404 ", 0), 0u) << linked.substr(0, 200);
  EXPECT_EQ(linked.find(kSecret), std::string::npos);
}

TEST_F(StaticFilesTest, PrecompressedSiblingWhenTheClientTakesIt) {
  const std::string gz = RawGet(server_->port(), "/assets/index-3f2a91.js", "Accept-Encoding: br, gzip\r\n");
  EXPECT_NE(gz.find("Content-Encoding: gzip\r\n"), std::string::npos) << gz.substr(0, 400);
  EXPECT_NE(gz.find("Vary: Accept-Encoding\r\n"), std::string::npos);
  EXPECT_NE(gz.find("\r\n\r\ngzip bytes of the script"), std::string::npos);
  EXPECT_NE(gz.find("Content-Type: text/javascript; charset=utf-8\r\n"), std::string::npos);
  for (const char* header : {"", "Accept-Encoding: identity\r\n", "Accept-Encoding: gzip;q=0\r\n"}) {
    const std::string plain = RawGet(server_->port(), "/assets/index-3f2a91.js", header);
    EXPECT_EQ(plain.find("Content-Encoding"), std::string::npos) << header;
    EXPECT_NE(plain.find(std::string("\r\n\r\n") + kAppJs), std::string::npos) << header;
  }
}

TEST_F(StaticFilesTest, ApiRoutesAreUnaffected) {
  auto health = cli_->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(json::parse(health->body)["status"], "ok");
  auto doc = cli_->Get("/openapi.json");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->status, 200);
  EXPECT_TRUE(json::parse(doc->body).contains("paths"));
  auto me = cli_->Get("/api/v1/me");
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 401);
  EXPECT_EQ(json::parse(me->body)["err_code"], "XT-AUTH-001");
  auto metrics = cli_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 401);
  auto nowhere = cli_->Get("/api/v1/nowhere");
  ASSERT_TRUE(nowhere);
  EXPECT_EQ(nowhere->status, 404);
  EXPECT_EQ(json::parse(nowhere->body)["err_code"], "XT-HTTP-002");
  auto fsi = cli_->Get("/fsi/api/callService");
  ASSERT_TRUE(fsi);
  EXPECT_EQ(fsi->status, 405);
  auto other_fsi = cli_->Get("/fsi/elsewhere");
  ASSERT_TRUE(other_fsi);
  EXPECT_EQ(other_fsi->status, 404);
  EXPECT_NE(other_fsi->body, kIndexHtml);
  // A POST to a page path is not the application's.
  auto post = cli_->Post("/counter", "{}", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 404);
}

TEST_F(StaticFilesTest, WithoutTheFolderThePageSaysHowToBuild) {
  Start("");
  auto index = cli_->Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(index->body.find("--web DIR"), std::string::npos) << index->body;
  ExpectPageHeaders(index);
  auto health = cli_->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);

  auto gone = http::StaticFiles::Load((root_ / "no-such-folder").string());
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), "XT-WEB-002");
}

}  // namespace
}  // namespace xt::testing
