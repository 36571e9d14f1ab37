// Witness-versus-condition checks, including BIP 65 and BIP 112.
#include "actors/chain/spend.h"

#include <set>
#include <string>
#include <type_traits>
#include <variant>

#include "sim/assert.h"

namespace actors::chain {
namespace {

TxCheck fail(TxError e, size_t input, std::string detail) {
    return TxCheck::fail(e, static_cast<int64_t>(input), std::move(detail));
}

TxCheck check_signer(const std::string& expected, const std::string& got, size_t input) {
    if (expected.empty() || got != expected) {
        return fail(TxError::wrong_signer, input,
                    "signed by '" + got + "', needs '" + expected + "'");
    }
    return TxCheck::success();
}

TxCheck check_multisig(const PayToMultisig& c, const MultisigSigned& w, size_t input) {
    std::set<std::string> keys(c.keys.begin(), c.keys.end());
    std::set<std::string> seen;
    for (const std::string& s : w.signers) {
        if (keys.count(s) == 0) {
            return fail(TxError::wrong_signer, input, "'" + s + "' is not a multisig key");
        }
        seen.insert(s);
    }
    if (c.threshold == 0 || seen.size() < c.threshold) {
        return fail(TxError::wrong_signer, input,
                    std::to_string(seen.size()) + " distinct signatures, needs " +
                        std::to_string(c.threshold));
    }
    return TxCheck::success();
}

TxCheck check_csv(const Transaction& tx, size_t input, uint32_t blocks) {
    if (!check_sequence_verify(tx, input, blocks)) {
        return fail(TxError::csv_unsatisfied, input,
                    "nSequence does not commit to a relative lock of " + std::to_string(blocks) +
                        " blocks");
    }
    return TxCheck::success();
}

TxCheck check_htlc(const Transaction& tx, size_t input, const PayToHtlc& c, const Witness& w) {
    TxCheck r;
    if (const auto* s = std::get_if<HtlcSuccess>(&w)) {
        r = check_signer(c.claimer, s->signer, input);
        if (r.ok() && payment_hash_of(s->preimage) != c.payment_hash) {
            r = fail(TxError::bad_preimage, input, "preimage does not match the payment hash");
        }
    } else if (const auto* t = std::get_if<HtlcTimeout>(&w)) {
        r = check_signer(c.refunder, t->signer, input);
        if (r.ok() && !check_lock_time_verify(tx, input, c.expiry)) {
            r = fail(TxError::cltv_unsatisfied, input,
                     "nLockTime " + std::to_string(tx.lock_time) + " below expiry " +
                         std::to_string(c.expiry) + " or input sequence final");
        }
    } else if (const auto* v = std::get_if<Revocation>(&w)) {
        return check_signer(c.revoker, v->signer, input);
    } else {
        return fail(TxError::witness_mismatch, input, "htlc needs success, timeout or revocation");
    }
    if (r.ok() && c.csv > 0) {
        r = check_csv(tx, input, c.csv);
    }
    return r;
}

TxCheck check_csv_delayed(const Transaction& tx, size_t input, const PayToCsvDelayed& c,
                          const Witness& w) {
    if (const auto* s = std::get_if<SignedBy>(&w)) {
        TxCheck r = check_signer(c.owner, s->signer, input);
        return r.ok() ? check_csv(tx, input, c.delay) : r;
    }
    if (const auto* v = std::get_if<Revocation>(&w)) {
        return check_signer(c.revoker, v->signer, input);
    }
    return fail(TxError::witness_mismatch, input, "csv output needs owner or revocation");
}

}  // namespace

bool check_lock_time_verify(const Transaction& tx, size_t input_index, uint32_t lock) {
    SIM_ASSERT(input_index < tx.inputs.size());
    // Height and time locks are incomparable.
    const bool lock_is_height = lock < k_locktime_threshold;
    const bool tx_is_height = tx.lock_time < k_locktime_threshold;
    if (lock_is_height != tx_is_height) {
        return false;
    }
    if (lock > tx.lock_time) {
        return false;
    }
    // A final input would let the spender bypass nLockTime altogether.
    return tx.inputs[input_index].sequence != k_sequence_final;
}

bool check_sequence_verify(const Transaction& tx, size_t input_index, uint32_t blocks) {
    SIM_ASSERT(input_index < tx.inputs.size());
    if (blocks > k_sequence_mask) {
        return false;
    }
    if (static_cast<uint32_t>(tx.version) < 2) {
        return false;
    }
    const uint32_t seq = tx.inputs[input_index].sequence;
    if ((seq & k_sequence_disable_flag) != 0) {
        return false;
    }
    if ((seq & k_sequence_type_flag) != 0) {
        return false;  // a time-based nSequence cannot satisfy a block-based CSV
    }
    return (seq & k_sequence_mask) >= blocks;
}

TxCheck check_spend(const Transaction& tx, size_t input_index, const TxOut& spent) {
    SIM_ASSERT(input_index < tx.inputs.size());
    const Witness& w = tx.inputs[input_index].witness;
    return std::visit(
        [&](const auto& c) -> TxCheck {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, PayToOwner>) {
                const auto* s = std::get_if<SignedBy>(&w);
                if (s == nullptr) {
                    return fail(TxError::witness_mismatch, input_index, "needs a signature");
                }
                return check_signer(c.owner, s->signer, input_index);
            } else if constexpr (std::is_same_v<T, PayToMultisig>) {
                const auto* m = std::get_if<MultisigSigned>(&w);
                if (m == nullptr) {
                    return fail(TxError::witness_mismatch, input_index, "needs multisig");
                }
                return check_multisig(c, *m, input_index);
            } else if constexpr (std::is_same_v<T, PayToHtlc>) {
                return check_htlc(tx, input_index, c, w);
            } else {
                return check_csv_delayed(tx, input_index, c, w);
            }
        },
        spent.condition);
}

}  // namespace actors::chain
