// The federation world's depositor: a user with a bitcoind of its own who pegs in (deposit to
// the federation's multisig, wait for confirmations, claim ecash) and pegs out.
//
// A peg-in follows the fixed Fedimint client (and devimint's await_block_sync): it waits until
// the deposit has the wanted confirmations on the depositor's own node, then until the
// federation's wallet consensus count (read from f + 1 agreeing guardians) includes the
// deposit's block, and only then submits the claim. Variant "pegin_on_own_view" (fedimint
// #2974 / #7251, scenario/variants.cc) skips the second wait: the claim goes out as soon as the
// depositor's own node shows the confirmations.
//
// The rule the depositor holds the federation to (fedimint.md 1.3): a claim whose block has
// finality_delay + 1 confirmations on the chain when it is sent is credited; a claim is never
// credited while its block has fewer; and the federation's consensus reaches a block with
// enough confirmations within sync_timeout.
#include "actors/federation/wallet_rules.h"
#include "scenario/worlds/end_of_run.h"
#include "scenario/worlds/federation_world.h"
#include "sim/this_actor.h"

namespace scenario {

namespace chain = actors::chain;
namespace fed = actors::federation;
namespace this_actor = sim::this_actor;

namespace {

constexpr sim::SimDuration k_federation_poll = sim::SimDuration::millis(500);
constexpr int k_send_attempts = 10;

std::string label_of(const TimelineEntry& entry, const char* kind, size_t index) {
    return entry.name.empty() ? kind + std::to_string(index) : entry.name;
}

}  // namespace

void FederationScenarioWorld::peg_in(const TimelineEntry& entry) {
    auto p = std::make_unique<PegIn>();
    p->name = label_of(entry, "pegin", pegins_.size());
    auto amount = entry.args.find("amount");
    p->amount_sat = amount != entry.args.end() ? amount->second.number : run_.peg_in_amount_sat;
    auto confs = entry.args.find("confirmations");
    const int64_t wanted = confs != entry.args.end()
                               ? confs->second.number
                               : static_cast<int64_t>(run_.finality_delay) +
                                     run_.extra_confirmations;
    p->confirmations = static_cast<uint64_t>(std::max<int64_t>(1, wanted));
    const bool mine_blocks = entry.args.at("mine").flag();
    PegIn* raw = p.get();
    pegins_.push_back(std::move(p));
    ++in_flight_;
    sim_.scheduler().spawn("depositor." + raw->name, [this, raw, mine_blocks] {
        run_peg_in(raw, mine_blocks);
        raw->done = true;
        --in_flight_;
    });
}

std::optional<chain::Transaction> FederationScenarioWorld::build_deposit(int64_t amount_sat) {
    const chain::Chain& c = btc_.canonical();
    const int64_t next = c.tip_height() + 1;
    for (const auto& [op, coin] : c.owned_by("depositor")) {
        if (!coin.coinbase || spent_coins_.count(op) > 0 ||
            next - coin.height < c.params().coinbase_maturity ||
            coin.out.value < amount_sat + 1000) {
            continue;
        }
        spent_coins_.insert(op);
        chain::Transaction tx;
        // Filled in place: g++ 12 -O2 misreads a moved TxOut's variant as uninitialized.
        tx.inputs.resize(1);
        tx.inputs[0].prevout = op;
        tx.inputs[0].witness = chain::SignedBy{"depositor"};
        tx.outputs.resize(2);
        tx.outputs[0].value = amount_sat;
        tx.outputs[0].condition = federation_->multisig();
        // The rest, less a 1000 sat fee, back to the depositor.
        tx.outputs[1].value = coin.out.value - amount_sat - 1000;
        std::get<chain::PayToOwner>(tx.outputs[1].condition).owner = "depositor";
        return tx;
    }
    return std::nullopt;
}

void FederationScenarioWorld::run_peg_in(PegIn* p, bool mine_blocks) {
    std::optional<chain::Transaction> tx = build_deposit(p->amount_sat);
    if (!tx.has_value() && mine_blocks) {
        // No coin to deposit yet: mine one to the depositor and let it mature, as a regtest
        // user would.
        btc_.mine(1, "depositor");
        for (int64_t i = 0; i < btc_.canonical().params().coinbase_maturity; ++i) {
            this_actor::sleep_for(run_.peg_in_spacing);
            btc_.mine(1);
        }
        tx = build_deposit(p->amount_sat);
    }
    if (!tx.has_value()) {
        fail("peg_in " + p->name + ": the depositor has no mature coinbase of " +
             std::to_string(p->amount_sat) + " sat (raise premine, or let the peg_in mine)");
        return;
    }
    const chain::Txid txid = tx->txid();
    if (mine_blocks) {
        chain::TxCheck check = btc_.submit(*tx);
        SIM_ASSERT_MSG(check.ok(), "the depositor's deposit is valid by construction");
        p->block_height = btc_.mine(1).height;
        for (uint64_t i = 1; i < p->confirmations; ++i) {
            this_actor::sleep_for(run_.peg_in_spacing);
            btc_.mine(1);
        }
    } else {
        bool sent = false;
        for (int attempt = 0; attempt < k_send_attempts && !sent; ++attempt) {
            auto r = depositor_node_->sendrawtransaction(*tx);
            sent = r.ok();
            if (!sent) {
                this_actor::sleep_for(sim::SimDuration::seconds(1));
            }
        }
        if (!sent) {
            fail("peg_in " + p->name + ": the depositor's bitcoind did not take the deposit");
            return;
        }
    }
    if (!await_own_confirmations(p, txid)) {
        return;  // the run ended first
    }
    if (run_.variant != "pegin_on_own_view") {
        await_federation(p);
        if (finished_) {
            return;
        }
    }
    const uint64_t needed = fed::peg_in_confirmations_required(run_.finality_delay);
    if (p->waited_for_federation && !p->federation_synced) {
        const uint64_t confs = best_chain_confirmations(p->block_hash);
        if (confs >= needed) {
            fail("peg_in " + p->name + ": the federation's consensus did not reach block " +
                 std::to_string(p->block_height) + " (" + std::to_string(confs) +
                 " confirmations, finality needs " + std::to_string(needed) + ") within " +
                 sim::to_string(run_.sync_timeout));
            return;
        }
    }
    fed::FedTx claim{api_->new_tx_id(),
                     fed::PegInTx{.client = k_depositor, .outpoint = chain::OutPoint{txid, 0},
                                  .block_hash = p->block_hash,
                                  .block_height = static_cast<uint64_t>(p->block_height)}};
    p->confs_at_submit = best_chain_confirmations(p->block_hash);
    p->submitted = true;
    sim_.scheduler()
        .trace("depositor.peg_in")
        .field("pegin", p->name)
        .field("height", p->block_height)
        .field("confirmations", p->confs_at_submit);
    p->outcome = api_->submit_and_wait(claim, this_actor::now() + run_.outcome_timeout);
    p->confs_at_outcome = best_chain_confirmations(p->block_hash);
    if (!p->outcome.has_value()) {
        fail("peg_in " + p->name + " got no outcome within " +
             sim::to_string(run_.outcome_timeout));
        return;
    }
    sim_.scheduler()
        .trace("depositor.peg_in_outcome")
        .field("pegin", p->name)
        .field("accepted", p->outcome->accepted)
        .field("error", p->outcome->error);
    if (std::optional<std::string> v = peg_in_violation(*p)) {
        p->violation_reported = true;
        fail(*v);
    }
}

bool FederationScenarioWorld::await_own_confirmations(PegIn* p, const chain::Txid& txid) {
    chain::BitcoindClient client(*depositor_node_);
    while (!finished_) {
        std::optional<uint64_t> count = client.get_block_count();
        std::optional<int64_t> height = client.get_tx_block_height(txid);
        if (count.has_value() && height.has_value() && *height >= 0 &&
            *count >= static_cast<uint64_t>(*height) + p->confirmations) {
            p->block_height = *height;
            // The proof names the block the depositor's node holds the deposit in now (the
            // same instant as the answer above; the client builds its proof from that block).
            std::optional<chain::TxLocation> at = depositor_node_->chain().find_tx(txid);
            SIM_ASSERT(at.has_value());
            p->block_hash = at->block_hash;
            return true;
        }
        this_actor::sleep_for(run_.depositor_poll);
    }
    return false;
}

void FederationScenarioWorld::await_federation(PegIn* p) {
    p->waited_for_federation = true;
    const sim::SimTime deadline = this_actor::now() + run_.sync_timeout;
    while (!finished_) {
        std::optional<uint64_t> count = api_->wallet_count();
        // A block at height h is known once the consensus count exceeds h.
        if (count.has_value() && *count > static_cast<uint64_t>(p->block_height)) {
            p->federation_synced = true;
            return;
        }
        if (this_actor::now() >= deadline) {
            return;
        }
        this_actor::sleep_for(k_federation_poll);
    }
}

std::optional<std::string> FederationScenarioWorld::peg_in_violation(const PegIn& p) const {
    if (!p.outcome.has_value()) {
        return std::nullopt;
    }
    const uint64_t needed = fed::peg_in_confirmations_required(run_.finality_delay);
    const std::string at = "peg_in " + p.name + " of block " + std::to_string(p.block_height) +
                           " at " + std::to_string(p.confs_at_submit) + " confirmations";
    if (p.outcome->accepted && p.confs_at_outcome < needed) {
        return at + " was accepted with " + std::to_string(p.confs_at_outcome) +
               " confirmations, but finality needs " + std::to_string(needed);
    }
    if (!p.outcome->accepted && p.confs_at_submit >= needed) {
        return at + " was rejected (" + p.outcome->error + "); finality needs " +
               std::to_string(needed);
    }
    return std::nullopt;
}

CheckResult FederationScenarioWorld::check_pegins() const {
    ListedFailure listed("fed.pegins");
    for (const auto& p : pegins_) {
        std::optional<std::string> v = peg_in_violation(*p);
        if (v.has_value() && listed.add(*v, p->violation_reported)) {
            break;
        }
    }
    return listed.result();
}

// --- Peg-outs ------------------------------------------------------------------------------

int64_t FederationScenarioWorld::depositor_balance_sat() const {
    int64_t sat = 0;
    for (const auto& p : pegins_) {
        sat += p->outcome.has_value() && p->outcome->accepted ? p->amount_sat : 0;
    }
    const int64_t fee = static_cast<int64_t>(federation_->params().peg_out_fee_sat);
    for (const auto& p : pegouts_) {
        sat -= p->outcome.has_value() && p->outcome->accepted ? p->amount_sat + fee : 0;
    }
    return sat;
}

void FederationScenarioWorld::peg_out(const TimelineEntry& entry) {
    auto p = std::make_unique<PegOut>();
    p->name = label_of(entry, "pegout", pegouts_.size());
    p->amount_sat = entry.args.at("amount").number;
    p->address = entry.args.at("address").text;
    PegOut* raw = p.get();
    pegouts_.push_back(std::move(p));
    ++in_flight_;
    sim_.scheduler().spawn("depositor." + raw->name, [this, raw] {
        run_peg_out(raw);
        raw->done = true;
        --in_flight_;
    });
}

void FederationScenarioWorld::run_peg_out(PegOut* p) {
    const int64_t fee = static_cast<int64_t>(federation_->params().peg_out_fee_sat);
    // Judged only when the depositor's own books cover it: a peg-in still in flight may land
    // first and make an uncovered request good.
    p->covered = depositor_balance_sat() >= p->amount_sat + fee;
    p->id = api_->new_tx_id();
    fed::FedTx tx{p->id, fed::PegOutTx{.client = k_depositor,
                                       .amount_sat = static_cast<uint64_t>(p->amount_sat),
                                       .address = p->address}};
    p->outcome = api_->submit_and_wait(tx, this_actor::now() + run_.outcome_timeout);
    if (!p->outcome.has_value()) {
        fail("peg_out " + p->name + " got no outcome within " +
             sim::to_string(run_.outcome_timeout));
        return;
    }
    sim_.scheduler()
        .trace("depositor.peg_out_outcome")
        .field("pegout", p->name)
        .field("accepted", p->outcome->accepted)
        .field("error", p->outcome->error);
    if (std::optional<std::string> v = peg_out_violation(*p)) {
        p->violation_reported = true;
        fail(*v);
    }
}

std::optional<std::string> FederationScenarioWorld::peg_out_violation(const PegOut& p) const {
    if (p.outcome.has_value() && p.covered && !p.outcome->accepted) {
        return "peg_out " + p.name + " of " + std::to_string(p.amount_sat) +
               " sat was rejected (" + p.outcome->error + ") although the depositor's ecash "
               "covers it";
    }
    return std::nullopt;
}

const chain::Transaction* FederationScenarioWorld::peg_out_tx(const PegOut& p) const {
    const std::string memo = "pegout:" + std::to_string(p.id.value);
    for (const chain::Transaction& tx : leading_state()->peg_out_txs()) {
        if (tx.memo == memo) {
            return &tx;
        }
    }
    return nullptr;
}

int64_t FederationScenarioWorld::pegouts_on_chain() const {
    int64_t n = 0;
    const chain::Chain& c = btc_.canonical();
    for (const auto& p : pegouts_) {
        const chain::Transaction* tx = p->outcome.has_value() && p->outcome->accepted
                                           ? peg_out_tx(*p)
                                           : nullptr;
        if (tx != nullptr && (c.find_tx(tx->txid()) || c.mempool().contains(tx->txid()))) {
            ++n;
        }
    }
    return n;
}

CheckResult FederationScenarioWorld::check_pegouts() const {
    const chain::Chain& c = btc_.canonical();
    std::vector<PegOutAtEnd> judged;
    for (const auto& p : pegouts_) {
        PegOutAtEnd& j = judged.emplace_back(
            PegOutAtEnd{.name = p->name, .violation = peg_out_violation(*p),
                        .reported = p->violation_reported});
        if (!j.violation.has_value() && finished_ && p->outcome.has_value() &&
            p->outcome->accepted) {
            const chain::Transaction* tx = peg_out_tx(*p);
            j.accepted_off_chain =
                tx == nullptr || !(c.find_tx(tx->txid()) || c.mempool().contains(tx->txid()));
        }
    }
    return list_pegout_failures(judged);
}

}  // namespace scenario
