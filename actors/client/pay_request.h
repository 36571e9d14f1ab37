// PayRequestSchedule: when the LNv1 client sends its pay request to the gateway, and when it
// stops asking.
//
// Upstream (fedimint-ln-client src/pay.rs, LightningPayFunded, 0.4 and later; the Refundable
// state is deprecated "since 0.4.0": the state machine "will retry payments until cancellation
// or timeout"): once the funding is accepted (`funding_time`), the Funded state races three
// futures — `gateway_pay_invoice`, `await_contract_cancelled` and
// `await_contract_timeout(timelock)`. `gateway_pay_invoice` loops: if more than
// TIMEOUT_DURATION = 180 s have passed since `funding_time` it pends forever (the payment then
// ends only by the cancellation or the timelock: the user refunds); otherwise it POSTs
// `pay_invoice` to the gateway and waits for the reply; the pay path sets no timeout of its own
// (RealGatewayConnection::pay_invoice calls `GatewayApi::request`, a `reqwest::Client::new()`
// with none in the versions read; the newest GatewayApi pools connections and waits a
// reconnect backoff before reconnecting to a gateway it lost — not modelled). An error reply
// or a connection error
// (`GatewayInternalError`) is retried after GATEWAY_INTERNAL_ERROR_RETRY_INTERVAL = 10 s (a
// 404 after RETRY_DELAY = 1 s, but RealGatewayConnection maps every error to error_code None,
// so the 1 s branch does not fire); `OutgoingContractError` ends the payment as failed.
// The 180 s test is `elapsed > TIMEOUT_DURATION`: an attempt at exactly 180 s still goes.
//
// Model: the client-gateway link has no connection state, so a failed attempt cannot always be
// seen (a request lost in flight, a gateway that crashed). The client sends at the funding and
// then every 10 s while at most 180 s have passed; a gateway that already holds the payment
// ignores a repeat (gateway.cc run_requests), as upstream's gateway joins the operation that
// exists (StateAlreadyExists), so the repeats stand for upstream's retries after a failure and
// change nothing else. *Inference:* upstream's attempts drift later by each failed attempt's
// own duration (a refused connection: about one round trip); the model's failed sends take no
// time, so its attempts fall at exactly funding + 10 k s, the last at + 180 s.
#pragma once

#include "sim/time.h"

namespace actors::client {

class PayRequestSchedule {
public:
    PayRequestSchedule(sim::SimTime funded_at, sim::SimDuration retry, sim::SimDuration window)
        : funded_at_(funded_at), retry_(retry), window_(window), next_(funded_at) {}

    // An attempt is due: its time has come and at most `window` has passed since the funding.
    bool due(sim::SimTime now) const { return now >= next_ && now - funded_at_ <= window_; }
    void sent(sim::SimTime now) { next_ = now + retry_; }
    // The next attempt's time; never once it would fall past the window.
    sim::SimTime next() const {
        return next_ - funded_at_ <= window_ ? next_ : sim::SimTime::never();
    }

private:
    sim::SimTime funded_at_;
    sim::SimDuration retry_;
    sim::SimDuration window_;
    sim::SimTime next_;
};

}  // namespace actors::client
