// The statements of the national interface's messages: each message with the
// answer first sent (idempotency), and the files uploaded with 9101.
#include "store/messages_store.h"

#include "store/sql.h"

namespace xt::store {


const char kMessagesSchema[] = R"SQL(
CREATE TABLE IF NOT EXISTS files(
  file_qury_no TEXT PRIMARY KEY, fixmedins_code TEXT NOT NULL, filename TEXT NOT NULL, body BYTES NOT NULL,
  created INT64 NOT NULL) CLUSTERED;
CREATE TABLE IF NOT EXISTS messages(
  id ID_KEY, msgid TEXT NOT NULL UNIQUE, infno TEXT NOT NULL, fixmedins_code TEXT NOT NULL,
  request_hash TEXT NOT NULL, infcode INT64 NOT NULL, response TEXT NOT NULL, time INT64 NOT NULL,
  setl_id TEXT NOT NULL);
)SQL";

// ---- reads

Result<std::optional<MessageRow>> MessagesReader::FindMessage(std::string_view msgid) {
  return c_.One<MessageRow>(
      "SELECT msgid, infno, fixmedins_code, request_hash, infcode, response, time, setl_id FROM messages "
      "WHERE msgid = ?",
      [&](sql::Stmt& s) { s.Bind(1, msgid); },
      [](const sql::Stmt& s) {
        return MessageRow{s.Text(0), s.Text(1), s.Text(2),    s.Text(3),
                          static_cast<int>(s.Int(4)), s.Text(5), s.Int(6), s.Text(7)};
      });
}

Result<std::optional<FileRow>> MessagesReader::FindFile(std::string_view file_qury_no) {
  return c_.One<FileRow>("SELECT file_qury_no, fixmedins_code, filename, body, created FROM files WHERE file_qury_no = ?",
                      [&](sql::Stmt& s) { s.Bind(1, file_qury_no); },
                      [](const sql::Stmt& s) { return FileRow{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4)}; });
}


// ---- writes

Status MessagesWriter::PutMessage(const MessageRow& m) {
  return c_.Exec(
      "INSERT INTO messages(msgid, infno, fixmedins_code, request_hash, infcode, response, time, setl_id) "
      "VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
      [&](sql::Stmt& s) {
        s.Bind(1, m.msgid).Bind(2, m.infno).Bind(3, m.fixmedins_code).Bind(4, m.request_hash);
        s.Bind(5, m.infcode).Bind(6, m.response).Bind(7, m.time).Bind(8, m.setl_id);
      });
}

Status MessagesWriter::InsertFile(const FileRow& f) {
  return c_.Exec("INSERT INTO files(file_qury_no, fixmedins_code, filename, body, created) VALUES(?,?,?,?,?)",
              [&](sql::Stmt& s) {
                s.Bind(1, f.file_qury_no).Bind(2, f.fixmedins_code).Bind(3, f.filename).BindBlob(4, f.body);
                s.Bind(5, f.created);
              });
}


}  // namespace xt::store
