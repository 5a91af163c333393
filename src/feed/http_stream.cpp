#include "feed/http_stream.h"

#define _TURN_OFF_PLATFORM_STRING
#include <cpprest/http_client.h>
#include <pplx/threadpool.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace hashmon {
namespace {

using concurrency::streams::details::streambuf_state_manager;

// A write-only stream buffer that hands each piece of the response body to a function
// on the network thread. cpprestsdk reads the next piece only once the write's task is
// done, so a slow consumer slows the socket down (TCP backpressure) instead of buffering:
// its default body buffer grows without bound (1.3 GB measured). Doing the work here,
// not on a thread of our own, also saves a thread hop per piece, which is what
// one-post-per-chunk streams pay for.
class SinkBuffer : public streambuf_state_manager<uint8_t> {
 public:
  using Sink = std::function<pplx::task<size_t>(const uint8_t*, size_t)>;
  explicit SinkBuffer(Sink sink)
      : streambuf_state_manager<uint8_t>(std::ios_base::out), sink_(std::move(sink)) {}
  bool can_seek() const override { return false; }
  bool has_size() const override { return false; }
  size_t buffer_size(std::ios_base::openmode) const override { return 0; }
  void set_buffer_size(size_t, std::ios_base::openmode) override {}
  size_t in_avail() const override { return 0; }
  pos_type getpos(std::ios_base::openmode) const override {
    return static_cast<pos_type>(traits::eof());
  }
  pos_type seekpos(pos_type, std::ios_base::openmode) override {
    return static_cast<pos_type>(traits::eof());
  }
  pos_type seekoff(off_type, std::ios_base::seekdir, std::ios_base::openmode) override {
    return static_cast<pos_type>(traits::eof());
  }
  utility::size64_t size() const override { return 0; }
  bool acquire(uint8_t*& ptr, size_t& count) override {
    ptr = nullptr;
    count = 0;
    return false;
  }
  void release(uint8_t*, size_t) override {}
  // The base class wraps _putn's task in one more continuation (a scheduled task per
  // piece); the sink's task already says all there is to say.
  pplx::task<size_t> putn_nocopy(const uint8_t* ptr, size_t count) override {
    return _putn(ptr, count);
  }

 protected:
  pplx::task<int_type> _putc(uint8_t ch) override {
    return sink_(&ch, 1).then([ch](size_t) { return static_cast<int_type>(ch); });
  }
  pplx::task<size_t> _putn(const uint8_t* ptr, size_t count) override { return sink_(ptr, count); }
  uint8_t* _alloc(size_t) override { return nullptr; }
  void _commit(size_t) override {}
  pplx::task<int_type> _bumpc() override { return pplx::task_from_result<int_type>(traits::eof()); }
  int_type _sbumpc() override { return traits::eof(); }
  pplx::task<int_type> _getc() override { return pplx::task_from_result<int_type>(traits::eof()); }
  int_type _sgetc() override { return traits::eof(); }
  pplx::task<int_type> _nextc() override { return pplx::task_from_result<int_type>(traits::eof()); }
  pplx::task<int_type> _ungetc() override {
    return pplx::task_from_result<int_type>(traits::eof());
  }
  pplx::task<size_t> _getn(uint8_t*, size_t) override { return pplx::task_from_result<size_t>(0); }
  size_t _scopy(uint8_t*, size_t) override { return 0; }
  pplx::task<bool> _sync() override { return pplx::task_from_result(true); }

 private:
  Sink sink_;
};

// Runs a task's continuation at once, on the thread that completed the task. cpprestsdk
// continues each piece of the body (the next read) on the task its write returned; on the
// pool's scheduler that continuation is one more handler queued on the network thread, and
// asio polls the kernel (epoll_wait) before every handler it runs: a third of the
// per-chunk work of a one-post-per-chunk stream. The continuation only starts the next
// read, which asio queues, so running it inline nests no deeper than one piece.
class InlineScheduler final : public pplx::scheduler_interface {
 public:
  void schedule(pplx::TaskProc_t proc, void* param) override { proc(param); }
};

// What the network thread shares with the call, which may return (cancelled) while
// cpprestsdk still writes: `active` says, under the lock, whether the consumer and the
// clock still exist. The body can begin before the caller has seen the status: its first
// piece then waits (as an unfinished write, holding no thread) until the caller accepts
// the stream, so an error page never reaches the consumer, and what the caller does on
// connecting (Mastodon's gap fill) comes before the stream's first post.
class BodyState {
 public:
  BodyState(const std::function<void(const char*, size_t)>* consume, Clock* clock)
      : consume_(consume),
        clock_(clock),
        done_(pplx::scheduler_ptr(std::make_shared<InlineScheduler>())) {}

  // Network thread.
  pplx::task<size_t> Deliver(const uint8_t* p, size_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!active_) return pplx::task_from_result(n, done_);  // nobody reads any more: drop
    last_data = clock_->MonotonicMs();
    const char* piece = reinterpret_cast<const char*>(p);
    if (!accepted_) {  // kept until then (cpprestsdk's buffer is not ours to hold)
      piece_.assign(piece, piece + n);
      held_.emplace();
      return pplx::create_task(*held_);
    }
    try {
      Consume(piece, n);
    } catch (...) {
      return pplx::task_from_exception<size_t>(std::current_exception());  // fails the response
    }
    return pplx::task_from_result(n, done_);
  }
  // Caller's thread: the status is 200; a piece that was waiting is consumed now.
  void Accept() {
    std::lock_guard<std::mutex> lock(mu_);
    accepted_ = true;
    if (!held_) return;
    auto held = std::move(*held_);
    held_.reset();
    try {
      Consume(piece_.data(), piece_.size());
    } catch (...) {
      held.set_exception(std::current_exception());
      return;
    }
    held.set(piece_.size());
  }
  // Caller's thread, before it returns: waits for a piece in progress; later ones drop.
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    active_ = false;
    if (held_) held_->set(piece_.size()), held_.reset();
  }
  bool received() const { return received_; }

  std::atomic<int64_t> last_data{0};  // monotonic ms of the last bytes, for the watchdog

 private:
  void Consume(const char* piece, size_t n) {
    received_ = true;
    (*consume_)(piece, n);
  }

  const std::function<void(const char*, size_t)>* consume_;
  Clock* clock_;
  const pplx::task_options done_;  // a piece consumed: its continuation runs inline
  std::mutex mu_;
  bool active_ = true;
  bool accepted_ = false;
  std::vector<char> piece_;  // the piece that came before Accept()
  std::optional<pplx::task_completion_event<size_t>> held_;
  std::atomic<bool> received_{false};
};

// cpprestsdk restarts a request's timeout timer twice per chunk of the body. When that
// timer is the earliest on the pool's io_context, each restart reprograms the kernel
// timer (timerfd_settime), an eighth of the CPU of a one-post-per-chunk stream. A timer
// that always falls due sooner keeps those restarts off the kernel: asio reprograms only
// for a new earliest timer, and this one moves once a second.
class TimerfdShield {
 public:
  explicit TimerfdShield(boost::asio::io_service& io) : timer_(io) { Arm(); }

 private:
  void Arm() {
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) Arm();
    });
  }
  boost::asio::steady_timer timer_;
};

// The stream's watchdog: a stream that says nothing (not even a keep-alive) is dead. On
// its own thread it looks every 20 ms (time as the clock tells it) and cancels the request
// once *stop is true or nothing came for idle_timeout_ms; Stop() wakes and ends it at once.
class StallWatchdog {
 public:
  StallWatchdog(const std::atomic<bool>* stop, Clock* clock, const std::atomic<int64_t>* last_data,
                int64_t idle_timeout_ms, const pplx::cancellation_token_source& cancel)
      : thread_([=] {
          std::unique_lock<std::mutex> lock(mu_);
          while (!done_) {
            if ((stop && *stop) || clock->MonotonicMs() - *last_data > idle_timeout_ms) {
              stalled_ = !(stop && *stop);
              cancel.cancel();
              return;
            }
            cv_.wait_for(lock, std::chrono::milliseconds(20));
          }
        }) {}
  ~StallWatchdog() { Stop(); }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  // Whether it cancelled the request for want of data.
  bool stalled() const { return stalled_; }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::atomic<bool> stalled_{false};
  std::thread thread_;  // last: it starts once the members it uses exist
};

// A response other than 200: how to retry (a token to fix, a rate limit's reset), and why.
void Refused(const web::http::http_response& resp, StreamOutcome* out) {
  const int status = resp.status_code();
  out->kind = StreamOutcome::kFailed;
  out->failure = status == 401 || status == 403 ? FailureKind::kAuth
                 : status == 429                ? FailureKind::kRateLimited
                                                : FailureKind::kHttp;
  if (status == 429 && resp.headers().has("x-rate-limit-reset")) {
    try {
      out->rate_limit_reset_ms =
          std::stoll(resp.headers().find("x-rate-limit-reset")->second) * 1000;
    } catch (const std::exception&) {
    }
  }
  out->message = "HTTP " + std::to_string(status);
}

}  // namespace

void InitHttpThreads() {
  static std::once_flag once;
  std::call_once(once, [] {
    crossplat::threadpool::initialize_with_threads(1);
    // Lives as long as the pool it serves, which cpprestsdk never tears down before exit.
    // (volatile: an optimiser would drop a pointer nobody reads, and LeakSanitizer would
    // then call the shield a leak.)
    static TimerfdShield* volatile shield =
        new TimerfdShield(crossplat::threadpool::shared_instance().service());
    (void)shield;
  });
}

HttpReply HttpCall(const std::string& method, const std::string& url,
                   const std::map<std::string, std::string>& headers, const std::string& json_body,
                   int64_t timeout_ms, bool follow_redirects) {
  using namespace web::http;
  using namespace web::http::client;
  InitHttpThreads();
  HttpReply reply;
  try {
    http_client_config config;
    config.set_timeout(std::chrono::milliseconds(timeout_ms));
    config.set_validate_certificates(true);
    if (!follow_redirects) config.set_max_redirects(0);
    http_client client(url, config);
    http_request req(method);
    req.headers().add("User-Agent", "hashmon/0.1");
    for (const auto& [k, v] : headers) req.headers().add(k, v);
    if (!json_body.empty()) req.set_body(json_body, "application/json");
    http_response resp = client.request(req).get();
    reply.status = resp.status_code();
    if (resp.headers().has("Location")) reply.location = resp.headers()["Location"];
    reply.body = resp.extract_utf8string(true).get();
  } catch (const std::exception& e) {
    reply.status = 0;
    reply.error = e.what();
  }
  return reply;
}

StreamOutcome StreamHttp(const StreamRequest& request,
                         const std::function<void(const char*, size_t)>& on_bytes,
                         const std::atomic<bool>* stop, Clock* clock,
                         const std::function<void()>& on_connected) {
  using namespace web::http;
  using namespace web::http::client;
  InitHttpThreads();
  StreamOutcome out;
  auto body = std::make_shared<BodyState>(&on_bytes, clock);
  pplx::cancellation_token_source cancel;
  body->last_data = clock->MonotonicMs();
  StallWatchdog watchdog(stop, clock, &body->last_data, request.idle_timeout_ms, cancel);
  auto finish = [&] {
    watchdog.Stop();
    body->Close();  // waits for a piece in progress; later ones are dropped
    out.received_data = body->received();
  };
  try {
    http_client_config config;
    config.set_timeout(std::chrono::hours(24 * 365));  // the watchdog decides, not a timeout
    config.set_validate_certificates(true);
    http_client client(request.url, config);  // fresh per connection: reuse after failure breaks
    http_request req(methods::GET);
    req.headers().add("User-Agent", "hashmon/0.1");
    for (const auto& [k, v] : request.headers) req.headers().add(k, v);
    auto sink = std::make_shared<SinkBuffer>(
        [body](const uint8_t* p, size_t n) { return body->Deliver(p, n); });
    req.set_response_stream(
        concurrency::streams::ostream(concurrency::streams::streambuf<uint8_t>(sink)));
    http_response resp = client.request(req, cancel.get_token()).get();
    body->last_data = clock->MonotonicMs();
    out.http_status = resp.status_code();
    if (out.http_status != 200) {
      Refused(resp, &out);
      // The error page is not read: drop it, stop its download, and wait until cpprestsdk
      // has let go of it (returning at once left its read in flight past the client's end,
      // which LeakSanitizer caught now and then).
      finish();
      cancel.cancel();
      try {
        resp.content_ready().wait();
      } catch (const std::exception&) {
      }
      return out;
    }
    if (on_connected) on_connected();
    body->Accept();
    resp.content_ready().get();  // the body goes to on_bytes as it arrives
    out.kind = StreamOutcome::kEnded;
  } catch (const std::exception& e) {
    out.kind = StreamOutcome::kFailed;
    out.failure = FailureKind::kNetwork;
    out.message = e.what();
  }
  finish();
  if (stop && *stop) {
    out.kind = StreamOutcome::kStopped;
  } else if (watchdog.stalled()) {
    out.kind = StreamOutcome::kStalled;
    out.failure = FailureKind::kNetwork;
    out.message = "no data for " + std::to_string(request.idle_timeout_ms / 1000) + " s";
    out.silent_ms = clock->MonotonicMs() - body->last_data;
  }
  return out;
}

}  // namespace hashmon
