#include <catch2/catch.hpp>
#include "actors/chain/chain.h"
TEST_CASE("placeholder", "[chain]") { actors::chain::Chain c; CHECK(c.tip_height() == 0); }
