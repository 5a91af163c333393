// Hostile text shown on a terminal or written to the log cannot control either.
#include "hashmon/terminal_text.h"

#include <gtest/gtest.h>

namespace hashmon {
namespace {

TEST(TerminalSafe, KeepsOrdinaryTextInAnyScript) {
  for (const char* text : {"Twitter not working #twitterdown", "ツイッター落ちてる #twitterdown",
                           "ar jums veikia twitter? \xE2\x80\x94 ne", "a\\b \"quoted\" 100%"}) {
    EXPECT_EQ(TerminalSafe(text), text);
  }
}

TEST(TerminalSafe, ShowsLineBreaksSoALogLineCannotBeForged) {
  EXPECT_EQ(TerminalSafe("bad line\n2016-01-19T08:15:00Z error: forged\r\tx"),
            "bad line\\n2016-01-19T08:15:00Z error: forged\\r\\tx");
}

TEST(TerminalSafe, DisarmsEscapeSequencesAndOtherControls) {
  // ESC [ 2 J clears the screen; ESC ] 0 ; ... BEL sets the window title.
  EXPECT_EQ(TerminalSafe("\x1b[2J\x1b]0;pwned\x07"), "\\x1b[2J\\x1b]0;pwned\\x07");
  EXPECT_EQ(TerminalSafe(std::string("a\0b\x7f", 4)), "a\\x00b\\x7f");
  // U+009B is CSI on terminals that obey C1 controls; U+00A0 (no-break space) is text.
  EXPECT_EQ(TerminalSafe("\xC2\x9B"
                         "2J \xC2\xA0"),
            "\\u009b2J \xC2\xA0");
}

TEST(TerminalSafe, ATruncatedSequenceAtTheEndIsKept) {
  EXPECT_EQ(TerminalSafe("end \xC2"), "end \xC2");
}

}  // namespace
}  // namespace hashmon
