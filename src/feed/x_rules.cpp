#include "feed/x_rules.h"

#define _TURN_OFF_PLATFORM_STRING
#include <cpprest/http_client.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <set>

#include "feed/http_stream.h"

namespace hashmon {
namespace {

using web::http::http_request;
using web::http::http_response;
using web::http::methods;
using web::http::client::http_client;
using web::http::client::http_client_config;

struct Reply {
  int status = 0;
  std::string body;
};

Reply Send(const std::string& url, const std::string& token, const web::http::method& method,
           const std::string& body) {
  http_client_config config;
  config.set_timeout(std::chrono::seconds(30));
  config.set_validate_certificates(true);
  http_client client(url, config);
  http_request req(method);
  req.headers().add("Authorization", "Bearer " + token);
  req.headers().add("User-Agent", "hashmon/0.1");
  if (!body.empty()) req.set_body(body, "application/json");
  http_response resp = client.request(req).get();
  return {resp.status_code(), resp.extract_utf8string(true).get()};
}

std::string Explain(const Reply& r) {
  if (r.status == 401 || r.status == 403) {
    return "X refused the bearer token (HTTP " + std::to_string(r.status) +
           "): check HASHMON_X_BEARER_TOKEN and that the app's plan includes the filtered stream";
  }
  return "X answered HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, 300);
}

}  // namespace

bool EnsureXRules(const std::string& rules_url, const std::string& bearer_token, const std::vector<std::string>& tags,
                  Logger* log, std::string* error, XRulesChange* change) {
  InitHttpThreads(2);
  XRulesChange local;
  XRulesChange& ch = change ? *change : local;
  try {
    const Reply listed = Send(rules_url, bearer_token, methods::GET, "");
    if (listed.status != 200) {
      *error = "cannot list the stream rules: " + Explain(listed);
      return false;
    }
    rapidjson::Document doc;
    doc.Parse(listed.body.c_str());
    if (doc.HasParseError() || !doc.IsObject()) {
      *error = "cannot list the stream rules: the answer is not JSON";
      return false;
    }
    std::set<std::string> wanted, present;
    for (const auto& t : tags) wanted.insert("#" + t);
    if (doc.HasMember("data") && doc["data"].IsArray()) {
      for (const auto& rule : doc["data"].GetArray()) {
        if (!rule.IsObject() || !rule.HasMember("value") || !rule["value"].IsString()) continue;
        const std::string value = rule["value"].GetString();
        const std::string tag = rule.HasMember("tag") && rule["tag"].IsString() ? rule["tag"].GetString() : "";
        const std::string id = rule.HasMember("id") && rule["id"].IsString() ? rule["id"].GetString() : "";
        present.insert(value);
        if (tag.rfind("hashmon:", 0) == 0 && !wanted.count(value) && !id.empty()) ch.deleted.push_back(id);
      }
    }
    for (const auto& w : wanted) {
      if (!present.count(w)) ch.added.push_back(w);
    }
    if (!ch.added.empty()) {
      rapidjson::StringBuffer sb;
      rapidjson::Writer<rapidjson::StringBuffer> w(sb);
      w.StartObject();
      w.Key("add");
      w.StartArray();
      for (const auto& value : ch.added) {
        w.StartObject();
        w.Key("value");
        w.String(value.c_str());
        w.Key("tag");
        w.String(("hashmon:" + value.substr(1)).c_str());
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
      const Reply r = Send(rules_url, bearer_token, methods::POST, sb.GetString());
      if (r.status != 200 && r.status != 201) {
        *error = "cannot add stream rules: " + Explain(r);
        return false;
      }
      log->Info("added X stream rules for " + std::to_string(ch.added.size()) + " watched tag(s)");
    }
    if (!ch.deleted.empty()) {
      rapidjson::StringBuffer sb;
      rapidjson::Writer<rapidjson::StringBuffer> w(sb);
      w.StartObject();
      w.Key("delete");
      w.StartObject();
      w.Key("ids");
      w.StartArray();
      for (const auto& id : ch.deleted) w.String(id.c_str());
      w.EndArray();
      w.EndObject();
      w.EndObject();
      const Reply r = Send(rules_url, bearer_token, methods::POST, sb.GetString());
      if (r.status != 200) {
        *error = "cannot delete old stream rules: " + Explain(r);
        return false;
      }
      log->Info("deleted " + std::to_string(ch.deleted.size()) + " X stream rule(s) for tags no longer watched");
    }
  } catch (const std::exception& e) {
    *error = std::string("cannot reach the X rules endpoint: ") + e.what();
    return false;
  }
  return true;
}

}  // namespace hashmon
