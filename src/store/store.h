// Storage behind one interface: SQLite now (sqlite_store.cc), PostgreSQL later.
// This is the only folder that speaks SQL.
//
// Writes go through Store::Write: the work runs on the single writer thread
// inside its own savepoint, within a transaction shared with whatever other
// work is queued at that moment (group commit). Write returns only once that
// transaction is durable (or failed): an answer given to a client after
// Write returns ok is never lost. Work that returns an error has its
// savepoint rolled back and does not affect its neighbours.
//
// Reads go through Store::Read: a consistent snapshot on a reader connection,
// concurrent with the writer.
//
// Thread-safety: Store is safe to call from any number of threads. A
// ReadTxn / WriteTxn is valid only inside the callback it was passed to.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/money.h"
#include "core/status.h"

namespace xt::store {

// A person as the registry serialises it, with the keys we look it up by.
struct PersonRecord {
  std::string psn_no;
  std::string certno;
  std::string card_no;
  std::string body_json;  // registry's person document
};

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

struct AccumDelta {
  std::string key;
  int64_t value = 0;
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

struct MessageRow {
  std::string msgid;
  std::string infno;
  std::string fixmedins_code;
  std::string request_hash;  // to refuse a reused msgid with a different request
  int infcode = 0;
  // The response envelope as first sent. When setl_id is set, its output is
  // left out ("output":null) and rendered again from what it names, which
  // holds the same figures: a settlement's setl_id, or (a 2204/2301 upload)
  // a reference to the fee upload whose row keeps its answer compactly. The
  // answer is kept once, not twice.
  std::string response;
  LocalSeconds time = 0;
  std::string setl_id;
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

// A file a hospital uploaded with 9101 (a 3202 detail list, say), read back
// with 9102 or named by file_qury_no in 3202.
struct FileRow {
  std::string file_qury_no;
  std::string fixmedins_code;  // who uploaded it: only they read it
  std::string filename;
  std::string body;            // the bytes
  LocalSeconds created = 0;
};

// An access credential (API key). The secret itself is never stored: only
// its hash (service/credentials.h says how keys are made and checked).
struct CredentialRow {
  std::string key_id;       // public part of the key, unique
  std::string role;         // hospital | agency | resident | admin
  std::string scope;        // fixmedins_code | province admdvs | psn_no | "*"
  std::string secret_hash;  // hex BLAKE2b-256 of the secret
  std::string label;        // free text for operators
  LocalSeconds created = 0;
  LocalSeconds revoked = 0;  // 0 while valid
};

// A 9001 sign-in of a hospital operator; sign_no is quoted by later calls.
struct SignInRow {
  std::string sign_no;
  std::string fixmedins_code;
  std::string opter_no;
  std::string key_id;
  LocalSeconds sign_in_time = 0;
  LocalSeconds sign_out_time = 0;  // 0 while open
};

// One record of the append-only audit log. The store assigns seq, prev_hash
// and hash when the group that holds it commits, in commit order, so the
// records form one hash chain (AuditHash); the head is kept in meta
// ("audit_head": "seq hash") in the same commit.
struct AuditRow {
  int64_t seq = 0;
  LocalSeconds time = 0;
  std::string actor;    // key_id of the credential, or "local" for the command line
  std::string role;
  std::string action;   // a transaction code ("2207") or a REST use ("GET settlement")
  std::string subject;  // whose data or money: psn_no, setl_id or account
  std::string outcome;  // "ok" or an error code
  std::string detail;   // msgid, query: no personal data beyond subject
  std::string prev_hash;
  std::string hash;
};

// The hash of an audit record chained to the one before it: hex
// BLAKE2b-256 over prev_hash and the record's fields, each length-prefixed.
std::string AuditHash(std::string_view prev_hash, const AuditRow& row);
inline constexpr char kAuditGenesis[] = "0000000000000000000000000000000000000000000000000000000000000000";

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

// An account's transfers, newest first, strictly before before_id.
struct StatementQuery {
  std::string account;
  LocalSeconds time_from = INT64_MIN;
  LocalSeconds time_to = INT64_MAX;
  int64_t before_id = INT64_MAX;
  int limit = 50;
};

// ---- Mutual recognition of results (docs/results.md): results, looks at
// them, the doctor's decisions.

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

// ---- clearing (docs/clearing.md, src/service/clearing_service.h)

// A closed month as stored: its record in the history of closes and its
// reports as first rendered (a second close answers with these bytes).
struct ClosedMonthRow {
  int32_t setlym = 0;
  int64_t seq_through = 0;
  LocalSeconds closed_at = 0;
  std::string report_json;       // clearing::MonthJson
  std::string flows_csv;         // clearing::FlowsCsv
  std::string institutions_csv;  // clearing::InstitutionsCsv
  std::string funds_csv;         // clearing::FundsCsv
};

// A movement of a prepaid fund (预付金): a deposit or top-up, or a draw of a
// month's clearing.
struct PrepaidMovementRow {
  int64_t id = 0;           // assigned by the store
  std::string province;     // "130000"
  std::string kind;         // deposit | draw
  Fen amount_fen = 0;       // > 0
  LocalSeconds time = 0;
  std::string ref;          // the deposit's reference, or "clearing <setlym>"
};

// A province's cross-region spend in a closed month (prepaid thresholds).
struct MonthSpendRow {
  int32_t setlym = 0;
  std::string province;
  Fen spend_fen = 0;
};

// A 3203 clearing application, by appl_id.
struct ClearingApplicationRow {
  std::string appl_id;
  std::string fixmedins_code;
  int32_t setlym = 0;
  std::string clr_type;
  std::string clr_way;
  int64_t psntime = 0;
  Fen medfee_sumamt = 0;
  Fen fund_appy_sum = 0;
  Fen acct_pay = 0;
  Fen cash_payamt = 0;
  std::string state;  // applied | cancelled
  LocalSeconds time = 0;
};

// What clearing reads of one settlement row: the SettlementRow fields
// clearing::FactsOf uses (id, setl_id, kind, fixmedins_code, insuplc_admdvs,
// mdtrtarea_admvs, insutype, med_type, setl_time and the amounts of the
// funds, medfee_sumamt, fund_pay_sumamt and acct_pay; the others are left
// empty), and the setl_time of the settlement it targets (its own, or for a
// reversal the original's).
using ClearingRowFn = std::function<bool(const SettlementRow& row, LocalSeconds target_setl_time)>;

// ---- end of clearing

class ReadTxn {
 public:
  virtual ~ReadTxn() = default;

  virtual Result<std::optional<std::string>> GetMeta(std::string_view key) = 0;
  virtual Result<std::optional<std::string>> GetRefData(std::string_view name) = 0;

  virtual Result<std::optional<PersonRecord>> FindPersonByPsnNo(std::string_view psn_no) = 0;
  virtual Result<std::optional<PersonRecord>> FindPersonByCertno(std::string_view certno) = 0;
  virtual Result<std::optional<PersonRecord>> FindPersonByCardNo(std::string_view card_no) = 0;
  virtual Result<int64_t> CountPersons() = 0;

  virtual Result<std::optional<VisitRow>> FindVisit(std::string_view mdtrt_id) = 0;
  // Active fee lines of a visit, in the order they were uploaded (uploads
  // oldest first, each upload's lines as sent): the order in which a refund
  // line follows the charge it cancels (settle::SplitLines).
  virtual Result<std::vector<FeeLineRow>> ActiveFeeLines(std::string_view mdtrt_id) = 0;
  // Every fee line of a visit, active or cancelled, in the same order.
  virtual Result<std::vector<FeeLineRow>> FeeLinesOfVisit(std::string_view mdtrt_id) = 0;
  virtual Result<std::optional<FeeLineRow>> FindFeeLine(std::string_view mdtrt_id, std::string_view feedetl_sn) = 0;
  // What was kept with the upload made by message `msgid` to render its
  // answer again (InsertFeeLines' `answer`; opaque to the store); nullopt
  // when there is no such upload, empty when it was stored without one.
  virtual Result<std::optional<std::string>> FeeUploadAnswer(std::string_view mdtrt_id, std::string_view msgid) = 0;

  virtual Result<std::optional<SettlementRow>> FindSettlement(std::string_view setl_id) = 0;
  // The settlement of a visit that is in state "settled", if any.
  virtual Result<std::optional<SettlementRow>> ActiveSettlementOfVisit(std::string_view mdtrt_id) = 0;

  virtual Result<std::vector<AccumDelta>> GetAccumulators(std::string_view psn_no, int year) = 0;
  virtual Result<std::optional<AccountRow>> GetAccount(std::string_view account) = 0;
  virtual Result<std::optional<MessageRow>> FindMessage(std::string_view msgid) = 0;

  virtual Result<std::optional<CredentialRow>> FindCredential(std::string_view key_id) = 0;
  virtual Status ForEachCredential(const std::function<bool(const CredentialRow&)>& fn) = 0;
  virtual Result<std::optional<SignInRow>> FindSignIn(std::string_view sign_no) = 0;

  virtual Result<std::optional<FileRow>> FindFile(std::string_view file_qury_no) = 0;
  virtual Result<std::optional<FilingRow>> FindFiling(std::string_view trt_dcla_detl_sn) = 0;
  // The person's filings, active and cancelled, oldest first, at most `limit`.
  virtual Result<std::vector<FilingRow>> FilingsOfPerson(std::string_view psn_no, int limit) = 0;

  virtual Result<std::vector<SettlementRow>> ListSettlements(const SettlementQuery& query) = 0;
  virtual Result<std::vector<Transfer>> AccountStatement(const StatementQuery& query) = 0;
  // Accounts whose name starts with `prefix`, in name order, at most `limit`.
  virtual Result<std::vector<AccountRow>> AccountsWithPrefix(std::string_view prefix, int limit) = 0;

  // The audit log in seq order, from seq `from` on.
  virtual Status ForEachAudit(int64_t from, const std::function<bool(const AuditRow&)>& fn) = 0;

  // ---- Mutual recognition of results
  virtual Result<std::optional<ResultRow>> FindResult(std::string_view result_id) = 0;
  // The patient's results as the check needs them, into *out (cleared;
  // its capacity kept), at most `limit` (newest taken first).
  virtual Status ResultKeysOfPerson(std::string_view psn_no, int limit, std::vector<ResultKeyRow>* out) = 0;
  // The patient's visits at one institution, newest first, at most `limit`.
  // The patient's visits in `state` at any institution, newest first, at
  // most `limit` (visits_person: a person has few).
  virtual Result<std::vector<VisitRow>> VisitsOfPersonInState(std::string_view psn_no, std::string_view state,
                                                              int limit) = 0;
  // The person's visit at the institution with the hospital's own number
  // ipt_otp_no in `state` (a retried 2201/2401), if any.
  virtual Result<std::optional<VisitRow>> FindOpenVisitByNumber(std::string_view psn_no,
                                                                std::string_view fixmedins_code,
                                                                std::string_view ipt_otp_no, std::string_view state) = 0;
  virtual Result<std::vector<VisitRow>> VisitsOfPersonAt(std::string_view psn_no, std::string_view fixmedins_code,
                                                         int limit) = 0;
  virtual Result<std::vector<ResultLookRow>> ListResultLooks(const ResultLookQuery& query) = 0;
  virtual Result<std::optional<ResultDecisionRow>> FindResultDecision(std::string_view decision_id) = 0;
  // Successful looks and all decisions in the window, for the statistics
  // (query.before_id and limit are ignored; the callback returns false to stop).
  virtual Status ForEachResultCheck(const ResultLookQuery& query, const std::function<bool(const ResultLookRow&)>& fn) = 0;
  virtual Status ForEachResultDecision(const ResultLookQuery& query,
                                       const std::function<bool(const ResultDecisionRow&)>& fn) = 0;

  // Full scans, for verify. The callback returns false to stop early.
  virtual Status ForEachSettlement(const std::function<bool(const SettlementRow&)>& fn) = 0;
  virtual Status ForEachTransfer(const std::function<bool(const Transfer&)>& fn) = 0;
  virtual Status ForEachAccount(const std::function<bool(const AccountRow&)>& fn) = 0;
  virtual Status ForEachAccumulator(const std::function<bool(const AccumulatorRow&)>& fn) = 0;
  virtual Result<int64_t> CountSettlements() = 0;

  // ---- clearing (docs/clearing.md)
  // The highest settlement id (0 when none): a close's seq_through.
  virtual Result<int64_t> MaxSettlementId() = 0;
  // The rows a close of a month may count, in id order: those with
  // seq_after < id <= seq_through, then those with id <= seq_after and
  // setl_time >= time_from (recorded before the last close but of this
  // month or later). The callback's row is reused between calls.
  virtual Status ForEachClearingRow(int64_t seq_after, int64_t seq_through, LocalSeconds time_from,
                                    const ClearingRowFn& fn) = 0;
  // An institution's settlements and reversals with time_from <= setl_time
  // < time_to, by setl_time then id (3201, 3202).
  virtual Status ForEachInstitutionSettlement(std::string_view fixmedins_code, LocalSeconds time_from,
                                              LocalSeconds time_to,
                                              const std::function<bool(const SettlementRow&)>& fn) = 0;
  // The closed months, oldest first, without their reports.
  virtual Result<std::vector<ClosedMonthRow>> ClosedMonths() = 0;
  virtual Result<std::optional<ClosedMonthRow>> FindClosedMonth(int32_t setlym) = 0;
  virtual Result<std::vector<PrepaidMovementRow>> PrepaidMovements(std::string_view province) = 0;  // "" for all
  virtual Result<std::vector<MonthSpendRow>> MonthSpends() = 0;
  virtual Result<std::vector<ClearingApplicationRow>> ClearingApplications(std::string_view fixmedins_code) = 0;
  virtual Result<std::optional<ClearingApplicationRow>> FindClearingApplication(std::string_view appl_id) = 0;
  // ---- end of clearing
};

class WriteTxn : public ReadTxn {
 public:
  virtual Status PutMeta(std::string_view key, std::string_view value) = 0;
  virtual Status PutRefData(std::string_view name, std::string_view body) = 0;
  virtual Status InsertPerson(const PersonRecord& person) = 0;

  // Next value of a named sequence, starting at 1.
  virtual Result<int64_t> NextSequence(std::string_view name) = 0;

  virtual Status InsertVisit(const VisitRow& visit) = 0;
  virtual Status UpdateVisit(const VisitRow& visit) = 0;  // by mdtrt_id
  virtual Status SetVisitState(std::string_view mdtrt_id, std::string_view state) = 0;
  // Fails with XT-STORE-003 when a (mdtrt_id, feedetl_sn) already exists.
  // Lines of one upload (same mdtrt_id and msgid, given together) are
  // stored together: write an upload in one call. `answer` is kept with
  // the upload's row, for the processor to render the upload's answer
  // again on a retry (FeeUploadAnswer) instead of logging it whole.
  virtual Status InsertFeeLines(const std::vector<FeeLineRow>& lines, std::string_view answer = {}) = 0;
  virtual Status SetFeeLineState(std::string_view mdtrt_id, std::string_view feedetl_sn, std::string_view state) = 0;

  virtual Status InsertFile(const FileRow& row) = 0;
  virtual Status InsertFiling(const FilingRow& row) = 0;
  virtual Status SetFilingState(std::string_view trt_dcla_detl_sn, std::string_view state) = 0;

  virtual Status InsertSettlement(const SettlementRow& row) = 0;
  virtual Status SetSettlementState(std::string_view setl_id, std::string_view state) = 0;

  // Adds each delta to the person's accumulator for the year.
  virtual Status AddAccumulators(std::string_view psn_no, int year, const std::vector<AccumDelta>& deltas) = 0;
  // Appends the transfers and moves the accounts' totals; creates accounts
  // on first use. Every amount must be > 0.
  virtual Status PostTransfers(const std::vector<Transfer>& transfers) = 0;

  virtual Status PutMessage(const MessageRow& message) = 0;

  // Inserts a credential, or replaces the one with the same key_id.
  virtual Status PutCredential(const CredentialRow& credential) = 0;
  virtual Status InsertSignIn(const SignInRow& sign_in) = 0;
  virtual Status CloseSignIn(std::string_view sign_no, LocalSeconds time) = 0;
  // Appends a record to the audit log; it is chained and written when this
  // piece of work's group commits, and dropped with it if it rolls back.
  virtual Status AppendAudit(AuditRow row) = 0;

  // ---- Mutual recognition of results. XT-STORE-003 on a duplicate
  // result_id / decision_id (the service looks first and replays).
  virtual Status InsertResults(const std::vector<ResultRow>& rows) = 0;
  virtual Status InsertResultLook(const ResultLookRow& row) = 0;
  virtual Status InsertResultDecision(const ResultDecisionRow& row) = 0;

  // Runs `fn`; when it fails, every change it made is undone (a nested
  // savepoint) and its status returned, while earlier changes of this piece
  // of work stay.
  virtual Status Attempt(const std::function<Status()>& fn) = 0;

  // ---- clearing (docs/clearing.md)
  // XT-CLR-002 when the month is already stored.
  virtual Status InsertClosedMonth(const ClosedMonthRow& month) = 0;
  virtual Result<int64_t> InsertPrepaidMovement(const PrepaidMovementRow& movement) = 0;  // returns its id
  virtual Status InsertMonthSpend(const MonthSpendRow& spend) = 0;
  virtual Status PutClearingApplication(const ClearingApplicationRow& application) = 0;  // by appl_id
  // ---- end of clearing
};

// Fixed histogram bounds of the writer's statistics (exported by /metrics as
// Prometheus buckets): a value is counted in the first bucket whose bound it
// does not exceed, or in the last count when it exceeds them all.
inline constexpr std::array<int64_t, 10> kBatchSizeBounds = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
inline constexpr std::array<int64_t, 12> kCommitMicrosBounds = {100,  250,  500,   1000,  2000,  4000,
                                                                8000, 16000, 32000, 64000, 128000, 256000};

struct WriterStats {
  int64_t batches = 0;
  int64_t items = 0;
  int64_t items_failed = 0;
  int64_t commit_micros_total = 0;
  int64_t busy_micros_total = 0;      // wall time spent running batches
  int64_t cpu_micros_total = 0;       // the writer thread's CPU time
  int64_t wal_restarts = 0;           // times the writer waited for a RESTART checkpoint
  int64_t wal_restarts_deferred = 0;  // times a reader held the WAL and the writer went on
  int64_t syncs = 0;                  // fdatasyncs of the WAL by the syncer (each for one or more groups)
  int64_t sync_micros_total = 0;
  int64_t batch_size_max_seen = 0;
  // Groups by size, and COMMITs (with the sequence flush) by duration.
  std::array<int64_t, kBatchSizeBounds.size() + 1> batch_size_counts{};
  std::array<int64_t, kCommitMicrosBounds.size() + 1> commit_micros_counts{};
  int64_t queue_depth = 0;  // pieces of work waiting at the moment of the call
};

class Store {
 public:
  virtual ~Store() = default;

  // Runs `work` on the writer thread inside a savepoint of a group
  // transaction and waits until that transaction is durable. Returns the
  // work's own error (its changes rolled back), or a storage error
  // (XT-STORE-*) when the group could not commit.
  virtual Status Write(std::function<Status(WriteTxn&)> work) = 0;

  // The same without waiting, for an event-driven caller: `done` gets what
  // Write would have returned, once the group is durable (or has failed).
  // It runs on one of the store's threads (the writer's, or the one that
  // makes groups durable while the writer runs the next), so it must only
  // hand the result over (queue it, wake a loop). When the store is
  // stopping it runs at once, on the calling thread. The default runs Write
  // and then `done`, on the calling thread.
  virtual void WriteAsync(std::function<Status(WriteTxn&)> work, std::function<void(Status)> done) {
    done(Write(std::move(work)));
  }

  // Runs `work` on a consistent snapshot.
  virtual Status Read(std::function<Status(ReadTxn&)> work) = 0;

  virtual WriterStats writer_stats() const = 0;
  virtual std::string backend_name() const = 0;
};

struct SqliteOptions {
  // Group commit: at most this many pieces of work share one transaction.
  // 1 means one transaction (and one fsync) per piece of work.
  int batch_size_max = 512;
  // Callers block when this many pieces of work are waiting.
  int queue_depth_max = 8192;
  int reader_connections_max = 64;  // idle reader connections kept for reuse
  int busy_timeout_ms = 5000;
  // A passive checkpoint (on its own thread) each time the WAL passes this
  // many pages (2 KiB each in a database made now; a database keeps the
  // page size it was made with).
  int checkpoint_wal_pages = 65536;
  // Past this many WAL pages the writer waits, between groups, for a
  // RESTART checkpoint, so that the WAL stays bounded.
  int wal_pages_max = 262144;
  // A group commits with its fdatasync left to a syncer thread, so that the
  // next group runs meanwhile, when at least this many pieces of work are
  // waiting; with fewer, the writer syncs the group itself (a hand-over
  // would add latency and buy nothing). Either way a group is answered
  // only once it is durable.
  int overlap_backlog_min = 32;
  // How the WAL is made durable: 0, or the errno of a failure.
  // Null: fdatasync(fd). Tests set it to make a sync fail, or to see
  // which bytes a sync made durable.
  std::function<int(int fd)> sync_wal;
  // The registered SQLite VFS every connection of the store opens its
  // files through (the writer's through the WAL shim of wal_buffer_vfs.h,
  // stacked on it); empty: SQLite's default. It must stay registered for
  // the life of the process. Tests put a file layer of their own under the
  // store with it (tests/durability_test.cc: one that forgets, at a
  // simulated crash, every byte that was not synced).
  std::string vfs;
};

// Opens (creating if missing) a SQLite database in WAL mode with
// synchronous=FULL, creates the schema, and starts the writer thread.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const SqliteOptions& options = {});

}  // namespace xt::store
