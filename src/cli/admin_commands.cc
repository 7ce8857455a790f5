#include "cli/admin_commands.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/cli_util.h"
#include "core/clock.h"
#include "core/json_writer.h"
#include "service/audit.h"
#include "service/credentials.h"
#include "service/refdata.h"
#include "store/store.h"

namespace xt::cli {

namespace {

void PrintKey(const service::IssuedKey& k, bool as_json) {
  const auto& c = k.credential;
  if (as_json) {
    JsonWriter w;
    w.BeginObject().Field("key_id", c.key_id).Field("role", c.role).Field("scope", c.scope);
    w.Field("label", c.label).Field("api_key", k.api_key).EndObject();
    std::cout << w.str() << "\n";
  } else {
    std::printf("%-8s %-16s %s\n", c.role.c_str(), c.scope.c_str(), k.api_key.c_str());
  }
}

int Issue(const AdminArgs& a) {
  auto store = OpenExistingStore(a.db);
  if (!store.ok()) return Fail(store.status());
  auto ref = service::LoadRefData(**store);
  if (!ref.ok()) return Fail(ref.status());
  const LocalSeconds now = SystemClock::Instance().NowLocal();
  auto role = service::ParseRole(a.role);
  if (!role) return Fail(Status::Error("XT-AUTH-006", "--role must be hospital, agency, resident or admin"));
  std::vector<std::string> scopes;
  if (a.all_institutions) {
    if (*role != service::Role::kHospital) {
      return Fail(Status::Error("XT-AUTH-006", "--all-institutions goes with --role hospital"));
    }
    for (const auto& inst : (*ref)->registry.institutions()) scopes.push_back(inst.fixmedins_code);
  } else {
    if (a.scope.empty()) return Fail(Status::Error("XT-AUTH-006", "--scope is required (or --all-institutions)"));
    scopes.push_back(a.scope);
  }
  if (!a.json) std::printf("Each key is shown once; only its hash is stored.\n");
  for (const auto& scope : scopes) {
    auto k = service::IssueCredential(store->get(), **ref, *role, scope, a.label, now);
    if (!k.ok()) return Fail(k.status());
    PrintKey(*k, a.json);
  }
  return 0;
}

int List(const AdminArgs& a) {
  auto store = OpenExistingStore(a.db);
  if (!store.ok()) return Fail(store.status());
  Status st = (*store)->Read([&](store::ReadTxn& txn) {
    return txn.access().ForEachCredential([&](const store::CredentialRow& c) {
      if (a.json) {
        JsonWriter w;
        w.BeginObject().Field("key_id", c.key_id).Field("role", c.role).Field("scope", c.scope);
        w.Field("label", c.label).Field("created", FormatLocalTime(c.created));
        w.Key("revoked");
        if (c.revoked) w.String(FormatLocalTime(c.revoked));
        else w.Null();
        w.EndObject();
        std::cout << w.str() << "\n";
      } else {
        std::printf("%s  %-8s %-16s %-10s %s%s\n", c.key_id.c_str(), c.role.c_str(), c.scope.c_str(), c.label.c_str(),
                    FormatLocalTime(c.created).c_str(), c.revoked ? "  revoked" : "");
      }
      return true;
    });
  });
  return st.ok() ? 0 : Fail(st);
}

int Revoke(const AdminArgs& a) {
  auto store = OpenExistingStore(a.db);
  if (!store.ok()) return Fail(store.status());
  Status st = service::RevokeCredential(store->get(), a.key_id, SystemClock::Instance().NowLocal());
  if (!st.ok()) return Fail(st);
  std::printf("revoked %s (a running server stops accepting it within %d seconds)\n", a.key_id.c_str(),
              service::Authenticator::kCacheSeconds);
  return 0;
}

int AuditVerify(const AdminArgs& a) {
  auto store = OpenExistingStore(a.db);
  if (!store.ok()) return Fail(store.status());
  auto rep = service::VerifyAudit(**store);
  if (!rep.ok()) return Fail(rep.status());
  if (a.json) {
    JsonWriter w;
    w.BeginObject().Key("ok").Bool(rep->problems.empty()).FieldInt("records", rep->records);
    w.FieldInt("head_seq", rep->head_seq).Field("head_hash", rep->head_hash).Key("problems").BeginArray();
    for (const auto& p : rep->problems) w.String(p);
    w.EndArray().EndObject();
    std::cout << w.str() << "\n";
  } else {
    std::printf("audit log: %lld records, head %lld %s\n", static_cast<long long>(rep->records),
                static_cast<long long>(rep->head_seq), rep->head_hash.c_str());
    for (const auto& p : rep->problems) std::printf("PROBLEM: %s\n", p.c_str());
    std::printf(rep->problems.empty() ? "audit verify: OK\n" : "audit verify: FAILED\n");
  }
  return rep->problems.empty() ? 0 : 1;
}

int AuditList(const AdminArgs& a) {
  auto store = OpenExistingStore(a.db);
  if (!store.ok()) return Fail(store.status());
  auto rows = service::ReadAudit(**store, a.from_seq, a.limit);
  if (!rows.ok()) return Fail(rows.status());
  for (const auto& r : *rows) {
    JsonWriter w;
    w.BeginObject().FieldInt("seq", r.seq).Field("time", FormatLocalTime(r.time)).Field("actor", r.actor);
    w.Field("role", r.role).Field("action", r.action).Field("subject", r.subject).Field("outcome", r.outcome);
    w.Field("detail", r.detail).Field("hash", r.hash).EndObject();
    std::cout << w.str() << "\n";
  }
  return 0;
}

}  // namespace

void AddAdminCommands(CLI::App& app, AdminArgs* a) {
  auto* creds = app.add_subcommand("credentials", "API keys for hospitals, agencies, residents and operators");
  creds->require_subcommand(1);
  auto* issue = creds->add_subcommand("issue", "issue a key (shown once; only its hash is stored)");
  issue->add_option("--db", a->db, "SQLite database file")->capture_default_str();
  issue->add_option("--role", a->role, "hospital | agency | resident | admin")->required();
  issue->add_option("--scope", a->scope, "fixmedins_code | province code (110000) | psn_no | *");
  issue->add_flag("--all-institutions", a->all_institutions, "one hospital key for every institution");
  issue->add_option("--label", a->label, "a note for operators");
  issue->add_flag("--json", a->json, "one JSON object per key");
  auto* list = creds->add_subcommand("list", "list credentials (never their keys)");
  list->add_option("--db", a->db, "SQLite database file")->capture_default_str();
  list->add_flag("--json", a->json, "one JSON object per credential");
  auto* revoke = creds->add_subcommand("revoke", "revoke a key by its key_id");
  revoke->add_option("--db", a->db, "SQLite database file")->capture_default_str();
  revoke->add_option("KEY_ID", a->key_id, "the key_id (second part of the key)")->required();

  auto* audit = app.add_subcommand("audit", "the tamper-evident audit log");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand("verify", "recompute the hash chain; exit 1 when a record was edited or deleted");
  verify->add_option("--db", a->db, "SQLite database file")->capture_default_str();
  verify->add_flag("--json", a->json, "print JSON");
  auto* alist = audit->add_subcommand("list", "print audit records as JSON lines");
  alist->add_option("--db", a->db, "SQLite database file")->capture_default_str();
  alist->add_option("--from", a->from_seq, "first seq")->capture_default_str();
  alist->add_option("--limit", a->limit, "records at most")->capture_default_str()->check(CLI::Range(1, 1000000));
}

int RunAdmin(CLI::App& app, const AdminArgs& a) {
  if (auto* creds = app.get_subcommand("credentials"); creds->parsed()) {
    if (creds->get_subcommand("issue")->parsed()) return Issue(a);
    if (creds->get_subcommand("list")->parsed()) return List(a);
    if (creds->get_subcommand("revoke")->parsed()) return Revoke(a);
  }
  if (auto* audit = app.get_subcommand("audit"); audit->parsed()) {
    if (audit->get_subcommand("verify")->parsed()) return AuditVerify(a);
    if (audit->get_subcommand("list")->parsed()) return AuditList(a);
  }
  return -1;
}

}  // namespace xt::cli
