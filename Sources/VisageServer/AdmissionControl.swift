import Foundation

/// Limits how many analyses run at once and how many requests may wait for one, so that a
/// burst is answered with 503 and `Retry-After` instead of queueing without end.
///
/// Up to `slots` holders run at once; up to `queueLimit` more wait in arrival order, each for
/// at most `maxWait`. A request beyond that is refused at once with ``ServiceError/busy(retryAfter:)``;
/// one that waited too long gets ``ServiceError/timedOut(retryAfter:)``.
final class AdmissionControl: @unchecked Sendable {
    let slots: Int
    let queueLimit: Int
    let maxWait: Duration

    private let lock = NSLock()
    private var active = 0
    private var nextID: UInt64 = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []

    init(slots: Int, queueLimit: Int, maxWait: Duration) {
        self.slots = max(1, slots)
        self.queueLimit = max(0, queueLimit)
        self.maxWait = maxWait
    }

    /// Analyses running and requests waiting, for /metrics and /v1/health.
    var load: (running: Int, waiting: Int) {
        lock.withLock { (active, waiters.count) }
    }

    /// Throws ``ServiceError/busy(retryAfter:)`` when every slot is taken and the queue is full,
    /// so that a flood is refused before its bodies are read into memory.
    func refuseIfSaturated() throws {
        let saturated = lock.withLock { active >= slots && waiters.count >= queueLimit }
        if saturated { throw ServiceError.busy(retryAfter: retryAfter) }
    }

    /// Runs `work` once a slot is free.
    func run<T: Sendable>(_ work: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await work()
    }

    private var retryAfter: Int { max(1, Int((maxWait / 4).components.seconds)) }

    func acquire() async throws {
        let id: UInt64 = lock.withLock { nextID += 1; return nextID }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome: Result<Void, ServiceError>? = lock.withLock {
                if active < slots, waiters.isEmpty {
                    active += 1
                    return .success(())
                }
                guard waiters.count < queueLimit else { return .failure(.busy(retryAfter: retryAfter)) }
                waiters.append((id, continuation))
                return nil
            }
            switch outcome {
            case .success: continuation.resume()
            case let .failure(error): continuation.resume(throwing: error)
            case nil:
                let maxWait = maxWait, retryAfter = retryAfter
                Task { [weak self] in
                    try? await Task.sleep(for: maxWait)
                    self?.expire(id, retryAfter: retryAfter)
                }
            }
        }
    }

    private func expire(_ id: UInt64, retryAfter: Int) {
        let expired: CheckedContinuation<Void, any Error>? = lock.withLock {
            guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return waiters.remove(at: index).continuation
        }
        expired?.resume(throwing: ServiceError.timedOut(retryAfter: retryAfter))
    }

    /// Hands the slot to the longest waiter, or frees it.
    func release() {
        let next: CheckedContinuation<Void, any Error>? = lock.withLock {
            if waiters.isEmpty {
                active -= 1
                return nil
            }
            return waiters.removeFirst().continuation
        }
        next?.resume()
    }
}
