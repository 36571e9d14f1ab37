// FederationVariants: the historical federation bugs a world can switch on, by name, all off by
// default. Each reproduces one upstream bug at the place it lived; the checkers and the rest of
// the model know nothing about them (docs/federation.md, "Historical-bug knobs").
#pragma once

namespace actors::federation {

struct FederationVariants {
    // fedimint #3063 / #3202 (fixed by #3205), wallet v1 proposal. On a chain whose count is at
    // most finality_delay the wallet votes count.saturating_sub(finality_delay) = 0. The
    // proposal side compared that vote with the guardian's stored vote as an Option (None !=
    // Some(0)), so it kept asking for a round; processing compares against the default 0 and
    // rejects the vote as redundant, so nothing is stored and the next round is asked for at
    // once: rounds are generated without end (one per round_interval) while the chain is short.
    bool vote_zero_livelock = false;
    // fedimint #2773, wallet v1 sync. A fresh federation's consensus count is 0; the fixed code
    // skips the block sync when the old count is 0 (blocks predating the federation). With this
    // on, the first consensus count syncs (fetches) every block from height 0.
    bool sync_from_genesis = false;
};

}  // namespace actors::federation
