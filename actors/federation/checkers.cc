// The invariant checkers (see checkers.h).
#include "actors/federation/checkers.h"

#include <algorithm>

#include "actors/lightning/forwarding.h"
#include "sim/assert.h"
#include "sim/this_actor.h"

namespace actors::federation {

void CheckerHub::report(std::string_view checker, std::string_view event,
                        std::string_view subject) {
    // Deduped only when the run keeps going: stop-at-first traces every report of the event
    // that ends the run, as it did before keep_going existed, so its fingerprints stay put.
    if (sim_.config().keep_going &&
        !reported_.emplace(std::string(checker), std::string(subject)).second) {
        return;  // reported before: the same violation, seen again
    }
    sim::Scheduler& sched = sim_.scheduler();
    std::string msg = std::string(checker) + std::string(k_violation_marker) + " at t=" +
                      sim::to_string(sched.now()) +
                      " seed=" + std::to_string(sim_.config().seed) + ": " + std::string(event);
    sched.trace("invariant_violation", sim::TraceLevel::error)
        .field("checker", checker)
        .field("event", event);
    // After the first, a no-op unless the run keeps going (the first failure wins).
    sched.fail(sim::Outcome::check_failed, msg, checker);
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
                        " state " + std::to_string(it->second.fingerprint),
                    // Per pair of guardians: diverged states stay diverged round after round
                    // (either may apply a round first); another guardian diverging is new.
                    "guardians " + std::to_string(std::min(peer.value, it->second.first.value)) +
                        " and " + std::to_string(std::max(peer.value, it->second.first.value)));
    }
}

void FederationBooksChecker::on_round(PeerId peer, const Batch& batch,
                                      const FederationState& state,
                                      const std::vector<StateEvent>& events) {
    const uint64_t assets = state.utxo_total_sat() * k_msat_per_sat;
    const uint64_t liabilities = state.mint().outstanding_msat() + state.escrow_msat();
    // Built only for a report: this runs for every guardian on every round.
    const auto where = [&] {
        return "guardian " + std::to_string(peer.value) + " round " + std::to_string(batch.round);
    };
    if (assets != liabilities) {
        hub_.report("federation_books", where() + ": UTXOs " + std::to_string(assets) +
                                              " msat != ecash + escrow " +
                                              std::to_string(liabilities) + " msat",
                    // Per imbalance: every later round of every guardian repeats an unchanged
                    // one; a new difference is a new violation.
                    assets > liabilities
                        ? "UTXOs exceed ecash + escrow by " + std::to_string(assets - liabilities)
                        : "ecash + escrow exceed UTXOs by " + std::to_string(liabilities - assets));
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
        const std::string key = std::to_string(e.contract_key);  // reached by claims, refunds
        if (++seen.issues > 1) {
            hub_.report("ecash_issued_once",
                        where() + ": contract " + key + " issued ecash twice (" +
                            to_string(e.kind) + ")",
                        key);  // each contract once, not per guardian
        }
        if (seen.claimed && seen.refunded) {
            hub_.report("claimed_xor_refunded",
                        where() + ": contract " + key + " both claimed and refunded", key);
        }
    }
}

void ChainBackingChecker::on_round(PeerId peer, const Batch& batch, const FederationState& state,
                                   const std::vector<StateEvent>& events) {
    (void)events;
    check(peer, batch.round, state.utxos(), state.peg_out_txs());
}

void ChainBackingChecker::check(PeerId peer, uint64_t round,
                                const std::map<chain::OutPoint, chain::Amount>& utxos,
                                const std::vector<chain::Transaction>& peg_out_txs) {
    const chain::BlockHash& tip = canonical_.tip().hash;
    if (backed_at_tip_ == tip && backed_utxos_ == utxos) {
        return;  // this set passed at this tip already, on the chain alone
    }
    bool chain_alone = true;
    std::optional<std::set<chain::Txid>> signed_txs;  // built only if the chain falls short
    for (const auto& [op, value] : utxos) {
        const chain::Coin* coin = canonical_.utxo(op);
        const bool on_chain = coin != nullptr && coin->out.value == value;
        if (on_chain || canonical_.spender_of(op).has_value()) {
            continue;
        }
        chain_alone = false;
        if (!signed_txs.has_value()) {
            signed_txs.emplace();
            for (const chain::Transaction& tx : peg_out_txs) {
                signed_txs->insert(tx.txid());
            }
        }
        if (signed_txs->count(op.txid) == 0) {
            hub_.report("chain_backing", "guardian " + std::to_string(peer.value) + " round " +
                                             std::to_string(round) + ": UTXO " +
                                             op.to_string() + " is not on chain",
                        op.to_string());  // each UTXO once, not per guardian and round
        }
    }
    if (chain_alone) {
        backed_at_tip_ = tip;
        backed_utxos_ = utxos;
    }
}

LightningChecker::LightningChecker(CheckerHub& hub, const lightning::LightningNetwork& ln,
                                   LightningCheckerConfig config)
    : hub_(hub), ln_(ln), config_(config), reader_(ln.watch_channel_changes()) {}

void LightningChecker::start() {
    hub_.sim().scheduler().spawn(
        "checker.lightning",
        [this] {
            while (true) {
                sim::this_actor::sleep_for(config_.period);
                check_pass();
            }
        },
        {.kind = sim::ActorKind::daemon, .node = {}});
}

void LightningChecker::check() { report(walk_all()); }

// The incremental pass is exact if every write to a ledger's balances, HTLCs, status, profiles
// or commitment reaches ChannelChanges before this pass runs (see channel_changes.h for why it
// does). A write through a reference kept across a blocking call would slip past it until the
// channel is touched again; the periodic full walk (and the full walk at the end of a run)
// bound how long such a miss could go unreported, at a cost of channels per hour.
void LightningChecker::check_pass() {
    ++passes_;
    const Findings touched = walk_touched();
    if (config_.verify_incremental) {
        SIM_ASSERT_MSG(touched == walk_all(),
                       "the incremental Lightning check disagrees with the full walk");
    }
    if (config_.full_walk_every != 0 && passes_ % config_.full_walk_every == 0) {
        report(walk_all());
        return;
    }
    report(touched);
}

void LightningChecker::report(const Findings& f) {
    // A pass every few seconds repeats an ongoing violation: keyed by what makes one distinct.
    if (!f.conservation.empty()) {
        // The text is the channel and its imbalance (no tip or time in it).
        hub_.report("channel_conservation", f.conservation);
    }
    if (!f.expiry.empty()) {
        // The text moves with the tip: keyed by the channel and HTLC.
        hub_.report("htlc_expiry", f.expiry, f.expiry_subject);
    }
}

// The first committed HTLC of channel c, in id order, that is still off-chain past its
// profile's go-on-chain height plus the slack (unsigned arithmetic, as ever).
std::string LightningChecker::late_htlc(lightning::ChannelIndex c, uint32_t tip,
                                        std::string* subject) const {
    const lightning::ChannelLedger& ch = ln_.channel(c);
    // Committed is an active state: the ledger's active index holds every such HTLC, in id order.
    for (const lightning::HtlcEntry* hp : ch.active_htlcs()) {
        const lightning::HtlcEntry& h = *hp;
        if (h.state != lightning::HtlcState::committed) {
            continue;
        }
        const uint32_t must =
            lightning::offered_onchain_height(ch.side(h.offerer).profile, h.cltv_expiry);
        if (tip >= must + config_.onchain_slack_blocks) {
            *subject = "channel " + std::to_string(c) + " htlc " + std::to_string(h.id);
            return *subject + " expiry " + std::to_string(h.cltv_expiry) +
                   " still off-chain at tip " +
                   std::to_string(tip) + " (profile goes on-chain at " + std::to_string(must) +
                   ")";
        }
    }
    return "";
}

LightningChecker::Findings LightningChecker::walk_all() const {
    Findings f;
    f.conservation = ln_.check_conservation();
    const uint32_t tip = static_cast<uint32_t>(ln_.chain().tip());
    for (lightning::ChannelIndex c = 0; c < ln_.channel_count(); ++c) {
        if (ln_.channel(c).status() == lightning::ChannelStatus::open) {
            f.expiry = late_htlc(c, tip, &f.expiry_subject);
            if (!f.expiry.empty()) {
                break;
            }
        }
    }
    return f;
}

// Channel c changed: whether its identity fails, and the lowest tip at which one of its
// committed HTLCs is late. A channel is late at tip t iff some HTLC has t >= must + slack, i.e.
// iff t >= the minimum of (must + slack) over its committed HTLCs.
void LightningChecker::refresh(lightning::ChannelIndex c) {
    const lightning::ChannelLedger& ch = ln_.channel(c);
    if (ch.check_conservation().empty()) {
        unbalanced_.erase(c);
    } else {
        unbalanced_.insert(c);
    }
    std::optional<uint32_t> late_at;
    if (ch.status() == lightning::ChannelStatus::open) {
        for (const lightning::HtlcEntry* hp : ch.active_htlcs()) {
            const lightning::HtlcEntry& h = *hp;
            if (h.state != lightning::HtlcState::committed) {
                continue;
            }
            const uint32_t at =
                lightning::offered_onchain_height(ch.side(h.offerer).profile, h.cltv_expiry) +
                config_.onchain_slack_blocks;
            late_at = late_at.has_value() ? std::min(*late_at, at) : at;
        }
    }
    if (late_at_of_.size() <= c) {
        late_at_of_.resize(static_cast<size_t>(c) + 1);
    }
    std::optional<uint32_t>& entry = late_at_of_[c];
    if (entry == late_at) {
        return;
    }
    if (entry.has_value()) {
        late_at_.erase({*entry, c});
    }
    if (late_at.has_value()) {
        late_at_.insert({*late_at, c});
    }
    entry = late_at;
}

LightningChecker::Findings LightningChecker::walk_touched() {
    ln_.take_channel_changes(reader_, &touched_);
    for (lightning::ChannelIndex c : touched_) {
        refresh(c);
    }
    Findings f;
    if (!unbalanced_.empty()) {
        f.conservation = ln_.channel(*unbalanced_.begin()).check_conservation();
    }
    // The full walk reports the lowest-index late channel.
    const uint32_t tip = static_cast<uint32_t>(ln_.chain().tip());
    std::optional<lightning::ChannelIndex> first;
    for (const auto& [at, c] : late_at_) {
        if (at > tip) {
            break;
        }
        first = first.has_value() ? std::min(*first, c) : c;
    }
    if (first.has_value()) {
        f.expiry = late_htlc(*first, tip, &f.expiry_subject);
        SIM_ASSERT(!f.expiry.empty());
    }
    return f;
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
    pending_.insert(payment);
}

void PaymentChecker::finished(const std::string& payment, PaymentState state) {
    payments_.insert_or_assign(payment, state);
    if (state == PaymentState::pending) {
        pending_.insert(payment);
    } else {
        pending_.erase(payment);
    }
}

void PaymentChecker::faults_healed(sim::SimTime at) { healed_at_ = at; }

void PaymentChecker::funded(const std::string& payment, ContractId contract, uint64_t timelock) {
    funded_.insert_or_assign(payment, Funded{.contract = contract, .timelock = timelock});
}

void PaymentChecker::gateway_asked(ContractId contract) { gateway_asked_.insert(contract); }

void PaymentChecker::receive_unfunded(const std::string& payment, const PaymentHash& hash,
                                      sim::NodeId client_node, int64_t excused_until_unix,
                                      sim::SimDuration slack) {
    receives_unfunded_.insert_or_assign(
        payment, UnfundedReceive{.hash = hash,
                                 .client_node = client_node,
                                 .excused_until_unix = excused_until_unix,
                                 .slack = slack});
}

void PaymentChecker::receive_funded(const std::string& payment) {
    receives_unfunded_.erase(payment);
}

bool PaymentChecker::awaits_timelock(const std::string& payment, uint64_t count) const {
    auto it = funded_.find(payment);
    return ln_count_ && it != funded_.end() && gateway_asked_.count(it->second.contract) == 0 &&
           count < it->second.timelock + 1;
}

bool PaymentChecker::receive_excused(const std::string& payment, sim::SimTime now) const {
    auto it = receives_unfunded_.find(payment);
    if (it == receives_unfunded_.end()) {
        return false;
    }
    const UnfundedReceive& r = it->second;
    if (incoming_funded_ && incoming_funded_(r.hash)) {
        return false;  // funded in consensus (it stays there): owed an end like any payment
    }
    // The client's clock `slack` ago: a receive ends at most `slack` (sim time) after its
    // client's clock passed the mark.
    const int64_t client_unix = hub_.sim().clocks().unix_seconds(r.client_node, now - r.slack);
    return client_unix < r.excused_until_unix;
}

std::string PaymentChecker::overdue(const std::string& payment, sim::SimTime now,
                                    uint64_t count) {
    if (receive_excused(payment, now)) {
        return {};  // upstream-intended: an unfunded receive waits for its invoice's expiry
    }
    auto it = funded_.find(payment);
    const bool unasked = ln_count_ && it != funded_.end() &&
                         gateway_asked_.count(it->second.contract) == 0;
    if (!unasked) {
        return now >= healed_at_ + bound_ ? sim::to_string(bound_) + " after the last fault healed"
                                          : std::string();
    }
    Funded& f = it->second;
    if (count >= f.timelock + 1 && f.refundable_since.is_never()) {
        f.refundable_since = now;
    }
    if (f.refundable_since.is_never()) {
        return {};  // upstream-intended: the gateway was never asked, the timelock is ahead
    }
    const sim::SimTime due = std::max(healed_at_, f.refundable_since) + bound_;
    return now >= due ? sim::to_string(bound_) + " after the agreed count passed timelock " +
                            std::to_string(f.timelock) + " (the gateway was never asked)"
                      : std::string();
}

void PaymentChecker::gateway_paid(ContractId contract, const OutgoingSnapshot& snapshot,
                                  uint64_t ln_count) {
    gateway_paid_.insert(contract);
    if (snapshot.spent_by == OutgoingSpender::user || snapshot.contract.cancelled ||
        !lnv1_gateway_may_claim(snapshot.contract, ln_count)) {
        hub_.report("gateway_never_loses",
                    "contract " + std::to_string(contract.value) +
                        " paid over Lightning but no longer claimable (count " +
                        std::to_string(ln_count) + ", timelock " +
                        std::to_string(snapshot.contract.timelock) + ")",
                    "contract " + std::to_string(contract.value));
    }
}

void PaymentChecker::gateway_claimed(ContractId contract) { gateway_claimed_.insert(contract); }

void PaymentChecker::start() {
    hub_.sim().scheduler().spawn(
        "checker.payments",
        [this] {
            while (true) {
                sim::this_actor::sleep_for(sim::SimDuration::seconds(5));
                const sim::SimTime now = sim::this_actor::now();
                const uint64_t count = ln_count_ ? ln_count_() : 0;
                for (const std::string& name : pending_) {
                    // started() and finished() keep pending_ and payments_ in step.
                    SIM_ASSERT(payments_.at(name) == PaymentState::pending);
                    const std::string why = overdue(name, now, count);
                    if (!why.empty()) {
                        hub_.report("payment_terminal",
                                    "payment " + name + " still pending " + why, name);
                        return;
                    }
                }
            }
        },
        {.kind = sim::ActorKind::daemon, .node = {}});
}

void PaymentChecker::check_final() {
    const uint64_t count = ln_count_ ? ln_count_() : 0;
    const sim::SimTime now = hub_.sim().scheduler().now();
    for (const auto& [name, state] : payments_) {
        if (state == PaymentState::pending && !awaits_timelock(name, count) &&
            !receive_excused(name, now)) {
            hub_.report("payment_terminal", "payment " + name + " never reached a terminal state",
                        name);  // once: the watcher may have found it overdue already
        }
    }
    for (ContractId c : gateway_paid_) {
        if (gateway_claimed_.count(c) == 0) {
            hub_.report("gateway_never_loses",
                        "contract " + std::to_string(c.value) +
                            " paid over Lightning but never claimed",
                        "contract " + std::to_string(c.value));  // once with gateway_paid's
        }
    }
}

}  // namespace actors::federation
