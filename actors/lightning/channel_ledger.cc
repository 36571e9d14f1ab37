// Channel balances, HTLC bookkeeping and the commitment transaction (see channel_ledger.h).
#include "actors/lightning/channel_ledger.h"

#include <algorithm>

#include "sim/assert.h"

namespace actors::lightning {

const char* to_string(ChannelStatus s) {
    switch (s) {
        case ChannelStatus::opening:
            return "opening";
        case ChannelStatus::open:
            return "open";
        case ChannelStatus::closing:
            return "closing";
        case ChannelStatus::closed:
            return "closed";
    }
    return "?";
}

const char* to_string(HtlcState s) {
    switch (s) {
        case HtlcState::adding:
            return "adding";
        case HtlcState::committed:
            return "committed";
        case HtlcState::fulfilling:
            return "fulfilling";
        case HtlcState::failing:
            return "failing";
        case HtlcState::settled:
            return "settled";
        case HtlcState::failed:
            return "failed";
        case HtlcState::onchain:
            return "onchain";
        case HtlcState::claimed:
            return "claimed";
        case HtlcState::timed_out:
            return "timed_out";
    }
    return "?";
}

bool is_active(HtlcState s) {
    return s == HtlcState::adding || s == HtlcState::committed || s == HtlcState::fulfilling ||
           s == HtlcState::failing;
}

ChannelLedger::ChannelLedger(ChannelIndex index, uint64_t capacity_sat,
                             std::array<ChannelSide, 2> sides)
    : index_(index), capacity_msat_(capacity_sat * 1000), sides_(std::move(sides)) {
    SIM_ASSERT(capacity_sat > 0);
    SIM_ASSERT(sides_[0].node != sides_[1].node);
    SIM_ASSERT(sides_[0].balance_msat + sides_[1].balance_msat == capacity_msat_);
}

int ChannelLedger::side_of(uint32_t node) const {
    if (sides_[0].node == node) {
        return 0;
    }
    return sides_[1].node == node ? 1 : -1;
}

void ChannelLedger::set_open(ShortChannelId scid) {
    touched();
    SIM_ASSERT(status_ == ChannelStatus::opening);
    scid_ = scid;
    status_ = ChannelStatus::open;
    report_activity();
}

uint64_t ChannelLedger::available_msat(int s) const {
    const ChannelSide& me = side(s);
    const uint64_t spendable =
        me.balance_msat > me.reserve_msat ? me.balance_msat - me.reserve_msat : 0;
    const uint64_t limit = side(1 - s).max_in_flight_msat;
    if (limit == std::numeric_limits<uint64_t>::max()) {
        return spendable;
    }
    const uint64_t used = offered_value_msat(s);
    return std::min(spendable, limit > used ? limit - used : 0);
}

uint64_t ChannelLedger::offered_value_msat(int s) const {
    uint64_t total = 0;
    for (const HtlcEntry* h : active_) {
        total += (h->offerer == s && is_active(h->state)) ? h->amount_msat : 0;
    }
    return total;
}

uint32_t ChannelLedger::offered_count(int s) const {
    uint32_t n = 0;
    for (const HtlcEntry* h : active_) {
        n += (h->offerer == s && is_active(h->state)) ? 1 : 0;
    }
    return n;
}

void ChannelLedger::deactivate(const HtlcEntry* h) {
    auto it = std::lower_bound(active_.begin(), active_.end(), h->id,
                               [](const HtlcEntry* a, uint64_t id) { return a->id < id; });
    SIM_ASSERT(it != active_.end() && *it == h);
    active_.erase(it);
    report_activity();
}

HtlcEntry& ChannelLedger::add_htlc(int offerer, uint64_t amount_msat, const PaymentHash& hash,
                                   uint32_t cltv_expiry) {
    touched();
    SIM_ASSERT(status_ == ChannelStatus::open);
    SIM_ASSERT(amount_msat > 0);
    SIM_ASSERT(amount_msat <= available_msat(offerer));
    side(offerer).balance_msat -= amount_msat;
    HtlcEntry& h = htlcs_.emplace_back();
    h.id = htlcs_.size() - 1;
    h.offerer = offerer;
    h.amount_msat = amount_msat;
    h.payment_hash = hash;
    h.cltv_expiry = cltv_expiry;
    active_.push_back(&h);  // ids only grow: the index stays in id order
    report_activity();
    return h;
}

HtlcEntry* ChannelLedger::htlc(uint64_t id) {
    touched();
    return id < htlcs_.size() ? &htlcs_[id] : nullptr;
}

void ChannelLedger::settle(uint64_t id) {
    touched();
    HtlcEntry* h = htlc(id);
    SIM_ASSERT(h != nullptr);
    SIM_ASSERT(is_active(h->state));
    side(h->receiver()).balance_msat += h->amount_msat;
    h->state = HtlcState::settled;
    deactivate(h);
}

void ChannelLedger::fail(uint64_t id) {
    touched();
    HtlcEntry* h = htlc(id);
    SIM_ASSERT(h != nullptr);
    SIM_ASSERT(is_active(h->state));
    side(h->offerer).balance_msat += h->amount_msat;
    h->state = HtlcState::failed;
    deactivate(h);
}

chain::Transaction ChannelLedger::close(int closer, const ChainBackend& backend) {
    touched();
    SIM_ASSERT(status_ == ChannelStatus::open || status_ == ChannelStatus::opening);
    SIM_ASSERT(closer == 0 || closer == 1);
    const ChannelSide& local = side(closer);
    const ChannelSide& remote = side(1 - closer);
    chain::Transaction tx;
    tx.memo = "commitment:" + std::to_string(index_) + ":" + local.key;
    tx.inputs.push_back(chain::TxIn{funding, chain::k_sequence_default,
                                    chain::MultisigSigned{{sides_[0].key, sides_[1].key}}});
    uint64_t out_msat = 0;
    auto add_output = [&](uint64_t msat, chain::SpendCondition cond) -> std::optional<uint32_t> {
        const auto sat = static_cast<chain::Amount>(msat / 1000);
        if (sat == 0) {
            return std::nullopt;  // dust: no output, the value goes to the fee
        }
        tx.outputs.push_back(chain::TxOut{sat, std::move(cond)});
        out_msat += static_cast<uint64_t>(sat) * 1000;
        return static_cast<uint32_t>(tx.outputs.size() - 1);
    };
    // to_local waits for the delay the *remote* side imposed (BOLT 3).
    add_output(local.balance_msat,
               chain::PayToCsvDelayed{local.key, remote.profile.to_self_delay, remote.key});
    add_output(remote.balance_msat, chain::PayToOwner{remote.key});
    for (HtlcEntry* h : active_) {
        if (!is_active(h->state)) {
            continue;
        }
        h->vout = add_output(h->amount_msat,
                             chain::PayToHtlc{backend.hash_lock(h->payment_hash),
                                              side(h->receiver()).key, side(h->offerer).key,
                                              h->cltv_expiry, "", 0});
        h->state = HtlcState::onchain;
        if (!h->vout.has_value()) {
            h->resolved_height = 0;  // trimmed: nothing to resolve on chain
        }
    }
    active_.clear();
    SIM_ASSERT(out_msat <= capacity_msat_);
    rounding_msat_ = capacity_msat_ - out_msat;
    commitment_ = tx;
    commitment_txid_ = tx.txid();
    closer_ = closer;
    status_ = ChannelStatus::closing;
    report_activity();
    return tx;
}

chain::Transaction ChannelLedger::close_cooperatively() {
    touched();
    SIM_ASSERT(status_ == ChannelStatus::open);
    chain::Transaction tx;
    tx.memo = "mutual-close:" + std::to_string(index_);
    tx.inputs.push_back(chain::TxIn{funding, chain::k_sequence_default,
                                    chain::MultisigSigned{{sides_[0].key, sides_[1].key}}});
    uint64_t out_msat = 0;
    for (const ChannelSide& s : sides_) {
        SIM_ASSERT(s.balance_msat <= capacity_msat_);
        const auto sat = static_cast<chain::Amount>(s.balance_msat / 1000);
        if (sat > 0) {
            tx.outputs.push_back(chain::TxOut{sat, chain::PayToOwner{s.key}});
            out_msat += static_cast<uint64_t>(sat) * 1000;
        }
    }
    for (const HtlcEntry* h : active_) {
        SIM_ASSERT_MSG(!is_active(h->state), "cooperative close with an active HTLC");
    }
    rounding_msat_ = capacity_msat_ - out_msat;
    commitment_ = tx;
    commitment_txid_ = tx.txid();
    status_ = ChannelStatus::closing;
    report_activity();
    return tx;
}

std::string ChannelLedger::check_conservation() const {
    // Called for every channel every few simulated seconds: the name is built only for a
    // violation.
    auto name = [this] { return "channel " + std::to_string(index_); };
    if (commitment_txid_.has_value()) {
        uint64_t total = rounding_msat_;
        for (const chain::TxOut& o : commitment_.outputs) {
            total += static_cast<uint64_t>(o.value) * 1000;
        }
        if (total != capacity_msat_) {
            return name() + ": commitment outputs " + std::to_string(total) +
                   " msat != capacity " + std::to_string(capacity_msat_);
        }
        return "";
    }
    uint64_t total = sides_[0].balance_msat + sides_[1].balance_msat;
    for (const HtlcEntry* h : active_) {
        total += is_active(h->state) ? h->amount_msat : 0;
    }
    if (total != capacity_msat_) {
        return name() + ": balances + HTLCs " + std::to_string(total) + " msat != capacity " +
               std::to_string(capacity_msat_);
    }
    return "";
}

}  // namespace actors::lightning
