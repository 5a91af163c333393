// The detectors' saved state is kept compressed; what does not decompress to the state it
// was (a damaged row) is refused, never read as a state.
#include "store/state_codec.h"

#include <gtest/gtest.h>

#include <string>

namespace hashmon {
namespace {

// A state's text: numbers, as SeriesDetector::Serialize writes them.
std::string AState() {
  std::string text = "v11";
  for (int i = 0; i < 800; ++i) text += " " + std::to_string(1453191300000 + i * 60'000 % 7919);
  return text;
}

TEST(StateCodecTest, AStateComesBackAsItWasFromAThirdOfItsSizeOrLess) {
  StateCodec codec;
  const std::string text = AState();
  const auto packed = codec.Pack(text);
  ASSERT_TRUE(packed);
  EXPECT_LT(packed->size(), text.size() / 3);
  EXPECT_EQ(codec.Unpack(*packed), text);
  EXPECT_EQ(codec.Unpack(*codec.Pack("")), "");  // (a state is never empty, but still)
}

TEST(StateCodecTest, WhatIsNotAWholeFrameIsRefused) {
  StateCodec codec;
  const std::string packed = *codec.Pack(AState());
  EXPECT_FALSE(codec.Unpack(""));
  EXPECT_FALSE(codec.Unpack("v11 0.5 x"));                          // text, not a frame
  EXPECT_FALSE(codec.Unpack(packed.substr(0, packed.size() / 2)));  // cut short
  std::string flipped = packed;
  flipped[flipped.size() / 2] ^= 0x5a;
  const auto damaged = codec.Unpack(flipped);
  EXPECT_TRUE(!damaged || *damaged != AState());  // (zstd keeps no checksum by default)
}

TEST(StateCodecTest, AFrameClaimingAHugeStateIsRefusedWithoutAllocatingIt) {
  StateCodec codec;
  // A frame header that declares 2^40 bytes of content (single segment, 8-byte size).
  std::string header = "\x28\xb5\x2f\xfd";
  header += static_cast<char>(0xe0);  // single segment, content size in 8 bytes
  for (int i = 0; i < 8; ++i) header += static_cast<char>(i == 5 ? 1 : 0);
  EXPECT_FALSE(codec.Unpack(header));
}

}  // namespace
}  // namespace hashmon
