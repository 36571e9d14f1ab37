// Ledger and client actors of the escrow example, and its conservation checker.
#include "actors/examples/escrow.h"

#include <memory>

#include "sim/this_actor.h"

namespace actors::examples {

namespace this_actor = sim::this_actor;

namespace {

struct PayRequest {
    uint64_t id;
    uint64_t amount_msat;
};
struct RefundRequest {
    uint64_t id;
};
struct Answer {
    uint64_t id;
    PaymentState state;
};

// Checks the books after every change, so a violation fails the run at the event that caused it.
void verify(const EscrowWorld& w) {
    std::string violation = check_escrow(w);
    if (!violation.empty()) {
        this_actor::fail(violation);
    }
}

struct LedgerState {
    std::map<uint64_t, PaymentState> payments;
    std::map<uint64_t, bool> refund_reserved;
    std::map<uint64_t, bool> pay_seen;  // the network may duplicate requests
};

void handle_pay(sim::Network& net, const EscrowConfig& cfg, EscrowWorld* w,
                std::shared_ptr<LedgerState> st, PayRequest req, sim::NodeId from) {
    sim::Random& rng = this_actor::random();
    bool slow = rng.below(cfg.slow_one_in) == 0;
    this_actor::sleep_for(slow ? cfg.slow_work : rng.duration(cfg.pay_work_min, cfg.pay_work_max));
    if (cfg.mode == LedgerMode::reserve_first && st->refund_reserved[req.id]) {
        return;  // the refund won; paying now would double-spend
    }
    st->payments[req.id] = PaymentState::paid;
    ++w->book.paid_count[req.id];
    w->book.value_out_msat += req.amount_msat;
    this_actor::trace("paid").field("payment", req.id).field("slow", slow);
    verify(*w);
    net.send(w->ledger, from, "answer", Answer{req.id, PaymentState::paid});
}

void handle_refund(sim::Network& net, const EscrowConfig& cfg, EscrowWorld* w,
                   std::shared_ptr<LedgerState> st, RefundRequest req, sim::NodeId from) {
    PaymentState& state = st->payments[req.id];
    if (state != PaymentState::pending) {
        net.send(w->ledger, from, "answer", Answer{req.id, state});
        return;  // already final (or a duplicated refund request)
    }
    if (cfg.mode == LedgerMode::reserve_first) {
        st->refund_reserved[req.id] = true;
    }
    state = PaymentState::refunded;
    ++w->book.refunded_count[req.id];
    w->book.value_out_msat += cfg.amount_msat;
    this_actor::trace("refunded").field("payment", req.id);
    verify(*w);
    net.send(w->ledger, from, "answer", Answer{req.id, PaymentState::refunded});
}

void run_ledger(sim::Network& net, const EscrowConfig& cfg, EscrowWorld* w) {
    auto st = std::make_shared<LedgerState>();
    while (std::optional<sim::Envelope> env = net.inbox(w->ledger).recv()) {
        sim::NodeId from = env->from;
        if (const PayRequest* pay = env->as<PayRequest>()) {
            if (st->pay_seen[pay->id]) {
                continue;  // a duplicate of a request already being handled
            }
            st->pay_seen[pay->id] = true;
            // One task per request, as a real server would: this is where the race lives. It is
            // foreground work, so the run does not end while a payment is still in progress.
            this_actor::spawn(
                "ledger.pay#" + std::to_string(pay->id),
                [&net, cfg, w, st, req = *pay, from] { handle_pay(net, cfg, w, st, req, from); });
        } else if (const RefundRequest* refund = env->as<RefundRequest>()) {
            handle_refund(net, cfg, w, st, *refund, from);
        }
    }
}

// Sends one payment and waits for its answer; on timeout, asks for a refund instead.
void pay_one(sim::Network& net, const EscrowConfig& cfg, EscrowWorld* w, uint64_t id) {
    w->value_in_msat += cfg.amount_msat;
    net.send(w->client, w->ledger, "pay", PayRequest{id, cfg.amount_msat});
    sim::SimTime deadline = this_actor::now() + cfg.client_timeout;
    bool refund_sent = false;
    for (;;) {
        std::optional<sim::Envelope> env = net.inbox(w->client).recv_until(deadline);
        if (!env && !refund_sent) {
            this_actor::trace("pay_timeout").field("payment", id);
            net.send(w->client, w->ledger, "refund", RefundRequest{id});
            refund_sent = true;
            deadline = this_actor::now() + cfg.client_timeout;
            continue;
        }
        if (!env) {
            return;  // the ledger is unreachable; the checker will see a pending payment
        }
        const Answer* a = env->as<Answer>();
        if (a != nullptr && a->id == id) {
            return;
        }
    }
}

}  // namespace

void build_escrow(sim::Network& net, const EscrowConfig& config, EscrowWorld* world) {
    world->ledger = net.add_node("ledger");
    world->client = net.add_node("client");
    sim::Scheduler& sched = sim::Scheduler::current();
    sched.spawn(
        "ledger", [&net, config, world] { run_ledger(net, config, world); },
        {.kind = sim::ActorKind::daemon, .node = world->ledger});
    sched.spawn(
        "client",
        [&net, config, world] {
            for (uint64_t id = 1; id <= config.payments; ++id) {
                pay_one(net, config, world, id);
                this_actor::sleep_for(this_actor::random().duration(
                    sim::SimDuration::millis(1), sim::SimDuration::millis(20)));
            }
        },
        {.node = world->client});
}

std::string check_escrow(const EscrowWorld& world) {
    for (const auto& [id, n] : world.book.paid_count) {
        auto refunded = world.book.refunded_count.find(id);
        if (refunded != world.book.refunded_count.end()) {
            return "payment " + std::to_string(id) + " was both paid and refunded";
        }
        if (n > 1) {
            return "payment " + std::to_string(id) + " was paid " + std::to_string(n) + " times";
        }
    }
    if (world.book.value_out_msat > world.value_in_msat) {
        return "value created: out " + std::to_string(world.book.value_out_msat) + " msat > in " +
               std::to_string(world.value_in_msat) + " msat";
    }
    return "";
}

}  // namespace actors::examples
