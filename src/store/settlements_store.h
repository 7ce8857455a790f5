// The rows of visits and settlements: visits (就诊) with their fee details
// (one row per upload), settlements and reversals, and the filings (备案)
// made over the interface.
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
#include "store/ledger_store.h"


namespace xt::store {

namespace sql {
class Conn;
class Stmt;
}

// A visit (就诊): outpatient registration or inpatient stay, with a snapshot
// of what the engine needs, taken at registration.
struct VisitRow {
  std::string mdtrt_id;
  std::string psn_no;
  std::string psn_name;  // as of registration, for the settlement answer
  std::string certno;
  std::string insutype;
  std::string med_type;
  std::string fixmedins_code;
  std::string insuplc_admdvs;
  std::string mdtrtarea_admvs;
  int hosp_lv = 0;
  std::string psn_type;
  Date birth;
  bool filed = false;
  LocalSeconds begntime = 0;
  std::optional<LocalSeconds> endtime;
  // registered | admitted | discharged | settled | cancelled
  std::string state;
  std::string ipt_otp_no;  // the hospital's own visit number
  std::string msgid;       // the message that opened it
  bool cvlserv_flag = false;    // a civil servant (the enrollment's), for the answers
  std::string mdtrt_cert_type;  // the certificate the visit opened with (01 e-voucher, 02 ID, 03 card), or ""
  std::string diseinfo_json;    // the visit's diagnoses (2203, 2401, 2403) as a JSON array, or ""
};

struct FeeLineRow {
  std::string mdtrt_id;
  std::string feedetl_sn;
  std::string chrg_bchno;
  std::string med_list_codg;
  std::string medins_list_codg;
  Fen amount_fen = 0;
  int64_t cnt_e4 = 0;
  int64_t pric_e6 = 0;
  LocalSeconds fee_ocur_time = 0;
  std::string state;  // active | cancelled
  std::string msgid;
};

// The money of one settlement (or of a reversal, negated), in fen.
struct Amounts {
  Fen medfee_sumamt = 0;
  Fen fulamt_ownpay_amt = 0;
  Fen overlmt_selfpay = 0;
  Fen preselfpay_amt = 0;
  Fen inscp_scp_amt = 0;
  Fen act_pay_dedc = 0;
  Fen hifp_pay = 0;
  Fen cvlserv_pay = 0;
  Fen hifes_pay = 0;
  Fen hifmi_pay = 0;
  Fen hifob_pay = 0;
  Fen maf_pay = 0;
  Fen oth_pay = 0;
  Fen fund_pay_sumamt = 0;
  Fen psn_part_amt = 0;
  Fen acct_pay = 0;
  Fen psn_cash_pay = 0;
  Fen hosp_part_amt = 0;
  Fen balc = 0;
  BasisPoints pool_prop_selfpay_bp = 0;
  bool operator==(const Amounts&) const = default;
};

struct SettlementRow {
  int64_t id = 0;            // assigned by the store: the order of commit
  std::string setl_id;
  std::string kind;          // settle | reversal
  std::string orig_setl_id;  // for a reversal: the settlement it reverses
  std::string state;         // settled | reversed (settle rows); reversal rows: "reversal"
  std::string mdtrt_id;
  std::string psn_no;
  std::string fixmedins_code;
  std::string insuplc_admdvs;
  std::string mdtrtarea_admvs;
  std::string insutype;
  std::string med_type;
  LocalSeconds setl_time = 0;
  int year = 0;              // accumulator year
  std::string msgid;
  Amounts amounts;
  std::vector<AccumDelta> deltas;
  std::string detail_json;   // lines, funds and trace, as the service renders them
};

// A filing (备案) made over the interface: a referral or cross-region
// treatment filing (2501), by the institution that sent it. The dataset's
// own filings are in the person's document (registry::Person::filings).
struct FilingRow {
  std::string trt_dcla_detl_sn;  // the filing's number, given by the exchange
  std::string psn_no;
  std::string insutype;
  std::string kind;              // referral
  std::string mdtrtarea_admvs;   // where the person is filed to be treated (any code of the province)
  Date begin;
  std::optional<Date> end;       // exclusive: the day after enddate; absent: open
  std::string fixmedins_code;    // who filed it
  std::string state;             // active | cancelled
  LocalSeconds created = 0;
  std::string detail_json;       // the filing's other fields as sent (diagnosis, reason ...)
};

// Which settlements to list, newest first (setl_time, then id). Empty
// strings match anything; provinces are 6-digit codes ("130000") matched on
// their first two digits. At most `limit` rows after the keyset position.
struct SettlementQuery {
  std::string fixmedins_code;
  std::string psn_no;
  std::string insuplc_province;
  std::string mdtrtarea_province;
  std::string involves_province;  // either the insurance or the treatment side
  LocalSeconds time_from = INT64_MIN;  // setl_time >= time_from
  LocalSeconds time_to = INT64_MAX;    // setl_time < time_to
  // Keyset: only rows strictly older than (before_time, before_id).
  LocalSeconds before_time = INT64_MAX;
  int64_t before_id = INT64_MAX;
  int limit = 50;
};

// What clearing reads of one settlement row: the SettlementRow fields
// clearing::FactsOf uses (id, setl_id, kind, fixmedins_code, insuplc_admdvs,
// mdtrtarea_admvs, insutype, med_type, setl_time and the amounts of the
// funds, medfee_sumamt, fund_pay_sumamt and acct_pay; the others are left
// empty), and the setl_time of the settlement it targets (its own, or for a
// reversal the original's).
using ClearingRowFn = std::function<bool(const SettlementRow& row, LocalSeconds target_setl_time)>;

class SettlementsReader {
 public:
  explicit SettlementsReader(sql::Conn& conn) : c_(conn) {}

  [[nodiscard]] Result<std::optional<VisitRow>> FindVisit(std::string_view mdtrt_id);
  // Active fee lines of a visit, in the order they were uploaded (uploads
  // oldest first, each upload's lines as sent): the order in which a refund
  // line follows the charge it cancels (settle::SplitLines).
  [[nodiscard]] Result<std::vector<FeeLineRow>> ActiveFeeLines(std::string_view mdtrt_id);
  // Every fee line of a visit, active or cancelled, in the same order.
  [[nodiscard]] Result<std::vector<FeeLineRow>> FeeLinesOfVisit(std::string_view mdtrt_id);
  [[nodiscard]] Result<std::optional<FeeLineRow>> FindFeeLine(std::string_view mdtrt_id, std::string_view feedetl_sn);
  // What was kept with the upload made by message `msgid` to render its
  // answer again (InsertFeeLines' `answer`; opaque to the store); nullopt
  // when there is no such upload, empty when it was stored without one.
  [[nodiscard]] Result<std::optional<std::string>> FeeUploadAnswer(std::string_view mdtrt_id, std::string_view msgid);
  [[nodiscard]] Result<std::optional<SettlementRow>> FindSettlement(std::string_view setl_id);
  // The settlement of a visit that is in state "settled", if any.
  [[nodiscard]] Result<std::optional<SettlementRow>> ActiveSettlementOfVisit(std::string_view mdtrt_id);
  [[nodiscard]] Result<std::optional<FilingRow>> FindFiling(std::string_view trt_dcla_detl_sn);
  // The person's filings, active and cancelled, oldest first, at most `limit`.
  [[nodiscard]] Result<std::vector<FilingRow>> FilingsOfPerson(std::string_view psn_no, int limit);
  [[nodiscard]] Result<std::vector<SettlementRow>> ListSettlements(const SettlementQuery& query);
  // The patient's visits in `state` at any institution, newest first, at
  // most `limit` (visits_person: a person has few).
  [[nodiscard]] Result<std::vector<VisitRow>> VisitsOfPersonInState(std::string_view psn_no, std::string_view state, int limit);
  // The person's visit at the institution with the hospital's own number
  // ipt_otp_no in `state` (a retried 2201/2401), if any.
  [[nodiscard]] Result<std::optional<VisitRow>> FindOpenVisitByNumber(std::string_view psn_no, std::string_view fixmedins_code, std::string_view ipt_otp_no, std::string_view state);
  // The patient's visits at one institution, newest first, at most `limit`.
  [[nodiscard]] Result<std::vector<VisitRow>> VisitsOfPersonAt(std::string_view psn_no, std::string_view fixmedins_code, int limit);
  // Full scans, for verify. The callback returns false to stop early.
  [[nodiscard]] Status ForEachSettlement(const std::function<bool(const SettlementRow&)>& fn);
  [[nodiscard]] Result<int64_t> CountSettlements();
  // The highest settlement id (0 when none): a close's seq_through.
  [[nodiscard]] Result<int64_t> MaxSettlementId();
  // The rows a close of a month may count, in id order: those with
  // seq_after < id <= seq_through, then those with id <= seq_after and
  // setl_time >= time_from (recorded before the last close but of this
  // month or later). The callback's row is reused between calls.
  [[nodiscard]] Status ForEachClearingRow(int64_t seq_after, int64_t seq_through, LocalSeconds time_from, const ClearingRowFn& fn);
  // An institution's settlements and reversals with time_from <= setl_time
  // < time_to, by setl_time then id (3201, 3202).
  [[nodiscard]] Status ForEachInstitutionSettlement(std::string_view fixmedins_code, LocalSeconds time_from, LocalSeconds time_to, const std::function<bool(const SettlementRow&)>& fn);

 protected:
  // The uploads of a visit, oldest first, each with its lines.
  struct Upload {
    int64_t id = 0;
    std::vector<FeeLineRow> lines;
  };
  [[nodiscard]] Result<std::vector<Upload>> UploadsOfVisit(std::string_view mdtrt_id);
  // The visits a statement selects (its parameters: `bind`).
  [[nodiscard]] Result<std::vector<VisitRow>> Visits(const char* text, const std::function<void(sql::Stmt&)>& bind);

  sql::Conn& c_;
};

class SettlementsWriter : public SettlementsReader {
 public:
  using SettlementsReader::SettlementsReader;

  [[nodiscard]] Status InsertVisit(const VisitRow& visit);
  [[nodiscard]] Status UpdateVisit(const VisitRow& visit);
  [[nodiscard]] Status SetVisitState(std::string_view mdtrt_id, std::string_view state);
  // Fails with XT-STORE-003 when a (mdtrt_id, feedetl_sn) already exists.
  // Lines of one upload (same mdtrt_id and msgid, given together) are
  // stored together: write an upload in one call. `answer` is kept with
  // the upload's row, for the processor to render the upload's answer
  // again on a retry (FeeUploadAnswer) instead of logging it whole.
  [[nodiscard]] Status InsertFeeLines(const std::vector<FeeLineRow>& lines, std::string_view answer = {});
  [[nodiscard]] Status SetFeeLineState(std::string_view mdtrt_id, std::string_view feedetl_sn, std::string_view state);
  [[nodiscard]] Status InsertFiling(const FilingRow& row);
  [[nodiscard]] Status SetFilingState(std::string_view trt_dcla_detl_sn, std::string_view state);
  [[nodiscard]] Status InsertSettlement(const SettlementRow& row);
  [[nodiscard]] Status SetSettlementState(std::string_view setl_id, std::string_view state);
};

// The tables' schema (sql.h's dialect), created on every opening.
extern const char kSettlementsSchema[];

// The version of these tables this build writes (meta "schema_version"):
// 2 kept fee details one row per upload (fee_uploads) instead of one row
// per line (fee_lines); 3 added fee_uploads.answer, what renders the
// upload's answer again (the message log then keeps that answer without its
// output); 4 added visits.cvlserv_flag, mdtrt_cert_type and diseinfo (the
// answers' person fields, and the visit's diagnoses).
inline constexpr int kSettlementsVersion = 4;
// Brings tables made at `from_version` to kSettlementsVersion, inside the
// opening transaction; XT-STORE-002 for a version this build does not know.
[[nodiscard]] Status MigrateSettlements(sql::Conn& c, int from_version);

}  // namespace xt::store
