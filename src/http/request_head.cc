#include "http/request_head.h"

#include "core/hex.h"

#include <charconv>

namespace xt::http {

namespace {

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}


// True when a comma-separated header value lists `token` (case-insensitive).
bool ListHas(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    if (EqualsLower(Trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// The next line of `in` from `*pos` (without its CR LF or LF); false when
// no line end has arrived yet.
bool NextLine(std::string_view in, size_t* pos, std::string_view* line) {
  const size_t lf = in.find('\n', *pos);
  if (lf == std::string_view::npos) return false;
  size_t end = lf;
  if (end > *pos && in[end - 1] == '\r') --end;
  *line = in.substr(*pos, end - *pos);
  *pos = lf + 1;
  return true;
}

bool ParseRequestLine(std::string_view line, RequestHead* head) {
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0) return false;
  const size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return false;
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  for (char c : method) {
    if (!IsTokenChar(c)) return false;
  }
  if (version.size() != 8 || version.substr(0, 7) != "HTTP/1." || version[7] < '0' || version[7] > '9') return false;
  if (target.empty() || target.front() != '/') return false;  // origin-form only
  for (char c : target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  head->method = std::string(method);
  head->minor = version[7] - '0';
  const size_t q = target.find('?');
  if (!PercentDecode(target.substr(0, q), false, &head->path)) return false;
  head->query = q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
  return true;
}

}  // namespace

std::string_view RequestHead::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return {};
}

HeadParse ParseRequestHead(std::string_view in, size_t bytes_max, RequestHead* head, size_t* consumed) {
  // Blank lines before a request line are ignored (RFC 9112, 2.2).
  size_t pos = 0;
  while (pos < in.size() && (in[pos] == '\r' || in[pos] == '\n')) ++pos;
  // Has the head ended (an empty line after the request line)?
  {
    size_t scan = pos;
    std::string_view line;
    bool ended = false;
    while (NextLine(in, &scan, &line)) {
      if (scan > bytes_max) return HeadParse::kTooLarge;
      if (line.empty()) {
        ended = true;
        break;
      }
    }
    if (!ended) return in.size() > bytes_max ? HeadParse::kTooLarge : HeadParse::kIncomplete;
  }

  *head = RequestHead{};
  std::string_view line;
  if (!NextLine(in, &pos, &line) || !ParseRequestLine(line, head)) return HeadParse::kBad;
  for (;;) {
    if (!NextLine(in, &pos, &line)) return HeadParse::kBad;  // cannot happen: the head has ended
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return HeadParse::kBad;
    std::string name(line.substr(0, colon));
    for (char& c : name) {
      if (!IsTokenChar(c)) return HeadParse::kBad;  // also refuses "Name :" and folded lines
      c = Lower(c);
    }
    const std::string_view value = Trim(line.substr(colon + 1));
    head->header_bytes += name.size() + value.size();
    head->headers.emplace_back(std::move(name), std::string(value));
  }
  *consumed = pos;

  head->keep_alive = head->minor >= 1;
  for (const auto& [name, value] : head->headers) {
    if (name == "content-length") {
      int64_t n = -1;
      const char* first = value.data();
      const char* last = value.data() + value.size();
      auto [ptr, ec] = std::from_chars(first, last, n);
      if (ec != std::errc() || ptr != last || n < 0 || value.empty()) return HeadParse::kBad;
      if (head->has_content_length && n != head->content_length) return HeadParse::kBad;
      head->content_length = n;
      head->has_content_length = true;
    } else if (name == "transfer-encoding") {
      // Only one header naming the one coding; "gzip, chunked" and a second
      // Transfer-Encoding line are not read (the server refuses them).
      head->chunked_only = !head->chunked && EqualsLower(value, "chunked");
      head->chunked = true;
    } else if (name == "connection") {
      if (ListHas(value, "close")) head->keep_alive = false;
      else if (ListHas(value, "keep-alive")) head->keep_alive = true;
    } else if (name == "expect") {
      if (EqualsLower(value, "100-continue")) head->expect_continue = true;
    }
  }
  return HeadParse::kDone;
}

bool EqualsLower(std::string_view value, std::string_view lower) {
  if (value.size() != lower.size()) return false;
  for (size_t i = 0; i < value.size(); ++i) {
    if (Lower(value[i]) != lower[i]) return false;
  }
  return true;
}

bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = HexDigitValue(in[i + 1]);
      const int lo = HexDigitValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

bool ParseQuery(std::string_view query, std::vector<std::pair<std::string, std::string>>* out) {
  out->clear();
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      std::string key;
      std::string value;
      if (!PercentDecode(pair.substr(0, eq), true, &key)) return false;
      if (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), true, &value)) return false;
      out->emplace_back(std::move(key), std::move(value));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return true;
}

}  // namespace xt::http
