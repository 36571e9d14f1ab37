// Which stored outgoing payments the gateway's node paid, and which of those it dispatched
// after the invoice expired (outgoing_outcomes.h): what the gateway world's
// gw.no_expired_payment check and its gw.claim_rejected metric read. A claim the federation
// rejected is a payment made over Lightning all the same: before session 14 the check looked
// only at `claimed`, so paying an expired invoice and then failing to claim went unreported.
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

TEST_CASE("a rejected claim counts as paid over Lightning; paid-but-unclaimed and cancelled "
          "do not", "[gateway][outcomes]") {
    CHECK(actors::gateway::paid_over_lightning(OutgoingStage::claimed));
    CHECK(actors::gateway::paid_over_lightning(OutgoingStage::claim_rejected));
    CHECK_FALSE(actors::gateway::paid_over_lightning(OutgoingStage::cancelled));
    CHECK_FALSE(actors::gateway::paid_over_lightning(OutgoingStage::paid));
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
    OutgoingPayment never = payment(OutgoingStage::claim_rejected, 0);
    never.dispatched_at.reset();
    store.outgoing[ContractId{6}] = never;
    const std::vector<actors::gateway::ExpiredDispatch> e =
        actors::gateway::expired_dispatches(store, k_epoch);
    REQUIRE(e.size() == 2);
    // 1 ns past the expiry: reported (a claim_rejected payment, missed before session 14).
    CHECK(e[0].contract == ContractId{1});
    CHECK(e[0].expired_at_unix == k_created + k_expiry_s);
    CHECK(e[0].late_s == 0);
    // 2 dispatched exactly at the expiry: not expired (is_expired is now > expires_at).
    CHECK(e[1].contract == ContractId{3});
    CHECK(e[1].late_s == 2);
}
