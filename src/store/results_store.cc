// The statements of the mutual recognition of results (docs/results.md): published
// results, each look at a patient's results, the doctors' decisions.
#include "store/results_store.h"

#include "store/sql.h"

namespace xt::store {

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

const char kResultsSchema[] = R"SQL(
CREATE TABLE IF NOT EXISTS results(
  id ID_KEY, result_id TEXT NOT NULL UNIQUE, psn_no TEXT NOT NULL, fixmedins_code TEXT NOT NULL,
  item_code TEXT NOT NULL, kind TEXT NOT NULL, taken_at INT64 NOT NULL, reported_at INT64 NOT NULL,
  origin TEXT NOT NULL, body TEXT NOT NULL, request_hash TEXT NOT NULL, published_at INT64 NOT NULL);
CREATE INDEX IF NOT EXISTS results_person
  ON results(psn_no, taken_at, reported_at, item_code, fixmedins_code, result_id);
CREATE TABLE IF NOT EXISTS result_looks(
  id ID_KEY, time INT64 NOT NULL, psn_no TEXT NOT NULL, fixmedins_code TEXT NOT NULL,
  region TEXT NOT NULL, actor TEXT NOT NULL, items TEXT NOT NULL, outcome TEXT NOT NULL,
  items_asked INT64 NOT NULL, items_recognised INT64 NOT NULL);
CREATE INDEX IF NOT EXISTS result_looks_person ON result_looks(psn_no, id);
CREATE INDEX IF NOT EXISTS result_looks_time ON result_looks(time);
CREATE TABLE IF NOT EXISTS result_decisions(
  id ID_KEY, decision_id TEXT NOT NULL UNIQUE, psn_no TEXT NOT NULL, fixmedins_code TEXT NOT NULL,
  region TEXT NOT NULL, item_code TEXT NOT NULL, result_id TEXT NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL,
  note TEXT NOT NULL, decided_at INT64 NOT NULL, request_hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS result_decisions_time ON result_decisions(decided_at);
)SQL";

// ---- reads

// ---- Mutual recognition of results
static ResultRow ReadResult(const sql::Stmt& s) {
  return ResultRow{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4),
                   s.Int(5),  s.Int(6),  s.Text(7), s.Text(8), s.Text(9), s.Int(10)};
}

Result<std::optional<ResultRow>> ResultsReader::FindResult(std::string_view result_id) {
  return c_.One<ResultRow>("SELECT " XT_RESULT_COLS " FROM results WHERE result_id = ?",
                        [&](sql::Stmt& s) { s.Bind(1, result_id); }, ReadResult);
}

Status ResultsReader::ResultKeysOfPerson(std::string_view psn_no, int limit, std::vector<ResultKeyRow>* out) {
  size_t n = 0;
  XT_RETURN_IF_ERROR(c_.Scan(
      "SELECT result_id, fixmedins_code, item_code, taken_at, reported_at FROM results INDEXED BY results_person "
      "WHERE psn_no = ? ORDER BY taken_at DESC, reported_at DESC LIMIT ?",
      [&](sql::Stmt& s) { s.Bind(1, psn_no).Bind(2, limit); },
      [&](const sql::Stmt& s) {
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

static ResultLookRow ReadLook(const sql::Stmt& s) {
  return ResultLookRow{s.Int(0),  s.Int(1),  s.Text(2), s.Text(3), s.Text(4),
                       s.Text(5), s.Text(6), s.Text(7), s.Int(8),  s.Int(9)};
}

static void BindLookQuery(sql::Stmt& s, const ResultLookQuery& q) {
  s.Bind(1, q.psn_no).Bind(2, q.region).Bind(3, q.fixmedins_code).Bind(4, q.time_from).Bind(5, q.time_to);
}

Result<std::vector<ResultLookRow>> ResultsReader::ListResultLooks(const ResultLookQuery& q) {
  std::vector<ResultLookRow> out;
  const char* text = q.psn_no.empty()
                        ? "SELECT " XT_LOOK_COLS " FROM result_looks WHERE" XT_LOOK_COND
                          " AND id < ?6 ORDER BY id DESC LIMIT ?7"
                        : "SELECT " XT_LOOK_COLS " FROM result_looks INDEXED BY result_looks_person WHERE"
                          XT_LOOK_COND " AND id < ?6 ORDER BY id DESC LIMIT ?7";
  XT_RETURN_IF_ERROR(c_.Scan(
      text,
      [&](sql::Stmt& s) {
        BindLookQuery(s, q);
        s.Bind(6, q.before_id).Bind(7, q.limit);
      },
      [&](const sql::Stmt& s) {
        out.push_back(ReadLook(s));
        return true;
      }));
  return out;
}

static ResultDecisionRow ReadDecision(const sql::Stmt& s) {
  return ResultDecisionRow{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5),
                           s.Text(6), s.Text(7), s.Text(8), s.Int(9),  s.Text(10)};
}

Result<std::optional<ResultDecisionRow>> ResultsReader::FindResultDecision(std::string_view decision_id) {
  return c_.One<ResultDecisionRow>("SELECT " XT_DECISION_COLS " FROM result_decisions WHERE decision_id = ?",
                                [&](sql::Stmt& s) { s.Bind(1, decision_id); }, ReadDecision);
}

Status ResultsReader::ForEachResultCheck(const ResultLookQuery& q, const std::function<bool(const ResultLookRow&)>& fn) {
  return c_.Scan("SELECT " XT_LOOK_COLS " FROM result_looks WHERE" XT_LOOK_COND " AND outcome = 'ok' ORDER BY id",
              [&](sql::Stmt& s) { BindLookQuery(s, q); }, [&](const sql::Stmt& s) { return fn(ReadLook(s)); });
}

Status ResultsReader::ForEachResultDecision(const ResultLookQuery& q,
                             const std::function<bool(const ResultDecisionRow&)>& fn) {
  return c_.Scan("SELECT " XT_DECISION_COLS " FROM result_decisions WHERE (?1 = '' OR psn_no = ?1) AND "
              "(?2 = '' OR region = ?2) AND (?3 = '' OR fixmedins_code = ?3) AND decided_at >= ?4 AND "
              "decided_at < ?5 ORDER BY id",
              [&](sql::Stmt& s) { BindLookQuery(s, q); }, [&](const sql::Stmt& s) { return fn(ReadDecision(s)); });
}


// ---- writes

Status ResultsWriter::InsertResults(const std::vector<ResultRow>& rows) {
  return c_.ExecRows(rows.size(), kResultHead, 11, "", [&](sql::Stmt& s, int c, size_t i) {
    const ResultRow& r = rows[i];
    s.Bind(c, r.result_id).Bind(c + 1, r.psn_no).Bind(c + 2, r.fixmedins_code).Bind(c + 3, r.item_code);
    s.Bind(c + 4, r.kind).Bind(c + 5, r.taken_at).Bind(c + 6, r.reported_at).Bind(c + 7, r.origin);
    s.Bind(c + 8, r.body_json).Bind(c + 9, r.request_hash).Bind(c + 10, r.published_at);
  });
}

Status ResultsWriter::InsertResultLook(const ResultLookRow& r) {
  return c_.Exec("INSERT INTO result_looks(time, psn_no, fixmedins_code, region, actor, items, outcome, items_asked, "
              "items_recognised) VALUES(?,?,?,?,?,?,?,?,?)",
              [&](sql::Stmt& s) {
                s.Bind(1, r.time).Bind(2, r.psn_no).Bind(3, r.fixmedins_code).Bind(4, r.region).Bind(5, r.actor);
                s.Bind(6, r.items).Bind(7, r.outcome).Bind(8, r.items_asked).Bind(9, r.items_recognised);
              });
}

Status ResultsWriter::InsertResultDecision(const ResultDecisionRow& r) {
  return c_.Exec("INSERT INTO result_decisions(" XT_DECISION_COLS ") VALUES(?,?,?,?,?,?,?,?,?,?,?)", [&](sql::Stmt& s) {
    s.Bind(1, r.decision_id).Bind(2, r.psn_no).Bind(3, r.fixmedins_code).Bind(4, r.region).Bind(5, r.item_code);
    s.Bind(6, r.result_id).Bind(7, r.kind).Bind(8, r.reason).Bind(9, r.note).Bind(10, r.decided_at);
    s.Bind(11, r.request_hash);
  });
}


}  // namespace xt::store
