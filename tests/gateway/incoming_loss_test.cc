// gw.never_loses for incoming payments (scenario/worlds/gateway_incoming_loss.h): the judgement
// at each edge — a funded, decrypted contract whose HTLC the gateway failed is a loss, claimed or
// not; a held HTLC, a settled one, a pending decryption, an invalid preimage (the contract refunds
// the gateway) and a contract someone else funded are not — and, end to end, a loss planted by
// stalling the decryption until the gateway's node gave the HTLC up is reported during the run
// with the contract, the amount and the reason, while the same receive unstalled reports
// nothing.
#include "e2e_world.h"

#include "scenario/worlds/gateway_incoming_loss.h"

using namespace e2e;
namespace this_actor = sim::this_actor;

namespace {

const federation::Preimage k_preimage = federation::preimage_from_label(0xF00D);
const federation::PublicKey k_gateway_key{101};
const ClientId k_gateway_client(100);

// A contract the gateway funded with 700,000 msat, with `shares` valid decryption shares of four
// guardians (three decrypt) over `plaintext` (k_preimage: `some`; another: `invalid`).
federation::IncomingRecord funded(uint32_t shares, federation::Preimage plaintext = k_preimage) {
    const federation::IncomingOfferV1 offer{
        .amount_msat = 700000,
        .hash = federation::payment_hash_of(k_preimage),
        .encrypted_preimage = {.ciphertext_id = 7, .plaintext = plaintext, .well_formed = true},
        .expiry_time_unix_secs = std::nullopt};
    federation::IncomingRecord rec{
        .contract = federation::IncomingContractV1(offer, 700000, k_gateway_key,
                                                   federation::Quorum::of(4)),
        .funder = k_gateway_client,
        .paid_to = std::nullopt,
        .refunded = false};
    for (uint32_t p = 0; p < shares; ++p) {
        REQUIRE(rec.contract.add_decryption_share(PeerId(p), true) ==
                federation::ShareRejection::none);
    }
    return rec;
}

gateway::IncomingPayment failed_htlc(const char* note) {
    gateway::IncomingPayment p;
    p.htlc.intercept_id = 3;
    p.htlc.payment_hash = federation::payment_hash_of(k_preimage);
    p.htlc.outgoing_amount_msat = 700000;
    p.stage = gateway::IncomingStage::failed;
    p.note = note;
    return p;
}

}  // namespace

TEST_CASE("gw.never_loses (incoming): a decrypted contract the gateway funded but whose HTLC it "
          "failed is a loss; held, settled, pending, refunded or someone else's is not",
          "[gateway][checkers][never-loses]") {
    const gateway::IncomingPayment p = failed_htlc("funding rejected");
    const std::string hash = std::to_string(federation::hash_key(p.htlc.payment_hash));
    federation::IncomingRecord some = funded(3);
    REQUIRE(some.contract.state() == federation::DecryptedPreimage::some);

    SECTION("decrypted, HTLC failed, not yet claimed: certain already") {
        const std::optional<std::string> loss =
            scenario::incoming_loss(3, p, &some, k_gateway_client, 0);
        REQUIRE(loss.has_value());
        CHECK_THAT(*loss, Catch::Contains("incoming contract " + hash) &&
                              Catch::Contains("intercepted HTLC 3") &&
                              Catch::Contains("700000 msat") &&
                              Catch::Contains("the receiver can claim it") &&
                              Catch::Contains("the gateway failed it: funding rejected"));
    }
    SECTION("decrypted and claimed by the receiver") {
        some.paid_to = ClientId(1);
        const std::optional<std::string> loss =
            scenario::incoming_loss(3, p, &some, k_gateway_client, 0);
        REQUIRE(loss.has_value());
        CHECK_THAT(*loss, Catch::Contains("claimed by client 1"));
    }
    SECTION("the gateway tried to settle and the HTLC was gone") {
        gateway::IncomingPayment gone = failed_htlc("HTLC gone before it could be settled");
        gone.lost = true;
        const std::optional<std::string> loss =
            scenario::incoming_loss(3, gone, &some, k_gateway_client, 0);
        REQUIRE(loss.has_value());
        CHECK_THAT(*loss, Catch::Contains("(HTLC gone before it could be settled)"));
    }
    SECTION("the node gave the HTLC up (expiry) while the gateway still waits to settle") {
        gateway::IncomingPayment waiting = p;
        waiting.stage = gateway::IncomingStage::funded;
        waiting.note.clear();
        const std::optional<std::string> loss =
            scenario::incoming_loss(3, waiting, &some, k_gateway_client, 0);
        REQUIRE(loss.has_value());
        CHECK_THAT(*loss,
                   Catch::Contains("the HTLC is gone while the gateway has not resolved it"));
    }
    SECTION("the HTLC still held (the gateway can still settle it): not yet a loss") {
        gateway::IncomingPayment funding = p;
        funding.stage = gateway::IncomingStage::funded;
        CHECK_FALSE(scenario::incoming_loss(3, funding, &some, k_gateway_client, 1).has_value());
        // Held, and the store already says failed (the resolution is under way): still held.
        CHECK_FALSE(scenario::incoming_loss(3, p, &some, k_gateway_client, 1).has_value());
    }
    SECTION("settled") {
        gateway::IncomingPayment settled = p;
        settled.stage = gateway::IncomingStage::settled;
        CHECK_FALSE(scenario::incoming_loss(3, settled, &some, k_gateway_client, 0).has_value());
    }
    SECTION("decryption pending: the contract may still refund the gateway") {
        const federation::IncomingRecord pending = funded(2);
        REQUIRE(pending.contract.state() == federation::DecryptedPreimage::pending);
        CHECK_FALSE(scenario::incoming_loss(3, p, &pending, k_gateway_client, 0).has_value());
    }
    SECTION("invalid preimage: the contract refunds the gateway, refunded or not yet") {
        federation::IncomingRecord invalid = funded(3, federation::preimage_from_label(42));
        REQUIRE(invalid.contract.state() == federation::DecryptedPreimage::invalid);
        CHECK_FALSE(scenario::incoming_loss(3, p, &invalid, k_gateway_client, 0).has_value());
        invalid.paid_to = k_gateway_client;
        invalid.refunded = true;
        CHECK_FALSE(scenario::incoming_loss(3, p, &invalid, k_gateway_client, 0).has_value());
    }
    SECTION("never funded, or funded by another client") {
        CHECK_FALSE(scenario::incoming_loss(3, p, nullptr, k_gateway_client, 0).has_value());
        CHECK_FALSE(scenario::incoming_loss(3, p, &some, ClientId(1), 0).has_value());
    }
}

namespace {

struct Planted {
    std::vector<std::string> violations;
    sim::Outcome outcome = sim::Outcome::ok;
    std::optional<sim::SimTime> failed_at;  // when the gateway's record turned `failed`
    sim::SimTime end;
    std::string note;
    bool lost = false;
    bool pending_at_stall = false;  // the contract was funded but not decrypted at the stall
    bool node_gave_up = false;      // G's node failed the held HTLC during the stall
};

// A pays alice's invoice through G with the incoming-loss checker polled every 5 s (the gateway
// world's watch period). With `stall`, the loss is planted the honest way: as soon as the
// federation has funded the contract (guardian 0 holds it, decryption still pending), guardians
// 2 and 3 are cut from 0 and 1, so no quorum decrypts; blocks are mined until G's LND node
// auto-fails the held HTLC (expiry - held_htlc_fail_margin), then the cut heals. The guardians
// decrypt `some`, G (which waits for the decryption with no deadline, as upstream) tries to
// settle and finds the HTLC gone: it lost the amount while alice can claim it.
Planted receive_with_checker(uint64_t seed, bool stall) {
    World w(seed, "lnd");
    scenario::IncomingLossChecker checker(w.hub, *w.fed, *w.gateway, w.net);
    w.sim.scheduler().spawn("incoming_loss", [&] {
        while (true) {
            this_actor::sleep_for(sim::SimDuration::seconds(5));
            checker.check();
        }
    }, {.kind = sim::ActorKind::daemon, .node = {}});
    Planted out;
    w.run([&] {
        std::optional<ln::Invoice> inv = w.alice->create_invoice(700000);
        REQUIRE(inv.has_value());
        const auto hash = inv->payment_hash;
        w.sim.scheduler().spawn("payer", [&w, inv] { (void)w.net.node(w.a).pay(*inv); });
        w.sim.scheduler().spawn("stage", [&] {
            while (w.gateway->store().incoming.empty() ||
                   w.gateway->store().incoming.begin()->second.stage !=
                       gateway::IncomingStage::failed) {
                this_actor::sleep_for(sim::SimDuration::millis(100));
            }
            out.failed_at = this_actor::now();
            out.note = w.gateway->store().incoming.begin()->second.note;
            out.lost = w.gateway->store().incoming.begin()->second.lost;
        }, {.kind = sim::ActorKind::daemon, .node = {}});
        if (stall) {
            const auto& incoming = w.fed->store(PeerId(0)).state.incoming();
            while (incoming.count(hash) == 0) {
                this_actor::sleep_for(sim::SimDuration::millis(1));
            }
            out.pending_at_stall =
                incoming.at(hash).contract.state() == federation::DecryptedPreimage::pending;
            const std::vector<sim::NodeId>& gs = w.fed->nodes();
            const uint32_t cut = w.sim.network().partition({gs[2], gs[3]}, {gs[0], gs[1]},
                                                           sim::PartitionKind::symmetric);
            for (int i = 0; i < 400 && w.net.node(w.g).held_count(hash) > 0; ++i) {
                w.net.mine_blocks(1, sim::SimDuration::seconds(2));
            }
            out.node_gave_up = w.net.node(w.g).held_count(hash) == 0;
            w.sim.network().heal(cut);
        }
        (void)w.alice->await_receive(hash, sim::SimDuration::minutes(10));
    }, /*expect_ok=*/false);
    checker.check();  // whatever became certain since the last poll
    out.violations = w.hub.violations();
    out.outcome = w.result.run.outcome;
    out.end = w.sim.scheduler().now();
    return out;
}

}  // namespace

TEST_CASE("gw.never_loses (incoming), end to end: a planted loss is reported during the run "
          "naming the contract, the amount and the reason; the same receive unplanted is not",
          "[gateway][checkers][never-loses]") {
    SECTION("planted: the guardians cannot decrypt until G's node gave the HTLC up; G, still "
            "waiting, settles too late") {
        const Planted out = receive_with_checker(91, /*stall=*/true);
        INFO(out.note);
        REQUIRE(out.pending_at_stall);  // funded, not decrypted, when the quorum was cut
        REQUIRE(out.node_gave_up);
        REQUIRE(out.failed_at.has_value());
        CHECK(out.note == "HTLC gone before it could be settled");
        CHECK(out.lost);
        REQUIRE(out.violations.size() == 1);
        CHECK_THAT(out.violations.front(),
                   Catch::StartsWith("gw.never_loses violated") &&
                       Catch::Contains("incoming contract ") &&
                       Catch::Contains("700000 msat of the gateway's ecash") &&
                       Catch::Contains("the gateway lost 700000 msat") &&
                       Catch::Contains("HTLC gone before it could be settled"));
        CHECK(out.outcome == sim::Outcome::check_failed);
        // Reported by the periodic poll, not at the end: the run stopped at the report, within
        // a poll period (5 s) of the gateway's failed settle.
        CHECK(out.end <= *out.failed_at + sim::SimDuration::seconds(10));
    }
    SECTION("unplanted: the same receive with no stall settles, nothing reported") {
        const Planted out = receive_with_checker(91, /*stall=*/false);
        CHECK_FALSE(out.failed_at.has_value());
        CHECK(out.violations.empty());
        CHECK(out.outcome == sim::Outcome::ok);
    }
}
