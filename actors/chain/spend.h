// Script verification without scripts: does an input's witness satisfy the spent output's
// condition?
//
// The CLTV and CSV branches apply BIP 65 and BIP 112 literally (they compare the condition's
// lock with the spending tx's nLockTime / the input's nSequence); the chain-level rules in
// locks.h then decide *when* such a transaction may be mined.
#pragma once

#include <cstddef>

#include "actors/chain/transaction.h"
#include "actors/chain/tx_error.h"

namespace actors::chain {

// Checks input `input_index` of `tx` against `spent`. Returns ok or the failing rule.
TxCheck check_spend(const Transaction& tx, size_t input_index, const TxOut& spent);

// OP_CHECKLOCKTIMEVERIFY with argument `lock` for input `input_index` of `tx`.
bool check_lock_time_verify(const Transaction& tx, size_t input_index, uint32_t lock);
// OP_CHECKSEQUENCEVERIFY with a relative lock of `blocks` blocks for input `input_index`.
bool check_sequence_verify(const Transaction& tx, size_t input_index, uint32_t blocks);

}  // namespace actors::chain
