// Reject reasons and names for TxError.
#include "actors/chain/tx_error.h"

namespace actors::chain {

const char* reject_reason(TxError e) {
    switch (e) {
        case TxError::ok: return "ok";
        case TxError::no_inputs: return "bad-txns-vin-empty";
        case TxError::no_outputs: return "bad-txns-vout-empty";
        case TxError::negative_output: return "bad-txns-vout-negative";
        case TxError::output_too_large: return "bad-txns-txouttotal-toolarge";
        case TxError::duplicate_input: return "bad-txns-inputs-duplicate";
        case TxError::null_prevout: return "bad-txns-prevout-null";
        case TxError::coinbase_not_allowed: return "coinbase";
        case TxError::non_final: return "non-final";
        case TxError::sequence_locked: return "non-BIP68-final";
        case TxError::missing_inputs: return "bad-txns-inputs-missingorspent";
        case TxError::premature_coinbase_spend: return "bad-txns-premature-spend-of-coinbase";
        case TxError::inputs_below_outputs: return "bad-txns-in-belowout";
        case TxError::witness_mismatch: return "mandatory-script-verify-flag-failed";
        case TxError::wrong_signer: return "mandatory-script-verify-flag-failed (signature)";
        case TxError::bad_preimage: return "mandatory-script-verify-flag-failed (hashlock)";
        case TxError::cltv_unsatisfied:
            return "mandatory-script-verify-flag-failed (Locktime requirement not satisfied)";
        case TxError::csv_unsatisfied:
            return "mandatory-script-verify-flag-failed (Locktime requirement not satisfied)";
        case TxError::already_in_mempool: return "txn-already-in-mempool";
        case TxError::already_confirmed: return "txn-already-known";
        case TxError::mempool_conflict: return "txn-mempool-conflict";
        case TxError::bad_coinbase: return "bad-cb-missing";
        case TxError::coinbase_too_large: return "bad-cb-amount";
        case TxError::duplicate_tx: return "bad-txns-duplicate";
    }
    return "unknown";
}

const char* to_string(TxError e) {
    switch (e) {
        case TxError::ok: return "ok";
        case TxError::no_inputs: return "no_inputs";
        case TxError::no_outputs: return "no_outputs";
        case TxError::negative_output: return "negative_output";
        case TxError::output_too_large: return "output_too_large";
        case TxError::duplicate_input: return "duplicate_input";
        case TxError::null_prevout: return "null_prevout";
        case TxError::coinbase_not_allowed: return "coinbase_not_allowed";
        case TxError::non_final: return "non_final";
        case TxError::sequence_locked: return "sequence_locked";
        case TxError::missing_inputs: return "missing_inputs";
        case TxError::premature_coinbase_spend: return "premature_coinbase_spend";
        case TxError::inputs_below_outputs: return "inputs_below_outputs";
        case TxError::witness_mismatch: return "witness_mismatch";
        case TxError::wrong_signer: return "wrong_signer";
        case TxError::bad_preimage: return "bad_preimage";
        case TxError::cltv_unsatisfied: return "cltv_unsatisfied";
        case TxError::csv_unsatisfied: return "csv_unsatisfied";
        case TxError::already_in_mempool: return "already_in_mempool";
        case TxError::already_confirmed: return "already_confirmed";
        case TxError::mempool_conflict: return "mempool_conflict";
        case TxError::bad_coinbase: return "bad_coinbase";
        case TxError::coinbase_too_large: return "coinbase_too_large";
        case TxError::duplicate_tx: return "duplicate_tx";
    }
    return "unknown";
}

std::string TxCheck::to_string() const {
    std::string out = reject_reason(error);
    if (index >= 0 || !detail.empty()) {
        out += " (";
        if (index >= 0) {
            out += "#" + std::to_string(index);
            if (!detail.empty()) {
                out += ": ";
            }
        }
        out += detail + ")";
    }
    return out;
}

}  // namespace actors::chain
