// The reference data of mutual recognition of results (检查检验结果互认):
// the recognised items with their validity periods, which regions list
// which items, which institutions are qualified for which items, and prices
// for items the catalogue does not hold. All of it is dated data
// (data/recognition.json, format in data/README.md), never constants.
//
// Items, regions and institutions are interned to small integers so that
// the doctor's check (results.h) compares integers and allocates nothing.
// A Book is built once (LoadRecognitionJson) and then only read: const
// methods are safe from any number of threads.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalog/catalog.h"
#include "core/date.h"
#include "core/money.h"
#include "core/status.h"
#include "registry/registry.h"

namespace xt::results {

using ItemId = uint16_t;         // index into Book::items()
using RegionId = uint8_t;        // index into Book::regions(): a province that lists items
using InstitutionId = uint32_t;  // index into Book::institutions()
inline constexpr ItemId kNoItem = UINT16_MAX;
inline constexpr RegionId kNoRegion = UINT8_MAX;
inline constexpr InstitutionId kNoInstitution = UINT32_MAX;

inline constexpr size_t kItemsMax = 10'000;       // fits ItemId with room for kNoItem
inline constexpr size_t kRegionsMax = 64;         // provinces taking part
inline constexpr size_t kInstitutionsMax = 1'000'000;

enum class ItemKind : uint8_t { kLab, kImaging };
// Imaging modalities of the recognised items; kNone for lab items.
enum class Modality : uint8_t { kNone, kXRay, kCt, kMri };
std::string_view ItemKindName(ItemKind k);  // "lab" | "imaging"
std::string_view ModalityName(Modality m);  // "" | "XR" | "CT" | "MR"

// One version of a recognised item. Validity (how long a result stays
// usable) is per-item data with effective dates; the version in force on the
// day of the check applies.
struct ItemVersion {
  int32_t validity_days = 0;  // 1..3650
  Validity effective;         // effective_from (begin) .. effective_to (end, exclusive)
};

struct Item {
  std::string code;          // e.g. "JY01001"; upper-case letters and digits, 1..20
  std::string abbr;          // e.g. "K", "HbA1c", "CT-HEAD"
  std::string name;          // e.g. "钾"
  ItemKind kind = ItemKind::kLab;
  std::string category;      // biochemistry | immunology | blood_cell | other | xray | ct | mri
  Modality modality = Modality::kNone;
  std::string body_part;     // imaging only
  std::string unit;          // lab only: the unit results must be reported in
  std::string catalog_code;  // the catalogue's service code that prices it, or ""
  bool sample = true;        // validity period is a sample value
  std::vector<ItemVersion> versions;  // sorted by begin, never overlapping
};

struct InstitutionRef {
  std::string fixmedins_code;
  std::string admdvs;           // the district where it sits (registry)
  RegionId region = kNoRegion;  // its province, when that province takes part
};

// Where a price came from, for the statistics' explanation.
enum class PriceSource : uint8_t { kNone, kCatalog, kRecognitionData };

struct Price {
  Fen price_fen = 0;
  PriceSource source = PriceSource::kNone;
};

class Book {
 public:
  // ---- building (the loader calls these; each checks its input) ----
  // Every institution of the registry gets an id; its region is its
  // province when that province lists items. Call after all AddListing.
  Status AddItem(Item item);
  Status AddListing(std::string_view province, std::string_view item_code, Validity period);
  Status AddInstitutions(const registry::Registry& registry);
  Status AddQualification(std::string_view fixmedins_code, std::string_view item_code, Validity period);
  Status AddPrice(std::string_view province, std::string_view item_code, Fen price_fen, Validity period);

  // ---- lookups (no allocation) ----
  ItemId FindItem(std::string_view code) const;
  RegionId FindRegion(std::string_view admdvs) const;  // any code of the province: "130503" -> Hebei
  InstitutionId FindInstitution(std::string_view fixmedins_code) const;

  const Item& item(ItemId id) const { return items_[id]; }
  const std::vector<Item>& items() const { return items_; }
  const std::vector<std::string>& regions() const { return regions_; }  // province codes
  const InstitutionRef& institution(InstitutionId id) const { return institutions_[id]; }
  size_t institution_count() const { return institutions_.size(); }

  // The item version in force on `on`, or nullptr.
  const ItemVersion* VersionOn(ItemId item, Date on) const;
  // True when `region` lists `item` on `on`.
  bool Listed(RegionId region, ItemId item, Date on) const;
  // True when the institution is qualified for the item on `on`.
  bool Qualified(InstitutionId institution, ItemId item, Date on) const;
  // The periods (for explanations and tests).
  std::span<const Validity> ListingPeriods(RegionId region, ItemId item) const;
  std::span<const Validity> QualificationPeriods(InstitutionId institution, ItemId item) const;

  // The price of one test of `item` at the treatment place `admdvs` on `on`:
  // the catalogue's price cap of the item's catalog_code when the treatment
  // region lists it with a cap, else this book's own price, else kNone.
  // `catalog` may be null.
  Price PriceOf(const catalog::Catalog* catalog, ItemId item, std::string_view admdvs, Date on) const;

 private:
  static uint64_t Key(uint32_t owner, ItemId item) { return (uint64_t{owner} << 16) | item; }
  static Status AddPeriod(std::unordered_map<uint64_t, std::vector<Validity>>* map, uint64_t key, Validity period,
                          const std::string& what);

  std::vector<Item> items_;
  std::unordered_map<std::string, ItemId> item_index_;
  std::vector<std::string> regions_;
  std::vector<InstitutionRef> institutions_;
  std::unordered_map<std::string, InstitutionId> institution_index_;
  // (region or institution, item) -> periods sorted by begin.
  std::unordered_map<uint64_t, std::vector<Validity>> listings_;
  std::unordered_map<uint64_t, std::vector<Validity>> qualifications_;
  struct PriceVersion {
    Fen price_fen;
    Validity period;
  };
  std::unordered_map<uint64_t, std::vector<PriceVersion>> prices_;  // (region, item)
};

// Parses data/recognition.json (format in data/README.md) into `out`, whose
// institutions come from `registry` (every fixmedins_code must be known).
// Strict like the other loaders: XT-DATA-001 malformed JSON, -002 a field
// missing, mistyped or unknown, -003 a value out of range, -004 a duplicate
// or overlapping period, -005 an unknown reference. A refused document
// leaves `out` as it was.
Status LoadRecognitionJson(std::string_view json_text, const registry::Registry& registry, Book* out);

}  // namespace xt::results
