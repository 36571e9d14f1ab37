// Forwarding and final-hop boundaries through node actors, per profile, each at H - 1, H and
// H + 1: a forward refused as expiry too soon / too far, and the final hop's min_final check.
// Routes are built by hand (send_to_route) so the expiry under test is exact.
#include "ln_test_util.h"

using namespace ln_test;

namespace {

PathEdge edge(World& w, ChannelIndex c, NodeIndex from) {
    const ChannelLedger& ch = w.ln.channel(c);
    return PathEdge{ch.scid(), from, ch.side(1 - ch.side_of(from)).node,
                    ch.side(ch.side_of(from)).policy};
}

struct Outcome {
    bool succeeded = false;
    std::optional<FailureCode> code;
    uint32_t failing_node = k_no_node;
};

Outcome outcome_of(const PaymentResult& r) {
    Outcome o{r.succeeded, r.code, k_no_node};
    if (!r.succeeded && !r.attempts.empty() && r.attempts.back().failure.has_value()) {
        o.failing_node = r.attempts.back().failure->failing_node;
    }
    return o;
}

// a (lnd) -> b (profile under test) -> c (accepts any expiry >= tip + 1). Sends one HTLC per
// value of c's expiry `tip + offset` and reports each outcome.
std::vector<Outcome> forward_outcomes(const std::string& profile,
                                      const std::vector<int64_t>& offsets, uint32_t* tip_out) {
    World w(11);
    NodeIndex a = w.add("a", "lnd");
    NodeIndex b = w.add("b", profile);
    ProfileOverrides loose;
    loose.min_final_cltv_expiry_delta = 1;
    NodeIndex c = w.add("c", "cln-regtest", loose);
    ChannelIndex ab = w.connect(a, b);
    ChannelIndex bc = w.connect(b, c);
    std::vector<Outcome> out;
    w.run([&] {
        const uint32_t tip = w.tip();
        *tip_out = tip;
        for (int64_t off : offsets) {
            Invoice inv = w.ln.node(c).create_invoice(InvoiceOptions{.amount_msat = 1000000});
            Route r = build_route({edge(w, ab, a), edge(w, bc, b)}, 1000000,
                                  static_cast<uint32_t>(tip + off), 0);
            out.push_back(outcome_of(w.ln.node(a).send_to_route(r, inv.payment_hash)));
        }
    });
    for (Outcome& o : out) {
        o.failing_node = o.failing_node == b ? 1 : o.failing_node;  // "b", whatever its index
    }
    return out;
}

}  // namespace

TEST_CASE("a forward is refused as expiry_too_soon exactly below each profile's threshold",
          "[lightning][actors][boundary]") {
    // First accepted outgoing expiry: tip + forward offset + outgoing margin + 1.
    struct Case {
        const char* profile;
        int64_t first_ok;
    };
    for (Case c : {Case{"ldk", 1 + 3 + 1}, Case{"lnd", 0 + 3 + 1}, Case{"cln", 0 + 0 + 1},
                   Case{"cln-regtest", 0 + 0 + 1}}) {
        INFO(c.profile);
        const Profile p = profile_by_name(c.profile).value();
        CHECK(c.first_ok == p.forward_height_offset + p.outgoing_too_soon_margin + 1);
        uint32_t tip = 0;
        std::vector<Outcome> o =
            forward_outcomes(c.profile, {c.first_ok - 1, c.first_ok, c.first_ok + 1}, &tip);
        REQUIRE(o.size() == 3);
        CHECK_FALSE(o[0].succeeded);
        CHECK(o[0].code == FailureCode::expiry_too_soon);
        CHECK(o[0].failing_node == 1);  // b
        CHECK(o[1].succeeded);
        CHECK(o[2].succeeded);
    }
}

TEST_CASE("a forward is refused as expiry_too_far exactly above each profile's threshold",
          "[lightning][actors][boundary]") {
    // Last accepted outgoing expiry, relative to tip. LDK bounds the incoming expiry
    // (outgoing + its delta 72) by tip + 1 + 2016; the others bound the outgoing by tip + 2016.
    struct Case {
        const char* profile;
        int64_t last_ok;
    };
    for (Case c : {Case{"ldk", 1 + 2016 - 72}, Case{"lnd", 2016}, Case{"cln", 2016},
                   Case{"cln-regtest", 2016}}) {
        INFO(c.profile);
        uint32_t tip = 0;
        std::vector<Outcome> o =
            forward_outcomes(c.profile, {c.last_ok - 1, c.last_ok, c.last_ok + 1}, &tip);
        REQUIRE(o.size() == 3);
        CHECK(o[0].succeeded);
        CHECK(o[1].succeeded);
        CHECK_FALSE(o[2].succeeded);
        CHECK(o[2].code == FailureCode::expiry_too_far);
        CHECK(o[2].failing_node == 1);
    }
}

TEST_CASE("the final hop refuses an expiry below its min_final threshold, per profile",
          "[lightning][actors][boundary]") {
    // First accepted final expiry, relative to the payee's tip. LDK: 41 (PaymentClaimBuffer)
    // with its default c = 42, which it does not store; with a user value 100 it advertises
    // c = 103 but checks the raw 100 (channelmanager.rs create_bolt11_invoice /
    // process_receive_htlcs). LND max(19, c = 80); CLN its own cltv_final (18 mainnet, 10
    // regtest) even when the invoice asks for c = 40.
    struct Case {
        const char* profile;
        std::optional<uint32_t> invoice_c;
        int64_t first_ok;
    };
    for (Case c : {Case{"ldk", std::nullopt, 41}, Case{"ldk", 100, 100},
                   Case{"lnd", std::nullopt, 80}, Case{"cln", 40, 18},
                   Case{"cln-regtest", 40, 10}}) {
        INFO(c.profile);
        World w(12);
        NodeIndex a = w.add("a", "lnd");
        NodeIndex p = w.add("p", c.profile);
        ChannelIndex ap = w.connect(a, p);
        std::vector<Outcome> out;
        w.run([&] {
            const uint32_t tip = w.tip();
            for (int64_t off : {c.first_ok - 1, c.first_ok, c.first_ok + 1}) {
                Invoice inv = w.ln.node(p).create_invoice(InvoiceOptions{
                    .amount_msat = 1000000, .min_final_cltv_expiry_delta = c.invoice_c});
                Route r = build_route({edge(w, ap, a)}, 1000000,
                                      static_cast<uint32_t>(tip + off), 0);
                out.push_back(outcome_of(w.ln.node(a).send_to_route(r, inv.payment_hash)));
            }
        });
        REQUIRE(out.size() == 3);
        CHECK_FALSE(out[0].succeeded);
        CHECK(out[0].code == FailureCode::incorrect_or_unknown_payment_details);
        CHECK(out[0].failing_node == p);
        CHECK(out[1].succeeded);
        CHECK(out[2].succeeded);
    }
}
