// The application's files, read once and answered from memory
// (static_files.h says why).
#include "http/static_files.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "core/json_writer.h"

namespace xt::http {

namespace {

namespace fs = std::filesystem;

// What every answer of the static side carries (the contract of the pages).
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";
constexpr std::string_view kAssetsPrefix = "assets/";
constexpr std::string_view kIndex = "index.html";
// Hashed names never change content: a year, and never revalidated.
constexpr std::string_view kCacheImmutable = "public, max-age=31536000, immutable";
// Everything else (index.html above all) is revalidated on every use, so a
// new build is seen at once.
constexpr std::string_view kCacheRevalidate = "no-cache";

void AddPageHeaders(StaticAnswer* a) {
  a->headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
  a->headers.emplace_back("X-Content-Type-Options", "nosniff");
  a->headers.emplace_back("Referrer-Policy", "no-referrer");
}

StaticAnswer Refusal(int status, std::string_view code, std::string_view message) {
  StaticAnswer a;
  a.status = status;
  a.content_type = "application/json";
  JsonWriter w;
  w.BeginObject().Field("err_code", code).Field("err_msg", message).EndObject();
  a.body = w.Take();
  a.err_code = std::string(code);
  a.headers.emplace_back("Cache-Control", std::string(kCacheRevalidate));
  AddPageHeaders(&a);
  return a;
}

// The page answered when the server has no application folder.
constexpr std::string_view kNotBuiltPage =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Xietong</title></head>\n"
    "<body><h1>Xietong</h1><p>No web application is served here: the server found no application folder "
    "(<code>web/dist</code> beside its build, or the folder named by <code>--web DIR</code>).</p>"
    "<p>The APIs answer as usual: <a href=\"/openapi.json\">/openapi.json</a>.</p></body></html>\n";

// The path's segments after the leading '/', or false when one would leave
// the folder or is not a plain file name: ".", "..", an empty segment (but
// a trailing '/'), a backslash, a control character.
bool SafeRelative(std::string_view path, std::string* out) {
  if (path.empty() || path.front() != '/') return false;
  std::string_view rest = path.substr(1);
  for (char c : rest) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F || c == '\\') return false;
  }
  std::string_view segments = rest;
  if (!segments.empty() && segments.back() == '/') segments.remove_suffix(1);
  if (segments.empty()) {
    if (!rest.empty()) return false;  // "//"
    *out = std::string();
    return true;
  }
  for (;;) {
    const size_t slash = segments.find('/');
    const std::string_view seg = segments.substr(0, slash);
    if (seg.empty() || seg == "." || seg == "..") return false;
    if (slash == std::string_view::npos) break;
    segments.remove_prefix(slash + 1);
  }
  *out = std::string(rest);
  return true;
}

// Whether Accept-Encoding admits `coding` (a listed token whose q is not 0).
bool Accepts(std::string_view header, std::string_view coding) {
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const size_t semi = item.find(';');
    std::string_view token = item.substr(0, semi);
    std::string_view params = semi == std::string_view::npos ? std::string_view() : item.substr(semi + 1);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    if (token.size() != coding.size()) continue;
    bool same = true;
    for (size_t i = 0; i < token.size(); ++i) same = same && (std::tolower(static_cast<unsigned char>(token[i])) == coding[i]);
    if (!same) continue;
    // "q=0", "q=0.0", "q=0.000": refused.
    const size_t q = params.find("q=");
    if (q == std::string_view::npos) return true;
    std::string_view value = params.substr(q + 2);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    return value.find_first_not_of("0.") != std::string_view::npos;
  }
  return false;
}

}  // namespace

Result<StaticFiles> StaticFiles::Load(const std::string& dir) {
  auto fail = [&](const std::string& why) {
    return Status::Error("XT-WEB-002", "the web application folder " + dir + " cannot be served: " + why);
  };
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return fail("not a folder");
  StaticFiles out;
  const fs::path root(dir);
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec) return fail(ec.message());
  for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) return fail(ec.message());
    // Links are skipped, files and folders alike: nothing outside the
    // folder is ever held.
    const fs::file_status st = it->symlink_status(ec);
    if (ec) return fail(ec.message());
    if (fs::is_symlink(st)) {
      if (it.depth() >= 0) it.disable_recursion_pending();
      continue;
    }
    if (!fs::is_regular_file(st)) continue;
    if (out.files_.size() >= kFileCountMax) return fail("more than " + std::to_string(kFileCountMax) + " files");
    const uintmax_t size = it->file_size(ec);
    if (ec) return fail(ec.message());
    if (out.bytes_ + static_cast<int64_t>(size) > kBytesMax) {
      return fail("more than " + std::to_string(kBytesMax >> 20) + " MiB of files");
    }
    std::ifstream in(it->path(), std::ios::binary);
    std::string bytes(static_cast<size_t>(size), '\0');
    if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()))) {
      return fail("cannot read " + it->path().string());
    }
    out.bytes_ += static_cast<int64_t>(bytes.size());
    out.files_.emplace(fs::relative(it->path(), root, ec).generic_string(), std::move(bytes));
    if (ec) return fail(ec.message());
  }
  out.loaded_ = true;
  return out;
}

bool StaticFiles::IsPagePath(std::string_view path) {
  for (std::string_view prefix : {"/api/", "/fsi/"}) {
    if (path.starts_with(prefix)) return false;
  }
  for (std::string_view exact : {"/api", "/fsi", "/metrics", "/healthz", "/openapi.json"}) {
    if (path == exact) return false;
  }
  return true;
}

std::string_view StaticFiles::ContentTypeOf(std::string_view name) {
  static constexpr struct {
    std::string_view ext;
    std::string_view type;
  } kTypes[] = {
      {".html", "text/html; charset=utf-8"},       {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},  {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},                   {".png", "image/png"},
      {".woff2", "font/woff2"},                    {".json", "application/json"},
      {".ico", "image/x-icon"},                    {".map", "application/json"},
      {".txt", "text/plain; charset=utf-8"},       {".webmanifest", "application/manifest+json"},
  };
  const size_t slash = name.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
  const size_t dot = base.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  const std::string_view ext = base.substr(dot);
  for (const auto& t : kTypes) {
    if (ext.size() == t.ext.size() && std::equal(ext.begin(), ext.end(), t.ext.begin(),
                                                 [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; })) {
      return t.type;
    }
  }
  return "application/octet-stream";
}

StaticAnswer StaticFiles::Answer(std::string_view path, std::string_view accept_encoding) const {
  std::string rel;
  if (!SafeRelative(path, &rel)) {
    return Refusal(400, "XT-WEB-001", "the path is not a file path of the application (no \".\", \"..\" or empty segments)");
  }
  if (!loaded_) {
    StaticAnswer a;
    a.content_type = "text/html; charset=utf-8";
    a.body = std::string(kNotBuiltPage);
    a.headers.emplace_back("Cache-Control", std::string(kCacheRevalidate));
    AddPageHeaders(&a);
    return a;
  }
  const bool is_asset = rel.starts_with(kAssetsPrefix);
  std::string name = rel;
  if (rel.empty() || rel.back() == '/' || !files_.contains(rel)) {
    if (is_asset) return Refusal(404, "XT-WEB-003", "no such file of the application");
    name = std::string(kIndex);
    if (!files_.contains(name)) return Refusal(404, "XT-WEB-003", "the application folder has no index.html");
  }
  StaticAnswer a;
  a.content_type = std::string(ContentTypeOf(name));
  // A precompressed sibling the build left (app.js.br, app.js.gz), when the
  // client takes its coding; the server compresses nothing itself.
  const std::string* body = &files_.find(name)->second;
  bool has_sibling = false;
  for (const auto& [suffix, coding] : {std::pair{".br", "br"}, std::pair{".gz", "gzip"}}) {
    auto sib = files_.find(name + suffix);
    if (sib == files_.end()) continue;
    has_sibling = true;
    if (!Accepts(accept_encoding, coding)) continue;
    body = &sib->second;
    a.headers.emplace_back("Content-Encoding", coding);
    break;
  }
  if (has_sibling) a.headers.emplace_back("Vary", "Accept-Encoding");
  a.body = *body;
  a.headers.emplace_back("Cache-Control", std::string(name.starts_with(kAssetsPrefix) ? kCacheImmutable : kCacheRevalidate));
  AddPageHeaders(&a);
  return a;
}

}  // namespace xt::http
