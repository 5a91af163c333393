#include "ops/api_server.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <type_traits>
#include <vector>

#include "feed/url_text.h"
#include "hashmon/country_locator.h"
#include "hashmon/tag_key.h"
#include "hashmon/time_util.h"
#include "net/tcp_listener.h"
#include "ops/prometheus.h"
#include "ops/web_assets.h"
#include "store/json_views.h"
#include "store/silence_store.h"
#include "store/sqlite_store.h"

namespace hashmon {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr int64_t kDefaultRangeMs = 24 * 3'600'000;
constexpr char kOnePath[] = "/api/v1/outages/";
constexpr int kSocketTimeoutSeconds = 30;
constexpr int64_t kMaxPointsPerSeries = 200'000;

bool IsLoopbackName(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  const net::ip::address a = net::ip::make_address(host, ec);
  return !ec && a.is_loopback();
}

// Whether a request that names `host_header` is for this server. A web page elsewhere can
// point a name of its own at 127.0.0.1 (DNS rebinding) and have the browser read a loopback
// server with that name in Host; so a server bound to loopback answers only to loopback
// names and addresses. Bound to another address, it answers to every name.
bool HostAllowed(const std::string& listen_host, std::string_view host_header) {
  if (!IsLoopbackName(listen_host) || host_header.empty()) return true;
  const std::string name = HostOf("http://" + std::string(host_header));  // "[::1]:8080": ::1
  boost::system::error_code ec;
  net::ip::make_address(name, ec);
  return name == "localhost" || !ec;  // an address literal is no name to rebind
}

std::string UrlDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> ParseQuery(std::string_view q) {
  std::map<std::string, std::string> params;
  while (!q.empty()) {
    const size_t amp = q.find('&');
    const std::string_view pair = q.substr(0, amp);
    const size_t eq = pair.find('=');
    if (!pair.empty()) {
      params[UrlDecode(pair.substr(0, eq))] =
          eq == std::string_view::npos ? "" : UrlDecode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return params;
}

ApiResponse Error(int status, const std::string& message) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("error");
  w.String(message.c_str());
  w.Key("status");
  w.Int(status);
  w.EndObject();
  return {status, "application/json", sb.GetString()};
}

// The parameters an API endpoint takes (nullopt: no such endpoint, which answers 404).
std::optional<std::vector<std::string_view>> ParametersOf(std::string_view endpoint) {
  using List = std::vector<std::string_view>;
  if (endpoint == "counts") return List{"tag", "country", "since", "until", "every"};
  if (endpoint == "outages" || endpoint == "spikes")
    return List{"tag", "country", "since", "until"};
  if (endpoint == "gaps") return List{"since", "until"};
  if (endpoint == "silences") return List{"all"};
  if (endpoint == "status" || endpoint == "sources" || endpoint.rfind("outages/", 0) == 0)
    return List{};
  return std::nullopt;
}

// A parameter the endpoint does not take is refused, naming those it does: a typo such as
// contry=BR would otherwise be answered for every country, as if it were right.
std::optional<ApiResponse> RefuseUnknownParameters(
    std::string_view endpoint, const std::map<std::string, std::string>& params) {
  const auto takes = ParametersOf(endpoint);
  if (!takes) return std::nullopt;
  for (const auto& [name, value] : params) {
    if (std::find(takes->begin(), takes->end(), name) != takes->end()) continue;
    std::string list;
    for (size_t k = 0; k < takes->size(); ++k)
      list += std::string(k == 0                   ? ""
                          : k + 1 == takes->size() ? " and "
                                                   : ", ") +
              std::string((*takes)[k]);
    const std::string path = "/api/v1/" + std::string(endpoint);
    return Error(400, "unknown parameter \"" + name + "\": " + path +
                          (takes->empty() ? " takes none" : " takes " + list));
  }
  return std::nullopt;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

void StringArray(JsonWriter& w, const char* key, const std::vector<std::string>& items) {
  w.Key(key);
  w.StartArray();
  for (const auto& item : items) w.String(item.c_str());
  w.EndArray();
}

void LatestOutage(JsonWriter& w, const SqliteStore::Summary& summary) {
  w.Key("latest_outage");
  if (!summary.latest_outage_id) {
    w.Null();
    return;
  }
  w.StartObject();
  w.Key("id");
  w.Int64(summary.latest_outage_id);
  WriteTimeOrNull(w, "started", summary.latest_outage_started);
  WriteTimeOrNull(w, "ended", summary.latest_outage_ended);
  w.EndObject();
}

// {"reason": n, ...}
template <typename Number>
void WriteByReason(JsonWriter& w, const char* key, const std::map<std::string, Number>& by_reason) {
  w.Key(key);
  w.StartObject();
  for (const auto& [reason, n] : by_reason) {
    w.Key(reason.c_str());
    if constexpr (std::is_integral_v<Number>)
      w.Int64(n);
    else
      w.Double(n);
  }
  w.EndObject();
}

// A source of the collector this server runs in: its connection, lag and counters.
void LiveSource(JsonWriter& w, const LiveSnapshot& s, int64_t now) {
  w.StartObject();
  w.Key("name");
  w.String(s.source.c_str());
  w.Key("url");
  w.String(s.url.c_str());
  w.Key("state");
  w.String(s.state.c_str());
  WriteTimeOrNull(w, "connected_since", s.state == "connected" ? s.connected_since_ms : 0);
  WriteTimeOrNull(w, "last_data", s.last_data_ms);
  WriteTimeOrNull(w, "last_post_time",
                  s.pipeline.newest_event_ms == INT64_MIN ? 0 : s.pipeline.newest_event_ms);
  w.Key("cursor_lag_seconds");
  if (s.cursor_event_ms > 0)
    w.Double((now - s.cursor_event_ms) / 1000.0);
  else
    w.Null();
  w.Key("connections");
  w.Int64(s.connections);
  WriteByReason(w, "reconnects", s.reconnects);
  WriteByReason(w, "unwatched_seconds", s.unwatched_seconds);
  w.Key("failovers");
  w.Int64(s.failovers);
  w.Key("bytes");
  w.Int64(s.bytes);
  w.Key("late_mentions");
  w.Int64(s.late_mentions);
  w.Key("zstd_dictionary");
  if (s.zstd_dictionary != 0)
    w.Uint(s.zstd_dictionary);
  else
    w.Null();
  if (s.recording) {
    w.Key("recorded");
    w.Int64(s.recorded);
    w.Key("record_lost");
    w.Int64(s.record_lost);
  }
  w.EndObject();
}

// Outside a collector: the sources the database has checkpoints of (the first 20).
void StoredSources(JsonWriter& w, const SqliteStore::Summary& summary) {
  size_t n = 0;
  for (const auto& src : summary.sources) {
    if (++n > 20) break;
    w.StartObject();
    w.Key("name");
    w.String(src.name.c_str());
    w.Key("state");
    w.String("not collecting here");
    WriteTimeOrNull(w, "last_commit", src.updated_s * 1000);
    w.Key("cursor");
    w.String(src.cursor.c_str());
    w.EndObject();
  }
}

// The webhook's counters, or null where no webhook is configured.
void AlertStats(JsonWriter& w, const NotifierStats* alerts) {
  w.Key("alerts");
  if (!alerts) {
    w.Null();
    return;
  }
  w.StartObject();
  w.Key("delivered");
  w.Int64(alerts->delivered.load());
  w.Key("failed_attempts");
  w.Int64(alerts->failed_attempts.load());
  w.Key("pending");
  w.Int64(alerts->pending.load());
  w.Key("silenced");
  w.Int64(alerts->silenced.load());
  w.Key("withdrawn");
  w.Int64(alerts->withdrawn.load());
  w.EndObject();
}

// A collector's keep_history and what it has deleted; null without it.
void RetentionStatus(JsonWriter& w, const RetentionStats* retention, int64_t now) {
  w.Key("retention");
  if (!retention) {
    w.Null();
    return;
  }
  w.StartObject();
  w.Key("keep_seconds");
  w.Int64(retention->keep_ms / 1000);
  WriteTimeOrNull(w, "keeps_since", now - retention->keep_ms);
  w.Key("deleted_counts");
  w.Int64(retention->deleted_counts.load());
  w.Key("failed_passes");
  w.Int64(retention->failed_passes.load());
  WriteTimeOrNull(w, "last_pass", retention->last_pass_s.load() * 1000);
  w.EndObject();
}

}  // namespace

bool ParseListen(const std::string& text, std::string* host, int* port) {
  const size_t colon = text.rfind(':');
  // A port alone is this machine's (as ":8080" is).
  std::string h = colon == std::string::npos ? "" : text.substr(0, colon);
  // (localhost is how people write loopback; other names would need a resolver to pick an
  // address, and a name is no promise of which interface it binds.)
  if (h.empty() || h == "localhost") h = "127.0.0.1";
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  const std::string digits = colon == std::string::npos ? text : text.substr(colon + 1);
  if (digits.empty() || digits.size() > 5 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return false;
  try {
    const int p = std::stoi(digits);
    if (p < 0 || p > 65535) return false;
    boost::system::error_code ec;
    net::ip::make_address(h, ec);
    if (ec) return false;
    *host = h;
    *port = p;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::string ListenUrl(const std::string& host, int port) {
  boost::system::error_code ec;
  const net::ip::address address = net::ip::make_address(host, ec);
  std::string name = host;
  if (!ec && address.is_unspecified()) {  // every interface: name the machine
    char buf[256] = {};
    name = gethostname(buf, sizeof buf - 1) == 0 && buf[0] ? buf : "127.0.0.1";
  } else if (host.find(':') != std::string::npos) {
    name = "[" + host + "]";
  }
  return "http://" + name + ":" + std::to_string(port) + "/";
}

ApiServer::ApiServer(ApiOptions options) : options_(std::move(options)) {}

ApiServer::~ApiServer() { Stop(); }

ApiResponse ApiServer::Handle(const std::string& target) {
  const size_t qmark = target.find('?');
  const std::string path = target.substr(0, qmark);
  const auto params = ParseQuery(
      qmark == std::string::npos ? std::string_view() : std::string_view(target).substr(qmark + 1));
  if (path == "/healthz") return {200, "application/json", R"({"status":"ok"})"};
  if (path == "/readyz") return Ready();
  if (path == "/metrics") return Metrics();
  if (path.rfind("/api/v1/", 0) == 0) {
    if (auto refused = RefuseUnknownParameters(std::string_view(path).substr(8), params))
      return *refused;
  }
  if (path == "/api/v1/status") return Status();
  if (path == "/api/v1/silences") return Silences(params);
  if (path.rfind(kOnePath, 0) == 0) return OneOutage(path.substr(sizeof kOnePath - 1));
  if (path.rfind("/api/v1/", 0) == 0) return Query(path.substr(8), params);
  const WebAsset asset = FindWebAsset(path);
  if (!asset.body.empty()) return {200, asset.content_type, std::string(asset.body)};
  return Error(
      404, "no such path: " + path + " (see /api/v1/status, /metrics, /healthz, /readyz and /)");
}

ApiResponse ApiServer::Ready() {
  std::string error;
  auto store = SqliteStore::OpenReadOnly(options_.db_path, &error);
  if (!store) return Error(503, error);
  for (const LiveStatus* live : options_.live) {
    const LiveSnapshot s = live->Get();
    if (s.state != "connected") return Error(503, "source " + s.source + " is " + s.state);
  }
  return {200, "application/json", R"({"status":"ready"})"};
}

ApiResponse ApiServer::Metrics() {
  DbFacts facts;
  const int64_t now = options_.clock->NowMs();
  std::vector<LiveSnapshot> live;
  for (const LiveStatus* l : options_.live) live.push_back(l->Get());
  facts.database_bytes = HistoryBytes(options_.db_path);
  if (live.empty()) {
    std::string error;
    auto store = SqliteStore::OpenReadOnly(options_.db_path, &error);
    if (store) {
      try {
        const auto s = store->Summarize();
        facts.open_outages = s.open_outages;
        facts.newest_count_ms = s.newest_count_ms;
        facts.mentions_by_country = s.mentions_by_country;
        for (const auto& src : s.sources) facts.checkpoint_updated_s[src.name] = src.updated_s;
      } catch (const std::exception&) {
      }
    }
  }
  AlertFacts alerts;
  if (options_.alerts) {
    alerts = {options_.alerts->delivered.load(), options_.alerts->failed_attempts.load(),
              options_.alerts->pending.load(), options_.alerts->silenced.load(),
              options_.alerts->withdrawn.load()};
  }
  RetentionFacts retention;
  if (options_.retention) {
    retention = {options_.retention->deleted_counts.load(),
                 options_.retention->failed_passes.load(), options_.retention->last_pass_s.load()};
  }
  return {200, "text/plain; version=0.0.4; charset=utf-8",
          RenderMetrics(live, facts, options_.alerts ? &alerts : nullptr, now,
                        options_.retention ? &retention : nullptr)};
}

ApiResponse ApiServer::Status() {
  std::string error;
  auto store = SqliteStore::OpenReadOnly(options_.db_path, &error);
  if (!store) return Error(503, error);
  const int64_t now = options_.clock->NowMs();
  SqliteStore::Summary summary;
  std::vector<std::string> tags;
  try {
    summary = store->Summarize();
    tags = store->Tags();
  } catch (const std::exception& e) {
    return Error(503, std::string("cannot read the database: ") + e.what());
  }
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("live");
  w.Bool(!options_.live.empty());
  w.Key("db");
  w.String(options_.db_path.c_str());
  w.Key("schema_version");
  w.Int(store->schema_version());
  WriteTimeOrNull(w, "now", now);
  StringArray(w, "tags", tags);
  StringArray(w, "watched_countries", options_.watched_countries);
  WriteTimeOrNull(w, "newest_count_time", summary.newest_count_ms);
  w.Key("open_outages");
  w.Int64(summary.open_outages);
  LatestOutage(w, summary);
  w.Key("sources");
  w.StartArray();
  for (const LiveStatus* live : options_.live) LiveSource(w, live->Get(), now);
  if (options_.live.empty()) StoredSources(w, summary);
  w.EndArray();
  AlertStats(w, options_.alerts);
  RetentionStatus(w, options_.retention, now);
  w.EndObject();
  return {200, "application/json", sb.GetString()};
}

namespace {

// The filters every query endpoint takes.
struct QueryFilters {
  int64_t since = 0, until = 0;
  std::string tag, country;
};

// Reads the filters from a request's parameters (the last day by default); an error response
// when one cannot be read, or when no row could match.
std::optional<ApiResponse> ReadFilters(const std::map<std::string, std::string>& params,
                                       int64_t now, QueryFilters* f) {
  auto param = [&](const char* name) -> std::string {
    auto it = params.find(name);
    return it == params.end() ? "" : it->second;
  };
  f->since = now - kDefaultRangeMs;
  f->until = now;
  for (auto [name, out] : {std::pair{"since", &f->since}, std::pair{"until", &f->until}}) {
    const std::string text = param(name);
    if (text.empty()) continue;
    auto t = ParseUserTime(text, now);
    if (!t)
      return Error(
          400, std::string(name) + ": expected ISO 8601 (2016-01-19T08:00:00Z) or relative (-2h)");
    *out = *t;
  }
  if (f->until <= f->since) return Error(400, "until must be after since");
  f->tag = UserTagKey(param("tag"));
  f->country = Upper(param("country"));
  if (f->country == "ALL") f->country.clear();
  if (!f->country.empty() && !IsCountryKey(f->country))
    return Error(
        400,
        "country: an ISO 3166 code such as BR or GB (not UK), or ?? for posts with no country");
  return std::nullopt;
}

ApiResponse CountsAnswer(SqliteStore& store, const QueryFilters& f, const std::string& every,
                         int64_t max_rows) {
  CountQuery q;
  q.tag = f.tag;
  q.country = f.country;
  q.since_ms = f.since;
  q.until_ms = f.until;
  if (!every.empty()) {
    auto every_ms = ParseDuration(every);
    if (!every_ms || *every_ms < 60'000 || *every_ms % 60'000 != 0) {
      return Error(400, "every: a whole number of minutes, such as 1m, 5m or 1h");
    }
    q.every_ms = *every_ms;
  }
  if ((f.until - f.since) / q.every_ms > kMaxPointsPerSeries) {
    return Error(400, "too many points: narrow since/until or raise every");
  }
  // Written as the rows are read, and given up past max_rows: an answer is held whole in
  // memory, in the collector's process when it serves the API.
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  int64_t rows = 0;
  w.StartArray();
  store.ForEachCount(q, [&](const CountRow& r) {
    WriteCountRow(w, r);
    return ++rows <= max_rows;
  });
  if (rows > max_rows) {
    return Error(400, "more than " + std::to_string(max_rows) +
                          " rows: narrow since/until, name a tag or a country, or raise every");
  }
  w.EndArray();
  return {200, "application/json", buf.GetString()};
}

}  // namespace

ApiResponse ApiServer::Query(const std::string& what,
                             const std::map<std::string, std::string>& params) {
  if (what != "counts" && what != "outages" && what != "spikes" && what != "gaps" &&
      what != "sources") {
    return Error(404,
                 "no such endpoint: /api/v1/" + what +
                     " (counts, outages, outages/ID, spikes, gaps, sources, silences, status)");
  }
  QueryFilters f;
  if (auto refused = ReadFilters(params, options_.clock->NowMs(), &f)) return *refused;
  std::string error;
  auto store = SqliteStore::OpenReadOnly(options_.db_path, &error);
  if (!store) return Error(503, error);
  try {
    if (what == "sources") return {200, "application/json", SourcesJson(store->QuerySources())};
    if (what == "counts") {
      const auto every = params.find("every");
      return CountsAnswer(*store, f, every == params.end() ? "" : every->second,
                          options_.max_count_rows);
    }
    SqliteStore::OutageQuery q;
    q.since_ms = f.since;
    q.until_ms = f.until;
    q.country = f.country;
    q.tag = f.tag;
    if (what == "outages") return {200, "application/json", OutagesJson(store->QueryOutages(q))};
    if (what == "spikes") return {200, "application/json", SpikesJson(store->QuerySpikes(q))};
    return {200, "application/json", GapsJson(store->QueryGaps(q))};
  } catch (const std::exception& e) {
    return Error(503, std::string("cannot read the database: ") + e.what());
  }
}

ApiResponse ApiServer::OneOutage(const std::string& id_text) {
  const std::optional<int64_t> id = ParseOutageNumber(id_text);
  if (!id)
    return Error(404,
                 "no such outage: " + id_text + " (an outage's number, as in /api/v1/outages/3)");
  std::string error;
  auto store = SqliteStore::OpenReadOnly(options_.db_path, &error);
  if (!store) return Error(503, error);
  try {
    SqliteStore::OutageQuery q;
    q.id = *id;
    const auto rows = store->QueryOutages(q);
    if (rows.empty()) return Error(404, "no outage #" + std::to_string(*id));
    return {200, "application/json", OutageJson(rows.front())};
  } catch (const std::exception& e) {
    return Error(503, std::string("cannot read the database: ") + e.what());
  }
}

ApiResponse ApiServer::Silences(const std::map<std::string, std::string>& params) {
  const auto all_param = params.find("all");
  const bool all = all_param != params.end() && all_param->second != "0";
  const int64_t now = options_.clock->NowMs();
  std::vector<StoredSilence> rows;
  for (const Silence& s : options_.config_silences) {
    if (all || now < s.until_ms) rows.push_back({0, s, 0});
  }
  std::string error;
  if (!ListSilences(options_.db_path, all, now, &rows, &error)) return Error(503, error);
  return {200, "application/json", SilencesJson(rows, now)};
}

std::string ApiServer::ExposureWarning() const {
  if (IsLoopbackName(options_.host)) return "";
  return "listening on " + options_.host +
         ": the API, /metrics and the dashboard ask for no login, so anyone who can reach this "
         "port reads the history and its sample posts; keep it behind a firewall or a reverse "
         "proxy that authenticates, or listen on 127.0.0.1";
}

int ApiServer::Start(std::string* error) {
  ListenerOptions listen{options_.host, options_.port, options_.max_connections,
                         kSocketTimeoutSeconds};
  listener_ = std::make_unique<TcpListener>(
      listen, [this](const std::shared_ptr<TcpListener::Socket>& sock) { Serve(sock); });
  const int port = listener_->Start(error);
  if (port < 0) *error += " (is another process using the port? pick another with --listen)";
  port_ = port;
  return port;
}

namespace {

// The HTTP response for an answer, with the headers every answer carries.
http::response<http::string_body> HttpResponse(ApiResponse r, unsigned version, bool keep_alive,
                                               bool head) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "hashmon");
  res.set(http::field::content_type, r.content_type);
  res.set(http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  // Scripts only from this server: even if a post's text got into the page as HTML,
  // an inline script or event handler would not run.
  res.set("Content-Security-Policy",
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'");
  if (r.status == 405) res.set(http::field::allow, "GET, HEAD");
  res.keep_alive(keep_alive);
  if (!head) res.body() = std::move(r.body);
  res.prepare_payload();
  return res;
}

}  // namespace

void ApiServer::Serve(const std::shared_ptr<boost::asio::ip::tcp::socket>& sock) {
  boost::beast::flat_buffer buf;
  boost::system::error_code ec;
  for (;;) {  // until the client is done, or Stop() shuts the socket down
    http::request<http::string_body> req;
    http::read(*sock, buf, req, ec);
    if (ec == http::error::header_limit || ec == http::error::body_limit) {
      // Beast reads at most 8 KB of request line and headers: say so, not a closed socket.
      const bool header = ec == http::error::header_limit;
      http::write(*sock,
                  HttpResponse(Error(header ? 431 : 413,
                                     header ? "the request line and headers are over 8 KB: ask "
                                              "with a shorter URL"
                                            : "a request body is more than this server reads"),
                               11, false, false),
                  ec);
      break;
    }
    if (ec) break;
    ApiResponse r;
    const auto host = req[http::field::host];
    if (!HostAllowed(options_.host, std::string_view(host.data(), host.size()))) {
      r = Error(403, "this server listens on " + options_.host +
                         " and answers to loopback names only (a guard against DNS "
                         "rebinding): open it as http://127.0.0.1:" +
                         std::to_string(port_.load()) +
                         "/, or serve with --listen ADDRESS:PORT to answer to other names");
    } else if (req.method() != http::verb::get && req.method() != http::verb::head) {
      r = Error(405, "only GET is served");
    } else {
      r = Handle(std::string(req.target()));
    }
    http::write(*sock,
                HttpResponse(std::move(r), req.version(), req.keep_alive(),
                             req.method() == http::verb::head),
                ec);
    if (ec || !req.keep_alive()) break;
  }
  sock->shutdown(tcp::socket::shutdown_both, ec);
}

void ApiServer::Stop() {
  if (listener_) listener_->Stop();
}

}  // namespace hashmon
