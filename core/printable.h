#pragma once
/// Text made safe for a terminal or a log line: the one escaping used wherever outside text (file
/// headers, request paths, ids, error messages quoting them) is printed.

#include <string>
#include <string_view>

namespace cobuy {

/// `text` with every byte or character that a terminal could act on written as an escape, and
/// everything else, valid UTF-8 included, unchanged:
/// - C0 controls and DEL: `\n`, `\r`, `\t`, or `\xNN` (ESC is `\x1b`);
/// - C1 controls (U+0080..U+009F): `\u00NN`;
/// - bytes that are not part of well-formed UTF-8: `\xNN`.
/// Each character of `backslashed` (ASCII only, e.g. `"\\`) is written with a backslash before it,
/// so a quoted field stays unambiguous. The result never holds a line break.
std::string printable(std::string_view text, std::string_view backslashed = {});

/// Whether printable(text) == text, i.e. `text` holds nothing to escape.
bool is_printable(std::string_view text);

}  // namespace cobuy
