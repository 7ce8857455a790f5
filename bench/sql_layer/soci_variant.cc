// Variant (c) of sql_layer_bench (main.cc): SOCI 4 with its sqlite3
// backend, statements prepared once with use() and into() bound to the
// variables each row updates, executed once per row.
//
// Debian's soci-config.h says SOCI_HAVE_BOOST, so soci/bind-values.h would
// include Boost.Fusion headers that libsoci-dev does not depend on; only
// that header's optional Boost.Fusion bindings use it (none used here), and
// no class's layout depends on it.
#include <soci/soci-config.h>
#undef SOCI_HAVE_BOOST
#undef SOCI_HAVE_BOOST_DATE_TIME
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "row.h"

namespace xt::bench {

Timed RunSoci(const std::string& path, int64_t rows) {
  soci::session sql(*soci::factory_sqlite3(), "db=" + path);
  for (const std::string& p : Pragmas()) sql << p;
  // SOCI runs one statement per call: the schema statement by statement.
  std::string_view schema = kSchema;
  for (size_t at = 0; at < schema.size();) {
    const size_t end = schema.find(';', at);
    const std::string one(schema.substr(at, end - at));
    if (one.find_first_not_of(" \n") != std::string::npos) sql << one;
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  Row r;
  Check check;
  // Statements prepared once with use() bound to the variables that each
  // row updates, executed per row: the way SOCI's documentation writes a
  // repeated statement ("statement st = (sql.prepare << ..., use(x)); ...
  // st.execute(true);"). The 36 bindings of the INSERT are made with the
  // documented step-by-step form of the same (exchange, alloc, prepare,
  // define_and_bind), which is what the chained form does.
  soci::statement ins(sql);
  {
    std::string* texts[11] = {&r.setl_id,        &r.kind,           &r.orig_setl_id, &r.state,
                              &r.mdtrt_id,       &r.psn_no,         &r.fixmedins_code, &r.insuplc_admdvs,
                              &r.mdtrtarea_admvs, &r.insutype,      &r.med_type};
    for (std::string* t : texts) ins.exchange(soci::use(*t));
    ins.exchange(soci::use(r.setl_time));
    ins.exchange(soci::use(r.year));
    ins.exchange(soci::use(r.msgid));
    for (int64_t& a : r.amounts) ins.exchange(soci::use(a));
    ins.exchange(soci::use(r.pool_bp));
    ins.exchange(soci::use(r.deltas));
    ins.exchange(soci::use(r.detail));
    ins.alloc();
    ins.prepare(kInsertSql);
    ins.define_and_bind();
  }
  soci::statement ups = (sql.prepare << kUpsertSql, soci::use(r.account), soci::use(r.debit), soci::use(r.credit));
  std::string state, mdtrt;
  int64_t a = 0, b = 0, cc = 0;
  soci::statement sel = (sql.prepare << kSelectSql, soci::use(r.key), soci::into(state), soci::into(mdtrt),
                         soci::into(a), soci::into(b), soci::into(cc));
  const Stopwatch t0;
  for (int64_t i = 0; i < rows; ++i) {
    if (i % kTxnRows == 0) sql.begin();
    r.Make(static_cast<uint64_t>(i));
    ins.execute(true);
    ups.execute(true);
    if (!sel.execute(true)) Die("select found no row");
    check.Add(state, mdtrt, a, b, cc);
    if (i % kTxnRows == kTxnRows - 1 || i == rows - 1) sql.commit();
  }
  return t0.Stop(check.sum);
}

}  // namespace xt::bench
