// The catalogue's table of variants and the declaration helpers the worlds share.
#include "scenario/variants.h"

#include "scenario/worlds/builtin_worlds.h"

namespace scenario {

std::string BugVariant::symptom_in(const std::string& reason) const {
    if (reason.find(expect_message) != std::string::npos) {
        return expect_message;
    }
    for (const std::string& m : other_messages) {
        if (reason.find(m) != std::string::npos) {
            return m;
        }
    }
    return std::string();
}

namespace {

std::vector<BugVariant> make_table() {
    std::vector<BugVariant> t;
    t.push_back({.id = "count-returns-height",
                 .issue = "fedimint#3001, fixed by #3002",
                 .title = "bitcoind backend's block count is the height",
                 .root_cause = "the bitcoind wrapper returned getblockcount (the tip height) as "
                               "the block count while esplora and electrum returned height + 1, "
                               "so bitcoind-backed guardians voted one block low",
                 .world = "peg-in",
                 .variant = "count_returns_height",
                 .scenario = "scenarios/bugs/peg-in-at-minimum-confirmations.json",
                 .search = "boundary-biased parameters (confirmations at finality_delay + 1, "
                           "all guardians on bitcoind)",
                 .expect_outcome = "check_failed",
                 .expect_message = "was rejected",
                 // With a guardian on another backend the consensus count can sit above what the
                 // buggy bitcoind reports; its sync wait then never ends once mining stops, and
                 // the federation halts with the peg-in undecided.
                 .other_messages = {"got no outcome"}});
    t.push_back({.id = "fake-height-is-len",
                 .issue = "fedimint#2861, fixed by #2862",
                 .title = "FakeBitcoinTest height is blocks.len()",
                 .root_cause = "the fake's get_block_height returned blocks.len() (tip + 1) and "
                               "get_block_hash indexed height - 1, so a count derived from it is "
                               "one block ahead of the chain",
                 .world = "peg-in",
                 .variant = "fake_height_is_len",
                 .scenario = "scenarios/bugs/peg-in-confirmation-rule.json",
                 .search = "boundary-biased parameters (confirmations at finality_delay)",
                 .expect_outcome = "check_failed",
                 .expect_message = "confirmations was accepted",
                 // A count one ahead of the chain: guardians wait in the sync for a block that
                 // is never mined, and the peg-in is never decided. And since peg-in proofs are
                 // checked against each guardian's own synced hashes (fedimint.md 1.3), a fake
                 // guardian stores block h - 1's hash at height h: in a federation mixing it
                 // with correct backends, guardians disagree on a proof (state divergence).
                 .other_messages = {"got no outcome", "differs from guardian"}});
    t.push_back({.id = "unknown-peg-in-block",
                 .issue = "fedimint#2974, #7251",
                 .title = "\"Unknown block hash in peg-in proof\": the claim races the "
                          "federation's block sync",
                 .root_cause = "the depositing client claimed the peg-in as soon as its own "
                               "bitcoind showed finality_delay + 1 confirmations instead of "
                               "waiting for the federation's consensus block count (as the "
                               "fixed client and devimint's await_block_sync do); guardians "
                               "whose nodes lag or poll later had not synced the block yet",
                 .world = "federation",
                 .variant = "pegin_on_own_view",
                 .scenario = "scenarios/bugs/peg-in-while-guardian-nodes-lag.json",
                 .search = "boundary-biased parameters (guardian node lag and RPC latency, "
                           "monitor poll interval) with seeded poll phases",
                 .expect_outcome = "check_failed",
                 .expect_message = "was rejected"});
    t.push_back({.id = "vote-zero-livelock",
                 .issue = "fedimint#3063, #3202, fixed by #3205",
                 .title = "a wallet vote of 0 is proposed forever on a short chain",
                 .root_cause = "on a chain whose count is at most finality_delay the wallet "
                               "votes count.saturating_sub(finality_delay) = 0; the proposal "
                               "side kept asking for a round with it while processing rejected "
                               "it as redundant against the default 0, so consensus items and "
                               "rounds were generated without end",
                 .world = "federation",
                 .variant = "vote_zero_livelock",
                 .scenario = "scenarios/bugs/idle-federation-on-a-short-chain.json",
                 .search = "boundary-biased parameters (premine and finality_delay around "
                           "count = finality_delay)",
                 .expect_outcome = "check_failed",
                 .expect_message = "rounds in"});
    t.push_back({.id = "sync-from-genesis",
                 .issue = "fedimint#2773",
                 .title = "a fresh federation syncs the chain from height 0",
                 .root_cause = "a new federation's consensus block count started at 0 and its "
                               "first consensus count synced (fetched) every block from height "
                               "0; the fix skips the sync when the old count is 0",
                 .world = "federation",
                 .variant = "sync_from_genesis",
                 .scenario = "scenarios/bugs/fresh-federation-on-a-long-chain.json",
                 .search = "boundary-biased parameters (premine length)",
                 .expect_outcome = "check_failed",
                 .expect_message = "blocks from its bitcoind"});
    t.push_back({.id = "on-shutdown-race",
                 .issue = "fedimint#2701, PR #2753, #2908",
                 .title = "TaskGroup on_shutdown handler registered after the drain",
                 .root_cause = "shutdown() drained the on_shutdown handlers once; a task that "
                               "called make_shutdown_rx() after that appended its handler to the "
                               "drained list, was never signalled and hung the join",
                 .world = "service",
                 .variant = "on_shutdown_race",
                 .scenario = "scenarios/bugs/service-stops-while-tasks-start.json",
                 .search = "boundary-biased parameters (stop_after near the tasks' start-up)",
                 .expect_outcome = "check_failed",
                 .expect_message = "did not stop"});
    t.push_back({.id = "blocking-drop",
                 .issue = "fedimint#9053, #9062, #9065",
                 .title = "blocking in the client handle's Drop",
                 .root_cause = "ClientHandle::drop (and devimint's Federation::drop) blocked on "
                               "the client's shutdown; dropping the last handle while background "
                               "tasks ran blocked in a destructor, which panics off the runtime",
                 .world = "service",
                 .variant = "blocking_drop",
                 .scenario = "scenarios/bugs/users-drop-a-shared-client.json",
                 .search = "boundary-biased parameters (users finishing before the client's "
                           "background sync)",
                 .expect_outcome = "blocking_misuse",
                 .expect_message = "ClientHandle::drop"});
    t.push_back({.id = "timelock-ignores-min-final",
                 .issue = "fedimint#6241, fixed by #6309",
                 .title = "LNv1 timelock ignores the invoice's min_final_cltv_expiry_delta",
                 .root_cause = "the client's outgoing timelock was C0 + 500 - 1 whatever the "
                               "invoice's min_final_cltv_expiry_delta, so the gateway's budget "
                               "timelock - (C - 1) - 10 stayed about 490 and LND refused an "
                               "invoice needing more (\"cltv limit 490 should be greater than "
                               "653\"); the gateway cancelled and the client was refunded",
                 .world = "gateway",
                 .variant = "timelock_ignores_min_final",
                 .scenario = "scenarios/bugs/merchants-with-long-final-cltv.json",
                 .search = "boundary-biased parameters (min_final_cltv_expiry_delta at the top "
                           "of its range)",
                 .expect_outcome = "check_failed",
                 .expect_message = "expected to succeed"});
    t.push_back({.id = "lnd-zero-cltv-limit",
                 .issue = "fedimint-gw-client pay.rs (early LND client: cltv_limit 0)",
                 .title = "a zero max_delay reaches LND as cltv_limit 0",
                 .root_cause = "without the max_delay > 0 filter a budget of exactly 0 was "
                               "dispatched as cltv_limit 0, which LND reads as unset and "
                               "replaces with --max-cltv-expiry 2016, so the HTLC outlived the "
                               "contract: the user refunded at the timelock and a slow payee's "
                               "settlement then cost the gateway the payment",
                 .world = "gateway",
                 .variant = "lnd_zero_cltv_limit",
                 .scenario = "scenarios/bugs/short-timelock-slow-merchant.json",
                 .search = "boundary-biased parameters (contract timelock around the gateway's "
                           "delta, long holds) and the lnd/cln choice",
                 .expect_outcome = "check_failed",
                 .expect_message = "gateway_never_loses"});
    t.push_back({.id = "pays-expired-invoice",
                 .issue = "fedimint#2627, fixed by #2830",
                 .title = "the gateway pays invoices that expired before it picked them up",
                 .root_cause = "validate_outgoing_account did not check the invoice's wall-clock "
                               "expiry, so an invoice that expired between the client's funding "
                               "and the gateway's pickup went to the Lightning node, whose own "
                               "clock may say it is still valid",
                 .world = "gateway",
                 .variant = "pays_expired_invoice",
                 .scenario = "scenarios/bugs/invoice-expires-while-gateway-down.json",
                 .search = "boundary-biased parameters (invoice expiry at the short end) with "
                           "clock skew from the timeline",
                 .expect_outcome = "check_failed",
                 .expect_message = "gw.no_expired_payment"});
    t.push_back({.id = "gateway-stop-deadlock",
                 .issue = "fedimint#8990",
                 .title = "gateway /stop deadlocks with payments in flight",
                 .root_cause = "handle_shutdown_msg held the state write lock while it waited "
                               "for in-flight payments, which need a read of that lock "
                               "(get_lightning_context) to finish, and the reconnect loop could "
                               "flip ShuttingDown back to Running; the fix releases the lock "
                               "before draining and makes ShuttingDown terminal",
                 .world = "gateway",
                 .variant = "stop_deadlock",
                 .scenario = "scenarios/bugs/stop-gateway-while-paying.json",
                 .search = "boundary-biased parameters (payee hold long enough to keep "
                           "payments in flight at /stop)",
                 .expect_outcome = "check_failed",
                 .expect_message = "gw.stops"});
    t.push_back({.id = "lnd-hint-node1-policy",
                 .issue = "fedimint#8928, fixed",
                 .title = "an LND gateway's route hint advertises its own fee, not its peer's",
                 .root_cause = "before #8928 gateway/fedimint-lightning/src/lnd.rs routehints "
                               "took get_chan_info(chan_id).node1_policy for every hint whichever "
                               "side node 1 (the lesser key) is, so an LND gateway that is node 1 "
                               "advertised its own outgoing policy for its peer's hop into it; a "
                               "payer whose hint under-states the peer's fee gets "
                               "fee_insufficient there, and only an LND payer retries with the "
                               "update (LDK excludes the channel, CLN's pay retries the stale "
                               "hint); the fix takes the remote peer's policy (node1_policy if "
                               "node1_pub is the peer, else node2_policy), as cln_extension.rs "
                               "already did",
                 .world = "gateway",
                 .variant = "lnd_hint_node1_policy",
                 .scenario = "scenarios/bugs/wallets-receive-behind-a-routing-node.json",
                 .search = "the lnd/cln choice of the gateway's node, with wallets of every "
                           "implementation behind a pricier routing node",
                 .expect_outcome = "check_failed",
                 .expect_message = "gw.route_hint_policy"});
    return t;
}

}  // namespace

const std::vector<BugVariant>& bug_variants() {
    static const std::vector<BugVariant> table = make_table();
    return table;
}

const BugVariant* find_bug_variant(const std::string& id) {
    for (const BugVariant& v : bug_variants()) {
        if (v.id == id) {
            return &v;
        }
    }
    return nullptr;
}

FieldSpec variant_param(const std::string& world) {
    FieldSpec f{.name = "variant", .type = ValueType::text,
                .doc = "historical bug variant to switch on (fedsim list bugs); none by default",
                .choices = {"none"}, .default_value = text_value("none")};
    for (const BugVariant& v : bug_variants()) {
        if (v.world == world) {
            f.choices.push_back(v.variant);
        }
    }
    return f;
}

std::vector<NamedDoc> variant_docs(const std::string& world) {
    std::vector<NamedDoc> out;
    for (const BugVariant& v : bug_variants()) {
        if (v.world == world) {
            out.push_back({"variant=" + v.variant,
                           v.issue + ": " + v.title + ". Root cause: " + v.root_cause +
                               ". Found by " + v.scenario});
        }
    }
    return out;
}

}  // namespace scenario
