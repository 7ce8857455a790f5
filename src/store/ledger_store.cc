// The statements of the ledger: double-entry transfers between accounts with the
// accounts' running totals, and each person's yearly accumulators.
#include "store/ledger_store.h"

#include "store/sql.h"

namespace xt::store {

const char kAccumHead[] = "INSERT INTO accumulators(psn_no, year, key, value) VALUES ";
const char kAccumTail[] = " ON CONFLICT(psn_no, year, key) DO UPDATE SET value = accumulators.value + excluded.value";
const char kTransferHead[] =
    "INSERT INTO transfers(setl_id, debit_account, credit_account, amount_fen, memo, time) VALUES ";
const char kAccountHead[] = "INSERT INTO accounts(account, debits_fen, credits_fen) VALUES ";
const char kAccountTail[] =
    " ON CONFLICT(account) DO UPDATE SET debits_fen = accounts.debits_fen + excluded.debits_fen, "
    "credits_fen = accounts.credits_fen + excluded.credits_fen";
const char kStatementSql[] =
    "SELECT * FROM (SELECT * FROM (SELECT id, setl_id, debit_account, credit_account, amount_fen, memo, time "
    "FROM transfers WHERE debit_account = ?1 AND id < ?2 AND time >= ?3 AND time < ?4 ORDER BY id DESC LIMIT ?5) "
    "UNION ALL SELECT * FROM (SELECT id, setl_id, debit_account, credit_account, amount_fen, memo, time "
    "FROM transfers WHERE credit_account = ?1 AND id < ?2 AND time >= ?3 AND time < ?4 ORDER BY id DESC LIMIT ?5)) "
    "ORDER BY id DESC LIMIT ?5";

const char kLedgerSchema[] = R"SQL(
CREATE TABLE IF NOT EXISTS accumulators(
  psn_no TEXT NOT NULL, year INT64 NOT NULL, key TEXT NOT NULL, value INT64 NOT NULL,
  PRIMARY KEY(psn_no, year, key)) CLUSTERED;
CREATE TABLE IF NOT EXISTS accounts(
  account TEXT PRIMARY KEY, debits_fen INT64 NOT NULL, credits_fen INT64 NOT NULL) CLUSTERED;
CREATE TABLE IF NOT EXISTS transfers(
  id ID_KEY, setl_id TEXT NOT NULL, debit_account TEXT NOT NULL, credit_account TEXT NOT NULL,
  amount_fen INT64 NOT NULL CHECK(amount_fen > 0), memo TEXT NOT NULL, time INT64 NOT NULL);
DROP INDEX IF EXISTS transfers_setl;
CREATE INDEX IF NOT EXISTS transfers_debit ON transfers(debit_account);
CREATE INDEX IF NOT EXISTS transfers_credit ON transfers(credit_account);
)SQL";

// ---- reads

Result<std::vector<AccumDelta>> LedgerReader::GetAccumulators(std::string_view psn_no, int year) {
  std::vector<AccumDelta> out;
  XT_RETURN_IF_ERROR(c_.Scan(
      "SELECT key, value FROM accumulators WHERE psn_no = ? AND year = ? ORDER BY key",
      [&](sql::Stmt& s) { s.Bind(1, psn_no).Bind(2, year); },
      [&](const sql::Stmt& s) {
        out.push_back({s.Text(0), s.Int(1)});
        return true;
      }));
  return out;
}

Result<std::optional<AccountRow>> LedgerReader::GetAccount(std::string_view account) {
  return c_.One<AccountRow>(
      "SELECT account, debits_fen, credits_fen FROM accounts WHERE account = ?",
      [&](sql::Stmt& s) { s.Bind(1, account); },
      [](const sql::Stmt& s) { return AccountRow{s.Text(0), s.Int(1), s.Int(2)}; });
}

Result<std::vector<Transfer>> LedgerReader::AccountStatement(const StatementQuery& q) {
  std::vector<Transfer> out;
  XT_RETURN_IF_ERROR(c_.Scan(
      kStatementSql,
      [&](sql::Stmt& s) {
        s.Bind(1, q.account).Bind(2, q.before_id).Bind(3, q.time_from).Bind(4, q.time_to).Bind(5, q.limit);
      },
      [&](const sql::Stmt& s) {
        out.push_back(Transfer{s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4), s.Text(5), s.Int(6)});
        return true;
      }));
  return out;
}

Result<std::vector<AccountRow>> LedgerReader::AccountsWithPrefix(std::string_view prefix, int limit) {
  std::vector<AccountRow> out;
  if (prefix.empty()) return out;
  // Every name that starts with the prefix sorts in [prefix, prefix with
  // its last byte raised by one).
  std::string upper(prefix);
  upper.back() = static_cast<char>(upper.back() + 1);
  XT_RETURN_IF_ERROR(c_.Scan(
      "SELECT account, debits_fen, credits_fen FROM accounts WHERE account >= ? AND account < ? "
      "ORDER BY account LIMIT ?",
      [&](sql::Stmt& s) { s.Bind(1, prefix).Bind(2, upper).Bind(3, limit); },
      [&](const sql::Stmt& s) {
        out.push_back(AccountRow{s.Text(0), s.Int(1), s.Int(2)});
        return true;
      }));
  return out;
}

Status LedgerReader::ForEachTransfer(const std::function<bool(const Transfer&)>& fn) {
  return c_.Scan(
      "SELECT id, setl_id, debit_account, credit_account, amount_fen, memo, time FROM transfers ORDER BY id",
      [](sql::Stmt&) {},
      [&](const sql::Stmt& s) {
        return fn(Transfer{s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4), s.Text(5), s.Int(6)});
      });
}

Status LedgerReader::ForEachAccount(const std::function<bool(const AccountRow&)>& fn) {
  return c_.Scan("SELECT account, debits_fen, credits_fen FROM accounts ORDER BY account", [](sql::Stmt&) {},
              [&](const sql::Stmt& s) { return fn(AccountRow{s.Text(0), s.Int(1), s.Int(2)}); });
}

Status LedgerReader::ForEachAccumulator(const std::function<bool(const AccumulatorRow&)>& fn) {
  return c_.Scan("SELECT psn_no, year, key, value FROM accumulators ORDER BY psn_no, year, key", [](sql::Stmt&) {},
              [&](const sql::Stmt& s) {
                return fn(AccumulatorRow{s.Text(0), static_cast<int>(s.Int(1)), s.Text(2), s.Int(3)});
              });
}


// ---- writes

Status LedgerWriter::AddAccumulators(std::string_view psn_no, int year, const std::vector<AccumDelta>& deltas) {
  return c_.ExecRows(deltas.size(), kAccumHead, 4, kAccumTail, [&](sql::Stmt& s, int c, size_t i) {
    s.Bind(c, psn_no).Bind(c + 1, year).Bind(c + 2, deltas[i].key).Bind(c + 3, deltas[i].value);
  });
}

Status LedgerWriter::PostTransfers(const std::vector<Transfer>& transfers) {
  // Each account's totals move once per call, however many transfers name it.
  struct Move {
    const std::string* account;
    Fen debits_fen;
    Fen credits_fen;
  };
  std::vector<Move> moves;
  moves.reserve(transfers.size() * 2);
  auto add = [&](const std::string& account, Fen debit, Fen credit) {
    for (auto& m : moves) {
      if (*m.account == account) {
        m.debits_fen += debit;
        m.credits_fen += credit;
        return;
      }
    }
    moves.push_back({&account, debit, credit});
  };
  for (const auto& t : transfers) {
    XT_INVARIANT(t.amount_fen > 0, "a transfer moves a positive amount");
    XT_INVARIANT(t.debit_account != t.credit_account, "a transfer moves between two accounts");
    add(t.debit_account, t.amount_fen, 0);
    add(t.credit_account, 0, t.amount_fen);
  }
  XT_RETURN_IF_ERROR(c_.ExecRows(transfers.size(), kTransferHead, 6, "",
                              [&](sql::Stmt& s, int c, size_t i) {
                                const Transfer& t = transfers[i];
                                s.Bind(c, t.setl_id).Bind(c + 1, t.debit_account).Bind(c + 2, t.credit_account);
                                s.Bind(c + 3, t.amount_fen).Bind(c + 4, t.memo).Bind(c + 5, t.time);
                              }));
  return c_.ExecRows(moves.size(), kAccountHead, 3, kAccountTail, [&](sql::Stmt& s, int c, size_t i) {
    s.Bind(c, *moves[i].account).Bind(c + 1, moves[i].debits_fen).Bind(c + 2, moves[i].credits_fen);
  });
}


}  // namespace xt::store
