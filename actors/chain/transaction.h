// Transactions without cryptography: outpoints, outputs with spending conditions, inputs with
// witnesses, and the txid.
//
// A spending condition stands for an output script and a witness for the data that satisfies
// it. "Signed by X" is a claim the model trusts: actors never forge, so the conditions decide
// *who* may spend *when*, which is all the timing questions need. The field names follow Bitcoin
// (nLockTime -> lock_time, nSequence -> sequence) so Bitcoin Core's rules read the same here.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "actors/chain/hash.h"

namespace actors::chain {

// Amounts are integer satoshis.
using Amount = int64_t;
constexpr Amount k_coin = 100000000;
constexpr Amount k_max_money = 21000000 * k_coin;

// nLockTime values below this are block heights, at or above it unix times (BIP 65/113).
constexpr uint32_t k_locktime_threshold = 500000000;
// Sequence constants of BIP 68.
constexpr uint32_t k_sequence_final = 0xffffffff;
constexpr uint32_t k_sequence_disable_flag = 1U << 31;
constexpr uint32_t k_sequence_type_flag = 1U << 22;  // set: time-based relative lock
constexpr uint32_t k_sequence_mask = 0x0000ffff;
constexpr int k_sequence_granularity = 9;  // time-based locks count units of 512 seconds
// Bitcoin Core's wallet default: locktime enabled, BIP 68 disabled, not replaceable.
constexpr uint32_t k_sequence_default = 0xfffffffe;

// A relative lock of n blocks in nSequence form.
constexpr uint32_t sequence_blocks(uint32_t n) { return n & k_sequence_mask; }
// A relative lock of n * 512 seconds in nSequence form.
constexpr uint32_t sequence_time_units(uint32_t n) {
    return k_sequence_type_flag | (n & k_sequence_mask);
}

struct OutPoint {
    Txid txid;
    uint32_t vout = 0;

    static OutPoint null() { return OutPoint{Txid::zero(), 0xffffffff}; }
    bool is_null() const { return txid.is_zero() && vout == 0xffffffff; }
    std::string to_string() const;  // "<txid hex>:<vout>"
    auto operator<=>(const OutPoint&) const = default;
};

// Key hash of never-iterated unordered containers of outpoints (see Hash256Hasher).
struct OutPointHasher {
    size_t operator()(const OutPoint& op) const noexcept {
        return Hash256Hasher{}(op.txid) ^ (static_cast<size_t>(op.vout) * 0x9E3779B97F4A7C15ULL);
    }
};

// --- Spending conditions (the "scripts") -------------------------------------------------

// Spendable by one key holder.
struct PayToOwner {
    std::string owner;
};
// Spendable by `threshold` distinct signatures out of `keys` (the federation's wallet).
struct PayToMultisig {
    std::vector<std::string> keys;
    uint32_t threshold = 0;
};
// Lightning HTLC: `claimer` with the preimage, or `refunder` once the CLTV `expiry` (an absolute
// height, enforced through nLockTime) has passed, or `revoker` (optional) at any time.
// `csv` > 0 additionally requires a relative lock on both branches (anchor-style outputs).
struct PayToHtlc {
    PaymentHash payment_hash;
    std::string claimer;
    std::string refunder;
    uint32_t expiry = 0;
    std::string revoker;
    uint32_t csv = 0;
};
// to_local: `owner` after a relative lock of `delay` blocks (BIP 112), or `revoker` (optional,
// the penalty path) at any time.
struct PayToCsvDelayed {
    std::string owner;
    uint32_t delay = 0;
    std::string revoker;
};
using SpendCondition = std::variant<PayToOwner, PayToMultisig, PayToHtlc, PayToCsvDelayed>;

// --- Witnesses ---------------------------------------------------------------------------

// Satisfies PayToOwner and the delayed branch of PayToCsvDelayed.
struct SignedBy {
    std::string signer;
};
struct MultisigSigned {
    std::vector<std::string> signers;
};
struct HtlcSuccess {
    std::string signer;
    Preimage preimage;
};
struct HtlcTimeout {
    std::string signer;
};
struct Revocation {
    std::string signer;
};
// The coinbase input's witness: carries the height (BIP 34) so coinbase txids are unique.
struct CoinbaseWitness {
    int64_t height = 0;
};
using Witness =
    std::variant<SignedBy, MultisigSigned, HtlcSuccess, HtlcTimeout, Revocation, CoinbaseWitness>;

struct TxOut {
    Amount value = 0;
    SpendCondition condition;
};

struct TxIn {
    OutPoint prevout;
    uint32_t sequence = k_sequence_default;
    Witness witness;
};

struct Transaction {
    int32_t version = 2;
    std::vector<TxIn> inputs;
    std::vector<TxOut> outputs;
    uint32_t lock_time = 0;
    // Free-form bytes committed to by the txid (like an OP_RETURN memo): labels a tx in traces
    // and makes otherwise identical transactions distinct.
    std::string memo;

    bool is_coinbase() const { return inputs.size() == 1 && inputs[0].prevout.is_null(); }
    // Commits to everything except witnesses, as segwit's txid does.
    Txid txid() const;
    Amount total_out() const;  // saturates at k_max_money + 1 so overflow is detectable
};

// A coinbase paying `value` to `owner` in the block at `height`.
Transaction make_coinbase(int64_t height, Amount value, const std::string& owner);

// Block subsidy at `height` with halvings every `halving_interval` blocks (regtest: 150).
Amount block_subsidy(int64_t height, int64_t halving_interval);

// The condition's owner-like name for traces ("alice", "multisig(3/4)", "htlc").
std::string describe(const SpendCondition& condition);

}  // namespace actors::chain
