#include <catch2/catch.hpp>

#include "rib/attr_store.hpp"

using namespace bgpfa;
