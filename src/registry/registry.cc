// The registry's reference data in memory, and the loaders of the region,
// institution and person documents (data/regions.json, institutions.json,
// persons.json; formats in data/README.md).
//
// Loaders are strict: every field present with the right type, codes of the
// right length and characters, dates valid, references known, duplicates
// refused. Each document is checked whole before anything is added.
//
// Stable error codes: XT-DATA-001 malformed JSON, XT-DATA-002 missing or
// wrongly typed field, XT-DATA-003 invalid value, XT-DATA-004 duplicate,
// XT-DATA-005 unknown reference.
#include "registry/registry.h"

#include <algorithm>
#include <unordered_set>

#include "core/interface_codes.h"
#include "core/idcard.h"
#include "core/json_record.h"

namespace xt::registry {

namespace {

constexpr size_t kRecordsMax = 10'000'000;
constexpr size_t kNameBytesMax = 200;
constexpr size_t kEnrollmentsMax = 32;
constexpr size_t kFilingsMax = 64;

Status UnknownRef(const std::string& record, std::string_view key, const std::string& value) {
  return Status::Error("XT-DATA-005",
                       record + ": field \"" + std::string(key) + "\" names an unknown region \"" + value + "\"");
}

// A registry document: a JSON array of records.
Status ParseArrayDocument(std::string_view text, std::string_view what, Json* out) {
  XT_RETURN_IF_ERROR(ParseDocument(text, what, out));
  if (!out->is_array()) return Status::Error("XT-DATA-002", std::string(what) + " must be a JSON array");
  if (out->size() > kRecordsMax) return Status::Error("XT-DATA-003", std::string(what) + " holds too many records");
  return Status::Ok();
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsRegionCode(std::string_view s) { return s.size() == 6 && AllDigits(s) && s.substr(0, 2) != "00"; }

// Upper-case letters and digits, 1..max_len characters.
bool IsUpperAlnum(std::string_view s, size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return true;
}

bool IsAlnum(std::string_view s, size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
  }
  return true;
}

bool IsEmployeeType(std::string_view t) { return t == "1101" || t == "1102" || t == "1201" || t == "1300"; }
bool IsResidentType(std::string_view t) { return t == "1401" || t == "1402" || t == "1403" || t == "1404"; }

Status ReadRegion(const Json& j, size_t index, Region* r) {
  const Record rec(j, Record::NameBy(j, "region", "code", index));
  XT_RETURN_IF_ERROR(rec.CheckObject({"code", "name", "parent", "level"}));
  XT_RETURN_IF_ERROR(rec.String("code", &r->code));
  XT_RETURN_IF_ERROR(rec.String("name", &r->name));
  XT_RETURN_IF_ERROR(rec.String("parent", &r->parent));
  int64_t level = 0;
  XT_RETURN_IF_ERROR(rec.Int("level", &level));
  if (!IsRegionCode(r->code)) return InvalidValue(rec.name(), "code", "must be 6 digits (GB/T 2260)");
  if (r->name.empty() || r->name.size() > kNameBytesMax) return InvalidValue(rec.name(), "name", "must be 1 to 200 bytes");
  if (level < 1 || level > 3) return InvalidValue(rec.name(), "level", "must be 1 (province), 2 (city) or 3 (district)");
  r->level = static_cast<int>(level);
  // The code's shape follows its level: 110000, 130500, 130503.
  const std::string_view code = r->code;
  const bool shape_ok = (level == 1 && code.substr(2) == "0000") ||
                        (level == 2 && code.substr(4) == "00" && code.substr(2, 2) != "00") ||
                        (level == 3 && code.substr(4) != "00");
  if (!shape_ok) return InvalidValue(rec.name(), "code", "does not fit level " + std::to_string(level));
  if (level == 1) {
    if (!r->parent.empty()) return InvalidValue(rec.name(), "parent", "must be \"\" for a province");
  } else {
    const std::string expected = level == 2 ? r->code.substr(0, 2) + "0000" : r->code.substr(0, 4) + "00";
    if (r->parent != expected) return InvalidValue(rec.name(), "parent", "must be " + expected);
  }
  return Status::Ok();
}

Status ReadInstitution(const Json& j, size_t index, Institution* inst) {
  const Record rec(j, Record::NameBy(j, "institution", "fixmedins_code", index));
  XT_RETURN_IF_ERROR(rec.CheckObject({"fixmedins_code", "name", "admdvs", "hosp_lv", "sample"}));
  XT_RETURN_IF_ERROR(rec.String("fixmedins_code", &inst->fixmedins_code));
  XT_RETURN_IF_ERROR(rec.String("name", &inst->name));
  XT_RETURN_IF_ERROR(rec.String("admdvs", &inst->admdvs));
  int64_t lv = 0;
  XT_RETURN_IF_ERROR(rec.Int("hosp_lv", &lv));
  XT_RETURN_IF_ERROR(rec.Bool("sample", &inst->sample));
  const std::string& code = inst->fixmedins_code;
  if (code.size() != 12 || code[0] != 'H' || !AllDigits(std::string_view(code).substr(1))) {
    return InvalidValue(rec.name(), "fixmedins_code", "must be H followed by 11 digits");
  }
  if (inst->name.empty() || inst->name.size() > kNameBytesMax) {
    return InvalidValue(rec.name(), "name", "must be 1 to 200 bytes");
  }
  if (!IsRegionCode(inst->admdvs)) return InvalidValue(rec.name(), "admdvs", "must be 6 digits (GB/T 2260)");
  if (code.compare(1, 6, inst->admdvs) != 0) {
    return InvalidValue(rec.name(), "fixmedins_code", "must carry its admdvs " + inst->admdvs + " after the H");
  }
  if (lv < 1 || lv > 3) return InvalidValue(rec.name(), "hosp_lv", "must be 1, 2 or 3");
  inst->hosp_lv = static_cast<int>(lv);
  return Status::Ok();
}

Status ReadEnrollment(const Record& person, const Json& j, size_t index, Date birth, const Registry& registry,
                      Enrollment* e) {
  const Record rec(j, person.name() + " enrollment #" + std::to_string(index + 1));
  XT_RETURN_IF_ERROR(rec.CheckObject({"insutype", "insuplc_admdvs", "psn_type", "psn_insu_stas", "cvlserv_flag",
                                      "begin", "end", "opening_acct_balance_fen"}));
  XT_RETURN_IF_ERROR(rec.String("insutype", &e->insutype));
  XT_RETURN_IF_ERROR(rec.String("insuplc_admdvs", &e->insuplc_admdvs));
  XT_RETURN_IF_ERROR(rec.String("psn_type", &e->psn_type));
  XT_RETURN_IF_ERROR(rec.String("psn_insu_stas", &e->psn_insu_stas));
  XT_RETURN_IF_ERROR(rec.Bool("cvlserv_flag", &e->cvlserv_flag));
  XT_RETURN_IF_ERROR(rec.Period(&e->validity));
  int64_t balance = 0;
  XT_RETURN_IF_ERROR(rec.Int("opening_acct_balance_fen", &balance));

  const bool employee = e->insutype == code::kInsutypeEmployeeBasic;
  if (!employee && e->insutype != "390") return InvalidValue(rec.name(), "insutype", "must be 310 or 390");
  if (!IsRegionCode(e->insuplc_admdvs)) return InvalidValue(rec.name(), "insuplc_admdvs", "must be 6 digits");
  if (registry.FindRegion(e->insuplc_admdvs) == nullptr) {
    return UnknownRef(rec.name(), "insuplc_admdvs", e->insuplc_admdvs);
  }
  if (employee ? !IsEmployeeType(e->psn_type) : !IsResidentType(e->psn_type)) {
    return InvalidValue(rec.name(), "psn_type",
                        "\"" + e->psn_type + "\" is not a person type of insutype " + e->insutype +
                            (employee ? " (1101, 1102, 1201, 1300)" : " (1401, 1402, 1403, 1404)"));
  }
  if (e->psn_insu_stas != "1" && e->psn_insu_stas != "2" && e->psn_insu_stas != "4") {
    return InvalidValue(rec.name(), "psn_insu_stas", "must be 1 (insured), 2 (suspended) or 4 (terminated)");
  }
  if (e->cvlserv_flag && !employee) return InvalidValue(rec.name(), "cvlserv_flag", "must be false for residents");
  if (e->validity.begin < birth) return InvalidValue(rec.name(), "begin", "is before the person's birth");
  if (balance < 0) return InvalidValue(rec.name(), "opening_acct_balance_fen", "must not be negative");
  // Only employee insurance has a personal account.
  if (!employee && balance != 0) return InvalidValue(rec.name(), "opening_acct_balance_fen", "must be 0 for residents");
  e->opening_acct_balance_fen = balance;
  return Status::Ok();
}

Status ReadFiling(const Record& person, const Json& j, size_t index, const Registry& registry, Filing* f) {
  const Record rec(j, person.name() + " filing #" + std::to_string(index + 1));
  XT_RETURN_IF_ERROR(rec.CheckObject({"mdtrtarea_admvs", "kind", "begin", "end"}));
  XT_RETURN_IF_ERROR(rec.String("mdtrtarea_admvs", &f->mdtrtarea_admvs));
  XT_RETURN_IF_ERROR(rec.String("kind", &f->kind));
  XT_RETURN_IF_ERROR(rec.Period(&f->validity));
  if (!IsRegionCode(f->mdtrtarea_admvs)) return InvalidValue(rec.name(), "mdtrtarea_admvs", "must be 6 digits");
  const Region* region = registry.FindRegion(f->mdtrtarea_admvs);
  if (region == nullptr) return UnknownRef(rec.name(), "mdtrtarea_admvs", f->mdtrtarea_admvs);
  if (region->level != 1) return InvalidValue(rec.name(), "mdtrtarea_admvs", "must be a province code");
  if (f->kind != "residence" && f->kind != "temporary" && f->kind != "referral") {
    return InvalidValue(rec.name(), "kind", "must be residence, temporary or referral");
  }
  return Status::Ok();
}

Status ReadPerson(const Json& j, size_t index, const Registry& registry, Person* p) {
  const Record rec(j, Record::NameBy(j, "person", "psn_no", index));
  XT_RETURN_IF_ERROR(rec.CheckObject(
      {"psn_no", "certno", "psn_name", "gend", "birth", "card_no", "card_sn", "enrollments", "filings"}));
  XT_RETURN_IF_ERROR(rec.String("psn_no", &p->psn_no));
  XT_RETURN_IF_ERROR(rec.String("certno", &p->certno));
  XT_RETURN_IF_ERROR(rec.String("psn_name", &p->psn_name));
  XT_RETURN_IF_ERROR(rec.String("gend", &p->gend));
  XT_RETURN_IF_ERROR(rec.DateField("birth", &p->birth));
  XT_RETURN_IF_ERROR(rec.String("card_no", &p->card_no));
  XT_RETURN_IF_ERROR(rec.String("card_sn", &p->card_sn));

  if (p->psn_no.size() != 16 || !AllDigits(p->psn_no)) {
    return InvalidValue(rec.name(), "psn_no", "must be 16 digits (insurance region 6 + 10)");
  }
  const std::string prefix = p->psn_no.substr(0, 6);
  if (registry.FindRegion(prefix) == nullptr) return UnknownRef(rec.name(), "psn_no", prefix);
  const auto id = ParseIdNumber(p->certno);
  if (!id) {
    return InvalidValue(rec.name(), "certno",
                        "is not a valid GB 11643 ID number (18 characters, real birth date, check character)");
  }
  if (id->birth != p->birth) return InvalidValue(rec.name(), "birth", "does not match the ID number");
  if (p->gend != "1" && p->gend != "2") return InvalidValue(rec.name(), "gend", "must be 1 (male) or 2 (female)");
  if ((p->gend == "1") != id->male) return InvalidValue(rec.name(), "gend", "does not match the ID number");
  if (p->psn_name.empty() || p->psn_name.size() > kNameBytesMax) {
    return InvalidValue(rec.name(), "psn_name", "must be 1 to 200 bytes");
  }
  if (!IsUpperAlnum(p->card_no, 20)) return InvalidValue(rec.name(), "card_no", "must be 1..20 of [0-9A-Z]");
  if (!IsAlnum(p->card_sn, 32)) return InvalidValue(rec.name(), "card_sn", "must be 1..32 of [0-9A-Za-z]");

  const Json* enrollments = nullptr;
  XT_RETURN_IF_ERROR(rec.Get("enrollments", &enrollments));
  if (!enrollments->is_array()) return WrongType(rec.name(), "enrollments", "an array");
  if (enrollments->empty() || enrollments->size() > kEnrollmentsMax) {
    return InvalidValue(rec.name(), "enrollments", "must hold 1 to 32 enrollments");
  }
  p->enrollments.clear();
  for (size_t i = 0; i < enrollments->size(); ++i) {
    Enrollment e;
    XT_RETURN_IF_ERROR(ReadEnrollment(rec, (*enrollments)[i], i, p->birth, registry, &e));
    for (const Enrollment& other : p->enrollments) {
      if (other.insutype == e.insutype && other.validity.Overlaps(e.validity)) {
        return Status::Error("XT-DATA-004", rec.name() + ": two enrollments in insutype " + e.insutype +
                                                " are in force on the same day (enrollment #" +
                                                std::to_string(i + 1) + ")");
      }
    }
    p->enrollments.push_back(std::move(e));
  }

  const Json* filings = nullptr;
  XT_RETURN_IF_ERROR(rec.Get("filings", &filings));
  if (!filings->is_array()) return WrongType(rec.name(), "filings", "an array");
  if (filings->size() > kFilingsMax) return InvalidValue(rec.name(), "filings", "must hold at most 64 filings");
  p->filings.clear();
  for (size_t i = 0; i < filings->size(); ++i) {
    Filing f;
    XT_RETURN_IF_ERROR(ReadFiling(rec, (*filings)[i], i, registry, &f));
    p->filings.push_back(std::move(f));
  }
  return Status::Ok();
}

}  // namespace

Status Registry::AddRegion(Region r) {
  if (!IsRegionCode(r.code)) {
    return Status::Error("XT-DATA-003", "region " + r.code + ": field \"code\" must be 6 digits (GB/T 2260)");
  }
  if (r.level < 1 || r.level > 3) {
    return Status::Error("XT-DATA-003", "region " + r.code + ": field \"level\" must be 1, 2 or 3");
  }
  if (region_index_.count(r.code) != 0) {
    return Status::Error("XT-DATA-004", "region " + r.code + ": the code is listed twice");
  }
  if (!r.parent.empty()) {
    const Region* parent = FindRegion(r.parent);
    if (parent == nullptr) return UnknownRef("region " + r.code, "parent", r.parent);
    if (parent->level != r.level - 1) {
      return Status::Error("XT-DATA-003", "region " + r.code + ": field \"parent\" is not one level up");
    }
  }
  region_index_.emplace(r.code, regions_.size());
  regions_.push_back(std::move(r));
  return Status::Ok();
}

Status Registry::AddInstitution(Institution i) {
  if (FindRegion(i.admdvs) == nullptr) return UnknownRef("institution " + i.fixmedins_code, "admdvs", i.admdvs);
  if (institution_index_.count(i.fixmedins_code) != 0) {
    return Status::Error("XT-DATA-004", "institution " + i.fixmedins_code + ": the code is listed twice");
  }
  institution_index_.emplace(i.fixmedins_code, institutions_.size());
  institutions_.push_back(std::move(i));
  return Status::Ok();
}

const Region* Registry::FindRegion(std::string_view code) const {
  const auto it = region_index_.find(std::string(code));
  return it == region_index_.end() ? nullptr : &regions_[it->second];
}

const Institution* Registry::FindInstitution(std::string_view fixmedins_code) const {
  const auto it = institution_index_.find(std::string(fixmedins_code));
  return it == institution_index_.end() ? nullptr : &institutions_[it->second];
}

Status LoadRegionsJson(std::string_view json_text, Registry* out) {
  Json doc;
  XT_RETURN_IF_ERROR(ParseArrayDocument(json_text, "the regions document", &doc));
  std::vector<Region> read(doc.size());
  std::unordered_set<std::string> codes;
  for (size_t i = 0; i < doc.size(); ++i) {
    XT_RETURN_IF_ERROR(ReadRegion(doc[i], i, &read[i]));
    if (!codes.insert(read[i].code).second || out->FindRegion(read[i].code) != nullptr) {
      return Status::Error("XT-DATA-004", "region " + read[i].code + ": the code is listed twice");
    }
  }
  // A parent's code is below its children's (130000 < 130500 < 130503), so in
  // code order every parent is added before its children.
  std::sort(read.begin(), read.end(), [](const Region& a, const Region& b) { return a.code < b.code; });
  for (const Region& r : read) {
    if (!r.parent.empty() && codes.count(r.parent) == 0 && out->FindRegion(r.parent) == nullptr) {
      return UnknownRef("region " + r.code, "parent", r.parent);
    }
  }
  for (Region& r : read) XT_RETURN_IF_ERROR(out->AddRegion(std::move(r)));
  return Status::Ok();
}

Status LoadInstitutionsJson(std::string_view json_text, Registry* out) {
  Json doc;
  XT_RETURN_IF_ERROR(ParseArrayDocument(json_text, "the institutions document", &doc));
  std::vector<Institution> read(doc.size());
  std::unordered_set<std::string> codes;
  for (size_t i = 0; i < doc.size(); ++i) {
    XT_RETURN_IF_ERROR(ReadInstitution(doc[i], i, &read[i]));
    const std::string name = "institution " + read[i].fixmedins_code;
    if (!codes.insert(read[i].fixmedins_code).second || out->FindInstitution(read[i].fixmedins_code) != nullptr) {
      return Status::Error("XT-DATA-004", name + ": the code is listed twice");
    }
    if (out->FindRegion(read[i].admdvs) == nullptr) return UnknownRef(name, "admdvs", read[i].admdvs);
  }
  for (Institution& inst : read) XT_RETURN_IF_ERROR(out->AddInstitution(std::move(inst)));
  return Status::Ok();
}

Status LoadPersonsJson(std::string_view json_text, const Registry& registry, std::vector<Person>* out) {
  Json doc;
  XT_RETURN_IF_ERROR(ParseArrayDocument(json_text, "the persons document", &doc));
  std::vector<Person> read(doc.size());
  std::unordered_set<std::string> psn_nos, certnos;
  psn_nos.reserve(doc.size());
  certnos.reserve(doc.size());
  for (size_t i = 0; i < doc.size(); ++i) {
    XT_RETURN_IF_ERROR(ReadPerson(doc[i], i, registry, &read[i]));
    if (!psn_nos.insert(read[i].psn_no).second) {
      return Status::Error("XT-DATA-004", "person " + read[i].psn_no + ": the psn_no is listed twice");
    }
    if (!certnos.insert(read[i].certno).second) {
      return Status::Error("XT-DATA-004", "person " + read[i].psn_no + ": the certno is held by another person");
    }
  }
  out->insert(out->end(), std::make_move_iterator(read.begin()), std::make_move_iterator(read.end()));
  return Status::Ok();
}

}  // namespace xt::registry
