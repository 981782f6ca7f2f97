import VisageModels
import VisageCore
import Foundation
public import Visage
import VisageAsk

/// One multiple-choice question about a labelled photo, FaceXBench-style.
public struct MultipleChoiceItem: Sendable, Hashable, Codable {
    public var category: String
    public var dataset: String
    public var image: String
    public var question: String
    public var options: [String]
    /// Index of the right option.
    public var answer: Int
}

/// A category of the benchmark: the question asked, how its options are drawn, and the label
/// it comes from.
public struct QACategory: Sendable, Hashable {
    public var name: String
    /// The question as Visage reads it (the options are listed after it in `items.jsonl`).
    public var question: String
    /// Options per question (the random baseline is 1 / options).
    public var optionCount: Int

    /// Whether Visage can answer this category in this build, and if not why.
    public var answerability: (answerable: Bool, reason: String?) {
        let intent = Question(question).intent
        if case let .outside(outside) = intent { return (false, "no \(outside.topic) model") }
        return (true, nil)
    }

    public static let ageGroup = QACategory(name: "age group", question: "Which age group does the person in the image belong to?", optionCount: 4)
    public static let gender = QACategory(name: "gender", question: "What is the gender of the person in the image?", optionCount: 2)
    public static let expression = QACategory(name: "expression", question: "Which facial expression does the person in the image show?", optionCount: 4)
    public static let mask = QACategory(name: "mask", question: "Is the person in the image wearing a mask?", optionCount: 2)

    /// CelebA attributes asked as yes/no questions, by their name in `list_attr_celeba.txt`.
    public static let celeba: [(attribute: String, category: QACategory)] = [
        ("Male", .init(name: "male (CelebA)", question: "Is the person in the image male?", optionCount: 2)),
        ("Young", .init(name: "young (CelebA)", question: "Is the person in the image young?", optionCount: 2)),
        ("Smiling", .init(name: "smiling (CelebA)", question: "Is the person in the image smiling?", optionCount: 2)),
        ("Eyeglasses", .init(name: "eyeglasses (CelebA)", question: "Is the person in the image wearing eyeglasses?", optionCount: 2)),
        ("Wearing_Hat", .init(name: "hat (CelebA)", question: "Is the person in the image wearing a hat?", optionCount: 2)),
        ("Mustache", .init(name: "mustache (CelebA)", question: "Does the person in the image have a mustache?", optionCount: 2)),
        ("Bald", .init(name: "bald (CelebA)", question: "Is the person in the image bald?", optionCount: 2)),
    ]
}

/// A multiple-choice benchmark generated from labelled photos in the FaceXBench manner, and
/// Visage's accuracy on it per category against the random baseline.
///
/// Each question goes through the same path as `visage ask`: the text is parsed into an
/// ``Intent``, answered by ``Answerer`` from the pipeline's measurements of the image's
/// largest face, and the answer is mapped onto the options. A question Visage declines, or an
/// image where no face is found, counts as wrong. Categories Visage cannot answer at all are
/// generated and counted, with their random baseline and no accuracy.
///
/// ```swift
/// var benchmark = MultipleChoiceBenchmark(seed: 7)
/// benchmark.add(try LabelledSets.utkface("../shared/data/utkface"), limit: 500)
/// let report = try await benchmark.run(analyzer: analyzer, output: "out/eval/qa") { _, _, _ in }
/// ```
public struct MultipleChoiceBenchmark: Sendable {
    public var seed: UInt64
    public private(set) var items: [MultipleChoiceItem] = []
    public private(set) var categories: [String: QACategory] = [:]
    /// Data set name → where it was read from, for the report.
    public private(set) var sources: [String: String] = [:]
    private var generator: SeededGenerator

    public init(seed: UInt64 = 7) {
        self.seed = seed
        generator = SeededGenerator(seed: seed)
    }

    /// Adds questions for up to `limit` photos (a seeded sample; nil: all) of one set.
    public mutating func add(_ faces: [LabelledFace], limit: Int?, source: String) {
        let chosen = limit.map { faces.sample($0, using: &generator) } ?? faces
        if let first = chosen.first { sources[first.dataset] = source }
        for face in chosen {
            for label in face.labels { add(label, of: face) }
        }
    }

    private mutating func add(_ label: LabelledFace.Label, of face: LabelledFace) {
        func item(_ category: QACategory, _ correct: String, _ others: [String]) {
            var options = [correct] + others.filter { $0 != correct }.sample(category.optionCount - 1, using: &generator)
            options.shuffle(using: &generator)
            categories[category.name] = category
            items.append(MultipleChoiceItem(category: category.name, dataset: face.dataset, image: face.path, question: category.question,
                                            options: options, answer: options.firstIndex(of: correct)!))
        }
        switch label {
        case let .age(age):
            item(.ageGroup, AgeBands.decade(of: Float(age)), AgeBands.decades)
        case let .gender(female):
            item(.gender, female ? "female" : "male", ["male", "female"])
        case let .expression(expression):
            item(.expression, expression, ExpressionFact.labels)
        case let .mask(wearing):
            item(.mask, wearing ? "yes" : "no", ["yes", "no"])
        case let .attribute(name, value):
            guard let category = QACategory.celeba.first(where: { $0.attribute == name })?.category else { return }
            item(category, value ? "yes" : "no", ["yes", "no"])
        }
    }

    /// Analyses every image with an answerable question, answers, scores, and writes
    /// `report.md`, `report.json` and `items.jsonl` (every question with Visage's choice).
    public func run(analyzer: FaceAnalyzer, output: String, progress: EvaluationProgress) async throws(EvaluationError) -> QAReport {
        let answerable = Set(categories.values.filter(\.answerability.answerable).map(\.name))
        let paths = Array(Set(items.filter { answerable.contains($0.category) }.map(\.image))).sorted()
        var photos: [String: PhotoAnalysis] = [:]
        var unreadable: [UnreadableImage] = []
        for await result in analyzer.analyzeFiles(paths, concurrency: 2) {
            progress(result.index + 1, paths.count, result.path)
            switch result.result {
            case let .success(analyzed):
                photos[result.path] = PhotoAnalysis(faces: analyzed.faces, width: analyzed.width, height: analyzed.height,
                                                    attributeModels: AttributeModels(analyzer.configuration))
            case let .failure(error):
                unreadable.append(UnreadableImage(path: result.path, error: (error as? any LocalizedError)?.errorDescription ?? "\(error)"))
            }
        }
        var outcomes: [(item: MultipleChoiceItem, choice: Int?, noFace: Bool, source: String?)] = []
        for item in items {
            guard answerable.contains(item.category) else { outcomes.append((item, nil, false, nil)); continue }
            guard let photo = photos[item.image] else { outcomes.append((item, nil, false, nil)); continue }
            let answer = Answerer(photo: photo).answer(item.question)
            outcomes.append((item, Self.choose(answer, among: item.options), photo.faces.isEmpty, answer.declined || photo.faces.isEmpty ? nil : answer.source))
        }
        var results: [QAReport.Category] = []
        let fixed = [QACategory.ageGroup.name, QACategory.gender.name] + QACategory.celeba.map(\.category.name)
            + [QACategory.expression.name, QACategory.mask.name]
        let order = categories.values.sorted { (fixed.firstIndex(of: $0.name) ?? fixed.count) < (fixed.firstIndex(of: $1.name) ?? fixed.count) }
        for category in order {
            let mine = outcomes.filter { $0.item.category == category.name }
            let (isAnswerable, reason) = category.answerability
            let correct = mine.count { $0.choice == $0.item.answer }
            results.append(QAReport.Category(
                category: category.name, dataset: mine.first?.item.dataset ?? "", question: category.question,
                questions: mine.count, options: category.optionCount, answerable: isAnswerable, reason: reason,
                answered: mine.count { $0.choice != nil }, noFace: mine.count { $0.noFace }, correct: isAnswerable ? correct : nil,
                accuracy: isAnswerable && !mine.isEmpty ? Double(correct) / Double(mine.count) : nil,
                randomBaseline: 1 / Double(category.optionCount),
                majorityBaseline: Self.majority(mine.map { $0.item.options[$0.item.answer] }),
                source: mine.compactMap(\.source).first))
        }
        let report = QAReport(seed: seed, sources: sources, categories: results, unreadableImages: unreadable)
        try ReportFiles.createDirectory(output)
        var lines = ""
        for o in outcomes {
            let object: [String: Any] = ["category": o.item.category, "dataset": o.item.dataset, "image": o.item.image, "question": o.item.question,
                                         "options": o.item.options, "answer": o.item.answer, "visage": o.choice ?? NSNull()]
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) {
                lines += String(decoding: data, as: UTF8.self) + "\n"
            }
        }
        try ReportFiles.write(Data(lines.utf8), to: output + "/items.jsonl")
        try report.write(to: output)
        return report
    }

    /// The share of the most common right answer: what always answering it would score.
    static func majority(_ answers: [String]) -> Double {
        guard !answers.isEmpty else { return 0 }
        return Double(Dictionary(grouping: answers, by: { $0 }).values.map(\.count).max()!) / Double(answers.count)
    }

    /// The option an answer picks: yes/no for a Bool, the equal option for a string, the
    /// option holding a number, and for age bands the band nearest the one answered.
    static func choose(_ answer: Answer, among options: [String]) -> Int? {
        guard !answer.declined, let value = answer.value else { return nil }
        switch value {
        case let .bool(b):
            return options.firstIndex(of: b ? "yes" : "no")
        case let .string(s):
            if let i = options.firstIndex(where: { $0.caseInsensitiveCompare(s) == .orderedSame }) { return i }
            guard let band = AgeBands.range(of: s) else { return nil }
            let middle = (band.lowerBound + min(band.upperBound, 100)) / 2
            return nearest(middle, options)
        case let .number(n):
            return nearest(Float(n), options)
        }
    }

    private static func nearest(_ x: Float, _ options: [String]) -> Int? {
        let ranges = options.enumerated().compactMap { i, o in AgeBands.range(of: o).map { (i, $0) } }
        return ranges.min { distance(x, $0.1) < distance(x, $1.1) }?.0
    }

    private static func distance(_ x: Float, _ r: Range<Float>) -> Float {
        r.contains(x) ? 0 : min(abs(x - r.lowerBound), abs(x - r.upperBound))
    }
}

/// The result of ``MultipleChoiceBenchmark``: accuracy per category against chance.
public struct QAReport: EvaluationReport {
    public struct Category: Sendable, Codable, Hashable {
        public var category: String
        public var dataset: String
        public var question: String
        public var questions: Int
        public var options: Int
        public var answerable: Bool
        /// Why Visage cannot answer the category; nil when it can.
        public var reason: String?
        /// Questions answered with one of the options (declined and no-face count as wrong).
        public var answered: Int
        public var noFace: Int
        public var correct: Int?
        /// nil for a category Visage cannot answer: no made-up figure.
        public var accuracy: Double?
        public var randomBaseline: Double
        /// Always giving the most common right answer ("yes" for CelebA's Young, which most
        /// photos carry): a stricter baseline than chance for unbalanced labels.
        public var majorityBaseline: Double
        /// The model that answered.
        public var source: String?
    }

    public var kind = "qa"
    public var name = "Multiple-choice QA (FaceXBench-style)"
    public var seed: UInt64
    /// Data set → folder read.
    public var sources: [String: String]
    public var categories: [Category]
    public var unreadableImages: [UnreadableImage]

    public func markdown() -> String {
        var out = "## \(name)\n\n"
        out += "Questions generated from labelled data (seed \(seed)); each is parsed and answered as by `visage ask` on the image's largest face, "
        out += "and the answer mapped onto the options. Declined questions and images without a detected face count as wrong.\n\n"
        out += "Data: " + sources.sorted { $0.key < $1.key }.map { "\($0.key) `\($0.value)`" }.joined(separator: ", ") + "\n\n"
        let header = ["category", "data", "questions", "options", "Visage accuracy", "random baseline", "majority baseline", "answered", "no face", "answered by / note"]
        let rows = categories.map { c in
            [c.category, c.dataset, "\(c.questions)", "\(c.options)",
             c.accuracy.map { String(format: "%.1f%%", $0 * 100) } ?? "–",
             String(format: "%.1f%%", c.randomBaseline * 100), String(format: "%.1f%%", c.majorityBaseline * 100),
             c.answerable ? "\(c.answered)" : "–", c.answerable ? "\(c.noFace)" : "–",
             c.answerable ? (c.source ?? "") : "not answerable: " + (c.reason ?? "")]
        }
        out += Format.table(header, rows) + "\n"
        for image in unreadableImages { out += "\nUnreadable: `\(image.path)`: \(image.error)" }
        return out
    }
}
