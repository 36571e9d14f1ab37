// World kind "gateway": what a scenario may say — Lightning node and channel props, generators,
// parameters (with the historical variant), actions, events, checkers and metrics.
#include "actors/gateway/gateway_variant.h"
#include "actors/lightning/profile.h"
#include "scenario/variants.h"
#include "scenario/worlds/builtin_worlds.h"
#include "scenario/worlds/chain_world_fields.h"
#include "scenario/worlds/gateway_world.h"
#include "scenario/worlds/lightning_world_shared.h"

namespace scenario {

namespace {

constexpr int64_t k_max_msat = 2'100'000'000'000'000'000;
constexpr int64_t k_max_sat = 2'100'000'000'000'000;

std::vector<FieldSpec> node_props() {
    return {
        {.name = "profile", .type = ValueType::text, .doc = "implementation profile",
         .choices = actors::lightning::profile_names(), .default_value = text_value("lnd")},
        duration_param("chain_lag", "this node's bitcoind view lags the chain by this much",
                       sim::SimDuration::zero()),
        opt_int("cltv_expiry_delta", "the node's cltv_expiry_delta", 1, 65535),
        opt_int("fee_base_msat", "the node's base fee", 0, 1'000'000'000),
        opt_int("fee_ppm", "the node's proportional fee", 0, 1'000'000),
        opt_int("min_final_cltv_expiry_delta", "the `c` of the node's invoices", 1, 65535),
    };
}

std::vector<FieldSpec> link_props() {
    return {
        integer_param("capacity_sat", "channel capacity", 1'000'000, 1, k_max_sat),
        opt_int("push_msat", "starts on the peer's side (default: half the capacity)", 0,
                k_max_msat),
        opt_int("fee_base_msat", "funder's base fee on this channel", 0, 1'000'000'000),
        opt_int("fee_ppm", "funder's proportional fee on this channel", 0, 1'000'000),
        opt_int("cltv_expiry_delta", "funder's cltv_expiry_delta on this channel", 1, 65535),
        opt_int("peer_fee_base_msat", "peer's base fee on this channel", 0, 1'000'000'000),
        opt_int("peer_fee_ppm", "peer's proportional fee on this channel", 0, 1'000'000),
        opt_int("peer_cltv_expiry_delta", "peer's cltv_expiry_delta on this channel", 1, 65535),
    };
}

FieldSpec text_param(std::string name, std::string doc, std::string def) {
    return {.name = std::move(name), .type = ValueType::text, .doc = std::move(doc),
            .default_value = text_value(std::move(def))};
}

// The historical variants the gateway model carries (actors/gateway/gateway_variant.h); the
// catalogue's table (scenario/variants.cc) names the same values.
FieldSpec variant_field() {
    FieldSpec f{.name = "variant", .type = ValueType::text,
                .doc = "historical bug variant to switch on (fedsim list bugs); none by default",
                .choices = {"none"}, .default_value = text_value("none")};
    for (actors::gateway::GatewayVariant v : actors::gateway::gateway_variants()) {
        f.choices.emplace_back(actors::gateway::to_string(v));
    }
    return f;
}

std::vector<FieldSpec> params() {
    std::vector<std::string> profiles = {"node"};
    for (const std::string& p : actors::lightning::profile_names()) {
        profiles.push_back(p);
    }
    std::vector<FieldSpec> out = {
        variant_field(),
        integer_param("guardians", "guardians in the federation", 4, 1, 16),
        integer_param("clients", "federation clients (client0, client1, ...)", 1, 1, 8),
        text_param("gateway_node", "the Lightning node the gateway is attached to", "gw"),
        {.name = "gateway_profile", .type = ValueType::text,
         .doc = "profile of the gateway's node (node: the node's own `profile`)",
         .choices = profiles, .default_value = text_value("node")},
        integer_param("peg_in_sat", "ecash each client and the gateway start with", 10'000'000,
                      1'000, k_max_sat),
        integer_param("amount_msat", "amount of a payment or receive without one", 1'000'000, 1,
                      k_max_msat),
        integer_param("min_final_cltv_expiry_delta",
                      "the `c` of payees' invoices (-1: the payee's profile default)", -1, -1,
                      65535),
        duration_param("invoice_expiry", "expiry of payees' invoices", sim::SimDuration::hours(1)),
        integer_param("payee_hold_blocks",
                      "0: payees settle at once; N: hold invoices settled N blocks after the HTLC "
                      "arrives (a merchant or swap that takes its time)",
                      0, 0, 10000),
        integer_param("contract_timelock_blocks",
                      "0: clients use C0 + min_final + 500 - 1; N: a custom timelock N blocks "
                      "above the consensus tip",
                      0, 0, 100000),
        duration_param("block_interval", "a daemon mines a block this often (0: only `mine`)",
                       sim::SimDuration::seconds(30)),
        integer_param("open_max_blocks", "blocks mined at most to open the channels", 20, 1, 1000),
        integer_param("payments", "client payments to `payee` after ready (round robin)", 0, 0,
                      1000),
        text_param("payee", "the external payee of the `payments` workload", ""),
        integer_param("receives", "payments from `payer` to a client after ready", 0, 0, 1000),
        text_param("payer", "the external payer of the `receives` workload", ""),
        duration_param("payment_interval", "time between workload payments",
                       sim::SimDuration::seconds(10)),
        duration_param("duration", "how long the world runs after ready",
                       sim::SimDuration::minutes(30)),
        duration_param("stop_within", "a stop_gateway must return within this",
                       sim::SimDuration::minutes(10)),
        duration_param("payment_bound",
                       "every payment is terminal within this after the last fault action",
                       sim::SimDuration::hours(2)),
        {.name = "expect_payments", .type = ValueType::text,
         .doc = "terminal: every payment ends succeeded or refunded (receives: claimed or "
                "failed); succeed: every payment and receive must succeed",
         .choices = {"terminal", "succeed"}, .default_value = text_value("terminal")},
        duration_param("view_lag", "guardians' bitcoind views lag the chain by up to this",
                       sim::SimDuration::millis(400)),
    };
    out[13].shrink_toward = 1;
    out[15].shrink_toward = 0;
    return out;
}

FieldSpec client_field() {
    return opt_int("client", "the client's index (default 0)", 0, 7);
}

std::vector<ActionSpec> actions() {
    const FieldSpec guardian = {.name = "guardian", .type = ValueType::integer,
                                .doc = "the guardian's index", .required = true, .min = 0,
                                .max = 15};
    return {
        {"pay", "a client pays a fresh invoice of an external payee through the gateway",
         {client_field(), node_field("to", "the payee"),
          opt_int("amount_msat", "amount (default: amount_msat)", 1, k_max_msat),
          opt_int("min_final_cltv_expiry_delta", "the invoice's `c`", 1, 65535),
          opt_int("hold_blocks", "hold invoice settled after N blocks (default: "
                                 "payee_hold_blocks)", 0, 10000),
          duration_param("expiry", "the invoice's expiry (0: invoice_expiry)",
                         sim::SimDuration::zero())}},
        {"receive", "an external payer pays a client's invoice through the gateway",
         {client_field(), node_field("from", "the payer"),
          opt_int("amount_msat", "amount (default: amount_msat)", 1, k_max_msat)}},
        {"mine", "mine blocks, waiting `spacing` after each",
         {integer_param("blocks", "how many", 1, 1, 100000),
          duration_param("spacing", "pause after each block", sim::SimDuration::seconds(10))}},
        {"crash_gateway", "the gateway process crashes (its payment store survives)", {}},
        {"restart_gateway", "the gateway restarts and re-validates its payments", {}},
        {"stop_gateway", "the gateway's /stop: drain in-flight payments, then stop", {}},
        {"disconnect_gateway_ln", "the gateway loses its Lightning node's RPC connection", {}},
        {"reconnect_gateway_ln", "the connection comes back", {}},
        {"crash_guardian", "a guardian crashes (its store survives)", {guardian}},
        {"restart_guardian", "the guardian restarts", {guardian}},
        {"drain_channel", "`from` pays `to` over the network (moves liquidity towards `to`)",
         {node_field("from", "the payer"), node_field("to", "the payee"),
          {.name = "amount_msat", .type = ValueType::integer, .doc = "amount", .required = true,
           .min = 1, .max = k_max_msat}}},
    };
}

}  // namespace

WorldKind gateway_world_kind() {
    WorldKind k;
    k.name = "gateway";
    k.doc = "A federation, an LNv1 gateway on a Lightning node (lnd/cln/ldk), a Lightning "
            "topology and clients paying and receiving through the gateway";
    k.roles = {{"node", "a Lightning node actor", node_props(), 256}};
    k.link_kinds = {"channel"};
    k.link_props = link_props();
    k.generators = channel_generators();
    k.params = params();
    k.actions = actions();
    // The catalogue's rows (issue, root cause, the scenario that finds it); the model's own
    // one-liners for any variant the table does not list.
    k.bug_variants = variant_docs("gateway");
    for (actors::gateway::GatewayVariant v : actors::gateway::gateway_variants()) {
        const std::string name = "variant=" + std::string(actors::gateway::to_string(v));
        bool listed = false;
        for (const NamedDoc& d : k.bug_variants) {
            listed = listed || d.name == name;
        }
        if (!listed) {
            k.bug_variants.push_back({name, std::string(actors::gateway::describe(v))});
        }
    }
    k.events = {{"ready", "channels open, clients and gateway pegged in, gateway registered"},
                {"gateway_stopped", "a stop_gateway returned: the gateway stopped"},
                {"gateway_stop_abandoned",
                 "a stop_gateway ended without stopping the gateway: a crash or another "
                 "stop_gateway ended the process first, or the gateway was down"}};
    k.checkers = {
        {"fed.consensus", "every guardian that applies a round reaches the same state"},
        {"fed.books", "UTXOs == ecash + escrow; no contract both claimed and refunded; ecash "
                      "issued once per contract"},
        {"fed.chain_backing", "every UTXO the federation counts is on chain"},
        {"ln.conservation", "every channel's balances and HTLCs add up to its capacity"},
        {"ln.htlc_expiry", "no committed HTLC outlives its profile's go-on-chain height"},
        {"gw.never_loses", "a contract the gateway paid over Lightning is still claimable by it; "
                           "a receive whose preimage the guardians released is settled"},
        {"gw.payments_terminal", "every payment is terminal within payment_bound after the last "
                                 "fault action, and at the end; a funded payment the gateway "
                                 "never got (no pay request after 180 s, as upstream) only "
                                 "within payment_bound after the count passes its timelock"},
        {"gw.stops", "a stop_gateway stops the gateway within stop_within, unless a crash or "
                    "another stop_gateway ended the process first or the gateway was down"},
        {"gw.no_expired_payment", "no invoice is paid after its expiry (by the reference clock)"},
        {"gw.route_hint_policy", "a receive the payer gave up on did not fail at a route hint "
                                 "hop whose advertised fee or CLTV delta is not what the hint's "
                                 "node charges for the channel into the gateway"}};
    k.metrics = {
        {"gw.payments", "client payments started"},
        {"gw.paid", "client payments that succeeded"},
        {"gw.refunded", "client payments refunded"},
        {"gw.failed", "client payments that failed before funding"},
        {"gw.pending", "client payments not terminal at the end"},
        {"gw.refund_margin_min", "smallest (count - timelock) at a refund not caused by a "
                                 "cancellation (-1: none)"},
        {"gw.receives", "receives started"},
        {"gw.received", "receives the client claimed"},
        {"gw.receive_failed", "receives that ended without the client's ecash"},
        {"gw.receive_pending", "receives the client had not ended when the run stopped"},
        {"gw.cancelled", "outgoing contracts the gateway cancelled"},
        {"gw.claim_rejected", "outgoing payments paid over Lightning whose claim the "
                              "federation rejected (the gateway lost the amount)"},
        {"gw.timeout_too_close", "cancellations because max_delay <= 0"},
        {"gw.invoice_expired", "cancellations because the invoice had expired"},
        {"gw.stopped", "1 if the latest stop_gateway stopped the gateway"},
        {"gw.restarts", "gateway restarts"},
        {"gw.hint_changes", "route-hint registrations after the first"},
        {"ln.tip_height", "chain tip at the end"}};
    return k;
}

}  // namespace scenario
