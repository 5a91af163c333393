#include "feed/http_stream.h"

#define _TURN_OFF_PLATFORM_STRING
#include <cpprest/http_client.h>
#include <pplx/threadpool.h>

#include <mutex>
#include <thread>

namespace hashmon {

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
  pplx::cancellation_token_source cancel;
  std::atomic<int64_t> last_data{clock->MonotonicMs()};
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
      return out;
    }
    auto body = resp.body().streambuf();
    std::vector<char> buf(64 * 1024);
    while (true) {
      const size_t n = body.getn(reinterpret_cast<uint8_t*>(buf.data()), buf.size()).get();
      if (n == 0) break;
      last_data = clock->MonotonicMs();
      out.received_data = true;
      on_bytes(buf.data(), n);
    }
    out.kind = StreamOutcome::kEnded;
  } catch (const std::exception& e) {
    out.kind = StreamOutcome::kFailed;
    out.failure = FailureKind::kNetwork;
    out.message = e.what();
  }
  done = true;
  watchdog.join();
  if (stop && *stop) out.kind = StreamOutcome::kStopped;
  else if (stalled) {
    out.kind = StreamOutcome::kStalled;
    out.failure = FailureKind::kNetwork;
    out.message = "no data for " + std::to_string(request.idle_timeout_ms / 1000) + " s";
  }
  return out;
}

}  // namespace hashmon
