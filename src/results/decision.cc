// Decision validation and the recognition statistics (see decision.h).
#include "results/decision.h"

#include <map>
#include <set>
#include <tuple>

#include "results/errors.h"

namespace xt::results {

namespace {

bool PrintableAscii(std::string_view s) {
  for (char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

std::string MonthOf(LocalSeconds t) { return DateOf(t).ToString().substr(0, 7); }

}  // namespace

std::string_view DecisionKindName(DecisionKind k) { return k == DecisionKind::kAccepted ? "accepted" : "repeated"; }

std::string_view RepeatReasonName(RepeatReason r) {
  switch (r) {
    case RepeatReason::kNone: return "";
    case RepeatReason::kConditionChanged: return "condition_changed";
    case RepeatReason::kResultDoubtful: return "result_doubtful";
    case RepeatReason::kEmergency: return "emergency";
  }
  return "";
}

std::optional<DecisionKind> ParseDecisionKind(std::string_view s) {
  if (s == "accepted") return DecisionKind::kAccepted;
  if (s == "repeated") return DecisionKind::kRepeated;
  return std::nullopt;
}

std::optional<RepeatReason> ParseRepeatReason(std::string_view s) {
  for (RepeatReason r : {RepeatReason::kNone, RepeatReason::kConditionChanged, RepeatReason::kResultDoubtful,
                         RepeatReason::kEmergency}) {
    if (s == RepeatReasonName(r)) return r;
  }
  return std::nullopt;
}

Status ValidateDecision(const Book& book, const Decision& d, const ResultHeader* result) {
  if (d.decision_id.empty() || d.decision_id.size() > kDecisionIdBytesMax || !PrintableAscii(d.decision_id)) {
    return err::BadDecision("decision_id must be 1 to 64 printable ASCII characters without spaces");
  }
  if (d.psn_no.empty()) return err::BadDecision("psn_no is required");
  const InstitutionId inst = book.FindInstitution(d.fixmedins_code);
  if (inst == kNoInstitution) return err::UnknownInstitution(d.fixmedins_code);
  const ItemId item = book.FindItem(d.item_code);
  if (item == kNoItem) return err::UnknownItem(d.item_code);
  if (d.kind == DecisionKind::kAccepted && d.reason != RepeatReason::kNone) {
    return err::BadDecision("an accepted result takes no repeat reason");
  }
  if (d.kind == DecisionKind::kRepeated && d.reason == RepeatReason::kNone) {
    return err::BadDecision("a repeated test needs a reason: condition_changed, result_doubtful or emergency");
  }
  if (d.reason == RepeatReason::kResultDoubtful && d.note.empty()) {
    return err::BadDecision("a doubtful result needs a note saying why");
  }
  if (d.note.size() > kNoteBytesMax) return err::BadDecision("note must be at most 500 bytes");
  if (result == nullptr || result->result_id != d.result_id) {
    return err::DecisionResultMismatch("no result with this result_id");
  }
  if (result->psn_no != d.psn_no) return err::DecisionResultMismatch("the result is of another patient");
  if (result->item_code != d.item_code) return err::DecisionResultMismatch("the result is of another item");
  XT_ASSIGN_OR_RETURN(const ResultKey key, Intern(book, *result));
  LocalSeconds expires_at = 0;
  const Refusal why = Evaluate(book, key, d.decided_at, book.institution(inst).region, &expires_at);
  if (why != Refusal::kNone) {
    return err::NotRecognised("the result is not recognised here at this moment (" + std::string(RefusalName(why)) +
                              "): order the test instead");
  }
  return Status::Ok();
}

Result<std::vector<StatsRow>> Statistics(const Book& book, const catalog::Catalog* catalog,
                                         std::span<const CheckEvent> checks, std::span<const Decision> decisions) {
  using Key = std::tuple<std::string, std::string, std::string>;  // region, institution, month
  std::map<Key, StatsRow> rows;
  std::map<Key, std::set<std::string>> accepted_ids;
  auto row_of = [&](const std::string& code, LocalSeconds at) -> Result<StatsRow*> {
    const InstitutionId inst = book.FindInstitution(code);
    if (inst == kNoInstitution) return err::UnknownInstitution(code);
    Key key{ProvinceOf(book.institution(inst).admdvs), code, MonthOf(at)};
    StatsRow& row = rows[key];
    if (row.fixmedins_code.empty()) {
      row.region = std::get<0>(key);
      row.fixmedins_code = code;
      row.month = std::get<2>(key);
    }
    return &row;
  };
  for (const CheckEvent& c : checks) {
    XT_ASSIGN_OR_RETURN(StatsRow* row, row_of(c.fixmedins_code, c.at));
    row->checks += 1;
    row->items_asked += c.items_asked;
    row->items_recognised += c.items_recognised;
  }
  for (const Decision& d : decisions) {
    XT_ASSIGN_OR_RETURN(StatsRow* row, row_of(d.fixmedins_code, d.decided_at));
    const ItemId item = book.FindItem(d.item_code);
    if (item == kNoItem) return err::UnknownItem(d.item_code);
    if (d.kind == DecisionKind::kRepeated) {
      row->tests_repeated += 1;
      row->repeated_condition_changed += d.reason == RepeatReason::kConditionChanged;
      row->repeated_result_doubtful += d.reason == RepeatReason::kResultDoubtful;
      row->repeated_emergency += d.reason == RepeatReason::kEmergency;
      continue;
    }
    row->tests_avoided += 1;
    std::set<std::string>& ids = accepted_ids[Key{row->region, row->fixmedins_code, row->month}];
    if (ids.insert(d.result_id).second) row->results_accepted += 1;
    const InstitutionId inst = book.FindInstitution(d.fixmedins_code);
    const Price price = book.PriceOf(catalog, item, book.institution(inst).admdvs, DateOf(d.decided_at));
    if (price.source == PriceSource::kNone) {
      row->tests_unpriced += 1;
    } else {
      row->fees_saved_fen += price.price_fen;
    }
  }
  std::vector<StatsRow> out;
  out.reserve(rows.size());
  for (auto& [key, row] : rows) out.push_back(std::move(row));
  return out;
}

}  // namespace xt::results
