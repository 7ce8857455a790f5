// The registry: regions (GB/T 2260), designated institutions (定点医疗机构)
// and insured persons with their enrollments, as read from data/.
//
// Regions and institutions are reference data held in memory (a Registry is
// built once and then only read; const methods are thread-safe). Persons are
// many and change (balances, enrollments): they live in the store, and the
// types here are what the store reads and writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/date.h"
#include "core/money.h"
#include "core/status.h"

namespace xt::registry {

struct Region {
  std::string code;    // 6 digits, e.g. "130500"
  std::string name;    // e.g. "邢台市"
  std::string parent;  // "" for a province
  int level = 1;       // 1 province, 2 city, 3 district/county
};

struct Institution {
  std::string fixmedins_code;  // 12 chars: "H" + admdvs 6 + 5 digits
  std::string name;
  std::string admdvs;          // district code where it sits
  int hosp_lv = 3;             // 1, 2, 3
  bool sample = true;
};

struct Enrollment {
  std::string insutype;        // "310" employee, "390" resident
  std::string insuplc_admdvs;  // the insurance region (city or province)
  std::string psn_type;        // see policy::CategoryOf
  std::string psn_insu_stas;   // "1" insured, "2" suspended, "4" terminated
  bool cvlserv_flag = false;
  Validity validity;
  Fen opening_acct_balance_fen = 0;  // personal account at load time (employee only)
};

// A filing (备案) of a person for treatment in another province.
struct Filing {
  std::string mdtrtarea_admvs;  // province of treatment
  std::string kind;             // "residence" | "temporary" | "referral"
  Validity validity;
};

struct Person {
  std::string psn_no;    // 16 chars: insuplc_admdvs 6 + 10 digits
  std::string certno;    // GB 11643 ID number
  std::string psn_name;
  std::string gend;      // "1" male, "2" female
  Date birth;
  std::string card_no;   // social security card number (mdtrt_cert_type 03)
  std::string card_sn;   // card serial
  std::vector<Enrollment> enrollments;
  std::vector<Filing> filings;
};

class Registry {
 public:
  Status AddRegion(Region r);
  Status AddInstitution(Institution i);  // its admdvs must be a known region

  const Region* FindRegion(std::string_view code) const;
  const Institution* FindInstitution(std::string_view fixmedins_code) const;
  const std::vector<Region>& regions() const { return regions_; }
  const std::vector<Institution>& institutions() const { return institutions_; }

 private:
  std::vector<Region> regions_;
  std::vector<Institution> institutions_;
  std::unordered_map<std::string, size_t> region_index_;
  std::unordered_map<std::string, size_t> institution_index_;
};

// Document formats are in data/README.md. Errors name the record and field.
Status LoadRegionsJson(std::string_view json_text, Registry* out);
Status LoadInstitutionsJson(std::string_view json_text, Registry* out);
// Every person is checked: a valid ID number whose birth date matches, known
// regions, enrollments with valid dates and types.
Status LoadPersonsJson(std::string_view json_text, const Registry& registry, std::vector<Person>* out);

}  // namespace xt::registry
