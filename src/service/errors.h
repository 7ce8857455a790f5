// Stable error codes of the service (docs/errors.md lists every code with
// its meaning; never renumber or reuse one). Messages are for the client:
// plain words, no internal names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace xt::service::err {

// Envelope
inline Status MalformedJson(std::string d) { return Status::Error("XT-ENV-001", "the request is not valid JSON", std::move(d)); }
inline Status BadEnvelope(const std::string& m) { return Status::Error("XT-ENV-002", m); }
inline Status UnknownInfno(const std::string& infno) {
  return Status::Error("XT-ENV-003", "unknown or unsupported transaction code: " + infno);
}
inline Status BadMsgid(const std::string& m) { return Status::Error("XT-ENV-004", m); }
inline Status UnknownInstitution(const std::string& code) {
  return Status::Error("XT-ENV-005", "unknown designated institution: " + code);
}
inline Status MsgidReused() {
  return Status::Error("XT-ENV-006", "this msgid was already used for a different request; use a new msgid");
}
inline Status WrongRegion(const std::string& m) { return Status::Error("XT-ENV-007", m); }
inline Status Redone(const std::string& msgid) {
  return Status::Error("XT-ENV-010", "message " + msgid + " was reversed with 2601 before it arrived; it has no effect");
}
inline Status UrlInfnoMismatch(std::string_view url_infno, const std::string& infno) {
  return Status::Error("XT-ENV-011", "the URL names transaction " + std::string(url_infno) + " but the envelope's infno is " + infno);
}
inline Status MessageOfOther() { return Status::Error("XT-ENV-009", "omsgid is not a message of this institution"); }
// Credentials, roles and sign-in
inline Status NoCredential() {
  return Status::Error("XT-AUTH-001", "a credential is required: Authorization: Bearer <api key>");
}
inline Status RoleNotAllowed(const std::string& m) { return Status::Error("XT-AUTH-003", m); }
inline Status OutOfScope(const std::string& m) { return Status::Error("XT-AUTH-004", m); }
inline Status SignInRequired() {
  return Status::Error("XT-AUTH-005", "sign_no is required: sign in with 9001 first");
}
inline Status SignInUnknown() {
  return Status::Error("XT-AUTH-005", "sign_no is not an open sign-in of this institution; sign in with 9001");
}
inline Status SignInClosed() { return Status::Error("XT-AUTH-005", "this sign_no was signed out; sign in with 9001"); }
// Staff accounts and sessions (service/accounts.h)
inline Status WrongNameOrPassword() { return Status::Error("XT-AUTH-008", "wrong user name or password"); }
inline Status AccountLocked(int64_t retry_after_s) {
  return Status::Error("XT-AUTH-009", "too many failed sign-ins: try again in " +
                                          std::to_string((retry_after_s + 59) / 60) + " minute(s)");
}
inline Status CsrfMismatch() {
  return Status::Error("XT-AUTH-010", "this change needs the X-CSRF-Token header of the session");
}
inline Status SessionEnded() {
  return Status::Error("XT-AUTH-011", "the session has ended (signed out, or idle too long): sign in again");
}
inline Status WeakPassword(size_t chars_min) {
  return Status::Error("XT-AUTH-012", "the password must have at least " + std::to_string(chars_min) + " characters");
}
inline Status AccountNameTaken(const std::string& name) {
  return Status::Error("XT-AUTH-013", "there is already an account named " + name);
}
inline Status NoSuchAccount(const std::string& name) { return Status::Error("XT-AUTH-014", "no account named " + name); }
inline Status BadAccount(const std::string& m) { return Status::Error("XT-AUTH-015", m); }
inline Status SessionsFull() {
  return Status::Error("XT-AUTH-016", "the server cannot open a session now; try again in a moment");
}
inline Status DutyNotAllowed(const std::string& m) { return Status::Error("XT-AUTH-017", m); }
// Input fields
inline Status MissingField(const std::string& path) { return Status::Error("XT-INP-001", path + " is required"); }
inline Status BadField(const std::string& path, const std::string& why) {
  return Status::Error("XT-INP-002", path + " " + why);
}
inline Status TooMany(const std::string& path, size_t max) {
  return Status::Error("XT-INP-003", path + " has more than " + std::to_string(max) + " entries");
}
// Persons
inline Status PersonNotFound() { return Status::Error("XT-PSN-001", "no insured person matches this certificate"); }
inline Status NotInsured(const std::string& m) { return Status::Error("XT-PSN-002", m); }
inline Status UnsupportedCert(const std::string& t) {
  return Status::Error("XT-PSN-003", "this certificate type is not supported here: " + t);
}
// Visits
inline Status VisitNotFound() { return Status::Error("XT-VIS-001", "no visit with this mdtrt_id"); }
inline Status VisitOfOther() { return Status::Error("XT-VIS-002", "this visit belongs to another institution"); }
inline Status VisitState(const std::string& m) { return Status::Error("XT-VIS-003", m); }
inline Status VisitPerson() { return Status::Error("XT-VIS-004", "psn_no does not match the visit"); }
inline Status VisitKind(const std::string& m) { return Status::Error("XT-VIS-005", m); }
inline Status AlreadyAdmitted(const std::string& m) { return Status::Error("XT-VIS-006", m); }
inline Status MedTypeMismatch(const std::string& sent, const std::string& visit, bool inpatient) {
  return Status::Error("XT-VIS-007", "med_type " + sent + " is not the visit's (" + visit + "): change it with " +
                                         (inpatient ? "2403" : "2203") + " first");
}
// Fee details
inline Status FeeLineInvalid(const std::string& m) { return Status::Error("XT-FEE-001", m); }
inline Status ItemNotListed(const std::string& code) {
  return Status::Error("XT-FEE-002", "item " + code + " is not in the treatment place's catalogue on that date");
}
inline Status FeeLineDuplicate(const std::string& sn) {
  return Status::Error("XT-FEE-003", "fee detail " + sn + " was already uploaded for this visit");
}
inline Status FeeAmountNotCntTimesPric(const std::string& path, const std::string& got, const std::string& expected) {
  return Status::Error("XT-FEE-001", path + " " + got + " is not cnt x pric rounded to the fen (" + expected + ")");
}
inline Status RefundExceedsCharges(const std::string& code) {
  return Status::Error("XT-FEE-005", "refund lines of item " + code +
                                         " exceed what the visit was charged for it; upload the charge first, or "
                                         "reverse the settlement that holds it");
}
inline Status FeeLineNotFound(const std::string& sn) {
  return Status::Error("XT-FEE-004", "no active fee detail " + sn + " for this visit");
}
// Settlements
inline Status AlreadySettled() { return Status::Error("XT-SETL-004", "this visit is already settled; reverse it first"); }
inline Status SettlementNotFound() { return Status::Error("XT-SETL-005", "no settlement with this setl_id for this visit"); }
inline Status AlreadyReversed() { return Status::Error("XT-SETL-006", "this settlement was already reversed"); }
inline Status TotalMismatch(const std::string& m) { return Status::Error("XT-SETL-007", m); }
inline Status NoFeeLines() { return Status::Error("XT-SETL-008", "the visit has no fee details to settle"); }
// Files (9101/9102)
inline Status FileInvalid(const std::string& m) { return Status::Error("XT-FILE-001", m); }
inline Status FileNotFound(const std::string& no) {
  return Status::Error("XT-FILE-002", "no file " + no + " of this institution");
}
// Filings (2501/2502)
inline Status FilingInvalid(const std::string& m) { return Status::Error("XT-FIL-001", m); }
inline Status FilingNotFound() {
  return Status::Error("XT-FIL-002", "no filing with this trt_dcla_detl_sn for this person made by this institution");
}
inline Status BatchNotWhole(const std::string& named, const std::string& held) {
  return Status::Error("XT-SETL-011", "chrg_bchno " + named + " is not the visit's whole: it holds batch(es) " + held +
                                          "; a visit settles all its batches at once (send chrg_bchno empty or "
                                          "0000), or cancel the others with 2205 first");
}
inline Status ReversalNotLatest(const std::string& later) {
  return Status::Error("XT-SETL-010", "a later settlement of this person in the same year (" + later +
                                          ") counted on this one's deductible and caps: reverse it first, then "
                                          "this one, then settle again in order");
}
inline Status SettlementOfOther() { return Status::Error("XT-SETL-009", "this settlement belongs to another institution"); }

// The cashier's counter (service/counter_service.h)
inline Status CounterBadField(const std::string& m) { return Status::Error("XT-CTR-001", m); }
inline Status CounterIdempotencyKey(size_t bytes_max) {
  return Status::Error("XT-CTR-002", "this request needs an Idempotency-Key header of 1 to " +
                                         std::to_string(bytes_max) + " printable characters, one per click");
}
inline Status CounterVisitNotFound() { return Status::Error("XT-CTR-003", "no visit with this mdtrt_id here"); }
inline Status CounterState(const std::string& m) { return Status::Error("XT-CTR-004", m); }
inline Status CounterSettlementNotFound() {
  return Status::Error("XT-CTR-005", "no settlement with this setl_id here");
}
inline Status CounterBadDay(const std::string& day) {
  return Status::Error("XT-CTR-006", "stmt_date must be a day yyyy-MM-dd, today or before: " + day.substr(0, 20));
}

// The operator's checks (service/operator_service.h)
inline Status CheckRunning(const std::string& what) {
  return Status::Error("XT-OPS-001", what + " is already running: wait for its result");
}

}  // namespace xt::service::err
