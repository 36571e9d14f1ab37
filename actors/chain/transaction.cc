// Txid serialisation, coinbase construction and the subsidy schedule.
#include "actors/chain/transaction.h"

#include <type_traits>

namespace actors::chain {
namespace {

void append_condition(std::string* out, const SpendCondition& condition) {
    out->push_back(static_cast<char>(condition.index()));
    std::visit(
        [out](const auto& c) {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, PayToOwner>) {
                append_str(out, c.owner);
            } else if constexpr (std::is_same_v<T, PayToMultisig>) {
                append_u64(out, c.threshold);
                append_u64(out, c.keys.size());
                for (const std::string& k : c.keys) {
                    append_str(out, k);
                }
            } else if constexpr (std::is_same_v<T, PayToHtlc>) {
                append_hash(out, c.payment_hash);
                append_str(out, c.claimer);
                append_str(out, c.refunder);
                append_u64(out, c.expiry);
                append_str(out, c.revoker);
                append_u64(out, c.csv);
            } else {
                static_assert(std::is_same_v<T, PayToCsvDelayed>, "unhandled condition");
                append_str(out, c.owner);
                append_u64(out, c.delay);
                append_str(out, c.revoker);
            }
        },
        condition);
}

}  // namespace

std::string OutPoint::to_string() const { return txid.to_hex() + ":" + std::to_string(vout); }

Txid Transaction::txid() const {
    std::string buf = "tx:";
    append_i64(&buf, version);
    append_u64(&buf, inputs.size());
    for (const TxIn& in : inputs) {
        append_hash(&buf, in.prevout.txid);
        append_u64(&buf, in.prevout.vout);
        append_u64(&buf, in.sequence);
        // The coinbase height lives in the scriptSig in Bitcoin, which the txid does cover.
        if (const auto* cb = std::get_if<CoinbaseWitness>(&in.witness)) {
            append_i64(&buf, cb->height);
        }
    }
    append_u64(&buf, outputs.size());
    for (const TxOut& o : outputs) {
        append_i64(&buf, o.value);
        append_condition(&buf, o.condition);
    }
    append_u64(&buf, lock_time);
    append_str(&buf, memo);
    return digest(buf);
}

Amount Transaction::total_out() const {
    Amount total = 0;
    for (const TxOut& o : outputs) {
        if (o.value < 0 || o.value > k_max_money || total + o.value > k_max_money) {
            return k_max_money + 1;
        }
        total += o.value;
    }
    return total;
}

Transaction make_coinbase(int64_t height, Amount value, const std::string& owner) {
    Transaction tx;
    tx.version = 2;
    tx.inputs.push_back(TxIn{OutPoint::null(), k_sequence_final, CoinbaseWitness{height}});
    tx.outputs.push_back(TxOut{value, PayToOwner{owner}});
    return tx;
}

Amount block_subsidy(int64_t height, int64_t halving_interval) {
    int64_t halvings = halving_interval > 0 ? height / halving_interval : 0;
    if (halvings >= 64) {
        return 0;
    }
    return (50 * k_coin) >> halvings;
}

std::string describe(const SpendCondition& condition) {
    return std::visit(
        [](const auto& c) -> std::string {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, PayToOwner>) {
                return c.owner;
            } else if constexpr (std::is_same_v<T, PayToMultisig>) {
                return "multisig(" + std::to_string(c.threshold) + "/" +
                       std::to_string(c.keys.size()) + ")";
            } else if constexpr (std::is_same_v<T, PayToHtlc>) {
                return "htlc(" + c.claimer + "|" + c.refunder + "@" + std::to_string(c.expiry) +
                       ")";
            } else {
                return "csv(" + c.owner + "+" + std::to_string(c.delay) + ")";
            }
        },
        condition);
}

}  // namespace actors::chain
