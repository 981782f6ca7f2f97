import Foundation
public import VisageCore
public import VisageModels

/// The result of an expression evaluation; see ``ExpressionEvaluation``.
public struct ExpressionReport: EvaluationReport {
    public var kind = "expression"
    public var name: String
    public var source: String
    /// The model's labels, in its output order; rows and columns of the confusion matrix.
    public var labels: [String]
    public var metrics: ClassificationMetrics
    /// Class folders of the data that the model has no label for (CK+'s "contempt").
    public var skippedClasses: [String: Int]
    public var unreadableImages: [UnreadableImage]
    public var plots: [String]
    /// The model measured and what it read of each crop (nil in reports written before there was a choice).
    public var model: String?

    public var meanRecall: Double {
        let present = labels.indices.filter { metrics.confusion[$0].reduce(0, +) > 0 }
        return present.isEmpty ? 0 : present.map(metrics.recall(of:)).reduce(0, +) / Double(present.count)
    }

    public func markdown() -> String {
        var out = "## Facial expression: \(name)\n\nData: `\(source)`; each image is one face crop, "
        out += model.map { "read by \($0)" } ?? "resized to the model's 48×48 grey input"
        out += " (no detection: FER2013 and CK+ are tight 48×48 crops).\n\n"
        out += Format.table(["photos", "accuracy", "mean per-class recall"],
                            [["\(metrics.total)", Format.percent(metrics.accuracy), Format.percent(meanRecall)]]) + "\n\n"
        out += "Per class (rows: labelled, columns: predicted):\n\n"
        let rows = labels.indices.map { t in
            [labels[t], "\(metrics.confusion[t].reduce(0, +))", Format.percent(metrics.recall(of: t), decimals: 1)]
                + metrics.confusion[t].map(String.init)
        }
        out += Format.table(["label", "photos", "recall"] + labels, rows) + "\n"
        for (name, count) in skippedClasses.sorted(by: { $0.key < $1.key }) {
            out += "\nSkipped: \(count) photo(s) of class `\(name)`, which the model does not predict.\n"
        }
        for image in unreadableImages { out += "\nUnreadable: `\(image.path)`: \(image.error)" }
        if !plots.isEmpty { out += "\nPlots: " + plots.map { "[\($0)](\($0))" }.joined(separator: ", ") + "\n" }
        return out
    }
}

/// Expression accuracy on a folder of class folders of face crops (FER2013, CK+): accuracy,
/// per-class recall and the confusion matrix, with a picture of the matrix (`confusion.png`).
///
/// The crops are fed to the model directly, as it was trained: this measures the model, not
/// the detector (which rarely fires on 48-pixel faces). Class folders are matched to the
/// model's labels by name, accepting CK+'s spellings ("anger", "sadness").
public struct ExpressionEvaluation: Sendable {
    public var dataset: ClassFolderDataset
    public var name: String

    public init(dataset: ClassFolderDataset, name: String) {
        self.dataset = dataset
        self.name = name
    }

    static let synonyms = ["anger": "angry", "sadness": "sad", "surprised": "surprise", "happiness": "happy", "fearful": "fear", "disgusted": "disgust"]

    public func run(classifier: ExpressionClassifier, output: String, progress: EvaluationProgress) throws(EvaluationError) -> ExpressionReport {
        let size = ExpressionClassifier.chipSize
        return try run(model: "`\(ExpressionClassifier.contract.fileName)`, each crop resized to its 48×48 grey input", inputSize: size,
                       classify: classifier.classify, output: output, progress: progress)
    }

    /// Any classifier of crops already resized to `inputSize`×`inputSize`; `model` names it in the report.
    public func run(model: String, inputSize size: Int, classify: ([Image]) throws -> [ExpressionEstimate], output: String,
                    progress: EvaluationProgress) throws(EvaluationError) -> ExpressionReport {
        try ReportFiles.createDirectory(output)
        let labels = ExpressionLabel.allCases.map(\.rawValue)
        var truth: [Int] = [], predicted: [Int] = []
        var skipped: [String: Int] = [:]
        var unreadable: [UnreadableImage] = []
        var batch: [(image: Image, label: Int)] = []
        func flush() throws(EvaluationError) {
            guard !batch.isEmpty else { return }
            do {
                let estimates = try classify(batch.map(\.image))
                truth += batch.map(\.label)
                predicted += estimates.map { labels.firstIndex(of: $0.label.rawValue)! }
            } catch {
                throw .modelFailed(reason: String(describing: error))
            }
            batch.removeAll(keepingCapacity: true)
        }
        for (i, sample) in dataset.samples.enumerated() {
            progress(i + 1, dataset.samples.count, sample.path)
            let folder = dataset.classes[sample.label]
            guard let label = labels.firstIndex(of: Self.synonyms[folder] ?? folder) else {
                skipped[folder, default: 0] += 1
                continue
            }
            do {
                let crop = try Image(contentsOf: sample.path)
                batch.append((crop.width == size && crop.height == size ? crop : crop.resized(width: size, height: size), label))
            } catch {
                unreadable.append(UnreadableImage(path: sample.path, error: error.errorDescription ?? "\(error)"))
            }
            if batch.count == 64 { try flush() }
        }
        try flush()
        let metrics = ClassificationMetrics(truth: truth, predicted: predicted, classes: labels.count)
        let picture = ConfusionPicture.draw(metrics, labels: labels, title: "Expression: \(name)")
        do { try picture.write(to: output + "/confusion.png") } catch {
            throw .unwritable(path: output + "/confusion.png", reason: error.errorDescription ?? "\(error)")
        }
        let report = ExpressionReport(name: name, source: dataset.root, labels: labels, metrics: metrics,
                                      skippedClasses: skipped, unreadableImages: unreadable, plots: ["confusion.png"], model: model)
        try report.write(to: output)
        return report
    }
}

/// A confusion matrix as a picture: each row shaded by the share of that class predicted
/// as each label, with the share written in the cell.
enum ConfusionPicture {
    static func draw(_ metrics: ClassificationMetrics, labels: [String], title: String) -> Image {
        let cell = 70, left = 110, top = 70
        let side = labels.count * cell
        var image = Image(width: left + side + 20, height: top + side + 60, color: .white)
        image.drawText(title, at: Point(x: Float(left), y: 12), color: .black, scale: 2)
        image.drawText("predicted", at: Point(x: Float(left + side / 2 - 27), y: Float(top + side + 36)), color: .black, scale: 1)
        for (t, row) in metrics.confusion.enumerated() {
            let total = max(1, row.reduce(0, +))
            image.drawText(labels[t], at: Point(x: 8, y: Float(top + t * cell + cell / 2 - 4)), color: .black, scale: 1)
            for (p, count) in row.enumerated() {
                let share = Double(count) / Double(total)
                // White (none) to dark blue (all of the row), the diagonal in green.
                let fade = UInt8(255 - min(255, Int(share * 255)))
                let color = t == p ? RGB(r: fade, g: UInt8(min(255, Int(fade) + 60)), b: fade) : RGB(r: fade, g: fade, b: 255)
                let rect = Rect(x: Float(left + p * cell), y: Float(top + t * cell), width: Float(cell - 2), height: Float(cell - 2))
                image.fillRectangle(rect, color: color)
                image.drawText(String(format: "%.0f%%", share * 100), at: Point(x: rect.x + 18, y: rect.y + Float(cell / 2 - 6)),
                               color: share > 0.5 ? .white : .black, scale: 2)
            }
            image.drawText(labels[t], at: Point(x: Float(left + t * cell + 4), y: Float(top + side + 10)), color: .black, scale: 1)
        }
        return image
    }
}
