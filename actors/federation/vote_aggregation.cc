// Vote proposal, acceptance and aggregation rules for the wallet, LNv1 and LNv2 modules.
#include "actors/federation/vote_aggregation.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <utility>

namespace actors::federation {

std::string_view to_string(VoteRule rule) {
    switch (rule) {
        case VoteRule::wallet_v1:
            return "wallet_v1";
        case VoteRule::ln_v1:
            return "ln_v1";
        case VoteRule::ln_v2:
            return "ln_v2";
    }
    SIM_UNREACHABLE("unknown VoteRule");
}

namespace {

// Pads with zeros to `padded_count`, sorts ascending and returns the element at `index`.
// Padding is how both v1 modules treat a peer that never voted: as a vote of 0. Like the other
// *_in_place folds below it works on the caller's vector and leaves it padded and sorted, so
// VoteBook::submit can reuse one buffer for every accepted vote.
uint64_t padded_pick(std::vector<uint64_t>& votes, uint64_t padded_count, uint64_t index) {
    SIM_ASSERT(votes.size() <= padded_count);
    SIM_ASSERT(index < padded_count);
    votes.resize(padded_count, 0);
    std::sort(votes.begin(), votes.end());
    return votes[index];
}

uint64_t wallet_v1_in_place(std::vector<uint64_t>& votes, const Quorum& quorum) {
    SIM_ASSERT(quorum.n >= 1);
    return padded_pick(votes, quorum.n, quorum.n / 2);
}

uint64_t ln_v1_in_place(std::vector<uint64_t>& votes, const Quorum& quorum) {
    uint64_t padded = ln_v1_padded_count(quorum);
    return padded_pick(votes, padded, padded / 2);
}

uint64_t threshold_highest_in_place(std::vector<uint64_t>& votes, const Quorum& quorum) {
    SIM_ASSERT(quorum.t >= 1);
    SIM_ASSERT(votes.size() <= quorum.n);
    if (votes.size() < quorum.t) {
        return 0;
    }
    std::sort(votes.begin(), votes.end(), std::greater<>());
    return votes[quorum.t - 1];
}

uint64_t aggregate_in_place(VoteRule rule, std::vector<uint64_t>& votes, const Quorum& quorum) {
    switch (rule) {
        case VoteRule::wallet_v1:
            return wallet_v1_in_place(votes, quorum);
        case VoteRule::ln_v1:
            return ln_v1_in_place(votes, quorum);
        case VoteRule::ln_v2:
            return threshold_highest_in_place(votes, quorum);
    }
    SIM_UNREACHABLE("unknown VoteRule");
}

}  // namespace

uint64_t ln_v1_padded_count(const Quorum& quorum) {
    SIM_ASSERT(quorum.t >= 1);
    uint64_t padded = 3 * (quorum.t / 2) + 1;
    // With t = n - floor((n-1)/3) the padded length never falls below n, so the module's
    // `assert!(counts.len() <= peer_count)` cannot fire for honest configurations.
    SIM_ASSERT(padded >= quorum.n);
    return padded;
}

uint64_t aggregate_wallet_v1(std::vector<uint64_t> votes, const Quorum& quorum) {
    return wallet_v1_in_place(votes, quorum);
}

uint64_t aggregate_ln_v1(std::vector<uint64_t> votes, const Quorum& quorum) {
    return ln_v1_in_place(votes, quorum);
}

uint64_t aggregate_threshold_highest(std::vector<uint64_t> votes, const Quorum& quorum) {
    return threshold_highest_in_place(votes, quorum);
}

uint64_t aggregate(VoteRule rule, std::vector<uint64_t> votes, const Quorum& quorum) {
    return aggregate_in_place(rule, votes, quorum);
}

std::optional<uint64_t> wallet_v1_proposal(const WalletProposalInput& input) {
    if (!input.local_block_count.has_value()) {
        return std::nullopt;
    }
    uint64_t count = *input.local_block_count;
    uint64_t vote = count > input.finality_delay ? count - input.finality_delay : 0;
    // The cap only applies once a consensus exists; the first vote may jump straight to the tip
    // (and the first sync is skipped anyway, see wallet_rules.h).
    if (input.consensus_block_count != 0) {
        uint64_t cap = input.consensus_block_count + input.round_cap;
        SIM_ASSERT(cap >= input.consensus_block_count);
        vote = std::min(vote, cap);
    }
    return vote;
}

std::optional<uint64_t> ln_v1_proposal(std::optional<uint64_t> local_block_count,
                                       uint64_t consensus_block_count,
                                       const LnV1ProposalOptions& options) {
    if (!local_block_count.has_value()) {
        return std::nullopt;
    }
    if (options.propose_only_on_change && *local_block_count == consensus_block_count) {
        return std::nullopt;
    }
    return local_block_count;
}

std::optional<uint64_t> ln_v2_block_count_proposal(std::optional<uint64_t> local_block_count) {
    return local_block_count;
}

uint64_t shift_vote(uint64_t honest_vote, int64_t offset) {
    constexpr uint64_t k_top = std::numeric_limits<uint64_t>::max();
    if (offset >= 0) {
        uint64_t up = static_cast<uint64_t>(offset);
        return honest_vote > k_top - up ? k_top : honest_vote + up;
    }
    // Negate in unsigned arithmetic so INT64_MIN does not overflow.
    uint64_t down = static_cast<uint64_t>(-(offset + 1)) + 1;
    return honest_vote < down ? 0 : honest_vote - down;
}

std::string_view describe(VoteRule rule, VoteRejection rejection) {
    if (rejection == VoteRejection::none) {
        return "accepted";
    }
    bool decreased = rejection == VoteRejection::decreased;
    switch (rule) {
        case VoteRule::wallet_v1:
            return decreased ? "Block count vote is outdated" : "Block count vote is redundant";
        case VoteRule::ln_v1:
            return decreased ? "Block count vote decreased" : "Block height vote is redundant";
        case VoteRule::ln_v2:
            // LNv2 has a single `ensure!(current < vote)` for both cases.
            return "Block count vote is redundant";
    }
    SIM_UNREACHABLE("unknown VoteRule");
}

VoteRejection check_vote(uint64_t stored_vote, uint64_t vote) {
    if (vote < stored_vote) {
        return VoteRejection::decreased;
    }
    if (vote == stored_vote) {
        return VoteRejection::redundant;
    }
    return VoteRejection::none;
}

bool vote_wants_round(std::optional<uint64_t> stored_vote, uint64_t vote,
                      bool vote_zero_livelock) {
    if (vote_zero_livelock && !stored_vote.has_value()) {
        return true;  // #3063: Some(0) != None, although processing defaults None to 0.
    }
    return check_vote(stored_vote.value_or(0), vote) == VoteRejection::none;
}

VoteBook::VoteBook(Quorum quorum, VoteRule rule)
    : quorum_(quorum), rule_(rule), votes_(static_cast<size_t>(quorum.n)) {
    SIM_ASSERT(quorum.n >= 1);
    SIM_ASSERT(quorum.t == threshold(quorum.n));
    consensus_ = aggregate(rule_, {}, quorum_);
}

VoteOutcome VoteBook::submit(PeerId peer, uint64_t vote) {
    SIM_ASSERT(quorum_.contains(peer));
    std::optional<uint64_t>& slot = votes_[peer.value];
    VoteOutcome outcome;
    outcome.consensus_before = consensus();
    outcome.rejection = check_vote(slot.value_or(0), vote);
    if (outcome.accepted() && slot != vote) {
        slot = vote;
        // One buffer per thread for the stored votes, not a member: a VoteBook is copied for
        // each guardian and round (FederationState::wallet_count_changes), and a member vector
        // would be copied, an allocation, with it. Sharing it is safe only while nothing
        // between clear() and the end of aggregate_in_place yields, traces or calls back: any
        // of those could run another VoteBook's submit, which reuses this buffer.
        thread_local std::vector<uint64_t> stored;
        stored.clear();
        for (const std::optional<uint64_t>& v : votes_) {
            if (v.has_value()) {
                stored.push_back(*v);
            }
        }
        consensus_ = aggregate_in_place(rule_, stored, quorum_);
    }
    outcome.consensus_after = consensus();
    // Each accepted vote only raises one entry, and every rule is monotone in each entry.
    SIM_ASSERT(outcome.consensus_after >= outcome.consensus_before);
    return outcome;
}

uint64_t VoteBook::consensus() const { return consensus_; }

std::optional<uint64_t> VoteBook::vote_of(PeerId peer) const {
    SIM_ASSERT(quorum_.contains(peer));
    return votes_[peer.value];
}

}  // namespace actors::federation
