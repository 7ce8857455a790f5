// The rows of the mutual recognition of results (docs/results.md): published
// results, each look at a patient's results, the doctors' decisions.
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

// A published lab result or imaging report. The header fields are columns;
// the kind's own fields are kept as the JSON the service wrote (body_json).
struct ResultRow {
  std::string result_id;  // unique across the system
  std::string psn_no;
  std::string fixmedins_code;  // who made the test
  std::string item_code;
  std::string kind;            // lab | imaging
  LocalSeconds taken_at = 0;
  LocalSeconds reported_at = 0;
  std::string origin;          // the HR rule's answer at publication ("marked" carries HR)
  std::string body_json;
  std::string request_hash;    // to refuse a reused result_id with a different body
  LocalSeconds published_at = 0;
};

// What the doctor's check reads of a result (a covering index: no row reads).
struct ResultKeyRow {
  std::string result_id;
  std::string fixmedins_code;
  std::string item_code;
  LocalSeconds taken_at = 0;
  LocalSeconds reported_at = 0;
};

// One look at a patient's results (the check), allowed or refused.
struct ResultLookRow {
  int64_t id = 0;  // assigned by the store
  LocalSeconds time = 0;
  std::string psn_no;
  std::string fixmedins_code;  // the looking institution
  std::string region;          // its province ("120000"), for agencies and statistics
  std::string actor;           // key_id, or "local"
  std::string items;           // the item codes asked, comma-separated
  std::string outcome;         // "ok" or the refusal's code
  int64_t items_asked = 0;
  int64_t items_recognised = 0;
};

struct ResultDecisionRow {
  std::string decision_id;  // idempotency key
  std::string psn_no;
  std::string fixmedins_code;  // the deciding institution
  std::string region;          // its province
  std::string item_code;
  std::string result_id;
  std::string kind;    // accepted | repeated
  std::string reason;  // "" | condition_changed | result_doubtful | emergency
  std::string note;
  LocalSeconds decided_at = 0;
  std::string request_hash;
};

// Looks or decisions to read: empty strings match anything; newest first
// by id, strictly before before_id; at most `limit`.
struct ResultLookQuery {
  std::string psn_no;
  std::string region;
  std::string fixmedins_code;
  LocalSeconds time_from = INT64_MIN;  // time >= time_from
  LocalSeconds time_to = INT64_MAX;    // time < time_to
  int64_t before_id = INT64_MAX;
  int limit = 50;
};

class ResultsReader {
 public:
  explicit ResultsReader(sql::Conn& conn) : c_(conn) {}

  [[nodiscard]] Result<std::optional<ResultRow>> FindResult(std::string_view result_id);
  // The patient's results as the check needs them, into *out (cleared;
  // its capacity kept), at most `limit` (newest taken first).
  [[nodiscard]] Status ResultKeysOfPerson(std::string_view psn_no, int limit, std::vector<ResultKeyRow>* out);
  [[nodiscard]] Result<std::vector<ResultLookRow>> ListResultLooks(const ResultLookQuery& query);
  [[nodiscard]] Result<std::optional<ResultDecisionRow>> FindResultDecision(std::string_view decision_id);
  // Successful looks and all decisions in the window, for the statistics
  // (query.before_id and limit are ignored; the callback returns false to stop).
  [[nodiscard]] Status ForEachResultCheck(const ResultLookQuery& query, const std::function<bool(const ResultLookRow&)>& fn);
  [[nodiscard]] Status ForEachResultDecision(const ResultLookQuery& query, const std::function<bool(const ResultDecisionRow&)>& fn);

 protected:
  sql::Conn& c_;
};

class ResultsWriter : public ResultsReader {
 public:
  using ResultsReader::ResultsReader;

  // result_id / decision_id (the service looks first and replays).
  [[nodiscard]] Status InsertResults(const std::vector<ResultRow>& rows);
  [[nodiscard]] Status InsertResultLook(const ResultLookRow& row);
  [[nodiscard]] Status InsertResultDecision(const ResultDecisionRow& row);
};

// The tables' schema (sql.h's dialect), created on every opening.
extern const char kResultsSchema[];

}  // namespace xt::store
