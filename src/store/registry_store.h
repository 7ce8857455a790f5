// The rows of the registry: persons as the registry serialises them, and the
// reference data (regions, institutions, policies) as loaded.
//
// Thread-safety: as the transaction it comes from (store/txn.h): valid only
// inside the callback the transaction was passed to, on that thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/money.h"
#include "core/status.h"


namespace xt::store {

namespace sql {
class Conn;
}

// A person as the registry serialises it, with the keys we look it up by.
struct PersonRecord {
  std::string psn_no;
  std::string certno;
  std::string card_no;
  std::string body_json;  // registry's person document
};

class RegistryReader {
 public:
  explicit RegistryReader(sql::Conn& conn) : c_(conn) {}

  [[nodiscard]] Result<std::optional<std::string>> GetRefData(std::string_view name);
  [[nodiscard]] Result<std::optional<PersonRecord>> FindPersonByPsnNo(std::string_view psn_no);
  [[nodiscard]] Result<std::optional<PersonRecord>> FindPersonByCertno(std::string_view certno);
  [[nodiscard]] Result<std::optional<PersonRecord>> FindPersonByCardNo(std::string_view card_no);
  [[nodiscard]] Result<int64_t> CountPersons();

 protected:
  sql::Conn& c_;
};

class RegistryWriter : public RegistryReader {
 public:
  using RegistryReader::RegistryReader;

  [[nodiscard]] Status PutRefData(std::string_view name, std::string_view body);
  [[nodiscard]] Status InsertPerson(const PersonRecord& person);
};

// The tables' schema (sql.h's dialect), created on every opening.
extern const char kRegistrySchema[];

}  // namespace xt::store
