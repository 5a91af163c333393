#include "feed/ws_stream.h"

#define _TURN_OFF_PLATFORM_STRING
#include <cpprest/ws_client.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace hashmon {
namespace {

using web::websockets::client::websocket_callback_client;
using web::websockets::client::websocket_client_config;
using web::websockets::client::websocket_close_status;
using web::websockets::client::websocket_incoming_message;
using web::websockets::client::websocket_message_type;
using web::websockets::client::websocket_outgoing_message;

// Shared with the client's callbacks, which may outlive the call (close can hang).
struct WsState {
  std::mutex mu;
  std::condition_variable cv;
  bool active = true;  // false once the call returned: late callbacks do nothing
  bool closed = false;
  int close_code = 0;
  std::string close_reason;
  std::atomic<int64_t> last_data{0};
  std::atomic<bool> received{false};
  std::string buffer;              // reused for each message
  bool opened = false;             // the caller's on_open step is done: deliver messages
  std::vector<std::string> early;  // messages that came before that, in order
  bool connect_done = false;       // the handshake's task finished (either way)
  bool close_done = false;         // close()'s task finished
};

// Observes a finished task, its failure ignored (pplx calls std::terminate on a failure
// nobody observed; what the task concerns is reported elsewhere).
void IgnoreFailure(const pplx::task<void>& finished) {
  try {
    finished.get();
  } catch (const std::exception&) {
  }
}

// When `task` finishes, either way, observes it, raises the flag `done` and wakes the waiter.
// `keep` lives until then.
void RaiseWhenDone(const pplx::task<void>& task, const std::shared_ptr<WsState>& state,
                   bool WsState::*done, std::shared_ptr<void> keep = nullptr) {
  task.then([state, done, keep = std::move(keep)](const pplx::task<void>& t) {
    IgnoreFailure(t);
    std::lock_guard<std::mutex> lock(state->mu);
    (*state).*done = true;
    state->cv.notify_all();
  });
}

// Lets a task finish on its own, its failure ignored, keeping `keep` alive until it does.
void LetFinish(const pplx::task<void>& task, std::shared_ptr<void> keep = nullptr) {
  task.then([keep = std::move(keep)](const pplx::task<void>& t) { IgnoreFailure(t); });
}

constexpr int64_t kCloseWaitMs = 2'000;

using MessageHandler = std::function<void(char*, size_t)>;

// A fresh client whose callbacks record into `state`: messages go to `handler` (or wait in
// `early` until the caller's on_open step is done), a close is noted.
std::shared_ptr<websocket_callback_client> MakeClient(const WsRequest& request,
                                                      const std::shared_ptr<WsState>& state,
                                                      const MessageHandler* handler, Clock* clock) {
  websocket_client_config config;
  config.set_validate_certificates(true);
  config.headers().add("User-Agent", "hashmon/0.1");
  for (const auto& [k, v] : request.headers) config.headers().add(k, v);
  for (const std::string& p : request.subprotocols) config.add_subprotocol(p);
  auto client = std::make_shared<websocket_callback_client>(config);
  client->set_message_handler([state, handler, clock](const websocket_incoming_message& msg) {
    std::lock_guard<std::mutex> lock(state->mu);
    if (!state->active) return;  // the call has returned; handler and clock may be gone
    state->last_data = clock->MonotonicMs();  // a pong is a sign of life too
    if (msg.message_type() != websocket_message_type::text_message &&
        msg.message_type() != websocket_message_type::binary_message) {
      return;
    }
    auto buf = msg.body().streambuf();
    const size_t n = msg.length();
    state->buffer.resize(n + 1);
    if (n > 0) buf.getn(reinterpret_cast<uint8_t*>(&state->buffer[0]), n).get();
    state->buffer[n] = '\0';
    state->received = true;
    if (!state->opened) {  // held until the caller's on_open step is done
      state->early.emplace_back(state->buffer.data(), n);
      return;
    }
    (*handler)(&state->buffer[0], n);
  });
  client->set_close_handler(
      [state](websocket_close_status status, const std::string& reason, const std::error_code& ec) {
        std::lock_guard<std::mutex> lock(state->mu);
        state->closed = true;
        state->close_code = static_cast<int>(status);
        state->close_reason = reason.empty() && ec ? ec.message() : reason;
        state->cv.notify_all();
      });
  return client;
}

// Waits for the handshake, which is watched too: a server that accepts TCP and never
// answers is a stall. Returns whether it finished (either way) before that or a stop.
bool AwaitHandshake(const pplx::task<void>& connect, const WsRequest& request,
                    const std::shared_ptr<WsState>& state, const std::atomic<bool>* stop,
                    Clock* clock) {
  // Observed here too: a handshake that fails after a stall must not abort.
  RaiseWhenDone(connect, state, &WsState::connect_done);
  std::unique_lock<std::mutex> lock(state->mu);
  while (!state->connect_done) {
    if ((stop && *stop) || clock->MonotonicMs() - state->last_data > request.idle_timeout_ms) break;
    state->cv.wait_for(lock, std::chrono::milliseconds(20));
  }
  return connect.is_done();
}

// Runs the caller's on_open step on this thread, with the network threads free (the step
// may make its own requests, which need them), then hands over the messages that arrived
// meanwhile, in order, and lets the rest through.
void OpenThenDeliverEarly(const std::function<void()>& on_open, const MessageHandler& on_message,
                          WsState* state) {
  on_open();
  std::lock_guard<std::mutex> lock(state->mu);
  for (std::string& m : state->early) {
    const size_t n = m.size();
    m.push_back('\0');
    on_message(m.data(), n);
  }
  state->early.clear();
  state->opened = true;
}

// Watches an open connection until the server closes it, *stop, or the idle timeout,
// sending the heartbeat on its interval (from `last_beat`).
void Watch(const WsRequest& request, websocket_callback_client* client, WsState* state,
           const std::atomic<bool>* stop, Clock* clock, int64_t last_beat, StreamOutcome* out) {
  std::unique_lock<std::mutex> lock(state->mu);
  while (!state->closed) {
    if (stop && *stop) {
      out->kind = StreamOutcome::kStopped;
      return;
    }
    const int64_t now = clock->MonotonicMs();
    if (now - state->last_data > request.idle_timeout_ms) {
      out->kind = StreamOutcome::kStalled;
      out->message = "no data for " + std::to_string(request.idle_timeout_ms / 1000) + " s";
      out->silent_ms = now - state->last_data;
      return;
    }
    if (request.heartbeat_every_ms > 0 && now - last_beat >= request.heartbeat_every_ms) {
      last_beat = now;
      websocket_outgoing_message beat;
      beat.set_pong_message();
      lock.unlock();
      LetFinish(client->send(beat));  // the close handler reports a failure
      lock.lock();
    }
    state->cv.wait_for(lock, std::chrono::milliseconds(20));
  }
  out->kind = state->close_code == static_cast<int>(websocket_close_status::normal)
                  ? StreamOutcome::kEnded
                  : StreamOutcome::kFailed;
  out->failure = FailureKind::kNetwork;
  out->message = "closed (" + std::to_string(state->close_code) +
                 (state->close_reason.empty() ? "" : ": " + state->close_reason) + ")";
}

// A connection that failed with `e`. A refused upgrade names the HTTP status; 401/403
// means fix the token, not retry fast.
void Failed(const std::exception& e, StreamOutcome* out) {
  out->kind = StreamOutcome::kFailed;
  out->failure = FailureKind::kNetwork;
  out->message = e.what();
  const std::string what = e.what();
  for (int code : {401, 403, 429}) {
    if (what.find(std::to_string(code)) != std::string::npos) {
      out->http_status = code;
      out->failure = code == 429 ? FailureKind::kRateLimited : FailureKind::kAuth;
    }
  }
}

// close() can hang on a dead peer: waits a little, then leaves it to finish on its own.
// The client stays alive until its close completes, however late.
void CloseWithin(const std::shared_ptr<websocket_callback_client>& client,
                 const std::shared_ptr<WsState>& state) {
  try {
    auto closing = client->close();
    RaiseWhenDone(closing, state, &WsState::close_done, client);
    // Real time on purpose: this bounds a hang of the library, not a feed interval.
    std::unique_lock<std::mutex> lock(state->mu);
    state->cv.wait_for(lock, std::chrono::milliseconds(kCloseWaitMs),
                       [&] { return state->close_done; });
  } catch (const std::exception&) {
  }
}

}  // namespace

StreamOutcome StreamWebSocket(const WsRequest& request, const MessageHandler& on_message,
                              const std::atomic<bool>* stop, Clock* clock,
                              const std::function<void()>& on_open) {
  InitHttpThreads();
  StreamOutcome out;
  auto state = std::make_shared<WsState>();
  state->last_data = clock->MonotonicMs();
  const int64_t first_try = state->last_data;  // the heartbeat's period runs from here
  state->opened = !on_open;
  auto client = MakeClient(request, state, &on_message, clock);  // fresh per connection
  try {
    auto connect = client->connect(web::uri(request.url));
    if (!AwaitHandshake(connect, request, state, stop, clock)) {
      out.kind = (stop && *stop) ? StreamOutcome::kStopped : StreamOutcome::kStalled;
      out.message = "no answer to the WebSocket handshake";
      // A handshake that completes after all would leave a connection open that nobody
      // reads (the close below may come while it is still connecting): close it then.
      LetFinish(connect.then([client] { LetFinish(client->close(), client); }));
    } else {
      connect.get();  // throws on a failed handshake
      for (const std::string& text : request.send_on_open) {
        websocket_outgoing_message message;
        message.set_utf8_message(text);
        client->send(message).get();  // throws if the socket failed: the connection ends
      }
      if (on_open) OpenThenDeliverEarly(on_open, on_message, state.get());
      Watch(request, client.get(), state.get(), stop, clock, first_try, &out);
    }
  } catch (const std::exception& e) {
    Failed(e, &out);
  }
  out.received_data = state->received;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    state->active = false;  // from here on, messages are dropped: the caller has moved on
  }
  CloseWithin(client, state);
  return out;
}

}  // namespace hashmon
