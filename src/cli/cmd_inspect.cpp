// hashmon inspect: one JSON object per post, saying which tags and which country
// hashmon sees in it and why, so a user can see why a post was or was not counted.
// hashmon hashtags: the extractor on its own, one JSON string in, one JSON array out.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/options.h"
#include "feed/replayer.h"
#include "hashmon/bounded_json.h"
#include "hashmon/hashtag_extractor.h"
#include "hashmon/terminal_text.h"
#include "hashmon/time_util.h"

namespace hashmon {
namespace {

struct InspectArgs {
  std::vector<std::string> files;
  std::vector<std::string> tags;
  bool matching_only = false;
};

void PrintPost(const Post& post, const std::vector<int>& watched, const CountryLocator& locator) {
  const Attribution where = locator.Locate(post.evidence);
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("source");
  w.String(SourceKindName(post.source));
  w.Key("id");
  w.String(post.id.c_str(), static_cast<rapidjson::SizeType>(post.id.size()));
  w.Key("created_at");
  w.String(FormatIsoTime(post.created_at).c_str());
  w.Key("hashtags");
  w.StartArray();
  std::vector<std::string> tags = post.hashtags;
  if (post.extract_from_text || !post.has_structured_tags) {
    for (auto& t : ExtractHashtagStrings(post.text)) tags.push_back(std::move(t));
  }
  // Each as written, once: a retweet carries its own tags and the original's, and a post
  // that writes a tag twice counts once all the same.
  std::vector<std::string> shown;
  for (const auto& t : tags) {
    if (std::find(shown.begin(), shown.end(), t) != shown.end()) continue;
    shown.push_back(t);
    w.String(t.c_str(), static_cast<rapidjson::SizeType>(t.size()));
  }
  w.EndArray();
  w.Key("watched");
  w.Bool(!watched.empty());
  w.Key("country");
  w.String(where.country.c_str());
  w.Key("method");
  w.String(MethodName(where.method));
  w.EndObject();
  std::printf("%s\n", buf.GetString());
}

int RunInspect(const InspectArgs& a) {
  SystemClock clock;
  Logger log(&std::cerr, &clock);
  PipelineConfig config;
  config.detect = false;
  if (!a.tags.empty()) config.tags = a.tags;
  if (const std::string error = WatchedTagsError(config.tags); !error.empty()) {
    log.Error(error);
    return 2;
  }
  auto locator = CountryLocator::FromEmbeddedData();
  Pipeline pipeline(config, locator.get());
  pipeline.set_post_hook([&](const Post& post, const std::vector<int>& watched) {
    if (!a.matching_only || !watched.empty()) PrintPost(post, watched, *locator);
  });
  pipeline.set_error_hook([&](const char* reason, std::string_view record) {
    log.LogLimited(
        LogLevel::kWarn, reason,
        std::string("not a post (") + reason + "): " + std::string(record.substr(0, 120)));
  });
  ReplayOptions options;
  options.prefilter = false;
  Replayer replayer(&pipeline, nullptr, &clock, &log, options);
  std::string error;
  std::vector<std::string> files;
  if (!ExpandInputPaths(a.files, &files, &error)) {
    log.Error(error);
    return 1;
  }
  int status = 0;
  for (const auto& path : files) {
    if (!replayer.ReplayPath(path, &error)) {
      log.Error(error);
      error.clear();
      status = 1;
    }
  }
  return status;
}

int RunHashtags() {
  std::string line;
  int status = 0;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    rapidjson::Document doc;
    if (ParseJson(&doc, line.data(), line.size()) != JsonParse::kOk || !doc.IsString()) {
      std::fprintf(stderr, "hashmon hashtags: each line must be one JSON string, got: %s\n",
                   TerminalSafe(line.substr(0, 80)).c_str());
      std::printf("null\n");
      status = 1;
      continue;
    }
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartArray();
    for (const auto& m : ExtractHashtags({doc.GetString(), doc.GetStringLength()})) {
      w.String(m.tag.data(), static_cast<rapidjson::SizeType>(m.tag.size()));
    }
    w.EndArray();
    std::printf("%s\n", buf.GetString());
  }
  return status;
}

}  // namespace

void RegisterInspect(CLI::App& app, ExitCode* exit) {
  auto args = std::make_shared<InspectArgs>();
  CLI::App* cmd = app.add_subcommand(
      "inspect", "Show each post's tags, country and the method that decided it");
  AddWatchedTagsOption(cmd, &args->tags);
  cmd->add_flag("--matching", args->matching_only, "Only posts that carry a watched tag");
  cmd->add_option("files", args->files, "Files, archives or directories; - for stdin")->required();
  cmd->callback([args, exit] { exit->value = RunInspect(*args); });
}

void RegisterHashtags(CLI::App& app, ExitCode* exit) {
  CLI::App* cmd = app.add_subcommand(
      "hashtags",
      "Read one JSON string per line on stdin, print the hashtags in it as a JSON array");
  cmd->callback([exit] { exit->value = RunHashtags(); });
}

}  // namespace hashmon
