#include "feed/feed_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>

namespace hashmon {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

bool ParseFault(const std::string& spec, FeedFaults* f) {
  const size_t eq = spec.find('=');
  if (eq == std::string::npos) return false;
  const std::string name = spec.substr(0, eq);
  int v = 0;
  try {
    v = std::stoi(spec.substr(eq + 1));
  } catch (const std::exception&) {
    return false;
  }
  if (name == "drop-after") f->drop_after_lines = v;
  else if (name == "truncate-after") f->truncate_after_lines = v;
  else if (name == "stall-after") f->stall_after_lines = v;
  else if (name == "garbage-every") f->garbage_every_lines = v;
  else if (name == "status") f->statuses.push_back(v);
  else if (name == "backfill") f->backfill_lines = v;
  else if (name == "chunk-bytes") f->chunk_bytes = static_cast<size_t>(v);
  else return false;
  return true;
}

struct FeedServer::Impl {
  std::vector<std::string> lines;
  FeedFaults faults;
  double rate = 0;
  net::io_context ioc;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread thread;
  std::mutex mu;
  size_t next_line = 0;  // shared across connections: a live stream goes on
  int connection_no = 0;
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  std::vector<std::shared_ptr<tcp::socket>> sockets;
};

FeedServer::FeedServer(std::vector<std::string> lines, FeedFaults faults, double lines_per_second)
    : impl_(std::make_unique<Impl>()) {
  impl_->lines = std::move(lines);
  impl_->faults = std::move(faults);
  impl_->rate = lines_per_second;
}

FeedServer::~FeedServer() { Stop(); }

int FeedServer::Start(int port, std::string* error) {
  try {
    impl_->acceptor = std::make_unique<tcp::acceptor>(
        impl_->ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  } catch (const std::exception& e) {
    *error = std::string("cannot listen on 127.0.0.1:") + std::to_string(port) + ": " + e.what();
    return -1;
  }
  const int bound = impl_->acceptor->local_endpoint().port();
  impl_->thread = std::thread([this] {
    Impl& s = *impl_;
    while (!s.stop) {
      auto sock = std::make_shared<tcp::socket>(s.ioc);
      boost::system::error_code ec;
      s.acceptor->accept(*sock, ec);
      if (ec || s.stop) break;
      std::lock_guard<std::mutex> lock(s.mu);
      s.sockets.push_back(sock);
      const int n = ++s.connection_no;
      ++connections_;
      s.workers.emplace_back([this, sock, n] {
        Impl& s = *impl_;
        boost::system::error_code ec;
        try {
          boost::beast::flat_buffer buf;
          http::request<http::string_body> req;
          http::read(*sock, buf, req);
          if (static_cast<size_t>(n) <= s.faults.statuses.size()) {
            const int code = s.faults.statuses[static_cast<size_t>(n) - 1];
            http::response<http::string_body> res{static_cast<http::status>(code), req.version()};
            res.set(http::field::content_type, "application/json");
            if (code == 429) res.set("x-rate-limit-reset", "0");
            res.body() = R"({"title":"fault injected","status":)" + std::to_string(code) + "}";
            res.prepare_payload();
            http::write(*sock, res);
            sock->shutdown(tcp::socket::shutdown_both, ec);
            return;
          }
          http::response<http::empty_body> res{http::status::ok, req.version()};
          res.set(http::field::content_type, "application/x-ndjson");
          res.chunked(true);
          http::response_serializer<http::empty_body> sr{res};
          http::write_header(*sock, sr);
          size_t pos;
          {
            std::lock_guard<std::mutex> lock(s.mu);
            const size_t back = static_cast<size_t>(s.faults.backfill_lines);
            pos = s.next_line > back && n > 1 ? s.next_line - back : (n > 1 ? 0 : s.next_line);
            if (n > 1 && s.faults.backfill_lines == 0) pos = s.next_line;
            const std::string target(req.target());
            const size_t c = target.find("cursor=");
            if (c != std::string::npos) pos = std::min<size_t>(std::stoull(target.substr(c + 7)), s.lines.size());
          }
          int sent = 0;
          const size_t start = pos;
          const bool first = n == 1 + static_cast<int>(s.faults.statuses.size());
          // A faulted connection may lose whatever was still in flight, so the next one
          // starts again from this connection's start (de-duplication absorbs the resend),
          // the way X's backfill covers a disconnection.
          auto rewind = [&] {
            std::lock_guard<std::mutex> lock(s.mu);
            s.next_line = start;
          };
          std::string pending;  // lines gathered into one chunk
          while (!s.stop) {
            std::string line;
            {
              std::lock_guard<std::mutex> lock(s.mu);
              if (pos >= s.lines.size()) break;
              line = s.lines[pos++];
              s.next_line = std::max(s.next_line, pos);
            }
            if (first && s.faults.stall_after_lines && sent == s.faults.stall_after_lines) {
              rewind();
              stalled_ = true;
              // Hold the socket open and silent until the client gives up on it.
              char probe;
              sock->read_some(net::buffer(&probe, 1), ec);
              stalled_ = false;
              return;
            }
            if (first && s.faults.truncate_after_lines && sent == s.faults.truncate_after_lines) {
              rewind();
              const std::string half = line.substr(0, line.size() / 2);
              net::write(*sock, http::make_chunk(net::buffer(half)), ec);
              sock->shutdown(tcp::socket::shutdown_both, ec);
              return;
            }
            if (first && s.faults.drop_after_lines && sent == s.faults.drop_after_lines) {
              rewind();
              sock->shutdown(tcp::socket::shutdown_both, ec);
              return;
            }
            line.push_back('\n');
            if (s.faults.garbage_every_lines && sent > 0 && sent % s.faults.garbage_every_lines == 0) {
              line = "{not json at all\n" + line;
            }
            pending += line;
            if (pending.size() >= s.faults.chunk_bytes) {
              net::write(*sock, http::make_chunk(net::buffer(pending)), ec);
              pending.clear();
              if (ec) return;
            }
            ++sent;
            ++lines_sent_;
            if (s.rate > 0) std::this_thread::sleep_for(std::chrono::duration<double>(1.0 / s.rate));
          }
          if (!pending.empty()) net::write(*sock, http::make_chunk(net::buffer(pending)), ec);
          net::write(*sock, http::make_chunk_last(), ec);
          finished_ = true;
          sock->shutdown(tcp::socket::shutdown_both, ec);
        } catch (const std::exception&) {
        }
      });
    }
  });
  return bound;
}

void FeedServer::Stop() {
  if (!impl_ || impl_->stop.exchange(true)) return;
  boost::system::error_code ec;
  if (impl_->acceptor) {
    // Wake the blocking accept with a connection of our own, then close.
    try {
      tcp::socket wake(impl_->ioc);
      wake.connect(impl_->acceptor->local_endpoint(), ec);
    } catch (const std::exception&) {
    }
    impl_->acceptor->close(ec);
  }
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (auto& s : impl_->sockets) s->close(ec);
  }
  if (impl_->thread.joinable()) impl_->thread.join();
  for (auto& w : impl_->workers) {
    if (w.joinable()) w.join();
  }
}

}  // namespace hashmon
