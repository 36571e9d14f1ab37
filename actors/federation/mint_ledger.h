// The mint modelled as ecash balances per client.
//
// Real Fedimint issues blind-signed bearer notes; the simulator only needs who holds how much,
// so the mint is a ledger keyed by a dense client id. Issuance comes from funded outputs
// (peg-ins, incoming Lightning contracts), redemption pays for inputs (peg-outs, outgoing
// contracts). The invariant checked after every change: the balances sum to issued - redeemed.
#pragma once

#include <cstdint>
#include <map>
#include <string_view>

#include "sim/ids.h"

namespace actors::federation {

struct ClientTag {};
using ClientId = sim::Id<ClientTag>;

enum class MintRejection {
    none,
    zero_amount,
    insufficient_balance,
    overflow,  // the credit would not fit in 64 bits.
};

std::string_view to_string(MintRejection rejection);

class MintLedger {
public:
    MintRejection issue(ClientId client, uint64_t amount_msat);
    MintRejection redeem(ClientId client, uint64_t amount_msat);
    // Moves ecash between clients (an out-of-band note transfer); all or nothing.
    MintRejection transfer(ClientId from, ClientId to, uint64_t amount_msat);

    uint64_t balance(ClientId client) const;
    uint64_t total_issued_msat() const { return issued_msat_; }
    uint64_t total_redeemed_msat() const { return redeemed_msat_; }
    // Sum of balances; equals issued - redeemed.
    uint64_t outstanding_msat() const;

private:
    void check_invariant() const;

    std::map<ClientId, uint64_t> balances_;  // ordered: iteration is deterministic.
    uint64_t issued_msat_ = 0;
    uint64_t redeemed_msat_ = 0;
    mutable uint64_t changes_ = 0;  // drives the sampled full invariant check.
};

}  // namespace actors::federation
