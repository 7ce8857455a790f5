// The browser application's files (web/dist, built by scripts/build.sh),
// served by `xietong serve` beside the APIs: every GET path that is not an
// API's (/api/, /fsi/, /metrics, /healthz, /openapi.json) answers a file of
// the folder, or index.html when it names none (the application routes in
// the browser), except under /assets/, where a missing file is a 404: a
// hashed name that is not there is a stale page, and answering it HTML
// would only hide that.
//
// The whole folder is read into memory once, when the server starts
// (StaticFiles::Load). It is a build's output of a few hundred KiB that does
// not change while the server runs (a new build comes with a restart), and
// answering from memory keeps disk reads off the event loops, which answer
// these requests themselves. Bounded: kFileCountMax files, kBytesMax bytes.
//
// Nothing outside the folder can be answered: only the regular files found
// under it at load (symbolic links are skipped) are held, and a request
// path with a "." or ".." segment, an empty segment ("//etc/passwd"), a
// backslash or a control character is refused before any look-up (the
// server hands the path percent-decoded, so %2e%2e arrives as "..").
//
// Immutable after Load: thread-safe for any number of readers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace xt::http {

// One answer of the static side, as the server sends it.
struct StaticAnswer {
  int status = 200;
  std::string content_type;
  std::string body;
  std::string err_code;  // for the access log; empty on success
  std::vector<std::pair<std::string, std::string>> headers;  // beyond Content-Type and Content-Length
};

class StaticFiles {
 public:
  static constexpr size_t kFileCountMax = 4096;
  static constexpr int64_t kBytesMax = int64_t{64} << 20;

  // No folder: every page path answers the page saying how to build the
  // application.
  StaticFiles() = default;
  // Every regular file under `dir`. XT-WEB-002 when the folder cannot be
  // read or is over the bounds.
  static Result<StaticFiles> Load(const std::string& dir);

  // Whether a GET of `path` (decoded) is the static side's: none of the
  // APIs' prefixes.
  static bool IsPagePath(std::string_view path);
  // The answer to a GET of `path` (decoded, a page path); `accept_encoding`
  // the request's header, for the precompressed `.br` / `.gz` siblings a
  // build may leave beside a file.
  StaticAnswer Answer(std::string_view path, std::string_view accept_encoding) const;

  bool loaded() const { return loaded_; }
  size_t file_count() const { return files_.size(); }
  int64_t bytes() const { return bytes_; }

  // "text/javascript; charset=utf-8" for "app.js"; application/octet-stream
  // for an extension not known.
  static std::string_view ContentTypeOf(std::string_view name);

 private:
  bool loaded_ = false;
  int64_t bytes_ = 0;
  std::map<std::string, std::string, std::less<>> files_;  // "assets/index-3f2a.js" -> bytes
};

}  // namespace xt::http
