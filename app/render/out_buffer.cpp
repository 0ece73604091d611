#include "app/render/out_buffer.hpp"

#include <unistd.h>

#include <cerrno>

namespace bgpfa::app {

void OutBuffer::flush() {
  std::size_t off = 0;
  while (off < len_ && !failed_) {
    const ssize_t r = ::write(fd_, buf_.get() + off, len_ - off);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      failed_ = true;  // EPIPE (e.g. `| head`) or a full disk: stop writing, the caller checks
      break;
    }
    off += static_cast<std::size_t>(r);
  }
  len_ = 0;
}

}  // namespace bgpfa::app
