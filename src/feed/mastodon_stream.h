// Mastodon's streaming API, the client's side: status ids, and the messages on a socket
// that carries several hashtags.
//
// The API has no resume, so after a reconnect each hashtag's timeline is asked for the
// statuses newer than the newest one seen on the socket (min_id), the same id for every
// tag: while the socket was up it carried all of them, so a quiet tag missed nothing older.
// (A tag's own newest status could be hours old; filling from there would fetch again what
// other tags' streams brought, older than de-duplication remembers.)
#ifndef HASHMON_FEED_MASTODON_STREAM_H_
#define HASHMON_FEED_MASTODON_STREAM_H_

#include <string>
#include <string_view>
#include <vector>

namespace hashmon {

// Mastodon status ids are decimal strings of growing length: compares them as numbers.
bool NewerStatusId(const std::string& a, const std::string& b);

// The id of the Status in `text` (its first "id" member, whose value is a decimal string),
// where the Status is written with quotes as `quote` (`"`, or `\"` inside a JSON string).
std::string StatusIdOf(std::string_view text, std::string_view quote);

// The messages that add the streams of `tags` after the first (the URL's) to a socket,
// one each: {"type":"subscribe","stream":"hashtag","tag":TAG}.
std::vector<std::string> MastodonSubscribeMessages(const std::vector<std::string>& tags);

// What a server's error message on the socket says ({"error":"Unknown stream type",
// "status":400}), printable and at most 200 bytes; "" for any other message.
std::string MastodonErrorOf(std::string_view message);

}  // namespace hashmon

#endif  // HASHMON_FEED_MASTODON_STREAM_H_
