#include "feed/http_stream.h"

#define _TURN_OFF_PLATFORM_STRING
#include <cpprest/http_client.h>
#include <pplx/threadpool.h>

#include <condition_variable>
#include <atomic>
#include <mutex>
#include <thread>

namespace hashmon {
namespace {

using concurrency::streams::details::streambuf_state_manager;

// A write-only stream buffer that hands each piece of the response body to a function,
// on the network thread, before cpprestsdk reads on. cpprestsdk's default body buffer
// grows without bound when the consumer is slower than the network (1.3 GB measured);
// with this one a slow consumer slows the socket down instead (TCP backpressure).
class SinkBuffer : public streambuf_state_manager<uint8_t> {
 public:
  explicit SinkBuffer(std::function<void(const uint8_t*, size_t)> sink)
      : streambuf_state_manager<uint8_t>(std::ios_base::out), sink_(std::move(sink)) {}
  bool can_seek() const override { return false; }
  bool has_size() const override { return false; }
  size_t buffer_size(std::ios_base::openmode) const override { return 0; }
  void set_buffer_size(size_t, std::ios_base::openmode) override {}
  size_t in_avail() const override { return 0; }
  pos_type getpos(std::ios_base::openmode) const override { return static_cast<pos_type>(traits::eof()); }
  pos_type seekpos(pos_type, std::ios_base::openmode) override { return static_cast<pos_type>(traits::eof()); }
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

 protected:
  pplx::task<int_type> _putc(uint8_t ch) override {
    sink_(&ch, 1);
    return pplx::task_from_result<int_type>(ch);
  }
  pplx::task<size_t> _putn(const uint8_t* ptr, size_t count) override {
    sink_(ptr, count);
    return pplx::task_from_result(count);
  }
  uint8_t* _alloc(size_t) override { return nullptr; }
  void _commit(size_t) override {}
  pplx::task<int_type> _bumpc() override { return pplx::task_from_result<int_type>(traits::eof()); }
  int_type _sbumpc() override { return traits::eof(); }
  pplx::task<int_type> _getc() override { return pplx::task_from_result<int_type>(traits::eof()); }
  int_type _sgetc() override { return traits::eof(); }
  pplx::task<int_type> _nextc() override { return pplx::task_from_result<int_type>(traits::eof()); }
  pplx::task<int_type> _ungetc() override { return pplx::task_from_result<int_type>(traits::eof()); }
  pplx::task<size_t> _getn(uint8_t*, size_t) override { return pplx::task_from_result<size_t>(0); }
  size_t _scopy(uint8_t*, size_t) override { return 0; }
  pplx::task<bool> _sync() override { return pplx::task_from_result(true); }

 private:
  std::function<void(const uint8_t*, size_t)> sink_;
};

// A bounded hand-off from cpprestsdk's network thread (the sink) to the caller's thread
// (the parser): the two overlap, and when the parser falls behind by `kMaxBuffered`
// bytes the sink waits, so cpprestsdk stops reading and TCP pushes back on the server.
// Shared with the sink, which cpprestsdk may call after a cancelled call returned.
struct BodyPipe {
  static constexpr size_t kMaxBuffered = 4u << 20;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<char> bytes;
  bool open = true;       // false once the caller has moved on: the sink drops data
  bool ended = false;     // the body is complete (or failed)
  bool reader_waiting = false;
  bool writer_waiting = false;

  std::atomic<int64_t> last_data{0};  // monotonic ms of the last bytes, for the watchdog

  // Network thread. Drops the data when nobody will read it any more. The clock is read
  // under the lock while open, so never after the caller has returned.
  void Put(const uint8_t* p, size_t n, Clock* clock) {
    std::unique_lock<std::mutex> lock(mu);
    while (open && bytes.size() >= kMaxBuffered) {
      writer_waiting = true;
      cv.wait(lock);
      writer_waiting = false;
    }
    if (!open) return;
    last_data = clock->MonotonicMs();
    bytes.insert(bytes.end(), p, p + n);
    if (reader_waiting) cv.notify_all();
  }
  // Caller's thread: swaps out everything buffered; false at the end of the body.
  bool Take(std::vector<char>* out) {
    out->clear();
    std::unique_lock<std::mutex> lock(mu);
    while (bytes.empty() && !ended) {
      reader_waiting = true;
      cv.wait(lock);
      reader_waiting = false;
    }
    if (bytes.empty()) return false;
    out->swap(bytes);
    if (writer_waiting) cv.notify_all();
    return true;
  }
  void End() {
    std::lock_guard<std::mutex> lock(mu);
    ended = true;
    cv.notify_all();
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu);
    open = false;
    ended = true;
    bytes.clear();
    cv.notify_all();
  }
};

}  // namespace

void InitHttpThreads(size_t threads) {
  static std::once_flag once;
  std::call_once(once, [threads] { crossplat::threadpool::initialize_with_threads(threads); });
}

HttpReply HttpCall(const std::string& method, const std::string& url, const std::map<std::string, std::string>& headers,
                   const std::string& json_body, int64_t timeout_ms) {
  using namespace web::http;
  using namespace web::http::client;
  InitHttpThreads(2);
  HttpReply reply;
  try {
    http_client_config config;
    config.set_timeout(std::chrono::milliseconds(timeout_ms));
    config.set_validate_certificates(true);
    http_client client(url, config);
    http_request req(method);
    req.headers().add("User-Agent", "hashmon/0.1");
    for (const auto& [k, v] : headers) req.headers().add(k, v);
    if (!json_body.empty()) req.set_body(json_body, "application/json");
    http_response resp = client.request(req).get();
    reply.status = resp.status_code();
    reply.body = resp.extract_utf8string(true).get();
  } catch (const std::exception& e) {
    reply.status = 0;
    reply.error = e.what();
  }
  return reply;
}

StreamOutcome StreamHttp(const StreamRequest& request, const std::function<void(const char*, size_t)>& on_bytes,
                         const std::atomic<bool>* stop, Clock* clock) {
  using namespace web::http;
  using namespace web::http::client;
  InitHttpThreads(2);
  StreamOutcome out;
  auto pipe = std::make_shared<BodyPipe>();
  pplx::cancellation_token_source cancel;
  pipe->last_data = clock->MonotonicMs();
  std::atomic<int64_t>& last_data = pipe->last_data;
  std::atomic<bool> done{false}, stalled{false};
  // The watchdog: a stream that says nothing (not even a keep-alive) is dead.
  std::thread watchdog([&] {
    while (!done) {
      if (stop && *stop) {
        cancel.cancel();
        return;
      }
      if (clock->MonotonicMs() - last_data > request.idle_timeout_ms) {
        stalled = true;
        cancel.cancel();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  try {
    http_client_config config;
    config.set_timeout(std::chrono::hours(24 * 365));  // the watchdog decides, not a timeout
    config.set_validate_certificates(true);
    http_client client(request.url, config);  // fresh per connection: reuse after failure breaks
    http_request req(methods::GET);
    req.headers().add("User-Agent", "hashmon/0.1");
    for (const auto& [k, v] : request.headers) req.headers().add(k, v);
    auto sink = std::make_shared<SinkBuffer>([pipe, clock](const uint8_t* p, size_t n) { pipe->Put(p, n, clock); });
    req.set_response_stream(concurrency::streams::ostream(concurrency::streams::streambuf<uint8_t>(sink)));
    http_response resp = client.request(req, cancel.get_token()).get();
    last_data = clock->MonotonicMs();
    const int status = resp.status_code();
    out.http_status = status;
    if (status != 200) {
      out.kind = StreamOutcome::kFailed;
      out.failure = status == 401 || status == 403 ? FailureKind::kAuth
                    : status == 429                ? FailureKind::kRateLimited
                                                   : FailureKind::kHttp;
      if (status == 429 && resp.headers().has("x-rate-limit-reset")) {
        try {
          out.rate_limit_reset_ms = std::stoll(resp.headers()["x-rate-limit-reset"]) * 1000;
        } catch (const std::exception&) {
        }
      }
      out.message = "HTTP " + std::to_string(status);
      done = true;
      watchdog.join();
      pipe->Close();
      return out;
    }
    auto body_done = resp.content_ready().then([pipe](pplx::task<http_response> t) {
      pipe->End();
      t.get();  // rethrows a failure or cancellation to the caller
    });
    std::vector<char> chunk;
    while (pipe->Take(&chunk)) {
      out.received_data = true;
      on_bytes(chunk.data(), chunk.size());
    }
    body_done.get();
    out.kind = StreamOutcome::kEnded;
  } catch (const std::exception& e) {
    out.kind = StreamOutcome::kFailed;
    out.failure = FailureKind::kNetwork;
    out.message = e.what();
  }
  done = true;
  watchdog.join();
  pipe->Close();
  if (stop && *stop) out.kind = StreamOutcome::kStopped;
  else if (stalled) {
    out.kind = StreamOutcome::kStalled;
    out.failure = FailureKind::kNetwork;
    out.message = "no data for " + std::to_string(request.idle_timeout_ms / 1000) + " s";
  }
  return out;
}

}  // namespace hashmon
