// The demo scenario, driven through the processor like a hospital would.
#include "tools/demo.h"

#include <nlohmann/json.hpp>

#include "core/admdvs.h"
#include "service/processor.h"

namespace xt::service {

namespace {

// The `skip`-th item of a kind and class in force on `on`; with `largest_cap`,
// the one with the highest price cap instead.
const catalog::ItemVersion* Pick(const std::vector<const catalog::ItemVersion*>& items, Date on,
                                 catalog::ItemKind kind, catalog::ChargeClass cls, size_t skip = 0,
                                 bool largest_cap = false) {
  const catalog::ItemVersion* best = nullptr;
  for (const auto* it : items) {
    if (it->kind != kind || it->charge_class != cls || !it->validity.Contains(on)) continue;
    if (largest_cap) {
      if (it->price_cap_fen && (!best || *it->price_cap_fen > *best->price_cap_fen)) best = it;
      continue;
    }
    if (skip == 0) return it;
    --skip;
  }
  return best;
}

}  // namespace

// The demo's one story, in the order a hospital tells it (a Hebei card
// read in Tianjin, 1101; admission, fee details, discharge; pre-settlement
// and settlement, 2401 to 2304): one function because the story reads in order.
Result<DemoResult> RunDemo(store::Store& store, const RefData& ref, const Clock& clock) {
  DemoResult res;
  const registry::Institution* hospital = nullptr;
  // The dataset's demo hospital (data/README.md), else any tertiary one in Tianjin.
  hospital = ref.registry.FindInstitution(kDemoFixmedinsCode);
  for (const auto& inst : ref.registry.institutions()) {
    if (hospital) break;
    if (ProvinceOf(inst.admdvs) == "120000" && inst.hosp_lv == 3) hospital = &inst;
  }
  if (!hospital) return Status::Error("XT-DEMO-001", "the dataset has no tertiary hospital in Tianjin");
  res.fixmedins_code = hospital->fixmedins_code;
  res.fixmedins_name = hospital->name;
  res.psn_no = kDemoPsnNo;

  std::string certno, insuplc;
  XT_RETURN_IF_ERROR(store.Read([&](store::ReadTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(auto rec, txn.registry().FindPersonByPsnNo(kDemoPsnNo));
    if (!rec) return Status::Error("XT-DEMO-001", "the dataset has no demo person " + std::string(kDemoPsnNo));
    certno = rec->certno;
    return Status::Ok();
  }));
  res.certno = certno;

  const Date today = DateOf(clock.NowLocal());
  const auto items = ref.catalog.ItemsOf("120000");
  using catalog::ChargeClass;
  using catalog::ItemKind;
  struct Want {
    const catalog::ItemVersion* item;
    int64_t cnt_e4;
    int64_t pric_e6;       // used when the item has no price cap
    bool over_cap = false;  // billed 20% above its cap, to show the over-limit part
  };
  // A six-day stay: drugs of each class, a consumable over its cap, the
  // operation, bed days and nursing.
  const Want wants[] = {
      {Pick(items, today, ItemKind::kDrug, ChargeClass::kA), 30000, 25800000},
      {Pick(items, today, ItemKind::kDrug, ChargeClass::kB), 20000, 128000000},
      {Pick(items, today, ItemKind::kDrug, ChargeClass::kB, 1), 200000, 46500000},
      {Pick(items, today, ItemKind::kDrug, ChargeClass::kB, 2), 120000, 580000000},
      {Pick(items, today, ItemKind::kDrug, ChargeClass::kC), 10000, 360000000},
      {Pick(items, today, ItemKind::kConsumable, ChargeClass::kB, 0, true), 10000, 0, true},
      {Pick(items, today, ItemKind::kService, ChargeClass::kA, 0, true), 10000, 0},
      {Pick(items, today, ItemKind::kService, ChargeClass::kA, 1), 60000, 0},
      {Pick(items, today, ItemKind::kService, ChargeClass::kB, 0, true), 20000, 0},
  };
  int sn = 0;
  for (const auto& w : wants) {
    if (!w.item) continue;
    FlowLine line;
    line.feedetl_sn = std::to_string(++sn);
    line.med_list_codg = w.item->code;
    line.cnt_e4 = w.cnt_e4;
    if (w.item->price_cap_fen) {
      const Fen price_fen = w.over_cap ? *w.item->price_cap_fen * 12 / 10 : *w.item->price_cap_fen;
      line.pric_e6 = price_fen * 10000;
    } else {
      line.pric_e6 = w.pric_e6;
    }
    res.lines.push_back(line);
  }
  if (res.lines.empty()) return Status::Error("XT-DEMO-001", "the Tianjin catalogue has no items for the demo");

  Processor proc(&store, &ref, &clock);
  HospitalClient client(hospital->fixmedins_code, hospital->admdvs, &clock);
  FlowDriver drv(&proc, &client);
  auto step = [&](const char* infno, const char* title, CallResult r) -> Status {
    res.steps.push_back({infno, title, r});
    return r.status();
  };
  const std::string admitted = FormatLocalTime(clock.NowLocal() - 6 * 86400);
  const std::string now = FormatLocalTime(clock.NowLocal());

  XT_RETURN_IF_ERROR(step("1101", "read the Hebei card (person info)", drv.PersonInfo(certno)));
  {
    const auto resp = nlohmann::json::parse(res.steps.back().call.response);
    const auto& info = resp["output"]["insuinfo"];
    if (!info.empty()) insuplc = info[0].value("insuplc_admdvs", "");
  }
  Visit visit{kDemoPsnNo, "310", insuplc, true, ""};
  XT_RETURN_IF_ERROR(step("2401", "admission", drv.Open(&visit, admitted)));
  XT_RETURN_IF_ERROR(step("2301", "fee details", drv.Upload(visit, res.lines, admitted)));
  XT_RETURN_IF_ERROR(step("2402", "discharge", drv.Discharge(visit, now)));
  Fen total = 0;
  for (const auto& l : res.lines) total += FlowDriver::LineAmountFen(l);
  XT_RETURN_IF_ERROR(step("2303", "pre-settlement (changes nothing)", drv.Settle(visit, total, true, true)));
  XT_RETURN_IF_ERROR(step("2304", "settlement", drv.Settle(visit, total, true, false)));
  return res;
}

// One loop over the month's days, persons and institutions; each visit is
// the same four steps (2201, 2204, 2207 and their checks).
Result<PastMonthResult> SettlePastMonth(store::Store& store, const RefData& ref, const Clock& clock,
                                        const std::vector<registry::Person>& persons, int visits) {
  if (visits < 1 || visits > kPastMonthVisitsMax) {
    return Status::Error("XT-DEMO-001", "--past-month takes 1 to " + std::to_string(kPastMonthVisitsMax) + " visits");
  }
  if (persons.empty()) return Status::Error("XT-DEMO-001", "the dataset has no persons");
  int year = 0, month = 0, day = 0;
  DateOf(clock.NowLocal()).ToCivil(&year, &month, &day);
  const Date first_of_this = Date::FromCivil(year, month, 1);
  const Date first = month == 1 ? Date::FromCivil(year - 1, 12, 1) : Date::FromCivil(year, month - 1, 1);
  const int days = first_of_this.days - first.days;
  PastMonthResult out;
  out.setlym = first.ToCompact().substr(0, 6);
  std::vector<const registry::Institution*> hospitals;
  for (const auto& inst : ref.registry.institutions()) hospitals.push_back(&inst);
  if (hospitals.empty()) return Status::Error("XT-DEMO-001", "the dataset has no institutions");

  FixedClock past(StartOf(first));
  Processor proc(&store, &ref, &past);
  int tries = 0;
  for (int i = 0; out.settled < visits; ++i) {
    if (++tries > 4 * visits) {
      return Status::Error("XT-DEMO-001", "only " + std::to_string(out.settled) + " of " + std::to_string(visits) +
                                              " sample visits of the past month could be settled");
    }
    // Spread over the month's days, from 08:00 on, a few minutes apart.
    const int on_day = out.settled % days;
    const LocalSeconds at = StartOf(Date{first.days + on_day}) + 8 * 3600 + (out.settled / days) * 600 + (i % 7) * 60;
    past.Set(at);
    const registry::Person& person = persons[(static_cast<size_t>(i) * 37) % persons.size()];
    if (person.psn_no == kDemoPsnNo) continue;  // her story is the demo's own, today
    const registry::Enrollment* enr = nullptr;
    for (const auto& e : person.enrollments) {
      if (e.psn_insu_stas == "1" && e.validity.Contains(DateOf(at))) {
        enr = &e;
        break;
      }
    }
    if (!enr) continue;
    const registry::Institution& hospital = *hospitals[(static_cast<size_t>(i) * 5) % hospitals.size()];
    const auto items = ref.catalog.ItemsOf(ProvinceOf(hospital.admdvs));
    using catalog::ChargeClass;
    using catalog::ItemKind;
    const catalog::ItemVersion* a = Pick(items, DateOf(at), ItemKind::kDrug, ChargeClass::kA, i % 5);
    const catalog::ItemVersion* b = Pick(items, DateOf(at), ItemKind::kService, ChargeClass::kB, i % 4);
    if (!a) continue;
    // Prices: the item's cap, or a sample price (12.50 yuan a unit of a
    // drug, 80.00 a service) for an item without one.
    std::vector<FlowLine> lines;
    lines.push_back({"1", a->code, 10000 * (1 + i % 3), a->price_cap_fen ? *a->price_cap_fen * 10000 : 12500000});
    if (b) lines.push_back({"2", b->code, 10000 * (1 + i % 2), b->price_cap_fen ? *b->price_cap_fen * 10000 : 80000000});
    HospitalClient client(hospital.fixmedins_code, hospital.admdvs, &past);
    FlowDriver drv(&proc, &client);
    Visit visit{person.psn_no, enr->insutype, enr->insuplc_admdvs, false, ""};
    const std::string when = FormatLocalTime(at);
    if (drv.Open(&visit, when).infcode != 0) continue;
    if (drv.Upload(visit, lines, when).infcode != 0) continue;
    Fen total = 0;
    for (const auto& l : lines) total += FlowDriver::LineAmountFen(l);
    CallResult settled = drv.Settle(visit, total, true, false);
    if (settled.infcode != 0) {
      if (settled.err_code.starts_with("XT-STORE") || settled.err_code.starts_with("XT-INT")) return settled.status();
      continue;
    }
    ++out.settled;
    out.medfee_sumamt_fen += total;
  }
  return out;
}

Result<std::vector<IssuedKey>> IssueDemoCredentials(store::Store* store, const RefData& ref, LocalSeconds now) {
  static constexpr char kDemoLabel[] = "demo";
  std::vector<std::string> old;
  XT_RETURN_IF_ERROR(store->Read([&](store::ReadTxn& txn) {
    return txn.access().ForEachCredential([&](const store::CredentialRow& c) {
      if (c.label == kDemoLabel && c.revoked == 0) old.push_back(c.key_id);
      return true;
    });
  }));
  for (const auto& k : old) XT_RETURN_IF_ERROR(RevokeCredential(store, k, now));

  std::vector<std::pair<Role, std::string>> wanted;
  // One hospital per region: the demo hospital for Tianjin, the first listed
  // institution for the others.
  for (const char* province : kAgencyProvinces) {
    std::string hospital;
    for (const auto& inst : ref.registry.institutions()) {
      if (ProvinceOf(inst.admdvs) != province) continue;
      if (hospital.empty() || inst.fixmedins_code == kDemoFixmedinsCode) hospital = inst.fixmedins_code;
    }
    if (!hospital.empty()) wanted.emplace_back(Role::kHospital, hospital);
  }
  for (const char* province : kAgencyProvinces) wanted.emplace_back(Role::kAgency, province);
  wanted.emplace_back(Role::kResident, kDemoPsnNo);
  wanted.emplace_back(Role::kAdmin, "*");
  std::vector<IssuedKey> out;
  for (const auto& [role, scope] : wanted) {
    XT_ASSIGN_OR_RETURN(IssuedKey k, IssueCredential(store, ref, role, scope, kDemoLabel, now));
    out.push_back(std::move(k));
  }
  return out;
}

std::vector<DemoAccount> DemoAccounts() {
  // Sample names (in the users' language, as the pages show them) and
  // passwords, for the demo only.
  auto account = [](const char* username, const char* name, Role role, std::optional<Duty> duty, std::string scope,
                    const char* password, const char* purpose) {
    return DemoAccount{NewAccount{username, name, role, duty, std::move(scope)}, password, purpose};
  };
  return {
      account("demo.cashier", "示例收费员（天津）", Role::kHospital, Duty::kCashier, kDemoFixmedinsCode,
              "sample-cashier-2026", "the hospital's counter: register, upload and settle visits"),
      account("demo.doctor", "示例医生（天津）", Role::kHospital, Duty::kDoctor, kDemoFixmedinsCode,
              "sample-doctor-2026", "recognised results of a patient with an open visit, and decisions on them"),
      account("demo.agency", "示例经办员（河北医保）", Role::kAgency, std::nullopt, "130000",
              "sample-agency-2026", "Hebei's funds, settlements and clearing"),
      account("demo.resident", "示例参保人", Role::kResident, std::nullopt, kDemoPsnNo, "sample-resident-2026",
              "the demo patient's own settlements and personal account"),
      account("demo.operator", "示例运维人员", Role::kAdmin, std::nullopt, "*", "sample-operator-2026",
              "everything, read only; month closes, staff accounts, checks"),
  };
}

Result<std::vector<DemoAccount>> ProvideDemoAccounts(store::Store* store, const RefData& ref, LocalSeconds now) {
  std::vector<DemoAccount> accounts = DemoAccounts();
  for (const DemoAccount& a : accounts) {
    XT_RETURN_IF_ERROR(ProvideAccount(store, ref, a.account, a.password, now).status());
  }
  return accounts;
}

}  // namespace xt::service
