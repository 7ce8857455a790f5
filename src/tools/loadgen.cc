// The load generator's phases (loadgen.h), event-driven: a few threads
// (one by default), each an epoll loop over its share of the keep-alive
// connections, non-blocking sockets with TCP_NODELAY. The load generator
// shares the machine's cores with the server it measures, so its own cost
// per request is kept to one sendmsg and usually one recv, no thread switch
// of its own, and requests written in place without allocating (a blocking
// thread per connection cost about twice the CPU per flow, most of it in
// the kernel).
//
// Three layers, bottom up:
//   Connection  one keep-alive HTTP/1.1 client connection: a state machine
//               driven by epoll events (connect, send, read one answer
//               framed by Content-Length);
//   PhaseRun    what a phase asks of a connection: units of work (a whole
//               flow, a visit to prepare, a settlement, a GET /healthz),
//               each a few requests in order, and the tally of answers;
//   EventLoop   the epoll set and the timer: gives idle connections units
//               as the phase has them (at once in a closed loop, at their
//               due time when paced), hands answers back to the phase, and
//               ends requests that wait past the time-out.
#include "tools/loadgen.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string_view>
#include <thread>
#include <vector>

#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/json_writer.h"
#include "http/metrics.h"
#include "http/routes.h"
#include "http/request_head.h"
#include "registry/registry.h"
#include "tools/client.h"
#include "tools/flow.h"
#include "service/refdata.h"

namespace xt::http {

namespace {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;

constexpr int kThreadsMax = 64;

// Who can be treated where, read from data/ (the files the server's
// database was made from). The strings that go into requests' inputs are
// kept as JSON text, quoted (and escaped, should they need it) once here.
struct Dataset {
  registry::Registry registry;
  catalog::Catalog catalog;
  struct Insured {
    std::string psn_no_json, insutype_json;  // quoted
    std::string insuplc_admdvs;              // as the envelope writes it
  };
  std::vector<Insured> insured;  // persons with an enrollment in force today
  // A catalogue item as a fee line needs it, in one place (a flow reads
  // eight at random).
  struct Item {
    std::optional<Fen> price_cap_fen;
    std::string codes_json;  // "med_list_codg":<code>,"medins_list_codg":<"H-" + code>
  };
  std::map<std::string, std::vector<Item>> items;  // in scope, by treatment province
  // The institutions the run calls as: those it has a key for, each signed
  // in once (9001) before the phases.
  struct Session {
    const registry::Institution* inst = nullptr;
    std::string bearer;  // "Authorization: Bearer <key>\r\n"
    std::string sign_no;
    const std::vector<Item>* items = nullptr;  // of the institution's province
    // Its msgids: institution code (12) + the run's nonce (6, letters and
    // digits, drawn when the run starts) + sequence (12 digits). Not the
    // time-based shape of service::HospitalClient (code + yyyyMMddHHmmss +
    // 4-digit sequence): a run that restarts its sequence each second would
    // repeat the msgids of a run that ended in the same second, or of one
    // that sent over 10,000 in a second and ran its time part ahead, and the
    // server would refuse them (XT-ENV-006), so two runs against one server
    // must not share any. One sequence per institution; the loops share it.
    std::string msgid_prefix;  // institution code + nonce
    std::atomic<std::uint64_t> msgid_seq{0};

    // Sets *msgid to the next (its storage is reused).
    void NextMsgid(std::string* msgid) {
      std::uint64_t seq = msgid_seq.fetch_add(1, std::memory_order_relaxed) + 1;
      char digits[12];
      for (int k = 11; k >= 0; --k, seq /= 10) digits[k] = char('0' + seq % 10);
      msgid->assign(msgid_prefix).append(digits, 12);
    }
  };
  std::deque<Session> sessions;  // a deque: Work points into it, and a Session does not move
};

std::string Quoted(std::string_view s) {
  JsonWriter w;
  w.String(s);
  return w.Take();
}

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
        d->insured.push_back({Quoted(p.psn_no), Quoted(e.insutype), e.insuplc_admdvs});
        break;
      }
    }
  }
  if (d->insured.empty() || d->registry.institutions().empty()) {
    return Status::Error("XT-LOAD-001", "the dataset has no insured persons or no institutions");
  }
  for (const auto& inst : d->registry.institutions()) {
    const std::string prov = ProvinceOf(inst.admdvs);
    if (d->items.count(prov)) continue;
    auto& list = d->items[prov];
    for (const auto* it : d->catalog.ItemsOf(prov)) {
      if (it->validity.Contains(today) && it->charge_class != catalog::ChargeClass::kC) {
        list.push_back({it->price_cap_fen, "\"med_list_codg\":" + Quoted(it->code) +
                                               ",\"medins_list_codg\":" + Quoted("H-" + it->code)});
      }
    }
    if (list.empty()) return Status::Error("XT-LOAD-001", "no catalogue items in force for " + prov);
  }
  return d;
}

// The visit number `i` of the run: who, where, and what was billed.
struct Work {
  Dataset::Session* session = nullptr;
  const Dataset::Insured* who = nullptr;
  std::string mdtrt_id;  // from the 2201 answer
  struct Line {
    const Dataset::Item* item = nullptr;
    int64_t cnt_e4 = 0;
    int64_t pric_e6 = 0;
    Fen amount_fen = 0;
  };
  std::vector<Line> lines;
  Fen total_fen = 0;
};

// Makes visit `i` in *w (whose storage is reused).
void MakeWork(Dataset& d, int64_t i, int lines, Work* w) {
  w->session = &d.sessions[static_cast<size_t>(i) % d.sessions.size()];
  w->who = &d.insured[static_cast<size_t>(i * 7919) % d.insured.size()];
  w->mdtrt_id.clear();
  w->lines.clear();
  w->total_fen = 0;
  const auto& list = *w->session->items;
  for (int k = 0; k < lines; ++k) {
    const Dataset::Item& item = list[static_cast<size_t>(i * 31 + k * 17) % list.size()];
    service::FlowLine line;
    line.cnt_e4 = 10000 * (1 + (i + k) % 3);
    const auto& cap = item.price_cap_fen;
    line.pric_e6 = (cap ? std::max<Fen>(1, *cap - 100) : 2000 + (i * 13 + k * 101) % 30000) * 10000;
    const Fen amount = service::FlowDriver::LineAmountFen(line);
    w->lines.push_back({&item, line.cnt_e4, line.pric_e6, amount});
    w->total_fen += amount;
  }
}

// Appends JSON text to a string, for this file's fixed documents: Lit for
// the literal parts (keys, punctuation, values quoted before), Str for a
// string value, Dec for a decimal, allocating nothing on the way.
class JsonText {
 public:
  explicit JsonText(std::string* out) : out_(*out) {}
  JsonText& Lit(std::string_view s) {
    out_.append(s);
    return *this;
  }
  // Quoted; escaped by JsonWriter in the rare case it needs escaping.
  JsonText& Str(std::string_view s) {
    const bool plain = std::all_of(s.begin(), s.end(), [](char c) {
      return static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\';
    });
    if (!plain) return Lit(Quoted(s));
    out_.push_back('"');
    out_.append(s);
    out_.push_back('"');
    return *this;
  }
  // `scaled` / 10^scale with `scale` places, as FormatDecimal writes it.
  JsonText& Dec(int64_t scaled, int scale) {
    const bool negative = scaled < 0;
    uint64_t mag = negative ? 0 - static_cast<uint64_t>(scaled) : static_cast<uint64_t>(scaled);
    char buf[32];
    char* p = buf + sizeof buf;
    for (int k = 0; k < scale; ++k, mag /= 10) *--p = static_cast<char>('0' + mag % 10);
    if (scale > 0) *--p = '.';
    do {
      *--p = static_cast<char>('0' + mag % 10);
      mag /= 10;
    } while (mag > 0);
    if (negative) *--p = '-';
    out_.append(p, static_cast<size_t>(buf + sizeof buf - p));
    return *this;
  }

 private:
  std::string& out_;
};

// A visit's inputs, 2201 register, 2204 upload, 2207 settle, with the
// fields service::FlowDriver sends, written straight to JSON text in the
// same order (FlowDriver builds nlohmann trees, which is fine for tests
// and the demo but was a quarter of the load generator's CPU).

// `msgid` also names the outpatient number; `begntime` is the visit's start.
void AppendRegisterInput(const Work& w, std::string_view begntime, std::string_view msgid, JsonText& j) {
  j.Lit(R"({"data":{"psn_no":)").Lit(w.who->psn_no_json);
  j.Lit(R"(,"insutype":)").Lit(w.who->insutype_json);
  j.Lit(R"(,"begntime":)").Str(begntime);
  // msgids are letters and digits: nothing to escape.
  j.Lit(R"(,"mdtrt_cert_type":"02","ipt_otp_no":"V)").Lit(msgid.substr(12)).Lit(R"(")");
  j.Lit(R"(,"atddr_no":"D001","dr_name":"样例医师","dept_code":"A03","dept_name":"内科","caty":"A03")");
  j.Lit(R"(,"med_type":"11"}})");
}

void AppendUploadInput(const Work& w, std::string_view fee_time, JsonText& j) {
  j.Lit(R"({"feedetail":[)");
  for (size_t k = 0; k < w.lines.size(); ++k) {
    const Work::Line& l = w.lines[k];
    j.Lit(k == 0 ? R"({"feedetl_sn":")" : R"(,{"feedetl_sn":")").Dec(static_cast<int64_t>(k + 1), 0);
    j.Lit(R"(","mdtrt_id":)").Str(w.mdtrt_id);
    j.Lit(R"(,"psn_no":)").Lit(w.who->psn_no_json);
    j.Lit(R"(,"chrg_bchno":"1",)").Lit(l.item->codes_json);
    j.Lit(R"(,"det_item_fee_sumamt":)").Dec(l.amount_fen, 2);
    j.Lit(R"(,"cnt":)").Dec(l.cnt_e4, 4);
    j.Lit(R"(,"pric":)").Dec(l.pric_e6, 6);
    j.Lit(R"(,"fee_ocur_time":)").Str(fee_time);
    j.Lit(R"(,"bilg_dept_codg":"A03","bilg_dr_codg":"D001","hosp_appr_flag":"1"})");
  }
  j.Lit("]}");
}

void AppendSettleInput(const Work& w, JsonText& j) {
  j.Lit(R"({"data":{"psn_no":)").Lit(w.who->psn_no_json);
  j.Lit(R"(,"mdtrt_id":)").Str(w.mdtrt_id);
  j.Lit(R"(,"mdtrt_cert_type":"02","insutype":)").Lit(w.who->insutype_json);
  j.Lit(R"(,"medfee_sumamt":)").Dec(w.total_fen, 2);
  j.Lit(R"(,"acct_used_flag":"1","mid_setl_flag":"0"}})");
}

// The request envelope service::HospitalClient::Envelope writes, byte for
// byte (EnvelopeMatches checks it at the start of a run), around the input
// `append_input` writes in place.
template <typename AppendInput>
void AppendEnvelope(const Dataset::Session& s, std::string_view infno, std::string_view msgid,
                    std::string_view insuplc_admdvs, std::string_view inf_time, JsonText& j,
                    AppendInput append_input) {
  j.Lit(R"({"infno":")").Lit(infno).Lit(R"(","msgid":")").Lit(msgid);
  j.Lit(R"(","mdtrtarea_admvs":")").Lit(s.inst->admdvs).Lit(R"(","insuplc_admdvs":")").Lit(insuplc_admdvs);
  j.Lit(R"(","recer_sys_code":"XIETONG","dev_no":"","dev_safe_info":"","cainfo":"","signtype":"")");
  j.Lit(R"(,"infver":"V1.0","opter_type":"1","opter":"demo","opter_name":"demo","inf_time":")").Lit(inf_time);
  j.Lit(R"(","fixmedins_code":")").Lit(s.inst->fixmedins_code);
  j.Lit(R"(","fixmedins_name":"","sign_no":")").Lit(s.sign_no).Lit(R"(","input":)");
  append_input(j);
  j.Lit("}");
}

// Whether AppendEnvelope still writes what HospitalClient does, on a
// frozen clock.
bool EnvelopeMatches(const Dataset::Session& s) {
  const LocalSeconds t = SystemClock::Instance().NowLocal();
  const FixedClock clock(t);
  service::HospitalClient hc(s.inst->fixmedins_code, s.inst->admdvs, &clock);
  hc.set_sign_no(s.sign_no);
  const std::string msgid = s.inst->fixmedins_code + FormatLocalCompact(t) + "0001";
  const std::string input = R"({"data":{"psn_no":"P1"}})";
  std::string ours;
  JsonText j(&ours);
  AppendEnvelope(s, "2207", msgid, "110000", FormatLocalTime(t), j, [&](JsonText& in) { in.Lit(input); });
  return ours == hc.Envelope("2207", input, "110000", msgid);
}

// The HTTP requests, whole: what the server needs and nothing more.
class RequestWriter {
 public:
  explicit RequestWriter(const std::string& host)
      : post_head_("POST " + std::string(http::kEnvelopePath) + " HTTP/1.1\r\nHost: " + host +
                   "\r\nConnection: keep-alive\r\n"),
        healthz_("GET " + std::string("/healthz") + " HTTP/1.1\r\nHost: " + host +
                 "\r\nConnection: keep-alive\r\n\r\n") {}

  // Sets *head to the head of a callService request whose body (the
  // envelope) is `body_bytes` long. `bearer` is the whole Authorization
  // header line, with its CRLF.
  void CallHead(const std::string& bearer, size_t body_bytes, std::string* head) const {
    head->assign(post_head_).append(bearer).append("Content-Type: application/json\r\nContent-Length: ");
    JsonText(head).Dec(static_cast<int64_t>(body_bytes), 0).Lit("\r\n\r\n");
  }
  const std::string& Healthz() const { return healthz_; }

 private:
  std::string post_head_;
  std::string healthz_;
};

// What came back for one request: the HTTP status and body, or why there
// was none.
struct Answer {
  std::string error;      // not empty: no answer (cannot connect, closed, timed out...)
  int status = 0;
  std::string_view body;  // in the connection's buffer: valid until its next request
};

// Why a callService request did not succeed, as the run reports it
// ("err_code err_msg"); empty when it was answered infcode 0. Answers open
// with the infcode (the interface's field order), so a success needs no
// parsing; a refusal is rare and read in full.
std::string RefusalOf(const Answer& a) {
  if (!a.error.empty()) return "XT-LOAD-002 no answer: " + a.error;
  if (a.status != 200) {
    return "XT-LOAD-002 HTTP " + std::to_string(a.status) + ": " + std::string(a.body.substr(0, 200));
  }
  if (a.body.starts_with("{\"infcode\":0,")) return std::string();
  const auto resp = nlohmann::json::parse(a.body, nullptr, false);
  if (resp.is_discarded() || !resp.is_object()) return "XT-LOAD-002 the answer is not a JSON object";
  if (resp.value("infcode", -1) == 0) return std::string();
  return resp.value("err_code", "") + " " + resp.value("err_msg", "");
}

// The text of the first string field opened by `key` ("name":"), when it
// has no escapes (ids never do); empty otherwise.
std::string_view StringField(std::string_view text, std::string_view key) {
  const size_t at = text.find(key);
  if (at == std::string_view::npos) return std::string_view();
  const size_t begin = at + key.size();
  const size_t end = text.find('"', begin);
  if (end == std::string_view::npos || text.find('\\', begin) < end) return std::string_view();
  return text.substr(begin, end - begin);
}

// The server's addresses, resolved once.
struct Target {
  struct Address {
    sockaddr_storage addr{};
    socklen_t len = 0;
    int family = 0;
  };
  std::vector<Address> addresses;
};

Result<Target> Resolve(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || !res) {
    return Status::Error("XT-LOAD-002", "no healthy server at " + host + ":" + std::to_string(port),
                         "cannot resolve " + host);
  }
  Target t;
  for (addrinfo* a = res; a; a = a->ai_next) {
    Target::Address address;
    std::memcpy(&address.addr, a->ai_addr, a->ai_addrlen);
    address.len = a->ai_addrlen;
    address.family = a->ai_family;
    t.addresses.push_back(address);
  }
  freeaddrinfo(res);
  return t;
}

// One keep-alive HTTP/1.1 client connection, driven by its loop's epoll
// events; one request at a time. It speaks only what the server answers: a
// status line, headers, a body of Content-Length bytes. Used by one thread.
//
// States, and what moves them:
//   kClosed      no socket. A request connects first (-> kConnecting, or
//                straight to sending when connect completes at once).
//   kConnecting  non-blocking connect under way; EPOLLOUT ends it, then the
//                request is sent.
//   kSending     the request is partly written (socket buffer full);
//                EPOLLOUT writes more. Written whole -> kReading.
//   kReading     EPOLLIN reads (one recv per event) until the head and
//                Content-Length bytes of body are in: the request ends,
//                -> kIdle, or kClosed when the server said
//                "Connection: close".
//   kIdle        connected, nothing asked. EPOLLIN here is the server
//                closing an idle connection (keep-alive time-out) -> kClosed.
// Any failure closes the socket and ends the request with an error, but
// one: a reused connection that fails before any byte of an answer (the
// server closed it as the request went out) sends the request again, once,
// on a new connection. Sending a request twice is safe: a repeated msgid is
// answered from the message log, byte for byte.
class Connection {
 public:
  Connection(const Target* target, int epoll_fd, uint64_t id, int timeout_ms)
      : target_(target), epoll_fd_(epoll_fd), id_(id), timeout_(std::chrono::milliseconds(timeout_ms)) {
    buf_.resize(kReadChunk);
  }
  ~Connection() { Close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool busy() const { return state_ != State::kClosed && state_ != State::kIdle; }

  // Where the next request is written before Begin: its head (request
  // line and headers, with the blank line) and its body, sent together.
  // Their storage is kept from request to request.
  std::string* head() { return &head_; }
  std::string* body() { return &body_; }

  // Starts the request written in *head() and *body(). False when it ended
  // at once (it could not connect): *answer says why.
  bool Begin(TimePoint now, Answer* answer) {
    DropAnswered();
    retried_ = false;
    deadline_ = now + timeout_;
    return Start(answer) == Progress::kPending;
  }

  // Handles the epoll `events` of this connection's socket. True when they
  // ended the request: *answer is its answer.
  bool OnEvents(uint32_t events, Answer* answer) {
    switch (state_) {
      case State::kClosed:
        return false;
      case State::kIdle:  // the server closing it (or talking out of turn, no better)
        Close();
        return false;
      case State::kConnecting:
        return Connected(answer) == Progress::kEnded;
      case State::kSending: {
        const bool retried = retried_;
        if ((events & EPOLLOUT) && Send(answer) == Progress::kEnded) return true;
        // Sent again on a new socket: these events were the old one's.
        if (retried_ != retried || !(events & (EPOLLIN | EPOLLERR | EPOLLHUP))) return false;
        return Read(answer) == Progress::kEnded;
      }
      case State::kReading:
        return Read(answer) == Progress::kEnded;
    }
    return false;
  }

  // Ends a request that has waited past its time-out. True when it did.
  bool Expire(TimePoint now, Answer* answer) {
    if (!busy() || now < deadline_) return false;
    Close();
    answer->error = "no answer within " +
                    std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(timeout_).count()) + " ms";
    return true;
  }

 private:
  enum class State { kClosed, kConnecting, kSending, kReading, kIdle };
  enum class Progress { kPending, kEnded };
  static constexpr size_t kReadChunk = 16384;
  static constexpr size_t kHeadBytesMax = 16384;
  static constexpr size_t kBodyBytesMax = 64 << 20;

  // Sends the request from its first byte, on this connection or a new one.
  Progress Start(Answer* answer) {
    reused_ = state_ == State::kIdle && requests_on_fd_ > 0;
    got_bytes_ = false;
    sent_ = 0;
    head_parsed_ = false;
    if (state_ == State::kClosed) return Connect(0, answer);
    return Send(answer);
  }

  // Connects to the target's addresses in order, from `first`.
  Progress Connect(size_t first, Answer* answer) {
    std::string err = "no address";
    for (address_ = first; address_ < target_->addresses.size(); ++address_) {
      const Target::Address& a = target_->addresses[address_];
      const int fd = ::socket(a.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        err = std::strerror(errno);
        continue;
      }
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&a.addr), a.len);
      if (rc == 0 || errno == EINPROGRESS) {
        const bool at_once = rc == 0;
        fd_ = fd;
        state_ = at_once ? State::kSending : State::kConnecting;
        Watch(at_once ? EPOLLIN : EPOLLOUT);
        return at_once ? Send(answer) : Progress::kPending;
      }
      err = std::strerror(errno);
      ::close(fd);
    }
    answer->error = "cannot connect: " + err;
    return Progress::kEnded;
  }

  // EPOLLOUT (or an error) after a non-blocking connect.
  Progress Connected(Answer* answer) {
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) {
      Close();
      if (address_ + 1 < target_->addresses.size()) return Connect(address_ + 1, answer);
      answer->error = std::string("cannot connect: ") + std::strerror(err);
      return Progress::kEnded;
    }
    state_ = State::kSending;
    Watch(EPOLLIN);
    return Send(answer);
  }

  // Writes what is left of the request; waits for EPOLLOUT when the socket
  // buffer is full.
  Progress Send(Answer* answer) {
    while (sent_ < head_.size() + body_.size()) {
      iovec iov[2];
      msghdr msg{};
      msg.msg_iov = iov;
      if (sent_ < head_.size()) iov[msg.msg_iovlen++] = {head_.data() + sent_, head_.size() - sent_};
      const size_t body_sent = sent_ - std::min(sent_, head_.size());
      iov[msg.msg_iovlen++] = {body_.data() + body_sent, body_.size() - body_sent};
      const ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
      if (n > 0) {
        sent_ += static_cast<size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        state_ = State::kSending;
        Watch(EPOLLIN | EPOLLOUT);
        return Progress::kPending;
      } else {
        return Fail(std::string("send: ") + std::strerror(errno), answer);
      }
    }
    ++requests_on_fd_;
    state_ = State::kReading;
    Watch(EPOLLIN);
    return Progress::kPending;
  }

  // One recv (epoll is level-triggered: more bytes wake the loop again),
  // then whether the answer is whole.
  Progress Read(Answer* answer) {
    if (len_ == buf_.size()) buf_.resize(buf_.size() * 2);
    const ssize_t n = ::recv(fd_, buf_.data() + len_, buf_.size() - len_, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return Progress::kPending;
    if (n == 0) return Fail("connection closed by the server", answer);
    if (n < 0) return Fail(std::string("recv: ") + std::strerror(errno), answer);
    got_bytes_ = true;
    len_ += static_cast<size_t>(n);
    return Parse(answer);
  }

  // Frames the answer in buf_[0, len_): the head once, then the body by
  // its Content-Length.
  Progress Parse(Answer* answer) {
    if (!head_parsed_) {
      const std::string_view read(buf_.data(), len_);
      const size_t head_end = read.find("\r\n\r\n");
      if (head_end == std::string_view::npos) {
        return len_ > kHeadBytesMax ? Fail("response head too large", answer) : Progress::kPending;
      }
      if (!ParseHead(read.substr(0, head_end))) return Fail("not an HTTP response", answer);
      if (body_bytes_ > kBodyBytesMax) return Fail("response body too large", answer);
      head_parsed_ = true;
      body_begin_ = head_end + 4;
      if (buf_.size() < body_begin_ + body_bytes_) buf_.resize(body_begin_ + body_bytes_);
    }
    if (len_ < body_begin_ + body_bytes_) return Progress::kPending;
    answer->status = status_;
    answer->body = std::string_view(buf_.data() + body_begin_, body_bytes_);
    answered_ = body_begin_ + body_bytes_;
    if (close_after_ || sent_ < head_.size() + body_.size()) {
      Close();  // leaves buf_'s bytes alone: the body stays readable until the next request
    } else {
      state_ = State::kIdle;
    }
    return Progress::kEnded;
  }

  bool ParseHead(std::string_view head) {
    if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return false;
    if (std::from_chars(head.data() + 9, head.data() + 12, status_).ec != std::errc()) return false;
    body_bytes_ = 0;
    close_after_ = false;
    for (size_t pos = head.find("\r\n"); pos != std::string_view::npos;) {
      const size_t next = head.find("\r\n", pos + 2);
      const std::string_view line = head.substr(pos + 2, next == std::string_view::npos ? head.npos : next - pos - 2);
      pos = next;
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      const std::string_view name = line.substr(0, colon);
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (EqualsLower(name, "content-length")) {
        if (std::from_chars(value.data(), value.data() + value.size(), body_bytes_).ec != std::errc()) return false;
      } else if (EqualsLower(name, "connection") && EqualsLower(value, "close")) {
        close_after_ = true;
      }
    }
    return true;
  }

  // Closes the socket and ends the request with `why`, unless it may be
  // sent again (see the class comment).
  Progress Fail(std::string why, Answer* answer) {
    const bool again = reused_ && !got_bytes_ && !retried_;
    Close();
    if (!again) {
      answer->error = std::move(why);
      return Progress::kEnded;
    }
    retried_ = true;
    return Start(answer);
  }

  // Drops the last answer's bytes from buf_, keeping any that followed.
  void DropAnswered() {
    if (answered_ == 0) return;
    std::memmove(buf_.data(), buf_.data() + answered_, len_ - answered_);
    len_ -= answered_;
    answered_ = 0;
  }

  void Watch(uint32_t events) {
    if (events == watched_) return;
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = id_;
    epoll_ctl(epoll_fd_, watched_ == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd_, &ev);
    watched_ = events;
  }

  // Closes the socket and forgets what was read on it (the bytes stay in
  // buf_ until the next read overwrites them).
  void Close() {
    if (fd_ >= 0) ::close(fd_);  // also leaves the epoll set
    fd_ = -1;
    watched_ = 0;
    state_ = State::kClosed;
    requests_on_fd_ = 0;
    len_ = 0;
    answered_ = 0;
  }

  const Target* target_;
  const int epoll_fd_;
  const uint64_t id_;  // epoll's tag for this connection
  const SteadyClock::duration timeout_;
  int fd_ = -1;
  State state_ = State::kClosed;
  uint32_t watched_ = 0;  // the epoll events asked for; 0: not in the set
  size_t address_ = 0;    // which of target_'s addresses fd_ is for
  int64_t requests_on_fd_ = 0;
  // The request in progress.
  std::string head_;
  std::string body_;
  size_t sent_ = 0;  // bytes of head_ then body_
  TimePoint deadline_;
  bool reused_ = false;     // sent on a connection that had served requests
  bool got_bytes_ = false;  // some of its answer came
  bool retried_ = false;    // already sent again once
  // Its answer: buf_[0, len_) read; buf_[0, answered_) the last answer.
  std::string buf_;
  size_t len_ = 0;
  size_t answered_ = 0;
  bool head_parsed_ = false;
  int status_ = 0;
  size_t body_begin_ = 0;
  size_t body_bytes_ = 0;
  bool close_after_ = false;
};

// The requests a unit of work makes, in order.
enum class Step { kRegister, kUpload, kSettle, kHealthz };

// What a phase asks for. Read-only while its loops run it.
struct PhasePlan {
  std::vector<Step> steps;  // of every unit
  // Units [0, units) are handed out in order. A time-bounded phase
  // (deadline set) has no count: no unit starts at or after the deadline.
  int64_t units = 0;
  TimePoint deadline = TimePoint::max();
  // Paced (open loop): unit i is due at start + i * interval_ns and its
  // latency counts from then. Otherwise (closed loop) a unit starts as soon
  // as a connection is free and its latency counts from then.
  bool paced = false;
  TimePoint start;
  double interval_ns = 0;
  // The visits: unit i's is visits[i] when the phase has them, else the
  // connection's own. make_visits: unit i makes its visit, number
  // first_visit + i, when it starts; otherwise it settles visits[i],
  // prepared before.
  Work* visits = nullptr;
  bool make_visits = true;
  int64_t first_visit = 0;

  TimePoint DueOf(int64_t i) const {
    return start + std::chrono::nanoseconds(static_cast<int64_t>(static_cast<double>(i) * interval_ns));
  }
};

// What a phase's loops share: the run's data, and the next unit.
struct PhaseShared {
  const PhasePlan* plan = nullptr;
  Dataset* data = nullptr;
  const RequestWriter* writer = nullptr;
  const Clock* clock = nullptr;
  int lines_per_settlement = 0;
  std::atomic<int64_t> next_unit{0};
};

// One loop's results of a phase, merged at the end.
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

// A unit of work on one connection: which, how far, since when.
struct Unit {
  int64_t index = -1;
  size_t step = 0;  // into PhasePlan::steps
  TimePoint t0;     // its latency counts from here
  Work* work = nullptr;
  Work own;              // the visit, when the phase keeps none
  std::string begntime;  // the visit's begntime and fee_ocur_time
};

// A phase as one loop runs it: hands out units, writes their requests,
// judges their answers. Used by one thread; what the loops share is in
// PhaseShared.
class PhaseRun {
 public:
  explicit PhaseRun(PhaseShared* shared) : s_(*shared), plan_(*shared->plan) {}

  // Gives `u` the next unit if one may start at `now`; false when none may
  // (all handed out, the next not yet due, or a pause after a failure).
  bool Take(Unit* u, TimePoint now) {
    if (now < paused_until_ || now >= plan_.deadline) return false;
    int64_t i = s_.next_unit.load(std::memory_order_relaxed);
    if (plan_.paced) {
      do {
        if (i >= plan_.units || plan_.DueOf(i) > now) return false;
      } while (!s_.next_unit.compare_exchange_weak(i, i + 1, std::memory_order_relaxed));
      u->t0 = plan_.DueOf(i);
    } else {
      if (i >= plan_.units || (i = s_.next_unit.fetch_add(1, std::memory_order_relaxed)) >= plan_.units) return false;
      u->t0 = now;
    }
    u->index = i;
    u->step = 0;
    if (plan_.steps.front() == Step::kHealthz) return true;
    if (plan_.make_visits) {
      u->work = plan_.visits ? &plan_.visits[i] : &u->own;
      MakeWork(*s_.data, plan_.first_visit + i, s_.lines_per_settlement, u->work);
      u->begntime = LocalTime();
    } else {
      u->work = &plan_.visits[i];
    }
    return true;
  }

  // Writes the HTTP request for the unit's current step: its head and
  // its body (the envelope).
  void Request(const Unit& u, std::string* head, std::string* body) {
    const Step step = plan_.steps[u.step];
    body->clear();
    if (step == Step::kHealthz) {
      head->assign(s_.writer->Healthz());
      return;
    }
    const Work& w = *u.work;
    const std::string_view infno = step == Step::kRegister ? "2201" : step == Step::kUpload ? "2204" : "2207";
    w.session->NextMsgid(&msgid_);
    const std::string& msgid = msgid_;
    JsonText j(body);
    AppendEnvelope(*w.session, infno, msgid, w.who->insuplc_admdvs, LocalTime(), j, [&](JsonText& in) {
      if (step == Step::kRegister) AppendRegisterInput(w, u.begntime, msgid, in);
      if (step == Step::kUpload) AppendUploadInput(w, u.begntime, in);
      if (step == Step::kSettle) AppendSettleInput(w, in);
    });
    s_.writer->CallHead(w.session->bearer, body->size(), head);
  }

  // Takes the answer to the unit's current step, at `now`. True when the
  // unit goes on with its next step; false when it has ended (counted).
  bool Answered(Unit* u, const Answer& a, TimePoint now) {
    const Step step = plan_.steps[u->step];
    std::string failure;
    if (step == Step::kHealthz) {
      if (!a.error.empty() || a.status != 200) failure = "GET /healthz did not answer 200";
    } else {
      failure = RefusalOf(a);
    }
    if (failure.empty() && step == Step::kRegister) {
      u->work->mdtrt_id = StringField(a.body, "\"mdtrt_id\":\"");
      if (u->work->mdtrt_id.empty()) failure = "XT-LOAD-002 no mdtrt_id in the 2201 answer";
    }
    if (!failure.empty()) {
      tally_.Fail(failure);
      // A time-bounded phase would otherwise spin on a refusing server.
      if (plan_.deadline != TimePoint::max()) paused_until_ = now + std::chrono::milliseconds(1);
      return false;
    }
    if (++u->step < plan_.steps.size()) return true;
    ++tally_.ok;
    tally_.latency_ms.push_back(std::chrono::duration<double, std::milli>(now - u->t0).count());
    return false;
  }

  // When Take may next give a unit (TimePoint::max(): never again).
  TimePoint NextStart(TimePoint now) const {
    if (now >= plan_.deadline) return TimePoint::max();
    if (plan_.deadline != TimePoint::max()) return std::max(now, paused_until_);
    const int64_t i = s_.next_unit.load(std::memory_order_relaxed);
    if (i >= plan_.units) return TimePoint::max();
    return plan_.paced ? plan_.DueOf(i) : now;
  }

  const Tally& tally() const { return tally_; }

 private:
  // The clock's local time, yyyy-MM-dd HH:mm:ss, formatted once a second.
  const std::string& LocalTime() {
    const LocalSeconds now = s_.clock->NowLocal();
    if (now != local_time_second_) {
      local_time_second_ = now;
      local_time_ = FormatLocalTime(now);
    }
    return local_time_;
  }

  PhaseShared& s_;
  const PhasePlan& plan_;
  Tally tally_;
  TimePoint paused_until_;
  LocalSeconds local_time_second_ = -1;
  std::string local_time_;
  std::string msgid_;  // the request's, kept for its storage
};

// One thread's share of the connections and the epoll set over their
// sockets. Run drives a phase on them; the loop's thread is the only one
// to touch it while it runs.
class EventLoop {
 public:
  EventLoop(const Target* target, int connections, int timeout_ms)
      : epoll_fd_(epoll_create1(EPOLL_CLOEXEC)),
        units_(static_cast<size_t>(connections)),
        events_(static_cast<size_t>(connections)) {
    for (int c = 0; c < connections; ++c) {
      conns_.push_back(std::make_unique<Connection>(target, epoll_fd_, static_cast<uint64_t>(c), timeout_ms));
    }
  }
  ~EventLoop() {
    conns_.clear();  // their sockets first
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
  }
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  bool ok() const { return epoll_fd_ >= 0; }

  // Runs `phase` until it hands out no more units and none is in flight.
  void Run(PhaseRun* phase) {
    phase_ = phase;
    idle_.clear();
    for (size_t id = conns_.size(); id-- > 0;) idle_.push_back(id);
    TimePoint next_expiry_check = SteadyClock::now() + kExpiryCheckEvery;
    for (;;) {
      TimePoint now = SteadyClock::now();
      StartIdle(now);
      const bool in_flight = idle_.size() < conns_.size();
      TimePoint wake = in_flight ? next_expiry_check : TimePoint::max();
      if (!idle_.empty()) wake = std::min(wake, phase_->NextStart(now));
      if (wake == TimePoint::max()) break;  // nothing in flight, nothing more to start
      const int n = Wait(now, wake);
      for (int k = 0; k < n; ++k) {
        const size_t id = events_[static_cast<size_t>(k)].data.u64;
        Answer answer;
        if (conns_[id]->OnEvents(events_[static_cast<size_t>(k)].events, &answer)) {
          Advance(id, &answer, SteadyClock::now());
        }
      }
      now = SteadyClock::now();
      if (now >= next_expiry_check) {
        ExpireLate(now);
        next_expiry_check = now + kExpiryCheckEvery;
      }
    }
    phase_ = nullptr;
  }

  // One request on the first connection, waited for (the probe and the
  // sign-ins, before the phases). The answer's body is valid until the
  // loop's next request.
  Answer Call(std::string_view head, std::string_view body) {
    Answer answer;
    Connection& c = *conns_[0];
    c.head()->assign(head);
    c.body()->assign(body);
    if (!c.Begin(SteadyClock::now(), &answer)) return answer;
    for (;;) {
      const TimePoint now = SteadyClock::now();
      if (c.Expire(now, &answer)) return answer;
      const int n = Wait(now, now + kExpiryCheckEvery);
      for (int k = 0; k < n; ++k) {
        const size_t id = events_[static_cast<size_t>(k)].data.u64;
        Answer other;  // another connection's events can only close it while idle
        if (conns_[id]->OnEvents(events_[static_cast<size_t>(k)].events, id == 0 ? &answer : &other)) {
          if (id == 0) return answer;
        }
      }
    }
  }

 private:
  static constexpr auto kExpiryCheckEvery = std::chrono::milliseconds(100);

  // Connection `id` ended a request with `answer` (or is idle: nullptr).
  // Gives it its next request: the unit's next step, else a new unit; back
  // to idle_ when the phase has nothing for it now. A request that ends at
  // once (cannot connect) is answered at once, hence the loop.
  void Advance(size_t id, const Answer* answer, TimePoint now) {
    Unit& u = units_[id];
    bool next_step = answer != nullptr && phase_->Answered(&u, *answer, now);
    for (;;) {
      if (!next_step && !phase_->Take(&u, now)) {
        idle_.push_back(id);
        return;
      }
      Answer failed;
      phase_->Request(u, conns_[id]->head(), conns_[id]->body());
      if (conns_[id]->Begin(now, &failed)) return;
      next_step = phase_->Answered(&u, failed, now);
    }
  }

  // Gives idle connections units while the phase has some to start now.
  void StartIdle(TimePoint now) {
    while (!idle_.empty()) {
      const size_t id = idle_.back();
      idle_.pop_back();
      const size_t idle_before = idle_.size();
      Advance(id, nullptr, now);
      if (idle_.size() > idle_before) return;  // it went back: nothing more now
    }
  }

  void ExpireLate(TimePoint now) {
    for (size_t id = 0; id < conns_.size(); ++id) {
      Answer answer;
      if (conns_[id]->Expire(now, &answer)) Advance(id, &answer, now);
    }
  }

  // Waits for socket events until `wake` at the latest (nanosecond
  // precision where the kernel has epoll_pwait2: a paced request is sent on
  // time, not at the next millisecond). The number of events in events_.
  int Wait(TimePoint now, TimePoint wake) {
    const int64_t ns =
        std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::nanoseconds>(wake - now).count());
    const int max_events = static_cast<int>(events_.size());
    int n = -1;
    if (have_pwait2_) {
      const timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
      n = epoll_pwait2(epoll_fd_, events_.data(), max_events, &ts, nullptr);
      if (n < 0 && errno == ENOSYS) have_pwait2_ = false;
    }
    if (!have_pwait2_) {
      n = epoll_wait(epoll_fd_, events_.data(), max_events, static_cast<int>((ns + 999'999) / 1'000'000));
    }
    return std::max(n, 0);  // EINTR: as if woken by the timer
  }

  const int epoll_fd_;
  std::vector<std::unique_ptr<Connection>> conns_;  // index: the connection's epoll tag
  std::vector<Unit> units_;                         // what each connection is doing for the phase
  std::vector<epoll_event> events_;
  std::vector<size_t> idle_;  // connections with no request in flight
  PhaseRun* phase_ = nullptr;
  bool have_pwait2_ = true;
};

LoadPhase Summarise(const std::vector<PhaseRun>& runs, double seconds) {
  LoadPhase ph;
  std::vector<double> all;
  for (const auto& run : runs) {
    const Tally& t = run.tally();
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

// Runs a phase on every loop, one thread each (the first on the calling
// thread), and returns its figures; seconds are the wall time.
LoadPhase RunPhase(std::vector<std::unique_ptr<EventLoop>>& loops, PhaseShared* shared) {
  std::vector<PhaseRun> runs;
  runs.reserve(loops.size());
  for (size_t k = 0; k < loops.size(); ++k) runs.emplace_back(shared);
  const auto t0 = SteadyClock::now();
  std::vector<std::thread> threads;
  for (size_t k = 1; k < loops.size(); ++k) threads.emplace_back([&, k] { loops[k]->Run(&runs[k]); });
  loops[0]->Run(&runs[0]);
  for (auto& t : threads) t.join();
  return Summarise(runs, std::chrono::duration<double>(SteadyClock::now() - t0).count());
}

std::string Fixed(double v, int places) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", places, v);
  return buf;
}

Status CheckOptions(const LoadgenOptions& o) {
  if (o.connections < 1 || o.connections > 1024) return Status::Error("XT-LOAD-003", "connections must be 1..1024");
  if (o.threads < 1 || o.threads > kThreadsMax || o.threads > o.connections) {
    return Status::Error("XT-LOAD-003",
                         "threads must be 1.." + std::to_string(kThreadsMax) + " and at most connections");
  }
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
  if (o.timeout_ms < 1 || o.timeout_ms > 3'600'000) {
    return Status::Error("XT-LOAD-003", "timeout must be 1..3,600,000 ms");
  }
  return Status::Ok();
}

// Six letters and digits from the system's random source: the part of
// every msgid of this run that no other run shares (36^6, about 2.2e9).
std::string RunNonce() {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::random_device rd;
  std::uniform_int_distribution<int> pick(0, 35);
  std::string nonce(6, '0');
  for (char& c : nonce) c = kAlphabet[pick(rd)];
  return nonce;
}

// Every institution with a key signs in once (9001), on the first loop's
// first connection; the run then calls as those institutions only.
Status SignIn(const LoadgenOptions& o, const RequestWriter& writer, EventLoop* loop, Dataset* data) {
  const Clock& clock = SystemClock::Instance();
  const std::string nonce = RunNonce();
  for (const auto& inst : data->registry.institutions()) {
    auto key = o.api_keys.find(inst.fixmedins_code);
    if (key == o.api_keys.end()) continue;
    Dataset::Session& session = data->sessions.emplace_back();
    session.inst = &inst;
    session.msgid_prefix = inst.fixmedins_code + nonce;
    session.bearer = "Authorization: Bearer " + key->second + "\r\n";
    session.items = &data->items.at(ProvinceOf(inst.admdvs));
    if (!EnvelopeMatches(session)) {
      return Status::Error("XT-INT-001", "the load generator's envelope differs from service::HospitalClient's");
    }
    std::string msgid, envelope;
    session.NextMsgid(&msgid);
    JsonText j(&envelope);
    AppendEnvelope(session, "9001", msgid, "", FormatLocalTime(clock.NowLocal()), j,
                   [](JsonText& in) { in.Lit(R"({"signIn":{"opter_no":"loadgen","mac":"","ip":"127.0.0.1"}})"); });
    std::string head;
    writer.CallHead(session.bearer, envelope.size(), &head);
    const Answer a = loop->Call(head, envelope);
    const std::string refusal = RefusalOf(a);
    session.sign_no = StringField(a.body, "\"sign_no\":\"");
    if (!refusal.empty() || session.sign_no.empty()) {
      return Status::Error("XT-LOAD-004", "signing in as " + inst.fixmedins_code + " failed",
                           refusal.empty() ? std::string(a.body.substr(0, 300)) : refusal);
    }
  }
  if (data->sessions.empty()) {
    return Status::Error("XT-LOAD-003",
                         "no hospital keys for the dataset's institutions: issue them with `xietong credentials issue "
                         "--role hospital --all-institutions --json > keys.jsonl` and pass --credentials keys.jsonl");
  }
  return Status::Ok();
}

}  // namespace

Result<LoadgenResult> RunLoadgen(const LoadgenOptions& o) {
  XT_RETURN_IF_ERROR(CheckOptions(o));
  XT_ASSIGN_OR_RETURN(std::unique_ptr<Dataset> data, LoadDataset(o.data_dir));
  XT_ASSIGN_OR_RETURN(const Target target, Resolve(o.host, o.port));
  // The connections are shared out evenly among the loops.
  std::vector<std::unique_ptr<EventLoop>> loops;
  for (int k = 0; k < o.threads; ++k) {
    loops.push_back(std::make_unique<EventLoop>(&target, o.connections / o.threads + (k < o.connections % o.threads),
                                                o.timeout_ms));
    if (!loops.back()->ok()) return Status::Error("XT-LOAD-002", std::string("epoll: ") + std::strerror(errno));
  }
  const RequestWriter writer(o.host);
  {
    const Answer a = loops[0]->Call(writer.Healthz(), "");
    if (!a.error.empty() || a.status != 200) {
      return Status::Error("XT-LOAD-002", "no healthy server at " + o.host + ":" + std::to_string(o.port),
                           a.error.empty() ? "GET /healthz did not answer 200" : a.error);
    }
  }
  XT_RETURN_IF_ERROR(SignIn(o, writer, loops[0].get(), data.get()));
  auto phase = [&](const char* name) {
    if (o.phase) o.phase(name);
  };
  // Runs one plan on all loops.
  auto run = [&](const PhasePlan& plan) {
    PhaseShared shared;
    shared.plan = &plan;
    shared.data = data.get();
    shared.writer = &writer;
    shared.clock = &SystemClock::Instance();
    shared.lines_per_settlement = o.lines_per_settlement;
    return RunPhase(loops, &shared);
  };
  const std::vector<Step> kWholeFlow = {Step::kRegister, Step::kUpload, Step::kSettle};
  LoadgenResult res;
  res.connections = o.connections;
  res.threads = o.threads;
  res.lines_per_settlement = o.lines_per_settlement;
  res.offered_rate_per_s = o.paced_rate_per_s;
  res.offered_flows_rate_per_s = o.paced_flows_rate_per_s;
  // Numbers of visits: flows first, then the prepared ones, then the paced
  // flows'; each visit is its own, so no two requests of the run share one.
  const int64_t prepared_base = o.flows;
  const int64_t to_prepare = o.settles + o.paced;

  // 1. Full flows, closed loop; a flow's latency counts from its start.
  {
    phase("full flows (2201, 2204, 2207)");
    PhasePlan plan;
    plan.steps = kWholeFlow;
    plan.units = o.flows;
    res.flows = run(plan);
  }

  // 2 and 3 need registered visits with their fee details: prepared first.
  std::vector<Work> prepared(static_cast<size_t>(to_prepare));
  {
    phase("preparing visits (2201, 2204)");
    PhasePlan plan;
    plan.steps = {Step::kRegister, Step::kUpload};
    plan.units = to_prepare;
    plan.visits = prepared.data();
    plan.first_visit = prepared_base;
    const LoadPhase ph = run(plan);
    if (ph.failed > 0) return Status::Error("XT-LOAD-004", "preparing visits failed", ph.first_failure);
    res.prepare_requests_per_s = ph.seconds > 0 ? 2.0 * static_cast<double>(ph.ok) / ph.seconds : 0;
  }

  // 2. Settle only, as fast as the server answers.
  {
    phase("settle only (2207)");
    PhasePlan plan;
    plan.steps = {Step::kSettle};
    plan.units = o.settles;
    plan.visits = prepared.data();
    plan.make_visits = false;
    res.settles = run(plan);
  }

  // 3. Settle at a fixed offered rate. Request i is due at start + i/rate;
  // its latency counts from then, whether or not a connection was free.
  {
    phase("settle at a fixed offered rate (2207)");
    PhasePlan plan;
    plan.steps = {Step::kSettle};
    plan.units = o.paced;
    plan.paced = true;
    plan.start = SteadyClock::now() + std::chrono::milliseconds(20);
    plan.interval_ns = 1e9 / o.paced_rate_per_s;
    plan.visits = prepared.data() + o.settles;
    plan.make_visits = false;
    res.paced = run(plan);
  }

  // 4. Whole flows at a fixed offered rate, on visits of their own. Flow i
  // is due at start + i/rate; its latency counts from then.
  {
    phase("whole flows at a fixed offered rate (2201, 2204, 2207)");
    PhasePlan plan;
    plan.steps = kWholeFlow;
    plan.units = o.paced_flows;
    plan.paced = true;
    plan.start = SteadyClock::now() + std::chrono::milliseconds(20);
    plan.interval_ns = 1e9 / o.paced_flows_rate_per_s;
    plan.first_visit = prepared_base + to_prepare;
    res.paced_flows = run(plan);
  }

  // 5. The trivial route, closed loop, for a fixed time.
  {
    phase("GET /healthz");
    PhasePlan plan;
    plan.steps = {Step::kHealthz};
    plan.units = std::numeric_limits<int64_t>::max();
    plan.deadline = SteadyClock::now() + std::chrono::milliseconds(static_cast<int64_t>(o.healthz_seconds * 1000));
    res.healthz = run(plan);
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
      {"threads", threads},
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
  s += std::to_string(connections) + " connections on " + std::to_string(threads) +
       (threads == 1 ? " thread, " : " threads, ") + std::to_string(lines_per_settlement) +
       " fee lines per settlement\n";
  return s;
}

}  // namespace xt::http
