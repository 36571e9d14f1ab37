// RPC results and injected RPC faults for bitcoind nodes.
//
// A call either answers, fails with an error, or times out. Faults are values the caller
// handles (Fedimint's monitor turns any of them into "no status"); they are drawn per call from
// the node's own seeded stream, so one node's faults never shift another's.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "actors/chain/tx_error.h"
#include "sim/random.h"
#include "sim/time.h"

namespace actors::chain {

enum class RpcStatus : uint8_t {
    ok,
    error,    // the node answered with an error (bad height, rejected tx, injected failure)
    timeout,  // no answer within the client's timeout
};
const char* to_string(RpcStatus s);

template <typename T>
struct RpcResult {
    RpcStatus status = RpcStatus::ok;
    std::optional<T> value;  // set iff status == ok
    std::string error;       // the node's message for RpcStatus::error
    TxCheck reject;          // for sendrawtransaction rejections: the rule that failed

    bool ok() const { return status == RpcStatus::ok; }
    static RpcResult success(T v) { return RpcResult{RpcStatus::ok, std::move(v), {}, {}}; }
    static RpcResult failure(std::string message) {
        return RpcResult{RpcStatus::error, std::nullopt, std::move(message), {}};
    }
    static RpcResult timed_out() { return RpcResult{RpcStatus::timeout, std::nullopt, {}, {}}; }
};

struct RpcConfig {
    // Round trip of a successful or failing call, drawn uniformly per call.
    sim::SimDuration latency_min = sim::SimDuration::zero();
    sim::SimDuration latency_max = sim::SimDuration::zero();
    // Injected faults per call: an error answer, or no answer at all.
    sim::Ratio error = sim::Ratio::never();
    sim::Ratio timeout = sim::Ratio::never();
    // How long a call that gets no answer blocks its caller before reporting a timeout.
    sim::SimDuration client_timeout = sim::SimDuration::seconds(30);
};

}  // namespace actors::chain
