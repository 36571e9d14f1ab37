// World kind "lightning": what a scenario may say — node props (profile, overrides, chain lag),
// channel props, generators, parameters, actions, events, checkers and metrics.
#include "actors/lightning/profile.h"
#include "scenario/worlds/builtin_worlds.h"
#include "scenario/worlds/chain_world_fields.h"
#include "scenario/worlds/lightning_world_shared.h"

namespace scenario {

namespace {

// Profile overrides, optionally prefixed ("peer_" for the peer's side of a channel).
std::vector<FieldSpec> override_props(const std::string& pre, const std::string& whose) {
    return {
        opt_int(pre + "cltv_expiry_delta", whose + " cltv_expiry_delta", 1, 65535),
        opt_int(pre + "fee_base_msat", whose + " base fee", 0, 1'000'000'000),
        opt_int(pre + "fee_ppm", whose + " proportional fee", 0, 1'000'000),
        opt_int(pre + "max_accepted_htlcs", whose + " HTLC slots", 1, 483),
        opt_int(pre + "min_final_cltv_expiry_delta", whose + " invoice `c`", 1, 65535),
    };
}

std::vector<FieldSpec> node_props() {
    std::vector<FieldSpec> out = {
        {.name = "profile", .type = ValueType::text, .doc = "implementation profile",
         .choices = actors::lightning::profile_names(), .default_value = text_value("lnd")},
        duration_param("chain_lag", "this node's bitcoind view lags the chain by this much more",
                       sim::SimDuration::zero()),
    };
    for (FieldSpec& f : override_props("", "the node's")) {
        out.push_back(std::move(f));
    }
    return out;
}

std::vector<FieldSpec> link_props() {
    std::vector<FieldSpec> out = {
        integer_param("capacity_sat", "channel capacity", 1'000'000, 1, 2'100'000'000'000'000),
        opt_int("push_msat", "starts on the peer's side (default: half the capacity)", 0,
                2'100'000'000'000'000'000),
        bool_field("announce", "gossiped to every node (false: private)", true),
    };
    for (const char* pre : {"", "peer_"}) {
        for (FieldSpec& f : override_props(pre, *pre == 0 ? "funder's" : "peer's")) {
            out.push_back(std::move(f));
        }
    }
    return out;
}

std::vector<FieldSpec> params() {
    std::vector<FieldSpec> out = {
        integer_param("amount_msat", "amount of a `pay` without amount_msat", 10'000'000, 1,
                      2'100'000'000'000'000'000),
        integer_param("max_fee_msat", "max fee of a `pay` without one (-1: profile default)", -1,
                      -1, 2'100'000'000'000'000'000),
        integer_param("cltv_limit", "cltv limit of a `pay` without one (-1: profile default)", -1,
                      -1, 100000),
        duration_param("pay_timeout", "no new payment attempt after this long",
                       sim::SimDuration::seconds(60)),
        integer_param("max_attempts", "payment attempts before giving up", 16, 1, 1000),
        duration_param("block_interval", "a daemon mines a block this often (0: only `mine`)",
                       sim::SimDuration::zero()),
        // 30 min, inside limits.max_time's default 1 h with room for the channels to open (an
        // hour after channels_open could never end before the time limit).
        duration_param("duration", "how long the workload runs after channels_open",
                       sim::SimDuration::minutes(30)),
        integer_param("open_max_blocks", "blocks mined at most to open the channels", 20, 1, 1000),
        {.name = "gossip", .type = ValueType::text, .doc = "how graph updates spread",
         .choices = {"instant", "propagated"}, .default_value = text_value("instant")},
        duration_param("chain_lag", "every node's bitcoind view lags by this much",
                       sim::SimDuration::zero()),
        integer_param("onchain_slack_blocks",
                      "blocks past the profile's go-on-chain height before htlc_expiry fails", 2,
                      0, 1000),
    };
    out[0].shrink_toward = 1;
    return out;
}

FieldSpec payment_field() {
    return {.name = "payment", .type = ValueType::text, .doc = "the `pay` entry's name",
            .required = true};
}

std::vector<ActionSpec> actions() {
    return {
        {"pay", "a payer pays a fresh invoice of the payee (the entry name names the payment)",
         {node_field("from", "payer"), node_field("to", "payee"),
          opt_int("amount_msat", "amount (default: the amount_msat parameter)", 1,
                  2'100'000'000'000'000'000),
          opt_int("max_fee_msat", "fee limit (default: the max_fee_msat parameter)", 0,
                  2'100'000'000'000'000'000),
          opt_int("cltv_limit", "CLTV limit (default: the cltv_limit parameter)", 0, 100000),
          opt_int("min_final_cltv_expiry_delta", "the invoice's `c`", 1, 65535),
          bool_field("hold", "a hold invoice: the payee holds the HTLC until settle or cancel")}},
        {"settle", "the payee of a hold-invoice payment settles it", {payment_field()}},
        {"cancel", "the payee of a hold-invoice payment cancels it", {payment_field()}},
        {"mine", "mine blocks, waiting `spacing` after each so nodes react",
         {integer_param("blocks", "how many", 1, 1, 100000),
          duration_param("spacing", "pause after each block", sim::SimDuration::seconds(10))}},
        {"freeze_view", "the node's bitcoind view stops (its deadlines wait)",
         {node_field("node", "the Lightning node")}},
        {"thaw_view", "the node's bitcoind view catches up, one block at a time",
         {node_field("node", "the Lightning node")}},
        {"set_chain_lag", "change how far the node's bitcoind view lags",
         {node_field("node", "the Lightning node"),
          duration_param("lag", "the new lag", sim::SimDuration::zero())}},
        {"force_close", "a node force-closes its channel with a peer",
         {node_field("node", "the closer"), node_field("peer", "the other end")}},
    };
}

}  // namespace

WorldKind lightning_world_kind() {
    WorldKind k;
    k.name = "lightning";
    k.doc = "Lightning nodes (ldk/lnd/cln profiles) with channels, payments, hold invoices and "
            "on-chain enforcement (actors/lightning)";
    k.roles = {{"node", "a Lightning node actor", node_props(), 256}};
    k.link_kinds = {"channel"};
    k.link_props = link_props();
    k.generators = channel_generators();
    k.params = params();
    k.actions = actions();
    k.events = {{"channels_open", "every channel is open (the driver mined their confirmations)"}};
    k.checkers = {
        {"ln.conservation", "every channel's balances and HTLCs add up to its capacity"},
        {"ln.htlc_expiry", "no committed HTLC outlives its profile's go-on-chain height "
                           "(+ onchain_slack_blocks) without a force close"},
        {"ln.fee_limits", "no successful payment paid more fees than its max fee"},
        {"ln.payments_terminal", "every payment succeeded or failed by the end of `duration`"}};
    k.metrics = {
        {"ln.payments", "payments started"},
        {"ln.payments_succeeded", "payments that succeeded"},
        {"ln.payments_failed", "payments that failed"},
        {"ln.payments_pending", "payments still pending"},
        {"ln.attempts", "payment attempts in all"},
        {"ln.fees_msat", "fees the successful payments paid"},
        {"ln.fee_limit_failures", "payments that failed because of their max fee"},
        {"ln.force_closes", "force closes the nodes decided"},
        {"ln.fail_backs", "HTLCs failed back upstream after an on-chain resolution"},
        {"ln.channels_open", "channels open at the end"},
        {"ln.channels_closed", "channels closing or closed at the end"},
        {"ln.tip_height", "chain tip at the end"}};
    return k;
}

}  // namespace scenario
