// Envelope handling, idempotency and the handlers of each transaction.
#include "service/processor.h"

#include <algorithm>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "clearing/clearing.h"
#include "core/interface_codes.h"
#include "core/crypto.h"
#include "core/idcard.h"
#include "core/json_writer.h"
#include "ledger/ledger.h"
#include "service/answers.h"
#include "service/catalog_files.h"
#include "service/clearing_service.h"
#include "service/detail_file.h"
#include "service/envelope.h"
#include "service/errors.h"
#include "service/fields.h"
#include "service/person_cache.h"
#include "service/sign_ins.h"
#include "settle/engine.h"
#include "settle/visit_state.h"

namespace xt::service {

using json = nlohmann::json;
using settle::VisitState;

namespace {

// A visit's state as stored. A name the store should never hold reads as
// cancelled: final, so nothing more is done with such a visit.
VisitState StateOf(const store::VisitRow& v) {
  return settle::ParseVisitState(v.state).value_or(VisitState::kCancelled);
}

std::string_view Name(VisitState s) { return settle::ToString(s); }

// Whether the visit may move to `to`: the handlers check the state first
// and answer the client; a move the state table still refuses is a defect
// of a handler, never the client's.
Status CheckMove(const store::VisitRow& v, VisitState to) {
  if (settle::CanMove(StateOf(v), to)) return Status::Ok();
  return Status::Error("XT-INT-001", "internal error",
                       "visit " + v.mdtrt_id + ": " + v.state + " -> " + std::string(Name(to)) + " is not a move");
}

// Moves a visit to `to`; the caller writes the row.
Status MoveVisit(store::VisitRow* v, VisitState to) {
  XT_RETURN_IF_ERROR(CheckMove(*v, to));
  v->state = std::string(Name(to));
  return Status::Ok();
}

// Files (9101): bytes at most (over HTTP the body limit bounds them first),
// and how long one is kept for 9102 and 3202 (dld_endtime).
constexpr size_t kFileBytesMax = size_t{32} << 20;
constexpr int kFileKeptDays = 30;
// Interface filings (2501) of one person looked at when a visit opens.
constexpr int kFilingsPerPersonMax = 200;
// A 1312 page.
constexpr int64_t kCatalogPageSizeDefault = 100;
constexpr int64_t kCatalogPageSizeMax = 500;
// Rows one query (5201, 5303) answers at most.
constexpr int kQueryRowsMax = 200;
// Diagnoses in one 2203/2401/2403 (diseinfo).
constexpr size_t kDiagnosesMax = 100;
// Bounds on what one message may carry.
constexpr size_t kFeeLinesPerMessageMax = 1000;
constexpr size_t kFeeLinesPerVisitMax = 5000;
// The request hash of a message closed by 2601 before it arrived.
constexpr char kClosedByRedo[] = "closed-by-2601";

// Calls that move money or disclose personal data: each leaves a record in
// the audit log (docs/security.md).
bool Audited(std::string_view infno) {
  static constexpr std::string_view kAudited[] = {"1101", "2206", "2207", "2208", "2303", "2304", "2305", "2501",
                                                  "2502", "2503", "2504", "2601",
                                                  "3203", "3204", "5201", "5203", "5204", "5205", "5301", "5302", "5303", "9001", "9002",
                                                  "9101", "9102"};
  for (auto a : kAudited) {
    if (a == infno) return true;
  }
  return false;
}

uint64_t Fnv1a(std::string_view s, uint64_t h = 1469598103934665603ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string Hex(uint64_t v) {
  static const char* d = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[i] = d[v & 15];
  return s;
}


}  // namespace

// A settlement worked out: the visit, the claim's breakdown, and the state
// it was computed from.
struct Computed {
  store::VisitRow visit;
  settle::Breakdown breakdown;
  Fen balance_before_fen = 0;
  std::vector<store::AccumDelta> ytd;
  int year = 0;
};


// Work a handler does before the write, on the caller's thread, from the
// request and the reference data alone, so that it gives the same result
// whenever it runs.
struct Prepared {
  // A refusal found while preparing. It is answered (and recorded under the
  // msgid) by the writer exactly as if the handler had returned it there,
  // after the msgid's replay check.
  Status status;
  // 2204/2301: the fee details, checked, and the answer's output as JSON
  // text (it depends only on the lines and the catalogue).
  std::vector<store::FeeLineRow> fee_rows;
  std::string fee_mdtrt_id;
  std::string fee_psn_no;
  std::string fee_output;
  // The upload has a refund line: its answer is worked out on the writer.
  bool fee_has_refund = false;
  // What renders fee_output again on a retry, kept with the upload
  // (EncodeFeeAnswer, answers.h): the message log then keeps the answer
  // without its output, as for settlements.
  std::string fee_answer;
};

// Everything one call needs, parsed from the envelope.
struct CallCtx {
  std::string infno;
  std::string msgid;
  // What the message log keeps it under (MessageKey: scoped to the sender).
  std::string msgid_key;
  std::string mdtrtarea_admvs;
  std::string insuplc_admdvs;
  std::string fixmedins_code;
  std::string opter;
  std::string sign_no;
  const Caller* caller = nullptr;
  // Whose personal data or money the call touched, for the audit log.
  std::string subject;
  // The sign_no a 9002 closed: dropped from the open sign-ins after commit.
  std::string signed_out;
  const registry::Institution* institution = nullptr;
  LocalSeconds now = 0;
  const JsonValue* input = nullptr;
  // Output already written as JSON text by a hot-path handler; when set it
  // is sent instead of the handler's json tree.
  std::string raw_output;
  // What the output was rendered from: the settlement (settle and reverse)
  // or the fee upload (FeeUploadRef; 2204 and 2301). The message
  // log then keeps the answer without its output, and a replay renders it
  // again from that record (RenderStored, answers.h).
  std::string output_setl_id;
  // Renders the output after the commit, on the caller's thread.
  std::function<std::string()> render;
  // 9102: the file given (CallInfo::download_*).
  std::string download_name;
  std::string download_bytes;
  // What a handler's Prepare step worked out on the caller's thread before
  // the write (below): the writer, which every write waits for, then only
  // does what needs the database.
  Prepared pre;
};

class Handlers {
 public:
  explicit Handlers(Processor* p) : ref_(*p->ref_), persons_(*p->persons_) {}

  using Fn = Status (Handlers::*)(CallCtx&, store::ReadTxn&, store::WriteTxn*, json*);
  // Runs on the caller's thread before the write (writing handlers only);
  // fills CallCtx::pre.
  using PrepareFn = void (Handlers::*)(CallCtx&, store::Store&);
  struct Spec {
    Fn fn;
    bool writes;
    PrepareFn prepare = nullptr;
  };
  static const std::unordered_map<std::string, Spec>& Table() {
    static const std::unordered_map<std::string, Spec> table = {
        {"1101", {&Handlers::PersonInfo, false}},
        {"2201", {&Handlers::RegisterOutpatient, true}},
        {"2202", {&Handlers::CancelOutpatient, true}},
        {"2203", {&Handlers::VisitInfo, true}},
        {"2204", {&Handlers::UploadFees, true, &Handlers::PrepareUploadFees}},
        {"2205", {&Handlers::CancelFees, true}},
        {"2206", {&Handlers::PreSettle, false}},
        {"2207", {&Handlers::Settle, true}},
        {"2208", {&Handlers::Reverse, true}},
        {"2301", {&Handlers::UploadFees, true, &Handlers::PrepareUploadFees}},
        {"2302", {&Handlers::CancelFees, true}},
        {"2303", {&Handlers::PreSettle, false}},
        {"2304", {&Handlers::Settle, true}},
        {"2305", {&Handlers::Reverse, true}},
        {"2401", {&Handlers::Admit, true}},
        {"2402", {&Handlers::Discharge, true}},
        {"2403", {&Handlers::ChangeAdmission, true}},
        {"2404", {&Handlers::CancelAdmission, true}},
        {"2405", {&Handlers::CancelDischarge, true}},
        {"2501", {&Handlers::FileReferral, true}},
        {"2502", {&Handlers::CancelFiling, true}},
        {"2503", {&Handlers::FileChronicDisease, true}},
        {"2504", {&Handlers::CancelFiling, true}},
        {"2601", {&Handlers::Redo, true}},
        {"9001", {&Handlers::SignIn, true}},
        {"9002", {&Handlers::SignOut, true}},
        {"9101", {&Handlers::UploadFile, true}},
        {"9102", {&Handlers::DownloadFile, false}},
        // 1301-1319 but 1312: catalogue downloads (catalog_files.h)
        {"1301", {&Handlers::CatalogDownload, false}},
        {"1302", {&Handlers::CatalogDownload, false}},
        {"1303", {&Handlers::CatalogDownload, false}},
        {"1304", {&Handlers::CatalogDownload, false}},
        {"1305", {&Handlers::CatalogDownload, false}},
        {"1306", {&Handlers::CatalogDownload, false}},
        {"1307", {&Handlers::CatalogDownload, false}},
        {"1308", {&Handlers::CatalogDownload, false}},
        {"1309", {&Handlers::CatalogDownload, false}},
        {"1310", {&Handlers::CatalogDownload, false}},
        {"1311", {&Handlers::CatalogDownload, false}},
        {"1312", {&Handlers::CatalogQuery, false}},
        {"1313", {&Handlers::CatalogDownload, false}},
        {"1314", {&Handlers::CatalogDownload, false}},
        {"1315", {&Handlers::CatalogDownload, false}},
        {"1316", {&Handlers::CatalogDownload, false}},
        {"1317", {&Handlers::CatalogDownload, false}},
        {"1318", {&Handlers::CatalogDownload, false}},
        {"1319", {&Handlers::CatalogDownload, false}},
        {"5201", {&Handlers::VisitsQuery, false}},
        {"5203", {&Handlers::SettlementQuery, false}},
        {"5204", {&Handlers::FeeDetailsQuery, false}},
        {"5205", {&Handlers::ChronicDrugsQuery, false}},
        {"5301", {&Handlers::ChronicFilingsQuery, false}},
        {"5302", {&Handlers::DesignatedQuery, false}},
        {"5303", {&Handlers::InHospitalQuery, false}},
        // Reconciliation and clearing (clearing_service.h, docs/interface.md)
        // 3201/3202 keep their outcome (reconciliations) for the agencies.
        {"3201", {&Handlers::StmtTotals, true}},
        {"3202", {&Handlers::StmtDetails, true}},
        {"3203", {&Handlers::ClearingApply, true}},
        {"3204", {&Handlers::ClearingCancel, true}},
    };
    return table;
  }

  // ---- reconciliation and clearing (3201-3204): the institution's own
  // figures only (fixmedins_code is the caller's, checked above).
  // Each outcome is kept in the answer's commit, for the agency of the
  // institution's province (GET /api/v1/clearing/reconciliations).
  Status KeepReconciliation(CallCtx& c, store::WriteTxn* w, store::ReconciliationRow row) {
    row.province = ProvinceOf(c.institution->admdvs);
    row.time = c.now;
    row.msgid = c.msgid;
    XT_ASSIGN_OR_RETURN(int64_t id, w->clearing().InsertReconciliation(row));
    (void)id;
    return Status::Ok();
  }
  Status StmtTotals(CallCtx& c, store::ReadTxn& txn, store::WriteTxn* w, json*) {
    store::ReconciliationRow row;
    XT_ASSIGN_OR_RETURN(c.raw_output, Reconcile3201(c.fixmedins_code, *c.input, txn, &row));
    return KeepReconciliation(c, w, std::move(row));
  }
  Status StmtDetails(CallCtx& c, store::ReadTxn& txn, store::WriteTxn* w, json*) {
    store::ReconciliationRow row;
    Fields input(*c.input, "input");
    if (!input.Find("detail")) {
      // As the national interface sends it: the detail list uploaded with
      // 9101 and named by file_qury_no.
      XT_ASSIGN_OR_RETURN(Fields data, input.Object("data"));
      XT_ASSIGN_OR_RETURN(std::string no, data.OptStr("file_qury_no", 200));
      if (!no.empty()) {
        XT_ASSIGN_OR_RETURN(store::FileRow file, OwnFile(c, txn, no));
        const JsonValue& data_value = *c.input->Find("data");
        XT_ASSIGN_OR_RETURN(std::string records, DetailRecordsJson(file.body, data_value, kFileBytesMax));
        // The input 3202 reads: data as sent, the file's records as detail
        // (their amounts as exact decimal text, read back from that text).
        std::string text = "{\"data\":";
        data_value.DumpTo(&text);
        text += ",\"detail\":";
        text += records;
        text += '}';
        JsonDoc in;
        if (in.Parse(text, kEnvelopeDepthMax) != JsonDoc::Parsed::kOk) {
          return err::FileInvalid("the detail file is not UTF-8 text");
        }
        XT_ASSIGN_OR_RETURN(c.raw_output, Reconcile3202(c.fixmedins_code, in.root(), txn, &row));
        return KeepReconciliation(c, w, std::move(row));
      }
    }
    XT_ASSIGN_OR_RETURN(c.raw_output, Reconcile3202(c.fixmedins_code, *c.input, txn, &row));
    return KeepReconciliation(c, w, std::move(row));
  }

  Status ClearingApply(CallCtx& c, store::ReadTxn&, store::WriteTxn* w, json*) {
    XT_ASSIGN_OR_RETURN(c.raw_output, Apply3203(c.fixmedins_code, *c.input, c.now, *w));
    return Status::Ok();
  }
  Status ClearingCancel(CallCtx& c, store::ReadTxn&, store::WriteTxn* w, json*) {
    XT_ASSIGN_OR_RETURN(c.raw_output, Cancel3204(c.fixmedins_code, *c.input, c.now, *w));
    return Status::Ok();
  }

  // ---- helpers

  static bool IsInpatient(const CallCtx& c) { return c.infno[0] == '2' && (c.infno[1] == '3' || c.infno[1] == '4'); }

  // Parsing a person's document was most of a registration's work on the
  // writer: parses are kept (PersonCache), keyed by the document's text.
  Result<registry::Person> ParsePerson(const store::PersonRecord& rec) { return persons_.Parse(rec); }

  Result<registry::Person> PersonByNo(store::ReadTxn& txn, const std::string& psn_no) {
    XT_ASSIGN_OR_RETURN(auto rec, txn.registry().FindPersonByPsnNo(psn_no));
    if (!rec) return err::PersonNotFound();
    return ParsePerson(*rec);
  }

  Result<Fen> AccountBalance(store::ReadTxn& txn, const std::string& psn_no) {
    XT_ASSIGN_OR_RETURN(auto acct, txn.ledger().GetAccount(ledger::PersonalAccount(psn_no)));
    return acct ? acct->balance_fen() : 0;
  }

  // The enrollment that covers `on` for `insutype` (any insured one when
  // insutype is empty).
  static Result<const registry::Enrollment*> ActiveEnrollment(const registry::Person& p, const std::string& insutype,
                                                             Date on) {
    for (const auto& e : p.enrollments) {
      if ((insutype.empty() || e.insutype == insutype) && e.psn_insu_stas == code::kInsuStatusNormal && e.validity.Contains(on)) return &e;
    }
    return err::NotInsured("the person has no active enrollment" +
                           (insutype.empty() ? std::string() : " in insurance type " + insutype) + " on " +
                           on.ToString());
  }

  // The caller's visit. Unless `any_kind` (2601, which names the original
  // message's transaction), an outpatient transaction must name an
  // outpatient visit and an inpatient one a stay.
  Result<store::VisitRow> OwnVisit(CallCtx& c, store::ReadTxn& txn, const std::string& mdtrt_id,
                                   const std::string& psn_no, bool any_kind = false) {
    XT_ASSIGN_OR_RETURN(auto visit, txn.settlements().FindVisit(mdtrt_id));
    if (!visit) return err::VisitNotFound();
    if (visit->fixmedins_code != c.fixmedins_code) return err::VisitOfOther();
    if (!psn_no.empty() && visit->psn_no != psn_no) return err::VisitPerson();
    const bool inpatient_visit = visit->med_type[0] == '2';
    if (!any_kind && inpatient_visit != IsInpatient(c)) {
      return err::VisitKind(inpatient_visit ? "this is an inpatient stay: use the 23xx/24xx transactions"
                                            : "this is an outpatient visit: use the 22xx transactions");
    }
    return std::move(*visit);
  }

  Result<std::string> NewId(store::WriteTxn& txn, const char* seq, const std::string& region) {
    XT_ASSIGN_OR_RETURN(int64_t n, txn.NextSequence(seq));
    std::string digits = std::to_string(n);
    return region + std::string(digits.size() < 14 ? 14 - digits.size() : 0, '0') + digits;
  }

  // ---- 1101 person info

  Status PersonInfo(CallCtx& c, store::ReadTxn& txn, store::WriteTxn*, json* out) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("data"));
    XT_ASSIGN_OR_RETURN(std::string cert_type, data.Str("mdtrt_cert_type", 2));
    XT_ASSIGN_OR_RETURN(std::string cert_no, data.Str("mdtrt_cert_no", 50));
    std::optional<store::PersonRecord> rec;
    if (cert_type == code::kCertTypeIdNumber) {
      if (!IsValidIdNumber(cert_no)) return err::BadField("input.data.mdtrt_cert_no", "is not a valid ID number");
      XT_ASSIGN_OR_RETURN(rec, txn.registry().FindPersonByCertno(cert_no));
    } else if (cert_type == code::kCertTypeSocialSecurityCard) {
      XT_ASSIGN_OR_RETURN(std::string card_sn, data.OptStr("card_sn", 32));
      XT_ASSIGN_OR_RETURN(rec, txn.registry().FindPersonByCardNo(cert_no));
      if (rec && !card_sn.empty()) {
        XT_ASSIGN_OR_RETURN(registry::Person p, ParsePerson(*rec));
        if (p.card_sn != card_sn) return err::PersonNotFound();
      }
    } else {
      return err::UnsupportedCert(cert_type);
    }
    if (!rec) return err::PersonNotFound();
    c.subject = rec->psn_no;
    XT_ASSIGN_OR_RETURN(registry::Person p, ParsePerson(*rec));
    XT_ASSIGN_OR_RETURN(Fen balance, AccountBalance(txn, p.psn_no));
    const Date today = DateOf(c.now);
    // Written as text: the balance is exact fen, never a double.
    JsonWriter w;
    w.BeginObject().Key("baseinfo").BeginObject();
    w.Field("psn_no", p.psn_no).Field("psn_cert_type", code::kPsnCertTypeIdCard).Field("certno", p.certno);
    w.Field("psn_name", p.psn_name).Field("gend", p.gend).Field("brdy", p.birth.ToString());
    w.FieldInt("age", AgeOn(p.birth, today)).Field("naty", "").EndObject();
    w.Key("insuinfo").BeginArray();
    for (const auto& e : p.enrollments) {
      w.BeginObject().Field("insuplc_admdvs", e.insuplc_admdvs).Field("insutype", e.insutype);
      w.Field("psn_type", e.psn_type).Field("psn_insu_stas", e.psn_insu_stas);
      w.Field("psn_insu_date", e.validity.begin.ToString()).Key("paus_insu_date");
      if (e.validity.end) {
        w.String(e.validity.end->ToString());
      } else {
        w.Null();
      }
      w.Field("cvlserv_flag", e.cvlserv_flag ? "1" : "0");
      // The personal account belongs to employees' basic medical insurance.
      w.FieldMoney("balc", e.insutype == code::kInsutypeEmployeeBasic ? balance : 0).Field("emp_name", "").EndObject();
    }
    w.EndArray().Key("idetinfo").BeginArray().EndArray().EndObject();
    c.raw_output = w.Take();
    return Status::Ok();
  }

  // ---- 2201 / 2401 opening a visit

  Status OpenVisit(CallCtx& c, store::WriteTxn& txn, const Fields& f, const std::string& med_type,
                   LocalSeconds begntime, const std::string& ipt_otp_no, std::string diagnoses, json* out,
                   const char* out_key) {
    XT_ASSIGN_OR_RETURN(std::string psn_no, f.Str("psn_no", 30));
    XT_ASSIGN_OR_RETURN(std::string insutype, f.Str("insutype", 6));
    XT_ASSIGN_OR_RETURN(std::string cert_type, f.OptStr("mdtrt_cert_type", 3));
    XT_ASSIGN_OR_RETURN(registry::Person person, PersonByNo(txn, psn_no));
    // Idempotency by business key: the same hospital visit number of the
    // same person, still open here, is a retry (a fresh msgid after a lost
    // answer): it gets the visit already opened, not a second one.
    if (!ipt_otp_no.empty()) {
      XT_ASSIGN_OR_RETURN(auto open, txn.settlements().FindOpenVisitByNumber(psn_no, c.fixmedins_code, ipt_otp_no,
                                                              Name(settle::StateAtRegistration(med_type[0] == '2'))));
      if (open) {
        (*out)[out_key] = {{"mdtrt_id", open->mdtrt_id}, {"psn_no", psn_no}, {"ipt_otp_no", ipt_otp_no}};
        return Status::Ok();
      }
    }
    if (med_type[0] == '2') {
      // One bed at a time: a person in hospital (admitted, not yet
      // discharged) anywhere in the region is not admitted a second time
      // (docs/settlement.md, "Decisions").
      XT_ASSIGN_OR_RETURN(auto stays, txn.settlements().VisitsOfPersonInState(psn_no, Name(VisitState::kAdmitted), 1));
      if (!stays.empty()) {
        return err::AlreadyAdmitted("the person is already in hospital: admitted at institution " +
                                    stays[0].fixmedins_code + " on " + FormatLocalTime(stays[0].begntime) +
                                    "; that stay must be discharged (2402) or cancelled (2404) first");
      }
    }
    const Date on = DateOf(begntime);
    XT_ASSIGN_OR_RETURN(const registry::Enrollment* enr, ActiveEnrollment(person, insutype, on));
    if (!c.insuplc_admdvs.empty() && c.insuplc_admdvs != enr->insuplc_admdvs) {
      return err::WrongRegion("insuplc_admdvs " + c.insuplc_admdvs + " is not the person's insurance region " +
                              enr->insuplc_admdvs);
    }
    const std::string treat_province = ProvinceOf(c.mdtrtarea_admvs);
    bool filed = false;
    for (const auto& fl : person.filings) {
      if (ProvinceOf(fl.mdtrtarea_admvs) == treat_province && fl.validity.Contains(on)) filed = true;
    }
    // And the filings made over the interface (2501), while active.
    if (!filed) {
      XT_ASSIGN_OR_RETURN(auto filings, txn.settlements().FilingsOfPerson(psn_no, kFilingsPerPersonMax));
      for (const auto& fl : filings) {
        if (fl.kind == "referral" && fl.state == "active" && fl.insutype == insutype &&
            ProvinceOf(fl.mdtrtarea_admvs) == treat_province &&
            Validity{fl.begin, fl.end}.Contains(on)) {
          filed = true;
        }
      }
    }
    store::VisitRow v;
    XT_ASSIGN_OR_RETURN(v.mdtrt_id, NewId(txn, "mdtrt", c.mdtrtarea_admvs));
    v.psn_no = psn_no;
    v.psn_name = person.psn_name;
    v.certno = person.certno;
    v.insutype = insutype;
    v.med_type = med_type;
    v.fixmedins_code = c.fixmedins_code;
    v.insuplc_admdvs = enr->insuplc_admdvs;
    v.mdtrtarea_admvs = c.mdtrtarea_admvs;
    v.hosp_lv = c.institution->hosp_lv;
    v.psn_type = enr->psn_type;
    v.birth = person.birth;
    v.filed = filed;
    v.begntime = begntime;
    v.state = std::string(Name(settle::StateAtRegistration(med_type[0] == '2')));
    v.ipt_otp_no = ipt_otp_no;
    v.msgid = c.msgid;
    v.cvlserv_flag = enr->cvlserv_flag;
    v.mdtrt_cert_type = cert_type;
    v.diseinfo_json = std::move(diagnoses);
    XT_RETURN_IF_ERROR(txn.settlements().InsertVisit(v));
    (*out)[out_key] = {{"mdtrt_id", v.mdtrt_id}, {"psn_no", psn_no}, {"ipt_otp_no", ipt_otp_no}};
    return Status::Ok();
  }

  Status RegisterOutpatient(CallCtx& c, store::ReadTxn&, store::WriteTxn* txn, json* out) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("data"));
    XT_ASSIGN_OR_RETURN(LocalSeconds begntime, data.Time("begntime"));
    XT_ASSIGN_OR_RETURN(std::string ipt_otp_no, data.Serial("ipt_otp_no", 30));
    XT_ASSIGN_OR_RETURN(std::string med_type, data.OptStr("med_type", 6));
    if (med_type.empty()) med_type = code::kMedTypeOutpatient;
    if (med_type[0] != '1') return err::BadField("input.data.med_type", "must be an outpatient type (1x)");
    return OpenVisit(c, *txn, data, med_type, begntime, ipt_otp_no, std::string(), out, "data");
  }

  Status Admit(CallCtx& c, store::ReadTxn&, store::WriteTxn* txn, json* out) {
    XT_ASSIGN_OR_RETURN(Fields info, Fields(*c.input, "input").Object("mdtrtinfo"));
    XT_ASSIGN_OR_RETURN(LocalSeconds begntime, info.Time("begntime"));
    XT_ASSIGN_OR_RETURN(std::string ipt_no, info.Serial("ipt_no", 30));
    XT_ASSIGN_OR_RETURN(std::string med_type, info.OptStr("med_type", 6));
    if (med_type.empty()) med_type = code::kMedTypeInpatient;
    if (med_type[0] != '2') return err::BadField("input.mdtrtinfo.med_type", "must be an inpatient type (2x)");
    XT_ASSIGN_OR_RETURN(std::string diagnoses, Diagnoses(Fields(*c.input, "input")));
    return OpenVisit(c, *txn, info, med_type, begntime, ipt_no, std::move(diagnoses), out, "result");
  }

  Status CancelOutpatient(CallCtx& c, store::ReadTxn&, store::WriteTxn* txn, json* out) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("data"));
    XT_ASSIGN_OR_RETURN(std::string mdtrt_id, data.Str("mdtrt_id", 30));
    XT_ASSIGN_OR_RETURN(std::string psn_no, data.Str("psn_no", 30));
    XT_ASSIGN_OR_RETURN(store::VisitRow v, OwnVisit(c, *txn, mdtrt_id, psn_no));
    if (StateOf(v) != VisitState::kRegistered) return err::VisitState("only a registered, unsettled visit can be cancelled (it is " + v.state + ")");
    XT_ASSIGN_OR_RETURN(auto lines, txn->settlements().ActiveFeeLines(mdtrt_id));
    for (const auto& l : lines) XT_RETURN_IF_ERROR(txn->settlements().SetFeeLineState(mdtrt_id, l.feedetl_sn, "cancelled"));
    XT_RETURN_IF_ERROR(MoveVisit(&v, VisitState::kCancelled));
    XT_RETURN_IF_ERROR(txn->settlements().UpdateVisit(v));
    *out = json::object();
    return Status::Ok();
  }

  Status Discharge(CallCtx& c, store::ReadTxn&, store::WriteTxn* txn, json* out) {
    // The specification's node is dscginfo; one vendor names it mdtrtinfo
    // (tests/corpus/README.md), which is read when dscginfo is absent.
    Fields input(*c.input, "input");
    XT_ASSIGN_OR_RETURN(Fields info, input.Find("dscginfo") || !input.Find("mdtrtinfo") ? input.Object("dscginfo")
                                                                                          : input.Object("mdtrtinfo"));
    XT_ASSIGN_OR_RETURN(std::string mdtrt_id, info.Str("mdtrt_id", 30));
    XT_ASSIGN_OR_RETURN(std::string psn_no, info.Str("psn_no", 30));
    XT_ASSIGN_OR_RETURN(LocalSeconds endtime, info.Time("endtime"));
    XT_ASSIGN_OR_RETURN(store::VisitRow v, OwnVisit(c, *txn, mdtrt_id, psn_no));
    if (StateOf(v) != VisitState::kAdmitted) return err::VisitState("only an admitted stay can be discharged (it is " + v.state + ")");
    if (endtime < v.begntime) return err::BadField("input.dscginfo.endtime", "is before the admission time");
    XT_RETURN_IF_ERROR(MoveVisit(&v, VisitState::kDischarged));
    v.endtime = endtime;
    XT_RETURN_IF_ERROR(txn->settlements().UpdateVisit(v));
    *out = json::object();
    return Status::Ok();
  }

  // ---- 2203 outpatient visit information

  // A visit's diagnoses (diseinfo: an array, or one object as some systems
  // send it): each needs diag_code and diag_name. The settlement does not
  // use them; they are kept with the visit and read back by 5201.
  // Returns them as a JSON array to keep with the visit ("" when none).
  static Result<std::string> Diagnoses(const Fields& input) {
    const JsonValue* d = input.Find("diseinfo");
    if (!d) return std::string();
    if (!d->is_array() && !d->is_object()) return err::BadField("input.diseinfo", "must be an array or an object");
    const size_t n = d->is_array() ? d->size() : 1;
    if (n > kDiagnosesMax) return err::TooMany("input.diseinfo", kDiagnosesMax);
    for (size_t i = 0; i < n; ++i) {
      const JsonValue& e = d->is_array() ? (*d)[i] : *d;
      const std::string path = d->is_array() ? "input.diseinfo[" + std::to_string(i) + "]" : "input.diseinfo";
      if (!e.is_object()) return err::BadField(path, "must be an object");
      Fields f(e, path);
      XT_ASSIGN_OR_RETURN(std::string code, f.Str("diag_code", 50));
      XT_ASSIGN_OR_RETURN(std::string name, f.Str("diag_name", 255));
      if (code.empty()) return err::BadField(path + ".diag_code", "must not be empty");
    }
    if (n == 0) return std::string();
    std::string text;
    if (d->is_object()) text += '[';
    d->DumpTo(&text);
    if (d->is_object()) text += ']';
    return text;
  }

  // Sets the visit's med_type (applied from then on: a 2206/2207 naming
  // another is refused, XT-VIS-007) and checks its diagnoses.
  Status VisitInfo(CallCtx& c, store::ReadTxn&, store::WriteTxn* txn, json* out) {
    Fields input(*c.input, "input");
    XT_ASSIGN_OR_RETURN(Fields info, input.Object("mdtrtinfo"));
    XT_ASSIGN_OR_RETURN(std::string mdtrt_id, info.Str("mdtrt_id", 30));
    XT_ASSIGN_OR_RETURN(std::string psn_no, info.Str("psn_no", 30));
    XT_ASSIGN_OR_RETURN(std::string med_type, info.OptStr("med_type", 6));
    XT_ASSIGN_OR_RETURN(std::string diagnoses, Diagnoses(input));
    XT_ASSIGN_OR_RETURN(store::VisitRow v, OwnVisit(c, *txn, mdtrt_id, psn_no));
    if (StateOf(v) != VisitState::kRegistered) {
      return err::VisitState("visit information is accepted for a registered, unsettled visit (it is " + v.state + ")");
    }
    if (!med_type.empty()) {
      if (med_type[0] != '1') return err::BadField("input.mdtrtinfo.med_type", "must be an outpatient type (1x)");
      v.med_type = med_type;
    }
    if (!diagnoses.empty()) v.diseinfo_json = std::move(diagnoses);
    XT_RETURN_IF_ERROR(txn->settlements().UpdateVisit(v));
    *out = json::object();
    return Status::Ok();
  }

  // ---- 2403 / 2404 / 2405 changing a stay

  // 2403: what the admission said, corrected while the stay is open: the
  // admission time, the hospital's number (ipt_otp_no, as 2403 names it, or
  // ipt_no) and the med_type (2x).
  Status ChangeAdmission(CallCtx& c, store::ReadTxn&, store::WriteTxn* txn, json* out) {
    Fields input(*c.input, "input");
    XT_ASSIGN_OR_RETURN(Fields info, input.Object("adminfo"));
    XT_ASSIGN_OR_RETURN(std::string mdtrt_id, info.Str("mdtrt_id", 30));
    XT_ASSIGN_OR_RETURN(std::string psn_no, info.Str("psn_no", 30));
    XT_ASSIGN_OR_RETURN(std::optional<LocalSeconds> begntime, info.OptTime("begntime"));
    XT_ASSIGN_OR_RETURN(std::string ipt_no, info.Serial("ipt_otp_no", 30, /*required=*/false));
    if (ipt_no.empty()) {
      XT_ASSIGN_OR_RETURN(ipt_no, info.Serial("ipt_no", 30, /*required=*/false));
    }
    XT_ASSIGN_OR_RETURN(std::string med_type, info.OptStr("med_type", 6));
    XT_ASSIGN_OR_RETURN(std::string diagnoses, Diagnoses(input));
    XT_ASSIGN_OR_RETURN(store::VisitRow v, OwnVisit(c, *txn, mdtrt_id, psn_no));
    if (!diagnoses.empty()) v.diseinfo_json = std::move(diagnoses);
    if (StateOf(v) != VisitState::kAdmitted && StateOf(v) != VisitState::kDischarged) {
      return err::VisitState("only an open stay can be changed (it is " + v.state + ")");
    }
    if (!med_type.empty()) {
      if (med_type[0] != '2') return err::BadField("input.adminfo.med_type", "must be an inpatient type (2x)");
      v.med_type = med_type;
    }
    if (begntime) {
      if (v.endtime && *begntime > *v.endtime) return err::BadField("input.adminfo.begntime", "is after the discharge");
      v.begntime = *begntime;
    }
    if (!ipt_no.empty()) v.ipt_otp_no = ipt_no;
    XT_RETURN_IF_ERROR(txn->settlements().UpdateVisit(v));
    *out = json::object();
    return Status::Ok();
  }

  // 2404: the admission undone, with the fee details it holds; only before
  // discharge (undo that with 2405 first) and never once settled.
  Status CancelAdmission(CallCtx& c, store::ReadTxn&, store::WriteTxn* txn, json* out) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("data"));
    XT_ASSIGN_OR_RETURN(std::string mdtrt_id, data.Str("mdtrt_id", 30));
    XT_ASSIGN_OR_RETURN(std::string psn_no, data.Str("psn_no", 30));
    XT_ASSIGN_OR_RETURN(store::VisitRow v, OwnVisit(c, *txn, mdtrt_id, psn_no, /*any_kind=*/true));
    return CancelStay(c, *txn, v, out);
  }

  Status CancelStay(CallCtx& c, store::WriteTxn& txn, store::VisitRow& v, json* out) {
    if (v.med_type[0] != '2') return err::VisitKind("this is an outpatient visit: cancel it with 2202");
    if (StateOf(v) != VisitState::kAdmitted) {
      return err::VisitState("only an admitted stay can be cancelled (it is " + v.state +
                             (StateOf(v) == VisitState::kDischarged ? "; undo the discharge with 2405 first)" : ")"));
    }
    XT_ASSIGN_OR_RETURN(auto lines, txn.settlements().ActiveFeeLines(v.mdtrt_id));
    for (const auto& l : lines) XT_RETURN_IF_ERROR(txn.settlements().SetFeeLineState(v.mdtrt_id, l.feedetl_sn, "cancelled"));
    XT_RETURN_IF_ERROR(MoveVisit(&v, VisitState::kCancelled));
    XT_RETURN_IF_ERROR(txn.settlements().UpdateVisit(v));
    c.subject = v.psn_no;
    *out = json::object();
    return Status::Ok();
  }

  // 2405: the discharge undone (the stay is open again for fees); only
  // before settlement, and only while the person is not admitted elsewhere.
  Status CancelDischarge(CallCtx& c, store::ReadTxn&, store::WriteTxn* txn, json* out) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("data"));
    XT_ASSIGN_OR_RETURN(std::string mdtrt_id, data.Str("mdtrt_id", 30));
    XT_ASSIGN_OR_RETURN(std::string psn_no, data.Str("psn_no", 30));
    XT_ASSIGN_OR_RETURN(store::VisitRow v, OwnVisit(c, *txn, mdtrt_id, psn_no));
    if (StateOf(v) != VisitState::kDischarged) {
      return err::VisitState("only a discharged, unsettled stay can have its discharge undone (it is " + v.state +
                             (StateOf(v) == VisitState::kSettled ? "; reverse the settlement first)" : ")"));
    }
    XT_ASSIGN_OR_RETURN(auto stays, txn->settlements().VisitsOfPersonInState(psn_no, Name(VisitState::kAdmitted), 1));
    if (!stays.empty()) {
      return err::AlreadyAdmitted("the person has been admitted again at institution " + stays[0].fixmedins_code +
                                  " on " + FormatLocalTime(stays[0].begntime));
    }
    XT_RETURN_IF_ERROR(MoveVisit(&v, VisitState::kAdmitted));
    v.endtime.reset();
    XT_RETURN_IF_ERROR(txn->settlements().UpdateVisit(v));
    *out = json::object();
    return Status::Ok();
  }

  // ---- 2501 / 2502 referral filing (转院备案, 异地就医备案)
  //
  // A hospital files its patient for treatment in another province from
  // begndate to enddate (inclusive). Visits that open there in that time
  // are filed (备案): the unfiled cut does not apply, whatever the 视同备案
  // rule says of the visit type (docs/settlement.md, step 2). The filing
  // is taken when a visit opens: cancelling it (2502) changes no visit
  // already open.
  Status FileReferral(CallCtx& c, store::ReadTxn&, store::WriteTxn* txn, json* out) {
    XT_ASSIGN_OR_RETURN(Fields f, Fields(*c.input, "input").Object("refmedin"));
    XT_ASSIGN_OR_RETURN(std::string psn_no, f.Str("psn_no", 30));
    XT_ASSIGN_OR_RETURN(std::string insutype, f.Str("insutype", 6));
    // The specification spells it mdtrtarea_admdvs here; mdtrtarea_admvs
    // (the envelope's spelling) is read too.
    XT_ASSIGN_OR_RETURN(std::string area, f.OptStr("mdtrtarea_admdvs", 6));
    if (area.empty()) {
      XT_ASSIGN_OR_RETURN(area, f.Str("mdtrtarea_admvs", 6));
    }
    XT_ASSIGN_OR_RETURN(LocalSeconds begin, f.Time("begndate"));
    XT_ASSIGN_OR_RETURN(LocalSeconds end, f.Time("enddate"));
    XT_ASSIGN_OR_RETURN(std::string diag_code, f.OptStr("diag_code", 50));
    XT_ASSIGN_OR_RETURN(std::string diag_name, f.OptStr("diag_name", 255));
    XT_ASSIGN_OR_RETURN(std::string reason, f.OptStr("refl_rea", 500));
    XT_ASSIGN_OR_RETURN(std::string to_medins, f.OptStr("reflin_medins_no", 30));
    if (area.size() != 6 || area.find_first_not_of("0123456789") != std::string::npos) {
      return err::BadField("input.refmedin.mdtrtarea_admdvs", "must be a 6-digit region code");
    }
    if (DateOf(end) < DateOf(begin)) return err::FilingInvalid("enddate is before begndate");
    XT_ASSIGN_OR_RETURN(registry::Person person, PersonByNo(*txn, psn_no));
    XT_ASSIGN_OR_RETURN(const registry::Enrollment* enr, ActiveEnrollment(person, insutype, DateOf(begin)));
    if (ProvinceOf(area) == ProvinceOf(enr->insuplc_admdvs)) {
      return err::FilingInvalid("treatment in the person's own province (" + ProvinceOf(area) +
                                ") needs no filing");
    }
    store::FilingRow row;
    XT_ASSIGN_OR_RETURN(row.trt_dcla_detl_sn, NewId(*txn, "filing", c.mdtrtarea_admvs));
    row.psn_no = psn_no;
    row.insutype = insutype;
    row.kind = "referral";
    row.mdtrtarea_admvs = area;
    row.begin = DateOf(begin);
    row.end = Date{DateOf(end).days + 1};
    row.fixmedins_code = c.fixmedins_code;
    row.state = "active";
    row.created = c.now;
    JsonWriter d;
    d.BeginObject().Field("diag_code", diag_code).Field("diag_name", diag_name).Field("refl_rea", reason);
    d.Field("reflin_medins_no", to_medins).EndObject();
    row.detail_json = d.Take();
    XT_RETURN_IF_ERROR(txn->settlements().InsertFiling(row));
    c.subject = psn_no;
    (*out)["result"] = {{"trt_dcla_detl_sn", row.trt_dcla_detl_sn}};
    return Status::Ok();
  }

  // 2503: a chronic or special disease filing (人员慢特病备案): the
  // qualification the insurance place requires for outpatient chronic
  // disease care (med_type 14; DOMAIN.md), recorded with its disease and
  // period and read back by 5301. It is a record of the qualification:
  // what lifts the unfiled cut of a cross-province 14 visit is a referral
  // filing (2501).
  Status FileChronicDisease(CallCtx& c, store::ReadTxn&, store::WriteTxn* txn, json* out) {
    XT_ASSIGN_OR_RETURN(Fields f, Fields(*c.input, "input").Object("data"));
    XT_ASSIGN_OR_RETURN(std::string psn_no, f.Str("psn_no", 30));
    XT_ASSIGN_OR_RETURN(std::string insutype, f.Str("insutype", 6));
    XT_ASSIGN_OR_RETURN(std::string dise_code, f.Str("opsp_dise_code", 30));
    XT_ASSIGN_OR_RETURN(std::string dise_name, f.Str("opsp_dise_name", 255));
    XT_ASSIGN_OR_RETURN(LocalSeconds begin, f.Time("begndate"));
    XT_ASSIGN_OR_RETURN(std::optional<LocalSeconds> end, f.OptTime("enddate"));
    XT_ASSIGN_OR_RETURN(std::string ide_medins, f.OptStr("ide_fixmedins_no", 30));
    XT_ASSIGN_OR_RETURN(std::string dr, f.OptStr("diag_dr_codg", 30));
    if (dise_code.empty()) return err::BadField("input.data.opsp_dise_code", "must not be empty");
    if (end && DateOf(*end) < DateOf(begin)) return err::FilingInvalid("enddate is before begndate");
    XT_ASSIGN_OR_RETURN(registry::Person person, PersonByNo(*txn, psn_no));
    XT_RETURN_IF_ERROR(ActiveEnrollment(person, insutype, DateOf(begin)).status());
    store::FilingRow row;
    XT_ASSIGN_OR_RETURN(row.trt_dcla_detl_sn, NewId(*txn, "filing", c.mdtrtarea_admvs));
    row.psn_no = psn_no;
    row.insutype = insutype;
    row.kind = "chronic";
    row.begin = DateOf(begin);
    if (end) row.end = Date{DateOf(*end).days + 1};
    row.fixmedins_code = c.fixmedins_code;
    row.state = "active";
    row.created = c.now;
    JsonWriter d;
    d.BeginObject().Field("opsp_dise_code", dise_code).Field("opsp_dise_name", dise_name);
    d.Field("ide_fixmedins_no", ide_medins).Field("diag_dr_codg", dr).EndObject();
    row.detail_json = d.Take();
    XT_RETURN_IF_ERROR(txn->settlements().InsertFiling(row));
    c.subject = psn_no;
    (*out)["result"] = {{"trt_dcla_detl_sn", row.trt_dcla_detl_sn}};
    return Status::Ok();
  }

  // 5301: the person's chronic-disease filings in force today.
  Status ChronicFilingsQuery(CallCtx& c, store::ReadTxn& txn, store::WriteTxn*, json*) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("data"));
    XT_ASSIGN_OR_RETURN(std::string psn_no, data.Str("psn_no", 30));
    c.subject = psn_no;
    XT_ASSIGN_OR_RETURN(auto filings, txn.settlements().FilingsOfPerson(psn_no, kFilingsPerPersonMax));
    JsonWriter w;
    w.BeginObject().Key("feedetail").BeginArray();
    const Date today = DateOf(c.now);
    for (const auto& fl : filings) {
      if (fl.kind != "chronic" || fl.state != "active" || !Validity{fl.begin, fl.end}.Contains(today)) continue;
      const json d = json::parse(fl.detail_json, nullptr, false);
      w.BeginObject().Field("opsp_dise_code", d.is_object() ? d.value("opsp_dise_code", "") : "");
      w.Field("opsp_dise_name", d.is_object() ? d.value("opsp_dise_name", "") : "");
      w.Field("begndate", fl.begin.ToString()).Key("enddate");
      if (fl.end) w.String(Date{fl.end->days - 1}.ToString());
      else w.Null();
      w.Field("insutype", fl.insutype).Field("trt_dcla_detl_sn", fl.trt_dcla_detl_sn).EndObject();
    }
    w.EndArray().EndObject();
    c.raw_output = w.Take();
    return Status::Ok();
  }

  // ---- 5302 人员定点信息查询: the institutions the person is designated to
  // by the filings in force: the hospital a referral (2501) sends them to
  // (reflin_medins_no), the hospital a chronic-disease filing (2503) names
  // (ide_fixmedins_no). biz_appy_type is read and not a filter: the exchange
  // holds these two kinds only, and answers both, each named in memo.
  Status DesignatedQuery(CallCtx& c, store::ReadTxn& txn, store::WriteTxn*, json*) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("data"));
    XT_ASSIGN_OR_RETURN(std::string psn_no, data.Str("psn_no", 30));
    XT_ASSIGN_OR_RETURN(std::string biz_appy_type, data.Serial("biz_appy_type", 6, /*required=*/false));
    c.subject = psn_no;
    XT_ASSIGN_OR_RETURN(auto filings, txn.settlements().FilingsOfPerson(psn_no, kFilingsPerPersonMax));
    JsonWriter w;
    w.BeginObject().Key("psnfixmedin").BeginArray();
    const Date today = DateOf(c.now);
    int sort_no = 0;
    for (const auto& fl : filings) {
      if (fl.state != "active" || !Validity{fl.begin, fl.end}.Contains(today)) continue;
      const json d = json::parse(fl.detail_json, nullptr, false);
      const bool chronic = fl.kind == "chronic";
      const char* const key = chronic ? "ide_fixmedins_no" : "reflin_medins_no";
      const std::string code = d.is_object() && d.contains(key) && d[key].is_string() ? d[key].get<std::string>() : "";
      if (code.empty()) continue;
      const registry::Institution* inst = ref_.registry.FindInstitution(code);
      std::string memo = chronic ? "2503 门诊慢特病 " : "2501 异地就医备案 ";
      memo += chronic ? (d.value("opsp_dise_code", "")) : fl.mdtrtarea_admvs;
      memo += " " + fl.trt_dcla_detl_sn;
      w.BeginObject().Field("psn_no", psn_no).Field("insutype", fl.insutype).Field("fix_srt_no", std::to_string(++sort_no));
      w.Field("fixmedins_code", code).Field("fixmedins_name", inst ? inst->name : std::string());
      w.Field("begndate", fl.begin.ToString()).Key("enddate");
      if (fl.end) w.String(Date{fl.end->days - 1}.ToString());
      else w.Null();
      w.Field("memo", memo).EndObject();
    }
    w.EndArray().EndObject();
    c.raw_output = w.Take();
    return Status::Ok();
  }

  // 2502 / 2504: a filing cancelled by the institution that made it (2502
  // a referral, 2504 a chronic-disease filing).
  Status CancelFiling(CallCtx& c, store::ReadTxn&, store::WriteTxn* txn, json* out) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("data"));
    XT_ASSIGN_OR_RETURN(std::string sn, data.Serial("trt_dcla_detl_sn", 30));
    XT_ASSIGN_OR_RETURN(std::string psn_no, data.Str("psn_no", 30));
    XT_ASSIGN_OR_RETURN(auto filing, txn->settlements().FindFiling(sn));
    const std::string_view kind = c.infno == "2504" ? "chronic" : "referral";
    if (!filing || filing->psn_no != psn_no || filing->fixmedins_code != c.fixmedins_code || filing->kind != kind) {
      return err::FilingNotFound();
    }
    if (filing->state != "active") return err::FilingInvalid("the filing was already cancelled");
    XT_RETURN_IF_ERROR(txn->settlements().SetFilingState(sn, "cancelled"));
    c.subject = psn_no;
    *out = json::object();
    return Status::Ok();
  }

  // ---- 9101 / 9102 files, and the catalogue downloads 1301-1319
  //
  // 9101 keeps a file the hospital uploads (its 3202 detail list) and
  // answers its file_qury_no; 9102 gives it back, to the institution that
  // uploaded it only, until dld_endtime. A catalogue download (1301 ...)
  // answers the file_qury_no of a file made from the treatment place's
  // catalogue, which 9102 then gives (made afresh, the same bytes: the
  // catalogue is reference data).

  static std::string DayAfter(LocalSeconds t, int days) { return FormatLocalTime(t + days * 86400); }

  Status UploadFile(CallCtx& c, store::ReadTxn&, store::WriteTxn* txn, json* out) {
    XT_ASSIGN_OR_RETURN(Fields f, Fields(*c.input, "input").Object("fsUploadIn"));
    XT_ASSIGN_OR_RETURN(std::string filename, f.Str("filename", 200));
    XT_ASSIGN_OR_RETURN(std::string owner, f.OptStr("fixmedins_code", 30));
    if (filename.empty()) return err::BadField("input.fsUploadIn.filename", "must not be empty");
    if (!owner.empty() && owner != c.fixmedins_code) {
      return err::BadField("input.fsUploadIn.fixmedins_code", "is not the envelope's institution");
    }
    const JsonValue* in = f.Find("in");
    if (!in) return err::MissingField("input.fsUploadIn.in");
    std::string bytes;
    if (in->is_string()) {
      if (!crypto::Base64Decode(in->string(), &bytes)) return err::BadField("input.fsUploadIn.in", "is not base64");
    } else if (in->is_array()) {
      // A byte array as some serializers write it: numbers 0..255 (or -128..127).
      bytes.reserve(in->size());
      for (size_t i = 0; i < in->size(); ++i) {
        const std::optional<int64_t> b = (*in)[i].is_number_integer() ? (*in)[i].int64() : std::nullopt;
        if (!b || *b < -128 || *b > 255) return err::BadField("input.fsUploadIn.in", "must be bytes (0..255)");
        bytes.push_back(static_cast<char>(*b & 0xFF));
      }
    } else {
      return err::BadField("input.fsUploadIn.in", "must be base64 text or an array of bytes");
    }
    if (bytes.empty()) return err::BadField("input.fsUploadIn.in", "must not be empty");
    if (bytes.size() > kFileBytesMax) return err::FileInvalid("the file is larger than " + std::to_string(kFileBytesMax) + " bytes");
    store::FileRow row;
    row.file_qury_no = "fsi/" + c.fixmedins_code + "/" + crypto::RandomHex(12);
    row.fixmedins_code = c.fixmedins_code;
    row.filename = filename;
    row.body = std::move(bytes);
    row.created = c.now;
    XT_RETURN_IF_ERROR(txn->messages().InsertFile(row));
    (*out)["file_qury_no"] = row.file_qury_no;
    (*out)["filename"] = filename;
    (*out)["fixmedins_code"] = c.fixmedins_code;
    (*out)["dld_endtime"] = DayAfter(c.now, kFileKeptDays);
    return Status::Ok();
  }

  // A file the caller may read: its own upload, until dld_endtime.
  Result<store::FileRow> OwnFile(CallCtx& c, store::ReadTxn& txn, const std::string& file_qury_no) {
    XT_ASSIGN_OR_RETURN(auto file, txn.messages().FindFile(file_qury_no));
    if (!file || file->fixmedins_code != c.fixmedins_code) return err::FileNotFound(file_qury_no);
    if (c.now > file->created + kFileKeptDays * 86400) return err::FileInvalid("the file's dld_endtime has passed");
    return std::move(*file);
  }

  Status DownloadFile(CallCtx& c, store::ReadTxn& txn, store::WriteTxn*, json* out) {
    XT_ASSIGN_OR_RETURN(Fields f, Fields(*c.input, "input").Object("fsDownloadIn"));
    XT_ASSIGN_OR_RETURN(std::string no, f.Str("file_qury_no", 200));
    std::string name, bytes;
    if (no.starts_with(kCatalogFilePrefix)) {
      XT_ASSIGN_OR_RETURN(CatalogFile made, MakeCatalogFile(ref_.catalog, no));
      name = std::move(made.filename);
      bytes = std::move(made.zipped);
    } else {
      XT_ASSIGN_OR_RETURN(store::FileRow file, OwnFile(c, txn, no));
      name = std::move(file.filename);
      bytes = std::move(file.body);
    }
    (*out)["file_qury_no"] = no;
    (*out)["filename"] = name;
    (*out)["size"] = bytes.size();
    (*out)["data"] = crypto::Base64Encode(bytes);
    c.download_name = std::move(name);
    c.download_bytes = std::move(bytes);
    return Status::Ok();
  }

  Status CatalogDownload(CallCtx& c, store::ReadTxn&, store::WriteTxn*, json*) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("data"));
    XT_ASSIGN_OR_RETURN(std::string ver, data.Serial("ver", 30, /*required=*/false));
    std::string ver_day = "0";
    if (!ver.empty() && ver != "0") {
      // A day, or a version stamp that starts with one (yyyyMMddHHmmss).
      const bool digits = ver.find_first_not_of("0123456789") == std::string::npos;
      const std::optional<Date> d = ParseDate(digits && ver.size() >= 8 ? ver.substr(0, 8) : ver);
      if (!d) return err::BadField("input.data.ver", "must be 0 or a day (yyyy-MM-dd or yyyyMMdd): the newest version held");
      ver_day = d->ToCompact();
    }
    const std::string no = CatalogFileNo(c.infno, ProvinceOf(c.mdtrtarea_admvs), ver_day);
    XT_ASSIGN_OR_RETURN(CatalogFile made, MakeCatalogFile(ref_.catalog, no));
    JsonWriter w;
    w.BeginObject().Field("file_qury_no", no).Field("filename", made.filename);
    w.Field("dld_end_time", DateOf(c.now + kFileKeptDays * 86400).ToString()).FieldInt("data_cnt", made.rows).EndObject();
    c.raw_output = w.Take();
    return Status::Ok();
  }

  // ---- 1312 catalogue query: the treatment place's catalogue (the
  // caller's province), in force on query_date (today when absent),
  // filtered by hilist_code (exact), hilist_name (a part of it), chrgitm_lv,
  // paged (page_num from 1; page_size 1..500, 100). The answer is the paged
  // form vendors map (tests/corpus/README.md): pageNum, pageSize, size,
  // recordCounts, pages, firstPage, lastPage, startRow, data[].
  Status CatalogQuery(CallCtx& c, store::ReadTxn&, store::WriteTxn*, json*) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("data"));
    XT_ASSIGN_OR_RETURN(std::optional<LocalSeconds> on_time, data.OptTime("query_date"));
    XT_ASSIGN_OR_RETURN(std::string code, data.OptStr("hilist_code", 50));
    XT_ASSIGN_OR_RETURN(std::string name, data.OptStr("hilist_name", 200));
    XT_ASSIGN_OR_RETURN(std::string lv, data.OptStr("chrgitm_lv", 3));
    XT_ASSIGN_OR_RETURN(std::string page_text, data.Serial("page_num", 9, /*required=*/false));
    XT_ASSIGN_OR_RETURN(std::string size_text, data.Serial("page_size", 9, /*required=*/false));
    const int64_t page_num = page_text.empty() ? 1 : std::atoll(page_text.c_str());
    const int64_t page_size = size_text.empty() ? kCatalogPageSizeDefault : std::atoll(size_text.c_str());
    if (page_num < 1 || page_num > 1000000) return err::BadField("input.data.page_num", "must be 1 or more");
    if (page_size < 1 || page_size > kCatalogPageSizeMax) {
      return err::BadField("input.data.page_size", "must be 1.." + std::to_string(kCatalogPageSizeMax));
    }
    const Date on = on_time ? DateOf(*on_time) : DateOf(c.now);
    const std::string province = ProvinceOf(c.mdtrtarea_admvs);
    std::vector<const catalog::ItemVersion*> hits;
    for (const catalog::ItemVersion* it : ref_.catalog.ItemsOf(province)) {
      if (!it->validity.Contains(on) || (!code.empty() && it->code != code) ||
          (!name.empty() && it->name.find(name) == std::string::npos) ||
          (!lv.empty() && catalog::ChargeClassCode(it->charge_class) != lv)) {
        continue;
      }
      hits.push_back(it);
    }
    const int64_t total = static_cast<int64_t>(hits.size());
    const int64_t pages = (total + page_size - 1) / page_size;
    const int64_t start = (page_num - 1) * page_size;
    JsonWriter w;
    w.BeginObject().FieldInt("pageNum", page_num).FieldInt("pageSize", page_size);
    w.FieldInt("size", std::max<int64_t>(std::min(page_size, total - start), 0)).FieldInt("recordCounts", total);
    w.FieldInt("pages", pages).FieldInt("firstPage", 1).FieldInt("lastPage", std::max<int64_t>(pages, 1));
    w.FieldInt("startRow", start + 1).Key("data").BeginArray();
    for (int64_t i = start; i < total && i < start + page_size; ++i) {
      const catalog::ItemVersion& it = *hits[static_cast<size_t>(i)];
      w.BeginObject().Field("hilist_code", it.code).Field("hilist_name", it.name).Field("insu_admdvs", province);
      w.Field("begndate", it.validity.begin.ToString()).Key("enddate");
      if (it.validity.end) w.String(it.validity.end->ToString());
      else w.Null();
      w.Field("list_type", catalog::ItemKindName(it.kind)).Field("chrgitm_lv", catalog::ChargeClassCode(it.charge_class));
      w.Key("pric_uplmt_amt");
      if (it.price_cap_fen) w.Money(*it.price_cap_fen);
      else w.Null();
      w.Key("selfpay_prop").Decimal(it.selfpay_prop_bp, 4).Field("lmt_used_flag", it.price_cap_fen ? "1" : "0");
      w.Field("vali_flag", "1").EndObject();
    }
    w.EndArray().EndObject();
    c.raw_output = w.Take();
    return Status::Ok();
  }

  // ---- 5201 / 5203 / 5204 / 5303 queries: what a cashier reads back when
  // an answer was lost. They change nothing and are audited (personal
  // data); a hospital reads its own visits and settlements only.


  static void WritePersonFields(JsonWriter& w, const store::VisitRow& v, Date on) {
    w.Field("psn_no", v.psn_no).Field("psn_cert_type", code::kPsnCertTypeIdCard).Field("certno", v.certno).Field("psn_name", v.psn_name);
    w.Field("gend", GenderOf(v.certno)).Field("brdy", v.birth.ToString()).FieldInt("age", AgeOn(v.birth, on));
  }

  // 5201: the person's visits at this institution, newest first; filters
  // begntime..endtime (by admission or registration time), med_type,
  // mdtrt_id.
  Status VisitsQuery(CallCtx& c, store::ReadTxn& txn, store::WriteTxn*, json*) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("data"));
    XT_ASSIGN_OR_RETURN(std::string psn_no, data.Str("psn_no", 30));
    XT_ASSIGN_OR_RETURN(std::string mdtrt_id, data.OptStr("mdtrt_id", 30));
    XT_ASSIGN_OR_RETURN(std::string med_type, data.OptStr("med_type", 6));
    XT_ASSIGN_OR_RETURN(std::optional<LocalSeconds> from, data.OptTime("begntime"));
    XT_ASSIGN_OR_RETURN(std::optional<LocalSeconds> to, data.OptTime("endtime"));
    c.subject = psn_no;
    XT_ASSIGN_OR_RETURN(auto visits, txn.settlements().VisitsOfPersonAt(psn_no, c.fixmedins_code, kQueryRowsMax));
    JsonWriter w;
    w.BeginObject().Key("mdtrtinfo").BeginArray();
    for (const auto& v : visits) {
      if ((!mdtrt_id.empty() && v.mdtrt_id != mdtrt_id) || (!med_type.empty() && v.med_type != med_type) ||
          (from && v.begntime < *from) || (to && v.begntime > *to)) {
        continue;
      }
      w.BeginObject().Field("mdtrt_id", v.mdtrt_id);
      WritePersonFields(w, v, DateOf(v.begntime));
      w.Field("insutype", v.insutype).Field("psn_type", v.psn_type).Field("insu_optins", v.insuplc_admdvs);
      w.Field("begntime", FormatLocalTime(v.begntime)).Key("endtime");
      if (v.endtime) w.String(FormatLocalTime(*v.endtime));
      else w.Null();
      w.Field("med_type", v.med_type).Field("ipt_otp_no", v.ipt_otp_no);
      w.Field("cvlserv_flag", v.cvlserv_flag ? "1" : "0").Field("mdtrt_cert_type", v.mdtrt_cert_type);
      w.Field("inhosp_stas", StateOf(v) == VisitState::kAdmitted ? "1" : "0").Field("vis_stas", v.state);
      w.Key("diseinfo").Raw(v.diseinfo_json.empty() ? std::string_view("[]") : std::string_view(v.diseinfo_json));
      w.EndObject();
    }
    w.EndArray().EndObject();
    c.raw_output = w.Take();
    return Status::Ok();
  }

  // 5203: one settlement (or reversal) of this institution, as it was
  // answered: setlinfo and setldetail.
  Status SettlementQuery(CallCtx& c, store::ReadTxn& txn, store::WriteTxn*, json*) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("data"));
    XT_ASSIGN_OR_RETURN(std::string psn_no, data.Str("psn_no", 30));
    XT_ASSIGN_OR_RETURN(std::string setl_id, data.Str("setl_id", 30));
    XT_ASSIGN_OR_RETURN(std::string mdtrt_id, data.OptStr("mdtrt_id", 30));
    c.subject = psn_no;
    XT_ASSIGN_OR_RETURN(store::SettlementRow row, OwnSettlement(c, txn, setl_id, psn_no, mdtrt_id));
    XT_ASSIGN_OR_RETURN(c.raw_output, RenderStored(txn, row));
    return Status::Ok();
  }

  Result<store::SettlementRow> OwnSettlement(CallCtx& c, store::ReadTxn& txn, const std::string& setl_id,
                                             const std::string& psn_no, const std::string& mdtrt_id) {
    XT_ASSIGN_OR_RETURN(auto row, txn.settlements().FindSettlement(setl_id));
    if (!row || row->psn_no != psn_no || (!mdtrt_id.empty() && row->mdtrt_id != mdtrt_id)) {
      return err::SettlementNotFound();
    }
    if (row->fixmedins_code != c.fixmedins_code) return err::SettlementOfOther();
    return std::move(*row);
  }

  // 5204: a visit's fee details with their split: as the settlement named
  // by setl_id split them (kept with it), or, without one, as the visit's
  // active lines split now (what a settlement would make of them).
  Status FeeDetailsQuery(CallCtx& c, store::ReadTxn& txn, store::WriteTxn*, json*) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("data"));
    XT_ASSIGN_OR_RETURN(std::string psn_no, data.Str("psn_no", 30));
    XT_ASSIGN_OR_RETURN(std::string mdtrt_id, data.Str("mdtrt_id", 30));
    XT_ASSIGN_OR_RETURN(std::string setl_id, data.OptStr("setl_id", 30));
    c.subject = psn_no;
    XT_ASSIGN_OR_RETURN(store::VisitRow v, OwnVisit(c, txn, mdtrt_id, psn_no, /*any_kind=*/true));
    XT_ASSIGN_OR_RETURN(auto all, txn.settlements().FeeLinesOfVisit(mdtrt_id));
    std::vector<store::FeeLineRow> rows;
    std::vector<settle::LineResult> split;
    if (setl_id.empty()) {
      for (auto& l : all) {
        if (l.state == "active") rows.push_back(std::move(l));
      }
      std::vector<settle::ClaimLine> lines;
      for (const auto& r : rows) lines.push_back(ClaimLineOf(r));
      split = settle::SplitLines(lines, ref_.catalog, v.mdtrtarea_admvs, DateOf(c.now), nullptr);
    } else {
      XT_ASSIGN_OR_RETURN(store::SettlementRow row, OwnSettlement(c, txn, setl_id, psn_no, mdtrt_id));
      const json detail = json::parse(row.detail_json, nullptr, false);
      if (!detail.is_object()) return Status::Error("XT-INT-001", "internal error", "unreadable detail of " + setl_id);
      // [feedetl_sn, amount, class, fulamt, overlmt, preselfpay, inscp] (DetailJson)
      for (const auto& l : detail.value("lines", json::array())) {
        if (!l.is_array() || l.size() < 7) continue;
        const std::string sn = l[0].get<std::string>();
        auto it = std::find_if(all.begin(), all.end(), [&](const store::FeeLineRow& f) { return f.feedetl_sn == sn; });
        store::FeeLineRow f = it != all.end() ? *it : store::FeeLineRow{};
        f.feedetl_sn = sn;
        f.amount_fen = l[1].get<Fen>();
        settle::LineResult r =
            settle::SplitLine(ClaimLineOf(f), ref_.catalog, v.mdtrtarea_admvs, DateOf(f.fee_ocur_time));
        r.fulamt_ownpay_fen = l[3].get<Fen>();
        r.overlmt_fen = l[4].get<Fen>();
        r.preselfpay_fen = l[5].get<Fen>();
        r.inscp_fen = l[6].get<Fen>();
        rows.push_back(std::move(f));
        split.push_back(std::move(r));
      }
    }
    JsonWriter w;
    w.BeginObject().Key("feedetail").BeginArray();
    for (size_t i = 0; i < rows.size(); ++i) {
      const store::FeeLineRow& f = rows[i];
      const settle::LineResult& r = split[i];
      w.BeginObject().Field("mdtrt_id", mdtrt_id).Field("setl_id", setl_id).Field("feedetl_sn", f.feedetl_sn);
      w.Field("chrg_bchno", f.chrg_bchno).Field("med_type", v.med_type);
      w.Field("fee_ocur_time", f.fee_ocur_time ? FormatLocalTime(f.fee_ocur_time) : std::string());
      w.Key("cnt").Decimal(f.cnt_e4, 4).Key("pric").Decimal(f.pric_e6, 6).FieldMoney("det_item_fee_sumamt", f.amount_fen);
      w.Key("pric_uplmt_amt");
      if (r.price_cap_fen) w.Money(*r.price_cap_fen);
      else w.Null();
      w.Key("selfpay_prop").Decimal(r.selfpay_prop_bp, 4).FieldMoney("fulamt_ownpay_amt", r.fulamt_ownpay_fen);
      w.FieldMoney("overlmt_amt", r.overlmt_fen).FieldMoney("preselfpay_amt", r.preselfpay_fen);
      w.FieldMoney("inscp_scp_amt", r.inscp_fen).Field("chrgitm_lv", catalog::ChargeClassCode(r.charge_class));
      w.Field("med_list_codg", f.med_list_codg).Field("hilist_code", r.listed ? f.med_list_codg : std::string());
      w.Field("medins_list_codg", f.medins_list_codg).Field("lmt_used_flag", r.lmt_used ? "1" : "0").EndObject();
    }
    w.EndArray().EndObject();
    c.raw_output = w.Take();
    return Status::Ok();
  }

  // 5205: the person's chronic-disease drug records (慢特病用药记录): the
  // drug lines of their settled outpatient chronic-disease visits (med_type
  // 14) at any institution of the exchange, begntime..endtime by the fee's
  // time, so that a doctor sees what was dispensed elsewhere. Audited.
  Status ChronicDrugsQuery(CallCtx& c, store::ReadTxn& txn, store::WriteTxn*, json*) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("data"));
    XT_ASSIGN_OR_RETURN(std::string psn_no, data.Str("psn_no", 30));
    XT_ASSIGN_OR_RETURN(std::optional<LocalSeconds> from, data.OptTime("begntime"));
    XT_ASSIGN_OR_RETURN(std::optional<LocalSeconds> to, data.OptTime("endtime"));
    c.subject = psn_no;
    XT_ASSIGN_OR_RETURN(auto visits, txn.settlements().VisitsOfPersonInState(psn_no, Name(VisitState::kSettled), kQueryRowsMax));
    JsonWriter w;
    w.BeginObject().Key("feedetail").BeginArray();
    for (const auto& v : visits) {
      if (v.med_type != code::kMedTypeChronicDisease) continue;
      const registry::Institution* inst = ref_.registry.FindInstitution(v.fixmedins_code);
      XT_ASSIGN_OR_RETURN(auto lines, txn.settlements().ActiveFeeLines(v.mdtrt_id));
      for (const auto& l : lines) {
        if ((from && l.fee_ocur_time < *from) || (to && l.fee_ocur_time > *to)) continue;
        const catalog::ItemVersion* it =
            ref_.catalog.Find(v.mdtrtarea_admvs, l.med_list_codg, DateOf(l.fee_ocur_time));
        if (!it || it->kind != catalog::ItemKind::kDrug) continue;
        w.BeginObject().Field("feedetl_sn", l.feedetl_sn).Field("fixmedins_code", v.fixmedins_code);
        w.Field("fixmedins_name", inst ? inst->name : std::string()).Field("psn_no", psn_no);
        w.Field("med_type", v.med_type).Field("fee_ocur_time", FormatLocalTime(l.fee_ocur_time));
        w.Key("cnt").Decimal(l.cnt_e4, 4).Key("pric").Decimal(l.pric_e6, 6);
        w.Field("chrgitm_lv", catalog::ChargeClassCode(it->charge_class)).Field("hilist_code", it->code);
        w.Field("hilist_name", it->name).Field("med_list_codg", l.med_list_codg);
        w.Field("medins_list_codg", l.medins_list_codg).EndObject();
      }
    }
    w.EndArray().EndObject();
    c.raw_output = w.Take();
    return Status::Ok();
  }

  // 5303: whether the person lies in hospital now, anywhere in the
  // exchange (the one-bed rule's view). Another institution's stay shows
  // its institution and admission day, not its ids.
  Status InHospitalQuery(CallCtx& c, store::ReadTxn& txn, store::WriteTxn*, json*) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("data"));
    XT_ASSIGN_OR_RETURN(std::string psn_no, data.Str("psn_no", 30));
    c.subject = psn_no;
    XT_ASSIGN_OR_RETURN(auto stays, txn.settlements().VisitsOfPersonInState(psn_no, Name(VisitState::kAdmitted), kQueryRowsMax));
    JsonWriter w;
    w.BeginObject().Key("data").BeginArray();
    for (const auto& v : stays) {
      const bool own = v.fixmedins_code == c.fixmedins_code;
      w.BeginObject().Field("mdtrt_id", own ? v.mdtrt_id : std::string());
      WritePersonFields(w, v, DateOf(c.now));
      w.Field("insutype", v.insutype).Field("begndate", DateOf(v.begntime).ToString()).Field("med_type", v.med_type);
      w.Field("ipt_otp_no", own ? v.ipt_otp_no : std::string()).Field("fixmedins_code", v.fixmedins_code);
      w.Field("out_flag", ProvinceOf(v.insuplc_admdvs) != ProvinceOf(v.mdtrtarea_admvs) ? "1" : "0");
      w.EndObject();
    }
    w.EndArray().EndObject();
    c.raw_output = w.Take();
    return Status::Ok();
  }

  // ---- 2204 / 2301 fee details


  // Before the write: every check that needs only the request and the
  // catalogue, and the answer's output (the lines' split does not depend on
  // the database). A refusal found here goes to c.pre.status.
  void PrepareUploadFees(CallCtx& c, store::Store&) { c.pre.status = CheckFeeLines(c); }

  Status CheckFeeLines(CallCtx& c) {
    Fields input(*c.input, "input");
    XT_ASSIGN_OR_RETURN(const JsonValue* arr, input.Array("feedetail", kFeeLinesPerMessageMax));
    std::vector<store::FeeLineRow>& rows = c.pre.fee_rows;
    std::string& mdtrt_id = c.pre.fee_mdtrt_id;
    std::string& psn_no = c.pre.fee_psn_no;
    rows.reserve(arr->size());
    for (size_t i = 0; i < arr->size(); ++i) {
      const JsonValue& item = (*arr)[i];
      const std::string path = "input.feedetail[" + std::to_string(i) + "]";
      if (!item.is_object()) return err::BadField(path, "must be an object");
      Fields f(item, path);
      store::FeeLineRow r;
      XT_ASSIGN_OR_RETURN(r.feedetl_sn, f.Serial("feedetl_sn", 30));
      XT_ASSIGN_OR_RETURN(r.mdtrt_id, f.Str("mdtrt_id", 30));
      XT_ASSIGN_OR_RETURN(std::string line_psn, f.Str("psn_no", 30));
      // 2301 carries no chrg_bchno in the specification; 2204 does.
      XT_ASSIGN_OR_RETURN(r.chrg_bchno, f.Serial("chrg_bchno", 30, /*required=*/false));
      XT_ASSIGN_OR_RETURN(r.med_list_codg, f.Str("med_list_codg", 50));
      XT_ASSIGN_OR_RETURN(r.medins_list_codg, f.Str("medins_list_codg", 150));
      XT_ASSIGN_OR_RETURN(r.amount_fen, f.MoneyFen("det_item_fee_sumamt"));
      XT_ASSIGN_OR_RETURN(r.cnt_e4, f.Scaled("cnt", 4, kCntExtraPlaces));
      XT_ASSIGN_OR_RETURN(r.pric_e6, f.Scaled("pric", 6, kPricExtraPlaces));
      XT_ASSIGN_OR_RETURN(r.fee_ocur_time, f.Time("fee_ocur_time"));
      if (r.feedetl_sn.empty()) return err::BadField(path + ".feedetl_sn", "must not be empty");
      if (i == 0) {
        mdtrt_id = r.mdtrt_id;
        psn_no = line_psn;
      } else if (r.mdtrt_id != mdtrt_id || line_psn != psn_no) {
        return err::FeeLineInvalid(path + ": every line of one upload must be for the same visit and person");
      }
      if (r.cnt_e4 == 0) return err::FeeLineInvalid(path + ".cnt must not be zero");
      if (r.pric_e6 < 0) return err::FeeLineInvalid(path + ".pric must not be negative");
      // The amount is cnt x pric rounded to the fen, half away from zero
      // (docs/rounding.md), exactly (refunds: cnt and amount negative).
      const Fen expected_fen = LineAmountFen(r.cnt_e4, r.pric_e6);
      if (r.amount_fen != expected_fen) {
        return err::FeeAmountNotCntTimesPric(path + ".det_item_fee_sumamt", FormatFen(r.amount_fen),
                                             FormatFen(expected_fen));
      }
      for (const auto& prev : rows) {
        if (prev.feedetl_sn == r.feedetl_sn) return err::FeeLineDuplicate(r.feedetl_sn);
      }
      if (!ref_.catalog.Find(c.mdtrtarea_admvs, r.med_list_codg, DateOf(r.fee_ocur_time))) {
        return err::ItemNotListed(r.med_list_codg);
      }
      r.state = "active";
      r.msgid = c.msgid;
      rows.push_back(std::move(r));
    }
    // Charges split on their own, here; a refund line's split depends on
    // the charges the visit already holds, so an upload with one is split
    // on the writer (UploadFees).
    c.pre.fee_has_refund = std::any_of(rows.begin(), rows.end(), [](const store::FeeLineRow& r) {
      return r.amount_fen < 0 || r.cnt_e4 < 0;
    });
    // Charges alone never overdraw an item, so this cannot refuse; it is
    // passed on all the same rather than leave the answer unset.
    if (!c.pre.fee_has_refund) XT_RETURN_IF_ERROR(SetFeeAnswer(c, rows, {}, c.mdtrtarea_admvs));
    return Status::Ok();
  }

  static settle::ClaimLine ClaimLineOf(const store::FeeLineRow& r) {
    return settle::ClaimLine{r.feedetl_sn, r.med_list_codg, r.amount_fen, r.cnt_e4, DateOf(r.fee_ocur_time)};
  }

  // The upload's answer: its lines split as a settlement will split them,
  // after the visit's active lines `before`; an item whose refunds would
  // exceed its charges refuses the upload.
  Status SetFeeAnswer(CallCtx& c, const std::vector<store::FeeLineRow>& rows,
                      const std::vector<store::FeeLineRow>& before, const std::string& mdtrtarea_admvs) {
    std::vector<settle::ClaimLine> lines;
    lines.reserve(before.size() + rows.size());
    for (const auto& r : before) lines.push_back(ClaimLineOf(r));
    for (const auto& r : rows) lines.push_back(ClaimLineOf(r));
    std::string overdrawn;
    std::vector<settle::LineResult> split =
        settle::SplitLines(lines, ref_.catalog, mdtrtarea_admvs, DateOf(c.now), &overdrawn);
    if (!overdrawn.empty()) return err::RefundExceedsCharges(overdrawn);
    split.erase(split.begin(), split.begin() + static_cast<ptrdiff_t>(before.size()));
    c.pre.fee_output = FeeOutput(rows, split);
    c.pre.fee_answer = EncodeFeeAnswer(rows, split);
    return Status::Ok();
  }



  // On the writer: what needs the database (the visit, the lines it has).
  Status UploadFees(CallCtx& c, store::ReadTxn&, store::WriteTxn* txn, json*) {
    const std::vector<store::FeeLineRow>& rows = c.pre.fee_rows;
    const std::string& mdtrt_id = c.pre.fee_mdtrt_id;
    XT_ASSIGN_OR_RETURN(store::VisitRow v, OwnVisit(c, *txn, mdtrt_id, c.pre.fee_psn_no));
    if (!settle::IsOpen(StateOf(v))) {
      return err::VisitState("fee details can be uploaded only to an open, unsettled visit (it is " + v.state + ")");
    }
    // Every line of the visit, cancelled ones too: a feedetl_sn is never reused.
    XT_ASSIGN_OR_RETURN(auto existing, txn->settlements().FeeLinesOfVisit(mdtrt_id));
    size_t active = 0;
    for (const auto& e : existing) active += e.state == "active" ? 1 : 0;
    if (active + rows.size() > kFeeLinesPerVisitMax) {
      return err::TooMany("the visit's fee details", kFeeLinesPerVisitMax);
    }
    for (const auto& r : rows) {
      for (const auto& e : existing) {
        if (e.feedetl_sn == r.feedetl_sn) return err::FeeLineDuplicate(r.feedetl_sn);
      }
    }
    if (c.pre.fee_has_refund) {
      std::vector<store::FeeLineRow> before;
      for (auto& e : existing) {
        if (e.state == "active") before.push_back(std::move(e));
      }
      XT_RETURN_IF_ERROR(SetFeeAnswer(c, rows, before, v.mdtrtarea_admvs));
    }
    XT_RETURN_IF_ERROR(txn->settlements().InsertFeeLines(rows, c.pre.fee_answer));
    c.raw_output = c.pre.fee_output;
    c.output_setl_id = FeeUploadRef(mdtrt_id, c.msgid);
    return Status::Ok();
  }

  // ---- 2205 / 2302 cancel fee details

  Status CancelFees(CallCtx& c, store::ReadTxn&, store::WriteTxn* txn, json* out) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("data"));
    XT_ASSIGN_OR_RETURN(std::string mdtrt_id, data.Str("mdtrt_id", 30));
    XT_ASSIGN_OR_RETURN(std::string psn_no, data.Str("psn_no", 30));
    XT_ASSIGN_OR_RETURN(std::string bchno, data.Serial("chrg_bchno", 30, /*required=*/false));
    XT_ASSIGN_OR_RETURN(std::string sn, data.Serial("feedetl_sn", 30, /*required=*/false));
    XT_ASSIGN_OR_RETURN(store::VisitRow v, OwnVisit(c, *txn, mdtrt_id, psn_no));
    if (StateOf(v) == VisitState::kSettled) return err::AlreadySettled();
    if (StateOf(v) == VisitState::kCancelled) return err::VisitState("the visit is cancelled");
    const bool all_batches = bchno.empty() || bchno == "0000";
    const bool all_lines = sn.empty() || sn == "0000";
    XT_ASSIGN_OR_RETURN(auto lines, txn->settlements().ActiveFeeLines(mdtrt_id));
    int cancelled = 0;
    for (const auto& l : lines) {
      if ((all_batches || l.chrg_bchno == bchno) && (all_lines || l.feedetl_sn == sn)) {
        XT_RETURN_IF_ERROR(txn->settlements().SetFeeLineState(mdtrt_id, l.feedetl_sn, "cancelled"));
        ++cancelled;
      }
    }
    if (cancelled == 0) return err::FeeLineNotFound(all_lines ? "(any)" : sn);
    (*out)["cancelled"] = cancelled;
    return Status::Ok();
  }

  // ---- 2206/2207, 2303/2304 settlement


  // `estimate`: a pre-settlement (2206/2303), which may run during a stay
  // (a 2303 before discharge estimates what the stay would be settled at).
  Result<Computed> Compute(CallCtx& c, store::ReadTxn& txn, const Fields& data, bool estimate) {
    XT_ASSIGN_OR_RETURN(std::string mdtrt_id, data.Str("mdtrt_id", 30));
    XT_ASSIGN_OR_RETURN(std::string psn_no, data.Str("psn_no", 30));
    XT_ASSIGN_OR_RETURN(Fen medfee_fen, data.MoneyFen("medfee_sumamt"));
    XT_ASSIGN_OR_RETURN(bool acct_used, data.Flag("acct_used_flag", false));
    XT_ASSIGN_OR_RETURN(std::string insutype, data.OptStr("insutype", 6));
    XT_ASSIGN_OR_RETURN(bool mid_setl, data.Flag("mid_setl_flag", false));
    if (mid_setl) return err::BadField("input.data.mid_setl_flag", "mid-stay settlement is not supported; settle at discharge");
    Computed out;
    XT_ASSIGN_OR_RETURN(out.visit, OwnVisit(c, txn, mdtrt_id, psn_no));
    const store::VisitRow& v = out.visit;
    if (!insutype.empty() && insutype != v.insutype) return err::BadField("input.data.insutype", "does not match the visit");
    // A med_type at settlement is the visit's, never silently another:
    // change it with 2203 (outpatient) or 2403 (a stay) first.
    XT_ASSIGN_OR_RETURN(std::string med_type, data.OptStr("med_type", 6));
    if (!med_type.empty() && med_type != v.med_type) return err::MedTypeMismatch(med_type, v.med_type, IsInpatient(c));
    if (StateOf(v) == VisitState::kSettled) return err::AlreadySettled();
    if (StateOf(v) == VisitState::kAdmitted && !estimate) {
      return err::VisitState("the patient must be discharged (2402) before settlement; 2303 gives an estimate during the stay");
    }
    if (!settle::IsOpen(StateOf(v))) {
      return err::VisitState("the visit is " + v.state);
    }
    XT_ASSIGN_OR_RETURN(auto lines, txn.settlements().ActiveFeeLines(mdtrt_id));
    if (lines.empty()) return err::NoFeeLines();
    XT_RETURN_IF_ERROR(CheckBatchNamed(data, lines));
    settle::Claim claim;
    claim.insutype = v.insutype;
    claim.med_type = v.med_type;
    claim.insuplc_admdvs = v.insuplc_admdvs;
    claim.mdtrtarea_admvs = v.mdtrtarea_admvs;
    claim.hosp_lv = v.hosp_lv;
    claim.date = DateOf(c.now);
    claim.psn_type = v.psn_type;
    claim.birth = v.birth;
    claim.filed = v.filed;
    claim.acct_used = acct_used;
    Fen sum = 0;
    claim.lines.reserve(lines.size());
    for (const auto& l : lines) {
      claim.lines.push_back(ClaimLineOf(l));
      sum += l.amount_fen;
    }
    if (sum != medfee_fen) {
      return err::TotalMismatch("medfee_sumamt " + FormatFen(medfee_fen) + " differs from the uploaded fee details' total " +
                                FormatFen(sum));
    }
    XT_ASSIGN_OR_RETURN(out.balance_before_fen, AccountBalance(txn, v.psn_no));
    claim.acct_balance_fen = out.balance_before_fen;
    out.year = claim.date.Year();
    XT_ASSIGN_OR_RETURN(out.ytd, txn.ledger().GetAccumulators(v.psn_no, out.year));
    settle::Accumulators ytd;
    ytd.reserve(out.ytd.size());
    for (const auto& a : out.ytd) ytd.push_back({a.key, a.value});
    XT_ASSIGN_OR_RETURN(out.breakdown, settle::Adjudicate(claim, ref_.catalog, ref_.policies, ytd));
    const std::string broken = settle::CheckIdentities(out.breakdown);
    XT_INVARIANT(broken.empty(), "settlement identities: " + broken);
    return out;
  }

  // chrg_bchno at settlement (2206/2207 send it): a visit settles whole,
  // all its batches in one settlement. A chrg_bchno that names one batch
  // of several, or none the visit holds, is refused (XT-SETL-011) rather
  // than settling more, or less, than the hospital meant. Empty or "0000":
  // every batch.
  static Status CheckBatchNamed(const Fields& data, const std::vector<store::FeeLineRow>& lines) {
    XT_ASSIGN_OR_RETURN(std::string bchno, data.Serial("chrg_bchno", 30, /*required=*/false));
    if (bchno.empty() || bchno == "0000") return Status::Ok();
    std::vector<std::string> batches;
    for (const auto& l : lines) {
      if (!l.chrg_bchno.empty() && std::find(batches.begin(), batches.end(), l.chrg_bchno) == batches.end()) {
        batches.push_back(l.chrg_bchno);
      }
    }
    if (batches.empty() || (batches.size() == 1 && batches[0] == bchno)) return Status::Ok();
    std::string held;
    for (const auto& b : batches) held += (held.empty() ? "" : ", ") + b;
    return err::BatchNotWhole(bchno, held);
  }


  Status PreSettle(CallCtx& c, store::ReadTxn& txn, store::WriteTxn*, json* out) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("data"));
    XT_ASSIGN_OR_RETURN(Computed comp, Compute(c, txn, data, /*estimate=*/true));
    c.subject = comp.visit.psn_no;
    store::SettlementRow row = RowOf(c, comp, "");
    c.raw_output = RenderSettlement(row, FundRows(comp.breakdown), comp.breakdown.trace, comp.visit);
    return Status::Ok();
  }

  static store::SettlementRow RowOf(const CallCtx& c, const Computed& comp, const std::string& setl_id) {
    store::SettlementRow row;
    row.setl_id = setl_id;
    row.kind = "settle";
    row.state = "settled";
    row.mdtrt_id = comp.visit.mdtrt_id;
    row.psn_no = comp.visit.psn_no;
    row.fixmedins_code = comp.visit.fixmedins_code;
    row.insuplc_admdvs = comp.visit.insuplc_admdvs;
    row.mdtrtarea_admvs = comp.visit.mdtrtarea_admvs;
    row.insutype = comp.visit.insutype;
    row.med_type = comp.visit.med_type;
    row.setl_time = c.now;
    row.year = comp.year;
    row.msgid = c.msgid;
    row.amounts = AmountsOf(comp.breakdown);
    row.deltas.reserve(comp.breakdown.deltas.size());
    for (const auto& d : comp.breakdown.deltas) row.deltas.push_back({d.key, d.value});
    return row;
  }

  Status Settle(CallCtx& c, store::ReadTxn&, store::WriteTxn* txn, json* out) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("data"));
    Result<Computed> computed = Compute(c, *txn, data, /*estimate=*/false);
    if (!computed.ok()) {
      // A settled visit: the hospital's retry gets the first answer.
      if (computed.status().code() == err::AlreadySettled().code()) return AnswerRetriedSettlement(c, *txn, data);
      return computed.status();
    }
    Computed comp = std::move(computed).value();
    c.subject = comp.visit.psn_no;
    XT_ASSIGN_OR_RETURN(std::string setl_id, NewId(*txn, "setl", comp.visit.mdtrtarea_admvs));
    store::SettlementRow row = RowOf(c, comp, setl_id);
    row.detail_json = DetailJson(comp.breakdown);
    XT_INVARIANT(row.amounts.balc == comp.balance_before_fen - row.amounts.acct_pay,
                 "the account balance moves by exactly acct_pay");
    XT_RETURN_IF_ERROR(txn->settlements().InsertSettlement(row));
    XT_RETURN_IF_ERROR(txn->ledger().AddAccumulators(row.psn_no, row.year, row.deltas));
    XT_RETURN_IF_ERROR(txn->ledger().PostTransfers(ledger::TransfersFor(row)));
    XT_RETURN_IF_ERROR(CheckMove(comp.visit, VisitState::kSettled));
    XT_RETURN_IF_ERROR(txn->settlements().SetVisitState(comp.visit.mdtrt_id, Name(VisitState::kSettled)));
    c.output_setl_id = row.setl_id;
    c.render = [row = std::move(row), funds = FundRows(comp.breakdown), trace = std::move(comp.breakdown.trace),
                visit = std::move(comp.visit)] { return RenderSettlement(row, funds, trace, visit); };
    return Status::Ok();
  }


  // Idempotency by business key: a 2207/2304 for a visit that is already
  // settled (Compute found it the caller's, of this kind, and settled), for
  // the same total (and, when it names one, a chrg_bchno the visit's lines
  // carry), is the hospital's retry of a settlement whose answer it lost,
  // sent under a fresh msgid. It gets the first settlement's answer again
  // and changes nothing. Any other settlement of a settled visit is
  // refused (XT-SETL-004).
  Status AnswerRetriedSettlement(CallCtx& c, store::WriteTxn& txn, const Fields& data) {
    XT_ASSIGN_OR_RETURN(std::string mdtrt_id, data.Str("mdtrt_id", 30));
    XT_ASSIGN_OR_RETURN(Fen medfee_fen, data.MoneyFen("medfee_sumamt"));
    XT_ASSIGN_OR_RETURN(auto setl, txn.settlements().ActiveSettlementOfVisit(mdtrt_id));
    if (!setl || setl->amounts.medfee_sumamt != medfee_fen) return err::AlreadySettled();
    // The same batch rule as the first settlement: a request it would have
    // refused is not its retry.
    XT_ASSIGN_OR_RETURN(auto lines, txn.settlements().ActiveFeeLines(mdtrt_id));
    if (!CheckBatchNamed(data, lines).ok()) return err::AlreadySettled();
    c.subject = setl->psn_no;
    XT_ASSIGN_OR_RETURN(c.raw_output, RenderStored(txn, *setl));
    c.output_setl_id = setl->setl_id;
    return Status::Ok();
  }

  // ---- 2208 / 2305 reversal

  Status Reverse(CallCtx& c, store::ReadTxn&, store::WriteTxn* txn, json* out) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("data"));
    XT_ASSIGN_OR_RETURN(std::string setl_id, data.Str("setl_id", 30));
    XT_ASSIGN_OR_RETURN(std::string mdtrt_id, data.Str("mdtrt_id", 30));
    XT_ASSIGN_OR_RETURN(std::string psn_no, data.Str("psn_no", 30));
    return ReverseSettlement(c, *txn, setl_id, mdtrt_id, psn_no);
  }

  Status ReverseSettlement(CallCtx& c, store::WriteTxn& wtxn, const std::string& setl_id,
                           const std::string& mdtrt_id, const std::string& psn_no) {
    store::WriteTxn* txn = &wtxn;
    c.subject = psn_no;
    XT_ASSIGN_OR_RETURN(auto orig, txn->settlements().FindSettlement(setl_id));
    if (!orig || orig->kind != "settle" || orig->mdtrt_id != mdtrt_id || orig->psn_no != psn_no) {
      return err::SettlementNotFound();
    }
    if (orig->fixmedins_code != c.fixmedins_code) return err::SettlementOfOther();
    if (orig->state == "reversed") return err::AlreadyReversed();
    XT_RETURN_IF_ERROR(CheckLatestOfYear(*txn, *orig));
    XT_ASSIGN_OR_RETURN(store::VisitRow v, OwnVisit(c, *txn, mdtrt_id, psn_no, /*any_kind=*/c.infno == "2601"));
    XT_ASSIGN_OR_RETURN(Fen balance, AccountBalance(*txn, psn_no));

    store::SettlementRow rev = *orig;
    XT_ASSIGN_OR_RETURN(rev.setl_id, NewId(*txn, "setl", orig->mdtrtarea_admvs));
    rev.kind = "reversal";
    rev.orig_setl_id = orig->setl_id;
    rev.state = "reversal";
    rev.setl_time = c.now;
    rev.msgid = c.msgid;
    store::Amounts& a = rev.amounts;
    for (Fen* f : {&a.medfee_sumamt, &a.fulamt_ownpay_amt, &a.overlmt_selfpay, &a.preselfpay_amt, &a.inscp_scp_amt,
                   &a.act_pay_dedc, &a.hifp_pay, &a.cvlserv_pay, &a.hifes_pay, &a.hifmi_pay, &a.hifob_pay, &a.maf_pay,
                   &a.oth_pay, &a.fund_pay_sumamt, &a.psn_part_amt, &a.acct_pay, &a.psn_cash_pay, &a.hosp_part_amt}) {
      *f = -*f;
    }
    a.balc = balance - a.acct_pay;  // acct_pay is negative: the account gets it back
    for (auto& d : rev.deltas) d.value = -d.value;
    // The accumulators go back to the year of the original settlement.
    XT_RETURN_IF_ERROR(txn->settlements().InsertSettlement(rev));
    XT_RETURN_IF_ERROR(txn->settlements().SetSettlementState(orig->setl_id, "reversed"));
    XT_RETURN_IF_ERROR(txn->ledger().AddAccumulators(rev.psn_no, rev.year, rev.deltas));
    XT_RETURN_IF_ERROR(txn->ledger().PostTransfers(ledger::TransfersFor(rev)));
    const VisitState back = settle::StateAfterReversal(v.med_type[0] == '2');
    XT_RETURN_IF_ERROR(CheckMove(v, back));
    XT_RETURN_IF_ERROR(txn->settlements().SetVisitState(v.mdtrt_id, Name(back)));
    XT_ASSIGN_OR_RETURN(c.raw_output, RenderStored(*txn, rev));
    c.output_setl_id = rev.setl_id;
    return Status::Ok();
  }

  // A settlement is reversed only while it is the person's latest standing
  // settlement of its accumulator year: every later one read the
  // deductible, stay count, bands and caps this one left, so reversing it
  // alone would leave them adjudicated on a year that no longer holds, and
  // the year's totals would depend on the order of operations
  // (docs/settlement.md, "Reversal order").
  static Status CheckLatestOfYear(store::ReadTxn& txn, const store::SettlementRow& orig) {
    store::SettlementQuery q;
    q.psn_no = orig.psn_no;
    q.time_from = orig.setl_time;
    q.limit = 100;
    for (;;) {
      XT_ASSIGN_OR_RETURN(auto rows, txn.settlements().ListSettlements(q));
      for (const auto& r : rows) {
        if (r.id > orig.id && r.kind == "settle" && r.state == "settled" && r.year == orig.year) {
          return err::ReversalNotLatest(r.setl_id);
        }
      }
      if (rows.size() < static_cast<size_t>(q.limit)) return Status::Ok();
      q.before_time = rows.back().setl_time;
      q.before_id = rows.back().id;
    }
  }

  // ---- 2601 reversal of an earlier message (冲正)
  //
  // Undoes what the message `omsgid` did, found by its msgid: a settlement
  // (2207, 2304) is reversed, a registration (2201) cancelled; fee uploads
  // are cancelled with 2205/2302, which name their lines. When the message never arrived,
  // its msgid is closed instead, so that it cannot take effect if it
  // arrives later; the answer says which of the two happened.
  Status Redo(CallCtx& c, store::ReadTxn&, store::WriteTxn* txn, json* out) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("data"));
    XT_ASSIGN_OR_RETURN(std::string omsgid, data.Str("omsgid", kMsgidLenMax));
    XT_ASSIGN_OR_RETURN(std::string oinfno, data.Code("oinfno", 4));
    static const char* const kRedoable[] = {"2201", "2207", "2304", "2401"};
    bool redoable = false;
    for (const char* k : kRedoable) redoable = redoable || oinfno == k;
    if (!redoable) return err::BadField("input.data.oinfno", "must be one of 2201, 2207, 2304, 2401");
    if (omsgid.empty()) return err::BadField("input.data.omsgid", "must not be empty");
    // A msgid of the specification's shape names its sender: another
    // institution's message is not this one's to reverse.
    if (omsgid.size() > kFixmedinsCodeLen && omsgid.compare(0, kFixmedinsCodeLen, c.fixmedins_code) != 0 &&
        ref_.registry.FindInstitution(omsgid.substr(0, kFixmedinsCodeLen)) != nullptr) {
      return err::MessageOfOther();
    }
    if (omsgid == c.msgid) return err::BadField("input.data.omsgid", "must name an earlier message");
    // The original is looked up among the caller's own messages only.
    const std::string okey = MessageKey(c.fixmedins_code, omsgid);
    XT_ASSIGN_OR_RETURN(auto orig, txn->messages().FindMessage(okey));
    (*out)["omsgid"] = omsgid;
    (*out)["oinfno"] = oinfno;
    if (!orig) {
      // Closed before it arrived: a late copy gets this answer, not an effect.
      XT_RETURN_IF_ERROR(txn->messages().PutMessage({okey, oinfno, c.fixmedins_code, std::string(kClosedByRedo), -1,
                                          ClosedAnswer(err::Redone(omsgid)), c.now, ""}));
      (*out)["result"] = "closed";
      return Status::Ok();
    }
    if (orig->fixmedins_code != c.fixmedins_code) return err::MessageOfOther();
    if (orig->infno != oinfno) return err::BadField("input.data.oinfno", "is not the transaction of omsgid");
    if (orig->infcode != 0) {
      (*out)["result"] = "nothing";  // the message was refused: it changed nothing
      return Status::Ok();
    }
    if (oinfno == "2207" || oinfno == "2304") {
      XT_ASSIGN_OR_RETURN(auto setl, txn->settlements().FindSettlement(orig->setl_id));
      if (!setl) return Status::Error("XT-INT-001", "internal error", "message names a missing settlement");
      if (setl->state == "reversed") return err::AlreadyReversed();
      XT_RETURN_IF_ERROR(ReverseSettlement(c, *txn, setl->setl_id, setl->mdtrt_id, setl->psn_no));
      c.output_setl_id.clear();  // the answer is 2601's own, below
      c.raw_output.clear();
      (*out)["result"] = "reversed";
      (*out)["setl_id"] = setl->setl_id;
      return Status::Ok();
    }
    json first = json::parse(orig->response, nullptr, false);
    const json* output = first.is_object() && first.contains("output") ? &first["output"] : nullptr;
    if (oinfno == "2201") {
      const std::string mdtrt_id = output && output->contains("data") ? (*output)["data"].value("mdtrt_id", "") : "";
      XT_ASSIGN_OR_RETURN(auto v, txn->settlements().FindVisit(mdtrt_id));
      if (!v) return Status::Error("XT-INT-001", "internal error", "registration message without its visit");
      if (StateOf(*v) != VisitState::kRegistered) return err::VisitState("the visit has moved on; reverse its settlement first");
      c.subject = v->psn_no;
      XT_RETURN_IF_ERROR(CheckMove(*v, VisitState::kCancelled));
      XT_RETURN_IF_ERROR(txn->settlements().SetVisitState(mdtrt_id, Name(VisitState::kCancelled)));
      (*out)["result"] = "cancelled";
      (*out)["mdtrt_id"] = mdtrt_id;
      return Status::Ok();
    }
    if (oinfno == "2401") {
      const std::string mdtrt_id =
          output && output->contains("result") ? (*output)["result"].value("mdtrt_id", "") : "";
      XT_ASSIGN_OR_RETURN(auto v, txn->settlements().FindVisit(mdtrt_id));
      if (!v) return Status::Error("XT-INT-001", "internal error", "admission message without its stay");
      json ignored;
      XT_RETURN_IF_ERROR(CancelStay(c, *txn, *v, &ignored));
      (*out)["result"] = "cancelled";
      (*out)["mdtrt_id"] = mdtrt_id;
      return Status::Ok();
    }
    XT_INVARIANT(false, "2601 handles only the transactions of kRedoable");
    return Status::Ok();
  }

  // The refusal a late copy of a closed message receives.
  static std::string ClosedAnswer(const Status& refusal) {
    JsonWriter w;
    w.BeginObject().FieldInt("infcode", -1).Field("err_code", refusal.code()).Field("err_msg", refusal.message());
    w.Key("output");
    return w.Take() + "{}}";
  }

  // ---- 9001 / 9002 sign-in and sign-out
  Status SignIn(CallCtx& c, store::ReadTxn&, store::WriteTxn* txn, json* out) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("signIn"));
    XT_ASSIGN_OR_RETURN(std::string opter_no, data.Str("opter_no", 30));
    XT_ASSIGN_OR_RETURN(std::string mac, data.OptStr("mac", 40));
    XT_ASSIGN_OR_RETURN(std::string ip, data.OptStr("ip", 64));
    store::SignInRow row;
    row.sign_no = crypto::RandomHex(15);  // 30 characters, not guessable
    row.fixmedins_code = c.fixmedins_code;
    row.opter_no = opter_no;
    row.key_id = c.caller->key_id;
    row.sign_in_time = c.now;
    XT_RETURN_IF_ERROR(txn->access().InsertSignIn(row));
    (*out)["signinoutb"] = {{"sign_time", FormatLocalTime(c.now)}, {"sign_no", row.sign_no}};
    return Status::Ok();
  }

  Status SignOut(CallCtx& c, store::ReadTxn&, store::WriteTxn* txn, json* out) {
    XT_ASSIGN_OR_RETURN(Fields data, Fields(*c.input, "input").Object("signOut"));
    XT_ASSIGN_OR_RETURN(std::string sign_no, data.Str("sign_no", 40));
    XT_ASSIGN_OR_RETURN(std::string opter_no, data.Str("opter_no", 30));
    XT_ASSIGN_OR_RETURN(auto row, txn->access().FindSignIn(sign_no));
    if (!row || row->fixmedins_code != c.fixmedins_code) return err::SignInUnknown();
    if (row->sign_out_time != 0) return err::SignInClosed();
    XT_RETURN_IF_ERROR(txn->access().CloseSignIn(sign_no, c.now));
    c.signed_out = sign_no;
    (*out)["signoutoutb"] = {{"sign_time", FormatLocalTime(c.now)}};
    return Status::Ok();
  }


 private:
  const RefData& ref_;
  PersonCache& persons_;
};

Processor::Processor(store::Store* store, const RefData* ref, const Clock* clock)
    : store_(store), ref_(ref), clock_(clock), persons_(std::make_unique<PersonCache>(ref->registry)),
      sign_ins_(std::make_unique<OpenSignIns>(store)) {}

Processor::~Processor() = default;

CallStats Processor::stats() const { return CallStats{calls_.load(), failures_.load(), replays_.load()}; }

namespace {

// Storage and internal failures are not answers: they are not recorded
// under the msgid, so a retry can succeed.
bool IsRecordable(const Status& s) {
  return s.ok() || (s.code().rfind("XT-STORE", 0) != 0 && s.code().rfind("XT-INT", 0) != 0);
}

std::string TimeMillis(int64_t local_millis) {
  const std::string t = FormatLocalCompact(local_millis / 1000);
  std::string ms = std::to_string(local_millis % 1000);
  return t + std::string(3 - ms.size(), '0') + ms;
}

// The err_code of a stored refusal, read off its text (it was written by
// envelope_head, so the field is present and plain).
std::string ErrCodeOf(std::string_view response) {
  static constexpr std::string_view kKey = "\"err_code\":\"";
  const size_t at = response.find(kKey);
  if (at == std::string_view::npos) return std::string();
  const size_t begin = at + kKey.size();
  const size_t end = response.find('"', begin);
  return end == std::string_view::npos ? std::string() : std::string(response.substr(begin, end - begin));
}

store::AuditRow AuditOf(const CallCtx& ctx, const Status& st) {
  store::AuditRow row;
  row.time = ctx.now;
  row.actor = ctx.caller->actor();
  row.role = std::string(RoleName(ctx.caller->role));
  row.action = ctx.infno;
  row.subject = ctx.subject;
  row.outcome = st.ok() ? "ok" : st.code();
  row.detail = "msgid " + ctx.msgid;
  return row;
}

}  // namespace

std::string Processor::NextRefMsgid(LocalSeconds now) {
  const int64_t serial = serial_.fetch_add(1, std::memory_order_relaxed) + 1;
  const std::string digits = std::to_string(serial % 10000000000LL);
  return platform_region_ + FormatLocalCompact(now) + std::string(10 - digits.size(), '0') + digits;
}

std::string Processor::RefusalEnvelope(std::string_view code, std::string_view message) {
  const int64_t now_ms = clock_->NowLocalMillis();
  JsonWriter w;
  w.BeginObject().FieldInt("infcode", -1).Field("inf_refmsgid", NextRefMsgid(now_ms / 1000));
  w.Field("refmsg_time", TimeMillis(now_ms)).Field("respond_time", TimeMillis(now_ms));
  w.Field("err_code", code).Field("err_msg", message).Key("output").BeginObject().EndObject().EndObject();
  return w.Take();
}

std::string Processor::Call(std::string_view request_json, CallInfo* info) {
  return Call(Caller::Local(), request_json, info);
}

std::string Processor::Call(const Caller& caller, std::string_view request_json, CallInfo* info) {
  // CallAsync, waited for: the work after the commit (rendering the answer)
  // is handed back to this thread rather than run on the writer's.
  std::promise<std::function<void()>> posted;
  std::future<std::function<void()>> after_commit = posted.get_future();
  std::string answer;
  bool answered = false;
  CallAsync(
      caller, request_json, [&posted](std::function<void()> fn) { posted.set_value(std::move(fn)); },
      [&](std::string text, CallInfo got) {
        answer = std::move(text);
        if (info) *info = std::move(got);
        answered = true;
      });
  if (!answered) after_commit.get()();
  return answer;
}

// One call between its arrival and its answer. Kept on the heap while the
// writer has it, so the answer can be finished after the commit.
struct Processor::Flight {
  Processor* p;
  Caller caller;
  Post post;
  Done done;
  CallInfo info;
  CallCtx ctx;
  Envelope env;
  int64_t received_ms = 0;
  Handlers handlers;
  Handlers::Spec spec{};
  json output = json::object();
  std::string hash;
  std::string response;

  Flight(Processor* proc, const Caller& c, Post po, Done d)
      : p(proc), caller(c), post(std::move(po)), done(std::move(d)), handlers(proc) {}

  // The response envelope, in the interface's field order, up to and
  // including "output": (the output is always the last field).
  std::string EnvelopeHead(const Status& st) {
    JsonWriter w;
    w.BeginObject().FieldInt("infcode", st.ok() ? 0 : -1);
    w.Field("inf_refmsgid", p->NextRefMsgid(ctx.now));
    w.Field("refmsg_time", TimeMillis(received_ms)).Field("respond_time", TimeMillis(p->clock_->NowLocalMillis()));
    if (!st.ok()) {
      w.Field("err_code", st.code());
      p->failures_.fetch_add(1, std::memory_order_relaxed);
    }
    info.infcode = st.ok() ? 0 : -1;
    info.err_code = st.ok() ? std::string() : st.code();
    info.detail = st.ok() ? std::string() : st.detail();
    w.Field("err_msg", st.ok() ? std::string() : st.message()).Key("output");
    return w.Take();
  }
  std::string OutputText(const Status& st, const json* out) const {
    if (!st.ok()) return "{}";
    if (!ctx.raw_output.empty()) return ctx.raw_output;
    return out ? out->dump(-1, ' ', false, json::error_handler_t::replace) : std::string("{}");
  }
  std::string WholeEnvelope(const Status& st, const json* out) { return EnvelopeHead(st) + OutputText(st, out) + "}"; }

  // Answers now, on the calling thread.
  void Answer(std::string text) { done(std::move(text), std::move(info)); }
  void Refuse(const Status& st) { Answer(WholeEnvelope(st, nullptr)); }

  // The writer's part of a writing call (in its savepoint of the group).
  Status Write(store::WriteTxn& txn);
  // After the group's COMMIT (on the poster's thread): the answer.
  void Committed(const Status& st);
};

static constexpr std::string_view kNoOutput = "null}";

Status Processor::Flight::Write(store::WriteTxn& txn) {
  info.detail.clear();  // of an earlier attempt; a stored answer keeps no detail
  XT_ASSIGN_OR_RETURN(auto seen, txn.messages().FindMessage(ctx.msgid_key));
  if (seen) {
    if (seen->request_hash == kClosedByRedo) {
      response = seen->response;
      info.replayed = true;
      info.infcode = seen->infcode;
      info.err_code = ErrCodeOf(response);
      return Status::Ok();
    }
    if (seen->request_hash != hash || seen->infno != ctx.infno) return err::MsgidReused();
    response = seen->response;
    if (!seen->setl_id.empty()) {
      XT_ASSIGN_OR_RETURN(std::string out, RenderStored(txn, seen->setl_id));
      XT_INVARIANT(response.size() >= kNoOutput.size() &&
                       response.compare(response.size() - kNoOutput.size(), kNoOutput.size(), kNoOutput) == 0,
                   "a stored answer without output ends with its null output");
      response.resize(response.size() - kNoOutput.size());
      response += out;
      response += '}';
    }
    p->replays_.fetch_add(1, std::memory_order_relaxed);
    info.replayed = true;
    info.infcode = seen->infcode;
    info.err_code.clear();
    if (seen->infcode != 0) info.err_code = ErrCodeOf(response);
    return Status::Ok();
  }
  output = json::object();
  ctx.raw_output.clear();
  ctx.output_setl_id.clear();
  ctx.render = nullptr;
  Status hs = ctx.pre.status.ok() ? txn.Attempt([&] { return (handlers.*spec.fn)(ctx, txn, &txn, &output); })
                                  : ctx.pre.status;
  if (!IsRecordable(hs)) return hs;
  if (Audited(ctx.infno)) XT_RETURN_IF_ERROR(txn.AppendAudit(AuditOf(ctx, hs)));
  const bool by_settlement = hs.ok() && !ctx.output_setl_id.empty();
  if (!hs.ok()) ctx.render = nullptr;
  const std::string head = EnvelopeHead(hs);
  // A settlement's output is rendered after the commit (Committed), outside
  // the writer; the log keeps the answer without it.
  response = ctx.render ? head : head + OutputText(hs, &output) + "}";
  return txn.messages().PutMessage({ctx.msgid_key, ctx.infno, ctx.fixmedins_code, hash, hs.ok() ? 0 : -1,
                         by_settlement ? head + std::string(kNoOutput) : response, ctx.now,
                         by_settlement ? ctx.output_setl_id : std::string()});
}

void Processor::Flight::Committed(const Status& st) {
  if (!st.ok()) return Refuse(st);
  if (!ctx.signed_out.empty()) {
    p->sign_ins_->Forget(ctx.signed_out);
  }
  if (ctx.render) {
    try {
      response += ctx.render();
    } catch (const std::exception& e) {
      // Committed, but not rendered: the caller retries the msgid and gets
      // the answer rendered again from the settlement.
      return Refuse(Status::Error("XT-INT-001", "internal error", std::string("rendering the answer: ") + e.what()));
    }
    response += '}';
  }
  Answer(std::move(response));
}

void Processor::CallAsync(const Caller& caller, std::string_view request_json, Post post, Done done,
                          std::string_view url_infno) {
  calls_.fetch_add(1, std::memory_order_relaxed);
  auto f = std::make_shared<Flight>(this, caller, std::move(post), std::move(done));
  f->received_ms = clock_->NowLocalMillis();
  CallCtx& ctx = f->ctx;
  ctx.now = f->received_ms / 1000;
  ctx.caller = &f->caller;

  EnvelopeIds ids;
  Result<Envelope> decoded = DecodeEnvelope(request_json, &ids);
  f->info.infno = std::move(ids.infno);
  f->info.msgid = std::move(ids.msgid);
  if (!decoded.ok()) return f->Refuse(decoded.status());
  if (!url_infno.empty() && url_infno != decoded->infno) return f->Refuse(err::UrlInfnoMismatch(url_infno, decoded->infno));
  f->env = std::move(decoded).value();
  const Envelope& env = f->env;
  ctx.infno = env.infno;
  ctx.msgid = env.msgid;
  ctx.msgid_key = MessageKey(env.fixmedins_code, env.msgid);
  ctx.fixmedins_code = env.fixmedins_code;
  ctx.mdtrtarea_admvs = env.mdtrtarea_admvs;
  ctx.insuplc_admdvs = env.insuplc_admdvs;
  ctx.opter = env.opter;
  ctx.sign_no = env.sign_no;
  // A hospital's credential speaks for its own institution only; other
  // roles use the REST API. The local operator (command line) may act for any.
  if (caller.role == Role::kHospital) {
    if (ctx.fixmedins_code != caller.scope) {
      return f->Refuse(err::OutOfScope("this credential acts for institution " + caller.scope + " only"));
    }
  } else if (caller.role != Role::kLocal) {
    return f->Refuse(
        err::RoleNotAllowed("the national interface is for designated institutions; agencies and residents use /api/v1"));
  }
  ctx.institution = ref_->registry.FindInstitution(ctx.fixmedins_code);
  if (!ctx.institution) return f->Refuse(err::UnknownInstitution(ctx.fixmedins_code));
  if (ProvinceOf(ctx.institution->admdvs) != ProvinceOf(ctx.mdtrtarea_admvs)) {
    return f->Refuse(err::WrongRegion("mdtrtarea_admvs is not the region of institution " + ctx.fixmedins_code));
  }
  const auto& table = Handlers::Table();
  auto it = table.find(ctx.infno);
  if (it == table.end()) return f->Refuse(err::UnknownInfno(ctx.infno));
  if (caller.role == Role::kHospital && ctx.infno != "9001") {
    Status signed_in = sign_ins_->Check(ctx.sign_no, ctx.fixmedins_code);
    if (!signed_in.ok()) return f->Refuse(signed_in);
  }
  if (!env.input_status.ok()) return f->Refuse(env.input_status);
  const JsonValue* in = env.input;
  ctx.input = in;
  f->spec = it->second;

  if (!f->spec.writes) {
    // Reads change nothing, so they are answered afresh and not kept in the
    // message log; those that disclose personal data are audited.
    Status st = store_->Read([&](store::ReadTxn& txn) { return (f->handlers.*f->spec.fn)(ctx, txn, nullptr, &f->output); });
    if (st.ok() && !ctx.download_bytes.empty()) {
      f->info.download_name = std::move(ctx.download_name);
      f->info.download_bytes = std::move(ctx.download_bytes);
    }
    if (!Audited(ctx.infno)) return f->Answer(f->WholeEnvelope(st, &f->output));
    // Nothing personal leaves without its audit record being durable.
    auto row = std::make_shared<store::AuditRow>(AuditOf(ctx, st));
    store_->WriteAsync([row](store::WriteTxn& txn) { return txn.AppendAudit(std::move(*row)); },
                       [f, st](Status audited) {
                         f->post([f, st, audited] {
                           if (!audited.ok()) return f->Refuse(audited);
                           f->Answer(f->WholeEnvelope(st, &f->output));
                         });
                       });
    return;
  }

  if (f->spec.prepare) (f->handlers.*f->spec.prepare)(ctx, *store_);
  std::string canonical = ctx.infno + '|' + ctx.fixmedins_code + '|' + ctx.mdtrtarea_admvs + '|' +
                          ctx.insuplc_admdvs + '|';
  in->DumpTo(&canonical);
  f->hash = Hex(Fnv1a(canonical));
  store_->WriteAsync([f](store::WriteTxn& txn) { return f->Write(txn); },
                     [f](Status st) { f->post([f, st] { f->Committed(st); }); });
}

}  // namespace xt::service
