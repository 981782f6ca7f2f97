public import Visage
import Foundation
import VisageCore
import VisageModels

/// The result of a detection evaluation; see ``DetectionEvaluation``.
public struct DetectionReport: EvaluationReport {
    /// Recall of the ground-truth boxes of one label.
    public struct LabelRecall: Sendable, Codable, Hashable {
        public var label: String
        public var boxes: Int
        public var found: Int
        public var recall: Double
    }

    public var kind = "detection"
    public var name: String
    public var source: String
    public var images: Int
    public var groundTruthBoxes: Int
    public var detections: Int
    public var iouThreshold: Float
    /// The detector's score floor for the curve (lower than the pipeline's, to trace it out).
    public var curveScoreThreshold: Float
    public var averagePrecision: Double
    public var recallByLabel: [LabelRecall]
    /// The pipeline's own score threshold and the figures there.
    public var operatingScoreThreshold: Float
    public var operatingPrecision: Double
    public var operatingRecall: Double
    public var operatingRecallByLabel: [LabelRecall]
    /// The pipeline at its defaults: the detector's threshold plus the faces that
    /// ``FaceAnalyzer/MaskedFaceRescue`` keeps below it; nil when the rescue was off.
    public var defaults: Defaults?
    public var unreadableImages: [UnreadableImage]
    public var imagesWithoutAnnotation: [String]
    public var annotationsWithoutImage: [String]
    /// Thinned precision–recall curve.
    public var curve: [PrecisionRecallPoint]
    public var plots: [String]

    /// Figures for the faces the pipeline keeps at its defaults (``FaceAnalyzer/MaskedFaceRescue`` on).
    public struct Defaults: Sendable, Codable, Hashable {
        /// The rescue's detector score floor and mask probability.
        public var rescueScoreThreshold: Float
        public var rescueMinimumMaskProbability: Float
        /// Boxes below the detector's threshold that the rescue kept.
        public var rescuedBoxes: Int
        public var precision: Double
        public var recall: Double
        public var recallByLabel: [LabelRecall]
    }

    public func markdown() -> String {
        var rows: [[String]] = [
            ["images (unreadable)", "\(images) (\(unreadableImages.count))"],
            ["annotated faces", "\(groundTruthBoxes)"],
            ["AP at IoU \(Format.number(iouThreshold, decimals: 2)) (all-point, detector score ≥ \(Format.number(curveScoreThreshold, decimals: 2)))", Format.percent(averagePrecision)],
        ]
        for label in recallByLabel {
            rows.append(["recall, \(label.label) (score ≥ \(Format.number(curveScoreThreshold, decimals: 2)))", "\(Format.percent(label.recall)) (\(label.found)/\(label.boxes))"])
        }
        rows.append(["precision / recall at the pipeline's score ≥ \(Format.number(operatingScoreThreshold, decimals: 2))", "\(Format.percent(operatingPrecision)) / \(Format.percent(operatingRecall))"])
        for label in operatingRecallByLabel {
            rows.append(["recall, \(label.label) (score ≥ \(Format.number(operatingScoreThreshold, decimals: 2)))", "\(Format.percent(label.recall)) (\(label.found)/\(label.boxes))"])
        }
        if let defaults {
            let rescue = "score ≥ \(Format.number(operatingScoreThreshold, decimals: 2)), or ≥ \(Format.number(defaults.rescueScoreThreshold, decimals: 2)) and masked with p ≥ \(Format.number(defaults.rescueMinimumMaskProbability, decimals: 2))"
            rows.append(["precision / recall at Visage's defaults (\(rescue); \(defaults.rescuedBoxes) boxes rescued)", "\(Format.percent(defaults.precision)) / \(Format.percent(defaults.recall))"])
            for label in defaults.recallByLabel {
                rows.append(["recall at Visage's defaults, \(label.label)", "\(Format.percent(label.recall)) (\(label.found)/\(label.boxes))"])
            }
        }
        var out = "## Detection: \(name)\n\nData: `\(source)`; class-agnostic matching (a face box may match a box of either label), VOC rules.\n\n"
        out += Format.table(["metric", "value"], rows) + "\n"
        for image in unreadableImages { out += "\nUnreadable: `\(image.path)`: \(image.error)" }
        if !imagesWithoutAnnotation.isEmpty { out += "\nSkipped, no annotation: \(imagesWithoutAnnotation.map { "`\($0)`" }.joined(separator: ", "))\n" }
        if !annotationsWithoutImage.isEmpty { out += "\nAnnotations without an image: \(annotationsWithoutImage.count)\n" }
        if !plots.isEmpty { out += "\nPlots: " + plots.map { "[\($0)](\($0))" }.joined(separator: ", ") + "\n" }
        return out
    }
}

/// Face detection against Pascal VOC boxes: AP at IoU 0.5 (all-point interpolated), recall by
/// label, and the precision–recall curve (`pr.svg`, `pr.png`).
///
/// ```swift
/// let voc = try VOCDataset(root: "../shared/data/mask-boxes")
/// let report = try await DetectionEvaluation(dataset: voc).run(configuration: .init(), output: "out/eval/detection") { _, _, _ in }
/// ```
public struct DetectionEvaluation: Sendable {
    public var dataset: VOCDataset
    /// IoU at which a box matches; default 0.5.
    public var iouThreshold: Float = 0.5
    /// Detector score floor while tracing the curve; default 0.3. The pipeline's own threshold
    /// (0.7 by default) is reported as the operating point.
    public var curveScoreThreshold: Float = 0.3

    public init(dataset: VOCDataset) {
        self.dataset = dataset
    }

    /// Runs the detector (with the score floor lowered to ``curveScoreThreshold``), writes
    /// `report.json`, `report.md` and the PR plots into `output`, and returns the report. With
    /// the configuration's ``FaceAnalyzer/Configuration/maskedFaceRescue`` on, the pipeline runs
    /// a second time as configured, and the faces it keeps are reported as ``DetectionReport/defaults``.
    public func run(configuration: FaceAnalyzer.Configuration, output: String, progress: EvaluationProgress) async throws -> DetectionReport {
        try ReportFiles.createDirectory(output)
        let asConfigured = configuration
        var configuration = configuration
        let operating = configuration.detector.scoreThreshold
        configuration.detector.scoreThreshold = min(curveScoreThreshold, operating)
        configuration.tasks = []
        let analyzer = try FaceAnalyzer(configuration: configuration)
        var boxes: [ScoredBox] = []
        var unreadable: [UnreadableImage] = []
        let paths = dataset.items.map(\.image)
        for await item in analyzer.analyzeFiles(paths) {
            progress(item.index + 1, paths.count, item.path)
            switch item.result {
            case let .success(analyzed):
                boxes += analyzed.faces.map { ScoredBox(image: item.index, box: $0.box, score: $0.score) }
            case let .failure(error):
                unreadable.append(UnreadableImage(path: item.path, error: errorMessage(error)))
            }
        }
        var report = summarize(boxes, unreadable: unreadable, operatingThreshold: operating)
        if let rescue = asConfigured.maskedFaceRescue {
            var kept = asConfigured
            kept.tasks = []
            var keptAtDefaults: [ScoredBox] = []
            for await item in try FaceAnalyzer(configuration: kept).analyzeFiles(paths) {
                progress(item.index + 1, paths.count, item.path)
                if case let .success(analyzed) = item.result {
                    keptAtDefaults += analyzed.faces.map { ScoredBox(image: item.index, box: $0.box, score: $0.score) }
                }
            }
            let rescued = keptAtDefaults.count { $0.score < operating }
            let match = DetectionMetrics.match(keptAtDefaults, truth: dataset.items.map(\.annotation.objects), iouThreshold: iouThreshold)
            let detections = match.truePositives + match.falsePositives
            report.defaults = .init(rescueScoreThreshold: rescue.scoreThreshold, rescueMinimumMaskProbability: rescue.minimumMaskProbability,
                                    rescuedBoxes: rescued,
                                    precision: Format.rounded(detections > 0 ? Double(match.truePositives) / Double(detections) : 0),
                                    recall: Format.rounded(match.positives > 0 ? Double(match.truePositives) / Double(match.positives) : 0),
                                    recallByLabel: Self.recalls(match))
        }
        report.plots = try chart(report).write(to: output + "/pr")
        try report.write(to: output)
        return report
    }

    /// All metrics for the detector's boxes; `plots` is left empty.
    public func summarize(_ boxes: [ScoredBox], unreadable: [UnreadableImage], operatingThreshold: Float) -> DetectionReport {
        let truth = dataset.items.map(\.annotation.objects)
        let all = DetectionMetrics.match(boxes, truth: truth, iouThreshold: iouThreshold)
        let operating = DetectionMetrics.match(boxes.filter { $0.score >= operatingThreshold }, truth: truth, iouThreshold: iouThreshold)
        let recalls = Self.recalls
        let detections = operating.truePositives + operating.falsePositives
        return DetectionReport(
            name: URL(fileURLWithPath: dataset.root).lastPathComponent, source: dataset.root,
            images: dataset.items.count, groundTruthBoxes: all.positives, detections: boxes.count,
            iouThreshold: iouThreshold, curveScoreThreshold: curveScoreThreshold,
            averagePrecision: Format.rounded(all.averagePrecision), recallByLabel: recalls(all),
            operatingScoreThreshold: operatingThreshold,
            operatingPrecision: Format.rounded(detections > 0 ? Double(operating.truePositives) / Double(detections) : 0),
            operatingRecall: Format.rounded(operating.positives > 0 ? Double(operating.truePositives) / Double(operating.positives) : 0),
            operatingRecallByLabel: recalls(operating),
            unreadableImages: unreadable,
            imagesWithoutAnnotation: dataset.imagesWithoutAnnotation, annotationsWithoutImage: dataset.annotationsWithoutImage,
            curve: Self.thin(all.curve), plots: [])
    }

    static func recalls(_ match: DetectionMatch) -> [DetectionReport.LabelRecall] {
        match.recallByLabel.sorted { $0.key < $1.key }.map {
            .init(label: $0.key, boxes: $0.value.total, found: $0.value.matched,
                  recall: Format.rounded($0.value.total > 0 ? Double($0.value.matched) / Double($0.value.total) : 0))
        }
    }

    static func thin(_ curve: [PrecisionRecallPoint]) -> [PrecisionRecallPoint] {
        var kept: [PrecisionRecallPoint] = []
        for (i, point) in curve.enumerated() {
            if let last = kept.last, i != curve.count - 1,
               abs(point.recall - last.recall) < 0.002, abs(point.precision - last.precision) < 0.002 { continue }
            kept.append(PrecisionRecallPoint(threshold: point.threshold, recall: Format.rounded(point.recall), precision: Format.rounded(point.precision)))
        }
        return kept
    }

    private func chart(_ report: DetectionReport) -> Chart {
        var chart = Chart(title: "Face detection: \(report.name), \(report.groundTruthBoxes) faces, IoU \(Format.number(report.iouThreshold, decimals: 1))",
                          xLabel: "recall", yLabel: "precision", xRange: 0...1, yRange: 0...1)
        chart.series.append(.init(name: String(format: "YuNet (AP %.1f%%)", report.averagePrecision * 100),
                                  points: report.curve.map { (x: $0.recall, y: $0.precision) }, color: Chart.palette[0]))
        chart.markers = [(report.operatingRecall, "score \(Format.number(report.operatingScoreThreshold, decimals: 1))")]
        return chart
    }
}
