// The person view as one JSON document.
#include "service/person_view.h"

#include <nlohmann/json.hpp>

#include "core/idcard.h"
#include "ledger/ledger.h"
#include "service/errors.h"

namespace xt::service {

Result<std::string> PersonView(store::Store& store, const RefData& ref, const std::string& who, int year) {
  nlohmann::ordered_json out;
  XT_RETURN_IF_ERROR(store.Read([&](store::ReadTxn& txn) -> Status {
    std::optional<store::PersonRecord> rec;
    if (who.size() == 18) {
      if (!IsValidIdNumber(who)) return err::BadField("ID number", "is not valid (GB 11643 check character)");
      XT_ASSIGN_OR_RETURN(rec, txn.registry().FindPersonByCertno(who));
    } else {
      XT_ASSIGN_OR_RETURN(rec, txn.registry().FindPersonByPsnNo(who));
    }
    if (!rec) return err::PersonNotFound();
    std::vector<registry::Person> one;
    XT_RETURN_IF_ERROR(registry::LoadPersonsJson("[" + rec->body_json + "]", ref.registry, &one));
    const registry::Person& p = one.at(0);
    XT_ASSIGN_OR_RETURN(auto acct, txn.ledger().GetAccount(ledger::PersonalAccount(p.psn_no)));
    XT_ASSIGN_OR_RETURN(auto acc, txn.ledger().GetAccumulators(p.psn_no, year));
    out["psn_no"] = p.psn_no;
    out["certno"] = p.certno;
    out["psn_name"] = p.psn_name;
    out["gend"] = p.gend;
    out["birth"] = p.birth.ToString();
    nlohmann::ordered_json enr = nlohmann::ordered_json::array();
    for (const auto& e : p.enrollments) {
      const registry::Region* region = ref.registry.FindRegion(e.insuplc_admdvs);
      enr.push_back({{"insutype", e.insutype},
                     {"insuplc_admdvs", e.insuplc_admdvs},
                     {"region_name", region ? region->name : ""},
                     {"psn_type", e.psn_type},
                     {"psn_insu_stas", e.psn_insu_stas},
                     {"begin", e.validity.begin.ToString()},
                     {"end", e.validity.end ? e.validity.end->ToString() : ""}});
    }
    out["enrollments"] = std::move(enr);
    nlohmann::ordered_json filings = nlohmann::ordered_json::array();
    for (const auto& f : p.filings) {
      filings.push_back({{"mdtrtarea_admvs", f.mdtrtarea_admvs}, {"kind", f.kind},
                         {"begin", f.validity.begin.ToString()},
                         {"end", f.validity.end ? f.validity.end->ToString() : ""}});
    }
    out["filings"] = std::move(filings);
    out["acct_balance"] = FormatFen(acct ? acct->balance_fen() : 0);
    out["year"] = year;
    nlohmann::ordered_json a = nlohmann::ordered_json::object();
    for (const auto& d : acc) a[d.key] = d.value;
    out["accumulators"] = std::move(a);
    return Status::Ok();
  }));
  return out.dump(2);
}

}  // namespace xt::service
