// The lightning world at run time: the driver (open channels, fire channels_open, run, judge),
// the timeline actions (pay, settle, cancel, mine, chain-view faults, force close) and the
// checks and metrics read at the end.
#include "scenario/worlds/lightning_world.h"

#include "scenario/worlds/end_of_run.h"
#include "scenario/worlds/hub_check.h"
#include "scenario/worlds/lightning_world_shared.h"
#include "sim/this_actor.h"

namespace scenario {

namespace ln = actors::lightning;

LightningScenarioWorld::LightningScenarioWorld(sim::Simulation& sim,
                                               ln::LightningNetworkConfig config,
                                               LightningRunConfig run)
    : sim_(sim),
      ln_(sim, config),
      run_(run),
      hub_(sim),
      checker_(hub_, ln_, {.onchain_slack_blocks = run.onchain_slack_blocks}) {}

void LightningScenarioWorld::start(std::function<void(const std::string&)> emit) {
    checker_.start();
    sim_.scheduler().spawn("lightning.driver", [this, emit] { drive(emit); });
    if (run_.block_interval > sim::SimDuration::zero()) {
        sim_.scheduler().spawn("lightning.miner", [this] {
            while (true) {
                ln_.mine_blocks(1, run_.block_interval);
            }
        }, {.kind = sim::ActorKind::daemon, .node = {}});
    }
}

void LightningScenarioWorld::drive(const std::function<void(const std::string&)>& emit) {
    if (!ln_.mine_until_open(run_.open_max_blocks)) {
        sim_.scheduler().fail(sim::Outcome::check_failed,
                              "lightning setup: channels not open after " +
                                  std::to_string(run_.open_max_blocks) + " blocks");
        return;
    }
    emit("channels_open");
    sim::this_actor::sleep_for(run_.duration);
    finished_ = true;
    checker_.check();
    // Every failing check fails the run, in check() order (end_of_run.h): in stop mode the
    // first ends it with its message (the rest are no-ops), with keep_going each is listed,
    // and a payment still pending does not carry the run on to the time limit.
    judge_end_of_run(sim_.scheduler(), check());
}

ln::NodeIndex LightningScenarioWorld::node_arg(const TimelineEntry& entry,
                                               const std::string& arg) const {
    auto it = index_.find(entry.args.at(arg).text);
    // The validator checked the name against the topology, and build() made every node.
    SIM_ASSERT(it != index_.end());
    return it->second;
}

int64_t LightningScenarioWorld::arg_or(const TimelineEntry& entry, const std::string& arg,
                                       int64_t fallback) const {
    auto it = entry.args.find(arg);
    return it == entry.args.end() ? fallback : it->second.number;
}

void LightningScenarioWorld::on_action(const TimelineEntry& entry) {
    const std::string& a = entry.action;
    if (a == "pay") {
        pay(entry);
    } else if (a == "settle" || a == "cancel") {
        settle_or_cancel(entry, a == "settle");
    } else if (a == "mine") {
        mine(entry);
    } else if (a == "freeze_view" || a == "thaw_view") {
        const ln::LightningNode& n = ln_.node(node_arg(entry, "node"));
        ln_.chain().set_view_frozen(n.view(), a == "freeze_view");
    } else if (a == "set_chain_lag") {
        ln_.chain().set_view_lag(ln_.node(node_arg(entry, "node")).view(),
                                 entry.args.at("lag").duration());
    } else if (a == "force_close") {
        ln::NodeIndex n = node_arg(entry, "node");
        std::optional<ln::ChannelIndex> c = ln_.channel_between(n, node_arg(entry, "peer"));
        if (c && ln_.channel(*c).status() == ln::ChannelStatus::open) {
            ln_.node(n).force_close(*c, "timeline force_close");
        }
    }
}

void LightningScenarioWorld::pay(const TimelineEntry& entry) {
    auto p = std::make_unique<Payment>();
    p->name = entry.name.empty() ? "pay" + std::to_string(payments_.size()) : entry.name;
    p->payee = node_arg(entry, "to");
    p->hold = entry.args.at("hold").flag();
    const ln::NodeIndex payer = node_arg(entry, "from");
    ln::InvoiceOptions io{.amount_msat = static_cast<uint64_t>(
                              arg_or(entry, "amount_msat", run_.amount_msat))};
    if (entry.args.count("min_final_cltv_expiry_delta") > 0) {
        io.min_final_cltv_expiry_delta =
            static_cast<uint32_t>(entry.args.at("min_final_cltv_expiry_delta").number);
    }
    ln::PayLimits limits{.timeout = run_.pay_timeout, .max_attempts = run_.max_attempts};
    const int64_t fee = arg_or(entry, "max_fee_msat", run_.max_fee_msat);
    if (fee >= 0) {
        limits.max_fee_msat = static_cast<uint64_t>(fee);
        p->max_fee_msat = limits.max_fee_msat;
    }
    const int64_t cltv = arg_or(entry, "cltv_limit", run_.cltv_limit);
    if (cltv >= 0) {
        limits.cltv_limit = static_cast<uint32_t>(cltv);
    }
    Payment* raw = p.get();
    payments_.push_back(std::move(p));
    auto c_arg = entry.args.find("min_final_cltv_expiry_delta");
    const SourceLocation where = c_arg != entry.args.end() ? c_arg->second.where : entry.where;
    sim_.scheduler().spawn("pay." + raw->name, [this, raw, payer, io, limits, where] {
        ln::LightningNode& payee = ln_.node(raw->payee);
        if (raw->hold) {
            raw->preimage = ln::random_preimage(sim::this_actor::random());
            ln_.chain().register_preimage(raw->preimage);
        }
        ln::Result<ln::Invoice> invoice =
            raw->hold ? payee.try_create_hold_invoice(io, ln::payment_hash_of(raw->preimage))
                      : payee.try_create_invoice(io);
        if (!invoice.ok()) {
            refuse_entry(sim_, &input_error_, "lightning", where, invoice.error());
            return;
        }
        raw->result = ln_.node(payer).pay(ln::public_copy(invoice.value()), limits);
        raw->state = raw->result.succeeded ? PayState::succeeded : PayState::failed;
    }, {.node = ln_.node(payer).net_id()});
}

void LightningScenarioWorld::settle_or_cancel(const TimelineEntry& entry, bool settle) {
    const std::string& name = entry.args.at("payment").text;
    for (const auto& p : payments_) {
        if (p->name != name || !p->hold) {
            continue;
        }
        ln::LightningNode& payee = ln_.node(p->payee);
        bool done = settle ? payee.settle_hold(p->preimage)
                           : payee.cancel_hold(ln::payment_hash_of(p->preimage));
        sim_.scheduler().trace(settle ? sim::TraceName("ln_hold_settle") : sim::TraceName("ln_hold_cancel"))
            .field("payment", name)
            .field("done", done);
        return;
    }
    sim_.scheduler().fail(sim::Outcome::check_failed,
                          entry.action + ": no hold-invoice payment named \"" + name + "\"");
}

void LightningScenarioWorld::mine(const TimelineEntry& entry) {
    const auto blocks = static_cast<uint32_t>(entry.args.at("blocks").number);
    const sim::SimDuration spacing = entry.args.at("spacing").duration();
    sim_.scheduler().spawn("lightning.mine", [this, blocks, spacing] {
        ln_.mine_blocks(blocks, spacing);
    });
}

CheckResult LightningScenarioWorld::check_terminal() const {
    for (const auto& p : payments_) {
        if (p->state == PayState::pending) {
            return {"ln.payments_terminal", false,
                    "payment " + p->name + " is still pending at the end of `duration`"};
        }
    }
    return {"ln.payments_terminal", true, ""};
}

CheckResult LightningScenarioWorld::check_fee_limits() const {
    for (const auto& p : payments_) {
        if (p->state == PayState::succeeded && p->max_fee_msat &&
            p->result.fee_msat > *p->max_fee_msat) {
            return {"ln.fee_limits", false,
                    "payment " + p->name + " paid " + std::to_string(p->result.fee_msat) +
                        " msat in fees, above its max fee " + std::to_string(*p->max_fee_msat)};
        }
    }
    return {"ln.fee_limits", true, ""};
}

std::vector<CheckResult> LightningScenarioWorld::check() const {
    // Conservation is read from the network now (the hub's reports carry a time and seed);
    // whether its failure was reported is the hub's answer: the driver's full walk
    // (LightningChecker::check) reports every imbalance it sees just before the judgement.
    std::string conservation = ln_.check_conservation();
    const CheckResult conservation_reported =
        hub_check(hub_, "ln.conservation", {"channel_conservation"});
    std::vector<CheckResult> out = {
        {.checker = "ln.conservation",
         .passed = conservation.empty(),
         .message = conservation,
         .already_reported = !conservation_reported.passed},
        hub_check(hub_, "ln.htlc_expiry", {"htlc_expiry"}), check_fee_limits()};
    // Before the driver finished, a pending payment is normal (the run ended early).
    out.push_back(finished_ ? check_terminal() : CheckResult{"ln.payments_terminal", true, ""});
    return out;
}

std::map<std::string, int64_t> LightningScenarioWorld::metrics() const {
    std::map<std::string, int64_t> m = {
        {"ln.payments", static_cast<int64_t>(payments_.size())}, {"ln.payments_succeeded", 0},
        {"ln.payments_failed", 0}, {"ln.payments_pending", 0}, {"ln.attempts", 0},
        {"ln.fees_msat", 0}, {"ln.fee_limit_failures", 0}, {"ln.force_closes", 0},
        {"ln.fail_backs", 0}, {"ln.channels_open", 0}, {"ln.channels_closed", 0},
        {"ln.tip_height", ln_.chain().tip()}};
    for (const auto& p : payments_) {
        m["ln.attempts"] += static_cast<int64_t>(p->result.attempts.size());
        if (p->state == PayState::succeeded) {
            ++m["ln.payments_succeeded"];
            m["ln.fees_msat"] += static_cast<int64_t>(p->result.fee_msat);
        } else if (p->state == PayState::failed) {
            ++m["ln.payments_failed"];
            m["ln.fee_limit_failures"] += p->result.reason.find("max fee") != std::string::npos;
        } else {
            ++m["ln.payments_pending"];
        }
    }
    for (ln::NodeIndex n = 0; n < ln_.node_count(); ++n) {
        if (!ln_.is_virtual(n)) {
            m["ln.force_closes"] += static_cast<int64_t>(ln_.node(n).log().closes.size());
            m["ln.fail_backs"] += static_cast<int64_t>(ln_.node(n).log().fail_backs.size());
        }
    }
    for (ln::ChannelIndex c = 0; c < ln_.channel_count(); ++c) {
        const bool open = ln_.channel(c).status() == ln::ChannelStatus::open;
        ++m[open ? "ln.channels_open" : "ln.channels_closed"];
    }
    return m;
}

}  // namespace scenario
