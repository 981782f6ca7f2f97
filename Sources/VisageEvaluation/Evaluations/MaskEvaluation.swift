import Foundation
public import Visage
import VisageCore
import VisageModels

/// The result of a face-mask evaluation; see ``MaskEvaluation``.
public struct MaskReport: EvaluationReport {
    public var kind = "mask"
    public var name: String
    public var source: String
    /// Labels in the model's order; rows and columns of the confusion matrices.
    public var labels: [String]
    /// Photos evaluated per class folder (after `--only`).
    public var photos: [String: Int]
    /// Photos in which the detector found no face, per class folder: no prediction was made.
    public var withoutFace: [String: Int]
    /// On the photos with a face (their largest face).
    public var metrics: ClassificationMetrics
    /// Photos with a face plus those without: a photo without a face counts as wrong.
    public var accuracyCountingMissedFaces: Double
    /// Paths of the misclassified photos (with a face), for inspection.
    public var misclassified: [String]
    public var unreadableImages: [UnreadableImage]
    /// Faces of a VOC data set (street photos) matched to its labelled boxes, when given.
    public var boxes: BoxResult?

    /// The classifier on detected faces that overlap a labelled box (IoU ≥ 0.5).
    public struct BoxResult: Codable, Sendable {
        public var source: String
        public var labelledBoxes: Int
        /// Labelled boxes no detected face overlapped: no prediction.
        public var unmatchedBoxes: Int
        public var metrics: ClassificationMetrics
    }

    public func markdown() -> String {
        let total = photos.values.reduce(0, +), missed = withoutFace.values.reduce(0, +)
        var out = "## Face mask: \(name)\n\nData: `\(source)`, \(total) photos; each photo's largest detected face "
        out += "(YuNet, aligned as in `analyze`) is classified; the label is the class folder.\n\n"
        out += Format.table(["photos", "no face found", "accuracy (faces found)", "accuracy (no face counted wrong)"],
                            [["\(total)", "\(missed)", "\(Format.percent(metrics.accuracy)) of \(metrics.total)",
                              Format.percent(accuracyCountingMissedFaces)]]) + "\n\n"
        out += "Per class (rows: labelled, columns: predicted):\n\n"
        out += Self.confusionTable(metrics, labels: labels, extra: labels.map { ["\(photos[$0] ?? 0)", "\(withoutFace[$0] ?? 0)"] },
                                   extraHeader: ["photos", "no face"]) + "\n"
        if let boxes {
            out += "\nStreet photos `\(boxes.source)`: \(boxes.labelledBoxes) labelled faces, \(boxes.unmatchedBoxes) with no detected face "
            out += "at IoU ≥ 0.5; on the \(boxes.metrics.total) matched: accuracy \(Format.percent(boxes.metrics.accuracy)).\n\n"
            out += Self.confusionTable(boxes.metrics, labels: labels, extra: labels.map { _ in [] }, extraHeader: []) + "\n"
        }
        for image in unreadableImages { out += "\nUnreadable: `\(image.path)`: \(image.error)" }
        return out
    }

    static func confusionTable(_ metrics: ClassificationMetrics, labels: [String], extra: [[String]], extraHeader: [String]) -> String {
        let rows = labels.indices.map { t in
            [labels[t]] + extra[t] + ["\(metrics.confusion[t].reduce(0, +))", Format.percent(metrics.recall(of: t), decimals: 2)]
                + metrics.confusion[t].map(String.init)
        }
        return Format.table(["label"] + extraHeader + ["faces", "recall"] + labels, rows)
    }
}

/// Face-mask accuracy on a folder of `with_mask/` and `without_mask/` photos
/// (../shared/data/masks), through the whole pipeline: detection, alignment, the mask model on
/// the largest face. Photos where no face is found are counted apart (and, in a second figure,
/// as errors). With a VOC folder (../shared/data/mask-boxes), also the accuracy on every
/// detected face that overlaps a labelled `with_mask`/`without_mask` box.
public struct MaskEvaluation: Sendable {
    public var dataset: ClassFolderDataset
    public var name: String
    /// Relative paths (`with_mask/x.jpg`) to keep; nil keeps every photo.
    public var only: Set<String>?
    public var voc: VOCDataset?

    public init(dataset: ClassFolderDataset, name: String, only: Set<String>? = nil, voc: VOCDataset? = nil) {
        self.dataset = dataset
        self.name = name
        self.only = only
        self.voc = voc
    }

    /// The analyzer must compute ``FaceAnalyzer/Tasks/mask``.
    public func run(analyzer: FaceAnalyzer, output: String, progress: EvaluationProgress) async throws(EvaluationError) -> MaskReport {
        try ReportFiles.createDirectory(output)
        let labels = MaskLabel.allCases.map(\.rawValue)
        var samples: [(path: String, folder: String)] = []
        for sample in dataset.samples {
            let folder = dataset.classes[sample.label]
            let relative = folder + "/" + (sample.path as NSString).lastPathComponent
            guard only.map({ $0.contains(relative) }) ?? true else { continue }
            guard labels.contains(folder) else {
                throw .malformed(path: dataset.root + "/" + folder, line: nil, reason: "is not a class of the mask model (\(labels.joined(separator: ", ")))")
            }
            samples.append((sample.path, folder))
        }
        guard !samples.isEmpty else { throw .empty(path: dataset.root, what: "photos (after --only) in with_mask/ and without_mask/") }
        var photos: [String: Int] = [:], withoutFace: [String: Int] = [:]
        var truth: [Int] = [], predicted: [Int] = [], misclassified: [String] = []
        var unreadable: [UnreadableImage] = []
        let vocItems = voc?.items ?? []
        let total = samples.count + vocItems.count
        for await item in analyzer.analyzeFiles(samples.map(\.path)) {
            progress(item.index + 1, total, item.path)
            let folder = samples[item.index].folder
            switch item.result {
            case let .success(analyzed):
                photos[folder, default: 0] += 1
                guard let mask = analyzed.faces.largest?.mask else {
                    withoutFace[folder, default: 0] += 1
                    continue
                }
                let t = labels.firstIndex(of: folder)!, p = labels.firstIndex(of: mask.label.rawValue)!
                truth.append(t)
                predicted.append(p)
                if t != p { misclassified.append(item.path) }
            case let .failure(error):
                unreadable.append(UnreadableImage(path: item.path, error: errorMessage(error)))
            }
        }
        let metrics = ClassificationMetrics(truth: truth, predicted: predicted, classes: labels.count)
        let evaluated = photos.values.reduce(0, +)
        let correct = labels.indices.reduce(0) { $0 + metrics.confusion[$1][$1] }
        var report = MaskReport(
            name: name, source: dataset.root, labels: labels, photos: photos, withoutFace: withoutFace, metrics: metrics,
            accuracyCountingMissedFaces: evaluated > 0 ? Double(correct) / Double(evaluated) : 0,
            misclassified: misclassified, unreadableImages: unreadable)
        if let voc {
            report.boxes = await boxes(voc, analyzer: analyzer, labels: labels, unreadable: &report.unreadableImages) {
                progress(samples.count + $0, total, $1)
            }
        }
        try report.write(to: output)
        return report
    }

    private func boxes(_ voc: VOCDataset, analyzer: FaceAnalyzer, labels: [String], unreadable: inout [UnreadableImage],
                       progress: (Int, String) -> Void) async -> MaskReport.BoxResult {
        var truth: [Int] = [], predicted: [Int] = []
        var labelled = 0, unmatched = 0
        for await item in analyzer.analyzeFiles(voc.items.map(\.image)) {
            progress(item.index + 1, item.path)
            let annotated = voc.items[item.index].annotation.objects.filter { !$0.difficult && labels.contains($0.label) }
            labelled += annotated.count
            guard case let .success(analyzed) = item.result else {
                if case let .failure(error) = item.result { unreadable.append(UnreadableImage(path: item.path, error: errorMessage(error))) }
                unmatched += annotated.count
                continue
            }
            for box in annotated {
                // The detected face overlapping this labelled box most, if it overlaps enough.
                let best = analyzed.faces.max { $0.box.iou(box.box) < $1.box.iou(box.box) }
                guard let face = best, face.box.iou(box.box) >= 0.5, let mask = face.mask else {
                    unmatched += 1
                    continue
                }
                truth.append(labels.firstIndex(of: box.label)!)
                predicted.append(labels.firstIndex(of: mask.label.rawValue)!)
            }
        }
        return MaskReport.BoxResult(source: voc.root, labelledBoxes: labelled, unmatchedBoxes: unmatched,
                                    metrics: ClassificationMetrics(truth: truth, predicted: predicted, classes: labels.count))
    }
}
