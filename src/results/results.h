// Examination and test results, the HR mark, and the doctor's check before
// ordering (检查检验结果互认): pure functions over plain structs. The store
// keeps the records and supplies a patient's results; nothing here does I/O.
//
// The rules (docs/results.md):
//  - HR mark: a result carries it when, on the day of the test (the specimen
//    or study time), the item was listed in the region of the institution
//    that made it and that institution was qualified for the item.
//  - Recognised at a treatment place at moment `at`: it carries the HR mark,
//    the treatment region lists the item on the day of `at`, it was reported
//    by `at`, and it is still valid: at < taken_at + validity_days * 86400 s
//    (validity of the item version in force on the day of `at`). At exactly
//    taken_at + validity it has expired.
//
// The check is the hot path (many per second per node): results are first
// interned once into ResultKey (small integers), and Check writes into a
// caller-owned CheckAnswer whose vectors keep their capacity, so a warmed-up
// check allocates nothing. Everything here is safe to call from any number of
// threads on a shared const Book; a CheckAnswer belongs to one thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/status.h"
#include "results/book.h"

namespace xt::results {

inline constexpr size_t kCheckItemsMax = 64;        // items asked in one check
inline constexpr size_t kCheckResultsMax = 10'000;  // results of one patient given to one check
inline constexpr size_t kResultIdBytesMax = 64;
inline constexpr size_t kValueBytesMax = 64;
inline constexpr size_t kReferenceRangeBytesMax = 128;
inline constexpr size_t kFindingsBytesMax = 16 * 1024;
inline constexpr size_t kImageRefBytesMax = 512;

// What every result has, lab or imaging.
struct ResultHeader {
  std::string result_id;       // unique per reporting institution; 1..64 printable ASCII
  std::string psn_no;          // the patient
  std::string fixmedins_code;  // the institution that made the test
  std::string item_code;       // a recognised item (Book)
  LocalSeconds taken_at = 0;   // specimen time (lab) or study time (imaging)
  LocalSeconds reported_at = 0;  // report time; not before taken_at
};

struct LabResult {
  ResultHeader header;
  std::string value;            // as reported: "4.12", "阴性", "<0.05"
  std::string unit;             // must equal the item's unit
  std::string reference_range;  // as reported: "3.5-5.3"
};

struct ImagingReport {
  ResultHeader header;
  Modality modality = Modality::kNone;  // must equal the item's
  std::string body_part;                // must equal the item's
  std::string findings;                 // 所见, free text; the conclusion is not recognised, only the result
  std::string image_ref;                // where the images are: a URI or a DICOM study instance UID
};

// Field checks against the book (item known and of the right kind, unit or
// modality and body part matching, times in order, bounded text).
// XT-RES-002 unknown item, -003 unknown institution, -004 a bad field.
Status ValidateLabResult(const Book& book, const LabResult& r);
Status ValidateImagingReport(const Book& book, const ImagingReport& r);

// Why a result does or does not carry the HR mark.
enum class Origin : uint8_t {
  kMarked,             // listed at the origin and the institution qualified on the test day
  kOutsideAgreement,   // the institution's province lists no recognised items
  kNotListedAtOrigin,  // the origin region did not list the item on the test day
  kNotQualified,       // the institution was not qualified for the item on the test day
};
std::string_view OriginName(Origin o);
Origin OriginOf(const Book& book, InstitutionId institution, ItemId item, LocalSeconds taken_at);

// A result as the check sees it: interned ids and times. Made once per
// result (when it is stored or loaded) by Intern; valid for the Book it was
// made from.
struct ResultKey {
  LocalSeconds taken_at = 0;
  LocalSeconds reported_at = 0;
  InstitutionId institution = kNoInstitution;
  ItemId item = kNoItem;
  Origin origin = Origin::kNotQualified;
  bool HrMark() const { return origin == Origin::kMarked; }
};
// XT-RES-002 unknown item, -003 unknown institution, -004 reported before taken.
Result<ResultKey> Intern(const Book& book, const ResultHeader& h);

// Why an item has no recognised result (kNone: it has at least one).
enum class Refusal : uint8_t {
  kNone,
  kNotListedHere,      // the treatment region does not list the item on that day
  kNoResult,           // the patient has no result of the item
  kExpired,            // HR-marked results exist, but all are past their validity
  kNotQualified,       // results exist, but their institutions were not qualified on the test day
  kNotListedAtOrigin,  // results exist, but the item was not listed where they were made
  kOutsideAgreement,   // results exist, but from institutions outside the taking-part regions
  kNotYetReported,     // results exist, but none was reported by the moment of the check
};
std::string_view RefusalName(Refusal r);  // "expired", "not_qualified", ...

struct CheckRequest {
  std::span<const ItemId> items;  // 1..kCheckItemsMax; repeats are answered twice
  LocalSeconds at = 0;            // the moment of the check
  RegionId treatment = kNoRegion; // Book::FindRegion of the treatment place; kNoRegion: lists nothing
};

// A recognised result of one item: why it counts is that it is HR-marked
// (origin kMarked), listed here on the day, reported, and valid until
// expires_at (exclusive).
struct Accepted {
  uint32_t result_index = 0;  // into the results given to Check
  LocalSeconds expires_at = 0;
};

struct ItemAnswer {
  ItemId item = kNoItem;
  Refusal refusal = Refusal::kNone;
  uint32_t accepted_begin = 0;  // into CheckAnswer::accepted, newest first
  uint32_t accepted_count = 0;
  // When refused with results present: the newest result that came closest
  // (got furthest through the rules), for the explanation; else -1.
  int32_t closest_index = -1;
  LocalSeconds closest_expires_at = 0;  // for kExpired: when it expired
};

// Reused across checks: Check clears it but keeps the capacity.
struct CheckAnswer {
  std::vector<ItemAnswer> items;    // in the order asked
  std::vector<Accepted> accepted;   // grouped by item, newest first within an item
  std::span<const Accepted> AcceptedOf(const ItemAnswer& a) const {
    return std::span<const Accepted>(accepted).subspan(a.accepted_begin, a.accepted_count);
  }
};

// The doctor's check before ordering: for each item asked, the patient's
// results that the treatment region recognises at `at`, newest first (by
// taken_at, then reported_at, then input order), or the reason there are
// none. `results` are the patient's results (the store supplies them, any
// order). XT-RES-005 when more than kCheckItemsMax items or
// kCheckResultsMax results are given.
Status Check(const Book& book, std::span<const ResultKey> results, const CheckRequest& request, CheckAnswer* out);

// The same for one result and one moment: kNone when it is recognised
// (then *expires_at is set), else why not. Check is this rule applied to
// every result of each item.
Refusal Evaluate(const Book& book, const ResultKey& r, LocalSeconds at, RegionId treatment, LocalSeconds* expires_at);

// Plain-language explanations for the doctor (not on the hot path).
std::string ExplainAccepted(const Book& book, const ResultKey& r, const Accepted& a, RegionId treatment);
std::string ExplainRefusal(const Book& book, const ItemAnswer& a, std::span<const ResultKey> results,
                           RegionId treatment);

}  // namespace xt::results
