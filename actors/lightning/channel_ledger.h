// ChannelLedger: one channel's agreed state — capacity, both balances, reserves, policies and
// every HTLC with its state — and, once closed, where the value went on chain.
//
// Value accounting is explicit so a checker can prove conservation at any instant:
//   open:    balance[0] + balance[1] + sum(active HTLC amounts) == capacity
//   closed:  sum(commitment outputs) * 1000 + rounding_msat == capacity
// An offered HTLC leaves the offerer's balance when it is added and lands in the receiver's
// balance (settled) or back in the offerer's (failed) when the resolution is locked in. Both
// node actors of the channel mutate the one ledger, each at the moment its side of the
// protocol would (see lightning_node.h); neither reads the other's private state.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "actors/chain/transaction.h"
#include "actors/lightning/chain_backend.h"
#include "actors/lightning/channel_changes.h"
#include "actors/lightning/invoice.h"
#include "actors/lightning/policy.h"
#include "actors/lightning/profile.h"
#include "sim/ids.h"
#include "sim/network.h"  // peer_links_ holds Network::LinkCache, a nested class: no forward decl

namespace actors::lightning {

using ChannelIndex = uint32_t;

enum class ChannelStatus : uint8_t {
    opening,  // funding broadcast, waiting for confirmations / channel_ready
    open,
    closing,  // commitment broadcast, not yet confirmed
    closed,   // commitment confirmed; HTLC outputs may still be resolving
};
const char* to_string(ChannelStatus s);

enum class HtlcState : uint8_t {
    adding,      // update_add_htlc sent, not yet irrevocably committed
    committed,   // locked in on both sides
    fulfilling,  // update_fulfill_htlc sent, settlement not yet locked in
    failing,     // update_fail_htlc sent, not yet locked in
    settled,     // paid to the receiver off-chain
    failed,      // returned to the offerer off-chain
    onchain,     // an output of the commitment transaction, unresolved
    claimed,     // HTLC-success confirmed: the receiver has it on chain
    timed_out,   // HTLC-timeout confirmed: the offerer has it back on chain
};
const char* to_string(HtlcState s);
// Still holding value inside the channel (not settled or failed off-chain).
bool is_active(HtlcState s);

struct HtlcEntry {
    uint64_t id = 0;
    int offerer = 0;  // side 0 or 1
    uint64_t amount_msat = 0;
    PaymentHash payment_hash{};
    uint32_t cltv_expiry = 0;
    HtlcState state = HtlcState::adding;
    std::optional<Preimage> preimage;  // once either side has revealed it
    // On chain: the commitment output, whether each side broadcast its spend, the resolution.
    std::optional<uint32_t> vout;
    bool timeout_broadcast = false;
    bool success_broadcast = false;
    std::optional<int64_t> resolved_height;
    int receiver() const { return 1 - offerer; }
};

struct ChannelSide {
    uint32_t node = 0;        // NodeIndex of the endpoint
    sim::NodeId net;          // its address on the virtual network
    std::string key;          // its on-chain key name (the node alias)
    Profile profile;          // the node's profile with this channel's overrides applied
    ChannelPolicy policy;     // what this side charges for HTLCs it forwards over the channel
    uint64_t balance_msat = 0;
    uint64_t reserve_msat = 0;  // what the *other* side requires this side to keep
    // This side's max_htlc_value_in_flight_msat: the most the other side may have in HTLCs
    // offered to this one at once (BOLT 2); UINT64_MAX when unlimited.
    uint64_t max_in_flight_msat = std::numeric_limits<uint64_t>::max();
    bool ready = false;         // sent channel_ready
};

// Which channels have work on a new block (opening, on chain, or with HTLCs in flight), one
// byte per channel, so a node's per-block walk skips idle channels without reading their
// ledgers. A channel it has not heard of counts as busy. Per node, how many of the channels it
// is an end of are busy: a node with none skips its walk (at any block almost every node has
// none, and the walk touched every channel end in the network, about 100,000 at 10,000 nodes).
class ChannelActivity {
public:
    // Channel c, whose ends are nodes a and b, is busy or not.
    void set(ChannelIndex c, uint32_t a, uint32_t b, bool busy) {
        if (busy_.size() <= c) {
            busy_.resize(static_cast<size_t>(c) + 1, k_unheard);
        }
        const uint8_t before = busy_[c];
        busy_[c] = busy ? 1 : 0;
        if (before == busy_[c]) {
            return;
        }
        if (before == 1) {
            count(a, -1);
            count(b, -1);
        }
        if (busy) {
            count(a, 1);
            count(b, 1);
        }
    }
    bool busy(ChannelIndex c) const { return c >= busy_.size() || busy_[c] != 0; }
    // False only if every channel of n that reported is idle: callers walk only channels that
    // reported (LightningNetwork reports each before attaching it to its nodes).
    bool node_busy(uint32_t n) const { return n < busy_ends_.size() && busy_ends_[n] != 0; }

private:
    static constexpr uint8_t k_unheard = 2;  // busy, and not counted in busy_ends_
    void count(uint32_t n, int delta) {
        if (busy_ends_.size() <= n) {
            busy_ends_.resize(static_cast<size_t>(n) + 1, 0);
        }
        busy_ends_[n] = static_cast<uint32_t>(static_cast<int64_t>(busy_ends_[n]) + delta);
    }

    std::vector<uint8_t> busy_;        // 0 idle, 1 busy, k_unheard
    std::vector<uint32_t> busy_ends_;  // per node: its busy channels
};

class ChannelLedger {
public:
    ChannelLedger(ChannelIndex index, uint64_t capacity_sat, std::array<ChannelSide, 2> sides);
    // The active index points into the HTLC map: a copy would point into the original's.
    ChannelLedger(const ChannelLedger&) = delete;
    ChannelLedger& operator=(const ChannelLedger&) = delete;

    ChannelIndex index() const { return index_; }
    uint64_t capacity_msat() const { return capacity_msat_; }
    ChannelStatus status() const { return status_; }
    ShortChannelId scid() const { return scid_; }
    const ChannelSide& side(int s) const { return sides_.at(static_cast<size_t>(s)); }
    ChannelSide& side(int s) {
        touched();
        return sides_.at(static_cast<size_t>(s));
    }
    // 0 or 1 for an endpoint node, -1 otherwise.
    int side_of(uint32_t node) const;

    // --- Opening -------------------------------------------------------------------------
    chain::OutPoint funding;
    uint32_t required_confirmations = 1;
    bool announce = true;
    void set_open(ShortChannelId scid);

    // --- HTLCs ---------------------------------------------------------------------------
    // Spendable by `s` for a new HTLC: its balance above its reserve, and no more than the
    // room left under the other side's max_htlc_value_in_flight_msat by the HTLCs `s` already
    // has in flight (LDK next_outbound_htlc_limit_msat, LND's link bandwidth, CLN add_htlc's
    // CHANNEL_ERR_MAX_HTLC_VALUE_EXCEEDED).
    uint64_t available_msat(int s) const;
    // Total amount of the active HTLCs offered by `s`.
    uint64_t offered_value_msat(int s) const;
    // Active HTLCs offered by `s`.
    uint32_t offered_count(int s) const;
    // Whether `s` may offer one more HTLC: BOLT 2, an offerer MUST NOT offer more than the
    // receiver's max_accepted_htlcs. The ledger does not enforce it; callers check.
    bool has_htlc_slot(int s) const {
        return offered_count(s) < side(1 - s).profile.max_accepted_htlcs;
    }
    // Adds an HTLC offered by `offerer`, taking the amount from its balance.
    // REQUIRES: open and amount <= available_msat(offerer). Every offerer checks first; an
    // HTLC past the receiver's reserve or in-flight limit is the case where the receiving
    // implementation fails the channel, so here it is a programmer error.
    HtlcEntry& add_htlc(int offerer, uint64_t amount_msat, const PaymentHash& hash,
                        uint32_t cltv_expiry);
    HtlcEntry* htlc(uint64_t id);
    // Every HTLC the channel ever carried, resolved ones included (their preimages and final
    // states stay readable), ascending by id. Ids are handed out 0, 1, 2, ... and never reused,
    // so an HTLC's id is its position: add_htlc appends and htlc(id) indexes, where a tree keyed
    // by id cost a walk of cache misses down a busy hub channel's whole history per HTLC. A
    // deque, because the active index and callers keep pointers to entries across appends.
    const std::deque<HtlcEntry>& htlcs() const { return htlcs_; }
    std::deque<HtlcEntry>& htlcs() {
        touched();
        return htlcs_;
    }
    // Every HTLC whose state is_active, ascending by id: what per-block and per-pass walks need,
    // so their cost follows the HTLCs in flight, not the channel's history. An HTLC enters the
    // index when added and leaves it through settle, fail or close, the only ledger calls that
    // end an active state (the protocol's other moves, adding -> committed ->
    // fulfilling/failing, stay inside the active states). A caller that writes a state through
    // htlcs() can leave an inactive entry here, so walks still test is_active.
    std::span<const HtlcEntry* const> active_htlcs() const { return {active_.data(), active_.size()}; }
    // Off-chain resolution, locked in: to the receiver's balance / back to the offerer's.
    void settle(uint64_t id);
    void fail(uint64_t id);

    // Where side s's node keeps its network link to the other side's (see
    // sim::Network::LinkCache): every peer message of the channel goes over one of the two.
    // A send fills it, so it is reached through a non-const ledger; but it is not channel
    // state, so reaching it touches nothing (checkers have nothing to re-check).
    sim::Network::LinkCache* peer_link(int s) { return &peer_links_.at(static_cast<size_t>(s)); }

    // The sequence number of the next update `s` sends over this channel (its own counter, so
    // duplicated messages can be recognised). Only side s's node calls this for s.
    uint64_t take_update_seq(int s) { return next_update_seq_.at(static_cast<size_t>(s))++; }

    // --- Closing -------------------------------------------------------------------------
    // Builds the commitment `closer` broadcasts: to_local (CSV-delayed by the other side's
    // to_self_delay), to_remote, one PayToHtlc per active HTLC. Marks those HTLCs on chain.
    chain::Transaction close(int closer, const ChainBackend& backend);
    // The mutual close (BOLT 2 closing_signed): each balance to a plain output, no delays.
    // REQUIRES: no active HTLC.
    chain::Transaction close_cooperatively();
    // Set by shutdown: no new HTLC may be added.
    bool shutting_down = false;
    // The side that force-closed; empty for a cooperative close.
    std::optional<int> closer() const { return closer_; }
    const std::optional<chain::Txid>& commitment_txid() const { return commitment_txid_; }
    const chain::Transaction& commitment() const { return commitment_; }
    void set_closed() {
        touched();
        status_ = ChannelStatus::closed;
        report_activity();
    }
    // msat lost to whole-satoshi rounding of the commitment outputs.
    uint64_t rounding_msat() const { return rounding_msat_; }

    // Empty when the accounting identity holds; otherwise what is wrong.
    std::string check_conservation() const;

    // Every non-const member from now on touches this channel in `changes` (see
    // channel_changes.h): checkers re-check only touched channels.
    void report_changes_to(ChannelChanges* changes) {
        changes_ = changes;
        touched();
    }
    // From now on keeps `activity` told whether this channel is idle: open with no HTLC in the
    // active index (every status change and every change of that index reports).
    void report_activity_to(ChannelActivity* activity) {
        activity_ = activity;
        report_activity();
    }

private:
    void deactivate(const HtlcEntry* h);
    void report_activity() {
        if (activity_ != nullptr) {
            activity_->set(index_, sides_[0].node, sides_[1].node,
                           status_ != ChannelStatus::open || !active_.empty());
        }
    }
    void touched() {
        if (changes_ != nullptr) {
            changes_->touch(index_);
        }
    }

    ChannelIndex index_;
    uint64_t capacity_msat_;
    std::array<ChannelSide, 2> sides_;
    ChannelStatus status_ = ChannelStatus::opening;
    ShortChannelId scid_;
    std::deque<HtlcEntry> htlcs_;     // htlcs_[id].id == id
    std::vector<HtlcEntry*> active_;  // entries of htlcs_ in active states, ascending by id
    std::array<uint64_t, 2> next_update_seq_{};
    std::array<sim::Network::LinkCache, 2> peer_links_{};
    std::optional<int> closer_;
    std::optional<chain::Txid> commitment_txid_;
    chain::Transaction commitment_;
    uint64_t rounding_msat_ = 0;
    ChannelChanges* changes_ = nullptr;
    ChannelActivity* activity_ = nullptr;
};

}  // namespace actors::lightning
