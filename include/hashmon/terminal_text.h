// Text from outside (posts, server replies, input files) made safe to show on a terminal or
// to write as one log line.
#ifndef HASHMON_TERMINAL_TEXT_H_
#define HASHMON_TERMINAL_TEXT_H_

#include <string>
#include <string_view>

namespace hashmon {

// Control characters become visible escapes, so that no post, server reply or file can move
// the cursor, retitle or reprogram the terminal, or forge a log line: newline, carriage
// return and tab as \n \r \t, other C0 controls and DEL as \xNN, and C1 controls (U+0080 to
// U+009F, which some terminals obey as escape sequences) as \u00NN. Everything else,
// including text in any script, is kept as it is.
std::string TerminalSafe(std::string_view text);

}  // namespace hashmon

#endif  // HASHMON_TERMINAL_TEXT_H_
