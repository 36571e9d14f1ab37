// The standard and scale benchmark worlds (see standard_world.h): construction, the day's
// timeline (mining, payments, faults) and the end-of-run checks.
#include "bench/standard_world.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include "actors/client/client.h"
#include "actors/federation/checkers.h"
#include "actors/federation/federation.h"
#include "actors/gateway/gateway.h"
#include "actors/lightning/lightning_network.h"
#include "actors/lightning/topology.h"
#include "scenario/worlds/lightning_federation.h"
#include "sim/this_actor.h"

namespace bench {

namespace {

using namespace actors;
using federation::ClientId;
using federation::PeerId;
namespace ln = actors::lightning;
namespace this_actor = sim::this_actor;

constexpr uint64_t k_gateway_client = 1000;
constexpr chain::Amount k_peg_in_sat = 50000000;  // per client and for the gateway

sim::SimulationConfig sim_config(const StandardOptions& o) {
    sim::SimulationConfig cfg;
    cfg.seed = o.seed;
    cfg.faults.enabled = o.faults;
    // Lightning peers and API users talk over TCP in reality: jitter, but no loss.
    cfg.default_link = {.latency_min = sim::SimDuration::millis(1),
                        .latency_max = sim::SimDuration::millis(o.faults ? 40 : 1)};
    return cfg;
}

// The world's graph, from the seed's "bench.topology" stream (the stream a Simulation seeded
// with o.seed forks under that name, so options_error draws the same graph as the world).
ln::Result<ln::Topology> draw_topology(const StandardOptions& o) {
    sim::Random topo_rng = sim::Random(o.seed).fork("bench.topology");
    ln::TopologyOptions t;
    t.capacity_sat = {2000000, 10000000};
    t.node1_share_percent = {30, 70};
    t.policy.fee_base_msat = {0, 1000};
    t.policy.fee_ppm = {1, 500};
    t.policy.cltv_expiry_delta = {34, 80};
    return ln::scale_free_topology(o.ln_nodes, o.ln_channels, t, topo_rng);
}

ln::Topology make_topology(const StandardOptions& o) {
    ln::Result<ln::Topology> topo = draw_topology(o);
    SIM_ASSERT_MSG(topo.ok(), topo.error());
    return std::move(topo.value());
}

// What the faucet pays: every channel and the peg-in deposits.
chain::Amount faucet_need(const StandardOptions& o, const ln::Topology& topo) {
    chain::Amount need = static_cast<chain::Amount>(o.clients + 1) * k_peg_in_sat;
    for (const auto& [scid, info] : topo.graph.channels()) {
        need += static_cast<chain::Amount>(info.capacity_msat / 1000);
    }
    return need;
}

// The faucet funds every channel and the peg-in deposits: a large network needs more than the
// chain backend's default two coinbases (the extra ones are mined before the run starts).
ln::LightningNetworkConfig ln_config(const StandardOptions& o, const ln::Topology& topo) {
    ln::LightningNetworkConfig c;
    c.chain.faucet_min_sat = faucet_need(o, topo);
    return c;
}

class StandardWorld {
public:
    explicit StandardWorld(const StandardOptions& o)
        : opt_(o),
          sim_(sim_config(o)),
          topo_(make_topology(o)),
          ln_(sim_, ln_config(o, topo_)),
          hub_(sim_),
          rng_(sim_.random("bench.world")) {
        build_lightning();
        build_federation();
    }

    StandardReport run();

private:
    void build_lightning();
    void build_federation();
    void guardian_faults();
    void scenario();
    void peg_in_everyone();
    void spawn_payments();
    void pay_out(uint32_t i, sim::SimTime at);
    void pay_in(uint32_t i, sim::SimTime at);
    void ln_pay(uint32_t i, sim::SimTime at);
    ln::NodeIndex random_ln_node(bool allow_gateway);
    uint64_t random_amount_msat() { return 1000 * static_cast<uint64_t>(rng_.range(1000, 20000)); }
    void done_one() { --in_flight_; }

    StandardOptions opt_;
    sim::Simulation sim_;
    ln::Topology topo_;
    ln::LightningNetwork ln_;
    federation::CheckerHub hub_;
    sim::Random rng_;
    std::vector<ln::NodeIndex> ln_nodes_;
    ln::NodeIndex gw_node_ = 0;
    ln::NodeIndex fed_node_ = 0;
    std::unique_ptr<federation::Federation> fed_;
    std::unique_ptr<scenario::LightningFederationCheckers> checkers_;
    std::unique_ptr<gateway::Gateway> gateway_;
    std::vector<std::unique_ptr<client::Client>> clients_;
    int64_t in_flight_ = 0;
    uint64_t out_succeeded_ = 0;
    uint64_t out_resolved_ = 0;
    uint64_t in_received_ = 0;
    uint64_t ln_succeeded_ = 0;
};

void StandardWorld::build_lightning() {
    ln::Result<std::vector<ln::NodeIndex>> ids =
        ln::build_from_topology(ln_, topo_, {"lnd", "cln", "ldk"});
    SIM_ASSERT(ids.ok());
    ln_nodes_ = ids.value();
    gw_node_ = ln_nodes_[0];  // the first node: best connected under preferential attachment
    fed_node_ = ln_.add_virtual_node("fed");
}

void StandardWorld::build_federation() {
    federation::GuardianTiming timing =
        opt_.production_timing ? federation::GuardianTiming::production()
                               : federation::GuardianTiming{};
    if (opt_.round_interval > sim::SimDuration::zero()) {
        timing.round_interval = opt_.round_interval;
    }
    if (opt_.monitor_interval > sim::SimDuration::zero()) {
        timing.monitor_interval = opt_.monitor_interval;
    }
    if (opt_.heartbeat > sim::SimDuration::zero()) {
        timing.heartbeat = opt_.heartbeat;
    }
    fed_ = scenario::make_lightning_federation(
        sim_, ln_,
        {.guardians = opt_.guardians,
         .timing = timing,
         .view_lag = [](PeerId p) { return sim::SimDuration::millis(100 * (p.value + 1)); },
         .rpc_error = opt_.faults ? sim::Ratio{1, 100} : sim::Ratio::never()});
    checkers_ = std::make_unique<scenario::LightningFederationCheckers>(
        hub_, ln_, *fed_, sim::SimDuration::hours(2));
    gateway::GatewayConfig gw{.name = "gw", .ln_node = gw_node_, .federation_node = fed_node_,
                              .client = ClientId(k_gateway_client)};
    if (opt_.production_timing) {
        gw.registration_interval = gateway::k_registration_interval_production;
    }
    if (opt_.registration_interval > sim::SimDuration::zero()) {
        gw.registration_interval = opt_.registration_interval;
    }
    gateway_ = std::make_unique<gateway::Gateway>(sim_, ln_, *fed_, gw, &checkers_->payments);
    for (uint32_t c = 0; c < opt_.clients; ++c) {
        clients_.push_back(std::make_unique<client::Client>(
            sim_, ln_, *fed_,
            client::ClientConfig{.name = "client" + std::to_string(c),
                                 .id = ClientId(c + 1),
                                 .federation_node = fed_node_},
            &checkers_->payments));
    }
}

// Lossy guardian-to-guardian links (the agreement retries), one guardian crash and one 2/2
// partition, both healed well before the day ends.
void StandardWorld::guardian_faults() {
    const std::vector<sim::NodeId>& g = fed_->nodes();
    sim::LinkConfig lossy{.latency_min = sim::SimDuration::millis(5),
                          .latency_max = sim::SimDuration::millis(60),
                          .drop = {1, 100},
                          .duplicate = {1, 100},
                          .reorder = {1, 20}};
    for (sim::NodeId a : g) {
        for (sim::NodeId b : g) {
            if (a != b) {
                sim_.network().set_link(a, b, lossy);
            }
        }
    }
    const sim::SimDuration day = opt_.day;
    const auto victim = PeerId(rng_.below(opt_.guardians));
    this_actor::sleep_for(rng_.duration(day / 8, day / 4));
    fed_->crash(victim);
    this_actor::sleep_for(sim::SimDuration::minutes(10));
    fed_->restart(victim);
    this_actor::sleep_for(rng_.duration(day / 8, day / 4));
    uint32_t cut = fed_->partition({PeerId(0), PeerId(1)});
    this_actor::sleep_for(sim::SimDuration::minutes(2));
    fed_->heal(cut);
}

StandardReport StandardWorld::run() {
    fed_->start();
    checkers_->start();
    sim_.scheduler().spawn("scenario", [this] { scenario(); });
    StandardReport report;
    report.result = sim_.run(sim::RunLimits{
        .max_time = sim::SimTime::zero() + opt_.day + opt_.day + sim::SimDuration::hours(12)});
    checkers_->lightning.check();
    checkers_->payments.check_final();
    report.out_succeeded = out_succeeded_;
    report.out_resolved = out_resolved_;
    report.in_received = in_received_;
    report.ln_succeeded = ln_succeeded_;
    if (!hub_.ok()) {
        report.violation = hub_.violations().front();
    }
    return report;
}

void StandardWorld::scenario() {
    if (!ln_.mine_until_open(40, sim::SimDuration::seconds(2))) {
        this_actor::fail("channels did not open");
    }
    gateway_->start();
    for (auto& c : clients_) {
        c->start();
    }
    peg_in_everyone();
    if (opt_.faults) {
        this_actor::spawn("faults", [this] { guardian_faults(); });
    }
    const sim::SimTime start = this_actor::now();
    // The checker flags any payment pending `bound` after this instant; payments keep starting
    // all day, so the instant is the end of the day's traffic (every fault heals before it).
    checkers_->payments.faults_healed(start + opt_.day);
    this_actor::spawn("miner", [this, start] {
        for (uint32_t b = 0; b < opt_.blocks; ++b) {
            // Seeded block times, evenly spread: block b lands in slot b of the day.
            const sim::SimDuration slot = opt_.day / opt_.blocks;
            this_actor::sleep_until(start + slot * b + rng_.duration(sim::SimDuration::zero(),
                                                                     slot));
            ln_.mine_blocks(1, sim::SimDuration::zero());
        }
    });
    spawn_payments();
    this_actor::sleep_until(start + opt_.day);
    while (in_flight_ > 0) {
        this_actor::sleep_for(sim::SimDuration::seconds(10));
    }
    this_actor::sleep_for(sim::SimDuration::seconds(30));
}

// One funding transaction with an output per client and the gateway, 13 blocks, then every
// account submits its peg-in.
void StandardWorld::peg_in_everyone() {
    std::vector<federation::FederationApi*> apis{&gateway_->api()};
    std::vector<ClientId> who{ClientId(k_gateway_client)};
    for (auto& c : clients_) {
        apis.push_back(&c->api());
        who.push_back(c->config().id);
    }
    // A federation knows only blocks from its first sync on (fedimint.md §1), so deposits are
    // made once it has one, and claimed once its consensus count covers the deposit's block
    // (the client's deposit state machine waits for that too). With 60 s polls each wait takes
    // a minute or two.
    const sim::SimTime give_up = this_actor::now() + sim::SimDuration::minutes(30);
    auto wait_for_count_above = [&](uint64_t height) {
        for (;;) {
            std::optional<uint64_t> count = apis[0]->wallet_count();
            if (count.has_value() && *count > height) {
                return;
            }
            if (this_actor::now() >= give_up) {
                this_actor::fail("the federation's block count stayed at or below " +
                                 std::to_string(height) + " for 30 minutes");
            }
            this_actor::sleep_for(sim::SimDuration::seconds(5));
        }
    };
    wait_for_count_above(0);
    std::vector<chain::TxOut> outs(apis.size());
    for (chain::TxOut& out : outs) {
        out.value = k_peg_in_sat;
        out.condition = fed_->multisig();
    }
    chain::Txid txid = ln_.chain().fund(outs, "deposits");
    ln_.mine_blocks(1, sim::SimDuration::seconds(1));
    std::optional<chain::TxLocation> at = ln_.chain().tx_location(txid);
    SIM_ASSERT(at.has_value());
    const std::optional<int64_t> height = at->height;
    ln_.mine_blocks(12, sim::SimDuration::seconds(1));
    wait_for_count_above(static_cast<uint64_t>(*height));
    for (size_t i = 0; i < apis.size(); ++i) {
        federation::FedTx tx{apis[i]->new_tx_id(),
                             federation::PegInTx{.client = who[i],
                                                 .outpoint = chain::OutPoint{txid,
                                                                            static_cast<uint32_t>(i)},
                                                 .block_hash = at->block_hash,
                                                 .block_height = static_cast<uint64_t>(*height)}};
        std::optional<federation::TxOutcome> o =
            apis[i]->submit_and_wait(tx, this_actor::now() + sim::SimDuration::minutes(5));
        if (!o.has_value() || !o->accepted) {
            this_actor::fail("peg-in " + std::to_string(i) + " not accepted: " +
                             (o.has_value() ? o->error : std::string("no outcome in 5 minutes")));
        }
    }
}

// Payment start times are drawn up front, uniformly over the day, then each payment is
// spawned as its own actor at its time.
void StandardWorld::spawn_payments() {
    struct Planned {
        sim::SimTime at;
        int kind;  // 0 out, 1 in, 2 ln
        uint32_t index;
    };
    std::vector<Planned> plan;
    const sim::SimTime start = this_actor::now();
    // The last hour of the day is left for payments in flight to settle.
    const sim::SimDuration window =
        std::max(sim::SimDuration::zero(), opt_.day - sim::SimDuration::hours(1));
    auto add = [&](int kind, uint32_t count) {
        for (uint32_t i = 0; i < count; ++i) {
            plan.push_back({start + rng_.duration(sim::SimDuration::zero(), window), kind, i});
        }
    };
    add(0, opt_.payments_each_way);
    add(1, opt_.payments_each_way);
    add(2, opt_.ln_payments);
    std::stable_sort(plan.begin(), plan.end(),
                     [](const Planned& a, const Planned& b) { return a.at < b.at; });
    in_flight_ += static_cast<int64_t>(plan.size());
    this_actor::spawn("payments", [this, plan = std::move(plan)] {
        for (const Planned& p : plan) {
            this_actor::sleep_until(p.at);
            if (p.kind == 0) {
                pay_out(p.index, p.at);
            } else if (p.kind == 1) {
                pay_in(p.index, p.at);
            } else {
                ln_pay(p.index, p.at);
            }
        }
    });
}

ln::NodeIndex StandardWorld::random_ln_node(bool allow_gateway) {
    for (;;) {
        ln::NodeIndex n = ln_nodes_[rng_.below(ln_nodes_.size())];
        if (allow_gateway || n != gw_node_) {
            return n;
        }
    }
}

void StandardWorld::pay_out(uint32_t i, sim::SimTime) {
    client::Client* c = clients_[i % clients_.size()].get();
    ln::NodeIndex payee = random_ln_node(false);
    ln::Invoice inv = ln_.node(payee).create_invoice(
        ln::InvoiceOptions{.amount_msat = random_amount_msat()});
    this_actor::spawn("pay_out#" + std::to_string(i), [this, c, inv] {
        client::ClientPayment p = c->pay(inv);
        ++out_resolved_;
        out_succeeded_ += p.state == federation::PaymentState::succeeded ? 1 : 0;
        done_one();
    });
}

void StandardWorld::pay_in(uint32_t i, sim::SimTime) {
    client::Client* c = clients_[i % clients_.size()].get();
    ln::NodeIndex payer = random_ln_node(false);
    const uint64_t amount = random_amount_msat();
    this_actor::spawn("pay_in#" + std::to_string(i), [this, c, payer, amount, i] {
        std::optional<ln::Invoice> inv = c->create_invoice(amount);
        if (inv.has_value()) {
            this_actor::spawn("payer#" + std::to_string(i),
                              [this, payer, inv] { (void)ln_.node(payer).pay(*inv); });
            in_received_ += c->await_receive(inv->payment_hash, sim::SimDuration::minutes(30));
        }
        done_one();
    });
}

void StandardWorld::ln_pay(uint32_t i, sim::SimTime) {
    ln::NodeIndex payer = random_ln_node(true);
    ln::NodeIndex payee = payer;
    while (payee == payer) {
        payee = random_ln_node(true);
    }
    ln::Invoice inv = ln_.node(payee).create_invoice(
        ln::InvoiceOptions{.amount_msat = random_amount_msat() / 10});
    this_actor::spawn("ln_pay#" + std::to_string(i), [this, payer, inv] {
        ln::PaymentResult r = ln_.node(payer).pay(inv);
        ln_succeeded_ += r.succeeded ? 1 : 0;
        done_one();
    });
}

}  // namespace

std::optional<std::string> options_error(const StandardOptions& options) {
    ln::Result<ln::Topology> topo = draw_topology(options);
    if (!topo.ok()) {
        return "the Lightning graph cannot be drawn: " + topo.error();
    }
    // Channels of at most 10,000,000 sat: even 2^32 of them fit in an Amount (int64).
    const chain::Amount need = faucet_need(options, topo.value());
    const chain::Amount supply = ln::faucet_supply();
    if (need > supply) {
        return "the faucet would pay " + std::to_string(need) + " sat (" +
               std::to_string(options.ln_channels) + " channels and " +
               std::to_string(options.clients + 1) +
               " peg-ins), more than regtest's whole supply (" + std::to_string(supply) +
               " sat)";
    }
    return std::nullopt;
}

StandardReport run_standard(const StandardOptions& options) {
    StandardWorld world(options);
    return world.run();
}

StandardOptions standard_options(uint64_t seed) {
    StandardOptions o;
    o.seed = seed;
    o.production_timing = true;
    return o;
}

uint64_t peak_rss_kib() {
    FILE* f = std::fopen("/proc/self/status", "r");
    if (f == nullptr) {
        return 0;
    }
    char line[256];
    uint64_t kib = 0;
    while (std::fgets(line, sizeof line, f) != nullptr) {
        if (std::strncmp(line, "VmHWM:", 6) == 0) {
            kib = std::strtoull(line + 6, nullptr, 10);
        }
    }
    std::fclose(f);
    return kib;
}

}  // namespace bench
