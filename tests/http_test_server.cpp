#include "http_test_server.h"

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>

#include "net/tcp_listener.h"

namespace hashmon::testing {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

struct HttpTestServer::Impl {
  Handler handler;
  std::unique_ptr<TcpListener> listener;
  mutable std::mutex mu;
  std::vector<TestRequest> requests;

  void ServeConnection(const std::shared_ptr<tcp::socket>& sock) {
    boost::beast::flat_buffer buf;
    boost::system::error_code ec;
    for (;;) {  // until the client is done, or Stop() shuts the socket down
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
  s.listener = std::make_unique<TcpListener>(
      ListenerOptions{},
      [&s](const std::shared_ptr<tcp::socket>& sock) { s.ServeConnection(sock); });
  std::string error;
  port_ = s.listener->Start(&error);
  if (port_ < 0) throw std::runtime_error(error);
  return port_;
}

void HttpTestServer::Stop() {
  if (impl_->listener) impl_->listener->Stop();
}

std::vector<TestRequest> HttpTestServer::requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->requests;
}

}  // namespace hashmon::testing
