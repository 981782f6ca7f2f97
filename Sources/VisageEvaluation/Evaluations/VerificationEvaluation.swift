public import Visage
import Foundation

/// The result of a verification evaluation; see ``VerificationEvaluation``.
public struct VerificationReport: EvaluationReport {
    public var kind = "verification"
    public var name: String
    public var source: String
    public var folds: String
    public var pairs: Int
    public var genuinePairs: Int
    public var impostorPairs: Int
    /// Distinct images embedded (each once).
    public var images: Int
    public var imagesWithoutFace: [String]
    public var unreadableImages: [UnreadableImage]
    /// Pairs with an image that gave no embedding; they score −1 (a rejection).
    public var failedPairs: Int
    /// Mean and population standard deviation of the per-fold accuracies.
    public var accuracy: Double
    public var accuracyStandardDeviation: Double
    public var foldResults: [FoldResult]
    /// The fixed threshold (``Verification/defaultThreshold``) and the accuracy on all pairs there.
    public var fixedThreshold: Float
    public var fixedThresholdAccuracy: Double
    /// The best single threshold on all pairs and its accuracy: optimistic, tuned on the test data.
    public var bestThreshold: Float
    public var bestThresholdAccuracy: Double
    public var trueAcceptRates: [OperatingPoint]
    public var equalErrorRate: Double
    public var equalErrorThreshold: Float
    public var areaUnderCurve: Double
    /// The ROC curve, thinned to the points that change the picture.
    public var roc: [ROCPoint]
    public var plots: [String]

    public func markdown() -> String {
        var rows: [[String]] = [
            ["pairs (genuine / impostor)", "\(pairs) (\(genuinePairs) / \(impostorPairs))"],
            ["images embedded (no face / unreadable)", "\(images) (\(imagesWithoutFace.count) / \(unreadableImages.count))"],
            ["failed pairs (scored −1)", "\(failedPairs)"],
            ["\(foldResults.count)-fold accuracy (threshold from the other folds)", Format.percent(accuracy, accuracyStandardDeviation)],
            ["accuracy at the fixed threshold \(Format.number(fixedThreshold))", Format.percent(fixedThresholdAccuracy)],
            ["accuracy at the best threshold \(Format.number(bestThreshold)) (tuned on these pairs)", Format.percent(bestThresholdAccuracy)],
        ]
        for point in trueAcceptRates {
            var value = "\(Format.percent(point.trueAcceptRate)) (threshold \(Format.number(point.threshold)))"
            if !point.isResolved { value += " — only \(point.impostors) impostor pairs: not resolved" }
            rows.append(["TAR at FAR \(Format.rate(point.targetFalseAcceptRate))", value])
        }
        rows.append(["EER", "\(Format.percent(equalErrorRate)) (threshold \(Format.number(equalErrorThreshold)))"])
        rows.append(["ROC AUC", Format.number(areaUnderCurve, decimals: 4)])
        var out = "## Verification: \(name)\n\nData: `\(source)`; folds: \(folds).\n\n"
        out += Format.table(["metric", "value"], rows) + "\n\n"
        out += Format.table(["fold", "pairs", "threshold", "accuracy"], foldResults.map {
            ["\($0.fold)", "\($0.pairs)", Format.number($0.threshold), Format.percent($0.accuracy)]
        }) + "\n"
        if !imagesWithoutFace.isEmpty {
            out += "\nNo face found in \(imagesWithoutFace.count) image\(imagesWithoutFace.count == 1 ? "" : "s"): "
            out += imagesWithoutFace.prefix(20).map { "`\(URL(fileURLWithPath: $0).pathComponents.suffix(3).joined(separator: "/"))`" }.joined(separator: ", ")
            out += imagesWithoutFace.count > 20 ? ", … (all in report.json)\n" : "\n"
        }
        for image in unreadableImages { out += "\nUnreadable: `\(image.path)`: \(image.error)" }
        if !plots.isEmpty { out += "\nPlots: " + plots.map { "[\($0)](\($0))" }.joined(separator: ", ") + "\n" }
        return out
    }
}

/// Face verification on a pair list: embeds each image once (largest face), scores each pair
/// by cosine similarity, and reports k-fold accuracy, accuracy at a fixed threshold, TAR at
/// FAR, EER and the ROC curve (`roc.svg`, `roc.png`).
///
/// ```swift
/// let pairs = try VerificationPairs.cfp(root: "../shared/data/cfp", protocol: .frontalFrontal)
/// let report = try await VerificationEvaluation(pairs: pairs).run(analyzer: analyzer, output: "out/eval/cfp-ff") { _, _, _ in }
/// print(report.markdown())
/// ```
public struct VerificationEvaluation: Sendable {
    public var pairs: VerificationPairs
    /// Threshold reported beside the k-fold figure; default ``Verification/defaultThreshold`` (0.303).
    public var fixedThreshold: Float = Verification.defaultThreshold
    /// False-accept rates at which the true-accept rate is reported; default 1e-2 and 1e-3.
    public var falseAcceptRates: [Double] = [1e-2, 1e-3]
    /// Reuse and update `embeddings.tsv` in the output folder; default true.
    public var usesCache = true

    public init(pairs: VerificationPairs) {
        self.pairs = pairs
    }

    /// Embeds, scores, writes `report.json`, `report.md`, `scores.csv` and the ROC plots into
    /// `output`, and returns the report.
    public func run(analyzer: FaceAnalyzer, output: String, progress: EvaluationProgress) async throws(EvaluationError) -> VerificationReport {
        try ReportFiles.createDirectory(output)
        let images = pairs.uniqueImages
        let embeddings = await ImageEmbeddings.collect(
            images, analyzer: analyzer, cachePath: usesCache ? output + "/" + EmbeddingCache.fileName : nil, progress: progress)
        let scored = score(embeddings)
        var report = summarize(scored, embeddings: embeddings, images: images.count)
        try writeScores(scored, to: output + "/scores.csv")
        report.plots = try rocChart(report).write(to: output + "/roc")
        try report.write(to: output)
        return report
    }

    /// Cosine similarity per pair, −1 where either image has no embedding.
    public func score(_ embeddings: ImageEmbeddings) -> [ScoredPair] {
        pairs.pairs.map { pair in
            guard let a = embeddings.embeddings[pair.first], let b = embeddings.embeddings[pair.second] else {
                return ScoredPair(score: -1, same: pair.same)
            }
            return ScoredPair(score: zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }, same: pair.same)
        }
    }

    /// All metrics for scored pairs (parallel to `pairs.pairs`); `plots` is left empty.
    public func summarize(_ scored: [ScoredPair], embeddings: ImageEmbeddings, images: Int) -> VerificationReport {
        let folds = VerificationMetrics.kFold(scored, folds: pairs.pairs.map(\.fold))
        let (mean, std) = VerificationMetrics.meanAndStandardDeviation(folds.map(\.accuracy))
        let best = VerificationMetrics.bestThreshold(scored)
        let roc = VerificationMetrics.roc(scored)
        let eer = VerificationMetrics.equalErrorRate(scored)
        let failed = pairs.pairs.count { embeddings.embeddings[$0.first] == nil || embeddings.embeddings[$0.second] == nil }
        return VerificationReport(
            name: pairs.name, source: pairs.source, folds: pairs.foldsDescription,
            pairs: scored.count, genuinePairs: scored.count(where: \.same), impostorPairs: scored.count { !$0.same },
            images: images, imagesWithoutFace: embeddings.withoutFace, unreadableImages: embeddings.unreadable,
            failedPairs: failed,
            accuracy: Format.rounded(mean), accuracyStandardDeviation: Format.rounded(std),
            foldResults: folds.map { FoldResult(fold: $0.fold, pairs: $0.pairs, threshold: $0.threshold, accuracy: Format.rounded($0.accuracy)) },
            fixedThreshold: fixedThreshold,
            fixedThresholdAccuracy: Format.rounded(VerificationMetrics.accuracy(scored, threshold: fixedThreshold)),
            bestThreshold: best.threshold, bestThresholdAccuracy: Format.rounded(best.accuracy),
            trueAcceptRates: falseAcceptRates.map { VerificationMetrics.trueAcceptRate(scored, atFalseAcceptRate: $0) },
            equalErrorRate: Format.rounded(eer.rate), equalErrorThreshold: eer.threshold,
            areaUnderCurve: Format.rounded(VerificationMetrics.areaUnderCurve(roc)),
            roc: Self.thin(roc), plots: [])
    }

    /// Keeps the ROC points a plot can tell apart: a step of 0.01 decade in FAR or 0.001 in TAR.
    static func thin(_ roc: [ROCPoint]) -> [ROCPoint] {
        var kept: [ROCPoint] = []
        for (i, point) in roc.enumerated() {
            if let last = kept.last, i != roc.count - 1 {
                let farStep = point.falseAcceptRate > 0 && last.falseAcceptRate > 0
                    ? abs(log10(point.falseAcceptRate) - log10(last.falseAcceptRate)) : (point.falseAcceptRate == last.falseAcceptRate ? 0 : 1)
                if farStep < 0.01, abs(point.trueAcceptRate - last.trueAcceptRate) < 0.001 { continue }
            }
            kept.append(ROCPoint(threshold: point.threshold, falseAcceptRate: Format.rounded(point.falseAcceptRate, 8),
                                 trueAcceptRate: Format.rounded(point.trueAcceptRate, 8)))
        }
        return kept
    }

    /// A ROC chart on a log FAR axis down to one impostor pair.
    public static func rocChart(_ reports: [VerificationReport], title: String) -> Chart {
        let smallest = reports.map { 1 / Double(max($0.impostorPairs, 1)) }.min() ?? 1e-3
        let low = pow(10, log10(smallest).rounded(.down))
        var chart = Chart(title: title, xLabel: "false accept rate (impostor pairs accepted)", yLabel: "true accept rate",
                          xRange: low...1, yRange: 0...1, xScale: .log10)
        chart.markers = [(1e-3, "FAR 1e-3"), (1e-2, "FAR 1e-2")].filter { $0.0 > low }
        for (i, report) in reports.enumerated() {
            // Log axes cannot show FAR 0; that stretch is drawn at the left edge.
            let points = report.roc.map { (x: max($0.falseAcceptRate, low), y: $0.trueAcceptRate) }
            let label = String(format: "%@ (EER %.2f%%)", report.name, report.equalErrorRate * 100)
            chart.series.append(.init(name: label, points: points, color: Chart.palette[i % Chart.palette.count]))
        }
        return chart
    }

    private func rocChart(_ report: VerificationReport) -> Chart {
        Self.rocChart([report], title: "ROC: \(report.name), \(report.pairs) pairs")
    }

    private func writeScores(_ scored: [ScoredPair], to path: String) throws(EvaluationError) {
        var out = "first,second,same,score\n"
        for (pair, score) in zip(pairs.pairs, scored) {
            out += "\(ReportFiles.csvField(pair.first)),\(ReportFiles.csvField(pair.second)),\(pair.same ? 1 : 0),\(String(format: "%.6f", score.score))\n"
        }
        try ReportFiles.write(Data(out.utf8), to: path)
    }
}
