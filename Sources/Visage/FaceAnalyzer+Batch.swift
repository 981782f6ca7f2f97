extension FaceAnalyzer {
    /// The outcome for one file of a batch: its analysis, or the error that stopped it.
    public struct BatchItem: Sendable {
        /// Position of the file in the input list.
        public var index: Int
        public var path: String
        public var result: Result<AnalyzedImage, any Error>
    }

    /// Images ``analyzeFiles(_:tasks:heads:concurrency:keepImages:)`` keeps in flight unless told otherwise.
    public static let defaultBatchConcurrency = 2

    /// Analyses many files, `concurrency` at a time, yielding results in input order.
    ///
    /// Two images in flight keep both cores of a small machine busy: while one image is in
    /// ONNX Runtime, the other is decoded and prepared in Swift. A bad file yields an item
    /// with its error and the batch goes on.
    ///
    /// For throughput, give each image in flight its share of the cores: an analyzer whose
    /// `configuration.runtime.intraOpThreads` is the core count divided by `concurrency` (one on
    /// 2 cores) was 2–18% faster than one sharing a pool of all cores in 12 of 13 rounds of `visage bench`.
    ///
    /// - Parameters:
    ///   - tasks: what to compute for each face; default (nil) ``Configuration/tasks``.
    ///   - heads: custom heads whose predictions are added to each face; default none.
    ///   - concurrency: images processed at once; default ``defaultBatchConcurrency``.
    public func analyzeFiles(_ paths: [String], tasks: Tasks? = nil, heads: [any CustomHead] = [], concurrency: Int = defaultBatchConcurrency,
                             keepImages: Bool = false) -> AsyncStream<BatchItem> {
        let window = max(1, concurrency)
        let tasks = tasks ?? configuration.tasks
        return AsyncStream { continuation in
            let task = Task {
                await withTaskGroup(of: BatchItem.self) { group in
                    var next = 0
                    var pending: [Int: BatchItem] = [:]
                    var emitted = 0
                    func submit() {
                        guard next < paths.count, !Task.isCancelled else { return }
                        let index = next, path = paths[index]
                        next += 1
                        group.addTask {
                            do {
                                // Without the picture kept, a large JPEG is decoded reduced and in parts (FaceAnalyzer+LargePhotos.swift).
                                var analyzed = try await self.analyze(contentsOf: path, tasks: tasks, heads: heads, keepingImage: keepImages)
                                if !keepImages { analyzed.image = nil }
                                return BatchItem(index: index, path: path, result: .success(analyzed))
                            } catch {
                                return BatchItem(index: index, path: path, result: .failure(error))
                            }
                        }
                    }
                    for _ in 0..<window { submit() }
                    for await item in group {
                        pending[item.index] = item
                        while let ready = pending.removeValue(forKey: emitted) {
                            continuation.yield(ready)
                            emitted += 1
                        }
                        submit()
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
