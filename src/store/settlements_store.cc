// The statements of visits and settlements: visits (就诊) with their fee details
// (one row per upload), settlements and reversals, and the filings (备案)
// made over the interface.
#include "store/settlements_store.h"

#include "store/sql.h"

namespace xt::store {

// Tables with large rows (settlements, messages) are rowid tables: rows are
// appended in order and only a small unique index is keyed by id text, which
// keeps the pages a group commit dirties (and writes to the WAL) few.
// Deltas are stored as "key\tvalue\n" lines: keys never hold tabs or newlines.
static std::string EncodeDeltas(const std::vector<AccumDelta>& deltas) {
  std::string out;
  for (const auto& d : deltas) {
    out += d.key;
    out += '\t';
    out += std::to_string(d.value);
    out += '\n';
  }
  return out;
}

static std::vector<AccumDelta> DecodeDeltas(const std::string& text) {
  std::vector<AccumDelta> out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t tab = text.find('\t', pos);
    const size_t nl = text.find('\n', pos);
    if (tab == std::string::npos || nl == std::string::npos || tab > nl) break;
    out.push_back({text.substr(pos, tab - pos), std::stoll(text.substr(tab + 1, nl - tab - 1))});
    pos = nl + 1;
  }
  return out;
}

// Column lists shared by the INSERT and the SELECTs, so the two can't drift.
#define XT_VISIT_COLS                                                                                     \
  "mdtrt_id, psn_no, insutype, med_type, fixmedins_code, insuplc_admdvs, mdtrtarea_admvs, hosp_lv, psn_type, " \
  "birth, filed, begntime, endtime, state, ipt_otp_no, msgid, psn_name, certno, cvlserv_flag, mdtrt_cert_type, " \
  "diseinfo"
#define XT_SETL_COLS                                                                                             \
  "setl_id, kind, orig_setl_id, state, mdtrt_id, psn_no, fixmedins_code, insuplc_admdvs, mdtrtarea_admvs, "     \
  "insutype, med_type, setl_time, year, msgid, medfee_sumamt, fulamt_ownpay_amt, overlmt_selfpay, "            \
  "preselfpay_amt, inscp_scp_amt, act_pay_dedc, hifp_pay, cvlserv_pay, hifes_pay, hifmi_pay, hifob_pay, "       \
  "maf_pay, oth_pay, fund_pay_sumamt, psn_part_amt, acct_pay, psn_cash_pay, hosp_part_amt, balc, "              \
  "pool_prop_selfpay_bp, deltas, detail"

static VisitRow ReadVisit(const sql::Stmt& s) {
  VisitRow v;
  v.mdtrt_id = s.Text(0);
  v.psn_no = s.Text(1);
  v.insutype = s.Text(2);
  v.med_type = s.Text(3);
  v.fixmedins_code = s.Text(4);
  v.insuplc_admdvs = s.Text(5);
  v.mdtrtarea_admvs = s.Text(6);
  v.hosp_lv = static_cast<int>(s.Int(7));
  v.psn_type = s.Text(8);
  v.birth = Date{static_cast<int32_t>(s.Int(9))};
  v.filed = s.Int(10) != 0;
  v.begntime = s.Int(11);
  if (!s.IsNull(12)) v.endtime = s.Int(12);
  v.state = s.Text(13);
  v.ipt_otp_no = s.Text(14);
  v.msgid = s.Text(15);
  v.psn_name = s.Text(16);
  v.certno = s.Text(17);
  v.cvlserv_flag = s.Int(18) != 0;
  v.mdtrt_cert_type = s.Text(19);
  v.diseinfo_json = s.Text(20);
  return v;
}

static void BindVisit(sql::Stmt& s, const VisitRow& v) {
  s.Bind(1, v.mdtrt_id).Bind(2, v.psn_no).Bind(3, v.insutype).Bind(4, v.med_type).Bind(5, v.fixmedins_code);
  s.Bind(6, v.insuplc_admdvs).Bind(7, v.mdtrtarea_admvs).Bind(8, v.hosp_lv).Bind(9, v.psn_type);
  s.Bind(10, static_cast<int64_t>(v.birth.days)).Bind(11, v.filed ? 1 : 0).Bind(12, v.begntime);
  s.Bind(13, v.endtime).Bind(14, v.state).Bind(15, v.ipt_otp_no).Bind(16, v.msgid);
  s.Bind(17, v.psn_name).Bind(18, v.certno).Bind(19, v.cvlserv_flag ? 1 : 0).Bind(20, v.mdtrt_cert_type);
  s.Bind(21, v.diseinfo_json);
}

// The fee details of one upload (one 2204/2301 message) are one row of
// fee_uploads: a visit's upload is then one row and one index entry to
// write, where a row per line cost a row and a key per line (8 in the
// benchmark's flow). The lines are kept as text, each field written as its
// length in decimal, ':', then its bytes (so any byte may appear in a
// field), nine fields a line: feedetl_sn, chrg_bchno, med_list_codg,
// medins_list_codg, amount_fen, cnt_e4, pric_e6, fee_ocur_time, state.
// mdtrt_id and msgid are the row's columns.
constexpr int kFeeFields = 9;

static void AppendFeeField(std::string* out, std::string_view v) {
  *out += std::to_string(v.size());
  *out += ':';
  *out += v;
}

static std::string EncodeFeeLines(const FeeLineRow* lines, size_t n) {
  std::string out;
  out.reserve(n * 80);
  for (size_t i = 0; i < n; ++i) {
    const FeeLineRow& f = lines[i];
    AppendFeeField(&out, f.feedetl_sn);
    AppendFeeField(&out, f.chrg_bchno);
    AppendFeeField(&out, f.med_list_codg);
    AppendFeeField(&out, f.medins_list_codg);
    AppendFeeField(&out, std::to_string(f.amount_fen));
    AppendFeeField(&out, std::to_string(f.cnt_e4));
    AppendFeeField(&out, std::to_string(f.pric_e6));
    AppendFeeField(&out, std::to_string(f.fee_ocur_time));
    AppendFeeField(&out, f.state);
  }
  return out;
}

// Appends the lines of one stored upload to *out; an error when the text is
// not what EncodeFeeLines writes (a damaged row is never half read).
static Status DecodeFeeLines(std::string_view text, const std::string& mdtrt_id, const std::string& msgid,
                      std::vector<FeeLineRow>* out) {
  auto corrupt = [&] { return StoreError("unreadable fee details of visit " + mdtrt_id + " (message " + msgid + ")"); };
  size_t pos = 0;
  auto field = [&](std::string_view* v) {
    size_t len = 0;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && digits < 9) {
      len = len * 10 + static_cast<size_t>(text[pos++] - '0');
      ++digits;
    }
    if (digits == 0 || pos >= text.size() || text[pos] != ':' || text.size() - pos - 1 < len) return false;
    *v = text.substr(pos + 1, len);
    pos += 1 + len;
    return true;
  };
  auto number = [](std::string_view v, int64_t* n) {
    if (v.empty() || v.size() > 20) return false;
    size_t i = v[0] == '-' ? 1 : 0;
    if (i == v.size()) return false;
    int64_t x = 0;
    for (; i < v.size(); ++i) {
      if (v[i] < '0' || v[i] > '9') return false;
      x = x * 10 + (v[i] - '0');
    }
    *n = v[0] == '-' ? -x : x;
    return true;
  };
  while (pos < text.size()) {
    std::string_view f[kFeeFields];
    for (auto& v : f) {
      if (!field(&v)) return corrupt();
    }
    FeeLineRow r;
    r.mdtrt_id = mdtrt_id;
    r.msgid = msgid;
    r.feedetl_sn = f[0];
    r.chrg_bchno = f[1];
    r.med_list_codg = f[2];
    r.medins_list_codg = f[3];
    if (!number(f[4], &r.amount_fen) || !number(f[5], &r.cnt_e4) || !number(f[6], &r.pric_e6) ||
        !number(f[7], &r.fee_ocur_time)) {
      return corrupt();
    }
    r.state = f[8];
    out->push_back(std::move(r));
  }
  return Status::Ok();
}

static SettlementRow ReadSettlement(const sql::Stmt& s) {
  SettlementRow r;
  r.setl_id = s.Text(0);
  r.kind = s.Text(1);
  r.orig_setl_id = s.Text(2);
  r.state = s.Text(3);
  r.mdtrt_id = s.Text(4);
  r.psn_no = s.Text(5);
  r.fixmedins_code = s.Text(6);
  r.insuplc_admdvs = s.Text(7);
  r.mdtrtarea_admvs = s.Text(8);
  r.insutype = s.Text(9);
  r.med_type = s.Text(10);
  r.setl_time = s.Int(11);
  r.year = static_cast<int>(s.Int(12));
  r.msgid = s.Text(13);
  Amounts& a = r.amounts;
  Fen* fields[] = {&a.medfee_sumamt, &a.fulamt_ownpay_amt, &a.overlmt_selfpay, &a.preselfpay_amt,
                   &a.inscp_scp_amt, &a.act_pay_dedc,      &a.hifp_pay,        &a.cvlserv_pay,
                   &a.hifes_pay,     &a.hifmi_pay,         &a.hifob_pay,       &a.maf_pay,
                   &a.oth_pay,       &a.fund_pay_sumamt,   &a.psn_part_amt,    &a.acct_pay,
                   &a.psn_cash_pay,  &a.hosp_part_amt,     &a.balc};
  int col = 14;
  for (Fen* f : fields) *f = s.Int(col++);
  a.pool_prop_selfpay_bp = static_cast<BasisPoints>(s.Int(col++));
  r.deltas = DecodeDeltas(s.Text(col++));
  r.detail_json = s.Text(col++);
  r.id = s.Int(col++);  // every SELECT names the columns above, then id
  return r;
}


#define XT_FILING_COLS                                                                                      \
  "trt_dcla_detl_sn, psn_no, insutype, kind, mdtrtarea_admvs, begin_day, end_day, fixmedins_code, state, " \
  "created, detail"

// Listing settlements: the conditions every variant applies (?1..?8, ?10), and one
// statement per leading index. Newest first; `(setl_time, id) < (?7, ?8)` is
// the keyset position of the page before.
#define XT_LIST_COND                                                                                 \
  " (?1 = '' OR fixmedins_code = ?1) AND (?2 = '' OR psn_no = ?2)"                                   \
  " AND (?3 = '' OR substr(insuplc_admdvs, 1, 2) = ?3) AND (?4 = '' OR substr(mdtrtarea_admvs, 1, 2) = ?4)" \
  " AND (?10 = '' OR substr(insuplc_admdvs, 1, 2) = ?10 OR substr(mdtrtarea_admvs, 1, 2) = ?10)"      \
  " AND setl_time >= ?5 AND setl_time < ?6 AND (setl_time, id) < (?7, ?8)"
#define XT_LIST_ORDER " ORDER BY setl_time DESC, id DESC LIMIT ?9"
// A person's settlements are found through their visits (visits_person,
// then settlements_visit): a person has few, and an index of settlements by
// person would cost every settlement a write at a random place.
const char kListByPerson[] =
    "SELECT " XT_SETL_COLS ", id FROM settlements WHERE mdtrt_id IN (SELECT mdtrt_id FROM visits WHERE psn_no = ?2) "
    "AND" XT_LIST_COND XT_LIST_ORDER;
const char kListByInstitution[] =
    "SELECT " XT_SETL_COLS ", id FROM settlements WHERE fixmedins_code = ?1 AND" XT_LIST_COND XT_LIST_ORDER;
const char kListByInsuplc[] = "SELECT " XT_SETL_COLS
                              ", id FROM settlements WHERE substr(insuplc_admdvs, 1, 2) = ?3 AND" XT_LIST_COND
                                  XT_LIST_ORDER;
const char kListByMdtrtarea[] = "SELECT " XT_SETL_COLS
                                ", id FROM settlements WHERE substr(mdtrtarea_admvs, 1, 2) = ?4 AND" XT_LIST_COND
                                    XT_LIST_ORDER;
const char kListAll[] = "SELECT " XT_SETL_COLS ", id FROM settlements WHERE" XT_LIST_COND XT_LIST_ORDER;
// Either side in province ?10: the insurance side's rows, then the
// treatment side's rows that are not already among them, merged.
const char kListInvolving[] =
    "SELECT * FROM (SELECT * FROM (SELECT " XT_SETL_COLS
    ", id FROM settlements WHERE substr(insuplc_admdvs, 1, 2) = ?10 AND" XT_LIST_COND XT_LIST_ORDER
    ") UNION ALL SELECT * FROM (SELECT " XT_SETL_COLS
    ", id FROM settlements WHERE substr(mdtrtarea_admvs, 1, 2) = ?10 AND substr(insuplc_admdvs, 1, 2) <> ?10 AND"
    XT_LIST_COND XT_LIST_ORDER ")) ORDER BY setl_time DESC, id DESC LIMIT ?9";
// The columns clearing reads of a settlement, and the original's setl_time
// for a reversal (looked up only for reversal rows).
#define XT_CLEARING_COLS                                                                                          \
  "SELECT s.id, s.setl_id, s.kind, s.fixmedins_code, s.insuplc_admdvs, s.mdtrtarea_admvs, s.insutype, s.med_type, " \
  "s.setl_time, s.medfee_sumamt, s.hifp_pay, s.cvlserv_pay, s.hifes_pay, s.hifmi_pay, s.hifob_pay, s.maf_pay, "    \
  "s.oth_pay, s.fund_pay_sumamt, s.acct_pay, CASE WHEN s.kind = 'reversal' THEN coalesce((SELECT o.setl_time "      \
  "FROM settlements o WHERE o.setl_id = s.orig_setl_id), s.setl_time) ELSE s.setl_time END FROM settlements s "
const char kClearingRowsNew[] = XT_CLEARING_COLS "WHERE s.id > ?1 AND s.id <= ?2 ORDER BY s.id";
const char kClearingRowsEarlier[] = XT_CLEARING_COLS "WHERE s.setl_time >= ?3 AND s.id <= ?1";

const char kSettlementsSchema[] = R"SQL(
CREATE TABLE IF NOT EXISTS visits(
  mdtrt_id TEXT PRIMARY KEY, psn_no TEXT NOT NULL, psn_name TEXT NOT NULL, certno TEXT NOT NULL,
  insutype TEXT NOT NULL, med_type TEXT NOT NULL,
  fixmedins_code TEXT NOT NULL, insuplc_admdvs TEXT NOT NULL, mdtrtarea_admvs TEXT NOT NULL,
  hosp_lv INT64 NOT NULL, psn_type TEXT NOT NULL, birth INT64 NOT NULL, filed INT64 NOT NULL,
  begntime INT64 NOT NULL, endtime INT64, state TEXT NOT NULL, ipt_otp_no TEXT NOT NULL,
  msgid TEXT NOT NULL, cvlserv_flag INT64 NOT NULL DEFAULT 0, mdtrt_cert_type TEXT NOT NULL DEFAULT '',
  diseinfo TEXT NOT NULL DEFAULT '') CLUSTERED;
CREATE INDEX IF NOT EXISTS visits_person ON visits(psn_no);
CREATE INDEX IF NOT EXISTS visits_number ON visits(fixmedins_code, ipt_otp_no);
CREATE TABLE IF NOT EXISTS fee_uploads(
  id ID_KEY, mdtrt_id TEXT NOT NULL, msgid TEXT NOT NULL, lines TEXT NOT NULL,
  answer TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS fee_uploads_visit ON fee_uploads(mdtrt_id);
CREATE TABLE IF NOT EXISTS settlements(
  id ID_KEY, setl_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, orig_setl_id TEXT NOT NULL, state TEXT NOT NULL,
  mdtrt_id TEXT NOT NULL, psn_no TEXT NOT NULL, fixmedins_code TEXT NOT NULL, insuplc_admdvs TEXT NOT NULL,
  mdtrtarea_admvs TEXT NOT NULL, insutype TEXT NOT NULL, med_type TEXT NOT NULL, setl_time INT64 NOT NULL,
  year INT64 NOT NULL, msgid TEXT NOT NULL,
  medfee_sumamt INT64 NOT NULL, fulamt_ownpay_amt INT64 NOT NULL, overlmt_selfpay INT64 NOT NULL,
  preselfpay_amt INT64 NOT NULL, inscp_scp_amt INT64 NOT NULL, act_pay_dedc INT64 NOT NULL,
  hifp_pay INT64 NOT NULL, cvlserv_pay INT64 NOT NULL, hifes_pay INT64 NOT NULL, hifmi_pay INT64 NOT NULL,
  hifob_pay INT64 NOT NULL, maf_pay INT64 NOT NULL, oth_pay INT64 NOT NULL, fund_pay_sumamt INT64 NOT NULL,
  psn_part_amt INT64 NOT NULL, acct_pay INT64 NOT NULL, psn_cash_pay INT64 NOT NULL,
  hosp_part_amt INT64 NOT NULL, balc INT64 NOT NULL, pool_prop_selfpay_bp INT64 NOT NULL,
  deltas TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS settlements_visit ON settlements(mdtrt_id);
CREATE INDEX IF NOT EXISTS settlements_inst ON settlements(fixmedins_code, setl_time);
CREATE INDEX IF NOT EXISTS settlements_insuplc ON settlements(substr(insuplc_admdvs, 1, 2), setl_time);
CREATE INDEX IF NOT EXISTS settlements_mdtrtarea ON settlements(substr(mdtrtarea_admvs, 1, 2), setl_time);
CREATE INDEX IF NOT EXISTS settlements_time ON settlements(setl_time);
CREATE TABLE IF NOT EXISTS filings(
  trt_dcla_detl_sn TEXT PRIMARY KEY, psn_no TEXT NOT NULL, insutype TEXT NOT NULL, kind TEXT NOT NULL,
  mdtrtarea_admvs TEXT NOT NULL, begin_day INT64 NOT NULL, end_day INT64, fixmedins_code TEXT NOT NULL,
  state TEXT NOT NULL, created INT64 NOT NULL, detail TEXT NOT NULL) CLUSTERED;
CREATE INDEX IF NOT EXISTS filings_person ON filings(psn_no, created);
)SQL";

// ---- reads

Result<std::optional<VisitRow>> SettlementsReader::FindVisit(std::string_view mdtrt_id) {
  return c_.One<VisitRow>("SELECT " XT_VISIT_COLS " FROM visits WHERE mdtrt_id = ?",
                       [&](sql::Stmt& s) { s.Bind(1, mdtrt_id); }, ReadVisit);
}

Result<std::vector<SettlementsReader::Upload>> SettlementsReader::UploadsOfVisit(std::string_view mdtrt_id) {
  std::vector<Upload> out;
  Status decoded;
  XT_RETURN_IF_ERROR(c_.Scan(
      "SELECT id, mdtrt_id, msgid, lines FROM fee_uploads WHERE mdtrt_id = ? ORDER BY id",
      [&](sql::Stmt& s) { s.Bind(1, mdtrt_id); },
      [&](const sql::Stmt& s) {
        Upload u;
        u.id = s.Int(0);
        decoded = DecodeFeeLines(s.Text(3), s.Text(1), s.Text(2), &u.lines);
        out.push_back(std::move(u));
        return decoded.ok();
      }));
  XT_RETURN_IF_ERROR(decoded);
  return out;
}

Result<std::vector<FeeLineRow>> SettlementsReader::FeeLinesOfVisit(std::string_view mdtrt_id) {
  XT_ASSIGN_OR_RETURN(auto uploads, UploadsOfVisit(mdtrt_id));
  std::vector<FeeLineRow> out;
  for (auto& u : uploads) {
    for (auto& l : u.lines) out.push_back(std::move(l));
  }
  return out;
}

Result<std::vector<FeeLineRow>> SettlementsReader::ActiveFeeLines(std::string_view mdtrt_id) {
  XT_ASSIGN_OR_RETURN(auto lines, FeeLinesOfVisit(mdtrt_id));
  std::erase_if(lines, [](const FeeLineRow& l) { return l.state != "active"; });
  return lines;
}

Result<std::optional<FeeLineRow>> SettlementsReader::FindFeeLine(std::string_view mdtrt_id, std::string_view feedetl_sn) {
  XT_ASSIGN_OR_RETURN(auto uploads, UploadsOfVisit(mdtrt_id));
  for (auto& u : uploads) {
    for (auto& l : u.lines) {
      if (l.feedetl_sn == feedetl_sn) return std::optional<FeeLineRow>(std::move(l));
    }
  }
  return std::optional<FeeLineRow>();
}

Result<std::optional<std::string>> SettlementsReader::FeeUploadAnswer(std::string_view mdtrt_id, std::string_view msgid) {
  return c_.One<std::string>(
      "SELECT answer FROM fee_uploads WHERE mdtrt_id = ? AND msgid = ? ORDER BY id LIMIT 1",
      [&](sql::Stmt& s) { s.Bind(1, mdtrt_id).Bind(2, msgid); }, [](const sql::Stmt& s) { return s.Text(0); });
}

Result<std::optional<SettlementRow>> SettlementsReader::FindSettlement(std::string_view setl_id) {
  return c_.One<SettlementRow>("SELECT " XT_SETL_COLS ", id FROM settlements WHERE setl_id = ?",
                            [&](sql::Stmt& s) { s.Bind(1, setl_id); }, ReadSettlement);
}

Result<std::optional<SettlementRow>> SettlementsReader::ActiveSettlementOfVisit(std::string_view mdtrt_id) {
  return c_.One<SettlementRow>("SELECT " XT_SETL_COLS ", id FROM settlements WHERE mdtrt_id = ? AND state = 'settled'",
                            [&](sql::Stmt& s) { s.Bind(1, mdtrt_id); }, ReadSettlement);
}

static FilingRow ReadFiling(const sql::Stmt& s) {
  FilingRow f;
  f.trt_dcla_detl_sn = s.Text(0);
  f.psn_no = s.Text(1);
  f.insutype = s.Text(2);
  f.kind = s.Text(3);
  f.mdtrtarea_admvs = s.Text(4);
  f.begin = Date{static_cast<int32_t>(s.Int(5))};
  if (!s.IsNull(6)) f.end = Date{static_cast<int32_t>(s.Int(6))};
  f.fixmedins_code = s.Text(7);
  f.state = s.Text(8);
  f.created = s.Int(9);
  f.detail_json = s.Text(10);
  return f;
}

Result<std::optional<FilingRow>> SettlementsReader::FindFiling(std::string_view sn) {
  return c_.One<FilingRow>("SELECT " XT_FILING_COLS " FROM filings WHERE trt_dcla_detl_sn = ?",
                        [&](sql::Stmt& s) { s.Bind(1, sn); }, ReadFiling);
}

Result<std::vector<FilingRow>> SettlementsReader::FilingsOfPerson(std::string_view psn_no, int limit) {
  std::vector<FilingRow> out;
  XT_RETURN_IF_ERROR(c_.Scan(
      "SELECT " XT_FILING_COLS " FROM filings WHERE psn_no = ? ORDER BY created, trt_dcla_detl_sn LIMIT ?",
      [&](sql::Stmt& s) { s.Bind(1, psn_no).Bind(2, limit); },
      [&](const sql::Stmt& s) {
        out.push_back(ReadFiling(s));
        return true;
      }));
  return out;
}

Result<std::vector<SettlementRow>> SettlementsReader::ListSettlements(const SettlementQuery& q) {
  // One statement per leading index, so that each query walks one index
  // newest first and stops after `limit` rows (see kListSql).
  const char* text = q.psn_no.size()                 ? kListByPerson
                    : q.fixmedins_code.size()       ? kListByInstitution
                    : q.involves_province.size()    ? kListInvolving
                    : q.insuplc_province.size()     ? kListByInsuplc
                    : q.mdtrtarea_province.size()   ? kListByMdtrtarea
                                                    : kListAll;
  auto prov = [](const std::string& code) { return code.substr(0, std::min<size_t>(2, code.size())); };
  // Bound text must outlive the statement's steps (sql::Stmt binds without copying).
  const std::string insuplc = prov(q.insuplc_province);
  const std::string mdtrtarea = prov(q.mdtrtarea_province);
  const std::string involves = prov(q.involves_province);
  std::vector<SettlementRow> out;
  XT_RETURN_IF_ERROR(c_.Scan(
      text,
      [&](sql::Stmt& s) {
        s.Bind(1, q.fixmedins_code).Bind(2, q.psn_no).Bind(3, insuplc);
        s.Bind(4, mdtrtarea).Bind(5, q.time_from).Bind(6, q.time_to);
        s.Bind(7, q.before_time).Bind(8, q.before_id).Bind(9, q.limit).Bind(10, involves);
      },
      [&](const sql::Stmt& s) {
        out.push_back(ReadSettlement(s));
        return true;
      }));
  return out;
}

// The visits a statement selects (its parameters: `bind`).
Result<std::vector<VisitRow>> SettlementsReader::Visits(const char* text, const std::function<void(sql::Stmt&)>& bind) {
  std::vector<VisitRow> out;
  XT_RETURN_IF_ERROR(c_.Scan(text, bind, [&](const sql::Stmt& s) {
    out.push_back(ReadVisit(s));
    return true;
  }));
  return out;
}

Result<std::vector<VisitRow>> SettlementsReader::VisitsOfPersonAt(std::string_view psn_no, std::string_view fixmedins_code,
                                               int limit) {
  return Visits(
      "SELECT " XT_VISIT_COLS " FROM visits WHERE psn_no = ? AND fixmedins_code = ? ORDER BY begntime DESC LIMIT ?",
      [&](sql::Stmt& s) { s.Bind(1, psn_no).Bind(2, fixmedins_code).Bind(3, limit); });
}

Result<std::optional<VisitRow>> SettlementsReader::FindOpenVisitByNumber(std::string_view psn_no, std::string_view fixmedins_code,
                                                      std::string_view ipt_otp_no, std::string_view state) {
  return c_.One<VisitRow>(
      "SELECT " XT_VISIT_COLS " FROM visits INDEXED BY visits_number WHERE fixmedins_code = ? AND ipt_otp_no = ? "
      "AND psn_no = ? AND state = ? LIMIT 1",
      [&](sql::Stmt& s) { s.Bind(1, fixmedins_code).Bind(2, ipt_otp_no).Bind(3, psn_no).Bind(4, state); }, ReadVisit);
}

Result<std::vector<VisitRow>> SettlementsReader::VisitsOfPersonInState(std::string_view psn_no, std::string_view state,
                                                    int limit) {
  return Visits("SELECT " XT_VISIT_COLS " FROM visits WHERE psn_no = ? AND state = ? ORDER BY begntime DESC LIMIT ?",
                [&](sql::Stmt& s) { s.Bind(1, psn_no).Bind(2, state).Bind(3, limit); });
}

Status SettlementsReader::ForEachSettlement(const std::function<bool(const SettlementRow&)>& fn) {
  return c_.Scan("SELECT " XT_SETL_COLS ", id FROM settlements ORDER BY id", [](sql::Stmt&) {},
              [&](const sql::Stmt& s) { return fn(ReadSettlement(s)); });
}

Result<int64_t> SettlementsReader::CountSettlements() { return c_.Count("SELECT count(*) FROM settlements"); }

// ---- clearing (store.h)
Result<int64_t> SettlementsReader::MaxSettlementId() { return c_.Count("SELECT coalesce(max(id), 0) FROM settlements"); }

Status SettlementsReader::ForEachClearingRow(int64_t seq_after, int64_t seq_through, LocalSeconds time_from,
                                             const ClearingRowFn& fn) {
  SettlementRow row;  // reused: its strings keep their capacity from row to row
  bool more = true;
  for (const char* text : {kClearingRowsNew, kClearingRowsEarlier}) {
    if (!more) break;
    XT_RETURN_IF_ERROR(c_.Scan(
        text, [&](sql::Stmt& s) { s.Bind(1, seq_after).Bind(2, seq_through).Bind(3, time_from); },
        [&](const sql::Stmt& s) {
          row.id = s.Int(0);
          s.TextInto(1, &row.setl_id);
          s.TextInto(2, &row.kind);
          s.TextInto(3, &row.fixmedins_code);
          s.TextInto(4, &row.insuplc_admdvs);
          s.TextInto(5, &row.mdtrtarea_admvs);
          s.TextInto(6, &row.insutype);
          s.TextInto(7, &row.med_type);
          row.setl_time = s.Int(8);
          Amounts& a = row.amounts;
          Fen* fields[] = {&a.medfee_sumamt, &a.hifp_pay, &a.cvlserv_pay, &a.hifes_pay,       &a.hifmi_pay,
                           &a.hifob_pay,     &a.maf_pay,  &a.oth_pay,     &a.fund_pay_sumamt, &a.acct_pay};
          int col = 9;
          for (Fen* f : fields) *f = s.Int(col++);
          more = fn(row, s.Int(col));
          return more;
        }));
  }
  return Status::Ok();
}

Status SettlementsReader::ForEachInstitutionSettlement(std::string_view code, LocalSeconds time_from, LocalSeconds time_to,
                                    const std::function<bool(const SettlementRow&)>& fn) {
  return c_.Scan("SELECT " XT_SETL_COLS ", id FROM settlements WHERE fixmedins_code = ? AND setl_time >= ? "
              "AND setl_time < ? ORDER BY setl_time, id",
              [&](sql::Stmt& s) { s.Bind(1, code).Bind(2, time_from).Bind(3, time_to); },
              [&](const sql::Stmt& s) { return fn(ReadSettlement(s)); });
}


// ---- writes

Status SettlementsWriter::InsertVisit(const VisitRow& v) {
  return c_.Exec("INSERT INTO visits(" XT_VISIT_COLS ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
              [&](sql::Stmt& s) { BindVisit(s, v); });
}

Status SettlementsWriter::UpdateVisit(const VisitRow& v) {
  return c_.Exec(
      "UPDATE visits SET psn_no=?2, insutype=?3, med_type=?4, fixmedins_code=?5, insuplc_admdvs=?6, "
      "mdtrtarea_admvs=?7, hosp_lv=?8, psn_type=?9, birth=?10, filed=?11, begntime=?12, endtime=?13, state=?14, "
      "ipt_otp_no=?15, msgid=?16, psn_name=?17, certno=?18, cvlserv_flag=?19, mdtrt_cert_type=?20, diseinfo=?21 "
      "WHERE mdtrt_id=?1",
      [&](sql::Stmt& s) { BindVisit(s, v); });
}

// One row per run of consecutive lines with the same visit and message
// (one row for an upload).
Status SettlementsWriter::InsertFeeLines(const std::vector<FeeLineRow>& lines, std::string_view answer) {
  for (size_t start = 0; start < lines.size();) {
    const FeeLineRow& first = lines[start];
    size_t end = start + 1;
    while (end < lines.size() && lines[end].mdtrt_id == first.mdtrt_id && lines[end].msgid == first.msgid) ++end;
    // (mdtrt_id, feedetl_sn) is unique: no index can say so across rows.
    XT_ASSIGN_OR_RETURN(auto existing, FeeLinesOfVisit(first.mdtrt_id));
    for (size_t i = start; i < end; ++i) {
      auto same = [&](const FeeLineRow& l) { return l.feedetl_sn == lines[i].feedetl_sn; };
      if (std::any_of(existing.begin(), existing.end(), same) ||
          std::any_of(lines.begin() + static_cast<ptrdiff_t>(start), lines.begin() + static_cast<ptrdiff_t>(i), same)) {
        return Status::Error("XT-STORE-003", "a record with this key already exists",
                             "fee detail " + lines[i].feedetl_sn + " of visit " + first.mdtrt_id);
      }
    }
    XT_RETURN_IF_ERROR(c_.Exec("INSERT INTO fee_uploads(mdtrt_id, msgid, lines, answer) VALUES(?, ?, ?, ?)", [&](sql::Stmt& s) {
      s.Bind(1, first.mdtrt_id).Bind(2, first.msgid).Bind(3, EncodeFeeLines(&lines[start], end - start));
      s.Bind(4, answer);  // an empty view binds "", never NULL (SqliteStmt::BindText)
    }));
    start = end;
  }
  return Status::Ok();
}

Status SettlementsWriter::SetVisitState(std::string_view mdtrt_id, std::string_view state) {
  return c_.Exec("UPDATE visits SET state = ? WHERE mdtrt_id = ?",
              [&](sql::Stmt& s) { s.Bind(1, state).Bind(2, mdtrt_id); });
}

// Rewrites the upload that holds the line (a cancellation is rare).
Status SettlementsWriter::SetFeeLineState(std::string_view mdtrt_id, std::string_view feedetl_sn, std::string_view state) {
  XT_ASSIGN_OR_RETURN(auto uploads, UploadsOfVisit(mdtrt_id));
  for (auto& u : uploads) {
    for (auto& l : u.lines) {
      if (l.feedetl_sn != feedetl_sn) continue;
      l.state = state;
      return c_.Exec("UPDATE fee_uploads SET lines = ? WHERE id = ?", [&](sql::Stmt& s) {
        s.Bind(1, EncodeFeeLines(u.lines.data(), u.lines.size())).Bind(2, u.id);
      });
    }
  }
  return Status::Ok();  // no such line: nothing to change, as an UPDATE of no row
}

Status SettlementsWriter::InsertSettlement(const SettlementRow& r) {
  return c_.Exec("INSERT INTO settlements(" XT_SETL_COLS
              ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
              [&](sql::Stmt& s) {
                s.Bind(1, r.setl_id).Bind(2, r.kind).Bind(3, r.orig_setl_id).Bind(4, r.state);
                s.Bind(5, r.mdtrt_id).Bind(6, r.psn_no).Bind(7, r.fixmedins_code).Bind(8, r.insuplc_admdvs);
                s.Bind(9, r.mdtrtarea_admvs).Bind(10, r.insutype).Bind(11, r.med_type).Bind(12, r.setl_time);
                s.Bind(13, r.year).Bind(14, r.msgid);
                const Amounts& a = r.amounts;
                const Fen fields[] = {a.medfee_sumamt, a.fulamt_ownpay_amt, a.overlmt_selfpay, a.preselfpay_amt,
                                      a.inscp_scp_amt, a.act_pay_dedc,      a.hifp_pay,        a.cvlserv_pay,
                                      a.hifes_pay,     a.hifmi_pay,         a.hifob_pay,       a.maf_pay,
                                      a.oth_pay,       a.fund_pay_sumamt,   a.psn_part_amt,    a.acct_pay,
                                      a.psn_cash_pay,  a.hosp_part_amt,     a.balc};
                int col = 15;
                for (Fen f : fields) s.Bind(col++, f);
                s.Bind(col++, static_cast<int64_t>(a.pool_prop_selfpay_bp));
                s.Bind(col++, EncodeDeltas(r.deltas));
                s.Bind(col++, r.detail_json);
              });
}

Status SettlementsWriter::SetSettlementState(std::string_view setl_id, std::string_view state) {
  return c_.Exec("UPDATE settlements SET state = ? WHERE setl_id = ?",
              [&](sql::Stmt& s) { s.Bind(1, state).Bind(2, setl_id); });
}

Status SettlementsWriter::InsertFiling(const FilingRow& f) {
  return c_.Exec("INSERT INTO filings(" XT_FILING_COLS ") VALUES(?,?,?,?,?,?,?,?,?,?,?)", [&](sql::Stmt& s) {
    s.Bind(1, f.trt_dcla_detl_sn).Bind(2, f.psn_no).Bind(3, f.insutype).Bind(4, f.kind);
    s.Bind(5, f.mdtrtarea_admvs).Bind(6, static_cast<int64_t>(f.begin.days));
    if (f.end) s.Bind(7, static_cast<int64_t>(f.end->days));
    else s.BindNull(7);
    s.Bind(8, f.fixmedins_code).Bind(9, f.state).Bind(10, f.created).Bind(11, f.detail_json);
  });
}

Status SettlementsWriter::SetFilingState(std::string_view sn, std::string_view state) {
  return c_.Exec("UPDATE filings SET state = ? WHERE trt_dcla_detl_sn = ?",
              [&](sql::Stmt& s) { s.Bind(1, state).Bind(2, sn); });
}


// ---- migration steps

namespace {

// Adds a column to a table made by an earlier version; nothing when the
// table has it (this opening's schema made the table).
Status AddColumnIfMissing(sql::Conn& c, const char* table, const char* column, const char* decl) {
  XT_ASSIGN_OR_RETURN(bool has, c.HasColumn(table, column));
  if (has) return Status::Ok();
  return c.ExecScript(std::string("ALTER TABLE ") + table + " ADD COLUMN " + column + " " + decl);
}

// Version 4's visit columns: visits of earlier versions get the defaults
// (not a civil servant, certificate type unknown, no diagnoses kept).
Status UpgradeToFour(sql::Conn& c) {
  XT_RETURN_IF_ERROR(AddColumnIfMissing(c, "visits", "cvlserv_flag", "INT64 NOT NULL DEFAULT 0"));
  XT_RETURN_IF_ERROR(AddColumnIfMissing(c, "visits", "mdtrt_cert_type", "TEXT NOT NULL DEFAULT ''"));
  return AddColumnIfMissing(c, "visits", "diseinfo", "TEXT NOT NULL DEFAULT ''");
}

// Version 1 kept a row per fee line (fee_lines): its lines move to
// fee_uploads, one row per visit and message.
Status UpgradeFromOne(sql::Conn& c) {
  std::vector<FeeLineRow> lines;
  XT_RETURN_IF_ERROR(c.Scan(
      "SELECT mdtrt_id, feedetl_sn, chrg_bchno, med_list_codg, medins_list_codg, amount_fen, cnt_e4, pric_e6, "
      "fee_ocur_time, state, msgid FROM fee_lines ORDER BY mdtrt_id, msgid, feedetl_sn",
      [](sql::Stmt&) {},
      [&](const sql::Stmt& s) {
        lines.push_back(FeeLineRow{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5), s.Int(6),
                                   s.Int(7), s.Int(8), s.Text(9), s.Text(10)});
        return true;
      }));
  for (size_t start = 0; start < lines.size();) {
    size_t end = start + 1;
    while (end < lines.size() && lines[end].mdtrt_id == lines[start].mdtrt_id &&
           lines[end].msgid == lines[start].msgid) {
      ++end;
    }
    XT_RETURN_IF_ERROR(c.Exec("INSERT INTO fee_uploads(mdtrt_id, msgid, lines) VALUES(?1, ?2, ?3)", [&](sql::Stmt& s) {
      s.Bind(1, lines[start].mdtrt_id).Bind(2, lines[start].msgid).Bind(3, EncodeFeeLines(&lines[start], end - start));
    }));
    start = end;
  }
  XT_RETURN_IF_ERROR(c.ExecScript("DROP TABLE fee_lines"));
  // fee_uploads was made by this opening's schema, answer column included.
  return UpgradeToFour(c);
}

}  // namespace

Status MigrateSettlements(sql::Conn& c, int from_version) {
  switch (from_version) {
    case kSettlementsVersion:
      return Status::Ok();
    case 3:
      return UpgradeToFour(c);
    case 2:
      // Version 2 had no fee_uploads.answer: its uploads get an empty one
      // (their messages keep their answers whole, as they were written).
      XT_RETURN_IF_ERROR(c.ExecScript("ALTER TABLE fee_uploads ADD COLUMN answer TEXT NOT NULL DEFAULT ''"));
      return UpgradeToFour(c);
    case 1:
      return UpgradeFromOne(c);
    default:
      return Status::Error("XT-STORE-002", "the database was made by another version of xietong",
                           "schema version " + std::to_string(from_version) + ", expected " +
                               std::to_string(kSettlementsVersion));
  }
}

}  // namespace xt::store
