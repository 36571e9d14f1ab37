// LightningNode: the main task and the peer protocol — updates, their lock-in round trip,
// channel_ready, and the upstream/downstream plumbing every HTLC resolution goes through.
#include "actors/lightning/lightning_node.h"

#include <utility>

#include "actors/lightning/lightning_network.h"
#include "sim/assert.h"
#include "sim/this_actor.h"
#include "sim/waitable.h"

namespace actors::lightning {

namespace this_actor = sim::this_actor;

namespace {

// The first 8 hex digits of a payment hash, as trace records show it, without building the
// 64-digit string first (every HTLC step traces one).
struct ShortHex {
    char chars[8];
    std::string_view view() const { return {chars, sizeof chars}; }
};
ShortHex short_hex(const PaymentHash& h) {
    static constexpr char k_digits[] = "0123456789abcdef";
    ShortHex s;
    for (size_t i = 0; i < 4; ++i) {
        s.chars[2 * i] = k_digits[h[i] >> 4];
        s.chars[2 * i + 1] = k_digits[h[i] & 0xF];
    }
    return s;
}

}  // namespace

LightningNode::LightningNode(LightningNetwork& network, NodeIndex index, std::string alias,
                             Profile profile, sim::NodeId net_id, ViewId view)
    : network_(network),
      wire_(&network.sim().network()),
      index_(index),
      alias_(std::move(alias)),
      profile_(std::move(profile)),
      net_id_(net_id),
      view_(view),
      tip_(static_cast<uint32_t>(network.chain().view_height(view))),
      graph_(network.shared_graph(), index),
      knowledge_(index) {}

int64_t LightningNode::unix_now_ns() const {
    return network_.sim().clocks().unix_ns(net_id_, network_.sim().scheduler().now());
}

int64_t LightningNode::block_time_seen() const {
    const chain::Block* b = network_.chain().chain().block_at(tip());
    return b != nullptr ? b->time : 0;
}

int64_t LightningNode::unix_now() const {
    return network_.sim().clocks().unix_seconds(net_id_, network_.sim().scheduler().now());
}

void LightningNode::start() {
    network_.sim().scheduler().spawn(
        "ln." + alias_, [this] { run(); }, {.kind = sim::ActorKind::daemon, .node = net_id_});
}

void LightningNode::run() {
    sim::Channel<sim::Envelope>& inbox = network_.sim().network().inbox(net_id_);
    sim::Channel<int64_t>& blocks = network_.chain().view_blocks(view_);
    for (;;) {
        int which = sim::select({&blocks, &inbox});
        if (which == 0) {
            std::optional<int64_t> h = blocks.try_recv();
            SIM_ASSERT(h.has_value());
            on_block(static_cast<uint32_t>(*h));
            continue;
        }
        std::optional<sim::Envelope> env = inbox.try_recv();
        if (!env.has_value()) {
            return;  // the inbox was closed: the node is gone
        }
        handle(*env);
    }
}

void LightningNode::handle(const sim::Envelope& env) {
    if (const auto* u = env.as<PeerUpdate>()) {
        on_update(*u);
    } else if (const auto* c = env.as<CommitmentSigned>()) {
        // The update's sender revokes its old state: the update is now irrevocable.
        ChannelLedger& ch = network_.channel(c->channel);
        send_to_peer(ch, "revoke_and_ack", RevokeAndAck{c->channel, c->from_side, c->seq});
    } else if (const auto* r = env.as<RevokeAndAck>()) {
        on_lock_in(*r);
    } else if (const auto* ready = env.as<ChannelReady>()) {
        on_channel_ready(*ready);
    } else if (const auto* shutdown = env.as<Shutdown>()) {
        on_shutdown(*shutdown);
    } else if (const auto* closing = env.as<ClosingSigned>()) {
        on_closing_signed(*closing);
    }
}

int LightningNode::my_side(const ChannelLedger& ch) const {
    int s = ch.side_of(index_);
    SIM_ASSERT(s >= 0);
    return s;
}

void LightningNode::send_update(ChannelLedger& ch, HtlcUpdate update) {
    const int me = my_side(ch);
    uint64_t seq = ch.take_update_seq(me);
    const sim::TraceName kind = std::holds_alternative<UpdateAddHtlc>(update)
                                    ? sim::TraceName("update_add_htlc")
                                : std::holds_alternative<UpdateFulfillHtlc>(update)
                                    ? sim::TraceName("update_fulfill_htlc")
                                    : sim::TraceName("update_fail_htlc");
    send_to_peer(ch, kind, PeerUpdate{ch.index(), me, seq, std::move(update)});
}

void LightningNode::on_update(const PeerUpdate& u) {
    ChannelLedger& ch = network_.channel(u.channel);
    if (const auto* f = std::get_if<UpdateFulfillHtlc>(&u.update)) {
        // The preimage is usable the moment it arrives (BOLT 2): pass it upstream at once.
        HtlcEntry* h = ch.htlc(f->htlc_id);
        if (h != nullptr && payment_hash_of(f->preimage) == h->payment_hash) {
            h->preimage = f->preimage;
            trace_htlc("fulfill_received", ch, *h);
            on_outgoing_resolved(HtlcKey{ch.index(), h->id},
                                 AttemptOutcome{true, f->preimage, h->payment_hash, {}});
        }
    }
    if (ch.status() != ChannelStatus::open) {
        return;  // the channel is on chain: only the chain resolves its HTLCs now
    }
    PendingKey key{u.channel, u.from_side, u.seq};
    if (pending_.count(key) != 0) {
        return;  // a duplicated message
    }
    pending_.emplace(key, u.update);
    send_to_peer(ch, "commitment_signed", CommitmentSigned{u.channel, u.from_side, u.seq});
}

void LightningNode::on_lock_in(const RevokeAndAck& r) {
    auto it = pending_.find(PendingKey{r.channel, r.from_side, r.seq});
    if (it == pending_.end()) {
        return;
    }
    HtlcUpdate update = std::move(it->second);
    pending_.erase(it);
    ChannelLedger& ch = network_.channel(r.channel);
    if (ch.status() != ChannelStatus::open) {
        return;
    }
    if (auto* add = std::get_if<UpdateAddHtlc>(&update)) {
        HtlcEntry* h = ch.htlc(add->htlc_id);
        SIM_ASSERT(h != nullptr);
        if (h->state != HtlcState::adding) {
            return;
        }
        h->state = HtlcState::committed;
        trace_htlc("committed", ch, *h);
        on_htlc_committed(ch, *h, add->onion);
    } else if (auto* ful = std::get_if<UpdateFulfillHtlc>(&update)) {
        HtlcEntry* h = ch.htlc(ful->htlc_id);
        if (h != nullptr && is_active(h->state)) {
            ch.settle(h->id);
            trace_htlc("settled", ch, *h);
        }
    } else if (auto* fail = std::get_if<UpdateFailHtlc>(&update)) {
        HtlcEntry* h = ch.htlc(fail->htlc_id);
        if (h != nullptr && is_active(h->state)) {
            ch.fail(h->id);
            trace_htlc("failed", ch, *h);
            on_outgoing_resolved(HtlcKey{ch.index(), h->id},
                                 AttemptOutcome{false, {}, {}, fail->failure});
        }
    }
}

void LightningNode::on_channel_ready(const ChannelReady& r) {
    ChannelLedger& ch = network_.channel(r.channel);
    ch.side(r.from_side).ready = true;
    maybe_open(ch);
}

uint64_t LightningNode::offer_htlc(ChannelLedger& ch, uint64_t amount, const PaymentHash& hash,
                                   uint32_t expiry, Onion onion) {
    HtlcEntry& h = ch.add_htlc(my_side(ch), amount, hash, expiry);
    trace_htlc("add", ch, h);
    send_update(ch, UpdateAddHtlc{h.id, std::move(onion)});
    return h.id;
}

// Every caller has checked the preimage against `opens` (hashing it once per hop, in
// on_update, settle_hold or resolve_intercepted; an invoice made its hash from it, and on chain
// the HTLC-success witness was checked against the hash lock), so a comparison of hashes
// suffices here: a forward pairs HTLCs of one hash.
void LightningNode::fulfill_incoming(HtlcKey in, const Preimage& preimage,
                                     const PaymentHash& opens) {
    ChannelLedger& ch = network_.channel(in.channel);
    HtlcEntry* h = ch.htlc(in.id);
    SIM_ASSERT(h != nullptr);
    SIM_ASSERT(opens == h->payment_hash);
    held_.erase(in);
    h->preimage = preimage;
    if (h->state == HtlcState::committed && ch.status() == ChannelStatus::open) {
        h->state = HtlcState::fulfilling;
        trace_htlc("fulfill", ch, *h);
        send_update(ch, UpdateFulfillHtlc{h->id, preimage});
    }
    // On chain, the known preimage makes resolve_onchain claim the output.
}

void LightningNode::fail_incoming(HtlcKey in, const HtlcFailure& failure) {
    ChannelLedger& ch = network_.channel(in.channel);
    HtlcEntry* h = ch.htlc(in.id);
    SIM_ASSERT(h != nullptr);
    held_.erase(in);
    if (h->state == HtlcState::committed && ch.status() == ChannelStatus::open) {
        h->state = HtlcState::failing;
        trace_htlc("fail", ch, *h);
        this_actor::trace("htlc_fail_reason")
            .field("node", alias_)
            .field("code", to_string(failure.code))
            .field("reason", failure.reason);
        send_update(ch, UpdateFailHtlc{h->id, failure});
    }
}

void LightningNode::on_outgoing_resolved(HtlcKey out, const AttemptOutcome& outcome) {
    if (auto fw = forwards_.find(out); fw != forwards_.end()) {
        HtlcKey in = fw->second;
        forwards_.erase(fw);
        if (outcome.success) {
            fulfill_incoming(in, outcome.preimage, outcome.opens);
        } else {
            fail_incoming(in, outcome.failure);
        }
        return;
    }
    if (auto p = payments_.find(out); p != payments_.end()) {
        bool sent = p->second->try_send(outcome);
        SIM_ASSERT(sent);
        payments_.erase(p);
    }
}

void LightningNode::trace_htlc(std::string_view event, const ChannelLedger& ch,
                               const HtlcEntry& h) const {
    this_actor::trace("htlc")
        .field("event", event)
        .field("node", alias_)
        .field("hash", short_hex(h.payment_hash).view())
        .field("scid", ch.scid().text().view())
        .field("channel", static_cast<int64_t>(ch.index()))
        .field("htlc_id", h.id)
        .field("amount_msat", h.amount_msat)
        .field("expiry", h.cltv_expiry)
        .field("state", to_string(h.state));
}

ChannelLedger* LightningNode::channel_by_scid(ShortChannelId scid) {
    // Only opened channels have an scid, and each its own: the network's index finds the one
    // channel that has it, which is ours if we are one of its ends (a hub has thousands of
    // channels, and every HTLC it forwards asks this).
    std::optional<ChannelIndex> c = network_.channel_with_scid(scid);
    if (!c.has_value()) {
        return nullptr;
    }
    ChannelLedger& ch = network_.channel(*c);
    return ch.side_of(index_) >= 0 ? &ch : nullptr;
}

bool LightningNode::close_channel(ChannelIndex channel) {
    ChannelLedger& ch = network_.channel(channel);
    for (const HtlcEntry* h : std::as_const(ch).active_htlcs()) {
        if (is_active(h->state)) {
            return false;
        }
    }
    if (ch.status() != ChannelStatus::open || ch.shutting_down) {
        return false;
    }
    ch.shutting_down = true;
    this_actor::trace("ln_shutdown").field("node", alias_).field("scid", ch.scid().to_string());
    send_to_peer(ch, "shutdown", Shutdown{channel, my_side(ch)});
    return true;
}

void LightningNode::on_shutdown(const Shutdown& m) {
    ChannelLedger& ch = network_.channel(m.channel);
    ch.shutting_down = true;
    if (ch.status() == ChannelStatus::open) {
        send_to_peer(ch, "closing_signed", ClosingSigned{m.channel, my_side(ch)});
    }
}

void LightningNode::on_closing_signed(const ClosingSigned& m) {
    ChannelLedger& ch = network_.channel(m.channel);
    if (ch.status() != ChannelStatus::open) {
        return;
    }
    chain::Transaction tx = ch.close_cooperatively();
    chain::TxCheck check = network_.chain().submit(tx);
    SIM_ASSERT_MSG(check.ok(), "mutual close rejected: " + check.to_string());
    this_actor::trace("ln_mutual_close")
        .field("node", alias_)
        .field("scid", ch.scid().to_string())
        .field("balance1_msat", ch.side(0).balance_msat)
        .field("balance2_msat", ch.side(1).balance_msat);
    network_.announce_close(ch.index());
}

void LightningNode::set_channel_policy(ChannelIndex channel, const ChannelPolicy& policy) {
    ChannelLedger& ch = network_.channel(channel);
    ch.side(my_side(ch)).policy = policy;
    network_.announce_policy(channel, my_side(ch));
}

}  // namespace actors::lightning
