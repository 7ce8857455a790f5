// The SQLite backend: WAL mode, synchronous=FULL, one writer thread with
// group commit (each piece of work in its own savepoint), a syncer thread
// that, under a backlog, makes each group durable while the writer runs the
// next one, a small pool of reader connections. The schema is in docs/storage.md.
#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <map>
#include <tuple>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "store/sqlite_db.h"
#include "store/store.h"
#include "store/wal_buffer_vfs.h"

namespace xt::store {

namespace {

// The VFS the store's connections open their files through (SqliteOptions::vfs).
const char* BaseVfs(const SqliteOptions& options) { return options.vfs.empty() ? nullptr : options.vfs.c_str(); }

// 2: fee details kept one row per upload (fee_uploads) instead of one row
// per line (fee_lines).
// 3: fee_uploads.answer, what renders the upload's answer again (the
// message log then keeps that answer without its output).
// 4: visits.cvlserv_flag, mdtrt_cert_type and diseinfo (the answers'
// person fields, and the visit's diagnoses).
constexpr int kSchemaVersion = 4;

const char* const kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS refdata(name TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS persons(
  psn_no TEXT PRIMARY KEY, certno TEXT NOT NULL UNIQUE, card_no TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS persons_card ON persons(card_no);
CREATE TABLE IF NOT EXISTS visits(
  mdtrt_id TEXT PRIMARY KEY, psn_no TEXT NOT NULL, psn_name TEXT NOT NULL, certno TEXT NOT NULL,
  insutype TEXT NOT NULL, med_type TEXT NOT NULL,
  fixmedins_code TEXT NOT NULL, insuplc_admdvs TEXT NOT NULL, mdtrtarea_admvs TEXT NOT NULL,
  hosp_lv INTEGER NOT NULL, psn_type TEXT NOT NULL, birth INTEGER NOT NULL, filed INTEGER NOT NULL,
  begntime INTEGER NOT NULL, endtime INTEGER, state TEXT NOT NULL, ipt_otp_no TEXT NOT NULL,
  msgid TEXT NOT NULL, cvlserv_flag INTEGER NOT NULL DEFAULT 0, mdtrt_cert_type TEXT NOT NULL DEFAULT '',
  diseinfo TEXT NOT NULL DEFAULT '') WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS visits_person ON visits(psn_no);
CREATE INDEX IF NOT EXISTS visits_number ON visits(fixmedins_code, ipt_otp_no);
CREATE TABLE IF NOT EXISTS fee_uploads(
  id INTEGER PRIMARY KEY, mdtrt_id TEXT NOT NULL, msgid TEXT NOT NULL, lines TEXT NOT NULL,
  answer TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS fee_uploads_visit ON fee_uploads(mdtrt_id);
CREATE TABLE IF NOT EXISTS settlements(
  id INTEGER PRIMARY KEY, setl_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, orig_setl_id TEXT NOT NULL, state TEXT NOT NULL,
  mdtrt_id TEXT NOT NULL, psn_no TEXT NOT NULL, fixmedins_code TEXT NOT NULL, insuplc_admdvs TEXT NOT NULL,
  mdtrtarea_admvs TEXT NOT NULL, insutype TEXT NOT NULL, med_type TEXT NOT NULL, setl_time INTEGER NOT NULL,
  year INTEGER NOT NULL, msgid TEXT NOT NULL,
  medfee_sumamt INTEGER NOT NULL, fulamt_ownpay_amt INTEGER NOT NULL, overlmt_selfpay INTEGER NOT NULL,
  preselfpay_amt INTEGER NOT NULL, inscp_scp_amt INTEGER NOT NULL, act_pay_dedc INTEGER NOT NULL,
  hifp_pay INTEGER NOT NULL, cvlserv_pay INTEGER NOT NULL, hifes_pay INTEGER NOT NULL, hifmi_pay INTEGER NOT NULL,
  hifob_pay INTEGER NOT NULL, maf_pay INTEGER NOT NULL, oth_pay INTEGER NOT NULL, fund_pay_sumamt INTEGER NOT NULL,
  psn_part_amt INTEGER NOT NULL, acct_pay INTEGER NOT NULL, psn_cash_pay INTEGER NOT NULL,
  hosp_part_amt INTEGER NOT NULL, balc INTEGER NOT NULL, pool_prop_selfpay_bp INTEGER NOT NULL,
  deltas TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS settlements_visit ON settlements(mdtrt_id);
CREATE TABLE IF NOT EXISTS accumulators(
  psn_no TEXT NOT NULL, year INTEGER NOT NULL, key TEXT NOT NULL, value INTEGER NOT NULL,
  PRIMARY KEY(psn_no, year, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS accounts(
  account TEXT PRIMARY KEY, debits_fen INTEGER NOT NULL, credits_fen INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS transfers(
  id INTEGER PRIMARY KEY, setl_id TEXT NOT NULL, debit_account TEXT NOT NULL, credit_account TEXT NOT NULL,
  amount_fen INTEGER NOT NULL CHECK(amount_fen > 0), memo TEXT NOT NULL, time INTEGER NOT NULL);
DROP INDEX IF EXISTS transfers_setl;
CREATE INDEX IF NOT EXISTS settlements_inst ON settlements(fixmedins_code, setl_time);
CREATE INDEX IF NOT EXISTS settlements_insuplc ON settlements(substr(insuplc_admdvs, 1, 2), setl_time);
CREATE INDEX IF NOT EXISTS settlements_mdtrtarea ON settlements(substr(mdtrtarea_admvs, 1, 2), setl_time);
CREATE INDEX IF NOT EXISTS settlements_time ON settlements(setl_time);
CREATE INDEX IF NOT EXISTS transfers_debit ON transfers(debit_account);
CREATE INDEX IF NOT EXISTS transfers_credit ON transfers(credit_account);
CREATE TABLE IF NOT EXISTS credentials(
  key_id TEXT PRIMARY KEY, role TEXT NOT NULL, scope TEXT NOT NULL, secret_hash TEXT NOT NULL,
  label TEXT NOT NULL, created INTEGER NOT NULL, revoked INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sign_ins(
  sign_no TEXT PRIMARY KEY, fixmedins_code TEXT NOT NULL, opter_no TEXT NOT NULL, key_id TEXT NOT NULL,
  sign_in_time INTEGER NOT NULL, sign_out_time INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit(
  seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL,
  subject TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files(
  file_qury_no TEXT PRIMARY KEY, fixmedins_code TEXT NOT NULL, filename TEXT NOT NULL, body BLOB NOT NULL,
  created INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS filings(
  trt_dcla_detl_sn TEXT PRIMARY KEY, psn_no TEXT NOT NULL, insutype TEXT NOT NULL, kind TEXT NOT NULL,
  mdtrtarea_admvs TEXT NOT NULL, begin_day INTEGER NOT NULL, end_day INTEGER, fixmedins_code TEXT NOT NULL,
  state TEXT NOT NULL, created INTEGER NOT NULL, detail TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS filings_person ON filings(psn_no, created);
CREATE TABLE IF NOT EXISTS messages(
  id INTEGER PRIMARY KEY, msgid TEXT NOT NULL UNIQUE, infno TEXT NOT NULL, fixmedins_code TEXT NOT NULL,
  request_hash TEXT NOT NULL, infcode INTEGER NOT NULL, response TEXT NOT NULL, time INTEGER NOT NULL,
  setl_id TEXT NOT NULL);
)SQL";

// Mutual recognition of results (docs/results.md, docs/storage.md). The
// check reads a patient's results from results_person alone (a covering
// index), never the rows with their bodies.
const char* const kResultsSchema = R"SQL(
CREATE TABLE IF NOT EXISTS results(
  id INTEGER PRIMARY KEY, result_id TEXT NOT NULL UNIQUE, psn_no TEXT NOT NULL, fixmedins_code TEXT NOT NULL,
  item_code TEXT NOT NULL, kind TEXT NOT NULL, taken_at INTEGER NOT NULL, reported_at INTEGER NOT NULL,
  origin TEXT NOT NULL, body TEXT NOT NULL, request_hash TEXT NOT NULL, published_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS results_person
  ON results(psn_no, taken_at, reported_at, item_code, fixmedins_code, result_id);
CREATE TABLE IF NOT EXISTS result_looks(
  id INTEGER PRIMARY KEY, time INTEGER NOT NULL, psn_no TEXT NOT NULL, fixmedins_code TEXT NOT NULL,
  region TEXT NOT NULL, actor TEXT NOT NULL, items TEXT NOT NULL, outcome TEXT NOT NULL,
  items_asked INTEGER NOT NULL, items_recognised INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS result_looks_person ON result_looks(psn_no, id);
CREATE INDEX IF NOT EXISTS result_looks_time ON result_looks(time);
CREATE TABLE IF NOT EXISTS result_decisions(
  id INTEGER PRIMARY KEY, decision_id TEXT NOT NULL UNIQUE, psn_no TEXT NOT NULL, fixmedins_code TEXT NOT NULL,
  region TEXT NOT NULL, item_code TEXT NOT NULL, result_id TEXT NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL,
  note TEXT NOT NULL, decided_at INTEGER NOT NULL, request_hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS result_decisions_time ON result_decisions(decided_at);
)SQL";
#define XT_RESULT_COLS                                                                                      \
  "result_id, psn_no, fixmedins_code, item_code, kind, taken_at, reported_at, origin, body, request_hash, " \
  "published_at"
#define XT_LOOK_COLS "id, time, psn_no, fixmedins_code, region, actor, items, outcome, items_asked, items_recognised"
#define XT_DECISION_COLS \
  "decision_id, psn_no, fixmedins_code, region, item_code, result_id, kind, reason, note, decided_at, request_hash"
#define XT_LOOK_COND                                                                                   \
  " (?1 = '' OR psn_no = ?1) AND (?2 = '' OR region = ?2) AND (?3 = '' OR fixmedins_code = ?3)"      \
  " AND time >= ?4 AND time < ?5"
const char kResultHead[] = "INSERT INTO results(" XT_RESULT_COLS ") VALUES ";
// ---- clearing (docs/clearing.md, docs/storage.md): closed months with their
// reports, prepaid movements, month spends, 3203 applications. Created after
// kSchema on every open.
const char* const kClearingSchema = R"SQL(
CREATE TABLE IF NOT EXISTS clearing_months(
  setlym INTEGER PRIMARY KEY, seq_through INTEGER NOT NULL, closed_at INTEGER NOT NULL, report_json TEXT NOT NULL,
  flows_csv TEXT NOT NULL, institutions_csv TEXT NOT NULL, funds_csv TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS prepaid_movements(
  id INTEGER PRIMARY KEY, province TEXT NOT NULL, kind TEXT NOT NULL, amount_fen INTEGER NOT NULL CHECK(amount_fen > 0),
  time INTEGER NOT NULL, ref TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS prepaid_movements_province ON prepaid_movements(province, id);
CREATE TABLE IF NOT EXISTS clearing_spend(
  setlym INTEGER NOT NULL, province TEXT NOT NULL, spend_fen INTEGER NOT NULL, PRIMARY KEY(setlym, province))
  WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS clearing_applications(
  appl_id TEXT PRIMARY KEY, fixmedins_code TEXT NOT NULL, setlym INTEGER NOT NULL, clr_type TEXT NOT NULL,
  clr_way TEXT NOT NULL, psntime INTEGER NOT NULL, medfee_sumamt INTEGER NOT NULL, fund_appy_sum INTEGER NOT NULL,
  acct_pay INTEGER NOT NULL, cash_payamt INTEGER NOT NULL, state TEXT NOT NULL, time INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS clearing_applications_inst ON clearing_applications(fixmedins_code, setlym);
)SQL";
// The columns clearing reads of a settlement, and the original's setl_time
// for a reversal (looked up only for reversal rows).
#define XT_CLEARING_COLS                                                                                          \
  "SELECT s.id, s.setl_id, s.kind, s.fixmedins_code, s.insuplc_admdvs, s.mdtrtarea_admvs, s.insutype, s.med_type, " \
  "s.setl_time, s.medfee_sumamt, s.hifp_pay, s.cvlserv_pay, s.hifes_pay, s.hifmi_pay, s.hifob_pay, s.maf_pay, "    \
  "s.oth_pay, s.fund_pay_sumamt, s.acct_pay, CASE WHEN s.kind = 'reversal' THEN coalesce((SELECT o.setl_time "      \
  "FROM settlements o WHERE o.setl_id = s.orig_setl_id), s.setl_time) ELSE s.setl_time END FROM settlements s "
const char kClearingRowsNew[] = XT_CLEARING_COLS "WHERE s.id > ?1 AND s.id <= ?2 ORDER BY s.id";
const char kClearingRowsEarlier[] = XT_CLEARING_COLS "WHERE s.setl_time >= ?3 AND s.id <= ?1";
#define XT_APPL_COLS                                                                                          \
  "appl_id, fixmedins_code, setlym, clr_type, clr_way, psntime, medfee_sumamt, fund_appy_sum, acct_pay, " \
  "cash_payamt, state, time"
// ---- end of clearing

// Tables with large rows (settlements, messages) are rowid tables: rows are
// appended in order and only a small unique index is keyed by id text, which
// keeps the pages a group commit dirties (and writes to the WAL) few.
// Deltas are stored as "key\tvalue\n" lines: keys never hold tabs or newlines.
std::string EncodeDeltas(const std::vector<AccumDelta>& deltas) {
  std::string out;
  for (const auto& d : deltas) {
    out += d.key;
    out += '\t';
    out += std::to_string(d.value);
    out += '\n';
  }
  return out;
}

std::vector<AccumDelta> DecodeDeltas(const std::string& text) {
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

VisitRow ReadVisit(const Stmt& s) {
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

void BindVisit(Stmt& s, const VisitRow& v) {
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

void AppendFeeField(std::string* out, std::string_view v) {
  *out += std::to_string(v.size());
  *out += ':';
  *out += v;
}

std::string EncodeFeeLines(const FeeLineRow* lines, size_t n) {
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
Status DecodeFeeLines(std::string_view text, const std::string& mdtrt_id, const std::string& msgid,
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

SettlementRow ReadSettlement(const Stmt& s) {
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

// Multi-row statements, one text per row count (1..kRowsMax), built once so
// that their addresses can key the prepared-statement cache.
constexpr size_t kRowsMax = 16;
const char* RowsSql(size_t rows, const char* head, const char* row, const char* tail) {
  static std::mutex mu;
  static std::map<std::tuple<const char*, size_t>, std::unique_ptr<std::string>> texts;
  std::lock_guard<std::mutex> lock(mu);
  auto& text = texts[{head, rows}];
  if (!text) {
    text = std::make_unique<std::string>(head);
    for (size_t i = 0; i < rows; ++i) *text += (i ? "," : "") + std::string(row);
    *text += tail;
  }
  return text->c_str();
}

const char kAccumHead[] = "INSERT INTO accumulators(psn_no, year, key, value) VALUES ";
const char kAccumTail[] = " ON CONFLICT(psn_no, year, key) DO UPDATE SET value = value + excluded.value";
const char kTransferHead[] =
    "INSERT INTO transfers(setl_id, debit_account, credit_account, amount_fen, memo, time) VALUES ";
const char kAccountHead[] = "INSERT INTO accounts(account, debits_fen, credits_fen) VALUES ";
const char kAccountTail[] =
    " ON CONFLICT(account) DO UPDATE SET debits_fen = debits_fen + excluded.debits_fen, "
    "credits_fen = credits_fen + excluded.credits_fen";

const char kAuditHead[] =
    "INSERT INTO audit(seq, time, actor, role, action, subject, outcome, detail, prev_hash, hash) VALUES ";

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
// An account's transfers: debits and credits walked on their own indexes.
const char kStatementSql[] =
    "SELECT * FROM (SELECT * FROM (SELECT id, setl_id, debit_account, credit_account, amount_fen, memo, time "
    "FROM transfers WHERE debit_account = ?1 AND id < ?2 AND time >= ?3 AND time < ?4 ORDER BY id DESC LIMIT ?5) "
    "UNION ALL SELECT * FROM (SELECT id, setl_id, debit_account, credit_account, amount_fen, memo, time "
    "FROM transfers WHERE credit_account = ?1 AND id < ?2 AND time >= ?3 AND time < ?4 ORDER BY id DESC LIMIT ?5)) "
    "ORDER BY id DESC LIMIT ?5";

// One connection's implementation of the transaction interface. The writer
// and each reader own one.
class SqliteTxn final : public WriteTxn {
 public:
  explicit SqliteTxn(Db* db) : db_(db) {}

  // Runs a query expecting at most one row; `read` is called on it.
  template <typename T, typename Bind, typename Read>
  Result<std::optional<T>> One(const char* sql, Bind bind, Read read) {
    XT_ASSIGN_OR_RETURN(sqlite3_stmt * raw, db_->Prepare(sql));
    Stmt s(raw);  // resets the cached statement when it goes out of scope
    bind(s);
    XT_ASSIGN_OR_RETURN(bool row, s.Step());
    std::optional<T> out;
    if (row) out = read(s);
    return out;
  }

  template <typename Bind>
  Status Exec(const char* sql, Bind bind) {
    XT_ASSIGN_OR_RETURN(sqlite3_stmt * raw, db_->Prepare(sql));
    Stmt s(raw);
    bind(s);
    return s.Run();
  }

  template <typename Bind, typename Each>
  Status Scan(const char* sql, Bind bind, Each each) {
    XT_ASSIGN_OR_RETURN(sqlite3_stmt * raw, db_->Prepare(sql));
    Stmt s(raw);
    bind(s);
    for (;;) {
      XT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row || !each(s)) break;
    }
    return Status::Ok();
  }

  // ---- ReadTxn
  Result<std::optional<std::string>> GetMeta(std::string_view key) override {
    return One<std::string>(
        "SELECT value FROM meta WHERE key = ?", [&](Stmt& s) { s.Bind(1, key); },
        [](const Stmt& s) { return s.Text(0); });
  }
  Result<std::optional<std::string>> GetRefData(std::string_view name) override {
    return One<std::string>(
        "SELECT body FROM refdata WHERE name = ?", [&](Stmt& s) { s.Bind(1, name); },
        [](const Stmt& s) { return s.Text(0); });
  }

  static PersonRecord ReadPerson(const Stmt& s) { return PersonRecord{s.Text(0), s.Text(1), s.Text(2), s.Text(3)}; }
  Result<std::optional<PersonRecord>> FindPersonByPsnNo(std::string_view psn_no) override {
    return One<PersonRecord>("SELECT psn_no, certno, card_no, body FROM persons WHERE psn_no = ?",
                             [&](Stmt& s) { s.Bind(1, psn_no); }, ReadPerson);
  }
  Result<std::optional<PersonRecord>> FindPersonByCertno(std::string_view certno) override {
    return One<PersonRecord>("SELECT psn_no, certno, card_no, body FROM persons WHERE certno = ?",
                             [&](Stmt& s) { s.Bind(1, certno); }, ReadPerson);
  }
  Result<std::optional<PersonRecord>> FindPersonByCardNo(std::string_view card_no) override {
    return One<PersonRecord>("SELECT psn_no, certno, card_no, body FROM persons WHERE card_no = ? LIMIT 1",
                             [&](Stmt& s) { s.Bind(1, card_no); }, ReadPerson);
  }
  Result<int64_t> CountPersons() override { return Count("SELECT count(*) FROM persons"); }
  Result<int64_t> CountSettlements() override { return Count("SELECT count(*) FROM settlements"); }

  Result<int64_t> Count(const char* sql) {
    XT_ASSIGN_OR_RETURN(auto n, One<int64_t>(sql, [](Stmt&) {}, [](const Stmt& s) { return s.Int(0); }));
    return n.value_or(0);
  }

  Result<std::optional<VisitRow>> FindVisit(std::string_view mdtrt_id) override {
    return One<VisitRow>("SELECT " XT_VISIT_COLS " FROM visits WHERE mdtrt_id = ?",
                         [&](Stmt& s) { s.Bind(1, mdtrt_id); }, ReadVisit);
  }

  // The uploads of a visit, oldest first.
  struct Upload {
    int64_t id = 0;
    std::vector<FeeLineRow> lines;
  };
  Result<std::vector<Upload>> UploadsOfVisit(std::string_view mdtrt_id) {
    std::vector<Upload> out;
    Status decoded;
    XT_RETURN_IF_ERROR(Scan(
        "SELECT id, mdtrt_id, msgid, lines FROM fee_uploads WHERE mdtrt_id = ? ORDER BY id",
        [&](Stmt& s) { s.Bind(1, mdtrt_id); },
        [&](const Stmt& s) {
          Upload u;
          u.id = s.Int(0);
          decoded = DecodeFeeLines(s.Text(3), s.Text(1), s.Text(2), &u.lines);
          out.push_back(std::move(u));
          return decoded.ok();
        }));
    XT_RETURN_IF_ERROR(decoded);
    return out;
  }

  Result<std::vector<FeeLineRow>> FeeLinesOfVisit(std::string_view mdtrt_id) override {
    XT_ASSIGN_OR_RETURN(auto uploads, UploadsOfVisit(mdtrt_id));
    std::vector<FeeLineRow> out;
    for (auto& u : uploads) {
      for (auto& l : u.lines) out.push_back(std::move(l));
    }
    return out;
  }

  Result<std::vector<FeeLineRow>> ActiveFeeLines(std::string_view mdtrt_id) override {
    XT_ASSIGN_OR_RETURN(auto lines, FeeLinesOfVisit(mdtrt_id));
    std::erase_if(lines, [](const FeeLineRow& l) { return l.state != "active"; });
    return lines;
  }

  Result<std::optional<FeeLineRow>> FindFeeLine(std::string_view mdtrt_id, std::string_view feedetl_sn) override {
    XT_ASSIGN_OR_RETURN(auto uploads, UploadsOfVisit(mdtrt_id));
    for (auto& u : uploads) {
      for (auto& l : u.lines) {
        if (l.feedetl_sn == feedetl_sn) return std::optional<FeeLineRow>(std::move(l));
      }
    }
    return std::optional<FeeLineRow>();
  }

  Result<std::optional<std::string>> FeeUploadAnswer(std::string_view mdtrt_id, std::string_view msgid) override {
    return One<std::string>(
        "SELECT answer FROM fee_uploads WHERE mdtrt_id = ? AND msgid = ? ORDER BY id LIMIT 1",
        [&](Stmt& s) { s.Bind(1, mdtrt_id).Bind(2, msgid); }, [](const Stmt& s) { return s.Text(0); });
  }

  Result<std::optional<SettlementRow>> FindSettlement(std::string_view setl_id) override {
    return One<SettlementRow>("SELECT " XT_SETL_COLS ", id FROM settlements WHERE setl_id = ?",
                              [&](Stmt& s) { s.Bind(1, setl_id); }, ReadSettlement);
  }

  Result<std::optional<SettlementRow>> ActiveSettlementOfVisit(std::string_view mdtrt_id) override {
    return One<SettlementRow>("SELECT " XT_SETL_COLS ", id FROM settlements WHERE mdtrt_id = ? AND state = 'settled'",
                              [&](Stmt& s) { s.Bind(1, mdtrt_id); }, ReadSettlement);
  }

  Result<std::vector<AccumDelta>> GetAccumulators(std::string_view psn_no, int year) override {
    std::vector<AccumDelta> out;
    XT_RETURN_IF_ERROR(Scan(
        "SELECT key, value FROM accumulators WHERE psn_no = ? AND year = ? ORDER BY key",
        [&](Stmt& s) { s.Bind(1, psn_no).Bind(2, year); },
        [&](const Stmt& s) {
          out.push_back({s.Text(0), s.Int(1)});
          return true;
        }));
    return out;
  }

  Result<std::optional<AccountRow>> GetAccount(std::string_view account) override {
    return One<AccountRow>(
        "SELECT account, debits_fen, credits_fen FROM accounts WHERE account = ?",
        [&](Stmt& s) { s.Bind(1, account); },
        [](const Stmt& s) { return AccountRow{s.Text(0), s.Int(1), s.Int(2)}; });
  }

  Result<std::optional<MessageRow>> FindMessage(std::string_view msgid) override {
    return One<MessageRow>(
        "SELECT msgid, infno, fixmedins_code, request_hash, infcode, response, time, setl_id FROM messages "
        "WHERE msgid = ?",
        [&](Stmt& s) { s.Bind(1, msgid); },
        [](const Stmt& s) {
          return MessageRow{s.Text(0), s.Text(1), s.Text(2),    s.Text(3),
                            static_cast<int>(s.Int(4)), s.Text(5), s.Int(6), s.Text(7)};
        });
  }

  static CredentialRow ReadCredential(const Stmt& s) {
    return CredentialRow{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5), s.Int(6)};
  }
  Result<std::optional<CredentialRow>> FindCredential(std::string_view key_id) override {
    return One<CredentialRow>(
        "SELECT key_id, role, scope, secret_hash, label, created, revoked FROM credentials WHERE key_id = ?",
        [&](Stmt& s) { s.Bind(1, key_id); }, ReadCredential);
  }
  Status ForEachCredential(const std::function<bool(const CredentialRow&)>& fn) override {
    return Scan("SELECT key_id, role, scope, secret_hash, label, created, revoked FROM credentials "
                "ORDER BY role, scope, key_id",
                [](Stmt&) {}, [&](const Stmt& s) { return fn(ReadCredential(s)); });
  }
  Result<std::optional<SignInRow>> FindSignIn(std::string_view sign_no) override {
    return One<SignInRow>(
        "SELECT sign_no, fixmedins_code, opter_no, key_id, sign_in_time, sign_out_time FROM sign_ins "
        "WHERE sign_no = ?",
        [&](Stmt& s) { s.Bind(1, sign_no); },
        [](const Stmt& s) { return SignInRow{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4), s.Int(5)}; });
  }

#define XT_FILING_COLS                                                                                      \
  "trt_dcla_detl_sn, psn_no, insutype, kind, mdtrtarea_admvs, begin_day, end_day, fixmedins_code, state, " \
  "created, detail"
  static FilingRow ReadFiling(const Stmt& s) {
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
  Result<std::optional<FileRow>> FindFile(std::string_view file_qury_no) override {
    return One<FileRow>("SELECT file_qury_no, fixmedins_code, filename, body, created FROM files WHERE file_qury_no = ?",
                        [&](Stmt& s) { s.Bind(1, file_qury_no); },
                        [](const Stmt& s) { return FileRow{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4)}; });
  }
  Result<std::optional<FilingRow>> FindFiling(std::string_view sn) override {
    return One<FilingRow>("SELECT " XT_FILING_COLS " FROM filings WHERE trt_dcla_detl_sn = ?",
                          [&](Stmt& s) { s.Bind(1, sn); }, ReadFiling);
  }
  Result<std::vector<FilingRow>> FilingsOfPerson(std::string_view psn_no, int limit) override {
    std::vector<FilingRow> out;
    XT_RETURN_IF_ERROR(Scan(
        "SELECT " XT_FILING_COLS " FROM filings WHERE psn_no = ? ORDER BY created, trt_dcla_detl_sn LIMIT ?",
        [&](Stmt& s) { s.Bind(1, psn_no).Bind(2, limit); },
        [&](const Stmt& s) {
          out.push_back(ReadFiling(s));
          return true;
        }));
    return out;
  }

  Result<std::vector<SettlementRow>> ListSettlements(const SettlementQuery& q) override {
    // One statement per leading index, so that each query walks one index
    // newest first and stops after `limit` rows (see kListSql).
    const char* sql = q.psn_no.size()                 ? kListByPerson
                      : q.fixmedins_code.size()       ? kListByInstitution
                      : q.involves_province.size()    ? kListInvolving
                      : q.insuplc_province.size()     ? kListByInsuplc
                      : q.mdtrtarea_province.size()   ? kListByMdtrtarea
                                                      : kListAll;
    auto prov = [](const std::string& code) { return code.substr(0, std::min<size_t>(2, code.size())); };
    // Bound text must outlive the statement's steps (Stmt binds without copying).
    const std::string insuplc = prov(q.insuplc_province);
    const std::string mdtrtarea = prov(q.mdtrtarea_province);
    const std::string involves = prov(q.involves_province);
    std::vector<SettlementRow> out;
    XT_RETURN_IF_ERROR(Scan(
        sql,
        [&](Stmt& s) {
          s.Bind(1, q.fixmedins_code).Bind(2, q.psn_no).Bind(3, insuplc);
          s.Bind(4, mdtrtarea).Bind(5, q.time_from).Bind(6, q.time_to);
          s.Bind(7, q.before_time).Bind(8, q.before_id).Bind(9, q.limit).Bind(10, involves);
        },
        [&](const Stmt& s) {
          out.push_back(ReadSettlement(s));
          return true;
        }));
    return out;
  }

  Result<std::vector<Transfer>> AccountStatement(const StatementQuery& q) override {
    std::vector<Transfer> out;
    XT_RETURN_IF_ERROR(Scan(
        kStatementSql,
        [&](Stmt& s) {
          s.Bind(1, q.account).Bind(2, q.before_id).Bind(3, q.time_from).Bind(4, q.time_to).Bind(5, q.limit);
        },
        [&](const Stmt& s) {
          out.push_back(Transfer{s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4), s.Text(5), s.Int(6)});
          return true;
        }));
    return out;
  }

  Result<std::vector<AccountRow>> AccountsWithPrefix(std::string_view prefix, int limit) override {
    std::vector<AccountRow> out;
    if (prefix.empty()) return out;
    // Every name that starts with the prefix sorts in [prefix, prefix with
    // its last byte raised by one).
    std::string upper(prefix);
    upper.back() = static_cast<char>(upper.back() + 1);
    XT_RETURN_IF_ERROR(Scan(
        "SELECT account, debits_fen, credits_fen FROM accounts WHERE account >= ? AND account < ? "
        "ORDER BY account LIMIT ?",
        [&](Stmt& s) { s.Bind(1, prefix).Bind(2, upper).Bind(3, limit); },
        [&](const Stmt& s) {
          out.push_back(AccountRow{s.Text(0), s.Int(1), s.Int(2)});
          return true;
        }));
    return out;
  }

  Status ForEachAudit(int64_t from, const std::function<bool(const AuditRow&)>& fn) override {
    return Scan(
        "SELECT seq, time, actor, role, action, subject, outcome, detail, prev_hash, hash FROM audit "
        "WHERE seq >= ? ORDER BY seq",
        [&](Stmt& s) { s.Bind(1, from); },
        [&](const Stmt& s) {
          return fn(AuditRow{s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6), s.Text(7),
                             s.Text(8), s.Text(9)});
        });
  }

  Status ForEachSettlement(const std::function<bool(const SettlementRow&)>& fn) override {
    return Scan("SELECT " XT_SETL_COLS ", id FROM settlements ORDER BY id", [](Stmt&) {},
                [&](const Stmt& s) { return fn(ReadSettlement(s)); });
  }
  Status ForEachTransfer(const std::function<bool(const Transfer&)>& fn) override {
    return Scan(
        "SELECT id, setl_id, debit_account, credit_account, amount_fen, memo, time FROM transfers ORDER BY id",
        [](Stmt&) {},
        [&](const Stmt& s) {
          return fn(Transfer{s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4), s.Text(5), s.Int(6)});
        });
  }
  Status ForEachAccount(const std::function<bool(const AccountRow&)>& fn) override {
    return Scan("SELECT account, debits_fen, credits_fen FROM accounts ORDER BY account", [](Stmt&) {},
                [&](const Stmt& s) { return fn(AccountRow{s.Text(0), s.Int(1), s.Int(2)}); });
  }
  Status ForEachAccumulator(const std::function<bool(const AccumulatorRow&)>& fn) override {
    return Scan("SELECT psn_no, year, key, value FROM accumulators ORDER BY psn_no, year, key", [](Stmt&) {},
                [&](const Stmt& s) {
                  return fn(AccumulatorRow{s.Text(0), static_cast<int>(s.Int(1)), s.Text(2), s.Int(3)});
                });
  }

  // ---- Mutual recognition of results
  static ResultRow ReadResult(const Stmt& s) {
    return ResultRow{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4),
                     s.Int(5),  s.Int(6),  s.Text(7), s.Text(8), s.Text(9), s.Int(10)};
  }
  Result<std::optional<ResultRow>> FindResult(std::string_view result_id) override {
    return One<ResultRow>("SELECT " XT_RESULT_COLS " FROM results WHERE result_id = ?",
                          [&](Stmt& s) { s.Bind(1, result_id); }, ReadResult);
  }
  Status ResultKeysOfPerson(std::string_view psn_no, int limit, std::vector<ResultKeyRow>* out) override {
    size_t n = 0;
    XT_RETURN_IF_ERROR(Scan(
        "SELECT result_id, fixmedins_code, item_code, taken_at, reported_at FROM results INDEXED BY results_person "
        "WHERE psn_no = ? ORDER BY taken_at DESC, reported_at DESC LIMIT ?",
        [&](Stmt& s) { s.Bind(1, psn_no).Bind(2, limit); },
        [&](const Stmt& s) {
          // Reuse the strings of an earlier call: a warmed-up check allocates little.
          if (n == out->size()) out->emplace_back();
          ResultKeyRow& r = (*out)[n++];
          s.TextInto(0, &r.result_id);
          s.TextInto(1, &r.fixmedins_code);
          s.TextInto(2, &r.item_code);
          r.taken_at = s.Int(3);
          r.reported_at = s.Int(4);
          return true;
        }));
    out->resize(n);
    return Status::Ok();
  }
  // The visits a statement selects (its parameters: `bind`).
  Result<std::vector<VisitRow>> Visits(const char* sql, const std::function<void(Stmt&)>& bind) {
    std::vector<VisitRow> out;
    XT_RETURN_IF_ERROR(Scan(sql, bind, [&](const Stmt& s) {
      out.push_back(ReadVisit(s));
      return true;
    }));
    return out;
  }
  Result<std::vector<VisitRow>> VisitsOfPersonAt(std::string_view psn_no, std::string_view fixmedins_code,
                                                 int limit) override {
    return Visits(
        "SELECT " XT_VISIT_COLS " FROM visits WHERE psn_no = ? AND fixmedins_code = ? ORDER BY begntime DESC LIMIT ?",
        [&](Stmt& s) { s.Bind(1, psn_no).Bind(2, fixmedins_code).Bind(3, limit); });
  }
  Result<std::optional<VisitRow>> FindOpenVisitByNumber(std::string_view psn_no, std::string_view fixmedins_code,
                                                        std::string_view ipt_otp_no, std::string_view state) override {
    return One<VisitRow>(
        "SELECT " XT_VISIT_COLS " FROM visits INDEXED BY visits_number WHERE fixmedins_code = ? AND ipt_otp_no = ? "
        "AND psn_no = ? AND state = ? LIMIT 1",
        [&](Stmt& s) { s.Bind(1, fixmedins_code).Bind(2, ipt_otp_no).Bind(3, psn_no).Bind(4, state); }, ReadVisit);
  }
  Result<std::vector<VisitRow>> VisitsOfPersonInState(std::string_view psn_no, std::string_view state,
                                                      int limit) override {
    return Visits("SELECT " XT_VISIT_COLS " FROM visits WHERE psn_no = ? AND state = ? ORDER BY begntime DESC LIMIT ?",
                  [&](Stmt& s) { s.Bind(1, psn_no).Bind(2, state).Bind(3, limit); });
  }
  static ResultLookRow ReadLook(const Stmt& s) {
    return ResultLookRow{s.Int(0),  s.Int(1),  s.Text(2), s.Text(3), s.Text(4),
                         s.Text(5), s.Text(6), s.Text(7), s.Int(8),  s.Int(9)};
  }
  static void BindLookQuery(Stmt& s, const ResultLookQuery& q) {
    s.Bind(1, q.psn_no).Bind(2, q.region).Bind(3, q.fixmedins_code).Bind(4, q.time_from).Bind(5, q.time_to);
  }
  Result<std::vector<ResultLookRow>> ListResultLooks(const ResultLookQuery& q) override {
    std::vector<ResultLookRow> out;
    const char* sql = q.psn_no.empty()
                          ? "SELECT " XT_LOOK_COLS " FROM result_looks WHERE" XT_LOOK_COND
                            " AND id < ?6 ORDER BY id DESC LIMIT ?7"
                          : "SELECT " XT_LOOK_COLS " FROM result_looks INDEXED BY result_looks_person WHERE"
                            XT_LOOK_COND " AND id < ?6 ORDER BY id DESC LIMIT ?7";
    XT_RETURN_IF_ERROR(Scan(
        sql,
        [&](Stmt& s) {
          BindLookQuery(s, q);
          s.Bind(6, q.before_id).Bind(7, q.limit);
        },
        [&](const Stmt& s) {
          out.push_back(ReadLook(s));
          return true;
        }));
    return out;
  }
  static ResultDecisionRow ReadDecision(const Stmt& s) {
    return ResultDecisionRow{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5),
                             s.Text(6), s.Text(7), s.Text(8), s.Int(9),  s.Text(10)};
  }
  Result<std::optional<ResultDecisionRow>> FindResultDecision(std::string_view decision_id) override {
    return One<ResultDecisionRow>("SELECT " XT_DECISION_COLS " FROM result_decisions WHERE decision_id = ?",
                                  [&](Stmt& s) { s.Bind(1, decision_id); }, ReadDecision);
  }
  Status ForEachResultCheck(const ResultLookQuery& q, const std::function<bool(const ResultLookRow&)>& fn) override {
    return Scan("SELECT " XT_LOOK_COLS " FROM result_looks WHERE" XT_LOOK_COND " AND outcome = 'ok' ORDER BY id",
                [&](Stmt& s) { BindLookQuery(s, q); }, [&](const Stmt& s) { return fn(ReadLook(s)); });
  }
  Status ForEachResultDecision(const ResultLookQuery& q,
                               const std::function<bool(const ResultDecisionRow&)>& fn) override {
    return Scan("SELECT " XT_DECISION_COLS " FROM result_decisions WHERE (?1 = '' OR psn_no = ?1) AND "
                "(?2 = '' OR region = ?2) AND (?3 = '' OR fixmedins_code = ?3) AND decided_at >= ?4 AND "
                "decided_at < ?5 ORDER BY id",
                [&](Stmt& s) { BindLookQuery(s, q); }, [&](const Stmt& s) { return fn(ReadDecision(s)); });
  }
  Status InsertResults(const std::vector<ResultRow>& rows) override {
    return ExecRows(rows.size(), kResultHead, "(?,?,?,?,?,?,?,?,?,?,?)", "", 11, [&](Stmt& s, int c, size_t i) {
      const ResultRow& r = rows[i];
      s.Bind(c, r.result_id).Bind(c + 1, r.psn_no).Bind(c + 2, r.fixmedins_code).Bind(c + 3, r.item_code);
      s.Bind(c + 4, r.kind).Bind(c + 5, r.taken_at).Bind(c + 6, r.reported_at).Bind(c + 7, r.origin);
      s.Bind(c + 8, r.body_json).Bind(c + 9, r.request_hash).Bind(c + 10, r.published_at);
    });
  }
  Status InsertResultLook(const ResultLookRow& r) override {
    return Exec("INSERT INTO result_looks(time, psn_no, fixmedins_code, region, actor, items, outcome, items_asked, "
                "items_recognised) VALUES(?,?,?,?,?,?,?,?,?)",
                [&](Stmt& s) {
                  s.Bind(1, r.time).Bind(2, r.psn_no).Bind(3, r.fixmedins_code).Bind(4, r.region).Bind(5, r.actor);
                  s.Bind(6, r.items).Bind(7, r.outcome).Bind(8, r.items_asked).Bind(9, r.items_recognised);
                });
  }
  Status InsertResultDecision(const ResultDecisionRow& r) override {
    return Exec("INSERT INTO result_decisions(" XT_DECISION_COLS ") VALUES(?,?,?,?,?,?,?,?,?,?,?)", [&](Stmt& s) {
      s.Bind(1, r.decision_id).Bind(2, r.psn_no).Bind(3, r.fixmedins_code).Bind(4, r.region).Bind(5, r.item_code);
      s.Bind(6, r.result_id).Bind(7, r.kind).Bind(8, r.reason).Bind(9, r.note).Bind(10, r.decided_at);
      s.Bind(11, r.request_hash);
    });
  }

  // ---- WriteTxn
  Status PutMeta(std::string_view key, std::string_view value) override {
    return Exec("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [&](Stmt& s) { s.Bind(1, key).Bind(2, value); });
  }
  Status PutRefData(std::string_view name, std::string_view body) override {
    return Exec("INSERT INTO refdata(name, body) VALUES(?, ?) ON CONFLICT(name) DO UPDATE SET body = excluded.body",
                [&](Stmt& s) { s.Bind(1, name).Bind(2, body); });
  }
  Status InsertPerson(const PersonRecord& p) override {
    return Exec("INSERT INTO persons(psn_no, certno, card_no, body) VALUES(?, ?, ?, ?)",
                [&](Stmt& s) { s.Bind(1, p.psn_no).Bind(2, p.certno).Bind(3, p.card_no).Bind(4, p.body_json); });
  }

  // Sequences are handed out from memory and written back once per group
  // (FlushSequences, before COMMIT): a rolled-back piece of work leaves a gap,
  // never a repeat, because the stored value only ever grows past every value
  // handed out in a committed group.
  Result<int64_t> NextSequence(std::string_view name) override {
    auto it = sequences_.find(std::string(name));
    if (it == sequences_.end()) {
      XT_ASSIGN_OR_RETURN(auto v, One<int64_t>("SELECT value FROM counters WHERE name = ?",
                                              [&](Stmt& s) { s.Bind(1, name); },
                                              [](const Stmt& s) { return s.Int(0); }));
      it = sequences_.emplace(std::string(name), Sequence{v.value_or(0), false}).first;
    }
    it->second.value++;
    it->second.dirty = true;
    return it->second.value;
  }

  Status FlushSequences() {
    for (auto& [name, seq] : sequences_) {
      if (!seq.dirty) continue;
      XT_RETURN_IF_ERROR(Exec("INSERT INTO counters(name, value) VALUES(?, ?) "
                              "ON CONFLICT(name) DO UPDATE SET value = max(value, excluded.value)",
                              [&](Stmt& s) { s.Bind(1, name).Bind(2, seq.value); }));
      seq.dirty = false;
    }
    return Status::Ok();
  }

  Status InsertVisit(const VisitRow& v) override {
    return Exec("INSERT INTO visits(" XT_VISIT_COLS ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [&](Stmt& s) { BindVisit(s, v); });
  }
  Status UpdateVisit(const VisitRow& v) override {
    return Exec(
        "UPDATE visits SET psn_no=?2, insutype=?3, med_type=?4, fixmedins_code=?5, insuplc_admdvs=?6, "
        "mdtrtarea_admvs=?7, hosp_lv=?8, psn_type=?9, birth=?10, filed=?11, begntime=?12, endtime=?13, state=?14, "
        "ipt_otp_no=?15, msgid=?16, psn_name=?17, certno=?18, cvlserv_flag=?19, mdtrt_cert_type=?20, diseinfo=?21 "
        "WHERE mdtrt_id=?1",
        [&](Stmt& s) { BindVisit(s, v); });
  }

  // One row per run of consecutive lines with the same visit and message
  // (one row for an upload).
  Status InsertFeeLines(const std::vector<FeeLineRow>& lines, std::string_view answer) override {
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
      XT_RETURN_IF_ERROR(Exec("INSERT INTO fee_uploads(mdtrt_id, msgid, lines, answer) VALUES(?, ?, ?, ?)", [&](Stmt& s) {
        s.Bind(1, first.mdtrt_id).Bind(2, first.msgid).Bind(3, EncodeFeeLines(&lines[start], end - start));
        s.Bind(4, answer.data() ? answer : std::string_view(""));  // a null pointer would bind NULL
      }));
      start = end;
    }
    return Status::Ok();
  }

  Status SetVisitState(std::string_view mdtrt_id, std::string_view state) override {
    return Exec("UPDATE visits SET state = ? WHERE mdtrt_id = ?",
                [&](Stmt& s) { s.Bind(1, state).Bind(2, mdtrt_id); });
  }

  // Rewrites the upload that holds the line (a cancellation is rare).
  Status SetFeeLineState(std::string_view mdtrt_id, std::string_view feedetl_sn, std::string_view state) override {
    XT_ASSIGN_OR_RETURN(auto uploads, UploadsOfVisit(mdtrt_id));
    for (auto& u : uploads) {
      for (auto& l : u.lines) {
        if (l.feedetl_sn != feedetl_sn) continue;
        l.state = state;
        return Exec("UPDATE fee_uploads SET lines = ? WHERE id = ?", [&](Stmt& s) {
          s.Bind(1, EncodeFeeLines(u.lines.data(), u.lines.size())).Bind(2, u.id);
        });
      }
    }
    return Status::Ok();  // no such line: nothing to change, as an UPDATE of no row
  }

  Status InsertSettlement(const SettlementRow& r) override {
    return Exec("INSERT INTO settlements(" XT_SETL_COLS
                ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [&](Stmt& s) {
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

  Status SetSettlementState(std::string_view setl_id, std::string_view state) override {
    return Exec("UPDATE settlements SET state = ? WHERE setl_id = ?",
                [&](Stmt& s) { s.Bind(1, state).Bind(2, setl_id); });
  }

  // Rows of one kind are written with one statement per kRowsMax rows.
  template <typename BindRow>
  Status ExecRows(size_t n, const char* head, const char* row, const char* tail, int columns, BindRow bind_row) {
    for (size_t start = 0; start < n; start += kRowsMax) {
      const size_t rows = std::min(kRowsMax, n - start);
      XT_RETURN_IF_ERROR(Exec(RowsSql(rows, head, row, tail), [&](Stmt& s) {
        for (size_t i = 0; i < rows; ++i) bind_row(s, static_cast<int>(i) * columns + 1, start + i);
      }));
    }
    return Status::Ok();
  }

  Status AddAccumulators(std::string_view psn_no, int year, const std::vector<AccumDelta>& deltas) override {
    return ExecRows(deltas.size(), kAccumHead, "(?,?,?,?)", kAccumTail, 4, [&](Stmt& s, int c, size_t i) {
      s.Bind(c, psn_no).Bind(c + 1, year).Bind(c + 2, deltas[i].key).Bind(c + 3, deltas[i].value);
    });
  }

  Status PostTransfers(const std::vector<Transfer>& transfers) override {
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
    XT_RETURN_IF_ERROR(ExecRows(transfers.size(), kTransferHead, "(?,?,?,?,?,?)", "", 6,
                                [&](Stmt& s, int c, size_t i) {
                                  const Transfer& t = transfers[i];
                                  s.Bind(c, t.setl_id).Bind(c + 1, t.debit_account).Bind(c + 2, t.credit_account);
                                  s.Bind(c + 3, t.amount_fen).Bind(c + 4, t.memo).Bind(c + 5, t.time);
                                }));
    return ExecRows(moves.size(), kAccountHead, "(?,?,?)", kAccountTail, 3, [&](Stmt& s, int c, size_t i) {
      s.Bind(c, *moves[i].account).Bind(c + 1, moves[i].debits_fen).Bind(c + 2, moves[i].credits_fen);
    });
  }

  Status PutMessage(const MessageRow& m) override {
    return Exec(
        "INSERT INTO messages(msgid, infno, fixmedins_code, request_hash, infcode, response, time, setl_id) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
        [&](Stmt& s) {
          s.Bind(1, m.msgid).Bind(2, m.infno).Bind(3, m.fixmedins_code).Bind(4, m.request_hash);
          s.Bind(5, m.infcode).Bind(6, m.response).Bind(7, m.time).Bind(8, m.setl_id);
        });
  }

  Status PutCredential(const CredentialRow& c) override {
    return Exec(
        "INSERT INTO credentials(key_id, role, scope, secret_hash, label, created, revoked) VALUES(?,?,?,?,?,?,?) "
        "ON CONFLICT(key_id) DO UPDATE SET role = excluded.role, scope = excluded.scope, "
        "secret_hash = excluded.secret_hash, label = excluded.label, created = excluded.created, "
        "revoked = excluded.revoked",
        [&](Stmt& s) {
          s.Bind(1, c.key_id).Bind(2, c.role).Bind(3, c.scope).Bind(4, c.secret_hash).Bind(5, c.label);
          s.Bind(6, c.created).Bind(7, c.revoked);
        });
  }
  Status InsertSignIn(const SignInRow& r) override {
    return Exec(
        "INSERT INTO sign_ins(sign_no, fixmedins_code, opter_no, key_id, sign_in_time, sign_out_time) "
        "VALUES(?,?,?,?,?,?)",
        [&](Stmt& s) {
          s.Bind(1, r.sign_no).Bind(2, r.fixmedins_code).Bind(3, r.opter_no).Bind(4, r.key_id);
          s.Bind(5, r.sign_in_time).Bind(6, r.sign_out_time);
        });
  }
  Status InsertFile(const FileRow& f) override {
    return Exec("INSERT INTO files(file_qury_no, fixmedins_code, filename, body, created) VALUES(?,?,?,?,?)",
                [&](Stmt& s) {
                  s.Bind(1, f.file_qury_no).Bind(2, f.fixmedins_code).Bind(3, f.filename).BindBlob(4, f.body);
                  s.Bind(5, f.created);
                });
  }
  Status InsertFiling(const FilingRow& f) override {
    return Exec("INSERT INTO filings(" XT_FILING_COLS ") VALUES(?,?,?,?,?,?,?,?,?,?,?)", [&](Stmt& s) {
      s.Bind(1, f.trt_dcla_detl_sn).Bind(2, f.psn_no).Bind(3, f.insutype).Bind(4, f.kind);
      s.Bind(5, f.mdtrtarea_admvs).Bind(6, static_cast<int64_t>(f.begin.days));
      if (f.end) s.Bind(7, static_cast<int64_t>(f.end->days));
      else s.BindNull(7);
      s.Bind(8, f.fixmedins_code).Bind(9, f.state).Bind(10, f.created).Bind(11, f.detail_json);
    });
  }
  Status SetFilingState(std::string_view sn, std::string_view state) override {
    return Exec("UPDATE filings SET state = ? WHERE trt_dcla_detl_sn = ?",
                [&](Stmt& s) { s.Bind(1, state).Bind(2, sn); });
  }
  Status CloseSignIn(std::string_view sign_no, LocalSeconds time) override {
    return Exec("UPDATE sign_ins SET sign_out_time = ? WHERE sign_no = ? AND sign_out_time = 0",
                [&](Stmt& s) { s.Bind(1, time).Bind(2, sign_no); });
  }

  // Audit records wait in memory until their group commits (FlushAudit):
  // the chain follows commit order, and a piece of work that rolls back
  // takes its records with it (TruncateAudit).
  Status AppendAudit(AuditRow row) override {
    if (audit_pending_.size() >= kAuditPendingMax) {
      return Status::Error("XT-STORE-006", "too many audit records in one group", "audit_pending_ full");
    }
    audit_pending_.push_back(std::move(row));
    return Status::Ok();
  }
  size_t audit_mark() const { return audit_pending_.size(); }
  void TruncateAudit(size_t mark) {
    if (audit_pending_.size() > mark) audit_pending_.resize(mark);
  }

  // Chains the group's records to the committed head and writes them, with
  // the new head, into the open transaction. The new head becomes the
  // committed one only in CommitAudit, after COMMIT succeeded.
  Status FlushAudit() {
    if (audit_pending_.empty()) return Status::Ok();
    if (!audit_head_loaded_) {
      XT_ASSIGN_OR_RETURN(auto head, GetMeta("audit_head"));
      audit_head_seq_ = 0;
      audit_head_hash_ = kAuditGenesis;
      if (head) {
        const size_t sp = head->find(' ');
        if (sp == std::string::npos) return Status::Error("XT-STORE-007", "the audit log's head is damaged", *head);
        audit_head_seq_ = std::stoll(head->substr(0, sp));
        audit_head_hash_ = head->substr(sp + 1);
      }
      audit_head_loaded_ = true;
    }
    int64_t seq = audit_head_seq_;
    std::string prev = audit_head_hash_;
    for (auto& row : audit_pending_) {
      row.seq = ++seq;
      row.prev_hash = prev;
      row.hash = AuditHash(prev, row);
      prev = row.hash;
    }
    XT_RETURN_IF_ERROR(ExecRows(audit_pending_.size(), kAuditHead, "(?,?,?,?,?,?,?,?,?,?)", "", 10,
                                [&](Stmt& s, int c, size_t i) {
                                  const AuditRow& r = audit_pending_[i];
                                  s.Bind(c, r.seq).Bind(c + 1, r.time).Bind(c + 2, r.actor).Bind(c + 3, r.role);
                                  s.Bind(c + 4, r.action).Bind(c + 5, r.subject).Bind(c + 6, r.outcome);
                                  s.Bind(c + 7, r.detail).Bind(c + 8, r.prev_hash).Bind(c + 9, r.hash);
                                }));
    pending_head_seq_ = seq;
    pending_head_hash_ = prev;
    return PutMeta("audit_head", std::to_string(seq) + " " + prev);
  }
  // After the group's COMMIT (committed = true) or ROLLBACK.
  void EndAudit(bool committed) {
    if (committed && !audit_pending_.empty()) {
      audit_head_seq_ = pending_head_seq_;
      audit_head_hash_ = pending_head_hash_;
    }
    audit_pending_.clear();
  }

  Status Attempt(const std::function<Status()>& fn) override {
    const size_t mark = audit_mark();
    XT_RETURN_IF_ERROR(db_->ExecCached("SAVEPOINT attempt"));
    Status st = fn();
    if (!st.ok()) {
      db_->ExecCached("ROLLBACK TO attempt");
      TruncateAudit(mark);
    }
    XT_RETURN_IF_ERROR(db_->ExecCached("RELEASE attempt"));
    return st;
  }

  // ---- clearing (store.h)
  Result<int64_t> MaxSettlementId() override { return Count("SELECT coalesce(max(id), 0) FROM settlements"); }

  Status ForEachClearingRow(int64_t seq_after, int64_t seq_through, LocalSeconds time_from,
                            const ClearingRowFn& fn) override {
    SettlementRow row;  // reused: its strings keep their capacity from row to row
    auto text = [](sqlite3_stmt* st, int col, std::string* out) {
      const unsigned char* p = sqlite3_column_text(st, col);
      out->assign(p ? reinterpret_cast<const char*>(p) : "", p ? sqlite3_column_bytes(st, col) : 0);
    };
    for (const char* sql : {kClearingRowsNew, kClearingRowsEarlier}) {
      XT_ASSIGN_OR_RETURN(sqlite3_stmt * raw, db_->Prepare(sql));
      Stmt s(raw);
      s.Bind(1, seq_after).Bind(2, seq_through).Bind(3, time_from);
      for (;;) {
        XT_ASSIGN_OR_RETURN(bool more, s.Step());
        if (!more) break;
        row.id = sqlite3_column_int64(raw, 0);
        text(raw, 1, &row.setl_id);
        text(raw, 2, &row.kind);
        text(raw, 3, &row.fixmedins_code);
        text(raw, 4, &row.insuplc_admdvs);
        text(raw, 5, &row.mdtrtarea_admvs);
        text(raw, 6, &row.insutype);
        text(raw, 7, &row.med_type);
        row.setl_time = sqlite3_column_int64(raw, 8);
        Amounts& a = row.amounts;
        Fen* fields[] = {&a.medfee_sumamt, &a.hifp_pay, &a.cvlserv_pay,     &a.hifes_pay, &a.hifmi_pay,
                         &a.hifob_pay,     &a.maf_pay,  &a.oth_pay,         &a.fund_pay_sumamt, &a.acct_pay};
        int col = 9;
        for (Fen* f : fields) *f = sqlite3_column_int64(raw, col++);
        if (!fn(row, sqlite3_column_int64(raw, col))) return Status::Ok();
      }
    }
    return Status::Ok();
  }

  Status ForEachInstitutionSettlement(std::string_view code, LocalSeconds time_from, LocalSeconds time_to,
                                      const std::function<bool(const SettlementRow&)>& fn) override {
    return Scan("SELECT " XT_SETL_COLS ", id FROM settlements WHERE fixmedins_code = ? AND setl_time >= ? "
                "AND setl_time < ? ORDER BY setl_time, id",
                [&](Stmt& s) { s.Bind(1, code).Bind(2, time_from).Bind(3, time_to); },
                [&](const Stmt& s) { return fn(ReadSettlement(s)); });
  }

  static ClosedMonthRow ReadClosedMonth(const Stmt& s, bool reports) {
    ClosedMonthRow m;
    m.setlym = static_cast<int32_t>(s.Int(0));
    m.seq_through = s.Int(1);
    m.closed_at = s.Int(2);
    if (reports) {
      m.report_json = s.Text(3);
      m.flows_csv = s.Text(4);
      m.institutions_csv = s.Text(5);
      m.funds_csv = s.Text(6);
    }
    return m;
  }
  Result<std::vector<ClosedMonthRow>> ClosedMonths() override {
    std::vector<ClosedMonthRow> out;
    XT_RETURN_IF_ERROR(Scan("SELECT setlym, seq_through, closed_at FROM clearing_months ORDER BY setlym",
                            [](Stmt&) {}, [&](const Stmt& s) {
                              out.push_back(ReadClosedMonth(s, false));
                              return true;
                            }));
    return out;
  }
  Result<std::optional<ClosedMonthRow>> FindClosedMonth(int32_t setlym) override {
    return One<ClosedMonthRow>(
        "SELECT setlym, seq_through, closed_at, report_json, flows_csv, institutions_csv, funds_csv "
        "FROM clearing_months WHERE setlym = ?",
        [&](Stmt& s) { s.Bind(1, static_cast<int64_t>(setlym)); },
        [](const Stmt& s) { return ReadClosedMonth(s, true); });
  }
  Result<std::vector<PrepaidMovementRow>> PrepaidMovements(std::string_view province) override {
    std::vector<PrepaidMovementRow> out;
    XT_RETURN_IF_ERROR(Scan("SELECT id, province, kind, amount_fen, time, ref FROM prepaid_movements "
                            "WHERE ?1 = '' OR province = ?1 ORDER BY id",
                            [&](Stmt& s) { s.Bind(1, province); },
                            [&](const Stmt& s) {
                              out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Int(3), s.Int(4), s.Text(5)});
                              return true;
                            }));
    return out;
  }
  Result<std::vector<MonthSpendRow>> MonthSpends() override {
    std::vector<MonthSpendRow> out;
    XT_RETURN_IF_ERROR(Scan("SELECT setlym, province, spend_fen FROM clearing_spend ORDER BY setlym, province",
                            [](Stmt&) {}, [&](const Stmt& s) {
                              out.push_back({static_cast<int32_t>(s.Int(0)), s.Text(1), s.Int(2)});
                              return true;
                            }));
    return out;
  }
  static ClearingApplicationRow ReadApplication(const Stmt& s) {
    return ClearingApplicationRow{s.Text(0), s.Text(1), static_cast<int32_t>(s.Int(2)), s.Text(3), s.Text(4),
                                  s.Int(5),  s.Int(6),  s.Int(7), s.Int(8), s.Int(9), s.Text(10), s.Int(11)};
  }
  Result<std::vector<ClearingApplicationRow>> ClearingApplications(std::string_view code) override {
    std::vector<ClearingApplicationRow> out;
    XT_RETURN_IF_ERROR(Scan("SELECT " XT_APPL_COLS " FROM clearing_applications WHERE fixmedins_code = ? "
                            "ORDER BY setlym, appl_id",
                            [&](Stmt& s) { s.Bind(1, code); },
                            [&](const Stmt& s) {
                              out.push_back(ReadApplication(s));
                              return true;
                            }));
    return out;
  }
  Result<std::optional<ClearingApplicationRow>> FindClearingApplication(std::string_view appl_id) override {
    return One<ClearingApplicationRow>("SELECT " XT_APPL_COLS " FROM clearing_applications WHERE appl_id = ?",
                                       [&](Stmt& s) { s.Bind(1, appl_id); }, ReadApplication);
  }

  Status InsertClosedMonth(const ClosedMonthRow& m) override {
    XT_ASSIGN_OR_RETURN(auto existing, One<int64_t>("SELECT setlym FROM clearing_months WHERE setlym = ?",
                                                    [&](Stmt& s) { s.Bind(1, static_cast<int64_t>(m.setlym)); },
                                                    [](const Stmt& s) { return s.Int(0); }));
    if (existing) return Status::Error("XT-CLR-002", "the month is already closed", std::to_string(m.setlym));
    return Exec("INSERT INTO clearing_months(setlym, seq_through, closed_at, report_json, flows_csv, "
                "institutions_csv, funds_csv) VALUES(?,?,?,?,?,?,?)",
                [&](Stmt& s) {
                  s.Bind(1, static_cast<int64_t>(m.setlym)).Bind(2, m.seq_through).Bind(3, m.closed_at);
                  s.Bind(4, m.report_json).Bind(5, m.flows_csv).Bind(6, m.institutions_csv).Bind(7, m.funds_csv);
                });
  }
  Result<int64_t> InsertPrepaidMovement(const PrepaidMovementRow& m) override {
    XT_INVARIANT(m.amount_fen > 0, "a prepaid movement moves a positive amount");
    XT_RETURN_IF_ERROR(Exec("INSERT INTO prepaid_movements(province, kind, amount_fen, time, ref) VALUES(?,?,?,?,?)",
                            [&](Stmt& s) {
                              s.Bind(1, m.province).Bind(2, m.kind).Bind(3, m.amount_fen).Bind(4, m.time);
                              s.Bind(5, m.ref);
                            }));
    return static_cast<int64_t>(sqlite3_last_insert_rowid(db_->raw()));
  }
  Status InsertMonthSpend(const MonthSpendRow& m) override {
    return Exec("INSERT INTO clearing_spend(setlym, province, spend_fen) VALUES(?,?,?)", [&](Stmt& s) {
      s.Bind(1, static_cast<int64_t>(m.setlym)).Bind(2, m.province).Bind(3, m.spend_fen);
    });
  }
  Status PutClearingApplication(const ClearingApplicationRow& a) override {
    return Exec("INSERT INTO clearing_applications(" XT_APPL_COLS ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(appl_id) DO UPDATE SET state = excluded.state, time = excluded.time",
                [&](Stmt& s) {
                  s.Bind(1, a.appl_id).Bind(2, a.fixmedins_code).Bind(3, static_cast<int64_t>(a.setlym));
                  s.Bind(4, a.clr_type).Bind(5, a.clr_way).Bind(6, a.psntime).Bind(7, a.medfee_sumamt);
                  s.Bind(8, a.fund_appy_sum).Bind(9, a.acct_pay).Bind(10, a.cash_payamt).Bind(11, a.state);
                  s.Bind(12, a.time);
                });
  }
  // ---- end of clearing

 private:
  struct Sequence {
    int64_t value = 0;
    bool dirty = false;
  };
  Db* db_;
  std::map<std::string, Sequence> sequences_;  // writer only
  // The audit chain (writer only): records of the open group, the committed
  // head, and the head the open group will have once it commits.
  static constexpr size_t kAuditPendingMax = 65536;
  std::vector<AuditRow> audit_pending_;
  bool audit_head_loaded_ = false;
  int64_t audit_head_seq_ = 0;
  std::string audit_head_hash_;
  int64_t pending_head_seq_ = 0;
  std::string pending_head_hash_;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, SqliteOptions options, std::unique_ptr<Db> writer, std::unique_ptr<Db> checkpointer)
      : path_(std::move(path)),
        options_(options),
        writer_db_(std::move(writer)),
        checkpoint_db_(std::move(checkpointer)) {
    // Checkpoints (copying the WAL back into the database file) run on their
    // own thread and connection, so the writer only ever appends to the WAL.
    sqlite3_wal_hook(writer_db_->raw(), &SqliteStore::OnWalCommit, this);
    // The syncer's own descriptor of the WAL (fsync applies to the file,
    // whichever descriptor asks), and the directory synced once so that the
    // WAL's name is durable too. Without it, SQLite syncs at each COMMIT.
    wal_fd_ = open((path_ + "-wal").c_str(), O_RDONLY | O_CLOEXEC);
    if (wal_fd_ >= 0 && !SyncDirectoryOf(path_)) {
      close(wal_fd_);
      wal_fd_ = -1;
    }
    syncer_thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "xt-syncer");
      SyncerLoop();
    });
    checkpoint_thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "xt-checkpoint");
      // Copying pages back can wait; the writer and request threads cannot.
      setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
      CheckpointLoop();
    });
    thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "xt-writer");
      // Every durable write waits for this one thread: ask the scheduler to
      // prefer it over request threads. Allowed to fail (unprivileged).
      setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), -10);
      WriterLoop();
    });
  }

  ~SqliteStore() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    thread_.join();
    {
      std::lock_guard<std::mutex> lock(sync_mu_);
      sync_stop_ = true;
    }
    sync_cv_.notify_all();
    syncer_thread_.join();  // answers every group still waiting for its sync
    if (wal_fd_ >= 0) close(wal_fd_);
    {
      std::lock_guard<std::mutex> lock(checkpoint_mu_);
      checkpoint_stop_ = true;
    }
    checkpoint_cv_.notify_all();
    checkpoint_thread_.join();
    // Fold the WAL back into the main file so a closed database is one file.
    writer_db_->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }

  Status Write(std::function<Status(WriteTxn&)> work) override {
    std::promise<Status> done;
    std::future<Status> result = done.get_future();
    WriteAsync(std::move(work), [&done](Status st) { done.set_value(std::move(st)); });
    return result.get();
  }

  void WriteAsync(std::function<Status(WriteTxn&)> work, std::function<void(Status)> done) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      space_cv_.wait(lock, [&] { return stopping_ || static_cast<int>(queue_.size()) < options_.queue_depth_max; });
      if (!stopping_) {
        queue_.push_back(Item{std::move(work), std::move(done)});
        done = nullptr;
      }
    }
    if (done) {
      done(Status::Error("XT-STORE-004", "the service is shutting down"));
      return;
    }
    queue_cv_.notify_one();
  }

  Status Read(std::function<Status(ReadTxn&)> work) override {
    XT_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, TakeReader());
    Status st = db->ExecCached("BEGIN");
    if (st.ok()) {
      SqliteTxn txn(db.get());
      st = work(txn);
      db->ExecCached("COMMIT");
    }
    ReturnReader(std::move(db));
    return st;
  }

  WriterStats writer_stats() const override {
    int64_t waiting = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      waiting = static_cast<int64_t>(queue_.size());
    }
    std::lock_guard<std::mutex> lock(stats_mu_);
    WriterStats s = stats_;
    s.queue_depth = waiting;
    s.wal_restarts = wal_restarts_.load(std::memory_order_relaxed);
    s.wal_restarts_deferred = wal_restarts_deferred_.load(std::memory_order_relaxed);
    return s;
  }
  std::string backend_name() const override { return "sqlite"; }

 private:
  struct Item {
    std::function<Status(WriteTxn&)> work;
    std::function<void(Status)> done;  // once the group is durable, on the writer or syncer thread
  };
  // A committed group waiting for the syncer: each item's done and result.
  struct Committed {
    std::vector<std::function<void(Status)>> dones;
    std::vector<Status> results;
  };

  static bool SyncDirectoryOf(const std::string& path) {
    const size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = fsync(fd) == 0;
    close(fd);
    return ok;
  }

  // Makes committed groups durable and answers them: one fdatasync of the
  // WAL for every group committed before it began. The writer, meanwhile,
  // runs the next group; it never waits for the syncer, whose queue holds
  // at most the groups committed during one fdatasync. A failed fdatasync
  // leaves it unknown what the disk holds: those groups and every later
  // write are refused (XT-STORE-008) until the service is restarted and
  // SQLite recovers the WAL from the disk.
  void SyncerLoop() {
    for (;;) {
      std::vector<Committed> groups;
      {
        std::unique_lock<std::mutex> lock(sync_mu_);
        sync_cv_.wait(lock, [&] { return sync_stop_ || !sync_queue_.empty(); });
        if (sync_queue_.empty() && sync_stop_) return;
        groups.swap(sync_queue_);
        syncing_ = true;
      }
      const bool synced = SyncWal();
      {
        std::lock_guard<std::mutex> lock(sync_mu_);
        syncing_ = false;
      }
      for (Committed& g : groups) Answer(&g, synced);
    }
  }

  // One fdatasync of the WAL (on the syncer, or inline on the writer).
  bool SyncWal() {
    const auto t0 = std::chrono::steady_clock::now();
    const int rc = options_.sync_wal ? options_.sync_wal(wal_fd_) : (fdatasync(wal_fd_) == 0 ? 0 : errno);
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
    if (rc != 0) sync_failed_.store(true);
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.syncs++;
    stats_.sync_micros_total += micros;
    return rc == 0;
  }

  static void Answer(Committed* g, bool synced) {
    for (size_t i = 0; i < g->dones.size(); ++i) g->dones[i](synced ? std::move(g->results[i]) : SyncFailed());
  }

  static Status SyncFailed() {
    return Status::Error("XT-STORE-008", "the database could not be made durable",
                         "fdatasync of the WAL failed; writes are refused until the service is restarted");
  }

  Result<std::unique_ptr<Db>> TakeReader() {
    {
      std::lock_guard<std::mutex> lock(readers_mu_);
      if (!readers_.empty()) {
        auto db = std::move(readers_.back());
        readers_.pop_back();
        return db;
      }
    }
    XT_ASSIGN_OR_RETURN(auto db, Db::Open(path_, options_.busy_timeout_ms, BaseVfs(options_)));
    XT_RETURN_IF_ERROR(db->Exec("PRAGMA query_only = ON"));
    return db;
  }

  void ReturnReader(std::unique_ptr<Db> db) {
    std::lock_guard<std::mutex> lock(readers_mu_);
    if (static_cast<int>(readers_.size()) < options_.reader_connections_max) readers_.push_back(std::move(db));
  }

  // Called by SQLite on the writer thread after each commit.
  static int OnWalCommit(void* self, sqlite3*, const char*, int wal_pages) {
    auto* store = static_cast<SqliteStore*>(self);
    store->wal_pages_ = wal_pages;
    if (wal_pages >= store->options_.checkpoint_wal_pages) {
      std::lock_guard<std::mutex> lock(store->checkpoint_mu_);
      store->checkpoint_wanted_ = true;
      store->checkpoint_cv_.notify_one();
    }
    return SQLITE_OK;
  }

  // The WAL only starts again from its beginning once a checkpoint has
  // copied all of it and no reader needs it; under continuous writes the
  // passive checkpoints never get there and the file would keep growing.
  // Past the hard limit the writer itself, between groups, waits for a
  // RESTART checkpoint: a pause of the writes, and the WAL stays bounded.
  // Past wal_pages_max: a RESTART checkpoint, so that SQLite writes the WAL
  // from its start again (and, by journal_size_limit, cuts the file back to
  // the bound). It waits at most kRestartWaitMs for the readers still using
  // the WAL: the REST reads take milliseconds. A long read (a report over a
  // month) holds its snapshot for longer; the writer then goes on and tries
  // again kRestartRetryMs later, so that such a read costs the writes at
  // most a tenth of their time instead of a busy timeout per group.
  static constexpr int kRestartWaitMs = 100;
  static constexpr int kRestartRetryMs = 1000;
  void MaybeRestartWal() {
    if (wal_pages_ < options_.wal_pages_max) return;
    const auto now = std::chrono::steady_clock::now();
    if (now < restart_not_before_) return;
    sqlite3_busy_timeout(writer_db_->raw(), std::min(kRestartWaitMs, options_.busy_timeout_ms));
    const int rc = sqlite3_wal_checkpoint_v2(writer_db_->raw(), nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
    sqlite3_busy_timeout(writer_db_->raw(), options_.busy_timeout_ms);
    if (rc == SQLITE_OK) {
      wal_pages_ = 0;
      wal_restarts_.fetch_add(1, std::memory_order_relaxed);
    } else if (std::chrono::steady_clock::now() - now >= std::chrono::milliseconds(kRestartWaitMs / 2)) {
      // SQLITE_BUSY after waiting: a reader still uses the WAL. Nothing is
      // lost by going on: the WAL only grows meanwhile.
      restart_not_before_ = now + std::chrono::milliseconds(kRestartRetryMs);
      wal_restarts_deferred_.fetch_add(1, std::memory_order_relaxed);
    }
    // SQLITE_BUSY at once: the checkpoint thread's passive checkpoint holds
    // the checkpoint lock (SQLite does not wait for it). Tried again after
    // the next group.
  }

  void CheckpointLoop() {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(checkpoint_mu_);
        checkpoint_cv_.wait(lock, [&] { return checkpoint_stop_ || checkpoint_wanted_; });
        if (checkpoint_stop_) return;
        checkpoint_wanted_ = false;
      }
      // PASSIVE: copies what no reader still needs, never blocks the writer.
      sqlite3_wal_checkpoint_v2(checkpoint_db_->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
  }

  void WriterLoop() {
    std::vector<Item> batch;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty() && stopping_) return;
        while (!queue_.empty() && static_cast<int>(batch.size()) < options_.batch_size_max) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      space_cv_.notify_all();
      RunBatch(&batch);
      MaybeRestartWal();
      batch.clear();
    }
  }

  // One group: BEGIN; each item in a savepoint; COMMIT; then answer all.
  static int64_t ThreadCpuMicros() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
  }

  // Index of the first bound >= value; bounds.size() when above them all.
  template <size_t N>
  static size_t BucketOf(const std::array<int64_t, N>& bounds, int64_t value) {
    size_t i = 0;
    while (i < N && value > bounds[i]) ++i;
    return i;
  }

  void RunBatch(std::vector<Item>* batch) {
    const auto started = std::chrono::steady_clock::now();
    const int64_t cpu_started = ThreadCpuMicros();
    std::vector<Status> results(batch->size());
    if (sync_failed_.load()) {
      for (auto& item : *batch) item.done(SyncFailed());
      return;
    }
    Status begin = writer_db_->ExecCached("BEGIN IMMEDIATE");
    if (!begin.ok()) {
      for (auto& item : *batch) item.done(begin);
      return;
    }
    SqliteTxn& txn = writer_txn_;
    int64_t failed = 0;
    for (size_t i = 0; i < batch->size(); ++i) {
      const size_t audit_mark = txn.audit_mark();
      Status st = writer_db_->ExecCached("SAVEPOINT item");
      if (st.ok()) {
        try {
          st = (*batch)[i].work(txn);
        } catch (const std::exception& e) {
          st = Status::Error("XT-INT-001", "internal error", std::string("exception in write: ") + e.what());
        }
        if (st.ok()) {
          st = writer_db_->ExecCached("RELEASE item");
        } else {
          writer_db_->ExecCached("ROLLBACK TO item");
          writer_db_->ExecCached("RELEASE item");
          txn.TruncateAudit(audit_mark);
          ++failed;
        }
      }
      results[i] = std::move(st);
    }
    const auto t0 = std::chrono::steady_clock::now();
    Status commit = txn.FlushSequences();
    if (commit.ok()) commit = txn.FlushAudit();
    // The COMMIT writes the group's frames to the WAL file, and the syncer
    // makes them durable (wal_buffer_vfs.h, DeferWalSyncs); without a WAL
    // descriptor of our own, SQLite syncs in the COMMIT as usual.
    const bool deferred = commit.ok() && wal_fd_ >= 0 && DeferWalSyncs(writer_db_->raw(), true);
    if (commit.ok()) commit = writer_db_->ExecCached("COMMIT");
    if (deferred) DeferWalSyncs(writer_db_->raw(), false);
    txn.EndAudit(commit.ok());
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
    if (!commit.ok()) {
      writer_db_->ExecCached("ROLLBACK");
      for (auto& r : results) r = commit;
    }
    {
      std::lock_guard<std::mutex> lock(stats_mu_);
      stats_.batches++;
      stats_.items += static_cast<int64_t>(batch->size());
      stats_.items_failed += failed;
      stats_.commit_micros_total += micros;
      stats_.busy_micros_total +=
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
      stats_.cpu_micros_total += ThreadCpuMicros() - cpu_started;
      stats_.batch_size_max_seen = std::max<int64_t>(stats_.batch_size_max_seen, batch->size());
      stats_.batch_size_counts[BucketOf(kBatchSizeBounds, static_cast<int64_t>(batch->size()))]++;
      stats_.commit_micros_counts[BucketOf(kCommitMicrosBounds, micros)]++;
    }
    if (!deferred || !commit.ok()) {
      for (size_t i = 0; i < batch->size(); ++i) (*batch)[i].done(std::move(results[i]));
      return;
    }
    Committed group;
    group.dones.reserve(batch->size());
    for (auto& item : *batch) group.dones.push_back(std::move(item.done));
    group.results = std::move(results);
    // With a backlog, the syncer syncs while this thread runs the next
    // group. Without one, overlapping buys nothing and costs latency (a
    // thread hand-over, and smaller groups whose fdatasyncs meet the next
    // group's writes): sync here, as SQLite would have.
    size_t waiting = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      waiting = queue_.size();
    }
    bool handed_over = false;
    {
      std::lock_guard<std::mutex> lock(sync_mu_);
      if (waiting >= static_cast<size_t>(options_.overlap_backlog_min) || syncing_ || !sync_queue_.empty()) {
        sync_queue_.push_back(std::move(group));
        handed_over = true;
      }
    }
    if (handed_over) {
      sync_cv_.notify_one();
      return;
    }
    Answer(&group, SyncWal());
  }

  const std::string path_;
  const SqliteOptions options_;
  std::unique_ptr<Db> writer_db_;
  SqliteTxn writer_txn_{writer_db_.get()};  // used by the writer thread only

  mutable std::mutex mu_;
  std::condition_variable queue_cv_;
  std::condition_variable space_cv_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::thread thread_;

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<Db>> readers_;

  int wal_fd_ = -1;  // the syncer's descriptor of the WAL; -1: SQLite syncs
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::vector<Committed> sync_queue_;
  bool sync_stop_ = false;
  bool syncing_ = false;  // the syncer is in an fdatasync (then groups queue behind it)
  std::atomic<bool> sync_failed_{false};
  std::thread syncer_thread_;

  int wal_pages_ = 0;                                // writer thread only
  std::atomic<int64_t> wal_restarts_{0};
  std::atomic<int64_t> wal_restarts_deferred_{0};
  std::chrono::steady_clock::time_point restart_not_before_{};  // writer thread only
  std::unique_ptr<Db> checkpoint_db_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_wanted_ = false;
  bool checkpoint_stop_ = false;
  std::thread checkpoint_thread_;

  mutable std::mutex stats_mu_;
  WriterStats stats_;
};

Status SetSchemaVersion(Db* db) {
  const std::string v = "UPDATE meta SET value = '" + std::to_string(kSchemaVersion) + "' WHERE key = 'schema_version'";
  return db->Exec(v.c_str());
}

// Adds a column to a table made by an earlier schema; nothing when the
// table has it (this opening's kSchema made the table).
Status AddColumnIfMissing(Db* db, const std::string& table, const std::string& column, const std::string& decl) {
  XT_ASSIGN_OR_RETURN(sqlite3_stmt * raw, db->Prepare(("PRAGMA table_info(" + table + ")").c_str()));
  Stmt s(raw);
  for (;;) {
    XT_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    if (s.Text(1) == column) return Status::Ok();
  }
  return db->Exec(("ALTER TABLE " + table + " ADD COLUMN " + column + " " + decl).c_str());
}

// Version 4's visit columns: visits of earlier versions get the defaults
// (not a civil servant, certificate type unknown, no diagnoses kept).
Status UpgradeToFour(Db* db) {
  XT_RETURN_IF_ERROR(AddColumnIfMissing(db, "visits", "cvlserv_flag", "INTEGER NOT NULL DEFAULT 0"));
  XT_RETURN_IF_ERROR(AddColumnIfMissing(db, "visits", "mdtrt_cert_type", "TEXT NOT NULL DEFAULT ''"));
  XT_RETURN_IF_ERROR(AddColumnIfMissing(db, "visits", "diseinfo", "TEXT NOT NULL DEFAULT ''"));
  return SetSchemaVersion(db);
}

// Version 2 had no fee_uploads.answer: its uploads get an empty one (their
// messages keep their answers whole, as they were written).
Status UpgradeFromTwo(Db* db) {
  XT_RETURN_IF_ERROR(db->Exec("ALTER TABLE fee_uploads ADD COLUMN answer TEXT NOT NULL DEFAULT ''"));
  return UpgradeToFour(db);
}

// Brings a database made by an earlier schema to kSchemaVersion, inside the
// opening transaction. Version 1 kept a row per fee line (fee_lines): its
// lines move to fee_uploads, one row per visit and message.
Status UpgradeSchema(Db* db, const std::string& path) {
  int version = 0;
  {
    XT_ASSIGN_OR_RETURN(sqlite3_stmt * raw, db->Prepare("SELECT value FROM meta WHERE key = 'schema_version'"));
    Stmt s(raw);
    XT_ASSIGN_OR_RETURN(bool row, s.Step());
    if (row) version = std::atoi(s.Text(0).c_str());
  }
  if (version == kSchemaVersion) return Status::Ok();
  if (version == 3) return UpgradeToFour(db);
  if (version == 2) return UpgradeFromTwo(db);
  if (version != 1) {
    return Status::Error("XT-STORE-002", "the database was made by another version of xietong",
                         path + ": schema version " + std::to_string(version) + ", expected " +
                             std::to_string(kSchemaVersion));
  }
  std::vector<FeeLineRow> lines;
  {
    XT_ASSIGN_OR_RETURN(sqlite3_stmt * raw,
                        db->Prepare("SELECT mdtrt_id, feedetl_sn, chrg_bchno, med_list_codg, medins_list_codg, "
                                    "amount_fen, cnt_e4, pric_e6, fee_ocur_time, state, msgid FROM fee_lines "
                                    "ORDER BY mdtrt_id, msgid, feedetl_sn"));
    Stmt s(raw);
    for (;;) {
      XT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      lines.push_back(FeeLineRow{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5), s.Int(6), s.Int(7),
                                 s.Int(8), s.Text(9), s.Text(10)});
    }
  }
  for (size_t start = 0; start < lines.size();) {
    size_t end = start + 1;
    while (end < lines.size() && lines[end].mdtrt_id == lines[start].mdtrt_id &&
           lines[end].msgid == lines[start].msgid) {
      ++end;
    }
    XT_ASSIGN_OR_RETURN(sqlite3_stmt * raw, db->Prepare("INSERT INTO fee_uploads(mdtrt_id, msgid, lines) VALUES(?, ?, ?)"));
    Stmt s(raw);
    s.Bind(1, lines[start].mdtrt_id).Bind(2, lines[start].msgid).Bind(3, EncodeFeeLines(&lines[start], end - start));
    XT_RETURN_IF_ERROR(s.Run());
    start = end;
  }
  XT_RETURN_IF_ERROR(db->Exec("DROP TABLE fee_lines"));
  // fee_uploads was made by this opening's schema, answer column included.
  return UpgradeToFour(db);
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const SqliteOptions& options) {
  if (options.batch_size_max < 1 || options.queue_depth_max < 1 || options.checkpoint_wal_pages < 1 ||
      options.wal_pages_max < options.checkpoint_wal_pages || options.overlap_backlog_min < 0) {
    return Status::Error("XT-STORE-005", "invalid storage options",
                         "batch_size_max, queue_depth_max, checkpoint_wal_pages must be >= 1, "
                         "wal_pages_max >= checkpoint_wal_pages and overlap_backlog_min >= 0");
  }
  // The writer's WAL writes are coalesced (wal_buffer_vfs.h).
  const char* writer_vfs = WalBufferVfsName(BaseVfs(options));
  if (!writer_vfs) {
    return Status::Error("XT-STORE-005", "invalid storage options", "no SQLite VFS named " + options.vfs);
  }
  XT_ASSIGN_OR_RETURN(auto db, Db::Open(path, options.busy_timeout_ms, writer_vfs));
  // 2 KiB pages (docs/storage.md says why not 1 KiB or SQLite's 4 KiB).
  // Only a new database takes it: an existing one keeps the page size it
  // was made with.
  XT_RETURN_IF_ERROR(db->Exec("PRAGMA page_size = 2048"));
  XT_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode = WAL"));
  XT_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous = FULL"));
  XT_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys = ON"));
  XT_RETURN_IF_ERROR(db->Exec("PRAGMA cache_size = -65536"));
  // The journal mode must really be WAL: a file system without shared
  // memory would silently keep the rollback journal.
  {
    XT_ASSIGN_OR_RETURN(sqlite3_stmt * raw, db->Prepare("PRAGMA journal_mode"));
    Stmt s(raw);
    XT_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row || s.Text(0) != "wal") {
      return Status::Error("XT-STORE-002", "the database could not be put in WAL mode", path);
    }
  }
  XT_RETURN_IF_ERROR(db->Exec("BEGIN IMMEDIATE"));
  Status st = db->Exec(kSchema);
  if (st.ok()) st = db->Exec(kResultsSchema);
  if (st.ok()) st = db->Exec(kClearingSchema);
  if (st.ok()) {
    const std::string v = "INSERT INTO meta(key, value) VALUES('schema_version', '" + std::to_string(kSchemaVersion) +
                          "') ON CONFLICT(key) DO NOTHING";
    st = db->Exec(v.c_str());
  }
  if (st.ok()) st = UpgradeSchema(db.get(), path);
  if (!st.ok()) {
    db->Exec("ROLLBACK");
    return st;
  }
  XT_RETURN_IF_ERROR(db->Exec("COMMIT"));
  // The writer never checkpoints itself; the checkpoint thread does.
  XT_RETURN_IF_ERROR(db->Exec("PRAGMA wal_autocheckpoint = 0"));
  // When the WAL starts again from its beginning, SQLite cuts the file back
  // to the bound (wal_pages_max pages) instead of keeping its high-water size.
  {
    XT_ASSIGN_OR_RETURN(sqlite3_stmt * raw, db->Prepare("PRAGMA page_size"));
    Stmt s(raw);
    XT_ASSIGN_OR_RETURN(bool row, s.Step());
    const int64_t page_size = row ? s.Int(0) : 2048;
    const std::string limit = "PRAGMA journal_size_limit = " + std::to_string(options.wal_pages_max * page_size);
    XT_RETURN_IF_ERROR(db->Exec(limit.c_str()));
  }
  XT_ASSIGN_OR_RETURN(auto checkpointer, Db::Open(path, options.busy_timeout_ms, BaseVfs(options)));
  // sqlite3_wal_checkpoint_v2 does nothing on a connection that has never
  // read the database (SQLite 3.40 opens a connection's WAL on its first
  // read), and the WAL would then grow until the store is closed: read once.
  XT_RETURN_IF_ERROR(checkpointer->Exec("SELECT count(*) FROM sqlite_master"));
  return std::unique_ptr<Store>(new SqliteStore(path, options, std::move(db), std::move(checkpointer)));
}

}  // namespace xt::store
