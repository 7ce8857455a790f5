// The states of a visit (就诊) and the moves between them. The store keeps
// the state as its name ("registered"); the service reads it with
// ParseVisitState and asks CanMove before it writes another.
//
//   2201 registers an outpatient visit      -> registered
//   2401 admits a patient                   -> admitted
//   2402 discharges            admitted     -> discharged
//   2405 undoes the discharge  discharged   -> admitted
//   2207 / 2304 settle         registered, discharged -> settled
//   2208 / 2305 reverse        settled      -> registered (outpatient), discharged (a stay)
//   2202 / 2601 cancel         registered   -> cancelled
//   2404 cancels a stay        admitted     -> cancelled
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace xt::settle {

enum class VisitState : uint8_t { kRegistered, kAdmitted, kDischarged, kSettled, kCancelled };

constexpr std::string_view ToString(VisitState s) {
  switch (s) {
    case VisitState::kRegistered: return "registered";
    case VisitState::kAdmitted: return "admitted";
    case VisitState::kDischarged: return "discharged";
    case VisitState::kSettled: return "settled";
    case VisitState::kCancelled: return "cancelled";
  }
  return "";
}

constexpr std::optional<VisitState> ParseVisitState(std::string_view name) {
  for (VisitState s : {VisitState::kRegistered, VisitState::kAdmitted, VisitState::kDischarged, VisitState::kSettled,
                       VisitState::kCancelled}) {
    if (ToString(s) == name) return s;
  }
  return std::nullopt;
}

// Open: fees may still be uploaded and the visit settled (a stay once
// discharged; 2303 estimates it while admitted).
constexpr bool IsOpen(VisitState s) {
  return s == VisitState::kRegistered || s == VisitState::kAdmitted || s == VisitState::kDischarged;
}

// The state a new visit starts in: a stay (med_type 2x) is admitted, any
// other visit registered.
constexpr VisitState StateAtRegistration(bool inpatient) {
  return inpatient ? VisitState::kAdmitted : VisitState::kRegistered;
}

// The state a reversed settlement gives its visit back.
constexpr VisitState StateAfterReversal(bool inpatient) {
  return inpatient ? VisitState::kDischarged : VisitState::kRegistered;
}

// The moves of the table above, and no other.
constexpr bool CanMove(VisitState from, VisitState to) {
  using enum VisitState;
  switch (from) {
    case kRegistered: return to == kSettled || to == kCancelled;
    case kAdmitted: return to == kDischarged || to == kCancelled;
    case kDischarged: return to == kAdmitted || to == kSettled;
    case kSettled: return to == kRegistered || to == kDischarged;
    case kCancelled: return false;
  }
  return false;
}

}  // namespace xt::settle
