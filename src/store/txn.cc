// The transactions' own part: meta values, named sequences, the audit
// chain, nested attempts. Backend-neutral: written against sql.h.
#include "store/txn.h"

#include "store/sql.h"

namespace xt::store {

const char kTxnSchema[] = R"SQL(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) CLUSTERED;
CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INT64 NOT NULL) CLUSTERED;
)SQL";

namespace {

const char kAuditHead[] =
    "INSERT INTO audit(seq, time, actor, role, action, subject, outcome, detail, prev_hash, hash) VALUES ";

}  // namespace

Result<std::optional<std::string>> ReadTxn::GetMeta(std::string_view key) {
  return c_.One<std::string>(
      "SELECT value FROM meta WHERE key = ?1", [&](sql::Stmt& s) { s.Bind(1, key); },
      [](const sql::Stmt& s) { return s.Text(0); });
}

Status WriteTxn::PutMeta(std::string_view key, std::string_view value) {
  return c_.Exec("INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                 [&](sql::Stmt& s) { s.Bind(1, key).Bind(2, value); });
}

// Sequences are handed out from memory and written back once per group
// (FlushSequences, before COMMIT): a rolled-back piece of work leaves a gap,
// never a repeat, because the stored value only ever grows past every value
// handed out in a committed group.
Result<int64_t> WriteTxn::NextSequence(std::string_view name) {
  auto it = state_.sequences.find(name);
  if (it == state_.sequences.end()) {
    XT_ASSIGN_OR_RETURN(auto v, c_.One<int64_t>(
                                    "SELECT value FROM counters WHERE name = ?1", [&](sql::Stmt& s) { s.Bind(1, name); },
                                    [](const sql::Stmt& s) { return s.Int(0); }));
    it = state_.sequences.emplace(std::string(name), WriterState::Sequence{v.value_or(0), false}).first;
  }
  it->second.value++;
  it->second.dirty = true;
  return it->second.value;
}

Status WriteTxn::FlushSequences() {
  for (auto& [name, seq] : state_.sequences) {
    if (!seq.dirty) continue;
    XT_RETURN_IF_ERROR(c_.Exec("INSERT INTO counters(name, value) VALUES(?1, ?2) ON CONFLICT(name) DO UPDATE SET "
                               "value = CASE WHEN excluded.value > counters.value THEN excluded.value "
                               "ELSE counters.value END",
                               [&](sql::Stmt& s) { s.Bind(1, name).Bind(2, seq.value); }));
    seq.dirty = false;
  }
  return Status::Ok();
}

// Audit records wait in memory until their group commits (FlushAudit):
// the chain follows commit order, and a piece of work that rolls back
// takes its records with it (TruncateAudit).
Status WriteTxn::AppendAudit(AuditRow row) {
  if (state_.audit_pending.size() >= WriterState::kAuditPendingMax) {
    return Status::Error("XT-STORE-006", "too many audit records in one group", "audit_pending full");
  }
  state_.audit_pending.push_back(std::move(row));
  return Status::Ok();
}

void WriteTxn::TruncateAudit(size_t mark) {
  if (state_.audit_pending.size() > mark) state_.audit_pending.resize(mark);
}

Status WriteTxn::FlushGroup() {
  XT_RETURN_IF_ERROR(FlushSequences());
  return FlushAudit();
}

// Chains the group's records to the committed head and writes them, with
// the new head, into the open transaction. The new head becomes the
// committed one only in EndGroup, after COMMIT succeeded.
Status WriteTxn::FlushAudit() {
  WriterState& w = state_;
  if (w.audit_pending.empty()) return Status::Ok();
  // The head is read again by every group that appends, inside its write
  // transaction: another process on the same file (the command line beside
  // a running server: `users disable`, `credentials revoke`) may have
  // appended records since this writer's last commit. One read of a meta
  // row per group.
  {
    XT_ASSIGN_OR_RETURN(auto head, GetMeta("audit_head"));
    w.audit_head_seq = 0;
    w.audit_head_hash = kAuditGenesis;
    if (head) {
      const size_t sp = head->find(' ');
      if (sp == std::string::npos) return Status::Error("XT-STORE-007", "the audit log's head is damaged", *head);
      w.audit_head_seq = std::stoll(head->substr(0, sp));
      w.audit_head_hash = head->substr(sp + 1);
    }
  }
  int64_t seq = w.audit_head_seq;
  std::string prev = w.audit_head_hash;
  for (auto& row : w.audit_pending) {
    row.seq = ++seq;
    row.prev_hash = prev;
    row.hash = AuditHash(prev, row);
    prev = row.hash;
  }
  XT_RETURN_IF_ERROR(c_.ExecRows(w.audit_pending.size(), kAuditHead, 10, "", [&](sql::Stmt& s, int c, size_t i) {
    const AuditRow& r = w.audit_pending[i];
    s.Bind(c, r.seq).Bind(c + 1, r.time).Bind(c + 2, r.actor).Bind(c + 3, r.role);
    s.Bind(c + 4, r.action).Bind(c + 5, r.subject).Bind(c + 6, r.outcome);
    s.Bind(c + 7, r.detail).Bind(c + 8, r.prev_hash).Bind(c + 9, r.hash);
  }));
  w.pending_head_seq = seq;
  w.pending_head_hash = prev;
  return PutMeta("audit_head", std::to_string(seq) + " " + prev);
}

void WriteTxn::EndGroup(bool committed) {
  WriterState& w = state_;
  if (committed && !w.audit_pending.empty()) {
    w.audit_head_seq = w.pending_head_seq;
    w.audit_head_hash = w.pending_head_hash;
  }
  w.audit_pending.clear();
}

Status WriteTxn::Attempt(const std::function<Status()>& fn) {
  const size_t mark = audit_mark();
  XT_RETURN_IF_ERROR(c_.Run("SAVEPOINT attempt"));
  Status st = fn();
  if (!st.ok()) {
    // Should the undo itself fail, the attempt's changes may still be
    // there: its error fails the whole piece of work (whose own savepoint
    // the writer then rolls back), never only the attempt.
    XT_RETURN_IF_ERROR(c_.Run("ROLLBACK TO attempt"));
    TruncateAudit(mark);
  }
  XT_RETURN_IF_ERROR(c_.Run("RELEASE attempt"));
  return st;
}

}  // namespace xt::store
