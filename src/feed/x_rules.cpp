#include "feed/x_rules.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <set>
#include <stdexcept>

#include "feed/http_stream.h"
#include "hashmon/bounded_json.h"

namespace hashmon {
namespace {

HttpReply Send(const std::string& url, const std::string& token, const char* method,
               const std::string& body) {
  HttpReply r = HttpCall(method, url, {{"Authorization", "Bearer " + token}}, body, 30'000);
  if (r.status == 0) throw std::runtime_error(r.error);
  return r;
}

std::string Explain(const HttpReply& r) {
  if (r.status == 401 || r.status == 403) {
    return "X refused the bearer token (HTTP " + std::to_string(r.status) +
           "): check HASHMON_X_BEARER_TOKEN and that the app's plan includes the filtered stream";
  }
  return "X answered HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, 300);
}

// The change that makes the listed rules (X's GET answer, `doc`) match the watched tags:
// a rule for each tag that has none, and away with hashmon's own rules for tags no longer
// watched (other rules are the user's, and are left alone).
void PlanChange(const rapidjson::Document& doc, const std::vector<std::string>& tags,
                XRulesChange* ch) {
  std::set<std::string> wanted, present;
  for (const auto& t : tags) wanted.insert("#" + t);
  if (doc.HasMember("data") && doc["data"].IsArray()) {
    for (const auto& rule : doc["data"].GetArray()) {
      if (!rule.IsObject() || !rule.HasMember("value") || !rule["value"].IsString()) continue;
      const std::string value = rule["value"].GetString();
      const std::string tag =
          rule.HasMember("tag") && rule["tag"].IsString() ? rule["tag"].GetString() : "";
      const std::string id =
          rule.HasMember("id") && rule["id"].IsString() ? rule["id"].GetString() : "";
      present.insert(value);
      if (tag.rfind("hashmon:", 0) == 0 && !wanted.count(value) && !id.empty())
        ch->deleted.push_back(id);
    }
  }
  for (const auto& w : wanted) {
    if (!present.count(w)) ch->added.push_back(w);
  }
}

// {"add":[{"value":"#tag","tag":"hashmon:tag"}, ...]}
std::string AddRequest(const std::vector<std::string>& values) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("add");
  w.StartArray();
  for (const auto& value : values) {
    w.StartObject();
    w.Key("value");
    w.String(value.c_str());
    w.Key("tag");
    w.String(("hashmon:" + value.substr(1)).c_str());
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return sb.GetString();
}

// {"delete":{"ids":[...]}}
std::string DeleteRequest(const std::vector<std::string>& ids) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("delete");
  w.StartObject();
  w.Key("ids");
  w.StartArray();
  for (const auto& id : ids) w.String(id.c_str());
  w.EndArray();
  w.EndObject();
  w.EndObject();
  return sb.GetString();
}

}  // namespace

bool EnsureXRules(const std::string& rules_url, const std::string& bearer_token,
                  const std::vector<std::string>& tags, Logger* log, std::string* error,
                  XRulesChange* change) {
  InitHttpThreads();
  XRulesChange local;
  XRulesChange& ch = change ? *change : local;
  try {
    const HttpReply listed = Send(rules_url, bearer_token, "GET", "");
    if (listed.status != 200) {
      *error = "cannot list the stream rules: " + Explain(listed);
      return false;
    }
    rapidjson::Document doc;
    if (ParseJson(&doc, listed.body.data(), listed.body.size()) != JsonParse::kOk ||
        !doc.IsObject()) {
      *error = "cannot list the stream rules: the answer is not JSON";
      return false;
    }
    PlanChange(doc, tags, &ch);
    if (!ch.added.empty()) {
      const HttpReply r = Send(rules_url, bearer_token, "POST", AddRequest(ch.added));
      if (r.status != 200 && r.status != 201) {
        *error = "cannot add stream rules: " + Explain(r);
        return false;
      }
      log->Info("added X stream rules for " + std::to_string(ch.added.size()) + " watched tag(s)");
    }
    if (!ch.deleted.empty()) {
      const HttpReply r = Send(rules_url, bearer_token, "POST", DeleteRequest(ch.deleted));
      if (r.status != 200) {
        *error = "cannot delete old stream rules: " + Explain(r);
        return false;
      }
      log->Info("deleted " + std::to_string(ch.deleted.size()) +
                " X stream rule(s) for tags no longer watched");
    }
  } catch (const std::exception& e) {
    *error = std::string("cannot reach the X rules endpoint: ") + e.what();
    return false;
  }
  return true;
}

}  // namespace hashmon
