// The statements of access: credentials (API keys, stored as hashes), the 9001
// sign-ins, and the append-only audit log whose records form one hash chain.
#include "store/access_store.h"

#include "core/crypto.h"
#include "store/sql.h"

namespace xt::store {


const char kAccessSchema[] = R"SQL(
CREATE TABLE IF NOT EXISTS credentials(
  key_id TEXT PRIMARY KEY, role TEXT NOT NULL, scope TEXT NOT NULL, secret_hash TEXT NOT NULL,
  label TEXT NOT NULL, created INT64 NOT NULL, revoked INT64 NOT NULL) CLUSTERED;
CREATE TABLE IF NOT EXISTS sign_ins(
  sign_no TEXT PRIMARY KEY, fixmedins_code TEXT NOT NULL, opter_no TEXT NOT NULL, key_id TEXT NOT NULL,
  sign_in_time INT64 NOT NULL, sign_out_time INT64 NOT NULL) CLUSTERED;
CREATE TABLE IF NOT EXISTS audit(
  seq ID_KEY, time INT64 NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL,
  subject TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
)SQL";

// ---- reads

static CredentialRow ReadCredential(const sql::Stmt& s) {
  return CredentialRow{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5), s.Int(6)};
}

Result<std::optional<CredentialRow>> AccessReader::FindCredential(std::string_view key_id) {
  return c_.One<CredentialRow>(
      "SELECT key_id, role, scope, secret_hash, label, created, revoked FROM credentials WHERE key_id = ?",
      [&](sql::Stmt& s) { s.Bind(1, key_id); }, ReadCredential);
}

Status AccessReader::ForEachCredential(const std::function<bool(const CredentialRow&)>& fn) {
  return c_.Scan("SELECT key_id, role, scope, secret_hash, label, created, revoked FROM credentials "
              "ORDER BY role, scope, key_id",
              [](sql::Stmt&) {}, [&](const sql::Stmt& s) { return fn(ReadCredential(s)); });
}

Result<std::optional<SignInRow>> AccessReader::FindSignIn(std::string_view sign_no) {
  return c_.One<SignInRow>(
      "SELECT sign_no, fixmedins_code, opter_no, key_id, sign_in_time, sign_out_time FROM sign_ins "
      "WHERE sign_no = ?",
      [&](sql::Stmt& s) { s.Bind(1, sign_no); },
      [](const sql::Stmt& s) { return SignInRow{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4), s.Int(5)}; });
}

Status AccessReader::ForEachAudit(int64_t from, const std::function<bool(const AuditRow&)>& fn) {
  return c_.Scan(
      "SELECT seq, time, actor, role, action, subject, outcome, detail, prev_hash, hash FROM audit "
      "WHERE seq >= ? ORDER BY seq",
      [&](sql::Stmt& s) { s.Bind(1, from); },
      [&](const sql::Stmt& s) {
        return fn(AuditRow{s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6), s.Text(7),
                           s.Text(8), s.Text(9)});
      });
}


// ---- writes

Status AccessWriter::PutCredential(const CredentialRow& c) {
  return c_.Exec(
      "INSERT INTO credentials(key_id, role, scope, secret_hash, label, created, revoked) VALUES(?,?,?,?,?,?,?) "
      "ON CONFLICT(key_id) DO UPDATE SET role = excluded.role, scope = excluded.scope, "
      "secret_hash = excluded.secret_hash, label = excluded.label, created = excluded.created, "
      "revoked = excluded.revoked",
      [&](sql::Stmt& s) {
        s.Bind(1, c.key_id).Bind(2, c.role).Bind(3, c.scope).Bind(4, c.secret_hash).Bind(5, c.label);
        s.Bind(6, c.created).Bind(7, c.revoked);
      });
}

Status AccessWriter::InsertSignIn(const SignInRow& r) {
  return c_.Exec(
      "INSERT INTO sign_ins(sign_no, fixmedins_code, opter_no, key_id, sign_in_time, sign_out_time) "
      "VALUES(?,?,?,?,?,?)",
      [&](sql::Stmt& s) {
        s.Bind(1, r.sign_no).Bind(2, r.fixmedins_code).Bind(3, r.opter_no).Bind(4, r.key_id);
        s.Bind(5, r.sign_in_time).Bind(6, r.sign_out_time);
      });
}

Status AccessWriter::CloseSignIn(std::string_view sign_no, LocalSeconds time) {
  return c_.Exec("UPDATE sign_ins SET sign_out_time = ? WHERE sign_no = ? AND sign_out_time = 0",
              [&](sql::Stmt& s) { s.Bind(1, time).Bind(2, sign_no); });
}

std::string AuditHash(std::string_view prev_hash, const AuditRow& row) {
  // Each field is written as its length, ':' and its bytes, so that no two
  // different records (or field splits) hash the same text.
  std::string text;
  text.reserve(256);
  auto put = [&](std::string_view field) {
    text += std::to_string(field.size());
    text += ':';
    text += field;
  };
  put(prev_hash);
  put(std::to_string(row.seq));
  put(std::to_string(row.time));
  put(row.actor);
  put(row.role);
  put(row.action);
  put(row.subject);
  put(row.outcome);
  put(row.detail);
  return crypto::HashHex(text);
}

}  // namespace xt::store
