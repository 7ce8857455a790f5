// A month's clearing computed from the store (month.h): the scans of the
// settlements table feeding MonthCloser through a bounded pipeline, and the
// stored report read back.
#include "clearing/month.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/json_doc.h"

namespace xt::clearing {

// A report nests four levels (the matrix's rows); a little room beyond.
constexpr int kReportDepthMax = 8;

Result<ClearingHistory> HistoryOf(store::ReadTxn& txn) {
  XT_ASSIGN_OR_RETURN(auto rows, txn.clearing().ClosedMonths());
  ClearingHistory h;
  for (const auto& r : rows) h.closed.push_back({r.setlym, r.seq_through, r.closed_at});
  XT_RETURN_IF_ERROR(h.Check());
  return h;
}

namespace {

// The aggregation of a month fed by one or more scans of the store: each
// scan (a producer, on its own thread or the caller's) keeps the rows this
// month counts and copies them into batches; one consumer thread makes
// their facts and adds them to the MonthCloser (which is not thread-safe,
// hence one). Batches are bounded (kBatchRows rows, kBatchesMax waiting), so
// memory stays a few megabytes whatever the month's size.
class MonthPipeline {
 public:
  static constexpr size_t kBatchRows = 4096;
  static constexpr size_t kBatchesMax = 8;

  struct Item {
    store::SettlementRow row;
    LocalSeconds target = 0;
  };
  // A batch keeps its rows from one use to the next (`size` of them are
  // live), so a row is copied by assignment into strings that already have
  // their capacity: no allocation per row.
  struct Batch {
    std::vector<Item> items;
    size_t size = 0;
  };

  MonthPipeline(MonthCloser* closer, Codes* codes, std::string_view only_institution)
      : closer_(closer), codes_(codes), only_(only_institution) {
    consumer_ = std::thread([this] { Consume(); });
  }
  // Joins the consumer on an early return; the month's error, if any, was
  // already taken by the caller's own Finish, or the month is abandoned.
  ~MonthPipeline() { (void)Finish(); }

  // One producer's side: Accept is its scan's callback.
  class Feeder {
   public:
    explicit Feeder(MonthPipeline* p) : p_(p) { current_.items.resize(kBatchRows); }
    ~Feeder() { Flush(); }
    bool Accept(const store::SettlementRow& row, LocalSeconds target_time) {
      if (!IsCrossRegion(row.insuplc_admdvs, row.mdtrtarea_admvs)) return true;
      if (!p_->only_.empty() && row.fixmedins_code != p_->only_) return true;
      // Decided here (three comparisons; Counts reads only what Begin set),
      // so rows of other months cost neither a copy nor look-ups.
      if (!p_->closer_->Counts(SetlymOf(target_time), row.id)) return true;
      Item& it = current_.items[current_.size++];
      store::SettlementRow& r = it.row;
      it.target = target_time;
      r.id = row.id;
      r.setl_id = row.setl_id;
      r.kind = row.kind;
      r.fixmedins_code = row.fixmedins_code;
      r.insuplc_admdvs = row.insuplc_admdvs;
      r.mdtrtarea_admvs = row.mdtrtarea_admvs;
      r.insutype = row.insutype;
      r.med_type = row.med_type;
      r.setl_time = row.setl_time;
      r.amounts = row.amounts;
      if (current_.size >= kBatchRows) return p_->HandOver(&current_);
      return true;
    }
    void Flush() {
      if (current_.size > 0) p_->HandOver(&current_);
    }

   private:
    MonthPipeline* p_;
    Batch current_;
  };

  // Waits for the consumer; the first failure of FactsOf, if any.
  Status Finish() {
    if (consumer_.joinable()) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        done_ = true;
      }
      cv_.notify_all();
      consumer_.join();
    }
    return bad_;
  }

 private:
  // Queues the batch and gives the producer an empty one; false once the
  // consumer has failed (the scan then stops).
  bool HandOver(Batch* current) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return full_.size() < kBatchesMax || failed_; });
    if (failed_) {
      current->size = 0;
      return false;
    }
    full_.push_back(std::move(*current));
    if (!spare_.empty()) {
      *current = std::move(spare_.back());
      spare_.pop_back();
    } else {
      *current = Batch();
      current->items.resize(kBatchRows);
    }
    lock.unlock();
    cv_.notify_all();
    return true;
  }

  void Consume() {
    for (;;) {
      Batch batch;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return done_ || !full_.empty(); });
        if (full_.empty()) return;
        batch = std::move(full_.front());
        full_.pop_front();
      }
      cv_.notify_all();
      for (size_t i = 0; i < batch.size && bad_.ok(); ++i) {
        const Item& it = batch.items[i];
        auto facts = FactsOf(it.row, it.row.id, it.target, codes_);
        if (!facts.ok()) {
          bad_ = facts.status();
          std::lock_guard<std::mutex> lock(mu_);
          failed_ = true;
          cv_.notify_all();
          break;
        }
        closer_->Add(*facts);
      }
      batch.size = 0;
      std::lock_guard<std::mutex> lock(mu_);
      spare_.push_back(std::move(batch));
    }
  }

  MonthCloser* closer_;
  Codes* codes_;
  std::string_view only_;
  Status bad_ = Status::Ok();  // consumer's; read after join
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> full_;   // guarded by mu_
  std::vector<Batch> spare_; // guarded by mu_
  bool done_ = false;        // guarded by mu_
  bool failed_ = false;      // guarded by mu_
  std::thread consumer_;
};

struct Ranges {
  int64_t seq_after = 0;
  int64_t seq_through = 0;
  LocalSeconds time_from = 0;
};

Ranges RangesOf(const ClearingHistory& history, const MonthCloser& closer) {
  const Setlym ym = closer.close().setlym;
  const ClosedMonth* prior = history.Find(PrevMonth(ym));
  return Ranges{prior ? prior->seq_through : 0, closer.close().seq_through, StartOfMonth(ym)};
}

// No row has a setl_time this late: the "earlier rows" part of a scan is empty.
constexpr LocalSeconds kNoEarlierRows = INT64_MAX;

}  // namespace

Result<MonthResult> ComputeMonth(store::ReadTxn& txn, const ClearingHistory& history, const CloseRequest& request,
                                 std::string_view only_institution) {
  XT_ASSIGN_OR_RETURN(auto closer, MonthCloser::Begin(history, request));
  Codes codes;
  const Ranges r = RangesOf(history, closer);
  Status scanned = Status::Ok();
  {
    MonthPipeline pipeline(&closer, &codes, only_institution);
    {
      MonthPipeline::Feeder feeder(&pipeline);
      scanned = txn.settlements().ForEachClearingRow(r.seq_after, r.seq_through, r.time_from,
                                       [&](const store::SettlementRow& row, LocalSeconds t) {
                                         return feeder.Accept(row, t);
                                       });
    }
    XT_RETURN_IF_ERROR(pipeline.Finish());
  }
  XT_RETURN_IF_ERROR(scanned);
  return std::move(closer).Finish(codes);
}

Result<MonthResult> ComputeMonthParallel(store::Store& store, const ClearingHistory& history,
                                         const CloseRequest& request) {
  XT_ASSIGN_OR_RETURN(auto closer, MonthCloser::Begin(history, request));
  Codes codes;
  const Ranges r = RangesOf(history, closer);
  // Two scans of the rows recorded since the last close, split at the
  // middle id, each on its own read snapshot: every row up to seq_through
  // was committed before either began, and what clearing reads of a row
  // never changes. The rows recorded earlier but of this month go with the
  // first.
  const int64_t mid = r.seq_after + (r.seq_through - r.seq_after) / 2;
  Status first = Status::Ok(), second = Status::Ok();
  {
    MonthPipeline pipeline(&closer, &codes, {});
    std::thread other([&] {
      MonthPipeline::Feeder feeder(&pipeline);
      second = store.Read([&](store::ReadTxn& txn) {
        return txn.settlements().ForEachClearingRow(mid, r.seq_through, kNoEarlierRows,
                                      [&](const store::SettlementRow& row, LocalSeconds t) {
                                        return feeder.Accept(row, t);
                                      });
      });
    });
    {
      MonthPipeline::Feeder feeder(&pipeline);
      first = store.Read([&](store::ReadTxn& txn) -> Status {
        auto accept = [&](const store::SettlementRow& row, LocalSeconds t) { return feeder.Accept(row, t); };
        XT_RETURN_IF_ERROR(txn.settlements().ForEachClearingRow(r.seq_after, mid, kNoEarlierRows, accept));
        // Only the earlier rows: the id range (seq_after, seq_after] is empty.
        return txn.settlements().ForEachClearingRow(r.seq_after, r.seq_after, r.time_from, accept);
      });
    }
    other.join();
    XT_RETURN_IF_ERROR(pipeline.Finish());
  }
  XT_RETURN_IF_ERROR(first);
  XT_RETURN_IF_ERROR(second);
  return std::move(closer).Finish(codes);
}

namespace {

// A stored report's values. The report is ours (MonthJson), so a field of
// the wrong type reads as its zero, as a missing one does; amounts are read
// from the number's text, as written from the fen.
int64_t IntAt(const JsonValue& obj, const char* key) {
  const JsonValue* v = obj.Find(key);
  return v ? v->int64().value_or(0) : 0;
}

std::string StrAt(const JsonValue& obj, const char* key) {
  const JsonValue* v = obj.Find(key);
  return v ? std::string(v->string()) : std::string();
}

Fen FenAt(const JsonValue& obj, const char* key) {
  const JsonValue* v = obj.Find(key);
  if (!v) return 0;
  if (v->is_number_integer()) return v->int64().value_or(0) * 100;
  return ScaledFromNumberText(v->number_text(), 2).value_or(0);
}

// The elements of the array `key`, or none.
std::span<const JsonValue> ArrayAt(const JsonValue& obj, const char* key) {
  const JsonValue* v = obj.Find(key);
  return v ? v->elements() : std::span<const JsonValue>();
}

}  // namespace

Result<MonthResult> ParseMonthJson(std::string_view text) {
  JsonDoc doc;
  if (doc.Parse(text, kReportDepthMax) != JsonDoc::Parsed::kOk || !doc.root().is_object()) {
    return Status::Error("XT-CLR-002", "a stored clearing report does not parse");
  }
  const JsonValue& d = doc.root();
  MonthResult m;
  m.close.setlym = static_cast<Setlym>(IntAt(d, "setlym"));
  m.close.seq_through = IntAt(d, "seq_through");
  if (auto t = ParseLocalTime(StrAt(d, "closed_at"))) m.close.closed_at = *t;
  m.rows = IntAt(d, "rows");
  m.settlements = IntAt(d, "settlements");
  m.reversals = IntAt(d, "reversals");
  m.adjustment_rows = IntAt(d, "adjustment_rows");
  m.adjustment_fen = FenAt(d, "adjustment_amt");
  for (const JsonValue& f : ArrayAt(d, "flows")) {
    m.flows.push_back({StrAt(f, "insuplc_province"), StrAt(f, "mdtrtarea_province"), FenAt(f, "fund_pay_sumamt"),
                       FenAt(f, "acct_pay"), FenAt(f, "adjustment"), IntAt(f, "settlements"),
                       IntAt(f, "reversals")});
  }
  for (const JsonValue& n : ArrayAt(d, "nets")) {
    m.nets.push_back({StrAt(n, "province"), FenAt(n, "receivable"), FenAt(n, "payable"), FenAt(n, "net")});
  }
  for (const JsonValue& t : ArrayAt(d, "net_transfers")) {
    m.net_transfers.push_back({StrAt(t, "from"), StrAt(t, "to"), FenAt(t, "amount")});
  }
  for (const JsonValue& l : ArrayAt(d, "institutions")) {
    InstitutionLine x;
    x.fixmedins_code = StrAt(l, "fixmedins_code");
    x.mdtrtarea_province = StrAt(l, "mdtrtarea_province");
    x.insutype = StrAt(l, "insutype");
    x.clr_type = StrAt(l, "clr_type");
    x.settlements = IntAt(l, "settlements");
    x.reversals = IntAt(l, "reversals");
    x.medfee_sumamt = FenAt(l, "medfee_sumamt");
    x.fund_pay_sumamt = FenAt(l, "fund_pay_sumamt");
    x.acct_pay = FenAt(l, "acct_pay");
    x.psn_cash_pay = FenAt(l, "psn_cash_pay");
    m.institutions.push_back(std::move(x));
  }
  for (const JsonValue& f : ArrayAt(d, "funds")) {
    m.funds.push_back({StrAt(f, "insuplc_province"), StrAt(f, "fund"), FenAt(f, "amount")});
  }
  for (const JsonValue& t : ArrayAt(d, "ledger")) {
    store::Transfer x;
    x.debit_account = StrAt(t, "debit");
    x.credit_account = StrAt(t, "credit");
    x.amount_fen = FenAt(t, "amount");
    x.memo = StrAt(t, "memo");
    x.time = m.close.closed_at;
    m.ledger.push_back(std::move(x));
  }
  return m;
}

}  // namespace xt::clearing
