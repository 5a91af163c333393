// URLs as a source's name: what logs, the history and the API may show of them.
#include "feed/url_text.h"

#include <gtest/gtest.h>

namespace hashmon {
namespace {

TEST(UrlWithoutSecretsTest, DropsTheUserAndPasswordBeforeTheHost) {
  EXPECT_EQ(UrlWithoutSecrets("https://me:hunter2@relay.example:8443/stream"),
            "https://relay.example:8443/stream");
  EXPECT_EQ(UrlWithoutSecrets("http://me@relay.example"), "http://relay.example");
}

TEST(UrlWithoutSecretsTest, RedactsQueryValuesNamedLikeCredentials) {
  EXPECT_EQ(UrlWithoutSecrets("https://relay.example/s?tag=twitterdown&access_token=abc&apiKey=k"
                              "&X-Amz-Signature=s&password=p&sessionid=1"),
            "https://relay.example/s?tag=twitterdown&access_token=REDACTED&apiKey=REDACTED"
            "&X-Amz-Signature=REDACTED&password=REDACTED&sessionid=REDACTED");
}

TEST(UrlWithoutSecretsTest, ReadsTheWordsOfAParameterNameNotItsLetters) {
  EXPECT_EQ(UrlWithoutSecrets("https://r.example/?accesstoken=a&oauth=b&client_secret=c&"
                              "credentials=d&keyword=twitterdown&monkeys=e"),
            "https://r.example/?accesstoken=REDACTED&oauth=REDACTED&client_secret=REDACTED&"
            "credentials=REDACTED&keyword=twitterdown&monkeys=e");
}

TEST(UrlWithoutSecretsTest, LeavesEverythingElseAsItWas) {
  for (const char* url : {"wss://jetstream2.us-east.bsky.network/subscribe",
                          "http://127.0.0.1:8080/subscribe?tag=a&tag=b&flag&", "mastodon:host",
                          "https://example.com/a@b/c?x=y@z", "https://example.com?"}) {
    EXPECT_EQ(UrlWithoutSecrets(url), url);
  }
}

TEST(UrlWithoutSecretsTest, DropsTheFragment) {
  EXPECT_EQ(UrlWithoutSecrets("https://example.com/s?a=1#token=abc"), "https://example.com/s?a=1");
  EXPECT_EQ(UrlWithoutSecrets("https://u:p@example.com#x"), "https://example.com");
}

TEST(HostOfTest, IsTheHostAloneInLowerCase) {
  EXPECT_EQ(HostOf("https://me:pw@API.X.com:443/2/tweets?x=1"), "api.x.com");
  EXPECT_EQ(HostOf("https://api.x.com@relay.example/"), "relay.example");
  EXPECT_EQ(HostOf("http://[::1]:8080/"), "::1");
  EXPECT_EQ(HostOf("http://localhost"), "localhost");
  EXPECT_EQ(HostOf("mastodon:host"), "");
}

}  // namespace
}  // namespace hashmon
