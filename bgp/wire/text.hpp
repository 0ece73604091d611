// Text that came from the network (RFC 9003 shutdown communications, hostnames), made safe to
// print: it can neither forge a log line nor reach the terminal as a control sequence.
#pragma once
#include <string>
#include <string_view>

namespace bgpfa::wire {

// Valid UTF-8 letters stay; control characters (C0, DEL, C1), backslashes, double quotes and
// bytes that are not valid UTF-8 become \n, \t, \\, \", \xNN or \u00NN.
[[nodiscard]] std::string escape_text(std::string_view raw);

// Text quoted in an error message (a config word, an az CLI field): in double quotes, valid
// UTF-8 kept, other bytes and control bytes as \xNN, `"` and `\` escaped, at most `max_bytes`
// of it, then " (and N more bytes)".
[[nodiscard]] std::string quote_text(std::string_view s, std::size_t max_bytes = 80);

}  // namespace bgpfa::wire
