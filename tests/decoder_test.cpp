// The decoder recognises every feed format line by line and never throws on bad input.
#include "hashmon/decoder.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "hashmon/html_text.h"
#include "test_util.h"

namespace hashmon {
namespace {

std::vector<std::string> FixtureLines(const std::string& fixture) {
  std::ifstream in(testing::TestDataPath("feeds/" + fixture));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<Record> DecodeAll(const std::string& fixture) {
  Decoder d;
  std::vector<Record> out;
  for (const auto& line : FixtureLines(fixture)) out.push_back(d.DecodeCopy(line));
  return out;
}

TEST(Decoder, XV2PostCarriesPlaceAndProfileFromIncludes) {
  auto records = DecodeAll("twitter_v2_stream_twarc_2021-04.ndjson");
  ASSERT_EQ(records.size(), 9u);
  const Post& p = records[0].post;
  EXPECT_EQ(records[0].kind, RecordKind::kPost);
  EXPECT_EQ(p.source, SourceKind::kX);
  EXPECT_EQ(p.id, "1377650090978992134");
  EXPECT_EQ(p.created_at, 1617292351000);
  EXPECT_EQ(p.evidence.place_country_code, "MW");
  EXPECT_EQ(p.evidence.profile_location, "Mzuzu, Malawi");
  EXPECT_EQ(p.evidence.languages, std::vector<std::string>{"en"});
}

TEST(Decoder, ALineThatBeginsWithAByteOrderMarkIsReadAfterIt) {
  Decoder d;
  const Record r = d.DecodeCopy(
      "\xEF\xBB\xBF{\"id_str\":\"7\",\"timestamp_ms\":\"1453191300000\",\"text\":\"#"
      "twitterdown\"}");
  EXPECT_EQ(r.kind, RecordKind::kPost);
  EXPECT_EQ(r.post.id, "7");
  EXPECT_STREQ(d.DecodeCopy("\xEF\xBB").reason, "not_json");  // a mark cut short is no mark
}

TEST(Decoder, XV2OperationalDisconnectIsANotice) {
  auto records = DecodeAll("twitter_v2_stream_twarc_2021-04.ndjson");
  EXPECT_EQ(records[4].kind, RecordKind::kNotice);
  EXPECT_STREQ(records[4].reason, "x_v2_error");
}

TEST(Decoder, XV2DuplicateAfterReconnectHasTheSameId) {
  auto records = DecodeAll("twitter_v2_stream_twarc_2021-04.ndjson");
  EXPECT_EQ(records[7].post.id, records[8].post.id);
  EXPECT_EQ(records[7].post.id, "1377650529766154240");
}

// X writes timestamp_ms as a string; a tool that rewrote the line (pandas, jq) may have made
// it a number, which is the same time. A fraction or a negative number is no time.
TEST(Decoder, XV1TimestampMsMayBeANumber) {
  Decoder d;
  Record r = d.DecodeCopy(R"({"id_str":"1","timestamp_ms":1453191300123,"text":"#twitterdown"})");
  ASSERT_EQ(r.kind, RecordKind::kPost);
  EXPECT_EQ(r.post.created_at, 1453191300123);
  for (const char* odd : {"1453191300123.5", "-1453191300123", "1e12"}) {
    r = d.DecodeCopy(std::string(R"({"id_str":"1","timestamp_ms":)") + odd +
                     R"(,"text":"#twitterdown"})");
    EXPECT_EQ(r.kind, RecordKind::kError) << odd;
  }
}

TEST(Decoder, XV2StructuredHashtagsAreUsed) {
  Decoder d;
  Record r = d.DecodeCopy(
      R"({"data":{"id":"1","created_at":"2016-01-19T08:15:00.000Z","text":"x #TwitterDown",)"
      R"("entities":{"hashtags":[{"start":2,"end":14,"tag":"TwitterDown"}]}}})");
  ASSERT_EQ(r.kind, RecordKind::kPost);
  EXPECT_TRUE(r.post.has_structured_tags);
  EXPECT_EQ(r.post.hashtags, std::vector<std::string>{"TwitterDown"});
}

TEST(Decoder, XV2WithoutEntitiesFallsBackToText) {
  Decoder d;
  Record r = d.DecodeCopy(
      R"({"data":{"id":"1","created_at":"2016-01-19T08:15:00Z","text":"#twitterdown"}})");
  EXPECT_TRUE(r.post.extract_from_text);
}

TEST(Decoder, XV2RetweetCarriesTheOriginalsTagsButIncludedTweetsNeverCount) {
  Decoder d;
  Record r = d.DecodeCopy(
      R"({"data":{"id":"2","created_at":"2016-01-19T08:15:00Z","text":"RT @a: down",)"
      R"("entities":{"hashtags":[]},"referenced_tweets":[{"type":"retweeted","id":"1"}]},)"
      R"("includes":{"tweets":[{"id":"1","text":"down #twitterdown","entities":{"hashtags":[{"tag":"twitterdown"}]}}]}})");
  ASSERT_EQ(r.kind, RecordKind::kPost);
  EXPECT_EQ(r.post.id, "2");
  EXPECT_EQ(r.post.hashtags, std::vector<std::string>{"twitterdown"});
}

// A post over 280 characters: `text` and its entities stop at 280, `note_tweet` has the
// whole, and its tags; a retweet of one carries them too.
TEST(Decoder, XV2LongPostsAreReadWhole) {
  Decoder d;
  const std::string start = std::string(270, 'a') + " is it…";
  Record r =
      d.DecodeCopy(R"({"data":{"id":"1","created_at":"2016-01-19T08:15:00Z","text":")" + start +
                   R"(",)"
                   R"("note_tweet":{"text":")" +
                   start +
                   R"( down? #TwitterDown",)"
                   R"("entities":{"hashtags":[{"start":286,"end":298,"tag":"TwitterDown"}]}}}})");
  ASSERT_EQ(r.kind, RecordKind::kPost);
  EXPECT_TRUE(r.post.has_structured_tags);
  EXPECT_EQ(r.post.hashtags, std::vector<std::string>{"TwitterDown"});
  EXPECT_NE(r.post.text.find("#TwitterDown"), std::string::npos);

  r = d.DecodeCopy(  // a long post whose whole has no entities: its whole text is read
      R"({"data":{"id":"2","created_at":"2016-01-19T08:15:00Z","text":")" + start +
      R"(",)"
      R"("note_tweet":{"text":")" +
      start + R"( #twitterdown"}}})");
  EXPECT_TRUE(r.post.extract_from_text);
  EXPECT_NE(r.post.text.find("#twitterdown"), std::string::npos);

  r = d.DecodeCopy(R"({"data":{"id":"3","created_at":"2016-01-19T08:15:00Z","text":"RT @a: )" +
                   start +
                   R"(",)"
                   R"("referenced_tweets":[{"type":"retweeted","id":"1"}]},)"
                   R"("includes":{"tweets":[{"id":"1","text":")" +
                   start +
                   R"(","note_tweet":{"text":"x #xdown",)"
                   R"("entities":{"hashtags":[{"tag":"xdown"}]}}}]}})");
  EXPECT_EQ(r.post.hashtags, std::vector<std::string>{"xdown"});
}

TEST(Decoder, TruncatedLastLineIsMalformed) {
  auto lines = FixtureLines("twitter_v2_stream_twarc_truncated_last_line.ndjson");
  Decoder d;
  Record r = d.DecodeCopy(lines.back());
  EXPECT_EQ(r.kind, RecordKind::kError);
  EXPECT_STREQ(r.reason, "malformed_json");
}

TEST(Decoder, ARecordNestedDeeperThanAnyPostIsRefusedNotACrash) {
  Decoder d;
  // Half a million levels: RapidJSON's recursive descent would overflow the stack.
  const std::string line =
      R"({"data":{"id":"1","created_at":"2016-01-19T08:15:00Z","text":"#twitterdown"},"x":)" +
      std::string(500'000, '[');
  Record r = d.DecodeCopy(line);
  EXPECT_EQ(r.kind, RecordKind::kError);
  EXPECT_STREQ(r.reason, "json_too_deep");
  // ... and the decoder goes on with the next line.
  r = d.DecodeCopy(
      R"({"data":{"id":"2","created_at":"2016-01-19T08:15:00Z","text":"#twitterdown"},)"
      R"("x":[[[[{"y":[1]}]]]]})");
  ASSERT_EQ(r.kind, RecordKind::kPost);
  EXPECT_EQ(r.post.id, "2");
}

TEST(Decoder, AMastodonStatusInsideAStringIsBoundedToo) {
  Decoder d;
  std::string status = R"({\"id\":\"1\",\"uri\":\"https://m.example/1\",\"x\":)";
  status += std::string(300'000, '[');
  Record r =
      d.DecodeCopy(R"({"stream":["hashtag","x"],"event":"update","payload":")" + status + R"("})");
  EXPECT_EQ(r.kind, RecordKind::kError);
  EXPECT_STREQ(r.reason, "json_too_deep");
}

TEST(Decoder, APostWhoseIdentityNoNetworkIssuesIsRefused) {
  Decoder d;
  const std::string id(2000, '7');  // de-duplication would keep it in memory for hours
  Record r = d.DecodeCopy(R"({"data":{"id":")" + id +
                          R"(","created_at":"2016-01-19T08:15:00Z","text":"#twitterdown"}})");
  EXPECT_EQ(r.kind, RecordKind::kError);
  EXPECT_STREQ(r.reason, "id_too_long");
  r = d.DecodeCopy(R"({"delete":{"status":{"id_str":")" + id + R"("}}})");
  EXPECT_STREQ(r.reason, "id_too_long");
}

TEST(Decoder, EvidenceOfASizeNoProfileHasDecidesNothing) {
  Decoder d;
  const std::string huge(100'000, 'x');
  Record r = d.DecodeCopy(
      R"({"created_at":"Tue Jan 19 08:15:00 +0000 2016","id_str":"1","text":"#twitterdown",)"
      R"("user":{"location":")" +
      huge + R"(","time_zone":")" + huge + R"("},"lang":"lt"})");
  ASSERT_EQ(r.kind, RecordKind::kPost);
  EXPECT_EQ(r.post.evidence.profile_location, "");
  EXPECT_EQ(r.post.evidence.time_zone, "");
  EXPECT_EQ(r.post.evidence.languages, std::vector<std::string>{"lt"});  // the rest stands
}

TEST(Decoder, XV1DeletesAndTweets) {
  auto records = DecodeAll("twitter_v1_archiveteam_2021-01-01_0029.jsonl");
  ASSERT_EQ(records.size(), 7u);
  int deletes = 0, posts = 0;
  for (const auto& r : records) {
    deletes += r.kind == RecordKind::kDelete;
    posts += r.kind == RecordKind::kPost;
  }
  EXPECT_EQ(deletes, 2);
  EXPECT_EQ(posts, 5);
  EXPECT_EQ(records[2].post.evidence.place_country_code, "PH");
  EXPECT_EQ(records[2].post.created_at, 1609486152660);
}

TEST(Decoder, XV1ExtendedTweetTagsWin) {
  Decoder d;
  Record r = d.DecodeCopy(
      R"({"id_str":"5","timestamp_ms":"1453191300000","text":"cut…","truncated":true,)"
      R"("entities":{"hashtags":[]},"user":{"location":"Recife","time_zone":"Brasilia"},)"
      R"("extended_tweet":{"full_text":"long #twitterdown","entities":{"hashtags":[{"text":"twitterdown"}]}}})");
  ASSERT_EQ(r.kind, RecordKind::kPost);
  EXPECT_EQ(r.post.hashtags, std::vector<std::string>{"twitterdown"});
  EXPECT_EQ(r.post.text, "long #twitterdown");
  EXPECT_EQ(r.post.evidence.time_zone, "Brasilia");
}

TEST(Decoder, XV1WithoutEntitiesFallsBackToText) {
  // X sends entities.hashtags with every tweet, empty when it has none; a tweet saved
  // without them (a trimmed archive) has only its text to say which tags it carries.
  Decoder d;
  const char* head = R"({"id_str":"5","timestamp_ms":"1453191300000","text":"down #twitterdown")";
  const Record bare = d.DecodeCopy(std::string(head) + "}");
  ASSERT_EQ(bare.kind, RecordKind::kPost);
  EXPECT_FALSE(bare.post.has_structured_tags);
  EXPECT_FALSE(
      d.DecodeCopy(std::string(head) + R"(,"entities":{"urls":[]}})").post.has_structured_tags);
  const Record sent = d.DecodeCopy(std::string(head) + R"(,"entities":{"hashtags":[]}})");
  EXPECT_TRUE(sent.post.has_structured_tags);
  EXPECT_TRUE(sent.post.hashtags.empty());
}

TEST(Decoder, XV1TimestampMsThatIsNoTimeGivesWayToCreatedAt) {
  Decoder d;
  for (const char* stamp : {"14531613221060000000000000", "1453161322106x", "-1453161322106"}) {
    Record r = d.DecodeCopy(std::string(R"({"id_str":"5","timestamp_ms":")") + stamp +
                            R"(","created_at":"Tue Jan 19 00:01:22 +0000 2016","text":"x"})");
    ASSERT_EQ(r.kind, RecordKind::kPost) << stamp;
    EXPECT_EQ(r.post.created_at, 1453161682000) << stamp;
  }
}

TEST(Decoder, ATimeAtOrBeforeTheEpochIsNoTime) {
  // Corrupt data, and a post's minute must be a real one (0 means "no time" downstream).
  Decoder d;
  Record x = d.DecodeCopy(
      R"({"id_str":"5","timestamp_ms":"0","created_at":"Tue Jan 19 00:01:22 +0000 2016","text":"x"})");
  ASSERT_EQ(x.kind, RecordKind::kPost);
  EXPECT_EQ(x.post.created_at, 1453161682000);
  EXPECT_EQ(d.DecodeCopy(R"({"id_str":"5","timestamp_ms":"0","text":"x"})").kind,
            RecordKind::kError);
  EXPECT_EQ(
      d.DecodeCopy(R"({"data":{"id":"5","text":"x","created_at":"1970-01-01T00:00:00Z"}})").kind,
      RecordKind::kError);
  for (const char* us : {"41", "999", "0", "-1453191300123456"}) {
    Record b =
        d.DecodeCopy(std::string(R"({"did":"did:plc:abc","time_us":)") + us +
                     R"(,"kind":"commit","commit":{"operation":"create",)"
                     R"("collection":"app.bsky.feed.post","rkey":"3k","record":{"text":"x"}}})");
    EXPECT_EQ(b.kind, RecordKind::kError) << us;
    EXPECT_STREQ(b.reason, "bluesky_bad_commit") << us;
  }
}

TEST(Decoder, XV1LegacyGeoIsLatLon) {
  Decoder d;
  Record r = d.DecodeCopy(
      R"({"id_str":"5","timestamp_ms":"1453191300000","text":"x","entities":{"hashtags":[]},)"
      R"("geo":{"type":"Point","coordinates":[-22.9,-43.2]}})");
  ASSERT_TRUE(r.post.evidence.coordinates.has_value());
  EXPECT_DOUBLE_EQ(r.post.evidence.coordinates->lat, -22.9);
  EXPECT_DOUBLE_EQ(r.post.evidence.coordinates->lon, -43.2);
}

// A place without its country code (a trimmed archive) still says where it is: the middle
// of its bounding box, where the post has no point of its own.
TEST(Decoder, APlaceWithoutACountryCodeIsWhereItsBoxIs) {
  Decoder d;
  const std::string v1 =
      R"({"id_str":"6","timestamp_ms":"1453191300000","text":"x","entities":{"hashtags":[]},)"
      R"("place":{"full_name":"Lagos, Nigeria","bounding_box":{"type":"Polygon","coordinates":)"
      R"([[[3.1,6.3],[3.6,6.3],[3.6,6.7],[3.1,6.7]]]}}})";
  Record r = d.DecodeCopy(v1);
  ASSERT_TRUE(r.post.evidence.coordinates.has_value());
  EXPECT_DOUBLE_EQ(r.post.evidence.coordinates->lat, 6.5);
  EXPECT_DOUBLE_EQ(r.post.evidence.coordinates->lon, 3.35);
  // With its code, the code says it (and no box is read).
  r = d.DecodeCopy(std::string(v1).insert(v1.find("\"full_name\""), R"("country_code":"NG",)"));
  EXPECT_EQ(r.post.evidence.place_country_code, "NG");
  EXPECT_FALSE(r.post.evidence.coordinates.has_value());
  // v2: includes.places[].geo.bbox is [west, south, east, north]; one across the
  // antimeridian (Fiji's) has its middle across it.
  r = d.DecodeCopy(R"({"data":{"id":"7","created_at":"2016-01-19T08:15:00.000Z","text":"x","geo":)"
                   R"({"place_id":"p"}},"includes":{"places":[{"id":"p","full_name":"Fiji","geo":)"
                   R"({"type":"Feature","bbox":[177.0,-19.0,-179.0,-16.0]}}]}})");
  ASSERT_TRUE(r.post.evidence.coordinates.has_value());
  EXPECT_DOUBLE_EQ(r.post.evidence.coordinates->lat, -17.5);
  EXPECT_DOUBLE_EQ(r.post.evidence.coordinates->lon, 179.0);
  // Not a box on the globe: nothing.
  r = d.DecodeCopy(
      R"({"data":{"id":"8","created_at":"2016-01-19T08:15:00.000Z","text":"x","geo":)"
      R"({"place_id":"p"}},"includes":{"places":[{"id":"p","geo":{"bbox":[0,95,1,96]}}]}})");
  EXPECT_FALSE(r.post.evidence.coordinates.has_value());
}

TEST(Decoder, XV1NoticesAreRecognised) {
  Decoder d;
  EXPECT_STREQ(d.DecodeCopy(R"({"limit":{"track":1234}})").reason, "x_limit");
  EXPECT_STREQ(d.DecodeCopy(R"({"warning":{"code":"FALLING_BEHIND","percent_full":30}})").reason,
               "x_warning");
  EXPECT_STREQ(d.DecodeCopy(R"({"disconnect":{"code":7,"reason":"dup"}})").reason, "x_disconnect");
  EXPECT_EQ(d.DecodeCopy("").kind, RecordKind::kNotice);
  EXPECT_EQ(d.DecodeCopy("\r").kind, RecordKind::kNotice);
}

TEST(Decoder, JetstreamPostsDeletesUpdatesAndSkips) {
  auto records = DecodeAll("jetstream_v1_prod_2026-07-04.jsonl");
  std::map<std::string, int> kinds;
  int posts = 0, deletes = 0, tagged = 0;
  for (const auto& r : records) {
    posts += r.kind == RecordKind::kPost;
    deletes += r.kind == RecordKind::kDelete;
    tagged += r.kind == RecordKind::kPost && !r.post.hashtags.empty();
    EXPECT_NE(r.kind, RecordKind::kError) << r.reason;
    ++kinds[r.reason];
  }
  EXPECT_EQ(posts, 17);
  EXPECT_EQ(deletes, 1);
  EXPECT_EQ(tagged, 2);
  EXPECT_EQ(kinds["bluesky_identity"], 2);
}

TEST(Decoder, JetstreamIdentityIsTheAtUriAndTimeIsTimeUs) {
  Decoder d;
  Record r = d.DecodeCopy(
      R"({"did":"did:plc:abc","time_us":1453191300123456,"kind":"commit","commit":{"operation":"create",)"
      R"("collection":"app.bsky.feed.post","rkey":"3k","record":{"text":"#TwitterDown","langs":["pt"]}}})");
  ASSERT_EQ(r.kind, RecordKind::kPost);
  EXPECT_EQ(r.post.id, "at://did:plc:abc/app.bsky.feed.post/3k");
  EXPECT_EQ(r.post.created_at, 1453191300123);
  EXPECT_TRUE(r.post.extract_from_text);  // no facets at all: read the text
}

TEST(Decoder, JetstreamWithFacetsDoesNotReadTheTextButRecordTagsAlwaysCount) {
  Decoder d;
  Record r = d.DecodeCopy(
      R"({"did":"did:plc:abc","time_us":1453191300123456,"kind":"commit","commit":{"operation":"create",)"
      R"("collection":"app.bsky.feed.post","rkey":"3k","record":{"text":"#notatag here",)"
      R"("facets":[{"features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://x"}]}],"tags":["twitterdown"]}}})");
  ASSERT_EQ(r.kind, RecordKind::kPost);
  EXPECT_FALSE(r.post.extract_from_text);
  EXPECT_EQ(r.post.hashtags, std::vector<std::string>{"twitterdown"});
}

// The lexicon writes a tag without its '#', but the atproto SDK's facet detection kept it
// until 2023-09, and hand-made facets still do: such a tag is the tag it names. Only one
// '#' goes ("##x" is the tag "#x"), and a tag of '#' alone is no tag.
TEST(Decoder, JetstreamTagsWrittenWithTheirHashAreTheTagsTheyName) {
  Decoder d;
  Record r = d.DecodeCopy(
      R"({"did":"did:plc:abc","time_us":1453191300123456,"kind":"commit","commit":{"operation":"create",)"
      R"("collection":"app.bsky.feed.post","rkey":"3k","record":{"text":"#TwitterDown ##x #",)"
      R"("facets":[{"features":[{"$type":"app.bsky.richtext.facet#tag","tag":"#TwitterDown"}]},)"
      R"({"features":[{"$type":"app.bsky.richtext.facet#tag","tag":"##x"}]},)"
      R"({"features":[{"$type":"app.bsky.richtext.facet#tag","tag":"#"}]}],)"
      R"("tags":["\uFF03xdown","#outage"]}}})");
  ASSERT_EQ(r.kind, RecordKind::kPost);
  EXPECT_EQ(r.post.hashtags, (std::vector<std::string>{"TwitterDown", "#x", "xdown", "outage"}));
}

TEST(Decoder, JetstreamReadmeExamplesAreRecognised) {
  for (const auto& r : DecodeAll("jetstream_readme_examples.jsonl"))
    EXPECT_NE(r.kind, RecordKind::kError) << r.reason;
}

// The same production events, framed as Jetstream v2 sends them (proposal 0015 message
// frames, each commit's fields beside did and time; converted from the v1 fixture, with
// v2's control frames added): each decodes as its v1 original does.
TEST(Decoder, JetstreamV2MessagesDecodeAsTheirV1Originals) {
  const auto v1 = FixtureLines("jetstream_v1_prod_2026-07-04.jsonl");
  const auto v2 = FixtureLines("jetstream_v2_from_v1_prod_2026-07-04.jsonl");
  ASSERT_EQ(v2.size(), v1.size() + 4);
  Decoder d1, d2;
  for (size_t i = 0; i < v1.size(); ++i) {
    const Record a = d1.DecodeCopy(v1[i]);
    const Record b = d2.DecodeCopy(v2[i]);
    EXPECT_EQ(b.kind, a.kind) << v2[i];
    EXPECT_STREQ(b.reason, a.reason) << v2[i];
    EXPECT_EQ(b.post.id, a.post.id);
    EXPECT_EQ(b.post.created_at, a.post.created_at);
    EXPECT_EQ(b.post.text, a.post.text);
    EXPECT_EQ(b.post.hashtags, a.post.hashtags);
    EXPECT_EQ(b.post.evidence.languages, a.post.evidence.languages);
    EXPECT_EQ(JetstreamTimeUs(v2[i]) / 1000, JetstreamTimeUs(v1[i]) / 1000);
  }
  const std::vector<std::pair<RecordKind, std::string>> controls = {
      {RecordKind::kNotice, "jetstream_info"},
      {RecordKind::kIgnored, "bluesky_identity"},      // #sync
      {RecordKind::kIgnored, "bluesky_unknown_kind"},  // skipped, as the protocol asks
      {RecordKind::kNotice, "jetstream_error"}};
  for (size_t i = 0; i < controls.size(); ++i) {
    const Record r = d2.DecodeCopy(v2[v1.size() + i]);
    EXPECT_EQ(r.kind, controls[i].first) << v2[v1.size() + i];
    EXPECT_EQ(r.reason, controls[i].second);
  }
}

TEST(Decoder, AJetstreamV2CommitWithoutATimeOrIdentityIsMalformed) {
  Decoder d;
  const std::string head =
      R"({"$type":"message","payload":{"$type":"network.bsky.jetstream.subscribeEvents#commit",)";
  const std::string post =
      R"("operation":"create","collection":"app.bsky.feed.post","record":{"text":"#twitterdown"})";
  for (const char* fields :
       {R"("did":"did:plc:a","rkey":"3k",)", R"("did":"did:plc:a","rkey":"3k","time":"yesterday",)",
        R"("did":"did:plc:a","time":"2026-07-04T14:38:08.085434Z",)"}) {
    const Record r = d.DecodeCopy(head + fields + post + "}}");
    EXPECT_EQ(r.kind, RecordKind::kError) << fields;
    EXPECT_STREQ(r.reason, "bluesky_bad_commit");
  }
  const Record ok =
      d.DecodeCopy(head + R"("did":"did:plc:a","rkey":"3k","time":"2026-07-04T14:38:08.085434Z",)" +
                   post + "}}");
  ASSERT_EQ(ok.kind, RecordKind::kPost);
  EXPECT_EQ(ok.post.id, "at://did:plc:a/app.bsky.feed.post/3k");
  EXPECT_EQ(ok.post.created_at, 1783175888085);
  // A message frame without a payload object is no v2 message.
  EXPECT_EQ(d.DecodeCopy(R"({"$type":"message","payload":"x"})").kind, RecordKind::kError);
}

TEST(Decoder, TheV2TimeCursorIsWitnessedAtElseTime) {
  EXPECT_EQ(
      JetstreamTimeUs(
          R"({"payload":{"time":"2026-07-04T14:38:08.085434Z","witnessedAt":"2026-07-04T14:38:09.000000Z"}})"),
      1783175889000000);
  EXPECT_EQ(JetstreamTimeUs(R"({"payload":{"time":"2026-07-04T14:38:08.085434Z"}})"),
            1783175888085000);
  // A "time" inside a post's text has its quotes escaped: it is not the member.
  EXPECT_EQ(
      JetstreamTimeUs(R"({"payload":{"record":{"text":"\"time\":\"2020-01-01T00:00:00Z\""}}})"), 0);
  EXPECT_EQ(JetstreamTimeUs(R"({"payload":{"time":"soon"}})"), 0);
}

TEST(Decoder, MastodonWebSocketPayloadIsParsedTwice) {
  auto records = DecodeAll("mastodon_websocket.jsonl");
  int posts = 0;
  for (const auto& r : records) {
    if (r.kind == RecordKind::kPost) {
      ++posts;
      EXPECT_EQ(r.post.source, SourceKind::kMastodon);
      EXPECT_EQ(r.post.id, "https://fosstodon.org/users/tobtobxx/statuses/108913983628474640");
      EXPECT_EQ(r.post.evidence.domain, "fosstodon.org");
    }
  }
  EXPECT_EQ(posts, 1);
}

TEST(Decoder, MastodonSseEventsByName) {
  Decoder d;
  const std::string status =
      R"({"id":"1","uri":"https://social.example.de/users/a/statuses/1","created_at":"2016-01-19T08:15:00.000Z",)"
      R"("content":"<p>down <a href=\"x\" class=\"mention hashtag\">#<span>TwitterDown</span></a></p>",)"
      R"("tags":[{"name":"twitterdown"}],"language":"de","account":{"acct":"a","url":"https://social.example.de/@a"}})";
  Record r = d.DecodeCopy(status, "update");
  ASSERT_EQ(r.kind, RecordKind::kPost);
  EXPECT_EQ(r.post.text, "down #TwitterDown");
  EXPECT_EQ(r.post.hashtags, std::vector<std::string>{"twitterdown"});
  EXPECT_EQ(r.post.evidence.domain, "social.example.de");
  EXPECT_EQ(d.DecodeCopy(status, "status.update").kind, RecordKind::kNotice);
  EXPECT_EQ(d.DecodeCopy("108914430312582020", "delete").kind, RecordKind::kNotice);
}

TEST(Decoder, HostileInputIsRejectedNotFatal) {
  Decoder d;
  for (const char* bad :
       {"{", "[1,2]", "null", "{\"data\":5}", "{\"data\":{}}", "garbage", "{\"did\":1,\"kind\":2}",
        "{\"event\":\"update\",\"stream\":[],\"payload\":\"{not json\"}",
        "{\"recv\":1,\"msg\":{\"recv\":1,\"msg\":{\"recv\":1,\"msg\":{\"recv\":1,\"msg\":{}}}}}"}) {
    Record r = d.DecodeCopy(bad);
    EXPECT_NE(r.kind, RecordKind::kPost) << bad;
  }
}

TEST(HtmlText, DecodesReferencesAndDropsTags) {
  EXPECT_EQ(HtmlToText("<p>a &amp; b<br/>c &#35;d &#x41; &bogus;</p><p>e</p>"),
            "a & b\nc #d A &bogus;\ne");
  EXPECT_EQ(HtmlEscape("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;");
}

TEST(HtmlText, MarkupThatDecodesNoOtherEntityGetsOnlyAmpLtGtEscaped) {
  EXPECT_EQ(EscapeAmpLtGt("<@U1> & \"it's\""), "&lt;@U1&gt; &amp; \"it's\"");
}

TEST(HtmlText, ReferencesAreShortSoAnAmpersandLooksNoFurther) {
  EXPECT_EQ(HtmlToText("&#x010FFFF;"), "\U0010FFFF");     // ';' 10 after '&': the longest
  EXPECT_EQ(HtmlToText("&#x0010FFFF;"), "&#x0010FFFF;");  // 11 after: not a reference
  // Two million bytes of "&#" with no ';': each '&' used to search the rest of the text,
  // some 10^12 steps (hours for a hostile status of a few megabytes).
  std::string hostile;
  for (int i = 0; i < 1'000'000; ++i) hostile += "&#";
  EXPECT_EQ(HtmlToText(hostile + ";"), hostile + ";");
}

}  // namespace
}  // namespace hashmon
