public import Dispatch

/// Runs blocking work (ONNX Runtime inference, image and video decoding) on `queue` and awaits
/// its result, so that Swift's cooperative pool, which has one thread per core (two on a
/// two-core machine), stays free for other tasks: a server's connections, a progress printer.
/// Every place in Visage that blocks from async code goes through here.
///
/// ```swift
/// let image = try await offload { try Image(contentsOf: path) }
/// ```
public func offload<T: Sendable>(on queue: DispatchQueue = .global(), _ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        queue.async { continuation.resume(with: Result { try work() }) }
    }
}
