// StateLock: the gateway's `RwLock<GatewayState>` (tokio's RwLock in gatewayd) over sim waits.
//
// Shared holders (payment tasks reading the Lightning context) and one exclusive holder (a
// state change, /stop) exclude each other. Like tokio's fair RwLock, a waiting writer blocks
// new readers, so a reader that arrives while /stop holds or waits for the lock waits too; that
// is what turns "stop holds the write lock while draining" into a deadlock (fedimint#8990).
// Guards release on destruction, also when a crash unwinds a killed task. They share ownership
// of the lock, so a task unwound when the simulation is torn down (after the gateway that made
// the lock is gone) still releases a live object.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sim/sync.h"

namespace actors::gateway {

class StateLock {
public:
    explicit StateLock(std::string name) : changed_(std::move(name)) {}
    StateLock(const StateLock&) = delete;
    StateLock& operator=(const StateLock&) = delete;

    // Blocking; call from an actor.
    void lock_shared();
    void unlock_shared();
    void lock();
    void unlock();

    bool locked_exclusive() const { return writer_; }
    uint32_t readers() const { return readers_; }

private:
    sim::Signal changed_;
    uint32_t readers_ = 0;
    uint32_t writers_waiting_ = 0;
    bool writer_ = false;
};

class SharedGuard {
public:
    explicit SharedGuard(std::shared_ptr<StateLock> lock) : lock_(std::move(lock)) {
        lock_->lock_shared();
    }
    ~SharedGuard() { lock_->unlock_shared(); }
    SharedGuard(const SharedGuard&) = delete;
    SharedGuard& operator=(const SharedGuard&) = delete;

private:
    std::shared_ptr<StateLock> lock_;
};

class ExclusiveGuard {
public:
    explicit ExclusiveGuard(std::shared_ptr<StateLock> lock) : lock_(std::move(lock)) {
        lock_->lock();
    }
    ~ExclusiveGuard() { lock_->unlock(); }
    ExclusiveGuard(const ExclusiveGuard&) = delete;
    ExclusiveGuard& operator=(const ExclusiveGuard&) = delete;

private:
    std::shared_ptr<StateLock> lock_;
};

}  // namespace actors::gateway
