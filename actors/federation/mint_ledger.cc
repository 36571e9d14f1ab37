// Per-client ecash balances.
#include "actors/federation/mint_ledger.h"

#include "sim/assert.h"

namespace actors::federation {

std::string_view to_string(MintRejection rejection) {
    switch (rejection) {
        case MintRejection::none:
            return "accepted";
        case MintRejection::zero_amount:
            return "zero amount";
        case MintRejection::insufficient_balance:
            return "insufficient ecash balance";
        case MintRejection::overflow:
            return "balance overflow";
    }
    SIM_UNREACHABLE("unknown MintRejection");
}

MintRejection MintLedger::issue(ClientId client, uint64_t amount_msat) {
    SIM_ASSERT(client.valid());
    if (amount_msat == 0) {
        return MintRejection::zero_amount;
    }
    uint64_t& held = balances_[client];
    if (held > UINT64_MAX - amount_msat || issued_msat_ > UINT64_MAX - amount_msat) {
        return MintRejection::overflow;
    }
    held += amount_msat;
    issued_msat_ += amount_msat;
    check_invariant();
    return MintRejection::none;
}

MintRejection MintLedger::redeem(ClientId client, uint64_t amount_msat) {
    SIM_ASSERT(client.valid());
    if (amount_msat == 0) {
        return MintRejection::zero_amount;
    }
    auto it = balances_.find(client);
    if (it == balances_.end() || it->second < amount_msat) {
        return MintRejection::insufficient_balance;
    }
    it->second -= amount_msat;
    redeemed_msat_ += amount_msat;
    check_invariant();
    return MintRejection::none;
}

MintRejection MintLedger::transfer(ClientId from, ClientId to, uint64_t amount_msat) {
    SIM_ASSERT(from.valid());
    SIM_ASSERT(to.valid());
    if (amount_msat == 0) {
        return MintRejection::zero_amount;
    }
    if (balance(from) < amount_msat) {
        return MintRejection::insufficient_balance;
    }
    if (from == to) {
        return MintRejection::none;
    }
    if (balance(to) > UINT64_MAX - amount_msat) {
        return MintRejection::overflow;
    }
    balances_[from] -= amount_msat;
    balances_[to] += amount_msat;
    check_invariant();
    return MintRejection::none;
}

uint64_t MintLedger::balance(ClientId client) const {
    auto it = balances_.find(client);
    return it == balances_.end() ? 0 : it->second;
}

uint64_t MintLedger::outstanding_msat() const {
    uint64_t sum = 0;
    for (const auto& [client, held] : balances_) {
        SIM_ASSERT(sum <= UINT64_MAX - held);
        sum += held;
    }
    return sum;
}

void MintLedger::check_invariant() const {
    // The full sum is linear in the number of clients, so it is sampled: every 64th change.
    SIM_ASSERT(redeemed_msat_ <= issued_msat_);
    if (++changes_ % 64 == 0) {
        SIM_ASSERT(outstanding_msat() == issued_msat_ - redeemed_msat_);
    }
}

}  // namespace actors::federation
