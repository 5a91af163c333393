// Parsing JSON from the network with a bound on its nesting. RapidJSON's parser recurses
// once per level of nesting, so a single line of a few hundred thousand '[' (well within
// the longest line a feed may send) overflows the thread's stack and kills the process.
// These parse as RapidJSON's own ParseInsitu / Parse do, but give up, as on a syntax error,
// at the first value nested deeper than kMaxJsonDepth: no post, rule list or timeline
// comes anywhere near it, and the recursion then stays a few kilobytes deep.
#ifndef HASHMON_BOUNDED_JSON_H_
#define HASHMON_BOUNDED_JSON_H_

#include <rapidjson/document.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstddef>
#include <cstdint>

namespace hashmon {

inline constexpr int kMaxJsonDepth = 128;

enum class JsonParse { kOk, kMalformed, kTooDeep };

namespace bounded_json_detail {

// Forwards every SAX event to the document being built, and stops the parse at the first
// object or array that opens deeper than the bound.
template <typename Doc>
class DepthBound {
 public:
  using Ch = typename Doc::Ch;
  explicit DepthBound(Doc* doc) : doc_(doc) {}
  bool too_deep() const { return too_deep_; }

  bool Null() { return doc_->Null(); }
  bool Bool(bool b) { return doc_->Bool(b); }
  bool Int(int i) { return doc_->Int(i); }
  bool Uint(unsigned u) { return doc_->Uint(u); }
  bool Int64(int64_t i) { return doc_->Int64(i); }
  bool Uint64(uint64_t u) { return doc_->Uint64(u); }
  bool Double(double d) { return doc_->Double(d); }
  bool RawNumber(const Ch* s, rapidjson::SizeType n, bool copy) {
    return doc_->RawNumber(s, n, copy);
  }
  bool String(const Ch* s, rapidjson::SizeType n, bool copy) { return doc_->String(s, n, copy); }
  bool Key(const Ch* s, rapidjson::SizeType n, bool copy) { return doc_->Key(s, n, copy); }
  bool StartObject() { return Open() && doc_->StartObject(); }
  bool EndObject(rapidjson::SizeType n) { return Close() && doc_->EndObject(n); }
  bool StartArray() { return Open() && doc_->StartArray(); }
  bool EndArray(rapidjson::SizeType n) { return Close() && doc_->EndArray(n); }

 private:
  bool Open() {
    too_deep_ = ++depth_ > kMaxJsonDepth;
    return !too_deep_;
  }
  bool Close() {
    --depth_;
    return true;
  }
  Doc* doc_;
  int depth_ = 0;
  bool too_deep_ = false;
};

template <unsigned kFlags, typename Doc, typename Stream>
JsonParse Parse(Doc* doc, Stream* stream) {
  JsonParse result = JsonParse::kMalformed;
  auto generate = [&](Doc& d) {
    DepthBound<Doc> bound(&d);
    rapidjson::GenericReader<typename Doc::EncodingType, typename Doc::EncodingType> reader;
    const bool ok = !reader.template Parse<kFlags>(*stream, bound).IsError();
    result = ok ? JsonParse::kOk : bound.too_deep() ? JsonParse::kTooDeep : JsonParse::kMalformed;
    return ok;
  };
  doc->SetNull();
  doc->Populate(generate);
  return result;
}

}  // namespace bounded_json_detail

// Parses NUL-terminated `text` in place (strings point into it), as Doc::ParseInsitu does.
template <unsigned kFlags = rapidjson::kParseDefaultFlags, typename Doc>
JsonParse ParseJsonInsitu(Doc* doc, typename Doc::Ch* text) {
  rapidjson::GenericInsituStringStream<typename Doc::EncodingType> stream(text);
  return bounded_json_detail::Parse<kFlags | rapidjson::kParseInsituFlag>(doc, &stream);
}

// Parses `length` bytes of `text` (no terminator needed), copying strings into the document.
template <unsigned kFlags = rapidjson::kParseDefaultFlags, typename Doc>
JsonParse ParseJson(Doc* doc, const char* text, size_t length) {
  rapidjson::MemoryStream memory(text, length);
  rapidjson::EncodedInputStream<typename Doc::EncodingType, rapidjson::MemoryStream> stream(memory);
  return bounded_json_detail::Parse<kFlags>(doc, &stream);
}

}  // namespace hashmon

#endif  // HASHMON_BOUNDED_JSON_H_
