// When a channel becomes usable: BOLT 2's `minimum_depth` is the fundee's (sent in
// accept_channel), and both sides wait for it, so a channel opens at the fundee's depth
// whatever the funder's own setting (LND SetNumConfsRequired(msg.MinAcceptDepth), LDK and CLN
// take accept_channel's minimum_depth the same way).
#include <catch2/catch.hpp>

#include "tests/lightning/ln_test_util.h"

using namespace ln_test;

namespace {

// Opens a channel from a funder needing `funder_depth` to a fundee needing `fundee_depth`,
// mines one block at a time and returns the confirmations at which the channel was open
// (0: not open after 10 blocks).
uint32_t opened_at(uint32_t funder_depth, uint32_t fundee_depth) {
    World w(11);
    NodeIndex funder =
        w.add("funder", "lnd", ProfileOverrides{.funding_confirmations = funder_depth});
    NodeIndex fundee =
        w.add("fundee", "lnd", ProfileOverrides{.funding_confirmations = fundee_depth});
    ChannelIndex c = w.connect(funder, fundee);
    uint32_t at = 0;
    w.sim.scheduler().spawn("miner", [&] {
        for (uint32_t confs = 1; confs <= 10 && at == 0; ++confs) {
            w.ln.mine_blocks(1, sim::SimDuration::seconds(30));
            if (w.ln.channel(c).status() == ChannelStatus::open) {
                at = confs;
            }
        }
    });
    sim::SimulationResult r = w.sim.run();
    INFO(r.run.message);
    REQUIRE(r.run.ok());
    return at;
}

}  // namespace

TEST_CASE("a channel opens at the fundee's minimum_depth, not the larger of the two",
          "[lightning][actors][open]") {
    // Fundee deeper: N - 1 = 3 confirmations are not enough, 4 are.
    CHECK(opened_at(2, 4) == 4);
    // Funder deeper: the fundee's 2 decide (the larger, 4, was the model's old rule).
    CHECK(opened_at(4, 2) == 2);
    CHECK(opened_at(6, 1) == 1);
    CHECK(opened_at(1, 6) == 6);
}
