// Escrow: a tiny pay-or-refund system with a real timeout race; the demo's bug to find.
//
// A client asks a ledger to pay; if no answer comes within its timeout it asks for a refund.
// The ledger handles each request in its own task, and paying takes time (occasionally a lot).
// In LedgerMode::check_then_act the refund handler checks "not paid yet" and refunds while the
// pay task is still working, so a slow payment ends both paid and refunded — value created from
// nothing. LedgerMode::reserve_first marks the payment as being refunded before it answers, and
// the pay task re-checks after its work, so each payment ends in exactly one state. The bug only
// shows when a slow payment meets a short timeout: a handful of seeds in a thousand.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "sim/network.h"
#include "sim/time.h"

namespace actors::examples {

enum class LedgerMode : uint8_t { check_then_act, reserve_first };

enum class PaymentState : uint8_t { pending, paid, refunded };

// What the ledger did, for the checker. Keyed by payment id (ordered map: deterministic).
struct LedgerBook {
    std::map<uint64_t, uint32_t> paid_count;
    std::map<uint64_t, uint32_t> refunded_count;
    uint64_t value_out_msat = 0;  // paid plus refunded: must never exceed what clients put in
};

struct EscrowConfig {
    LedgerMode mode = LedgerMode::check_then_act;
    uint32_t payments = 10;
    uint64_t amount_msat = 1000;
    sim::SimDuration client_timeout = sim::SimDuration::millis(100);
    sim::SimDuration pay_work_min = sim::SimDuration::millis(1);
    sim::SimDuration pay_work_max = sim::SimDuration::millis(40);
    // One payment in `slow_one_in` takes slow_work instead (a congested node).
    uint32_t slow_one_in = 1000;
    sim::SimDuration slow_work = sim::SimDuration::millis(150);
};

struct EscrowWorld {
    sim::NodeId ledger;
    sim::NodeId client;
    LedgerBook book;
    uint64_t value_in_msat = 0;
};

// Adds the two nodes to `net` and spawns the ledger (daemon) and client (foreground) actors.
// `world` must outlive the run.
void build_escrow(sim::Network& net, const EscrowConfig& config, EscrowWorld* world);

// Returns an empty string when every payment ended in exactly one state and no value was
// created; otherwise the first violation, naming the payment.
std::string check_escrow(const EscrowWorld& world);

}  // namespace actors::examples
