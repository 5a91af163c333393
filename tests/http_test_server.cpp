#include "http_test_server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

namespace hashmon::testing {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

struct HttpTestServer::Impl {
  Handler handler;
  net::io_context ioc;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread thread;
  std::atomic<bool> stop{false};
  mutable std::mutex mu;
  std::vector<TestRequest> requests;
  std::vector<std::thread> workers;
  std::vector<std::shared_ptr<tcp::socket>> sockets;

  void ServeConnection(const std::shared_ptr<tcp::socket>& sock) {
    boost::beast::flat_buffer buf;
    boost::system::error_code ec;
    while (!stop) {
      http::request<http::string_body> req;
      http::read(*sock, buf, req, ec);
      if (ec) return;
      TestRequest r;
      r.method = std::string(req.method_string());
      r.target = std::string(req.target());
      r.body = req.body();
      for (const auto& f : req) {
        std::string name(f.name_string());
        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
        r.headers[name] = std::string(f.value());
      }
      {
        std::lock_guard<std::mutex> lock(mu);
        requests.push_back(r);
      }
      const TestResponse answer = handler(r);
      http::response<http::string_body> res{static_cast<http::status>(answer.status),
                                            req.version()};
      res.set(http::field::content_type, "application/json");
      for (const auto& [name, value] : answer.headers) res.set(name, value);
      res.body() = answer.body;
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      http::write(*sock, res, ec);
      if (ec || !req.keep_alive()) return;
    }
  }
};

HttpTestServer::HttpTestServer(Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
}

HttpTestServer::~HttpTestServer() { Stop(); }

int HttpTestServer::Start() {
  Impl& s = *impl_;
  s.acceptor =
      std::make_unique<tcp::acceptor>(s.ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  port_ = s.acceptor->local_endpoint().port();
  s.thread = std::thread([&s] {
    while (!s.stop) {
      auto sock = std::make_shared<tcp::socket>(s.ioc);
      boost::system::error_code ec;
      s.acceptor->accept(*sock, ec);
      if (ec || s.stop) break;
      std::lock_guard<std::mutex> lock(s.mu);
      s.sockets.push_back(sock);
      s.workers.emplace_back([&s, sock] { s.ServeConnection(sock); });
    }
  });
  return port_;
}

void HttpTestServer::Stop() {
  Impl& s = *impl_;
  if (!s.acceptor || s.stop.exchange(true)) return;
  boost::system::error_code ec;
  {
    tcp::socket wake(s.ioc);
    wake.connect(s.acceptor->local_endpoint(), ec);
  }
  s.acceptor->close(ec);
  if (s.thread.joinable()) s.thread.join();
  {
    std::lock_guard<std::mutex> lock(s.mu);
    for (auto& sock : s.sockets) sock->shutdown(tcp::socket::shutdown_both, ec), sock->close(ec);
  }
  for (auto& w : s.workers) {
    if (w.joinable()) w.join();
  }
}

std::vector<TestRequest> HttpTestServer::requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->requests;
}

}  // namespace hashmon::testing
