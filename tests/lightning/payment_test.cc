// Payments through node actors: multi-hop success across profiles, retries after a liquidity
// failure, the max-fee limit, route hints to a private payee, and gossip propagation.
#include "ln_test_util.h"

using namespace ln_test;

TEST_CASE("a five-hop payment across ldk, lnd and cln nodes succeeds", "[lightning][actors]") {
    World w(1);
    std::vector<std::string> profiles = {"ldk", "lnd", "cln", "lnd", "ldk", "cln"};
    std::vector<NodeIndex> n;
    for (size_t i = 0; i < profiles.size(); ++i) {
        n.push_back(w.add("n" + std::to_string(i), profiles[i]));
    }
    std::vector<ChannelIndex> ch;
    for (size_t i = 0; i + 1 < n.size(); ++i) {
        ch.push_back(w.connect(n[i], n[i + 1]));
    }
    PaymentResult result;
    Invoice invoice;
    w.run([&] {
        invoice = w.ln.node(n[5]).create_invoice(InvoiceOptions{.amount_msat = 50000000});
        result = w.ln.node(n[0]).pay(invoice);
    });
    INFO(result.reason);
    REQUIRE(result.succeeded);
    CHECK(result.attempts.size() == 1);
    REQUIRE(result.route.hops.size() == 5);
    CHECK(payment_hash_of(*result.preimage) == invoice.payment_hash);
    // Fees: each forwarding node charges its own outgoing channel's policy (BOLT 7).
    uint64_t expected_fee = 0;
    uint64_t amount = 50000000;
    for (size_t i = 4; i >= 1; --i) {
        const Profile& p = w.ln.node(n[i]).profile();
        uint64_t fee = p.fee_base_msat + amount * p.fee_ppm / 1000000;
        expected_fee += fee;
        amount += fee;
    }
    CHECK(result.fee_msat == expected_fee);
    CHECK(w.balance(ch[0], n[0]) == 500000000 - 50000000 - expected_fee);
    CHECK(w.balance(ch[4], n[5]) == 500000000 + 50000000);
    CHECK(w.ln.node(n[5]).log().received.size() == 1);
}
