// How one connection of the test feed server writes: chunks of an HTTP response, or
// WebSocket messages.
#ifndef HASHMON_FEED_FEED_WRITER_H_
#define HASHMON_FEED_FEED_WRITER_H_

#include <string>

namespace hashmon {

class FeedWriter {
 public:
  virtual ~FeedWriter() = default;
  // Sends one record (no newline); returns false when the peer is gone.
  virtual bool Send(const std::string& record) = 0;
  // Sends the first half of a record, then drops the connection.
  virtual void SendTorn(const std::string& record) = 0;
  // Drops the connection without a goodbye (no last chunk, no close frame).
  virtual void Drop() = 0;
  // Ends the stream cleanly.
  virtual void End() = 0;
  // Holds the connection open and silent until the peer goes away.
  virtual void Stall() = 0;
  // Sends what is gathered into a chunk now (before the stream pauses); false when the
  // peer is gone.
  virtual bool Flush() { return true; }
};

}  // namespace hashmon

#endif  // HASHMON_FEED_FEED_WRITER_H_
