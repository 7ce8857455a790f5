// Stable error codes of mutual recognition of results (docs/results.md lists
// every code with its meaning; never renumber or reuse one). Messages are for
// the client: plain words, no internal names. Reference-data errors use the
// loaders' XT-DATA-00x codes.
#pragma once

#include <string>

#include "core/status.h"

namespace xt::results::err {

inline Status AccessDenied() {
  return Status::Error("XT-RES-001", "access refused: this institution has no open visit of this patient");
}
inline Status UnknownItem(const std::string& code) {
  return Status::Error("XT-RES-002", "unknown recognised item: " + code);
}
inline Status UnknownInstitution(const std::string& code) {
  return Status::Error("XT-RES-003", "unknown institution: " + code);
}
inline Status BadResult(const std::string& m) { return Status::Error("XT-RES-004", m); }
inline Status TooMany(const std::string& what, size_t max) {
  return Status::Error("XT-RES-005", what + " has more than " + std::to_string(max) + " entries");
}
inline Status BadDecision(const std::string& m) { return Status::Error("XT-RES-006", m); }
inline Status DecisionResultMismatch(const std::string& m) { return Status::Error("XT-RES-007", m); }
inline Status NotRecognised(const std::string& m) { return Status::Error("XT-RES-008", m); }
inline Status BadRegion(const std::string& code) {
  return Status::Error("XT-RES-009", "not a region code: " + code);
}

inline Status ResultIdReused(const std::string& id) {
  return Status::Error("XT-RES-010", "result_id " + id + " was already published with a different body");
}
inline Status DecisionIdReused(const std::string& id) {
  return Status::Error("XT-RES-011", "decision_id " + id + " was already recorded with a different body");
}

}  // namespace xt::results::err
