// The rows of the ledger: double-entry transfers between accounts with the
// accounts' running totals, and each person's yearly accumulators.
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

struct AccumDelta {
  std::string key;
  int64_t value = 0;
};

struct Transfer {
  int64_t id = 0;  // assigned by the store
  std::string setl_id;  // empty for postings that are not part of a settlement
  std::string debit_account;
  std::string credit_account;
  Fen amount_fen = 0;   // > 0
  std::string memo;
  LocalSeconds time = 0;
};

struct AccountRow {
  std::string account;
  Fen debits_fen = 0;
  Fen credits_fen = 0;
  Fen balance_fen() const { return credits_fen - debits_fen; }
};

struct AccumulatorRow {
  std::string psn_no;
  int year = 0;
  std::string key;
  int64_t value = 0;
};

// An account's transfers, newest first, strictly before before_id.
struct StatementQuery {
  std::string account;
  LocalSeconds time_from = INT64_MIN;
  LocalSeconds time_to = INT64_MAX;
  int64_t before_id = INT64_MAX;
  int limit = 50;
};

class LedgerReader {
 public:
  explicit LedgerReader(sql::Conn& conn) : c_(conn) {}

  [[nodiscard]] Result<std::vector<AccumDelta>> GetAccumulators(std::string_view psn_no, int year);
  [[nodiscard]] Result<std::optional<AccountRow>> GetAccount(std::string_view account);
  [[nodiscard]] Result<std::vector<Transfer>> AccountStatement(const StatementQuery& query);
  // Accounts whose name starts with `prefix`, in name order, at most `limit`.
  [[nodiscard]] Result<std::vector<AccountRow>> AccountsWithPrefix(std::string_view prefix, int limit);
  [[nodiscard]] Status ForEachTransfer(const std::function<bool(const Transfer&)>& fn);
  [[nodiscard]] Status ForEachAccount(const std::function<bool(const AccountRow&)>& fn);
  [[nodiscard]] Status ForEachAccumulator(const std::function<bool(const AccumulatorRow&)>& fn);

 protected:
  sql::Conn& c_;
};

class LedgerWriter : public LedgerReader {
 public:
  using LedgerReader::LedgerReader;

  // Adds each delta to the person's accumulator for the year.
  [[nodiscard]] Status AddAccumulators(std::string_view psn_no, int year, const std::vector<AccumDelta>& deltas);
  // Appends the transfers and moves the accounts' totals; creates accounts
  // on first use. Every amount must be > 0.
  [[nodiscard]] Status PostTransfers(const std::vector<Transfer>& transfers);
};

// The tables' schema (sql.h's dialect), created on every opening.
extern const char kLedgerSchema[];

}  // namespace xt::store
