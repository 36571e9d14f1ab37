// TxError: which rule rejected a transaction or block, as a value (never an assertion).
//
// Each error maps to the reject reason Bitcoin Core reports for the same rule, so a scenario or
// a test can say "rejected as non-final" and mean exactly what Core means.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace actors::chain {

enum class TxError : uint8_t {
    ok,
    // Context-free checks (CheckTransaction).
    no_inputs,          // bad-txns-vin-empty
    no_outputs,         // bad-txns-vout-empty
    negative_output,    // bad-txns-vout-negative
    output_too_large,   // bad-txns-vout-toolarge / bad-txns-txouttotal-toolarge
    duplicate_input,    // bad-txns-inputs-duplicate
    null_prevout,       // bad-txns-prevout-null (a non-coinbase spending the null outpoint)
    // Contextual checks.
    coinbase_not_allowed,    // coinbase (a loose coinbase offered to the mempool)
    non_final,               // non-final / bad-txns-nonfinal (nLockTime, IsFinalTx)
    sequence_locked,         // non-BIP68-final (relative locks, BIP 68)
    missing_inputs,          // bad-txns-inputs-missingorspent
    premature_coinbase_spend,  // bad-txns-premature-spend-of-coinbase
    inputs_below_outputs,    // bad-txns-in-belowout
    // Spending conditions (script verification failures).
    witness_mismatch,   // the witness does not fit the output's condition
    wrong_signer,       // signature from a key the condition does not name
    bad_preimage,       // hash lock not satisfied
    cltv_unsatisfied,   // OP_CHECKLOCKTIMEVERIFY (Locktime requirement not satisfied)
    csv_unsatisfied,    // OP_CHECKSEQUENCEVERIFY (Locktime requirement not satisfied)
    // Mempool policy.
    already_in_mempool,  // txn-already-in-mempool
    already_confirmed,   // txn-already-known
    mempool_conflict,    // txn-mempool-conflict (no replacement modelled)
    // Block checks.
    bad_coinbase,        // bad-cb-missing / bad-cb-multiple
    coinbase_too_large,  // bad-cb-amount
    duplicate_tx,        // bad-txns-duplicate
};

// Bitcoin Core's reject reason for the error ("non-final", "bad-txns-inputs-missingorspent").
const char* reject_reason(TxError e);
// The enumerator's name ("non_final"), for traces.
const char* to_string(TxError e);

// The outcome of a check: the error, which input or tx it concerns, and a human detail.
struct TxCheck {
    TxError error = TxError::ok;
    // Input index for input-level errors, transaction index for block-level errors, else -1.
    int64_t index = -1;
    std::string detail;

    bool ok() const { return error == TxError::ok; }
    static TxCheck success() { return TxCheck{}; }
    static TxCheck fail(TxError e, int64_t index, std::string detail) {
        return TxCheck{e, index, std::move(detail)};
    }
    // "non-final (input 0: lock_time 105 >= height 105)" for logs and test failure messages.
    std::string to_string() const;
};

}  // namespace actors::chain
