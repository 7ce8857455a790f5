// The treatment place's catalogue (就医地目录): which items each treatment
// region covers and how, with effective dates.
//
// A Catalog is built once (from data/ through LoadCatalogJson) and then only
// read: const methods are safe from any number of threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/admdvs.h"
#include "core/date.h"
#include "core/money.h"
#include "core/status.h"

namespace xt::catalog {

enum class ItemKind : uint8_t { kDrug, kService, kConsumable };
// 甲 (fully in scope), 乙 (in scope after an upfront self-pay share),
// 丙 (not covered: fully self-paid).
enum class ChargeClass : uint8_t { kA, kB, kC };

std::string_view ItemKindName(ItemKind k);        // "drug" | "service" | "consumable"
std::string_view ChargeClassName(ChargeClass c);  // "甲" | "乙" | "丙"
// The interface's chrgitm_lv: "01" 甲, "02" 乙, "03" 丙.
std::string_view ChargeClassCode(ChargeClass c);

struct ItemVersion {
  std::string code;  // med_list_codg: drugs 23 chars, consumables 27 (or 20), services vary, <= 50
  std::string name;
  ItemKind kind = ItemKind::kDrug;
  ChargeClass charge_class = ChargeClass::kA;
  std::optional<Fen> price_cap_fen;  // pric_uplmt_amt, per unit; absent: no cap
  BasisPoints selfpay_prop_bp = 0;   // upfront self-pay share for 乙; 0 for 甲 and 丙
  Validity validity;
};

class Catalog {
 public:
  // Adds one version of an item for a treatment region (province code,
  // e.g. "120000"). Versions of one item must not overlap in time.
  Status Add(std::string_view treatment_province, ItemVersion item);

  // The version in force on `on` in the treatment region of `mdtrtarea_admvs`
  // (any code of that province); nullptr when the region does not list it.
  const ItemVersion* Find(std::string_view mdtrtarea_admvs, std::string_view code, Date on) const;

  size_t item_count() const { return item_count_; }
  std::vector<std::string> Regions() const;
  // Every version listed by one treatment region, ordered by code then date.
  std::vector<const ItemVersion*> ItemsOf(std::string_view treatment_province) const;

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Versions = std::vector<ItemVersion>;  // sorted by validity.begin
  using RegionItems = std::unordered_map<std::string, Versions, StringHash, std::equal_to<>>;
  std::unordered_map<std::string, RegionItems, StringHash, std::equal_to<>> regions_;
  size_t item_count_ = 0;
};

// Parses the catalogue document (format in data/README.md) into `out`.
// Errors name the region, the item code and the field.
Status LoadCatalogJson(std::string_view json_text, Catalog* out);

}  // namespace xt::catalog
