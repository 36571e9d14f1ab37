// Node features around payments: the HTLC interceptor (settle, fail, LND's auto-fail of a held
// HTLC), decisions taken on a node's own lagging chain view, networks instantiated from a
// generated topology, and same-seed determinism of a whole Lightning run.
#include "ln_test_util.h"

using namespace ln_test;

namespace {

struct InterceptWorld {
    explicit InterceptWorld(uint64_t seed) : w(seed) {
        s = w.add("s", "lnd");
        g = w.add("g", "lnd");
        w.connect(s, g);
        fed = w.ln.add_virtual_node("fed");
    }
    // An invoice from the federation behind g's intercept scid (the gateway's LNv1 shape).
    Invoice invoice(Preimage* secret) {
        RouteHint hint{RouteHintHop{g, k_scid, ChannelPolicy{0, 0, 144, 0, k_no_htlc_maximum}}};
        InvoiceRequest req{5000000, std::nullopt, w.ln.node(g).unix_now(),
                           k_default_invoice_expiry_seconds, {hint}};
        Invoice inv = make_invoice(lnd_profile(), fed, req, sim::this_actor::random());
        *secret = *inv.preimage;
        w.ln.chain().register_preimage(*secret);
        return public_copy(inv);
    }
    static constexpr ShortChannelId k_scid{0x123456};
    World w;
    NodeIndex s = 0;
    NodeIndex g = 0;
    NodeIndex fed = 0;
};

}  // namespace

TEST_CASE("intercepted HTLCs reach the attached actor, which settles or fails them",
          "[lightning][actors][intercept]") {
    InterceptWorld iw(31);
    World& w = iw.w;
    std::vector<InterceptedHtlc> seen;
    PaymentResult settled;
    PaymentResult failed;
    w.run([&] {
        sim::Channel<InterceptedHtlc>& hook = w.ln.node(iw.g).register_interceptor(iw.k_scid);
        Preimage secret{};
        Invoice first = iw.invoice(&secret);
        w.sim.scheduler().spawn("gateway", [&] {
            std::optional<InterceptedHtlc> h = hook.recv();
            seen.push_back(*h);
            CHECK(w.ln.node(iw.g).resolve_intercepted(
                h->intercept_id, InterceptResolution{InterceptAction::settle, secret}));
            h = hook.recv();
            seen.push_back(*h);
            CHECK(w.ln.node(iw.g).resolve_intercepted(h->intercept_id, InterceptResolution{}));
        });
        settled = w.ln.node(iw.s).pay(first);
        Preimage other{};
        failed = w.ln.node(iw.s).pay(iw.invoice(&other));
    });
    INFO(settled.reason);
    CHECK(settled.succeeded);
    CHECK_FALSE(failed.succeeded);
    CHECK(failed.code == FailureCode::temporary_channel_failure);
    CHECK(failed.reason.find("payee refused") != std::string::npos);
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].scid == iw.k_scid);
    CHECK(seen[0].outgoing_amount_msat == 5000000);
    CHECK(seen[0].incoming_amount_msat == 5000000);  // the hint charges no fee
    CHECK(seen[0].incoming_expiry == seen[0].outgoing_expiry + 144);
}

TEST_CASE("LND fails a held intercepted HTLC back at incoming expiry - 19, not a block earlier",
          "[lightning][actors][intercept][boundary]") {
    InterceptWorld iw(32);
    World& w = iw.w;
    PaymentResult result;
    uint32_t in_expiry = 0;
    w.run([&] {
        sim::Channel<InterceptedHtlc>& hook = w.ln.node(iw.g).register_interceptor(iw.k_scid);
        Preimage secret{};
        Invoice inv = iw.invoice(&secret);
        bool done = false;
        w.sim.scheduler().spawn("payer", [&] {
            result = w.ln.node(iw.s).pay(inv, PayLimits{.timeout = sim::SimDuration::hours(48)});
            done = true;
        });
        std::optional<InterceptedHtlc> h = hook.recv();  // and never answered
        in_expiry = h->incoming_expiry;
        const uint32_t fail_at = *held_htlc_fail_height(lnd_profile(), in_expiry);
        CHECK(fail_at == in_expiry - 19);
        while (w.tip() < fail_at - 1) {
            w.ln.mine_blocks(1, sim::SimDuration::seconds(1));
        }
        CHECK_FALSE(done);  // tip = H - 1
        w.ln.mine_blocks(1);
        CHECK(done);  // tip = H
    });
    CHECK_FALSE(result.succeeded);
    CHECK(result.code == FailureCode::temporary_channel_failure);
}

TEST_CASE("a node decides on its own chain view: a frozen view delays its force close",
          "[lightning][actors][onchain]") {
    World w(33);
    NodeIndex a = w.add("a", "lnd");
    NodeIndex b = w.add("b", "cln");  // holds forever (an LND payee would auto-fail at E - 19)
    ChannelIndex ab = w.connect(a, b);
    w.run([&] {
        Preimage secret = random_preimage(sim::this_actor::random());
        Invoice inv = w.ln.node(b).create_hold_invoice(InvoiceOptions{.amount_msat = 1000000},
                                                       payment_hash_of(secret));
        PaymentResult result;
        w.sim.scheduler().spawn("payer", [&] { result = w.ln.node(a).pay(inv); });
        sim::this_actor::sleep_for(sim::SimDuration::seconds(10));
        const uint32_t expiry = w.ln.channel(ab).htlcs().front().cltv_expiry;
        w.ln.chain().set_view_frozen(w.ln.node(a).view(), true);
        while (w.tip() < expiry + 2) {
            w.ln.mine_blocks(1);
        }
        CHECK(w.ln.node(a).log().closes.empty());  // the canonical tip is past its deadline
        const sim::SimTime thawed = sim::this_actor::now();
        w.ln.chain().set_view_frozen(w.ln.node(a).view(), false);
        w.ln.mine_blocks(1);
        REQUIRE(w.ln.node(a).log().closes.size() == 1);
        CHECK(w.ln.node(a).log().closes[0].tip == expiry);  // first height it processed >= E
        CHECK(w.ln.node(a).log().closes[0].at >= thawed);
        w.ln.mine_blocks(3);
    });
}

namespace {

sim::RunResult run_scale_free(uint64_t seed, uint32_t* paid) {
    World w(seed);
    sim::Random rng = w.sim.random("topology");
    Result<Topology> topo = scale_free_topology(12, 18, TopologyOptions{}, rng);
    REQUIRE(topo.ok());
    Result<std::vector<NodeIndex>> ids =
        build_from_topology(w.ln, topo.value(), {"ldk", "lnd", "cln"});
    REQUIRE(ids.ok());
    REQUIRE(w.ln.channel_count() == 18);
    return w.run([&] {
        sim::Random& r = sim::this_actor::random();
        for (int i = 0; i < 6; ++i) {
            NodeIndex from = ids.value()[r.below(12)];
            NodeIndex to = ids.value()[r.below(12)];
            if (from == to) {
                continue;
            }
            Invoice inv = w.ln.node(to).create_invoice(InvoiceOptions{.amount_msat = 10000000});
            *paid += w.ln.node(from).pay(inv).succeeded ? 1 : 0;
        }
    });
}

}  // namespace

TEST_CASE("a seeded scale-free topology becomes node actors and channels; same seed, same run",
          "[lightning][actors][topology]") {
    uint32_t paid1 = 0;
    uint32_t paid2 = 0;
    sim::RunResult r1 = run_scale_free(41, &paid1);
    sim::RunResult r2 = run_scale_free(41, &paid2);
    CHECK(paid1 >= 4);
    CHECK(paid1 == paid2);
    CHECK(r1.fingerprint == r2.fingerprint);
    CHECK(r1.events == r2.events);
}
