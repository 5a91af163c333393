// Plain text from Mastodon's HTML content, and HTML escaping for anything hashmon renders.
#ifndef HASHMON_HTML_TEXT_H_
#define HASHMON_HTML_TEXT_H_

#include <string>
#include <string_view>

namespace hashmon {

// Drops tags, turns <br> and </p> into newlines and decodes character references
// (&amp; &lt; &gt; &quot; &apos; &#39; &#NNN; &#xHH;). Unknown references stay as written.
std::string HtmlToText(std::string_view html);

// Escapes & < > " ' so that hostile text can be placed in HTML text or attributes.
std::string HtmlEscape(std::string_view text);
// Escapes & < > only: for markup such as Slack's, which reads those three as its own and
// decodes no other entity (an escaped quote would show as "&quot;").
std::string EscapeAmpLtGt(std::string_view text);

}  // namespace hashmon

#endif  // HASHMON_HTML_TEXT_H_
