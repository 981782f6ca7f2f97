public import Visage
import Foundation
import VisageModels

/// The result of an age and gender evaluation; see ``AgeGenderEvaluation``.
public struct AgeGenderReport: EvaluationReport {
    public var kind = "age-gender"
    public var name: String
    public var source: String
    public var photos: Int
    public var withoutFace: Int
    public var unreadableImages: [UnreadableImage]
    public var unlabelledFiles: [String]
    /// "all" first, then race, gender, race × gender, age band.
    public var groups: [AgeGenderGroup]
    /// Groups with fewer photos than this are marked as too small to compare.
    public var smallGroup: Int
    public var plots: [String]

    public var overall: AgeGenderGroup? { groups.first { $0.dimension == "all" } }

    public func markdown() -> String {
        func row(_ g: AgeGenderGroup) -> [String] {
            [g.dimension == "all" ? "**all**" : g.group, "\(g.photos)", "\(g.withoutFace)",
             g.ageMeanAbsoluteError.map { Format.number($0, decimals: 2) } ?? "–",
             g.ageMeanSignedError.map { String(format: "%+.2f", $0) } ?? "–",
             g.genderAccuracy.map { Format.percent($0, decimals: 1) } ?? "–"]
            + [g.photos < smallGroup ? "few photos" : ""]
        }
        let header = ["group", "photos", "no face", "age MAE (years)", "age bias (pred − true)", "gender accuracy", "note"]
        var out = "## Age and gender: \(name)\n\nData: `\(source)`; labels from the file names "
        out += "(UTKFace's own race categories). Photos without a detected face are left out of the figures and counted.\n\n"
        var dimensions: [String] = []
        for g in groups where !dimensions.contains(g.dimension) { dimensions.append(g.dimension) }
        for dimension in dimensions {
            let members = groups.filter { $0.dimension == dimension }
            out += dimension == "all" ? "" : "\nBy \(dimension):\n\n"
            out += Format.table(header, members.map(row)) + "\n"
        }
        out += "\n" + gaps() + "\n"
        for image in unreadableImages { out += "\nUnreadable: `\(image.path)`: \(image.error)" }
        if !unlabelledFiles.isEmpty { out += "\nSkipped, name carries no labels: \(unlabelledFiles.count) file(s), e.g. `\(unlabelledFiles[0])`\n" }
        if !plots.isEmpty { out += "\nPlots: " + plots.map { "[\($0)](\($0))" }.joined(separator: ", ") + "\n" }
        return out
    }

    /// One line per dimension: the best and worst group, so the spread is plain to see.
    public func gaps() -> String {
        var lines: [String] = []
        for dimension in ["race", "gender", "age band"] {
            let members = groups.filter { $0.dimension == dimension && $0.photos >= smallGroup }
            guard members.count > 1 else { continue }
            if let worst = members.max(by: { ($0.ageMeanAbsoluteError ?? 0) < ($1.ageMeanAbsoluteError ?? 0) }),
               let best = members.min(by: { ($0.ageMeanAbsoluteError ?? 0) < ($1.ageMeanAbsoluteError ?? 0) }),
               let w = worst.ageMeanAbsoluteError, let b = best.ageMeanAbsoluteError {
                lines.append(String(format: "- Age MAE by %@: %.2f years (%@) to %.2f (%@), %.1f× apart.", dimension, b, best.group, w, worst.group, b > 0 ? w / b : 0))
            }
            if let worst = members.min(by: { ($0.genderAccuracy ?? 1) < ($1.genderAccuracy ?? 1) }),
               let best = members.max(by: { ($0.genderAccuracy ?? 0) < ($1.genderAccuracy ?? 0) }),
               let w = worst.genderAccuracy, let b = best.genderAccuracy {
                lines.append(String(format: "- Gender accuracy by %@: %.1f%% (%@) down to %.1f%% (%@); errors %.1f× as frequent.",
                                    dimension, b * 100, best.group, w * 100, worst.group, (1 - b) > 0 ? (1 - w) / (1 - b) : .infinity))
            }
        }
        return "Spread between groups (groups of at least \(smallGroup) photos):\n\n" + lines.joined(separator: "\n")
    }
}

/// Apparent age and gender on UTKFace: the pipeline as a user runs it (detect, align the
/// largest face, estimate), scored against the labels in the file names, broken down by race,
/// gender, race × gender and age band. Writes a predicted-against-true age plot (`age.svg`,
/// `age.png`).
///
/// ```swift
/// let data = try UTKFaceDataset(root: "../shared/data/utkface")
/// let report = try await AgeGenderEvaluation(dataset: data).run(analyzer: analyzer, output: "out/eval/age-gender") { _, _, _ in }
/// ```
public struct AgeGenderEvaluation: Sendable {
    public var dataset: UTKFaceDataset
    /// Groups smaller than this are flagged and left out of the spread lines; default 30.
    public var smallGroup = 30

    public init(dataset: UTKFaceDataset) {
        self.dataset = dataset
    }

    /// The analyzer must compute age and gender.
    public func run(analyzer: FaceAnalyzer, output: String, progress: EvaluationProgress) async throws(EvaluationError) -> AgeGenderReport {
        try ReportFiles.createDirectory(output)
        var outcomes: [AgeGenderOutcome] = []
        var unreadable: [UnreadableImage] = []
        let samples = dataset.samples
        for await item in analyzer.analyzeFiles(samples.map(\.path), concurrency: 2) {
            progress(item.index + 1, samples.count, item.path)
            switch item.result {
            case let .success(analyzed):
                let face = analyzed.faces.largest
                outcomes.append(AgeGenderOutcome(sample: samples[item.index], predictedAge: face?.age,
                                                 predictedFemale: face?.gender.map { $0.label == .female }))
            case let .failure(error):
                unreadable.append(UnreadableImage(path: item.path, error: errorMessage(error)))
            }
        }
        var report = summarize(outcomes, unreadable: unreadable)
        try writePredictions(outcomes, to: output + "/predictions.csv")
        report.plots = try chart(outcomes).write(to: output + "/age")
        try report.write(to: output)
        return report
    }

    public func summarize(_ outcomes: [AgeGenderOutcome], unreadable: [UnreadableImage]) -> AgeGenderReport {
        AgeGenderReport(
            name: "UTKFace (\(outcomes.count + unreadable.count) photos)", source: dataset.root,
            photos: outcomes.count + unreadable.count,
            withoutFace: outcomes.count { $0.predictedAge == nil && $0.predictedFemale == nil },
            unreadableImages: unreadable, unlabelledFiles: dataset.unlabelled,
            groups: AgeGenderMetrics.breakdown(outcomes), smallGroup: smallGroup, plots: [])
    }

    private func chart(_ outcomes: [AgeGenderOutcome]) -> Chart {
        let top = Double(max(100, (outcomes.map(\.sample.age).max() ?? 100)))
        var chart = Chart(title: "Apparent age on UTKFace: predicted against labelled", xLabel: "labelled age (years)",
                          yLabel: "predicted age", xRange: 0...top, yRange: 0...top)
        chart.series.append(.init(name: "ideal", points: [(0, 0), (top, top)], color: Chart.grey, style: .dashedLine))
        for (i, gender) in UTKFaceSample.Gender.allCases.enumerated() {
            let points = outcomes.filter { $0.sample.gender == gender }.compactMap { o in o.predictedAge.map { (x: Double(o.sample.age), y: Double($0)) } }
            chart.series.append(.init(name: gender.rawValue, points: points, color: Chart.palette[i], style: .points))
        }
        return chart
    }

    private func writePredictions(_ outcomes: [AgeGenderOutcome], to path: String) throws(EvaluationError) {
        var out = "file,age,gender,race,predicted_age,predicted_gender\n"
        for o in outcomes {
            out += "\((o.sample.path as NSString).lastPathComponent),\(o.sample.age),\(o.sample.gender.rawValue),\(o.sample.race.rawValue),"
            out += (o.predictedAge.map { String(format: "%.2f", $0) } ?? "") + ","
            out += (o.predictedFemale.map { $0 ? "female" : "male" } ?? "") + "\n"
        }
        try ReportFiles.write(Data(out.utf8), to: path)
    }
}
