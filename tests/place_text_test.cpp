// Place names are matched after normalisation: accents gone, case folded, punctuation one
// space. ASCII takes a path of its own (no ICU), which must agree with ICU's.
#include "core/place_text.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace hashmon {
namespace {

// A combining acute accent: ICU's path drops it (a non-spacing mark), so appending it makes
// any text go that path and come out as the same text would without it.
constexpr char kCombiningAcute[] = "\xCC\x81";

TEST(PlaceText, FoldsAccentsCaseAndPunctuation) {
  EXPECT_EQ(NormalizePlace("São Paulo-SP"), "sao paulo sp");
  EXPECT_EQ(NormalizePlace("  KÖLN!! "), "koln");
  EXPECT_EQ(NormalizePlace("Kaua'i"), "kauai");
  EXPECT_EQ(NormalizePlace("O\xE2\x80\x99Neill"), "oneill");
  EXPECT_EQ(NormalizePlace("ＴＯＫＹＯ"), "tokyo");  // full-width letters (NFKD)
  EXPECT_EQ(NormalizePlace(""), "");
}

TEST(PlaceText, AsciiTextNormalisesAsIcuWouldNormaliseIt) {
  for (int c = 1; c < 128; ++c) {
    const char ch = static_cast<char>(c);
    for (const std::string& text : {std::string(1, ch), "Rio" + std::string(1, ch) + "De",
                                    std::string(1, ch) + "x " + std::string(2, ch) + "9Z"}) {
      EXPECT_EQ(NormalizePlace(text), NormalizePlace(text + kCombiningAcute)) << "character " << c;
    }
  }
  std::mt19937 rng(51);
  std::uniform_int_distribution<int> length(0, 24), character(1, 127);
  for (int round = 0; round < 20'000; ++round) {
    std::string text(static_cast<size_t>(length(rng)), ' ');
    for (char& ch : text) ch = static_cast<char>(character(rng));
    ASSERT_EQ(NormalizePlace(text), NormalizePlace(text + kCombiningAcute)) << text;
  }
}

}  // namespace
}  // namespace hashmon
