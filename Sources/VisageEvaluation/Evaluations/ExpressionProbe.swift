public import VisageCore
public import VisageHeads
import Foundation

/// Expression read off a frozen embedding by a linear head (VisageHeads' ``SoftmaxRegression``,
/// the one `visage train-head` fits): how much of the expression an embedding holds, the
/// FAb-Net paper's measure, applied to any feature extractor with the same head and settings.
///
/// Each image (a face crop of a class-folder set: FER2013, CK+) is resized whole to 112×112
/// and given to `embed` as if it were an aligned crop: no detection, so no image is lost and
/// every extractor sees the same pixels.
///
/// ```swift
/// let probe = ExpressionProbe(embed: { try embedder.embed($0) })
/// let ck = try probe.subjectFolds(ClassFolderDataset(root: "ckplus48", hint: ""), folds: 10)
/// ```
public struct ExpressionProbe: Sendable {
    /// Crops (112×112 RGB) to feature vectors, in order.
    public var embed: @Sendable ([Image]) throws -> [[Float]]
    public var options: SoftmaxRegression.Options

    public init(options: SoftmaxRegression.Options = .init(), embed: @escaping @Sendable ([Image]) throws -> [[Float]]) {
        self.embed = embed
        self.options = options
    }

    /// Features of `paths`, 64 images per batch; `progress` is told how many are done.
    public func features(_ paths: [String], progress: (Int) -> Void = { _ in }) throws -> [[Float]] {
        var out: [[Float]] = []
        out.reserveCapacity(paths.count)
        for start in stride(from: 0, to: paths.count, by: 64) {
            let crops = try paths[start..<min(paths.count, start + 64)].map { try Image(contentsOf: $0).resized(width: 112, height: 112) }
            out += try embed(crops)
            progress(out.count)
        }
        return out
    }

    /// Pooled predictions of `folds` folds split by subject (the `S###` prefix of CK+'s file
    /// names; subjects sorted and dealt round-robin), so no person is in train and test at once.
    public func subjectFolds(_ dataset: ClassFolderDataset, folds: Int = 10, progress: (Int) -> Void = { _ in }) throws -> ClassificationMetrics {
        let features = try features(dataset.samples.map(\.path), progress: progress)
        let subjects = dataset.samples.map { sample in
            String(URL(fileURLWithPath: sample.path).lastPathComponent.prefix { $0 != "_" })
        }
        let foldOf = Dictionary(uniqueKeysWithValues: Set(subjects).sorted().enumerated().map { ($0.element, $0.offset % folds) })
        var truth: [Int] = [], predicted: [Int] = []
        for fold in 0..<folds {
            let test = subjects.indices.filter { foldOf[subjects[$0]] == fold }
            let train = subjects.indices.filter { foldOf[subjects[$0]] != fold }
            guard !test.isEmpty, !train.isEmpty else { continue }
            let probe = SoftmaxRegression.fit(features: train.map { features[$0] }, labels: train.map { dataset.samples[$0].label },
                                              classCount: dataset.classes.count, options: options).model
            truth += test.map { dataset.samples[$0].label }
            predicted += test.map { probe.predict(features[$0]) }
        }
        return ClassificationMetrics(truth: truth, predicted: predicted, classes: dataset.classes.count)
    }

    /// Trains on `trainLimit` images of `train` (a seeded shuffle; all when nil) and tests on all of `test`.
    public func trainTest(train: ClassFolderDataset, test: ClassFolderDataset, trainLimit: Int?, seed: UInt64 = 1,
                          progress: (Int) -> Void = { _ in }) throws -> ClassificationMetrics {
        precondition(train.classes == test.classes, "train and test must have the same classes")
        var generator = SeededGenerator(seed: seed)
        let chosen = Array(train.samples.shuffled(using: &generator).prefix(trainLimit ?? train.samples.count))
        let trainFeatures = try features(chosen.map(\.path), progress: progress)
        let probe = SoftmaxRegression.fit(features: trainFeatures, labels: chosen.map(\.label), classCount: train.classes.count, options: options).model
        let testFeatures = try features(test.samples.map(\.path)) { progress(chosen.count + $0) }
        return ClassificationMetrics(truth: test.samples.map(\.label), predicted: testFeatures.map(probe.predict), classes: test.classes.count)
    }
}
