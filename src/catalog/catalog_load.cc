// Reads the catalogue document (data/catalog.json; format in data/README.md)
// into a Catalog. Strict: every field present with the right type, codes of
// the right shape for their kind, dates valid, versions of one code never
// overlapping. The whole document is checked before anything is added, so a
// refused document leaves `out` as it was.
//
// Stable error codes: XT-DATA-001 malformed JSON, XT-DATA-002 missing or
// wrongly typed field, XT-DATA-003 invalid value, XT-DATA-004 duplicate.
#include <map>

#include "catalog/catalog.h"
#include "core/json_record.h"

namespace xt::catalog {

namespace {

constexpr size_t kNameBytesMax = 200;
constexpr size_t kItemsPerRegionMax = 1'000'000;

bool IsUpperAlnum(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return true;
}

bool IsProvinceCode(std::string_view s) {
  if (s.size() != 6) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return s.substr(2) == "0000" && s.substr(0, 2) != "00";
}

// Drugs: 23 characters, a letter first (X Western, Z Chinese patent medicine).
// Consumables: 27 characters (or the older 20), starting with C. Services:
// 1..50 characters (the interface's med_list_codg). All upper-case letters
// and digits.
std::string CodeProblem(ItemKind kind, std::string_view code) {
  if (!IsUpperAlnum(code)) return "must hold only upper-case letters and digits";
  switch (kind) {
    case ItemKind::kDrug:
      if (code.size() != 23 || code[0] < 'A' || code[0] > 'Z') return "of a drug must be 23 characters starting with a letter";
      break;
    case ItemKind::kConsumable:
      if ((code.size() != 27 && code.size() != 20) || code[0] != 'C') {
        return "of a consumable must be 27 (or 20) characters starting with C";
      }
      break;
    case ItemKind::kService:
      if (code.empty() || code.size() > 50) return "of a service must be 1 to 50 characters";
      break;
  }
  return {};
}

Status ReadItem(const Json& j, const std::string& region, size_t index, ItemVersion* item) {
  // Name the record by its code when it has a readable one.
  std::string name = "catalog " + region + " item #" + std::to_string(index + 1);
  if (j.is_object()) {
    const auto c = j.find("code");
    if (c != j.end() && c->is_string()) name = "catalog " + region + " item " + c->get<std::string>();
  }
  const Record r(j, name);
  XT_RETURN_IF_ERROR(r.CheckObject(
      {"code", "name", "kind", "class", "price_cap_fen", "selfpay_prop_bp", "begin", "end"}));

  std::string kind, cls;
  XT_RETURN_IF_ERROR(r.String("code", &item->code));
  XT_RETURN_IF_ERROR(r.String("name", &item->name));
  XT_RETURN_IF_ERROR(r.String("kind", &kind));
  XT_RETURN_IF_ERROR(r.String("class", &cls));
  if (kind == "drug") {
    item->kind = ItemKind::kDrug;
  } else if (kind == "service") {
    item->kind = ItemKind::kService;
  } else if (kind == "consumable") {
    item->kind = ItemKind::kConsumable;
  } else {
    return InvalidValue(name, "kind", "must be drug, service or consumable");
  }
  if (const std::string why = CodeProblem(item->kind, item->code); !why.empty()) {
    return InvalidValue(name, "code", why);
  }
  if (item->name.empty() || item->name.size() > kNameBytesMax) {
    return InvalidValue(name, "name", "must be 1 to 200 bytes");
  }
  if (cls == "甲") {
    item->charge_class = ChargeClass::kA;
  } else if (cls == "乙") {
    item->charge_class = ChargeClass::kB;
  } else if (cls == "丙") {
    item->charge_class = ChargeClass::kC;
  } else {
    return InvalidValue(name, "class", "must be 甲, 乙 or 丙");
  }

  std::optional<int64_t> cap;
  XT_RETURN_IF_ERROR(r.OptionalInt("price_cap_fen", &cap));
  if (cap && *cap < 0) return InvalidValue(name, "price_cap_fen", "must not be negative");
  item->price_cap_fen = cap;

  int64_t bp = 0;
  XT_RETURN_IF_ERROR(r.Int("selfpay_prop_bp", &bp));
  if (bp < 0 || bp > kWholeBp) return InvalidValue(name, "selfpay_prop_bp", "must be within 0..10000");
  // Only 乙 has an upfront self-pay share: 甲 is wholly in scope, 丙 wholly out.
  if (item->charge_class != ChargeClass::kB && bp != 0) {
    return InvalidValue(name, "selfpay_prop_bp", "must be 0 for class " + cls);
  }
  item->selfpay_prop_bp = static_cast<BasisPoints>(bp);
  return r.Period(&item->validity);
}

}  // namespace

Status LoadCatalogJson(std::string_view json_text, Catalog* out) {
  Json doc;
  XT_RETURN_IF_ERROR(ParseDocument(json_text, "the catalogue document", &doc));
  if (!doc.is_object() || doc.empty()) {
    return Status::Error("XT-DATA-002", "the catalogue document must be an object keyed by treatment region");
  }

  struct Pending {
    std::string region;
    ItemVersion item;
  };
  std::vector<Pending> pending;
  for (const auto& [region, items] : doc.items()) {
    if (!IsProvinceCode(region)) {
      return Status::Error("XT-DATA-003", "catalog: region key \"" + region +
                                              "\" must be a province code of 6 digits ending in 0000");
    }
    if (!items.is_array()) return Status::Error("XT-DATA-002", "catalog " + region + " must be an array of items");
    if (items.size() > kItemsPerRegionMax) {
      return Status::Error("XT-DATA-003", "catalog " + region + " holds more than 1,000,000 items");
    }
    // Versions of one code in this region: their periods and kind.
    std::map<std::string, std::vector<const ItemVersion*>, std::less<>> seen;
    const size_t first = pending.size();
    for (size_t i = 0; i < items.size(); ++i) {
      Pending p{region, {}};
      XT_RETURN_IF_ERROR(ReadItem(items[i], region, i, &p.item));
      pending.push_back(std::move(p));
    }
    for (size_t i = first; i < pending.size(); ++i) {
      const ItemVersion& item = pending[i].item;
      std::vector<const ItemVersion*>& versions = seen[item.code];
      for (const ItemVersion* other : versions) {
        const std::string record = "catalog " + region + " item " + item.code;
        if (other->kind != item.kind) {
          return InvalidValue(record, "kind", "differs between versions of the same code");
        }
        if (other->validity.Overlaps(item.validity)) {
          return Status::Error("XT-DATA-004", record + ": two versions are in force on the same day (from " +
                                                  other->validity.begin.ToString() + " and from " +
                                                  item.validity.begin.ToString() + ")");
        }
      }
      versions.push_back(&item);
    }
  }
  for (Pending& p : pending) {
    XT_RETURN_IF_ERROR(out->Add(p.region, std::move(p.item)));
  }
  return Status::Ok();
}

}  // namespace xt::catalog
