// The per-channel indexes the HTLC path reads instead of searching: ScidIndex (scid -> channel,
// against a std::map driven side by side), ChannelActivity's per-node count of busy channels
// (every transition, both ends, channels never heard of), a ledger's HTLCs found by id, and its
// peer link caches (handed out by a non-const ledger only, touching nothing).
#include <catch2/catch.hpp>

#include <map>
#include <vector>

#include "actors/lightning/channel_changes.h"
#include "actors/lightning/channel_ledger.h"
#include "actors/lightning/scid_index.h"
#include "sim/random.h"

using namespace actors::lightning;

TEST_CASE("ScidIndex finds what a map finds, through growth and same-block scids") {
    ScidIndex index;
    std::map<uint64_t, uint32_t> reference;
    CHECK_FALSE(index.find(0).has_value());
    sim::Random rng(7);
    for (uint32_t c = 0; c < 20000; ++c) {
        // Most scids of a scale world share one block: only tx index and output differ.
        const uint64_t scid =
            c % 3 == 0 ? rng.next_u64()
                       : ShortChannelId::from_parts(101 + c % 2, c, static_cast<uint16_t>(c % 4))
                             .value;
        const bool fresh = reference.emplace(scid, c).second;
        CHECK(index.insert(scid, c) == fresh);
    }
    CHECK(index.size() == reference.size());
    for (const auto& [scid, c] : reference) {
        REQUIRE(index.find(scid) == c);
    }
    for (int i = 0; i < 1000; ++i) {
        const uint64_t absent = rng.next_u64();
        if (reference.count(absent) == 0) {
            CHECK_FALSE(index.find(absent).has_value());
        }
    }
}

TEST_CASE("ScidIndex keeps the first channel of a repeated scid, and scid 0 is a key") {
    ScidIndex index;
    CHECK(index.insert(0, 5));
    CHECK_FALSE(index.insert(0, 6));
    CHECK(index.find(0) == 5u);
    CHECK(index.size() == 1);
}

TEST_CASE("ChannelActivity counts each node's busy channels over every transition") {
    ChannelActivity a;
    CHECK(a.busy(3));  // never heard of: busy
    CHECK_FALSE(a.node_busy(1));
    a.set(0, 1, 2, true);
    a.set(1, 1, 3, true);
    CHECK(a.node_busy(1));
    CHECK(a.node_busy(2));
    CHECK(a.node_busy(3));
    CHECK_FALSE(a.node_busy(4));
    a.set(0, 1, 2, true);  // no change: counted once
    a.set(0, 1, 2, false);
    CHECK(a.node_busy(1));
    CHECK_FALSE(a.node_busy(2));
    a.set(1, 1, 3, false);
    CHECK_FALSE(a.node_busy(1));
    CHECK_FALSE(a.node_busy(3));
    a.set(1, 1, 3, false);  // idle twice: no count below zero
    CHECK_FALSE(a.node_busy(1));
    a.set(1, 1, 3, true);
    CHECK(a.node_busy(1));
    CHECK(a.node_busy(3));
    CHECK_FALSE(a.busy(0));
    CHECK(a.busy(1));
    // A channel first heard of as idle counts nothing; heard of later as busy, it counts.
    a.set(7, 4, 5, false);
    CHECK_FALSE(a.node_busy(4));
    CHECK_FALSE(a.busy(7));
    CHECK(a.busy(6));  // skipped over by the resize: still never heard of
    a.set(7, 4, 5, true);
    CHECK(a.node_busy(4));
    CHECK(a.node_busy(5));
}

TEST_CASE("A ledger finds each HTLC by its id, and no HTLC past the last") {
    std::array<ChannelSide, 2> sides;
    sides[0].node = 0;
    sides[1].node = 1;
    sides[0].balance_msat = 600000;
    sides[1].balance_msat = 400000;
    ChannelLedger ch(0, 1000, sides);
    ch.set_open(ShortChannelId::from_parts(101, 0, 0));
    CHECK(ch.htlc(0) == nullptr);
    PaymentHash hash{};
    for (uint64_t i = 0; i < 50; ++i) {
        HtlcEntry& h = ch.add_htlc(static_cast<int>(i % 2), 1000 + i, hash, 500);
        CHECK(h.id == i);
    }
    ch.settle(10);
    ch.fail(11);
    for (uint64_t i = 0; i < 50; ++i) {
        REQUIRE(ch.htlc(i) != nullptr);
        CHECK(ch.htlc(i)->id == i);
        CHECK(ch.htlc(i)->amount_msat == 1000 + i);
        CHECK(&ch.htlcs()[i] == ch.htlc(i));
    }
    CHECK(ch.htlc(10)->state == HtlcState::settled);
    CHECK(ch.htlc(11)->state == HtlcState::failed);
    CHECK(ch.htlc(50) == nullptr);
    CHECK(ch.active_htlcs().size() == 48);
    CHECK(ch.check_conservation().empty());
}

namespace {
// Whether a ledger of type L hands out its peer link caches.
template <class L>
constexpr bool hands_out_links = requires(L& ledger) { ledger.peer_link(0); };
}  // namespace

TEST_CASE("A ledger's peer link caches are reached through a non-const ledger and touch nothing") {
    // A send fills the cache: a const ledger must not hand it out (it once did, through a
    // mutable member).
    static_assert(hands_out_links<ChannelLedger>);
    static_assert(!hands_out_links<const ChannelLedger>);
    std::array<ChannelSide, 2> sides;
    sides[0].node = 0;
    sides[1].node = 1;
    sides[0].balance_msat = 1000000;  // the whole 1,000 sat
    ChannelLedger ch(0, 1000, sides);
    ChannelChanges changes;
    const size_t reader = changes.add_reader(0);
    ch.report_changes_to(&changes);
    std::vector<uint32_t> touched;
    changes.drain(reader, &touched);
    CHECK(touched == std::vector<uint32_t>{0});
    // One cache per side, the same one every time: not channel state, so no re-check.
    CHECK(ch.peer_link(0) != ch.peer_link(1));
    CHECK(ch.peer_link(0) == ch.peer_link(0));
    changes.drain(reader, &touched);
    CHECK(touched.empty());
}
