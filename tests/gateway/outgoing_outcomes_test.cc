// Which stored outgoing payments the gateway's node paid, and which of those it dispatched
// after the invoice expired (outgoing_outcomes.h): what the gateway world's
// gw.no_expired_payment check and its gw.claim_rejected metric (claim_rejected_count) read. A claim the federation rejected, or one never answered
// (`paid` at the run's end), is a payment made over Lightning all the same: before session 14
// the check looked only at `claimed`, so paying an expired invoice and then failing to claim,
// or never getting the claim answered, went unreported.
#include <catch2/catch.hpp>

#include "actors/gateway/outgoing_outcomes.h"

namespace {

using actors::gateway::GatewayStore;
using actors::gateway::OutgoingPayment;
using actors::gateway::OutgoingStage;
using actors::federation::ContractId;

constexpr int64_t k_epoch = 1'700'000'000;
constexpr int64_t k_created = k_epoch + 100;
constexpr uint32_t k_expiry_s = 60;  // expires at unix k_created + 60, sim time 160 s

// A payment whose invoice expires at sim time 160 s, dispatched at `dispatched_ns`.
OutgoingPayment payment(OutgoingStage stage, int64_t dispatched_ns) {
    OutgoingPayment p;
    p.request.invoice.created_at_unix = k_created;
    p.request.invoice.expiry_seconds = k_expiry_s;
    p.stage = stage;
    p.dispatched_at = sim::SimTime::from_ns(dispatched_ns);
    return p;
}

constexpr int64_t k_expiry_ns = 160'000'000'000;

}  // namespace

TEST_CASE("a rejected or unanswered claim counts as paid over Lightning; cancelled and not "
          "yet paid do not", "[gateway][outcomes]") {
    CHECK(actors::gateway::paid_over_lightning(OutgoingStage::claimed));
    CHECK(actors::gateway::paid_over_lightning(OutgoingStage::claim_rejected));
    CHECK(actors::gateway::paid_over_lightning(OutgoingStage::paid));
    CHECK_FALSE(actors::gateway::paid_over_lightning(OutgoingStage::cancelled));
    CHECK_FALSE(actors::gateway::paid_over_lightning(OutgoingStage::paying));
    CHECK_FALSE(actors::gateway::paid_over_lightning(OutgoingStage::received));
}

TEST_CASE("an expired invoice paid and then refused its claim is an expired dispatch, at the "
          "exact edge", "[gateway][outcomes]") {
    GatewayStore store;
    store.outgoing[ContractId{1}] = payment(OutgoingStage::claim_rejected, k_expiry_ns + 1);
    store.outgoing[ContractId{2}] = payment(OutgoingStage::claim_rejected, k_expiry_ns);
    store.outgoing[ContractId{3}] = payment(OutgoingStage::claimed, k_expiry_ns + 2'500'000'000);
    store.outgoing[ContractId{4}] = payment(OutgoingStage::cancelled, k_expiry_ns + 1);
    store.outgoing[ContractId{5}] = payment(OutgoingStage::paid, k_expiry_ns + 1);
    store.outgoing[ContractId{7}] = payment(OutgoingStage::paying, k_expiry_ns + 1);
    OutgoingPayment never = payment(OutgoingStage::claim_rejected, 0);
    never.dispatched_at.reset();
    store.outgoing[ContractId{6}] = never;
    const std::vector<actors::gateway::ExpiredDispatch> e =
        actors::gateway::expired_dispatches(store, k_epoch);
    REQUIRE(e.size() == 3);
    // 1 ns past the expiry: reported (a claim_rejected payment, missed before session 14).
    CHECK(e[0].contract == ContractId{1});
    CHECK(e[0].expired_at_unix == k_created + k_expiry_s);
    CHECK(e[0].late_s == 0);
    // 2 dispatched exactly at the expiry: not expired (is_expired is now > expires_at).
    CHECK(e[1].contract == ContractId{3});
    CHECK(e[1].late_s == 2);
    // Paid, the claim never answered (missed before this fix); not `paying` (7).
    CHECK(e[2].contract == ContractId{5});
    CHECK(e[2].late_s == 0);
}

TEST_CASE("gw.claim_rejected counts the payments whose claim was rejected, and only those",
          "[gateway][outcomes]") {
    GatewayStore store;
    CHECK(actors::gateway::claim_rejected_count(store) == 0);
    store.outgoing[ContractId{1}] = payment(OutgoingStage::claimed, 0);
    store.outgoing[ContractId{2}] = payment(OutgoingStage::paid, 0);
    store.outgoing[ContractId{3}] = payment(OutgoingStage::cancelled, 0);
    CHECK(actors::gateway::claim_rejected_count(store) == 0);
    store.outgoing[ContractId{4}] = payment(OutgoingStage::claim_rejected, 0);
    CHECK(actors::gateway::claim_rejected_count(store) == 1);
    store.outgoing[ContractId{5}] = payment(OutgoingStage::claim_rejected, 0);
    CHECK(actors::gateway::claim_rejected_count(store) == 2);
}
