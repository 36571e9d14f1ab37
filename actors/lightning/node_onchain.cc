// LightningNode: everything driven by the node's own chain view — channel_ready after the
// funding confirmations, going on-chain at the profile's deadlines, broadcasting HTLC-timeout
// (nLockTime = expiry) and HTLC-success (preimage) spends, learning preimages from the chain,
// failing forwarded HTLCs back upstream per profile, and auto-failing held HTLCs.
#include <algorithm>

#include "actors/lightning/lightning_network.h"
#include "actors/lightning/lightning_node.h"
#include "sim/assert.h"
#include "sim/this_actor.h"

namespace actors::lightning {

namespace this_actor = sim::this_actor;

namespace {

std::string num(uint64_t v) { return std::to_string(v); }

}  // namespace

void LightningNode::on_block(uint32_t tip) {
    SIM_ASSERT(tip > tip_);
    tip_ = tip;
    // A node none of whose channels is busy (at any block, almost every node) has nothing to
    // walk: only the walk's own work could make one of them busy.
    if (network_.has_block_work_at(index_)) {
        check_channels(tip);
    }
    check_fail_backs(tip);
    check_held(tip);
}

void LightningNode::check_channels(uint32_t tip) {
    for (ChannelIndex c : channels_) {
        if (!network_.has_block_work(c)) {
            continue;  // open and idle: check_deadlines would find no HTLC to look at
        }
        ChannelLedger& ch = network_.channel(c);
        if (ch.status() == ChannelStatus::opening) {
            check_funding(ch, tip);
        }
        if (ch.status() == ChannelStatus::open) {
            check_deadlines(ch, tip);
        }
        if (ch.status() == ChannelStatus::closing || ch.status() == ChannelStatus::closed) {
            resolve_onchain(ch, tip);
        }
    }
}

void LightningNode::check_funding(ChannelLedger& ch, uint32_t tip) {
    std::optional<int64_t> h = network_.chain().tx_height(ch.funding.txid);
    if (!h.has_value() || *h > tip) {
        return;
    }
    const auto confs = static_cast<uint32_t>(tip - *h + 1);
    const int me = my_side(ch);
    if (confs < ch.required_confirmations || ch.side(me).ready) {
        return;
    }
    ch.side(me).ready = true;
    this_actor::trace("ln_channel_ready")
        .field("node", alias_)
        .field("channel", static_cast<int64_t>(ch.index()))
        .field("confirmations", confs);
    send_to_peer(ch, "channel_ready", ChannelReady{ch.index(), me});
    maybe_open(ch);
}

void LightningNode::maybe_open(ChannelLedger& ch) {
    if (ch.status() != ChannelStatus::opening || !ch.side(0).ready || !ch.side(1).ready) {
        return;
    }
    std::optional<chain::TxLocation> loc = network_.chain().tx_location(ch.funding.txid);
    SIM_ASSERT(loc.has_value());
    ch.set_open(ShortChannelId::from_parts(static_cast<uint32_t>(loc->height),
                                           static_cast<uint32_t>(loc->index),
                                           static_cast<uint16_t>(ch.funding.vout)));
    network_.opened(ch.index());
    this_actor::trace("ln_channel_open")
        .field("channel", static_cast<int64_t>(ch.index()))
        .field("scid", ch.scid().to_string())
        .field("node1", ch.side(0).key)
        .field("node2", ch.side(1).key)
        .field("balance1_msat", ch.side(0).balance_msat)
        .field("balance2_msat", ch.side(1).balance_msat);
    network_.announce_channel(ch.index());
}

void LightningNode::check_deadlines(const ChannelLedger& ch, uint32_t tip) {
    const int me = my_side(ch);
    const Profile& p = ch.side(me).profile;
    for (const HtlcEntry* hp : ch.active_htlcs()) {
        const HtlcEntry& h = *hp;
        if (!is_active(h.state)) {
            continue;
        }
        if (h.offerer == me && !h.preimage.has_value() &&
            offered_needs_onchain(p, h.cltv_expiry, tip)) {
            force_close(ch.index(), "offered HTLC " + num(h.id) + " (expiry " +
                                        num(h.cltv_expiry) + ") unresolved at tip " + num(tip) +
                                        " >= " + num(offered_onchain_height(p, h.cltv_expiry)));
            return;
        }
        if (h.receiver() == me && h.preimage.has_value() &&
            received_needs_onchain(p, h.cltv_expiry, tip)) {
            force_close(ch.index(), "received HTLC " + num(h.id) + " (expiry " +
                                        num(h.cltv_expiry) + ") not settled at tip " + num(tip) +
                                        " >= " + num(received_onchain_height(p, h.cltv_expiry)));
            return;
        }
    }
}

void LightningNode::force_close(ChannelIndex channel, const std::string& reason) {
    ChannelLedger& ch = network_.channel(channel);
    if (ch.status() != ChannelStatus::open && ch.status() != ChannelStatus::opening) {
        return;
    }
    chain::Transaction tx = ch.close(my_side(ch), network_.chain());
    chain::TxCheck check = network_.chain().submit(tx);
    SIM_ASSERT_MSG(check.ok(), "commitment rejected: " + check.to_string());
    log_.closes.push_back(CloseRecord{channel, tip(), this_actor::now(), reason});
    this_actor::trace("ln_force_close")
        .field("node", alias_)
        .field("channel", static_cast<int64_t>(channel))
        .field("scid", ch.scid().to_string())
        .field("tip", tip())
        .field("reason", reason);
    for (const HtlcEntry& h : ch.htlcs()) {
        if (h.state == HtlcState::onchain) {
            trace_htlc("onchain", ch, h);
        }
    }
    network_.announce_close(channel);
}

void LightningNode::resolve_onchain(ChannelLedger& ch, uint32_t tip) {
    std::optional<int64_t> h = network_.chain().tx_height(*ch.commitment_txid());
    const bool confirmed = h.has_value() && *h <= tip;
    if (confirmed && ch.status() == ChannelStatus::closing) {
        ch.set_closed();
        this_actor::trace("ln_channel_closed")
            .field("channel", static_cast<int64_t>(ch.index()))
            .field("height", *h);
    }
    if (!confirmed && ch.closer() != my_side(ch)) {
        return;  // the peer acts once the commitment is confirmed in its own view
    }
    for (HtlcEntry& htlc : ch.htlcs()) {
        if (htlc.state == HtlcState::onchain) {
            resolve_output(ch, htlc, tip);
        }
    }
}

void LightningNode::resolve_output(ChannelLedger& ch, HtlcEntry& h, uint32_t tip) {
    const int me = my_side(ch);
    const HtlcKey key{ch.index(), h.id};
    if (!h.vout.has_value()) {
        h.state = HtlcState::timed_out;  // trimmed to fees: nothing to claim
        h.resolved_height = tip;
        return;
    }
    const chain::OutPoint op{*ch.commitment_txid(), *h.vout};
    if (const SpendRecord* spend = network_.chain().spender(op);
        spend != nullptr && spend->height <= tip) {
        h.resolved_height = spend->height;
        if (const auto* w = std::get_if<chain::HtlcSuccess>(&spend->witness)) {
            h.preimage = ChainBackend::lightning_preimage(w->preimage);
            h.state = HtlcState::claimed;
            trace_htlc("claimed_onchain", ch, h);
            if (h.offerer == me) {
                on_outgoing_resolved(key, AttemptOutcome{true, *h.preimage, h.payment_hash, {}});
            }
        } else {
            h.state = HtlcState::timed_out;
            trace_htlc("timed_out_onchain", ch, h);
            held_.erase(key);
        }
        return;
    }
    const chain::Amount value = ch.commitment().outputs[*h.vout].value;
    chain::Transaction tx;
    tx.inputs.push_back(chain::TxIn{op, chain::k_sequence_default, chain::SignedBy{""}});
    tx.outputs.push_back(chain::TxOut{value, chain::PayToOwner{ch.side(me).key}});
    if (h.receiver() == me && h.preimage.has_value() && !h.success_broadcast) {
        tx.memo = "htlc-success";
        tx.inputs[0].witness =
            chain::HtlcSuccess{ch.side(me).key, ChainBackend::chain_preimage(*h.preimage)};
        h.success_broadcast = network_.chain().submit(tx).ok();
        trace_htlc("success_tx", ch, h);
    } else if (h.offerer == me && !h.preimage.has_value() && tip >= h.cltv_expiry &&
               !h.timeout_broadcast) {
        // nLockTime = expiry: mempool-valid at tip == expiry, minable from block expiry + 1.
        tx.memo = "htlc-timeout";
        tx.lock_time = h.cltv_expiry;
        tx.inputs[0].witness = chain::HtlcTimeout{ch.side(me).key};
        h.timeout_broadcast = network_.chain().submit(tx).ok();
        trace_htlc("timeout_tx", ch, h);
    }
}

void LightningNode::check_fail_backs(uint32_t tip) {
    struct Due {
        HtlcKey out;
        std::optional<HtlcKey> in;
        uint32_t height = 0;
    };
    std::vector<Due> due;
    auto consider = [&](HtlcKey out, std::optional<HtlcKey> in) {
        ChannelLedger& och = network_.channel(out.channel);
        const HtlcEntry* oh = och.htlc(out.id);
        SIM_ASSERT(oh != nullptr);
        if (oh->preimage.has_value() ||
            (oh->state != HtlcState::onchain && oh->state != HtlcState::timed_out)) {
            return;
        }
        const Profile& p = och.side(my_side(och)).profile;
        std::optional<uint32_t> timeout_height;
        if (oh->state == HtlcState::timed_out) {
            timeout_height = static_cast<uint32_t>(*oh->resolved_height);
        }
        std::optional<uint32_t> at;
        if (in.has_value()) {
            const HtlcEntry* ih = network_.channel(in->channel).htlc(in->id);
            at = fail_back_height(p, ih->cltv_expiry, oh->cltv_expiry, timeout_height);
        } else if (timeout_height.has_value()) {
            at = resolved_fail_back_height(p, *timeout_height);
        }
        if (at.has_value() && tip >= *at) {
            due.push_back(Due{out, in, *at});
        }
    };
    for (const auto& [out, in] : forwards_) {
        consider(out, in);
    }
    for (const auto& [out, waiter] : payments_) {
        consider(out, std::nullopt);
    }
    for (const Due& d : due) {
        HtlcFailure f{k_fail_back_code,
                      alias_ + ": outgoing HTLC went on chain and was given up at tip " +
                          num(tip) + " (rule height " + num(d.height) + ")",
                      index_, std::nullopt, std::nullopt};
        if (d.in.has_value()) {
            const HtlcEntry* ih = network_.channel(d.in->channel).htlc(d.in->id);
            if (ih->state == HtlcState::committed) {
                log_.fail_backs.push_back(
                    FailBackRecord{d.in->channel, d.in->id, tip, this_actor::now(), f.reason});
            }
        }
        on_outgoing_resolved(d.out, AttemptOutcome{false, {}, {}, f});
    }
}

void LightningNode::check_held(uint32_t tip) {
    std::vector<std::pair<HtlcKey, Held>> expired;
    std::vector<HtlcKey> gone;
    for (const auto& [key, held] : held_) {
        ChannelLedger& ch = network_.channel(key.channel);
        const HtlcEntry* h = ch.htlc(key.id);
        if (h->state != HtlcState::committed && h->state != HtlcState::onchain) {
            gone.push_back(key);
            continue;
        }
        const Profile& profile = ch.side(my_side(ch)).profile;
        const bool on_outgoing =
            held.kind == HeldKind::intercept && profile.intercept_fails_on_outgoing_expiry;
        std::optional<uint32_t> at =
            held_htlc_fail_height(profile, on_outgoing ? held.outgoing_cltv : h->cltv_expiry);
        if (at.has_value() && tip >= *at && h->state == HtlcState::committed) {
            expired.emplace_back(key, held);
        }
    }
    for (HtlcKey key : gone) {
        held_.erase(key);
    }
    for (const auto& [key, held] : expired) {
        const bool intercepted = held.kind == HeldKind::intercept;
        ChannelLedger& ch = network_.channel(key.channel);
        const bool node_failure =
            intercepted && ch.side(my_side(ch)).profile.intercept_fails_on_outgoing_expiry;
        Failure f{node_failure  ? FailureCode::temporary_node_failure
                  : intercepted ? FailureCode::temporary_channel_failure
                                : FailureCode::incorrect_or_unknown_payment_details,
                  "held HTLC auto-failed at tip " + num(tip)};
        if (intercepted) {
            intercepted_.erase(held.intercept_id);
        }
        fail_incoming(key, failure_here(f, nullptr));
    }
}

}  // namespace actors::lightning
