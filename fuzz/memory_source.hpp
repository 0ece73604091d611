// Fuzzing helper: an MRT ByteSource over the input bytes.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "bgp/mrt/input.hpp"

namespace bgpfa::fuzz {

class MemorySource final : public mrt::ByteSource {
 public:
  MemorySource(const std::uint8_t* d, std::size_t n) : d_(d), n_(n) {}
  std::size_t read(std::uint8_t* dst, std::size_t n) override {
    const std::size_t k = std::min(n, n_ - pos_);
    if (k) std::memcpy(dst, d_ + pos_, k);
    pos_ += k;
    return k;
  }
  [[nodiscard]] mrt::Compression compression() const noexcept override { return mrt::Compression::None; }
  [[nodiscard]] std::uint64_t stored_size() const noexcept override { return n_; }
  [[nodiscard]] std::uint64_t stored_consumed() const noexcept override { return pos_; }

 private:
  const std::uint8_t* d_;
  std::size_t n_, pos_ = 0;
};

}  // namespace bgpfa::fuzz
