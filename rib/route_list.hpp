// A prefix's routes (one per peer and ADD-PATH id) in 16 bytes: the common single route is stored
// in place, several spill to one heap array. The size lives in the one spare byte of the inline
// Route, so the list costs no word of its own beside the route (absl::InlinedVector<Route, 1>
// needed 24 bytes).
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <utility>

#include "rib/attr_store.hpp"

namespace bgpfa::rib {

struct Route {
  Route() = default;
  Route(AttrRef a, std::uint32_t id, std::uint16_t p) noexcept : attrs(std::move(a)), path_id(id), peer(p) {}
  Route(const Route&) = default;
  Route(Route&&) noexcept = default;
  ~Route() = default;

  AttrRef attrs;
  std::uint32_t path_id = 0;
  std::uint16_t peer = 0;
  bool stale = false;  // kept across the peer's graceful restart (RFC 4724), not yet re-announced
  std::uint8_t list_tag_ = 0;  // RouteList's: how many routes when this one is stored in place

  // Assignment keeps the target's list_tag_: assigning into a list (std::remove_if, an edit
  // through an iterator) must not change the list's size.
  Route& operator=(const Route& o) {
    attrs = o.attrs;
    assign_words(o);
    return *this;
  }
  Route& operator=(Route&& o) noexcept {
    attrs = std::move(o.attrs);
    assign_words(o);
    return *this;
  }
  void assign_words(const Route& o) noexcept {
    path_id = o.path_id;
    peer = o.peer;
    stale = o.stale;
  }
};
static_assert(sizeof(Route) == 16);

class RouteList {
 public:
  static constexpr std::size_t kMaxRoutes = 0xffff;  // routes for one prefix (a 16-bit count)
  using value_type = Route;
  using iterator = Route*;
  using const_iterator = const Route*;

  RouteList() noexcept { std::construct_at(&one_); }
  RouteList(const RouteList& o) : RouteList() {
    reserve(o.size());
    for (const Route& r : o) push_back(r);
  }
  RouteList(RouteList&& o) noexcept : RouteList() { swap(o); }
  RouteList& operator=(RouteList o) noexcept {
    swap(o);
    return *this;
  }
  ~RouteList() { reset(); }

  [[nodiscard]] std::size_t size() const noexcept { return spilled() ? heap_.size : tag(); }
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }
  [[nodiscard]] std::size_t capacity() const noexcept { return spilled() ? heap_.capacity : 1; }
  [[nodiscard]] bool spilled() const noexcept { return tag() == kSpilled; }

  Route* begin() noexcept { return spilled() ? heap_.data : &one_; }
  Route* end() noexcept { return begin() + size(); }
  const Route* begin() const noexcept { return spilled() ? heap_.data : &one_; }
  const Route* end() const noexcept { return begin() + size(); }
  Route& front() noexcept { return *begin(); }
  const Route& front() const noexcept { return *begin(); }
  Route& back() noexcept { return end()[-1]; }
  const Route& back() const noexcept { return end()[-1]; }
  Route& operator[](std::size_t i) noexcept { return begin()[i]; }
  const Route& operator[](std::size_t i) const noexcept { return begin()[i]; }

  void push_back(Route r) {
    const std::size_t n = size();
    if (!spilled() && n == 0) {
      one_ = std::move(r);
      one_.list_tag_ = 1;
      return;
    }
    if (n == kMaxRoutes) throw std::length_error("RouteList: more than 65535 routes for one prefix");
    if (n == capacity()) reserve(std::min<std::size_t>(n * 2, kMaxRoutes));
    std::construct_at(heap_.data + n, std::move(r));
    ++heap_.size;
  }
  // Removes [first, last) (pointers into this list), keeping the order of the rest. A list left
  // with one route moves it back in place, unless `keep_capacity` (a session's end: its routes
  // usually come back, and freeing a whole table's arrays at once is most of the end's cost).
  Route* erase(Route* first, Route* last, bool keep_capacity = false) noexcept {
    Route* b = begin();
    Route* e = end();
    const std::ptrdiff_t at = first - b;
    Route* out = std::move(last, e, first);
    const auto n = static_cast<std::size_t>(out - b);
    if (!spilled()) {
      if (n == 0) one_.attrs = AttrRef();
      one_.list_tag_ = static_cast<std::uint8_t>(n);
      return begin() + at;
    }
    std::destroy(out, e);
    heap_.size = static_cast<std::uint16_t>(n);
    if (n == 0 || (n == 1 && !keep_capacity)) unspill();
    return begin() + at;
  }
  Route* erase(Route* pos) noexcept { return erase(pos, pos + 1); }
  void clear() noexcept { erase(begin(), end()); }
  void reserve(std::size_t n) {
    if (n <= capacity()) return;
    Alloc a;
    Route* data = a.allocate(n);
    const std::size_t count = size();
    std::uninitialized_move(begin(), end(), data);
    for (std::size_t i = 0; i < count; ++i) data[i].list_tag_ = 0;
    if (spilled()) {
      std::destroy(heap_.data, heap_.data + heap_.size);
      a.deallocate(heap_.data, heap_.capacity);
    } else {
      std::destroy_at(&one_);
    }
    std::construct_at(&heap_, Heap{data, static_cast<std::uint32_t>(n), static_cast<std::uint16_t>(count), 0, kSpilled});
  }
  void swap(RouteList& o) noexcept {
    // Both representations are trivially relocatable (a pointer-sized handle and plain words).
    unsigned char t[sizeof(*this)];
    std::memcpy(t, static_cast<void*>(this), sizeof(*this));
    std::memcpy(static_cast<void*>(this), static_cast<const void*>(&o), sizeof(*this));
    std::memcpy(static_cast<void*>(&o), t, sizeof(*this));
  }

 private:
  using Alloc = std::allocator<Route>;
  static constexpr std::uint8_t kSpilled = 0xff;
  struct Heap {
    Route* data;
    std::uint32_t capacity;
    std::uint16_t size;
    std::uint8_t pad;
    std::uint8_t tag;  // byte 15, where Route has list_tag_
  };
  // Byte 15 tells which member is alive: Route::list_tag_ (0 or 1) or Heap::tag (kSpilled).
  [[nodiscard]] std::uint8_t tag() const noexcept {
    std::uint8_t t;
    std::memcpy(&t, reinterpret_cast<const unsigned char*>(this) + 15, 1);
    return t;
  }
  void unspill() noexcept {
    Heap h = heap_;
    std::destroy_at(&heap_);
    std::construct_at(&one_);
    if (h.size) {
      one_ = std::move(h.data[0]);
      std::destroy_at(h.data);
    }
    one_.list_tag_ = static_cast<std::uint8_t>(h.size);
    Alloc().deallocate(h.data, h.capacity);
  }
  void reset() noexcept {
    if (spilled()) {
      std::destroy(heap_.data, heap_.data + heap_.size);
      Alloc().deallocate(heap_.data, heap_.capacity);
      std::destroy_at(&heap_);
    } else {
      std::destroy_at(&one_);
    }
  }
  union {
    Route one_;
    Heap heap_;
  };
};

}  // namespace bgpfa::rib
