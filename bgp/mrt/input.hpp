// Byte input for MRT files: plain, gzip, bzip2, xz or zstd (by magic bytes), a file or "-".
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace bgpfa::mrt {

enum class Compression { None, Gzip, Bzip2, Xz, Zstd };
[[nodiscard]] const char* to_string(Compression c) noexcept;
[[nodiscard]] Compression detect_compression(const std::uint8_t* head, std::size_t n) noexcept;

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes, possibly fewer when that is what is ready; returns 0 only at the end. Throws std::runtime_error on I/O or
  // decompression failure (the message says what and where).
  virtual std::size_t read(std::uint8_t* dst, std::size_t n) = 0;
  [[nodiscard]] virtual Compression compression() const noexcept = 0;
  // Size of the file as stored (compressed), when known; for progress display.
  [[nodiscard]] virtual std::uint64_t stored_size() const noexcept = 0;
  [[nodiscard]] virtual std::uint64_t stored_consumed() const noexcept = 0;
};

// Opens `path` ("-" = stdin). Decompression runs on its own thread so that it overlaps decoding.
[[nodiscard]] std::unique_ptr<ByteSource> open_input(const std::string& path);

}  // namespace bgpfa::mrt
