// Miner: when blocks appear. On demand (tests and scenarios call BitcoinNetwork::mine, like
// generatetoaddress), as a seeded Poisson process with a mean interval, or at a fixed interval.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "actors/chain/bitcoin_network.h"
#include "sim/random.h"
#include "sim/time.h"

namespace actors::chain {

enum class MiningMode : uint8_t { on_demand, poisson, fixed };
const char* to_string(MiningMode m);
// "on_demand", "poisson" or "fixed"; nullopt for anything else.
std::optional<MiningMode> parse_mining_mode(std::string_view name);

struct MinerConfig {
    std::string name = "miner";
    MiningMode mode = MiningMode::on_demand;
    // Mean gap for poisson (exponential draws via sim::Random::exponential), the gap for fixed.
    sim::SimDuration interval = sim::SimDuration::minutes(10);
    std::string coinbase_owner = "miner";
    // Stop after this many blocks (0: no limit).
    uint64_t max_blocks = 0;
};

class Miner {
public:
    // `rng` decides the Poisson gaps; pass a stream forked for this miner.
    // REQUIRES: interval > 0 unless on_demand (validate scenario input before).
    Miner(BitcoinNetwork& network, MinerConfig config, sim::Random rng);
    Miner(const Miner&) = delete;
    Miner& operator=(const Miner&) = delete;

    // Spawns the mining daemon unless the mode is on_demand. The miner must outlive the run.
    void start();
    void stop() { stopped_ = true; }
    uint64_t mined() const { return mined_; }
    const MinerConfig& config() const { return config_; }

    // The gap before the next block (exposed so tests can check the distribution).
    sim::SimDuration next_gap();

private:
    void run();

    BitcoinNetwork* network_;
    MinerConfig config_;
    sim::Random rng_;
    uint64_t mined_ = 0;
    bool stopped_ = false;
};

}  // namespace actors::chain
