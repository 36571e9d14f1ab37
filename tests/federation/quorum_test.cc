// Quorum sizing: f = floor((n-1)/3) and t = n - f for the federation sizes the tests use.
#include <catch2/catch.hpp>

#include "actors/federation/quorum.h"

using actors::federation::PeerId;
using actors::federation::Quorum;

TEST_CASE("quorum derives f and t from n", "[federation][quorum]") {
    struct Row {
        uint64_t n, f, t;
    };
    const Row rows[] = {{1, 0, 1}, {2, 0, 2}, {3, 0, 3}, {4, 1, 3},  {5, 1, 4},
                        {6, 1, 5}, {7, 2, 5}, {8, 2, 6}, {10, 3, 7}, {13, 4, 9}};
    for (const Row& row : rows) {
        Quorum q = Quorum::of(row.n);
        INFO("n=" << row.n);
        CHECK(q.n == row.n);
        CHECK(q.f == row.f);
        CHECK(q.t == row.t);
    }
}

TEST_CASE("quorum contains exactly peers 0..n-1", "[federation][quorum]") {
    Quorum q = Quorum::of(4);
    CHECK(q.contains(PeerId(0)));
    CHECK(q.contains(PeerId(3)));
    CHECK_FALSE(q.contains(PeerId(4)));
    CHECK_FALSE(q.contains(PeerId()));
}
