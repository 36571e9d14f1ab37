// The invariant checkers (see checkers.h).
#include "actors/federation/checkers.h"

#include "actors/lightning/forwarding.h"
#include "sim/this_actor.h"

namespace actors::federation {

void CheckerHub::report(std::string_view checker, std::string_view event) {
    sim::Scheduler& sched = sim_.scheduler();
    std::string msg = std::string(checker) + " violated at t=" + sim::to_string(sched.now()) +
                      " seed=" + std::to_string(sim_.config().seed) + ": " + std::string(event);
    sched.trace("invariant_violation", sim::TraceLevel::error)
        .field("checker", checker)
        .field("event", event);
    if (violations_.empty()) {
        sched.fail(sim::Outcome::check_failed, msg);
    }
    violations_.push_back(std::move(msg));
}

// Rounds far behind the newest are forgotten, so the map stays small over a long run (a
// crashed or state-synced guardian never reports the rounds it missed).
void RoundFingerprintChecker::forget_old_rounds() {
    constexpr uint64_t k_round_memory = 4096;
    while (rounds_.begin()->first + k_round_memory < rounds_.rbegin()->first) {
        rounds_.erase(rounds_.begin());
    }
}

void RoundFingerprintChecker::on_round(PeerId peer, const Batch& batch,
                                       const FederationState& state,
                                       const std::vector<StateEvent>& events) {
    (void)events;
    const uint64_t fp = state.fingerprint();
    auto [it, inserted] =
        rounds_.emplace(batch.round, Seen{.fingerprint = fp, .first = peer, .reports = 1});
    if (inserted) {
        forget_old_rounds();
        return;
    }
    ++compared_;
    if (++it->second.reports == state.params().quorum.n && it->second.fingerprint == fp) {
        rounds_.erase(it);  // every guardian reported it: done with
        return;
    }
    if (it->second.fingerprint != fp) {
        hub_.report("round_fingerprint",
                    "round " + std::to_string(batch.round) + ": guardian " +
                        std::to_string(peer.value) + " state " + std::to_string(fp) +
                        " differs from guardian " + std::to_string(it->second.first.value) +
                        " state " + std::to_string(it->second.fingerprint));
    }
}

void FederationBooksChecker::on_round(PeerId peer, const Batch& batch,
                                      const FederationState& state,
                                      const std::vector<StateEvent>& events) {
    const uint64_t assets = state.utxo_total_sat() * k_msat_per_sat;
    const uint64_t liabilities = state.mint().outstanding_msat() + state.escrow_msat();
    const std::string where =
        "guardian " + std::to_string(peer.value) + " round " + std::to_string(batch.round);
    if (assets != liabilities) {
        hub_.report("federation_books", where + ": UTXOs " + std::to_string(assets) +
                                            " msat != ecash + escrow " +
                                            std::to_string(liabilities) + " msat");
    }
    for (const StateEvent& e : events) {
        const bool claim = e.kind == StateEventKind::outgoing_claimed ||
                           e.kind == StateEventKind::incoming_claimed;
        const bool refund = e.kind == StateEventKind::outgoing_refunded ||
                            e.kind == StateEventKind::incoming_refunded;
        if (!claim && !refund) {
            continue;
        }
        ContractSeen& seen = contracts_[{peer, e.contract_key}];
        seen.claimed = seen.claimed || claim;
        seen.refunded = seen.refunded || refund;
        if (++seen.issues > 1) {
            hub_.report("ecash_issued_once", where + ": contract " +
                                                 std::to_string(e.contract_key) +
                                                 " issued ecash twice (" + to_string(e.kind) + ")");
        }
        if (seen.claimed && seen.refunded) {
            hub_.report("claimed_xor_refunded", where + ": contract " +
                                                    std::to_string(e.contract_key) +
                                                    " both claimed and refunded");
        }
    }
}

void ChainBackingChecker::on_round(PeerId peer, const Batch& batch, const FederationState& state,
                                   const std::vector<StateEvent>& events) {
    (void)events;
    std::set<chain::Txid> signed_txs;
    for (const chain::Transaction& tx : state.peg_out_txs()) {
        signed_txs.insert(tx.txid());
    }
    for (const auto& [op, value] : state.utxos()) {
        const chain::Coin* coin = canonical_.utxo(op);
        const bool on_chain = coin != nullptr && coin->out.value == value;
        const bool spent_by_us = canonical_.spender_of(op).has_value();
        if (!on_chain && !signed_txs.count(op.txid) && !spent_by_us) {
            hub_.report("chain_backing", "guardian " + std::to_string(peer.value) + " round " +
                                             std::to_string(batch.round) + ": UTXO " +
                                             op.to_string() + " is not on chain");
        }
    }
}

LightningChecker::LightningChecker(CheckerHub& hub, const lightning::LightningNetwork& ln,
                                   LightningCheckerConfig config)
    : hub_(hub), ln_(ln), config_(config) {}

void LightningChecker::start() {
    hub_.sim().scheduler().spawn(
        "checker.lightning",
        [this] {
            while (true) {
                sim::this_actor::sleep_for(config_.period);
                check();
            }
        },
        {.kind = sim::ActorKind::daemon, .node = {}});
}

void LightningChecker::check() {
    std::string conservation = ln_.check_conservation();
    if (!conservation.empty()) {
        hub_.report("channel_conservation", conservation);
    }
    const uint32_t tip = static_cast<uint32_t>(ln_.chain().tip());
    for (lightning::ChannelIndex c = 0; c < ln_.channel_count(); ++c) {
        const lightning::ChannelLedger& ch = ln_.channel(c);
        if (ch.status() != lightning::ChannelStatus::open) {
            continue;
        }
        for (const auto& [id, h] : ch.htlcs()) {
            if (h.state != lightning::HtlcState::committed) {
                continue;
            }
            const uint32_t must = lightning::offered_onchain_height(
                ch.side(h.offerer).profile, h.cltv_expiry);
            if (tip >= must + config_.onchain_slack_blocks) {
                hub_.report("htlc_expiry",
                            "channel " + std::to_string(c) + " htlc " + std::to_string(id) +
                                " expiry " + std::to_string(h.cltv_expiry) + " still off-chain at tip " +
                                std::to_string(tip) + " (profile goes on-chain at " +
                                std::to_string(must) + ")");
                return;
            }
        }
    }
}

const char* to_string(PaymentState s) {
    switch (s) {
        case PaymentState::pending:
            return "pending";
        case PaymentState::succeeded:
            return "succeeded";
        case PaymentState::refunded:
            return "refunded";
        case PaymentState::failed:
            return "failed";
    }
    return "?";
}

void PaymentChecker::started(const std::string& payment) {
    payments_.insert_or_assign(payment, PaymentState::pending);
}

void PaymentChecker::finished(const std::string& payment, PaymentState state) {
    payments_.insert_or_assign(payment, state);
}

void PaymentChecker::faults_healed(sim::SimTime at) { healed_at_ = at; }

void PaymentChecker::gateway_paid(ContractId contract, const OutgoingSnapshot& snapshot,
                                  uint64_t ln_count) {
    gateway_paid_.insert(contract);
    if (snapshot.spent_by == OutgoingSpender::user || snapshot.contract.cancelled ||
        !lnv1_gateway_may_claim(snapshot.contract, ln_count)) {
        hub_.report("gateway_never_loses",
                    "contract " + std::to_string(contract.value) +
                        " paid over Lightning but no longer claimable (count " +
                        std::to_string(ln_count) + ", timelock " +
                        std::to_string(snapshot.contract.timelock) + ")");
    }
}

void PaymentChecker::gateway_claimed(ContractId contract) { gateway_claimed_.insert(contract); }

void PaymentChecker::start() {
    hub_.sim().scheduler().spawn(
        "checker.payments",
        [this] {
            while (true) {
                sim::this_actor::sleep_for(sim::SimDuration::seconds(5));
                if (sim::this_actor::now() < healed_at_ + bound_) {
                    continue;
                }
                for (const auto& [name, state] : payments_) {
                    if (state == PaymentState::pending) {
                        hub_.report("payment_terminal",
                                    "payment " + name + " still pending " +
                                        sim::to_string(bound_) + " after the last fault healed");
                        return;
                    }
                }
            }
        },
        {.kind = sim::ActorKind::daemon, .node = {}});
}

void PaymentChecker::check_final() {
    for (const auto& [name, state] : payments_) {
        if (state == PaymentState::pending) {
            hub_.report("payment_terminal", "payment " + name + " never reached a terminal state");
        }
    }
    for (ContractId c : gateway_paid_) {
        if (gateway_claimed_.count(c) == 0) {
            hub_.report("gateway_never_loses", "contract " + std::to_string(c.value) +
                                                   " paid over Lightning but never claimed");
        }
    }
}

}  // namespace actors::federation
