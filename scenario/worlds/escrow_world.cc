// World kind "escrow": the pay-or-refund example with its timeout race, as a scenario.
//
// Parameters map one to one onto actors::examples::EscrowConfig, so a scenario can sweep the
// client's timeout, the slow-payment ratio and the ledger mode (the check-then-act mode is the
// historical bug variant). The ledger itself fails the run at the event that double-spends;
// the checkers re-read the books at the end.
#include <set>

#include "actors/examples/escrow.h"
#include "scenario/worlds/builtin_worlds.h"

namespace scenario {

namespace {

using actors::examples::EscrowConfig;
using actors::examples::EscrowWorld;
using actors::examples::LedgerMode;

class EscrowScenarioWorld : public World {
public:
    explicit EscrowScenarioWorld(uint32_t payments) : payments_(payments) {}

    EscrowWorld state;

    std::vector<CheckResult> check() const override {
        std::string violation = actors::examples::check_escrow(state);
        std::vector<CheckResult> out;
        out.push_back({"escrow.conservation", violation.empty(), violation});
        int64_t pending = metrics().at("payments.pending");
        out.push_back({"escrow.settled", pending == 0,
                       pending == 0 ? "" : std::to_string(pending) + " payment(s) never settled"});
        return out;
    }

    std::map<std::string, int64_t> metrics() const override {
        std::set<uint64_t> settled;
        for (const auto& [id, n] : state.book.paid_count) {
            settled.insert(id);
        }
        for (const auto& [id, n] : state.book.refunded_count) {
            settled.insert(id);
        }
        return {
            {"payments.paid", static_cast<int64_t>(state.book.paid_count.size())},
            {"payments.refunded", static_cast<int64_t>(state.book.refunded_count.size())},
            {"payments.pending", static_cast<int64_t>(payments_) -
                                     static_cast<int64_t>(settled.size())},
            {"payments.value_in_msat", static_cast<int64_t>(state.value_in_msat)},
            {"payments.value_out_msat", static_cast<int64_t>(state.book.value_out_msat)},
        };
    }

private:
    uint32_t payments_;
};

std::unique_ptr<World> build(BuildContext& ctx) {
    const ParamValues& p = ctx.params;
    EscrowConfig cfg;
    cfg.mode = param_text(p, "mode") == "check_then_act" ? LedgerMode::check_then_act
                                                         : LedgerMode::reserve_first;
    cfg.payments = static_cast<uint32_t>(param_int(p, "payments"));
    cfg.amount_msat = static_cast<uint64_t>(param_int(p, "amount_msat"));
    cfg.client_timeout = param_duration(p, "client_timeout");
    cfg.pay_work_min = param_duration(p, "pay_work_min");
    cfg.pay_work_max = param_duration(p, "pay_work_max");
    cfg.slow_one_in = static_cast<uint32_t>(param_int(p, "slow_one_in"));
    cfg.slow_work = param_duration(p, "slow_work");
    auto world = std::make_unique<EscrowScenarioWorld>(cfg.payments);
    actors::examples::build_escrow(ctx.sim.network(), cfg, &world->state);
    return world;
}

void validate(const Scenario& s, std::vector<Diagnostic>* out) {
    const ParamSpec* lo = nullptr;
    const ParamSpec* hi = nullptr;
    for (const ParamSpec& p : s.params) {
        lo = p.name == "pay_work_min" ? &p : lo;
        hi = p.name == "pay_work_max" ? &p : hi;
    }
    if (lo == nullptr || hi == nullptr) {
        return;
    }
    int64_t lo_max = lo->form == ParamSpec::Form::range ? lo->hi : lo->fixed.number;
    int64_t hi_min = hi->form == ParamSpec::Form::range ? hi->lo : hi->fixed.number;
    if (lo->form != ParamSpec::Form::choice && hi->form != ParamSpec::Form::choice &&
        lo_max > hi_min) {
        out->push_back({lo->where.pointer.empty() ? hi->where : lo->where,
                        "pay_work_min may exceed pay_work_max for some seeds"});
    }
}

}  // namespace

void register_escrow_world(WorldRegistry& registry) {
    WorldKind k;
    k.name = "escrow";
    k.doc = "A client pays through a ledger and asks for a refund on timeout (examples/escrow)";
    k.fixed_nodes = {"ledger", "client"};
    k.params = {
        {.name = "mode", .type = ValueType::text, .doc = "ledger implementation",
         .choices = {"reserve_first", "check_then_act"},
         .default_value = text_value("reserve_first")},
        integer_param("payments", "payments the client makes", 10, 1, 100000),
        integer_param("amount_msat", "amount of each payment", 1000, 1, 2'100'000'000'000'000),
        duration_param("client_timeout", "client waits this long before asking for a refund",
                       sim::SimDuration::millis(100)),
        duration_param("pay_work_min", "fastest payment", sim::SimDuration::millis(1)),
        duration_param("pay_work_max", "slowest ordinary payment", sim::SimDuration::millis(40)),
        integer_param("slow_one_in", "one payment in this many is slow", 1000, 1, 1'000'000),
        duration_param("slow_work", "how long a slow payment takes", sim::SimDuration::millis(150)),
    };
    k.params[1].shrink_toward = 1;
    k.params[2].shrink_toward = 1;
    k.checkers = {{"escrow.conservation", "no payment both paid and refunded, no value created"},
                  {"escrow.settled", "every payment ended paid or refunded"}};
    k.metrics = {{"payments.paid", "payments the ledger paid"},
                 {"payments.refunded", "payments the ledger refunded"},
                 {"payments.pending", "payments that ended neither paid nor refunded"},
                 {"payments.value_in_msat", "value the client put in"},
                 {"payments.value_out_msat", "value the ledger paid out or refunded"}};
    k.bug_variants = {{"escrow.check_then_act",
                       "params.mode = \"check_then_act\": the refund handler checks \"not paid\" "
                       "while a slow payment is still in flight, so it ends paid and refunded"}};
    k.validate = validate;
    k.build = build;
    registry.register_world(std::move(k));
}

}  // namespace scenario
