import VisageCore
public import Visage
public import VisageHeads
import Foundation

/// How well a custom head does from few photos: for each number of training photos per label,
/// several seeded draws of that many photos per label train a head (``HeadTrainer``, penalty
/// chosen by cross-validation inside the drawn photos only) and every photo not drawn tests it.
///
/// ```swift
/// let photos = try LabelledPhotos(folder: "../shared/data/masks")
/// let report = try await HeadLearningCurve(photos: photos, name: "masks", source: "../shared/data/masks")
///     .run(analyzer: analyzer, output: "out/eval/head-masks") { _, _, _ in }
/// ```
public struct HeadLearningCurve: Sendable {
    public var photos: LabelledPhotos
    public var name: String
    public var source: String
    /// Training photos per label, one point of the curve each; default 5, 10, 20, 50.
    public var perLabel: [Int] = [5, 10, 20, 50]
    /// Independent draws per point; default 5.
    public var repeats: Int = 5
    /// Seed of the draws (draw r uses seed + r); default 1.
    public var seed: UInt64 = 1

    public init(photos: LabelledPhotos, name: String, source: String) {
        self.photos = photos
        self.name = name
        self.source = source
    }

    /// Embeds every photo once (cached in `embeddings.tsv` in `output`), runs the draws and
    /// writes `report.json`, `report.md` and `curve.svg/png`.
    public func run(analyzer: FaceAnalyzer, output: String, progress: EvaluationProgress) async throws(EvaluationError) -> HeadLearningCurveReport {
        try ReportFiles.createDirectory(output)
        let embeddings = await ImageEmbeddings.collect(photos.paths, analyzer: analyzer, cachePath: output + "/" + EmbeddingCache.fileName, progress: progress)
        var report = try evaluate(embeddings)
        report.plots = try chart(report).write(to: output + "/curve")
        try report.write(to: output)
        return report
    }

    /// The curve from embeddings already computed.
    public func evaluate(_ embeddings: ImageEmbeddings) throws(EvaluationError) -> HeadLearningCurveReport {
        let labelCount = photos.labelNames.count
        let usable = (0..<labelCount).map { label in
            photos.paths.indices.filter { photos.labels[$0] == label && embeddings.embeddings[photos.paths[$0]] != nil }
        }
        var points: [HeadLearningCurveReport.Point] = []
        for n in perLabel {
            guard usable.allSatisfy({ $0.count > n }) else { continue }  // at least one test photo per label
            var draws: [HeadLearningCurveReport.Draw] = []
            for r in 0..<repeats {
                var generator = SeededGenerator(seed: seed &+ UInt64(r))
                var training: Set<Int> = []
                for members in usable { training.formUnion(members.shuffled(using: &generator).prefix(n)) }
                let trainIndices = training.sorted()
                let head: FaceHead
                do {
                    head = try HeadTrainer(crossValidation: CrossValidation(folds: min(5, n), seed: seed)).train(
                        name: name, labelNames: photos.labelNames,
                        rows: trainIndices.map { embeddings.embeddings[photos.paths[$0]]! }, labels: trainIndices.map { photos.labels[$0] })
                } catch {
                    throw .modelFailed(reason: error.errorDescription ?? "\(error)")
                }
                var labels: [Int] = []
                var predicted: [Int] = []
                for members in usable {
                    for i in members where !training.contains(i) {
                        labels.append(photos.labels[i])
                        predicted.append(head.classifier.predict(embeddings.embeddings[photos.paths[i]]!))
                    }
                }
                let result = CrossValidationResult(labels: labels, predicted: predicted, classCount: labelCount, folds: 1)
                draws.append(.init(seed: seed &+ UInt64(r), testPhotos: labels.count, accuracy: Format.rounded(result.accuracy),
                                   balancedAccuracy: Format.rounded(result.balancedAccuracy), l2: head.training.l2,
                                   crossValidatedAccuracy: Format.rounded(head.training.crossValidatedAccuracy)))
            }
            let (mean, std) = VerificationMetrics.meanAndStandardDeviation(draws.map(\.accuracy))
            points.append(.init(perLabel: n, meanAccuracy: Format.rounded(mean), accuracyStandardDeviation: Format.rounded(std),
                                worstAccuracy: draws.map(\.accuracy).min()!,
                                meanBalancedAccuracy: Format.rounded(draws.map(\.balancedAccuracy).reduce(0, +) / Double(draws.count)),
                                draws: draws))
        }
        guard !points.isEmpty else {
            throw .empty(path: source, what: "labels with more photos (with a face) than the smallest training size \(perLabel.min() ?? 0)")
        }
        return HeadLearningCurveReport(
            name: name, source: source, labels: photos.labelNames,
            photosPerLabel: (0..<labelCount).map { label in photos.labels.count { $0 == label } },
            withFacePerLabel: usable.map(\.count), withoutFace: embeddings.withoutFace.count, unreadableImages: embeddings.unreadable,
            features: FaceFeatures.sface.rawValue + " (" + FaceFeatures.sface.model + ")", seed: seed, repeats: repeats, points: points, plots: [])
    }

    private func chart(_ report: HeadLearningCurveReport) -> Chart {
        let lowest = report.points.flatMap { $0.draws.map(\.accuracy) }.min() ?? 0.5
        var chart = Chart(title: "Custom head (\(name)): held-out accuracy vs training photos per label",
                          xLabel: "training photos per label", yLabel: "accuracy on the other photos",
                          xRange: 1...Double(max(report.points.last?.perLabel ?? 2, 2)) * 1.2, yRange: min(0.5, (lowest * 10).rounded(.down) / 10)...1, xScale: .log10)
        chart.series.append(.init(name: "mean of \(repeats) draws", points: report.points.map { (Double($0.perLabel), $0.meanAccuracy) },
                                  color: Chart.palette[0]))
        chart.series.append(.init(name: "worst draw", points: report.points.map { (Double($0.perLabel), $0.worstAccuracy) },
                                  color: Chart.palette[1], style: .dashedLine))
        return chart
    }
}

/// The result of a ``HeadLearningCurve``.
public struct HeadLearningCurveReport: EvaluationReport {
    public var kind = "custom-head"
    public var name: String
    public var source: String
    public var labels: [String]
    public var photosPerLabel: [Int]
    /// Photos per label in which a face was found: only these can train or test a head.
    public var withFacePerLabel: [Int]
    public var withoutFace: Int
    public var unreadableImages: [UnreadableImage]
    public var features: String
    public var seed: UInt64
    public var repeats: Int
    public var points: [Point]
    public var plots: [String]

    public struct Point: Codable, Sendable {
        public var perLabel: Int
        /// Accuracy on all photos not drawn for training, over the draws.
        public var meanAccuracy: Double
        public var accuracyStandardDeviation: Double
        public var worstAccuracy: Double
        public var meanBalancedAccuracy: Double
        public var draws: [Draw]
    }

    public struct Draw: Codable, Sendable {
        public var seed: UInt64
        public var testPhotos: Int
        public var accuracy: Double
        public var balancedAccuracy: Double
        /// The penalty the trainer chose, and its cross-validated accuracy on the drawn photos.
        public var l2: Double
        public var crossValidatedAccuracy: Double
    }

    public func markdown() -> String {
        var out = "## Custom head learning curve: \(name)\n\n"
        out += "Data: `\(source)`: " + zip(labels, zip(photosPerLabel, withFacePerLabel)).map { "\($0) \($1.0) photos (\($1.1) with a face)" }.joined(separator: ", ")
        out += ". Features: \(features). Each draw picks N photos per label (seed \(seed) + draw), trains a head "
        out += "(L2 chosen by cross-validation within those photos), and tests it on every other photo with a face.\n\n"
        out += Format.table(["photos per label", "draws", "test photos", "accuracy (mean ± sd)", "worst draw", "balanced accuracy"],
                            points.map { p in
                                ["\(p.perLabel)", "\(p.draws.count)", "\(p.draws.first?.testPhotos ?? 0)", Format.percent(p.meanAccuracy, p.accuracyStandardDeviation),
                                 Format.percent(p.worstAccuracy), Format.percent(p.meanBalancedAccuracy)]
                            }) + "\n"
        if withoutFace > 0 { out += "\n\(withoutFace) photo(s) without a detected face are left out (a head needs a face).\n" }
        for image in unreadableImages { out += "\nUnreadable: `\(image.path)`: \(image.error)" }
        if !plots.isEmpty { out += "\nPlots: " + plots.map { "[\($0)](\($0))" }.joined(separator: ", ") + "\n" }
        return out
    }
}
