// The raw recording `record` and `collect --record` write: hourly zstd files of whole
// frames, which a full disk may cut short but never leaves unreadable.
#include "feed/recorder.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/resource.h>
#include <zstd.h>

#include <filesystem>
#include <sstream>

#include "hashmon/time_util.h"
#include "test_util.h"

namespace hashmon {
namespace {

using testing::TempDir;

// The messages of a recording file, decompressed frame by frame; false if a frame is bad.
bool ReadRecording(const std::string& path, std::vector<std::string>* messages) {
  const std::string packed = testing::ReadFile(path);
  ZSTD_DCtx* d = ZSTD_createDCtx();
  std::string text;
  std::vector<char> out(ZSTD_DStreamOutSize());
  ZSTD_inBuffer in{packed.data(), packed.size(), 0};
  size_t left = 0;
  while (in.pos < in.size) {
    ZSTD_outBuffer o{out.data(), out.size(), 0};
    left = ZSTD_decompressStream(d, &o, &in);
    if (ZSTD_isError(left)) break;
    text.append(out.data(), o.pos);
  }
  ZSTD_freeDCtx(d);
  if (ZSTD_isError(left) || left != 0) return false;
  size_t from = 0;
  for (size_t nl; (nl = text.find('\n', from)) != std::string::npos; from = nl + 1)
    messages->push_back(text.substr(from, nl - from));
  return true;
}

// While it lives, files may grow no further than `bytes` (as if the disk were full):
// writes past it fail with EFBIG instead of raising SIGXFSZ.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    old_handler_ = signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &old_);
    rlimit limit = old_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &old_);
    signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit old_{};
  sighandler_t old_handler_;
};

class RecorderTest : public ::testing::Test {
 protected:
  std::string Message(int i) const {
    return R"({"id":")" + std::to_string(i) + R"(","text":")" + std::string(200, 'a' + i % 26) +
           R"("})";
  }
  // Records one message and parses the one line it became.
  ::testing::AssertionResult RecordOne(const std::string& message, rapidjson::Document* line) {
    const std::string dir = tmp_.File("one");
    std::string error;
    {
      Recorder rec(dir, &clock_);
      if (!rec.Write(message, &error)) return ::testing::AssertionFailure() << error;
    }
    std::vector<std::string> messages;
    if (!ReadRecording(dir + "/2026-12-02T10.jsonl.zst", &messages) || messages.size() != 1)
      return ::testing::AssertionFailure() << messages.size() << " lines recorded";
    line->Parse(messages[0].c_str());
    if (line->HasParseError()) return ::testing::AssertionFailure() << "not JSON: " << messages[0];
    return ::testing::AssertionSuccess();
  }

  TempDir tmp_;
  FakeClock clock_{*ParseIsoTime("2026-12-02T10:00:00Z")};
};

TEST_F(RecorderTest, EachMessageIsALineWithItsReceiveTime) {
  const std::string dir = tmp_.File("rec");
  std::string error;
  {
    Recorder rec(dir, &clock_);
    ASSERT_TRUE(rec.Write(Message(1), &error)) << error;
    ASSERT_TRUE(rec.Write("event: update", &error)) << error;  // not JSON: kept as a string
  }
  std::vector<std::string> messages;
  ASSERT_TRUE(ReadRecording(dir + "/2026-12-02T10.jsonl.zst", &messages));
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0], R"({"recv":"2026-12-02T10:00:00Z","msg":)" + Message(1) + "}");
  EXPECT_EQ(messages[1], R"({"recv":"2026-12-02T10:00:00Z","msg":"event: update"})");
}

TEST_F(RecorderTest, AMessageThatIsNotJsonIsKeptExactlyAsAJsonString) {
  const std::string message = "say \"down\" \\ now\r\n\tthen\x01\x1f end \xE2\x80\x94";
  rapidjson::Document line;
  ASSERT_TRUE(RecordOne(message, &line));
  ASSERT_TRUE(line["msg"].IsString());
  EXPECT_EQ(std::string(line["msg"].GetString(), line["msg"].GetStringLength()), message);
}

TEST_F(RecorderTest, APrettyPrintedJsonMessageIsRecordedOnOneLine) {
  rapidjson::Document line;
  ASSERT_TRUE(RecordOne("{\r\n  \"id\": \"1\",\n  \"text\": \"#twitterdown\"\n}", &line));
  EXPECT_STREQ(line["msg"]["text"].GetString(), "#twitterdown");
}

TEST_F(RecorderTest, AByteStreamIsRecordedLineByLineAcrossPieces) {
  const std::string dir = tmp_.File("rec");
  std::string error;
  {
    Recorder rec(dir, &clock_);
    ASSERT_TRUE(rec.WriteLines("{\"a\":1}\r\n{\"b\"", &error));
    ASSERT_TRUE(rec.WriteLines(":2}\n\n{\"c\":", &error));
    rec.DropPartialLine();  // the connection was cut inside {"c":
    ASSERT_TRUE(rec.WriteLines("{\"d\":4}\n", &error));
  }
  std::vector<std::string> messages;
  ASSERT_TRUE(ReadRecording(dir + "/2026-12-02T10.jsonl.zst", &messages));
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_NE(messages[0].find(R"("msg":{"a":1}})"), std::string::npos) << messages[0];
  EXPECT_NE(messages[1].find(R"("msg":{"b":2}})"), std::string::npos) << messages[1];
  EXPECT_NE(messages[2].find(R"("msg":{"d":4}})"), std::string::npos) << messages[2];
}

TEST_F(RecorderTest, AFullDiskLosesTheFrameItCutNotTheRecording) {
  const std::string dir = tmp_.File("rec");
  const std::string file = dir + "/2026-12-02T10.jsonl.zst";
  std::string error;
  Recorder rec(dir, &clock_);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(rec.Write(Message(i), &error)) << error;
  ASSERT_TRUE(rec.Flush(&error)) << error;  // 20 messages on disk, in whole frames
  {
    FileSizeLimit full(std::filesystem::file_size(file) + 100);
    bool failed = false;
    for (int i = 20; i < 2000 && !failed; ++i) {
      clock_.Advance(100);  // a frame a second: some frames fit, then one does not
      failed = !rec.Write(Message(i), &error);
    }
    ASSERT_TRUE(failed);
    EXPECT_EQ(error.rfind("cannot write " + file + ": ", 0), 0u) << error;  // which file
    EXPECT_GT(rec.lost(), 0);
  }
  // Space again: the recording goes on after its last whole frame.
  const int64_t lost = rec.lost();
  const int64_t kept = rec.lines();
  ASSERT_TRUE(rec.Write(Message(4000), &error)) << error;
  ASSERT_TRUE(rec.Flush(&error)) << error;
  EXPECT_EQ(rec.lost(), lost);
  std::vector<std::string> messages;
  ASSERT_TRUE(ReadRecording(file, &messages));  // every frame whole
  EXPECT_EQ(static_cast<int64_t>(messages.size()), kept + 1);
  EXPECT_NE(messages.back().find(Message(4000)), std::string::npos);
  EXPECT_NE(messages.front().find(Message(0)), std::string::npos);
}

TEST_F(RecorderTest, ALineTooLongToReplayIsLeftOutAndCounted) {
  const std::string dir = tmp_.File("rec");
  std::string error;
  {
    Recorder rec(dir, &clock_);
    const std::string piece(1 << 20, 'x');
    ASSERT_TRUE(rec.WriteLines("{\"a\":1}\n", &error));
    for (int i = 0; i < 70; ++i) ASSERT_TRUE(rec.WriteLines(piece, &error));  // 70 MiB, no end
    ASSERT_TRUE(rec.WriteLines("tail of it\n{\"b\":2}\n", &error));
    EXPECT_EQ(rec.lost(), 1);
  }
  std::vector<std::string> messages;
  ASSERT_TRUE(ReadRecording(dir + "/2026-12-02T10.jsonl.zst", &messages));
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_NE(messages[1].find(R"("msg":{"b":2}})"), std::string::npos);
}

}  // namespace
}  // namespace hashmon

namespace hashmon {
namespace {

TEST_F(RecorderTest, HoursPastTheTimeToKeepAreRemovedAsEachNewHourBegins) {
  const std::string dir = tmp_.File("kept");
  std::filesystem::create_directories(dir + "/2026-11-30T08.jsonl.zst");  // not a file
  const std::vector<std::string> not_ours = {"notes.txt", "2026-11-30T09.jsonl",
                                             "2026-11-30T09.jsonl.zst.bak", "2026-11-30.jsonl.zst"};
  for (const auto& name : not_ours) testing::WriteFile(dir + "/" + name, "x");
  for (const char* hour : {"2026-11-30T09", "2026-12-01T09", "2026-12-01T10"})
    testing::WriteFile(dir + "/" + hour + ".jsonl.zst", "");
  auto present = [&](const std::string& name) { return std::filesystem::exists(dir + "/" + name); };
  std::string error;
  std::ostringstream said;
  Logger log(&said, &clock_);
  Recorder rec(dir, &clock_, /*keep_ms=*/24 * 3'600'000, &log);

  // 10:00 on 2 December: the hours that ended a day ago or more go.
  ASSERT_TRUE(rec.Write(Message(1), &error)) << error;
  EXPECT_FALSE(present("2026-11-30T09.jsonl.zst"));
  EXPECT_FALSE(present("2026-12-01T09.jsonl.zst"));  // ended at 10:00 on 1 December
  EXPECT_TRUE(present("2026-12-01T10.jsonl.zst"));
  EXPECT_EQ(rec.expired_files(), 2);
  EXPECT_NE(said.str().find("removed the recording " + dir + "/2026-11-30T09.jsonl.zst"),
            std::string::npos)
      << said.str();

  // Within the hour nothing more is looked at; the next hour takes the next one.
  clock_.Advance(59 * 60'000);
  ASSERT_TRUE(rec.Write(Message(2), &error)) << error;
  EXPECT_TRUE(present("2026-12-01T10.jsonl.zst"));
  clock_.Advance(60'000);
  ASSERT_TRUE(rec.Write(Message(3), &error)) << error;
  EXPECT_FALSE(present("2026-12-01T10.jsonl.zst"));
  EXPECT_EQ(rec.expired_files(), 3);

  // What it wrote itself, and whatever it did not name, stays.
  EXPECT_TRUE(present("2026-12-02T10.jsonl.zst"));
  EXPECT_TRUE(present("2026-12-02T11.jsonl.zst"));
  EXPECT_TRUE(present("2026-11-30T08.jsonl.zst"));
  for (const auto& name : not_ours) EXPECT_TRUE(present(name)) << name;
}

}  // namespace
}  // namespace hashmon
