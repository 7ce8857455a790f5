// The rows of the national interface's messages: each message with the
// answer first sent (idempotency), and the files uploaded with 9101.
//
// Thread-safety: as the transaction it comes from (store/txn.h): valid only
// inside the callback the transaction was passed to, on that thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/money.h"
#include "core/status.h"


namespace xt::store {

namespace sql {
class Conn;
}

struct MessageRow {
  std::string msgid;
  std::string infno;
  std::string fixmedins_code;
  std::string request_hash;  // to refuse a reused msgid with a different request
  int infcode = 0;
  // The response envelope as first sent. When setl_id is set, its output is
  // left out ("output":null) and rendered again from what it names, which
  // holds the same figures: a settlement's setl_id, or (a 2204/2301 upload)
  // a reference to the fee upload whose row keeps its answer compactly. The
  // answer is kept once, not twice.
  std::string response;
  LocalSeconds time = 0;
  std::string setl_id;
};

// A file a hospital uploaded with 9101 (a 3202 detail list, say), read back
// with 9102 or named by file_qury_no in 3202.
struct FileRow {
  std::string file_qury_no;
  std::string fixmedins_code;  // who uploaded it: only they read it
  std::string filename;
  std::string body;            // the bytes
  LocalSeconds created = 0;
};

class MessagesReader {
 public:
  explicit MessagesReader(sql::Conn& conn) : c_(conn) {}

  [[nodiscard]] Result<std::optional<MessageRow>> FindMessage(std::string_view msgid);
  [[nodiscard]] Result<std::optional<FileRow>> FindFile(std::string_view file_qury_no);

 protected:
  sql::Conn& c_;
};

class MessagesWriter : public MessagesReader {
 public:
  using MessagesReader::MessagesReader;

  [[nodiscard]] Status PutMessage(const MessageRow& message);
  [[nodiscard]] Status InsertFile(const FileRow& row);
};

// The tables' schema (sql.h's dialect), created on every opening.
extern const char kMessagesSchema[];

}  // namespace xt::store
