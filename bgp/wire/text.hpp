// Text that came from the network (RFC 9003 shutdown communications, hostnames), made safe to
// print: it can neither forge a log line nor reach the terminal as a control sequence.
#pragma once
#include <string>
#include <string_view>

namespace bgpfa::wire {

// Valid UTF-8 letters stay; control characters (C0, DEL, C1), backslashes, double quotes and
// bytes that are not valid UTF-8 become \n, \t, \\, \", \xNN or \u00NN.
[[nodiscard]] std::string escape_text(std::string_view raw);

}  // namespace bgpfa::wire
