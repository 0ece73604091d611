// Errors inside an MRT record body: not a BGP NOTIFICATION, so code 0 ("Decode Error").
#pragma once
#include <string>

#include "bgp/wire/error.hpp"

namespace bgpfa::mrt {

[[nodiscard]] inline wire::DecodeError body_error(std::size_t offset, std::string what) {
  return wire::DecodeError{0, 0, offset, {}, wire::ErrorAction::SessionReset, std::move(what)};
}

}  // namespace bgpfa::mrt
