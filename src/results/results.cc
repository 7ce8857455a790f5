// Result records, the HR mark and the doctor's check (see results.h). The
// check's loop works on interned integers; strings appear only in
// validation, interning and explanations.
#include "results/results.h"

#include "results/errors.h"

namespace xt::results {

namespace {

constexpr int64_t kSecondsPerDay = 86400;

bool PrintableAscii(std::string_view s) {
  for (char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

Status ValidateHeader(const Book& book, const ResultHeader& h, ItemKind kind, ItemId* item) {
  if (h.result_id.empty() || h.result_id.size() > kResultIdBytesMax || !PrintableAscii(h.result_id)) {
    return err::BadResult("result_id must be 1 to 64 printable ASCII characters without spaces");
  }
  if (h.psn_no.empty() || h.psn_no.size() > 30) return err::BadResult("psn_no must be 1 to 30 characters");
  if (book.FindInstitution(h.fixmedins_code) == kNoInstitution) return err::UnknownInstitution(h.fixmedins_code);
  *item = book.FindItem(h.item_code);
  if (*item == kNoItem) return err::UnknownItem(h.item_code);
  if (book.item(*item).kind != kind) {
    return err::BadResult("item " + h.item_code + " is not " +
                          (kind == ItemKind::kLab ? std::string("a lab item") : std::string("an imaging item")));
  }
  if (h.reported_at < h.taken_at) return err::BadResult("the report time is before the specimen or study time");
  return Status::Ok();
}

// Higher is closer to being recognised; used to pick the refusal to report.
int Closeness(Refusal r) {
  switch (r) {
    case Refusal::kExpired: return 4;
    case Refusal::kNotQualified: return 3;
    case Refusal::kNotListedAtOrigin: return 2;
    case Refusal::kOutsideAgreement: return 1;
    case Refusal::kNotYetReported: return 0;
    default: return -1;
  }
}

Refusal RefusalOf(Origin o) {
  switch (o) {
    case Origin::kMarked: return Refusal::kNone;
    case Origin::kOutsideAgreement: return Refusal::kOutsideAgreement;
    case Origin::kNotListedAtOrigin: return Refusal::kNotListedAtOrigin;
    case Origin::kNotQualified: return Refusal::kNotQualified;
  }
  return Refusal::kNotQualified;
}

// The per-result rule once the treatment side (listing, version) is known.
Refusal EvaluateAgainst(const ResultKey& r, LocalSeconds at, int32_t validity_days, LocalSeconds* expires_at) {
  *expires_at = r.taken_at + int64_t{validity_days} * kSecondsPerDay;
  if (r.reported_at > at) return Refusal::kNotYetReported;
  if (r.origin != Origin::kMarked) return RefusalOf(r.origin);
  if (at >= *expires_at) return Refusal::kExpired;
  return Refusal::kNone;
}

// a before b in the answer: newer taken_at, then newer reported_at, then input order.
bool Newer(const ResultKey& a, uint32_t ai, const ResultKey& b, uint32_t bi) {
  if (a.taken_at != b.taken_at) return a.taken_at > b.taken_at;
  if (a.reported_at != b.reported_at) return a.reported_at > b.reported_at;
  return ai < bi;
}

}  // namespace

Status ValidateLabResult(const Book& book, const LabResult& r) {
  ItemId item = kNoItem;
  XT_RETURN_IF_ERROR(ValidateHeader(book, r.header, ItemKind::kLab, &item));
  if (r.value.empty() || r.value.size() > kValueBytesMax) return err::BadResult("value must be 1 to 64 bytes");
  if (r.unit != book.item(item).unit) {
    return err::BadResult("unit of " + r.header.item_code + " must be " + book.item(item).unit);
  }
  if (r.reference_range.size() > kReferenceRangeBytesMax) {
    return err::BadResult("reference_range must be at most 128 bytes");
  }
  return Status::Ok();
}

Status ValidateImagingReport(const Book& book, const ImagingReport& r) {
  ItemId item = kNoItem;
  XT_RETURN_IF_ERROR(ValidateHeader(book, r.header, ItemKind::kImaging, &item));
  const Item& it = book.item(item);
  if (r.modality != it.modality) {
    return err::BadResult("modality of " + r.header.item_code + " must be " + std::string(ModalityName(it.modality)));
  }
  if (r.body_part != it.body_part) return err::BadResult("body_part of " + r.header.item_code + " must be " + it.body_part);
  if (r.findings.empty() || r.findings.size() > kFindingsBytesMax) {
    return err::BadResult("findings must be 1 to 16384 bytes");
  }
  if (r.image_ref.empty() || r.image_ref.size() > kImageRefBytesMax || !PrintableAscii(r.image_ref)) {
    return err::BadResult("image_ref must be 1 to 512 printable ASCII characters");
  }
  return Status::Ok();
}

std::string_view OriginName(Origin o) {
  switch (o) {
    case Origin::kMarked: return "marked";
    case Origin::kOutsideAgreement: return "outside_agreement";
    case Origin::kNotListedAtOrigin: return "not_listed_at_origin";
    case Origin::kNotQualified: return "not_qualified";
  }
  return "?";
}

Origin OriginOf(const Book& book, InstitutionId institution, ItemId item, LocalSeconds taken_at) {
  if (institution == kNoInstitution || book.institution(institution).region == kNoRegion) {
    return Origin::kOutsideAgreement;
  }
  const Date day = DateOf(taken_at);
  if (!book.Listed(book.institution(institution).region, item, day)) return Origin::kNotListedAtOrigin;
  if (!book.Qualified(institution, item, day)) return Origin::kNotQualified;
  return Origin::kMarked;
}

Result<ResultKey> Intern(const Book& book, const ResultHeader& h) {
  ResultKey k;
  k.item = book.FindItem(h.item_code);
  if (k.item == kNoItem) return err::UnknownItem(h.item_code);
  k.institution = book.FindInstitution(h.fixmedins_code);
  if (k.institution == kNoInstitution) return err::UnknownInstitution(h.fixmedins_code);
  if (h.reported_at < h.taken_at) return err::BadResult("the report time is before the specimen or study time");
  k.taken_at = h.taken_at;
  k.reported_at = h.reported_at;
  k.origin = OriginOf(book, k.institution, k.item, h.taken_at);
  return k;
}

std::string_view RefusalName(Refusal r) {
  switch (r) {
    case Refusal::kNone: return "recognised";
    case Refusal::kNotListedHere: return "not_listed_here";
    case Refusal::kNoResult: return "no_result";
    case Refusal::kExpired: return "expired";
    case Refusal::kNotQualified: return "not_qualified";
    case Refusal::kNotListedAtOrigin: return "not_listed_at_origin";
    case Refusal::kOutsideAgreement: return "outside_agreement";
    case Refusal::kNotYetReported: return "not_yet_reported";
  }
  return "?";
}

Refusal Evaluate(const Book& book, const ResultKey& r, LocalSeconds at, RegionId treatment, LocalSeconds* expires_at) {
  const Date day = DateOf(at);
  const ItemVersion* version = book.VersionOn(r.item, day);
  if (version == nullptr || !book.Listed(treatment, r.item, day)) return Refusal::kNotListedHere;
  return EvaluateAgainst(r, at, version->validity_days, expires_at);
}

Status Check(const Book& book, std::span<const ResultKey> results, const CheckRequest& request, CheckAnswer* out) {
  if (request.items.size() > kCheckItemsMax) return err::TooMany("the check's item list", kCheckItemsMax);
  if (results.size() > kCheckResultsMax) return err::TooMany("the patient's result list", kCheckResultsMax);
  out->items.clear();
  out->accepted.clear();
  const Date day = DateOf(request.at);
  for (const ItemId item : request.items) {
    ItemAnswer a;
    a.item = item;
    a.accepted_begin = static_cast<uint32_t>(out->accepted.size());
    const ItemVersion* version = book.VersionOn(item, day);
    if (version == nullptr || !book.Listed(request.treatment, item, day)) {
      a.refusal = Refusal::kNotListedHere;
      out->items.push_back(a);
      continue;
    }
    bool any = false;
    int best = -1;
    for (uint32_t i = 0; i < results.size(); ++i) {
      const ResultKey& r = results[i];
      if (r.item != item) continue;
      any = true;
      LocalSeconds expires_at = 0;
      const Refusal why = EvaluateAgainst(r, request.at, version->validity_days, &expires_at);
      if (why == Refusal::kNone) {
        // Insert newest first (a patient has few results of one item).
        out->accepted.push_back({i, expires_at});
        size_t j = out->accepted.size() - 1;
        while (j > a.accepted_begin && Newer(r, i, results[out->accepted[j - 1].result_index], out->accepted[j - 1].result_index)) {
          std::swap(out->accepted[j], out->accepted[j - 1]);
          --j;
        }
        ++a.accepted_count;
        continue;
      }
      const int closeness = Closeness(why);
      if (closeness > best || (closeness == best && Newer(r, i, results[static_cast<uint32_t>(a.closest_index)],
                                                          static_cast<uint32_t>(a.closest_index)))) {
        best = closeness;
        a.refusal = why;
        a.closest_index = static_cast<int32_t>(i);
        a.closest_expires_at = expires_at;
      }
    }
    if (a.accepted_count > 0) {
      a.refusal = Refusal::kNone;
      a.closest_index = -1;
      a.closest_expires_at = 0;
    } else if (!any) {
      a.refusal = Refusal::kNoResult;
    }
    out->items.push_back(a);
  }
  return Status::Ok();
}

std::string ExplainAccepted(const Book& book, const ResultKey& r, const Accepted& a, RegionId treatment) {
  const Item& item = book.item(r.item);
  const InstitutionRef& inst = book.institution(r.institution);
  std::string s = item.abbr + " of " + FormatLocalTime(r.taken_at) + " at " + inst.fixmedins_code +
                  ": HR-marked (listed in " + book.regions()[inst.region] + " and the institution qualified on " +
                  DateOf(r.taken_at).ToString() + "), recognised in ";
  s += treatment == kNoRegion ? std::string("?") : book.regions()[treatment];
  s += ", valid until " + FormatLocalTime(a.expires_at) + " (exclusive)";
  return s;
}

std::string ExplainRefusal(const Book& book, const ItemAnswer& a, std::span<const ResultKey> results,
                           RegionId treatment) {
  const std::string name = a.item < book.items().size() ? book.item(a.item).abbr : std::string("?");
  const std::string here = treatment == kNoRegion ? std::string("this region") : book.regions()[treatment];
  const ResultKey* r = a.closest_index >= 0 && static_cast<size_t>(a.closest_index) < results.size()
                           ? &results[static_cast<size_t>(a.closest_index)]
                           : nullptr;
  const std::string when = r ? " (newest: " + FormatLocalTime(r->taken_at) + " at " +
                                   book.institution(r->institution).fixmedins_code + ")"
                             : std::string();
  switch (a.refusal) {
    case Refusal::kNone: return name + ": recognised";
    case Refusal::kNotListedHere: return name + ": not a recognised item in " + here + " on this day";
    case Refusal::kNoResult: return name + ": no result of this item";
    case Refusal::kExpired:
      return name + ": the newest recognised result expired at " + FormatLocalTime(a.closest_expires_at) + when;
    case Refusal::kNotQualified:
      return name + ": the institution was not qualified for this item on the day of the test" + when;
    case Refusal::kNotListedAtOrigin:
      return name + ": the item was not recognised where the test was made, on the day of the test" + when;
    case Refusal::kOutsideAgreement: return name + ": made outside the regions of the agreement" + when;
    case Refusal::kNotYetReported: return name + ": not reported yet at the moment of the check" + when;
  }
  return name;
}

}  // namespace xt::results
