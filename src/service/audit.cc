#include "service/audit.h"

namespace xt::service {

Result<AuditReport> VerifyAudit(store::Store& store) {
  AuditReport rep;
  XT_RETURN_IF_ERROR(store.Read([&](store::ReadTxn& txn) -> Status {
    auto problem = [&](std::string p) {
      if (rep.problems.size() < AuditReport::kProblemsMax) rep.problems.push_back(std::move(p));
    };
    XT_ASSIGN_OR_RETURN(auto head, txn.GetMeta("audit_head"));
    int64_t expect_seq = 1;
    std::string prev = store::kAuditGenesis;
    XT_RETURN_IF_ERROR(txn.access().ForEachAudit(1, [&](const store::AuditRow& r) {
      const std::string at = "audit record " + std::to_string(r.seq);
      if (r.seq != expect_seq) {
        problem(at + ": expected record " + std::to_string(expect_seq) + " (records deleted or inserted)");
      }
      if (r.prev_hash != prev) problem(at + ": does not chain to the record before it");
      if (store::AuditHash(r.prev_hash, r) != r.hash) problem(at + ": its content does not match its hash (edited)");
      prev = r.hash;
      expect_seq = r.seq + 1;
      ++rep.records;
      rep.head_seq = r.seq;
      rep.head_hash = r.hash;
      return true;
    }));
    if (!head) {
      if (rep.records > 0) problem("the audit log has records but no head in meta");
      return Status::Ok();
    }
    const std::string want = std::to_string(rep.head_seq) + " " + rep.head_hash;
    if (*head != want) {
      problem("the head in meta (" + *head + ") is not the last record (" +
              (rep.records ? want : std::string("none")) + "): records deleted at the end, or the head edited");
    }
    return Status::Ok();
  }));
  return rep;
}

Result<std::vector<store::AuditRow>> ReadAudit(store::Store& store, int64_t from_seq, int64_t limit) {
  std::vector<store::AuditRow> out;
  XT_RETURN_IF_ERROR(store.Read([&](store::ReadTxn& txn) {
    return txn.access().ForEachAudit(from_seq, [&](const store::AuditRow& r) {
      out.push_back(r);
      return static_cast<int64_t>(out.size()) < limit;
    });
  }));
  return out;
}

}  // namespace xt::service
