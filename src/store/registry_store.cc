// The statements of the registry: persons as the registry serialises them, and the
// reference data (regions, institutions, policies) as loaded.
#include "store/registry_store.h"

#include "store/sql.h"

namespace xt::store {


const char kRegistrySchema[] = R"SQL(
CREATE TABLE IF NOT EXISTS refdata(name TEXT PRIMARY KEY, body TEXT NOT NULL) CLUSTERED;
CREATE TABLE IF NOT EXISTS persons(
  psn_no TEXT PRIMARY KEY, certno TEXT NOT NULL UNIQUE, card_no TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS persons_card ON persons(card_no);
)SQL";

// ---- reads

Result<std::optional<std::string>> RegistryReader::GetRefData(std::string_view name) {
  return c_.One<std::string>(
      "SELECT body FROM refdata WHERE name = ?", [&](sql::Stmt& s) { s.Bind(1, name); },
      [](const sql::Stmt& s) { return s.Text(0); });
}

static PersonRecord ReadPerson(const sql::Stmt& s) { return PersonRecord{s.Text(0), s.Text(1), s.Text(2), s.Text(3)}; }

Result<std::optional<PersonRecord>> RegistryReader::FindPersonByPsnNo(std::string_view psn_no) {
  return c_.One<PersonRecord>("SELECT psn_no, certno, card_no, body FROM persons WHERE psn_no = ?",
                           [&](sql::Stmt& s) { s.Bind(1, psn_no); }, ReadPerson);
}

Result<std::optional<PersonRecord>> RegistryReader::FindPersonByCertno(std::string_view certno) {
  return c_.One<PersonRecord>("SELECT psn_no, certno, card_no, body FROM persons WHERE certno = ?",
                           [&](sql::Stmt& s) { s.Bind(1, certno); }, ReadPerson);
}

Result<std::optional<PersonRecord>> RegistryReader::FindPersonByCardNo(std::string_view card_no) {
  return c_.One<PersonRecord>("SELECT psn_no, certno, card_no, body FROM persons WHERE card_no = ? LIMIT 1",
                           [&](sql::Stmt& s) { s.Bind(1, card_no); }, ReadPerson);
}

Result<int64_t> RegistryReader::CountPersons() { return c_.Count("SELECT count(*) FROM persons"); }


// ---- writes

Status RegistryWriter::PutRefData(std::string_view name, std::string_view body) {
  return c_.Exec("INSERT INTO refdata(name, body) VALUES(?, ?) ON CONFLICT(name) DO UPDATE SET body = excluded.body",
              [&](sql::Stmt& s) { s.Bind(1, name).Bind(2, body); });
}

Status RegistryWriter::InsertPerson(const PersonRecord& p) {
  return c_.Exec("INSERT INTO persons(psn_no, certno, card_no, body) VALUES(?, ?, ?, ?)",
              [&](sql::Stmt& s) { s.Bind(1, p.psn_no).Bind(2, p.certno).Bind(3, p.card_no).Bind(4, p.body_json); });
}


}  // namespace xt::store
