// A small HTTP/1.1 server on 127.0.0.1 (Boost.Beast) for tests of hashmon as a client:
// X's rules endpoint, an Alertmanager-style webhook receiver. Each request is recorded
// and answered by the test's handler.
#ifndef HASHMON_TESTS_HTTP_TEST_SERVER_H_
#define HASHMON_TESTS_HTTP_TEST_SERVER_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hashmon::testing {

struct TestRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

struct TestResponse {
  int status = 200;
  std::string body = "{}";
  std::map<std::string, std::string> headers = {};  // besides Content-Type
};

class HttpTestServer {
 public:
  using Handler = std::function<TestResponse(const TestRequest&)>;
  explicit HttpTestServer(Handler handler);
  ~HttpTestServer();

  // Binds 127.0.0.1 on a free port; returns it.
  int Start();
  void Stop();
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<TestRequest> requests() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace hashmon::testing

#endif  // HASHMON_TESTS_HTTP_TEST_SERVER_H_
