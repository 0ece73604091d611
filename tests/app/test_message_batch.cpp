// serve's hand-over from the session thread to the core: records of one buffer, read back in
// order with their times and flags; buffers recycled through the pool.
#include <catch2/catch.hpp>

#include <numeric>

#include "app/cli/message_batch.hpp"

using namespace bgpfa;
using app::BatchedMessage;
using app::BatchPool;
using app::MessageBatch;

TEST_CASE("message batch: messages come back in order, bytes, times and flags intact", "[serve][batch]") {
  BatchPool pool;
  MessageBatch b(pool.take());
  CHECK(b.empty());
  CHECK(b.capacity() >= BatchPool::kBytes);
  std::vector<std::uint8_t> big(65535);  // an extended message's maximum
  std::iota(big.begin(), big.end(), std::uint8_t{0});
  const std::vector<std::uint8_t> small = {0xff, 0xff, 0, 19, 4};
  b.add({1'700'000'000'000'001, small, false, true, false});
  b.add({1'700'000'000'000'002, big, true, false, true});
  b.add({3, {}, true, true, true});
  CHECK(b.messages() == 3);
  CHECK(b.bytes() == 3 * MessageBatch::kRecordHeader + small.size() + big.size());
  std::vector<BatchedMessage> got;
  std::vector<std::vector<std::uint8_t>> bytes;
  b.for_each([&](const BatchedMessage& m) {
    got.push_back(m);
    bytes.emplace_back(m.bytes.begin(), m.bytes.end());
  });
  REQUIRE(got.size() == 3);
  CHECK(got[0].t == 1'700'000'000'000'001);
  CHECK(bytes[0] == small);
  CHECK((!got[0].add_path && got[0].four_octet_as && !got[0].local));
  CHECK(got[1].t == 1'700'000'000'000'002);
  CHECK(bytes[1] == big);
  CHECK((got[1].add_path && !got[1].four_octet_as && got[1].local));
  CHECK(got[2].t == 3);
  CHECK(bytes[2].empty());
  CHECK((got[2].add_path && got[2].four_octet_as && got[2].local));
}

TEST_CASE("message batch: fits() keeps a batch within its buffer", "[serve][batch]") {
  BatchPool pool;
  MessageBatch b(pool.take());
  const std::size_t cap = b.capacity();
  const std::vector<std::uint8_t> m(4096 - MessageBatch::kRecordHeader);
  std::size_t n = 0;
  while (b.fits(m.size())) {
    b.add({0, m, false, true, false});
    ++n;
  }
  CHECK(n == cap / 4096);
  CHECK(b.bytes() <= cap);
  CHECK(b.capacity() == cap);  // never grew: the pool's buffers keep their size
}

TEST_CASE("batch pool: buffers come back emptied, and at most kSpares are kept", "[serve][batch]") {
  BatchPool pool;
  std::vector<std::vector<std::uint8_t>> out;
  for (std::size_t i = 0; i < BatchPool::kSpares + 4; ++i) out.push_back(pool.take());
  const std::uint8_t* first = out[0].data();
  out[0].resize(100, 7);
  for (auto& b : out) pool.give(std::move(b));
  CHECK(pool.spares() == BatchPool::kSpares);
  pool.give({});  // too small to be one of its buffers: not kept
  CHECK(pool.spares() == BatchPool::kSpares);
  bool reused = false;
  for (std::size_t i = 0; i < BatchPool::kSpares; ++i) {
    auto b = pool.take();
    CHECK(b.empty());
    CHECK(b.capacity() >= BatchPool::kBytes);
    reused |= b.data() == first;
  }
  CHECK(reused);
  CHECK(pool.spares() == 0);
}
