// The HTTP side of hashmon: a JSON API over the SQLite history, /metrics for Prometheus,
// /healthz and /readyz, and the dashboard at /. It reads the database through its own
// read-only connections (WAL), so serving never blocks the collector's writes. Binds
// 127.0.0.1 unless told otherwise.
#ifndef HASHMON_OPS_API_SERVER_H_
#define HASHMON_OPS_API_SERVER_H_

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hashmon/clock.h"
#include "hashmon/silence.h"
#include "ops/live_status.h"
#include "ops/notifier.h"
#include "store/retention.h"

namespace hashmon {

class TcpListener;

struct ApiOptions {
  std::string db_path;
  std::string host = "127.0.0.1";
  int port = 8080;
  std::vector<const LiveStatus*> live;        // one per source, inside a collector
  const NotifierStats* alerts = nullptr;      // set when a webhook is configured
  const RetentionStats* retention = nullptr;  // set when keep_history is
  std::vector<std::string> watched_countries;
  std::vector<Silence> config_silences;  // a collector's, listed with the database's
  Clock* clock = nullptr;
  size_t max_connections = 64;
  // Rows of counts one answer may hold (about 70 MB of JSON, in this process): a day of
  // minutes for 700 series, a week of 10-minute buckets for 990. More is refused with 400.
  int64_t max_count_rows = 1'000'000;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// "127.0.0.1:8080", ":8080", "8080" and "localhost:8080" (loopback), "0.0.0.0:80",
// "[::1]:8080". Returns false on a bad value.
bool ParseListen(const std::string& text, std::string* host, int* port);
// The address a browser opens for a server listening there: an IPv6 address in brackets,
// and the machine's name for every interface (0.0.0.0, ::).
std::string ListenUrl(const std::string& host, int port);

class ApiServer {
 public:
  explicit ApiServer(ApiOptions options);
  ~ApiServer();

  // Binds and serves on a thread. Returns the bound port, or -1 with *error.
  int Start(std::string* error);
  void Stop();

  // Answers one GET request for `target` (path and query); used by the server thread.
  ApiResponse Handle(const std::string& target);

  // What a user should know when the server listens beyond this machine (empty on
  // loopback): it asks no one who they are, and the history holds people's posts.
  std::string ExposureWarning() const;

 private:
  void Serve(const std::shared_ptr<boost::asio::ip::tcp::socket>& sock);
  ApiResponse Status();
  // The config file's silences and the database's (`hashmon silence add`); ?all=1 for
  // those that ended too.
  ApiResponse Silences(const std::map<std::string, std::string>& params);
  ApiResponse Metrics();
  ApiResponse Ready();
  ApiResponse Query(const std::string& path, const std::map<std::string, std::string>& params);
  // /api/v1/outages/ID: that outage, whenever it was (the id an alert or the report names).
  ApiResponse OneOutage(const std::string& id_text);
  ApiOptions options_;
  std::unique_ptr<TcpListener> listener_;
  std::atomic<int> port_{0};  // the port it listens on (options_.port may be 0: any free one)
};

}  // namespace hashmon

#endif  // HASHMON_OPS_API_SERVER_H_
