// What every storage backend shares: the audit log's chain hash.
#include "store/store.h"

#include "core/crypto.h"

namespace xt::store {

std::string AuditHash(std::string_view prev_hash, const AuditRow& row) {
  // Each field is written as its length, ':' and its bytes, so that no two
  // different records (or field splits) hash the same text.
  std::string text;
  text.reserve(256);
  auto put = [&](std::string_view field) {
    text += std::to_string(field.size());
    text += ':';
    text += field;
  };
  put(prev_hash);
  put(std::to_string(row.seq));
  put(std::to_string(row.time));
  put(row.actor);
  put(row.role);
  put(row.action);
  put(row.subject);
  put(row.outcome);
  put(row.detail);
  return crypto::HashHex(text);
}

}  // namespace xt::store
