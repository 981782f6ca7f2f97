import Synchronization

/// How many times a session ran and how long it spent inside ONNX Runtime.
///
/// Benchmarks subtract this from the pipeline's wall time to show how much of it is our own
/// code. Counters are atomics so that concurrent runs can record without a lock.
public final class RunStatistics: Sendable {
    private let runCount = Atomic<Int>(0)
    private let nanoseconds = Atomic<Int64>(0)

    init() {}

    /// Runs completed so far.
    public var runs: Int { runCount.load(ordering: .relaxed) }

    /// Total time spent inside ORT's Run, summed over all callers.
    public var inferenceTime: Duration { .nanoseconds(nanoseconds.load(ordering: .relaxed)) }

    func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        runCount.add(1, ordering: .relaxed)
        nanoseconds.add(seconds * 1_000_000_000 + attoseconds / 1_000_000_000, ordering: .relaxed)
    }
}
