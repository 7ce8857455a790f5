// The thin layer every table of the store is written against: a prepared
// statement (bind integers, text, bytes and nulls; step; read columns) and
// a connection (statements prepared once and reused, schema scripts,
// column checks). SQLite implements it (sqlite_conn.h); a PostgreSQL
// driver implements the same two classes, and no subsystem's statements
// change. docs/storage.md says what the shared dialect is and why this is
// our own layer rather than a library's.
//
// The dialect, common to SQLite 3.40 and PostgreSQL 15:
//  - parameters are numbered, ?1 ?2 ... (or ? for the next number); a
//    backend whose driver numbers them $1 $2 rewrites them once, when the
//    statement is prepared (PlaceholdersAsDollars);
//  - upserts are INSERT ... ON CONFLICT(key) DO UPDATE SET ... excluded.x,
//    with the table's own columns named table.column;
//  - generated ids are read back with RETURNING id;
//  - savepoints are SAVEPOINT / RELEASE / ROLLBACK TO;
//  - schema scripts say INT64 (a 64-bit integer), BYTES (a byte string),
//    ID_KEY (a 64-bit generated primary key, in insertion order) and
//    CLUSTERED (after a table: store it in its primary key's order, where
//    the backend can); each backend writes them as its own types;
//  - an index named with INDEXED BY is a hint SQLite needs and another
//    backend drops.
//
// Thread-safety: a Conn and its statements belong to one thread at a time.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace xt::store::sql {

// A prepared statement in use. Text and bytes are bound without a copy: the
// caller's string must stay alive until the statement has run (every use
// here binds and runs in one call); a temporary string is copied.
class Stmt {
 public:
  virtual ~Stmt() = default;

  virtual void BindInt(int i, int64_t v) = 0;
  virtual void BindText(int i, std::string_view v) = 0;
  virtual void BindTextCopy(int i, std::string v) = 0;
  virtual void BindBytes(int i, std::string_view v) = 0;  // read back with Text()
  virtual void BindNull(int i) = 0;

  // true: a row is there to read; false: done.
  [[nodiscard]] virtual Result<bool> Step() = 0;
  virtual int64_t Int(int col) const = 0;
  virtual bool IsNull(int col) const = 0;
  // The column's text into an existing string, reusing its capacity.
  virtual void TextInto(int col, std::string* out) const = 0;
  // Ready to bind and run again; bindings cleared.
  virtual void Reset() = 0;

  Stmt& Bind(int i, std::string_view v) {
    BindText(i, v);
    return *this;
  }
  Stmt& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  Stmt& Bind(int i, std::string&& v) {
    BindTextCopy(i, std::move(v));
    return *this;
  }
  Stmt& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Stmt& Bind(int i, int64_t v) {
    BindInt(i, v);
    return *this;
  }
  Stmt& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& Bind(int i, const std::optional<int64_t>& v) {
    if (v) BindInt(i, *v);
    else BindNull(i);
    return *this;
  }
  Stmt& BindBlob(int i, std::string_view v) {
    BindBytes(i, v);
    return *this;
  }

  // Steps to completion, expecting no rows.
  [[nodiscard]] Status Run();
  std::string Text(int col) const {
    std::string out;
    TextInto(col, &out);
    return out;
  }
};

// One connection to the database.
class Conn {
 public:
  virtual ~Conn() = default;

  // A statement prepared once on this connection and reused: `text` must
  // live as long as the connection (a literal, or a text built once), since
  // its address keys the cache.
  [[nodiscard]] virtual Result<Stmt*> Prepare(const char* text) = 0;
  // Statements without parameters or rows, in the dialect's words: a schema
  // script, a migration step.
  [[nodiscard]] virtual Status ExecScript(std::string_view script) = 0;
  // Whether a table has a column (a migration step's question).
  [[nodiscard]] virtual Result<bool> HasColumn(std::string_view table, std::string_view column) = 0;
  // The backend's name, for messages: "sqlite".
  virtual const char* backend() const = 0;

  // One cached statement without parameters, run to completion (BEGIN,
  // SAVEPOINT item, RELEASE item ...).
  [[nodiscard]] Status Run(const char* text);

  // A query expecting at most one row; `read` makes the value of it.
  template <typename T, typename BindFn, typename ReadFn>
  [[nodiscard]] Result<std::optional<T>> One(const char* text, BindFn bind, ReadFn read) {
    XT_ASSIGN_OR_RETURN(Stmt * s, Prepare(text));
    Used used(s);
    bind(*s);
    XT_ASSIGN_OR_RETURN(bool row, s->Step());
    std::optional<T> out;
    if (row) out = read(*s);
    return out;
  }

  // A query of one integer (a count, a largest id): 0 when it returns no row.
  [[nodiscard]] Result<int64_t> Count(const char* text) {
    XT_ASSIGN_OR_RETURN(auto n, One<int64_t>(text, [](Stmt&) {}, [](const Stmt& s) { return s.Int(0); }));
    return n.value_or(0);
  }

  // A statement run once, expecting no rows.
  template <typename BindFn>
  [[nodiscard]] Status Exec(const char* text, BindFn bind) {
    XT_ASSIGN_OR_RETURN(Stmt * s, Prepare(text));
    Used used(s);
    bind(*s);
    return s->Run();
  }

  // Each row to `each` until it returns false.
  template <typename BindFn, typename EachFn>
  [[nodiscard]] Status Scan(const char* text, BindFn bind, EachFn each) {
    XT_ASSIGN_OR_RETURN(Stmt * s, Prepare(text));
    Used used(s);
    bind(*s);
    for (;;) {
      XT_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row || !each(static_cast<const Stmt&>(*s))) break;
    }
    return Status::Ok();
  }

  // n rows of one table written kRowsMax at a time, each statement
  // `head` + "(?,..),(?,..)" + `tail`; bind_row(stmt, first parameter of
  // the row, row index) binds one row's `columns` values.
  static constexpr size_t kRowsMax = 16;
  template <typename BindRow>
  [[nodiscard]] Status ExecRows(size_t n, const char* head, int columns, const char* tail, BindRow bind_row) {
    for (size_t start = 0; start < n; start += kRowsMax) {
      const size_t rows = std::min(kRowsMax, n - start);
      XT_RETURN_IF_ERROR(Exec(RowsText(head, columns, rows, tail), [&](Stmt& s) {
        for (size_t i = 0; i < rows; ++i) bind_row(s, static_cast<int>(i) * columns + 1, start + i);
      }));
    }
    return Status::Ok();
  }

 private:
  // Resets the statement when the use ends, however it ends.
  struct Used {
    explicit Used(Stmt* s) : s(s) {}
    ~Used() { s->Reset(); }
    Stmt* s;
  };
  // The text of a multi-row statement, built once per (head, tail, columns,
  // rows) and kept
  // for the life of the process, so that its address keys the cache.
  static const char* RowsText(const char* head, int columns, size_t rows, const char* tail);
};

}  // namespace xt::store::sql

namespace xt::store {
// XT-STORE-001 with the database's own words as the detail (for the log).
Status StoreError(std::string detail);
}  // namespace xt::store

namespace xt::store::sql {

// Rewrites ?N and ? (outside quoted text) as $N: the statement text for a
// driver that numbers parameters that way.
std::string PlaceholdersAsDollars(std::string_view text);

// Rewrites the schema words (INT64, BYTES, ID_KEY, CLUSTERED) of a script as
// the words given, whole words only, outside quoted text.
struct SchemaWords {
  const char* int64;
  const char* bytes;
  const char* id_key;
  const char* clustered;
};
std::string ExpandSchemaWords(std::string_view script, const SchemaWords& words);

}  // namespace xt::store::sql
