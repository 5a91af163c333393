// Mastodon's streaming API, the client's side: the per-hashtag cursor, and the messages.
//
// Where a Mastodon source's gap fill starts, per hashtag. The streaming API has no resume,
// so after a reconnect (or a restart) each hashtag's timeline is asked for the statuses
// newer than the newest one seen (min_id). One WebSocket may carry several hashtags
// (`subscribe` messages); each of its messages names the stream it belongs to.
#ifndef HASHMON_FEED_MASTODON_STREAM_H_
#define HASHMON_FEED_MASTODON_STREAM_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hashmon {

class MastodonCursor {
 public:
  // `tags`: the hashtags the source streams, as configured (the first is the URL's).
  explicit MastodonCursor(std::vector<std::string> tags);

  const std::vector<std::string>& tags() const { return tags_; }

  // Notes a status id seen on the stream of `tag` ("" or a tag not followed: seen on the
  // socket, stream unknown).
  void Note(std::string_view tag, const std::string& id);

  // The min_id for `tag`'s timeline: the newest status seen on its stream, or, for a tag
  // with none yet, the newest seen on the socket (while the socket was up, the quiet tag
  // missed nothing older). "" when nothing was seen: no gap to fill.
  std::string MinId(const std::string& tag) const;

  // What the checkpoint keeps: with one hashtag its id (as before several shared a socket),
  // else a JSON object of tag to id. Restore takes either; a tag it lacks starts from the
  // newest id it holds.
  std::string Text() const;
  void Restore(const std::string& text);

 private:
  // The followed tag `tag` names (Mastodon echoes the tag as subscribed; any case), or "".
  std::string Followed(std::string_view tag) const;

  std::vector<std::string> tags_;
  std::map<std::string, std::string> newest_;  // by followed tag
  std::string newest_any_;
};

// Mastodon status ids are decimal strings of growing length: compares them as numbers.
bool NewerStatusId(const std::string& a, const std::string& b);

// The id of the Status in `text` (its first "id" member, whose value is a decimal string),
// where the Status is written with quotes as `quote` (`"`, or `\"` inside a JSON string).
std::string StatusIdOf(std::string_view text, std::string_view quote);

// The hashtag a WebSocket message's stream names (`"stream":["hashtag","TAG"]`), or "".
std::string StreamTagOf(std::string_view message);

// The messages that add the streams of `tags` after the first (the URL's) to a socket,
// one each: {"type":"subscribe","stream":"hashtag","tag":TAG}.
std::vector<std::string> MastodonSubscribeMessages(const std::vector<std::string>& tags);

// What a server's error message on the socket says ({"error":"Unknown stream type",
// "status":400}), printable and at most 200 bytes; "" for any other message.
std::string MastodonErrorOf(std::string_view message);

}  // namespace hashmon

#endif  // HASHMON_FEED_MASTODON_STREAM_H_
