// The load generator's phases, each client thread with its own keep-alive
// connection (a small HTTP/1.1 client on a plain socket, below).
#include "http/loadgen.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/json_writer.h"
#include "http/metrics.h"
#include "registry/registry.h"
#include "service/client.h"
#include "service/flow.h"
#include "service/refdata.h"

namespace xt::http {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Who can be treated where, read from data/ (the files the server's
// database was made from).
struct Dataset {
  registry::Registry registry;
  catalog::Catalog catalog;
  struct Insured {
    std::string psn_no, insutype, insuplc_admdvs;
  };
  std::vector<Insured> insured;  // persons with an enrollment in force today
  std::map<std::string, std::vector<const catalog::ItemVersion*>> items;  // in scope, by treatment province
  // The institutions the run calls as: those it has a key for, each signed
  // in once (9001) before the phases.
  struct Session {
    const registry::Institution* inst = nullptr;
    std::string bearer;  // "Authorization: Bearer <key>\r\n"
    std::string sign_no;
  };
  std::vector<Session> sessions;
};

Result<std::unique_ptr<Dataset>> LoadDataset(const std::string& dir) {
  auto d = std::make_unique<Dataset>();
  XT_ASSIGN_OR_RETURN(std::string regions, service::ReadDataFile(dir, "regions.json"));
  XT_RETURN_IF_ERROR(registry::LoadRegionsJson(regions, &d->registry));
  XT_ASSIGN_OR_RETURN(std::string institutions, service::ReadDataFile(dir, "institutions.json"));
  XT_RETURN_IF_ERROR(registry::LoadInstitutionsJson(institutions, &d->registry));
  XT_ASSIGN_OR_RETURN(std::string catalog, service::ReadDataFile(dir, "catalog.json"));
  XT_RETURN_IF_ERROR(catalog::LoadCatalogJson(catalog, &d->catalog));
  XT_ASSIGN_OR_RETURN(std::vector<registry::Person> persons, service::LoadPersonsFile(dir, d->registry));
  const Date today = DateOf(SystemClock::Instance().NowLocal());
  for (const auto& p : persons) {
    for (const auto& e : p.enrollments) {
      if (e.psn_insu_stas == "1" && e.validity.Contains(today)) {
        d->insured.push_back({p.psn_no, e.insutype, e.insuplc_admdvs});
        break;
      }
    }
  }
  if (d->insured.empty() || d->registry.institutions().empty()) {
    return Status::Error("XT-LOAD-001", "the dataset has no insured persons or no institutions");
  }
  for (const auto& inst : d->registry.institutions()) {
    const std::string prov = catalog::ProvinceOf(inst.admdvs);
    if (d->items.count(prov)) continue;
    auto& list = d->items[prov];
    for (const auto* it : d->catalog.ItemsOf(prov)) {
      if (it->validity.Contains(today) && it->charge_class != catalog::ChargeClass::kC) list.push_back(it);
    }
    if (list.empty()) return Status::Error("XT-LOAD-001", "no catalogue items in force for " + prov);
  }
  return d;
}

// The visit number `i` of the run: who, where, and what was billed.
struct Work {
  const Dataset::Session* session = nullptr;
  const registry::Institution* inst = nullptr;
  service::Visit visit;
  std::vector<service::FlowLine> lines;
  Fen total_fen = 0;
};

Work MakeWork(const Dataset& d, int64_t i, int lines) {
  Work w;
  w.session = &d.sessions[static_cast<size_t>(i) % d.sessions.size()];
  w.inst = w.session->inst;
  const auto& who = d.insured[static_cast<size_t>(i * 7919) % d.insured.size()];
  w.visit = service::Visit{who.psn_no, who.insutype, who.insuplc_admdvs, false, ""};
  const auto& list = d.items.at(catalog::ProvinceOf(w.inst->admdvs));
  for (int k = 0; k < lines; ++k) {
    const auto* item = list[static_cast<size_t>(i * 31 + k * 17) % list.size()];
    service::FlowLine line;
    line.feedetl_sn = std::to_string(k + 1);
    line.med_list_codg = item->code;
    line.cnt_e4 = 10000 * (1 + (i + k) % 3);
    line.pric_e6 =
        (item->price_cap_fen ? std::max<Fen>(1, *item->price_cap_fen - 100) : 2000 + (i * 13 + k * 101) % 30000) * 10000;
    w.total_fen += service::FlowDriver::LineAmountFen(line);
    w.lines.push_back(std::move(line));
  }
  return w;
}

// One keep-alive HTTP/1.1 connection on a plain socket; used by one thread.
// The load generator shares the machine's cores with the server it
// measures, so its own cost per request is kept small: one send and
// usually one recv per request, no header maps (httplib's client cost
// about a third of the load generator's CPU). It speaks only what the
// server answers: a status line, headers, a body of Content-Length bytes.
class Connection {
 public:
  explicit Connection(const LoadgenOptions& o) : o_(o) { buf_.reserve(kReadChunk * 2); }
  ~Connection() { Close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The response envelope, or an envelope saying why there was none.
  // `bearer` is the whole Authorization header line, with its CRLF.
  std::string Call(const std::string& request, const std::string& bearer) {
    int status = 0;
    std::string body;
    const std::string err = Exchange("POST", kCallServicePath, request, &status, &body, bearer);
    if (!err.empty()) return Failure("no answer: " + err);
    if (status != 200) return Failure("HTTP " + std::to_string(status) + ": " + body.substr(0, 200));
    return body;
  }

  bool Healthz() {
    int status = 0;
    std::string body;
    return Exchange("GET", kHealthzPath, "", &status, &body, std::string()).empty() && status == 200;
  }

 private:
  static constexpr size_t kReadChunk = 16384;
  static constexpr size_t kHeadBytesMax = 16384;
  static constexpr size_t kBodyBytesMax = 64 << 20;

  static std::string Failure(const std::string& why) {
    JsonWriter w;
    w.BeginObject().FieldInt("infcode", -1).Field("err_code", "XT-LOAD-002").Field("err_msg", why);
    w.Key("output").BeginObject().EndObject().EndObject();
    return w.Take();
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buf_.clear();
    requests_on_fd_ = 0;
  }

  std::string Connect() {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(o_.host.c_str(), std::to_string(o_.port).c_str(), &hints, &res) != 0 || !res) {
      return "cannot resolve " + o_.host;
    }
    std::string err = "cannot connect";
    for (addrinfo* a = res; a; a = a->ai_next) {
      const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) continue;
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      timeval tv{o_.timeout_ms / 1000, (o_.timeout_ms % 1000) * 1000};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
        fd_ = fd;
        err.clear();
        break;
      }
      err = std::string("cannot connect: ") + std::strerror(errno);
      ::close(fd);
    }
    freeaddrinfo(res);
    return err;
  }

  // One request and its response. A connection the server closed while
  // idle (keep-alive time-out or request limit) fails before any byte of
  // an answer: that one is sent again on a new connection. Sending a
  // request twice is safe here: a repeated msgid is answered from the
  // message log, byte for byte.
  std::string Exchange(std::string_view method, std::string_view path, const std::string& body, int* status,
                       std::string* out, const std::string& bearer) {
    for (int attempt = 0;; ++attempt) {
      const bool reused = fd_ >= 0 && requests_on_fd_ > 0;
      if (fd_ < 0) {
        std::string err = Connect();
        if (!err.empty()) return err;
      }
      bool got_bytes = false;
      std::string err = ExchangeOnce(method, path, body, status, out, &got_bytes, bearer);
      if (err.empty()) return err;
      Close();
      if (!reused || got_bytes || attempt > 0) return err;
    }
  }

  std::string ExchangeOnce(std::string_view method, std::string_view path, const std::string& body, int* status,
                           std::string* out, bool* got_bytes, const std::string& bearer) {
    std::string req;
    req.reserve(body.size() + 160);
    req.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: ").append(o_.host);
    req.append("\r\nConnection: keep-alive\r\n").append(bearer);
    if (method == "POST") {
      req.append("Content-Type: application/json\r\nContent-Length: ").append(std::to_string(body.size()));
      req.append("\r\n");
    }
    req.append("\r\n").append(body);
    for (size_t sent = 0; sent < req.size();) {
      const ssize_t n = ::send(fd_, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return std::string("send: ") + std::strerror(errno);
      sent += static_cast<size_t>(n);
    }
    ++requests_on_fd_;
    // The head: status line and headers, up to the blank line.
    size_t head_end;
    while ((head_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (buf_.size() > kHeadBytesMax) return "response head too large";
      std::string err = Fill(got_bytes);
      if (!err.empty()) return err;
    }
    const std::string_view head(buf_.data(), head_end);
    if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return "not an HTTP response";
    *status = std::atoi(std::string(head.substr(9, 3)).c_str());
    size_t length = 0;
    bool close_after = false;
    for (size_t pos = head.find("\r\n"); pos != std::string_view::npos;) {
      const size_t next = head.find("\r\n", pos + 2);
      const std::string_view line = head.substr(pos + 2, next == std::string_view::npos ? head.npos : next - pos - 2);
      pos = next;
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      const std::string_view name = line.substr(0, colon);
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (EqualsNoCase(name, "content-length")) {
        length = static_cast<size_t>(std::strtoull(std::string(value).c_str(), nullptr, 10));
      } else if (EqualsNoCase(name, "connection") && EqualsNoCase(value, "close")) {
        close_after = true;
      }
    }
    if (length > kBodyBytesMax) return "response body too large";
    const size_t body_start = head_end + 4;
    while (buf_.size() < body_start + length) {
      std::string err = Fill(got_bytes);
      if (!err.empty()) return err;
    }
    out->assign(buf_, body_start, length);
    buf_.erase(0, body_start + length);
    if (close_after) Close();
    return std::string();
  }

  std::string Fill(bool* got_bytes) {
    const size_t old = buf_.size();
    buf_.resize(old + kReadChunk);
    const ssize_t n = ::recv(fd_, buf_.data() + old, kReadChunk, 0);
    buf_.resize(old + (n > 0 ? static_cast<size_t>(n) : 0));
    if (n == 0) return "connection closed by the server";
    if (n < 0) return std::string("recv: ") + std::strerror(errno);
    *got_bytes = true;
    return std::string();
  }

  static bool EqualsNoCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    }
    return true;
  }

  const LoadgenOptions& o_;
  int fd_ = -1;
  std::string buf_;  // bytes read and not yet consumed
  int64_t requests_on_fd_ = 0;
};

// A visit's requests, 2201 register, 2204 upload, 2207 settle, with the
// fields service::FlowDriver sends, written straight to JSON text; answers
// are read by looking for the one field needed. FlowDriver builds and
// parses nlohmann trees, which is fine for tests and the demo but was a
// quarter of the load generator's CPU, taken from the server it measures.
class VisitFlow {
 public:
  VisitFlow(Connection* conn, Work* w, const Clock* clock)
      : conn_(conn), w_(w), hc_(w->inst->fixmedins_code, w->inst->admdvs, clock) {
    hc_.set_sign_no(w->session->sign_no);
  }

  service::CallResult Open(const std::string& now) {
    const std::string msgid = hc_.NextMsgid();
    JsonWriter in;
    in.BeginObject().Key("data").BeginObject();
    in.Field("psn_no", w_->visit.psn_no).Field("insutype", w_->visit.insutype).Field("begntime", now);
    in.Field("mdtrt_cert_type", "02").Field("ipt_otp_no", "V" + msgid.substr(12)).Field("atddr_no", "D001");
    in.Field("dr_name", "样例医师").Field("dept_code", "A03").Field("dept_name", "内科").Field("caty", "A03");
    in.Field("med_type", "11").EndObject().EndObject();
    service::CallResult r = Send("2201", in.str(), msgid);
    if (r.infcode == 0) {
      w_->visit.mdtrt_id = StringField(r.response, "\"mdtrt_id\":\"");
      if (w_->visit.mdtrt_id.empty()) Refused(&r, "no mdtrt_id in the 2201 answer");
    }
    return r;
  }

  service::CallResult Upload(const std::string& fee_time) {
    JsonWriter in;
    in.BeginObject().Key("feedetail").BeginArray();
    for (const auto& l : w_->lines) {
      in.BeginObject().Field("feedetl_sn", l.feedetl_sn).Field("mdtrt_id", w_->visit.mdtrt_id);
      in.Field("psn_no", w_->visit.psn_no).Field("chrg_bchno", "1").Field("med_list_codg", l.med_list_codg);
      in.Field("medins_list_codg", "H-" + l.med_list_codg);
      in.Key("det_item_fee_sumamt").Decimal(service::FlowDriver::LineAmountFen(l), 2);
      in.Key("cnt").Decimal(l.cnt_e4, 4).Key("pric").Decimal(l.pric_e6, 6).Field("fee_ocur_time", fee_time);
      in.Field("bilg_dept_codg", "A03").Field("bilg_dr_codg", "D001").Field("hosp_appr_flag", "1").EndObject();
    }
    in.EndArray().EndObject();
    return Send("2204", in.str(), hc_.NextMsgid());
  }

  service::CallResult Settle() {
    JsonWriter in;
    in.BeginObject().Key("data").BeginObject();
    in.Field("psn_no", w_->visit.psn_no).Field("mdtrt_id", w_->visit.mdtrt_id).Field("mdtrt_cert_type", "02");
    in.Field("insutype", w_->visit.insutype).Key("medfee_sumamt").Decimal(w_->total_fen, 2);
    in.Field("acct_used_flag", "1").Field("mid_setl_flag", "0").EndObject().EndObject();
    return Send("2207", in.str(), hc_.NextMsgid());
  }

 private:
  service::CallResult Send(std::string_view infno, const std::string& input, const std::string& msgid) {
    service::CallResult r;
    r.response = conn_->Call(hc_.Envelope(infno, input, w_->visit.insuplc_admdvs, msgid), w_->session->bearer);
    // Answers open with the infcode (the interface's field order): a
    // success needs no parsing; a refusal is rare and read in full.
    if (r.response.rfind("{\"infcode\":0,", 0) == 0) return r;
    const auto resp = nlohmann::json::parse(r.response, nullptr, false);
    if (resp.is_discarded() || !resp.is_object()) {
      Refused(&r, "the answer is not a JSON object");
      return r;
    }
    r.infcode = resp.value("infcode", -1);
    r.err_code = resp.value("err_code", "");
    r.err_msg = resp.value("err_msg", "");
    return r;
  }

  static void Refused(service::CallResult* r, std::string why) {
    r->infcode = -1;
    r->err_code = "XT-LOAD-002";
    r->err_msg = std::move(why);
  }

  // The text of the first string field opened by `key` ("name":"), when it
  // has no escapes (ids never do).
  static std::string StringField(const std::string& text, std::string_view key) {
    const size_t at = text.find(key);
    if (at == std::string::npos) return std::string();
    const size_t begin = at + key.size();
    const size_t end = text.find('"', begin);
    if (end == std::string::npos || text.find('\\', begin) < end) return std::string();
    return text.substr(begin, end - begin);
  }

  Connection* conn_;
  Work* w_;
  service::HospitalClient hc_;
};

double MillisSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
}

// Per-thread results of a phase, merged at the end.
struct Tally {
  int64_t ok = 0;
  int64_t failed = 0;
  std::vector<double> latency_ms;
  std::string first_failure;
  void Fail(const std::string& why) {
    ++failed;
    if (first_failure.empty()) first_failure = why;
  }
};

LoadPhase Summarise(std::vector<Tally>& tallies, double seconds) {
  LoadPhase ph;
  std::vector<double> all;
  for (auto& t : tallies) {
    ph.ok += t.ok;
    ph.failed += t.failed;
    if (ph.first_failure.empty()) ph.first_failure = t.first_failure;
    all.insert(all.end(), t.latency_ms.begin(), t.latency_ms.end());
  }
  ph.seconds = seconds;
  ph.per_s = seconds > 0 ? static_cast<double>(ph.ok) / seconds : 0;
  std::sort(all.begin(), all.end());
  if (!all.empty()) {
    ph.latency_p50_ms = all[all.size() / 2];
    ph.latency_p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
    ph.latency_max_ms = all.back();
  }
  return ph;
}

// Runs body(connection, tally, i) for i in [0, n) on one thread per
// connection; returns the wall time in seconds.
template <typename Body>
double RunOnConnections(const LoadgenOptions& o, std::vector<std::unique_ptr<Connection>>& conns,
                        std::vector<Tally>& tallies, int64_t n, Body body) {
  std::atomic<int64_t> next{0};
  const auto t0 = SteadyClock::now();
  std::vector<std::thread> threads;
  for (size_t c = 0; c < conns.size(); ++c) {
    threads.emplace_back([&, c] {
      for (;;) {
        const int64_t i = next.fetch_add(1);
        if (i >= n) return;
        body(*conns[c], tallies[c], i);
      }
    });
  }
  for (auto& t : threads) t.join();
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

std::string Fixed(double v, int places) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", places, v);
  return buf;
}

}  // namespace

Result<LoadgenResult> RunLoadgen(const LoadgenOptions& o) {
  if (o.connections < 1 || o.connections > 1024) return Status::Error("XT-LOAD-003", "connections must be 1..1024");
  if (o.flows < 0 || o.settles < 0 || o.paced < 0 || o.paced_flows < 0 ||
      o.flows + o.settles + o.paced + o.paced_flows > 10'000'000) {
    return Status::Error("XT-LOAD-003", "counts must be 0..10,000,000 in all");
  }
  if ((o.paced > 0 && !(o.paced_rate_per_s > 0 && o.paced_rate_per_s <= 1e6)) ||
      (o.paced_flows > 0 && !(o.paced_flows_rate_per_s > 0 && o.paced_flows_rate_per_s <= 1e6))) {
    return Status::Error("XT-LOAD-003", "the offered rate must be above 0 and at most 1,000,000 per second");
  }
  if (!(o.healthz_seconds >= 0 && o.healthz_seconds <= 600)) {
    return Status::Error("XT-LOAD-003", "healthz seconds must be 0..600");
  }
  XT_ASSIGN_OR_RETURN(std::unique_ptr<Dataset> data, LoadDataset(o.data_dir));
  std::vector<std::unique_ptr<Connection>> conns;
  for (int c = 0; c < o.connections; ++c) conns.push_back(std::make_unique<Connection>(o));
  {
    Connection probe(o);
    if (!probe.Healthz()) {
      return Status::Error("XT-LOAD-002", "no healthy server at " + o.host + ":" + std::to_string(o.port),
                           "GET /healthz did not answer 200");
    }
  }
  const Clock* clock = &SystemClock::Instance();
  // Every institution with a key signs in once (9001); the run then calls
  // as those institutions only.
  for (const auto& inst : data->registry.institutions()) {
    auto key = o.api_keys.find(inst.fixmedins_code);
    if (key == o.api_keys.end()) continue;
    Dataset::Session session{&inst, "Authorization: Bearer " + key->second + "\r\n", ""};
    service::HospitalClient hc(inst.fixmedins_code, inst.admdvs, clock);
    const std::string answer =
        conns[0]->Call(hc.Envelope("9001", R"({"signIn":{"opter_no":"loadgen","mac":"","ip":"127.0.0.1"}})", ""),
                       session.bearer);
    static constexpr std::string_view kSignNo = "\"sign_no\":\"";
    const size_t at = answer.find(kSignNo);
    if (answer.rfind("{\"infcode\":0,", 0) != 0 || at == std::string::npos) {
      return Status::Error("XT-LOAD-004", "signing in as " + inst.fixmedins_code + " failed", answer.substr(0, 300));
    }
    const size_t begin = at + kSignNo.size();
    session.sign_no = answer.substr(begin, answer.find('"', begin) - begin);
    data->sessions.push_back(std::move(session));
  }
  if (data->sessions.empty()) {
    return Status::Error("XT-LOAD-003",
                         "no hospital keys for the dataset's institutions: issue them with `xietong credentials issue "
                         "--role hospital --all-institutions --json > keys.jsonl` and pass --credentials keys.jsonl");
  }
  auto phase = [&](const char* name) {
    if (o.phase) o.phase(name);
  };
  LoadgenResult res;
  res.connections = o.connections;
  res.lines_per_settlement = o.lines_per_settlement;
  res.offered_rate_per_s = o.paced_rate_per_s;
  res.offered_flows_rate_per_s = o.paced_flows_rate_per_s;
  // Indices of visits: flows first, then the prepared ones; each visit is
  // its own, so no two requests of the run share a visit.
  const int64_t prepared_base = o.flows;

  // A whole flow of visit number i: register, upload, settle. Its latency
  // counts from t0.
  auto whole_flow = [&](Connection& conn, Tally& t, int64_t i, SteadyClock::time_point t0) {
    Work w = MakeWork(*data, i, o.lines_per_settlement);
    VisitFlow flow(&conn, &w, clock);
    const std::string now = FormatLocalTime(clock->NowLocal());
    auto r = flow.Open(now);
    if (r.infcode == 0) r = flow.Upload(now);
    if (r.infcode == 0) r = flow.Settle();
    if (r.infcode != 0) return t.Fail(r.err_code + " " + r.err_msg);
    t.latency_ms.push_back(MillisSince(t0));
    ++t.ok;
  };

  // 1. Full flows.
  {
    phase("full flows (2201, 2204, 2207)");
    std::vector<Tally> tallies(conns.size());
    const double s = RunOnConnections(o, conns, tallies, o.flows, [&](Connection& conn, Tally& t, int64_t i) {
      whole_flow(conn, t, i, SteadyClock::now());
    });
    res.flows = Summarise(tallies, s);
  }

  // 2 and 3 need registered visits with their fee details: prepared first.
  const int64_t to_prepare = o.settles + o.paced;
  std::vector<Work> prepared(static_cast<size_t>(to_prepare));
  {
    phase("preparing visits (2201, 2204)");
    std::vector<Tally> tallies(conns.size());
    const double s = RunOnConnections(o, conns, tallies, to_prepare, [&](Connection& conn, Tally& t, int64_t i) {
      Work w = MakeWork(*data, prepared_base + i, o.lines_per_settlement);
      VisitFlow flow(&conn, &w, clock);
      const std::string now = FormatLocalTime(clock->NowLocal());
      auto r = flow.Open(now);
      if (r.infcode == 0) r = flow.Upload(now);
      if (r.infcode != 0) return t.Fail(r.err_code + " " + r.err_msg);
      ++t.ok;
      prepared[static_cast<size_t>(i)] = std::move(w);
    });
    const LoadPhase ph = Summarise(tallies, s);
    if (ph.failed > 0) {
      return Status::Error("XT-LOAD-004", "preparing visits failed", ph.first_failure);
    }
    res.prepare_requests_per_s = s > 0 ? 2.0 * static_cast<double>(ph.ok) / s : 0;
  }
  auto settle = [&](Connection& conn, Work& w) { return VisitFlow(&conn, &w, clock).Settle(); };

  // 2. Settle only, as fast as the server answers.
  {
    phase("settle only (2207)");
    std::vector<Tally> tallies(conns.size());
    const double s = RunOnConnections(o, conns, tallies, o.settles, [&](Connection& conn, Tally& t, int64_t i) {
      const auto t0 = SteadyClock::now();
      auto r = settle(conn, prepared[static_cast<size_t>(i)]);
      if (r.infcode != 0) return t.Fail(r.err_code + " " + r.err_msg);
      t.latency_ms.push_back(MillisSince(t0));
      ++t.ok;
    });
    res.settles = Summarise(tallies, s);
  }

  // 3. Settle at a fixed offered rate. Request i is due at start + i/rate;
  // its latency counts from then, whether or not a connection was free.
  {
    phase("settle at a fixed offered rate (2207)");
    std::vector<Tally> tallies(conns.size());
    const auto start = SteadyClock::now() + std::chrono::milliseconds(20);
    const double interval_ns = 1e9 / o.paced_rate_per_s;
    const double s = RunOnConnections(o, conns, tallies, o.paced, [&](Connection& conn, Tally& t, int64_t i) {
      const auto due = start + std::chrono::nanoseconds(static_cast<int64_t>(static_cast<double>(i) * interval_ns));
      std::this_thread::sleep_until(due);
      auto r = settle(conn, prepared[static_cast<size_t>(o.settles + i)]);
      if (r.infcode != 0) return t.Fail(r.err_code + " " + r.err_msg);
      t.latency_ms.push_back(MillisSince(due));
      ++t.ok;
    });
    res.paced = Summarise(tallies, s);
  }

  // 4. Whole flows at a fixed offered rate, on visits of their own (after
  // the flows and the prepared ones). Flow i is due at start + i/rate.
  {
    phase("whole flows at a fixed offered rate (2201, 2204, 2207)");
    std::vector<Tally> tallies(conns.size());
    const int64_t base = prepared_base + to_prepare;
    const auto start = SteadyClock::now() + std::chrono::milliseconds(20);
    const double interval_ns = 1e9 / o.paced_flows_rate_per_s;
    const double s = RunOnConnections(o, conns, tallies, o.paced_flows, [&](Connection& conn, Tally& t, int64_t i) {
      const auto due = start + std::chrono::nanoseconds(static_cast<int64_t>(static_cast<double>(i) * interval_ns));
      std::this_thread::sleep_until(due);
      whole_flow(conn, t, base + i, due);
    });
    res.paced_flows = Summarise(tallies, s);
  }

  // 5. The trivial route, closed loop, for a fixed time.
  {
    phase("GET /healthz");
    std::vector<Tally> tallies(conns.size());
    const auto t0 = SteadyClock::now();
    const auto deadline = t0 + std::chrono::milliseconds(static_cast<int64_t>(o.healthz_seconds * 1000));
    std::vector<std::thread> threads;
    for (size_t c = 0; c < conns.size(); ++c) {
      threads.emplace_back([&, c] {
        Tally& t = tallies[c];
        while (SteadyClock::now() < deadline) {
          const auto r0 = SteadyClock::now();
          if (!conns[c]->Healthz()) {
            t.Fail("GET /healthz did not answer 200");
            std::this_thread::sleep_for(std::chrono::milliseconds(1));  // no busy loop on a refusing server
            continue;
          }
          t.latency_ms.push_back(MillisSince(r0));
          ++t.ok;
        }
      });
    }
    for (auto& th : threads) th.join();
    res.healthz = Summarise(tallies, std::chrono::duration<double>(SteadyClock::now() - t0).count());
  }
  return res;
}

std::string LoadgenResult::json() const {
  auto phase = [](const LoadPhase& p) {
    return nlohmann::ordered_json{{"ok", p.ok},
                                  {"failed", p.failed},
                                  {"seconds", p.seconds},
                                  {"per_s", p.per_s},
                                  {"latency_p50_ms", p.latency_p50_ms},
                                  {"latency_p99_ms", p.latency_p99_ms},
                                  {"latency_max_ms", p.latency_max_ms},
                                  {"first_failure", p.first_failure}};
  };
  nlohmann::ordered_json j = {
      {"flows_settlements_per_s", flows.per_s},
      {"settle_only_per_s", settles.per_s},
      {"paced_offered_per_s", offered_rate_per_s},
      {"paced_latency_p50_ms", paced.latency_p50_ms},
      {"paced_latency_p99_ms", paced.latency_p99_ms},
      {"paced_flows_offered_per_s", offered_flows_rate_per_s},
      {"paced_flows_per_s", paced_flows.per_s},
      {"paced_flows_latency_p50_ms", paced_flows.latency_p50_ms},
      {"paced_flows_latency_p99_ms", paced_flows.latency_p99_ms},
      {"healthz_per_s", healthz.per_s},
      {"flows", phase(flows)},
      {"settles", phase(settles)},
      {"paced", phase(paced)},
      {"paced_flows", phase(paced_flows)},
      {"healthz", phase(healthz)},
      {"prepare_requests_per_s", prepare_requests_per_s},
      {"connections", connections},
      {"lines_per_settlement", lines_per_settlement},
      {"cores", std::thread::hardware_concurrency()},
  };
  return j.dump();
}

std::string LoadgenResult::text() const {
  auto line = [](const char* what, const LoadPhase& p, const char* unit) {
    std::string s = std::string(what) + ": " + Fixed(p.per_s, 0) + " " + unit + "/s (" + std::to_string(p.ok) +
                    " in " + Fixed(p.seconds, 2) + " s, p50 " + Fixed(p.latency_p50_ms, 2) + " ms, p99 " +
                    Fixed(p.latency_p99_ms, 2) + " ms, max " + Fixed(p.latency_max_ms, 2) + " ms";
    if (p.failed > 0) s += ", " + std::to_string(p.failed) + " FAILED, first: " + p.first_failure;
    return s + ")\n";
  };
  std::string s;
  s += line("full flows, durable settlements", flows, "settlements");
  s += line("settle only, durable settlements", settles, "settlements");
  s += line(("settle offered at " + Fixed(offered_rate_per_s, 0) + "/s").c_str(), paced, "settlements");
  s += line(("whole flows offered at " + Fixed(offered_flows_rate_per_s, 0) + "/s").c_str(), paced_flows, "flows");
  s += line("GET /healthz", healthz, "requests");
  // How many trivial requests one settlement costs, where both were measured.
  auto ratio = [&](const char* what, const LoadPhase& p) {
    if (healthz.per_s <= 0 || p.per_s <= 0) return std::string();
    return "ratio: a " + std::string(what) + " costs as much as " + Fixed(healthz.per_s / p.per_s, 1) +
           " /healthz requests\n";
  };
  s += ratio("full-flow settlement (3 requests)", flows);
  s += ratio("settlement of a prepared visit", settles);
  s += std::to_string(connections) + " connections, " + std::to_string(lines_per_settlement) +
       " fee lines per settlement\n";
  return s;
}

}  // namespace xt::http
