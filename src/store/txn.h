// The transactions the store hands to its callers: a ReadTxn on a
// consistent snapshot, a WriteTxn inside one savepoint of a group commit
// (store.h says how Store::Read and Store::Write run them). Each subsystem's
// rows are reached through an accessor of its own (txn.results(),
// txn.ledger() ...), whose statements live in that subsystem's files
// (results_store.h ...); the transaction itself keeps the meta values, the
// named sequences and the audit chain, which every subsystem shares.
//
// Thread-safety: a ReadTxn / WriteTxn is valid only inside the callback it
// was passed to, on that thread; so is every accessor's object.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/access_store.h"
#include "store/accounts_store.h"
#include "store/clearing_store.h"
#include "store/ledger_store.h"
#include "store/messages_store.h"
#include "store/registry_store.h"
#include "store/results_store.h"
#include "store/settlements_store.h"

namespace xt::store {

class ReadTxn {
 public:
  explicit ReadTxn(sql::Conn& conn) : c_(conn) {}
  ReadTxn(const ReadTxn&) = delete;
  ReadTxn& operator=(const ReadTxn&) = delete;

  [[nodiscard]] Result<std::optional<std::string>> GetMeta(std::string_view key);

  RegistryReader registry() { return RegistryReader(c_); }
  SettlementsReader settlements() { return SettlementsReader(c_); }
  LedgerReader ledger() { return LedgerReader(c_); }
  MessagesReader messages() { return MessagesReader(c_); }
  AccessReader access() { return AccessReader(c_); }
  AccountsReader accounts() { return AccountsReader(c_); }
  ResultsReader results() { return ResultsReader(c_); }
  ClearingReader clearing() { return ClearingReader(c_); }

 protected:
  sql::Conn& c_;
};

// What the writer keeps from one group to the next: the named sequences
// handed out from memory, and the audit chain's committed head. Owned by
// the store's writer, used by the writer thread only.
struct WriterState {
  struct Sequence {
    int64_t value = 0;
    bool dirty = false;
  };
  std::map<std::string, Sequence, std::less<>> sequences;
  // The audit records of the open group, the committed head, and the head
  // the open group will have once it commits.
  static constexpr size_t kAuditPendingMax = 65536;
  std::vector<AuditRow> audit_pending;
  int64_t audit_head_seq = 0;
  std::string audit_head_hash;
  int64_t pending_head_seq = 0;
  std::string pending_head_hash;
};

class WriteTxn : public ReadTxn {
 public:
  WriteTxn(sql::Conn& conn, WriterState& state) : ReadTxn(conn), state_(state) {}

  [[nodiscard]] Status PutMeta(std::string_view key, std::string_view value);
  // Next value of a named sequence, starting at 1.
  [[nodiscard]] Result<int64_t> NextSequence(std::string_view name);
  // Appends a record to the audit log; it is chained and written when this
  // piece of work's group commits, and dropped with it if it rolls back.
  [[nodiscard]] Status AppendAudit(AuditRow row);
  // Runs `fn`; when it fails, every change it made is undone (a nested
  // savepoint) and its status returned, while earlier changes of this piece
  // of work stay.
  [[nodiscard]] Status Attempt(const std::function<Status()>& fn);

  RegistryWriter registry() { return RegistryWriter(c_); }
  SettlementsWriter settlements() { return SettlementsWriter(c_); }
  LedgerWriter ledger() { return LedgerWriter(c_); }
  MessagesWriter messages() { return MessagesWriter(c_); }
  AccessWriter access() { return AccessWriter(c_); }
  AccountsWriter accounts() { return AccountsWriter(c_); }
  ResultsWriter results() { return ResultsWriter(c_); }
  ClearingWriter clearing() { return ClearingWriter(c_); }

  // ---- For the store's writer, around each piece of work and each group.
  // Where the open group's audit records end; TruncateAudit(mark) drops
  // those a failed piece of work appended after it.
  size_t audit_mark() const { return state_.audit_pending.size(); }
  void TruncateAudit(size_t mark);
  // Before COMMIT: writes the sequences handed out and the group's audit
  // records, chained to the committed head, with the new head in meta.
  [[nodiscard]] Status FlushGroup();
  // After the group's COMMIT (committed = true) or ROLLBACK.
  void EndGroup(bool committed);

 private:
  [[nodiscard]] Status FlushSequences();
  [[nodiscard]] Status FlushAudit();
  WriterState& state_;
};

// The store's own tables (meta, named sequences), created on every opening.
extern const char kTxnSchema[];

}  // namespace xt::store
