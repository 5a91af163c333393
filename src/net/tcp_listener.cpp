#include "net/tcp_listener.h"

#include <sys/socket.h>

#include <boost/asio/ip/address.hpp>
#include <exception>

namespace hashmon {

namespace net = boost::asio;
using tcp = net::ip::tcp;

TcpListener::TcpListener(ListenerOptions options, ServeFn serve)
    : options_(std::move(options)), serve_(std::move(serve)) {}

TcpListener::~TcpListener() { Stop(); }

int TcpListener::Start(std::string* error) {
  try {
    acceptor_ = std::make_unique<tcp::acceptor>(
        ioc_, tcp::endpoint(net::ip::make_address(options_.host),
                            static_cast<unsigned short>(options_.port)));
  } catch (const std::exception& e) {
    *error =
        "cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " + e.what();
    return -1;
  }
  const int port = acceptor_->local_endpoint().port();
  thread_ = std::thread([this] { AcceptLoop(); });
  return port;
}

void TcpListener::AcceptLoop() {
  while (!stop_) {
    auto sock = std::make_shared<Socket>(ioc_);
    boost::system::error_code ec;
    acceptor_->accept(*sock, ec);
    if (stop_) break;
    if (ec) continue;
    if (options_.socket_timeout_seconds > 0) {
      timeval tv{options_.socket_timeout_seconds, 0};
      setsockopt(sock->native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      setsockopt(sock->native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (open_.size() >= options_.max_connections) {
      sock->close(ec);
      continue;
    }
    open_.insert(sock);
    // Detached: Stop() waits for every connection to end. The socket is destroyed here,
    // under the lock, while its io_context is surely alive.
    std::thread([this, sock]() mutable {
      try {
        serve_(sock);
      } catch (const std::exception&) {  // a client that went away mid-write
      }
      std::lock_guard<std::mutex> lock(mu_);
      open_.erase(sock);
      sock.reset();
      idle_.notify_all();
    }).detach();
  }
}

void TcpListener::Stop() {
  if (!acceptor_ || stop_.exchange(true)) return;
  boost::system::error_code ec;
  {
    // Wake the blocking accept with a connection of our own.
    Socket wake(ioc_);
    wake.connect(acceptor_->local_endpoint(), ec);
  }
  acceptor_->close(ec);
  if (thread_.joinable()) thread_.join();
  std::unique_lock<std::mutex> lock(mu_);
  for (const auto& sock : open_) sock->shutdown(tcp::socket::shutdown_both, ec);
  idle_.wait(lock, [&] { return open_.empty(); });
}

}  // namespace hashmon
