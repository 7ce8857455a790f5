// The backend-neutral part of the SQL layer: running statements, the texts
// of multi-row statements, and the rewriting of placeholders and schema words.
#include "store/sql.h"

#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>

namespace xt::store {

Status StoreError(std::string detail) {
  return Status::Error("XT-STORE-001", "the database could not complete the operation", std::move(detail));
}

}  // namespace xt::store

namespace xt::store::sql {

Status Stmt::Run() {
  XT_ASSIGN_OR_RETURN(bool row, Step());
  (void)row;  // a statement that returns rows is not run with Run; its rows are not wanted
  return Status::Ok();
}

Status Conn::Run(const char* text) {
  XT_ASSIGN_OR_RETURN(Stmt * s, Prepare(text));
  Used used(s);
  return s->Run();
}

const char* Conn::RowsText(const char* head, int columns, size_t rows, const char* tail) {
  static std::mutex mu;
  static std::map<std::tuple<const char*, const char*, int, size_t>, std::unique_ptr<std::string>> texts;
  std::lock_guard<std::mutex> lock(mu);
  auto& text = texts[{head, tail, columns, rows}];
  if (!text) {
    std::string row = "(";
    for (int c = 0; c < columns; ++c) row += c ? ",?" : "?";
    row += ")";
    text = std::make_unique<std::string>(head);
    for (size_t i = 0; i < rows; ++i) *text += (i ? "," : "") + row;
    *text += tail;
  }
  return text->c_str();
}

namespace {

// Calls `plain` for each run of text outside quotes ('...' and "..."), and
// copies quoted text to *out as it is.
template <typename Plain>
void OutsideQuotes(std::string_view text, std::string* out, Plain plain) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t q = text.find_first_of("'\"", i);
    plain(text.substr(i, q == std::string_view::npos ? std::string_view::npos : q - i));
    if (q == std::string_view::npos) return;
    size_t end = text.find(text[q], q + 1);
    end = end == std::string_view::npos ? text.size() : end + 1;
    out->append(text.substr(q, end - q));
    i = end;
  }
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

std::string PlaceholdersAsDollars(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  int largest = 0;
  OutsideQuotes(text, &out, [&](std::string_view part) {
    for (size_t i = 0; i < part.size(); ++i) {
      if (part[i] != '?') {
        out += part[i];
        continue;
      }
      int n = 0;
      size_t j = i + 1;
      while (j < part.size() && part[j] >= '0' && part[j] <= '9') n = n * 10 + (part[j++] - '0');
      if (j == i + 1) n = largest + 1;  // a bare ?: one more than the largest so far, as SQLite numbers it
      largest = std::max(largest, n);
      out += '$';
      out += std::to_string(n);
      i = j - 1;
    }
  });
  return out;
}

std::string ExpandSchemaWords(std::string_view script, const SchemaWords& words) {
  const std::pair<std::string_view, const char*> table[] = {
      {"INT64", words.int64}, {"BYTES", words.bytes}, {"ID_KEY", words.id_key}, {"CLUSTERED", words.clustered}};
  std::string out;
  out.reserve(script.size() + 256);
  OutsideQuotes(script, &out, [&](std::string_view part) {
    size_t i = 0;
    while (i < part.size()) {
      if (!IsWordChar(part[i])) {
        out += part[i++];
        continue;
      }
      size_t j = i;
      while (j < part.size() && IsWordChar(part[j])) ++j;
      const std::string_view word = part.substr(i, j - i);
      const char* replacement = nullptr;
      for (const auto& [from, to] : table) {
        if (word == from) replacement = to;
      }
      if (replacement) out += replacement;
      else out.append(word);
      i = j;
    }
  });
  return out;
}

}  // namespace xt::store::sql
