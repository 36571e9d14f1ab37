// World kind "peg-in": a federation of guardians, each reading its own bitcoind (chain model)
// through a bitcoind, esplora or fake-bitcoind backend, and a depositor that pegs in once its
// deposit has a chosen number of confirmations.
//
// The depositor holds the federation to the documented rule (fedimint.md 1.3): a peg-in whose
// block has finality_delay + 1 confirmations is accepted, and one with fewer is not. The round
// fingerprint, books and chain-backing checkers run on every round. The "variant" parameter
// switches on a historical count bug in one backend (scenario/variants.h); the rule and the
// checkers know nothing about it.
#include "actors/chain/bitcoin_network.h"
#include "actors/federation/checkers.h"
#include "actors/federation/federation.h"
#include "actors/federation/federation_api.h"
#include "scenario/variants.h"
#include "scenario/worlds/builtin_worlds.h"
#include "scenario/worlds/coinbase_deposit.h"
#include "sim/this_actor.h"

namespace scenario {

namespace {

namespace chain = actors::chain;
namespace fed = actors::federation;

struct PegInParams {
    int64_t pegins = 1;
    int64_t confirmations = 11;
    sim::SimDuration block_interval;
    sim::SimDuration settle;
};

class PegInWorld : public World {
public:
    PegInWorld(sim::Simulation& sim, chain::BitcoinNetworkConfig chain_config)
        : btc(sim.scheduler(), sim.random("chain"), chain_config), hub(sim) {}

    chain::BitcoinNetwork btc;
    fed::CheckerHub hub;
    std::unique_ptr<fed::Federation> federation;
    std::unique_ptr<fed::RoundFingerprintChecker> fingerprints;
    std::unique_ptr<fed::FederationBooksChecker> books;
    std::unique_ptr<fed::ChainBackingChecker> backing;
    std::unique_ptr<fed::FederationApi> api;
    uint64_t finality_delay = fed::k_default_finality_delay;
    int64_t accepted = 0;
    int64_t rejected = 0;

    std::map<std::string, int64_t> metrics() const override {
        return {{"pegin.accepted", accepted}, {"pegin.rejected", rejected}};
    }

    void peg_in_once(const PegInParams& p, fed::ClientId client);
};

void PegInWorld::peg_in_once(const PegInParams& p, fed::ClientId client) {
    auto [outpoint, height] =
        deposit_from_coinbase(btc, federation->multisig(), "depositor", 100000, p.block_interval);
    sim::this_actor::sleep_for(p.block_interval);
    // The deposit's block already counts as one confirmation.
    mine_spaced(btc, p.confirmations - 1, p.block_interval);
    sim::this_actor::sleep_for(p.settle);
    const uint64_t confs = fed::confirmations(static_cast<uint64_t>(btc.canonical().tip_height()),
                                              static_cast<uint64_t>(height));
    // This world never reorganises: the deposit's block is the canonical one at its height.
    fed::FedTx tx{api->new_tx_id(),
                  fed::PegInTx{.client = client, .outpoint = outpoint,
                               .block_hash = *btc.canonical().block_hash(height),
                               .block_height = static_cast<uint64_t>(height)}};
    std::optional<fed::TxOutcome> o =
        api->submit_and_wait(tx, sim::this_actor::now() + sim::SimDuration::seconds(60));
    const std::string at = "peg-in at " + std::to_string(confs) + " confirmations";
    const uint64_t needed = fed::peg_in_confirmations_required(finality_delay);
    if (!o.has_value()) {
        sim::this_actor::fail(at + " got no outcome within 60s");
        return;
    }
    o->accepted ? ++accepted : ++rejected;
    if (confs >= needed && !o->accepted) {
        sim::this_actor::fail(at + " was rejected (" + o->error + "); finality needs " +
                              std::to_string(needed));
    } else if (confs < needed && o->accepted) {
        sim::this_actor::fail(at + " was accepted, but finality needs " +
                              std::to_string(needed) + " confirmations");
    }
}

chain::CountVariant backend_variant(int64_t guardian, int64_t bitcoind, int64_t fake,
                                    const std::string& variant) {
    if (guardian < bitcoind) {
        return variant == "count_returns_height" ? chain::CountVariant::count_returns_height
                                                 : chain::CountVariant::correct;
    }
    if (guardian < bitcoind + fake) {
        return variant == "fake_height_is_len" ? chain::CountVariant::fake_height_is_len
                                               : chain::CountVariant::correct;
    }
    return chain::CountVariant::correct;  // esplora
}

std::unique_ptr<World> build(BuildContext& ctx) {
    const ParamValues& v = ctx.params;
    chain::BitcoinNetworkConfig cc;
    cc.params.coinbase_maturity = 5;
    cc.propagation_min = sim::SimDuration::millis(50);
    cc.propagation_max = param_duration(v, "propagation_max");
    auto world = std::make_unique<PegInWorld>(ctx.sim, cc);
    PegInWorld* w = world.get();
    const int64_t n = param_int(v, "guardians");
    for (int64_t i = 0; i < n; ++i) {
        w->btc.add_node(chain::NodeConfig{
            .name = "btc" + std::to_string(i),
            .count_variant = backend_variant(i, param_int(v, "bitcoind_guardians"),
                                             param_int(v, "fake_guardians"),
                                             param_text(v, "variant"))});
    }
    fed::FederationParams fp;
    w->finality_delay = static_cast<uint64_t>(param_int(v, "finality_delay"));
    fp.finality_delay = w->finality_delay;
    w->federation = std::make_unique<fed::Federation>(
        ctx.sim,
        fed::FederationConfig{.name = "fed", .guardians = static_cast<uint64_t>(n),
                              .params = fp, .timing = {}},
        &w->btc.canonical(), [w](fed::PeerId peer) {
            return std::make_unique<fed::ChainModelBitcoind>(w->btc.node(peer.value));
        });
    w->fingerprints = std::make_unique<fed::RoundFingerprintChecker>(w->hub);
    w->books = std::make_unique<fed::FederationBooksChecker>(w->hub);
    w->backing = std::make_unique<fed::ChainBackingChecker>(w->hub, w->btc.canonical());
    w->federation->attach(w->fingerprints.get());
    w->federation->attach(w->books.get());
    w->federation->attach(w->backing.get());
    w->api = std::make_unique<fed::FederationApi>(ctx.sim, ctx.sim.network().add_node("depositor"),
                                                  *w->federation);
    w->federation->start();
    w->api->start();
    PegInParams p{.pegins = param_int(v, "pegins"), .confirmations = param_int(v, "confirmations"),
                  .block_interval = param_duration(v, "block_interval"),
                  .settle = param_duration(v, "settle")};
    ctx.sim.scheduler().spawn("depositor", [w, p] {
        for (int64_t i = 0; i < p.pegins; ++i) {
            w->peg_in_once(p, fed::ClientId(static_cast<uint64_t>(i + 1)));
        }
    });
    return world;
}

void validate(const Scenario& s, std::vector<Diagnostic>* out) {
    for (const ParamSpec& p : s.params) {
        if (p.name == "guardians" && p.form != ParamSpec::Form::fixed) {
            out->push_back({p.where, "guardians must be fixed (backends are assigned by index)"});
        }
    }
}

}  // namespace

void register_peg_in_world(WorldRegistry& registry) {
    WorldKind k;
    k.name = "peg-in";
    k.doc = "Guardians on bitcoind, esplora or fake backends; a depositor pegs in after a number "
            "of confirmations and expects the finality rule";
    k.fixed_nodes = {"depositor"};
    k.params = {
        variant_param("peg-in"),
        integer_param("guardians", "guardians in the federation", 4, 1, 16),
        integer_param("bitcoind_guardians", "the first N guardians use the bitcoind backend", 0,
                      0, 16),
        integer_param("fake_guardians", "the next N use the fake bitcoind test backend", 0, 0, 16),
        integer_param("finality_delay", "the wallet's finality delay", 10, 0, 100),
        integer_param("confirmations", "confirmations of the deposit when the peg-in is sent",
                      11, 1, 1000),
        integer_param("pegins", "peg-ins, one after another", 1, 1, 100),
        duration_param("block_interval", "time between mined blocks",
                       sim::SimDuration::millis(500)),
        duration_param("settle", "wait after the last block before pegging in",
                       sim::SimDuration::seconds(5)),
        duration_param("propagation_max", "slowest block propagation to a guardian's node",
                       sim::SimDuration::millis(300)),
    };
    k.params[6].shrink_toward = 1;
    k.metrics = {{"pegin.accepted", "peg-ins the federation accepted"},
                 {"pegin.rejected", "peg-ins the federation rejected"}};
    k.bug_variants = variant_docs("peg-in");
    k.validate = validate;
    k.build = build;
    registry.register_world(std::move(k));
}

}  // namespace scenario
