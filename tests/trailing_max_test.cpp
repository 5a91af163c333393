#include "hashmon/trailing_max.h"

#include <gtest/gtest.h>

#include <sstream>

namespace hashmon {
namespace {

TEST(TrailingMaxTest, GivesTheLargestValueSinceATime) {
  TrailingMax max;
  max.Add(0, 5);
  max.Add(10, 3);
  max.Add(20, 4);
  EXPECT_EQ(max.MaxSince(0, -1), 5);
  EXPECT_EQ(max.MaxSince(1, -1), 4);  // 3 came before the larger 4
  EXPECT_EQ(max.MaxSince(20, -1), 4);
  EXPECT_EQ(max.MaxSince(21, -1), -1);  // nothing since: the caller's "none"
}

TEST(TrailingMaxTest, ForgetsWhatLeftTheHorizon) {
  TrailingMax max;
  max.Add(0, 9);
  max.Add(10, 2);
  max.ForgetBefore(5);
  EXPECT_EQ(max.MaxSince(0, -1), 2);
}

TEST(TrailingMaxTest, ReadsBackWhatItWrote) {
  TrailingMax max;
  max.Add(0, 7.5);
  max.Add(60'000, 1.25);
  std::string out;
  max.Write(&out);
  TrailingMax copy;
  std::istringstream in(out);
  copy.Read(in);
  EXPECT_EQ(copy.MaxSince(0, -1), 7.5);
  EXPECT_EQ(copy.MaxSince(1, -1), 1.25);
}

}  // namespace
}  // namespace hashmon
