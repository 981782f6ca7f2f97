public import Visage
import Foundation
import VisageModels

/// The result of ``MaskedFoldersEvaluation``: per pair category, how often Visage's own decision
/// is right, the best a threshold could do, and TAR at FAR.
public struct MaskedFoldersReport: EvaluationReport {
    /// One category of pairs (masked vs unmasked, unmasked vs unmasked).
    public struct Category: Sendable, Codable, Hashable {
        public var category: String
        public var genuinePairs: Int
        public var impostorPairs: Int
        /// Pairs with a photo in which no face was found: no answer, counted as wrong.
        public var pairsWithoutFace: Int
        /// Right at Visage's own decision (`Verification(comparing:with:)`: per-condition
        /// threshold), over all pairs, those without an answer counted wrong.
        public var decisionAccuracy: Double
        public var decisionTrueAcceptRate: Double
        public var decisionFalseAcceptRate: Double
        /// Pairs decided by condition (the mask classifier's): unmasked, one_masked, both_masked.
        public var pairsByCondition: [String: Int]
        /// The best single threshold on these pairs (optimistic: tuned on them) and its accuracy.
        public var bestThreshold: Float
        public var bestThresholdAccuracy: Double
        public var trueAcceptRates: [OperatingPoint]
        /// Right when each pair is decided at thresholds calibrated (FAR 1e-3 per condition) on
        /// the cross-person pairs of the other people only: what the folder's own calibration is
        /// worth on people it has not seen.
        public var leavePeopleOutAccuracy: Double?
    }

    /// A per-condition threshold at FAR 1e-3 over every cross-person pair of the folder.
    public struct Calibration: Sendable, Codable, Hashable {
        public var condition: String
        public var impostorPairs: Int
        public var threshold: Float
        /// The false-accept rate of those pairs at the thresholds in use.
        public var falseAcceptRateInUse: Double
    }

    public var kind = "masked-folders"
    public var name: String
    public var source: String
    public var people: Int
    public var maskedPhotos: Int
    public var unmaskedPhotos: Int
    /// Photos with no face found at the analyzer's settings.
    public var maskedWithoutFace: [String]
    public var unmaskedWithoutFace: [String]
    /// Of the faces found, how many the mask classifier called masked.
    public var maskedCalledMasked: Int
    public var unmaskedCalledMasked: Int
    public var unreadableImages: [UnreadableImage]
    public var thresholds: Verification.Thresholds
    /// Whether a pair with a masked face went through the attention head; false when the analyzer
    /// may not open it (`--no-research-only-models`), so every pair was SFace's at the unmasked threshold.
    public var attentionHead: Bool
    public var fallbackScore: Float?
    public var seed: UInt64
    public var categories: [Category]
    public var calibration: [Calibration]

    public func markdown() -> String {
        var out = "## Verification on real masks: \(name)\n\nData: `\(source)`: \(people) people, \(maskedPhotos) masked and \(unmaskedPhotos) unmasked photos; "
        if attentionHead {
            out += "impostor pairs drawn with seed \(seed). Decisions as `visage verify` makes them: the attention head when either face is called masked, "
            out += "thresholds \(Format.number(thresholds.unmasked)) (neither masked), \(Format.number(thresholds.oneMasked)) (one), \(Format.number(thresholds.bothMasked)) (both)"
        } else {
            out += "impostor pairs drawn with seed \(seed). Decisions as `visage verify --no-research-only-models` makes them: no attention head, "
            out += "so every pair through SFace at \(Format.number(thresholds.unmasked)), masked or not"
        }
        out += fallbackScore.map { "; faces kept down to detector score \(Format.number($0, decimals: 2))" } ?? "; detector defaults"
        out += ".\n\n"
        out += "No face found: \(maskedWithoutFace.count) of \(maskedPhotos) masked photos, \(unmaskedWithoutFace.count) of \(unmaskedPhotos) unmasked. "
        out += "Mask classifier: \(maskedCalledMasked) of the masked photos' faces called masked, \(unmaskedCalledMasked) of the unmasked photos'.\n\n"
        let rows = categories.map { c -> [String] in
            let tars = c.trueAcceptRates.map { "\(Format.percent($0.trueAcceptRate)) at \(Format.rate($0.targetFalseAcceptRate))\($0.isResolved ? "" : " (unresolved)")" }.joined(separator: ", ")
            let conditions = c.pairsByCondition.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            return [c.category.replacingOccurrences(of: "_", with: " "), "\(c.genuinePairs) + \(c.impostorPairs)", Format.percent(c.decisionAccuracy),
                    "\(Format.percent(c.decisionTrueAcceptRate)) / \(Format.percent(c.decisionFalseAcceptRate))",
                    "\(Format.percent(c.bestThresholdAccuracy)) (\(Format.number(c.bestThreshold)))", tars, "\(c.pairsWithoutFace)", conditions]
        }
        out += Format.table(["pairs", "genuine + impostor", "correct at Visage's decision", "TAR / FAR there", "best threshold (tuned on these pairs)",
                             "TAR at FAR", "no answer", "decided as"], rows) + "\n"
        // The calibration is of the attention head's conditions: nothing to say without it.
        if attentionHead {
            out += "\nCalibration on this folder (every pair of photos of two different people, by the condition the mask classifier gives it):\n\n"
            out += Format.table(["condition", "impostor pairs", "threshold at FAR 1e-3", "FAR at the thresholds in use"], calibration.map {
                [$0.condition.replacingOccurrences(of: "_", with: " "), "\($0.impostorPairs)", Format.number($0.threshold), Format.percent($0.falseAcceptRateInUse)]
            }) + "\n"
            let leaveOut = categories.compactMap { c in c.leavePeopleOutAccuracy.map { "\(c.category.replacingOccurrences(of: "_", with: " ")) \(Format.percent($0))" } }
            if !leaveOut.isEmpty {
                out += "\nDecided at thresholds calibrated the same way on the other people only (leave the pair's people out): " + leaveOut.joined(separator: ", ") + ".\n"
            }
        }
        for image in unreadableImages { out += "\nUnreadable: `\(image.path)`: \(image.error)" }
        return out
    }
}

/// Verification on photos with real masks (``MaskedFolders``), through the same mask-aware
/// matching and per-condition thresholds as `visage verify` (``Verification/init(comparing:with:thresholds:threshold:)``).
///
/// ```swift
/// let folders = try MaskedFolders(root: "../shared/data/masked-people")
/// let analyzer = try FaceAnalyzer(configuration: { var c = FaceAnalyzer.Configuration(); c.tasks = [.embedding, .mask, .maskedFaceEmbedding]; return c }())
/// let report = try await MaskedFoldersEvaluation(folders: folders).run(analyzer: analyzer, output: "out/eval/masked-people") { _, _, _ in }
/// ```
public struct MaskedFoldersEvaluation: Sendable {
    public var folders: MaskedFolders
    /// Seed of the impostor draw; default 1.
    public var seed: UInt64 = 1
    public var thresholds = Verification.Thresholds()

    public init(folders: MaskedFolders) {
        self.folders = folders
    }

    /// Analyses every photo once (largest face), scores the pairs, writes `report.json`,
    /// `report.md` and `scores.csv` (first, second, category, same, similarity, threshold,
    /// method, condition) into `output`, and returns the report.
    public func run(analyzer: FaceAnalyzer, output: String, progress: EvaluationProgress) async throws -> MaskedFoldersReport {
        try ReportFiles.createDirectory(output)
        let paths = folders.images
        let (faces, unreadable) = await largestFaces(of: paths, analyzer: analyzer, progress: progress)
        let pairs = folders.pairs(seed: seed)
        let verifications = pairs.map { pair -> Verification? in
            guard let a = faces[pair.first], let b = faces[pair.second] else { return nil }
            return Verification(comparing: a, with: b, thresholds: thresholds)
        }
        var csv = "first,second,category,same,similarity,threshold,method,condition\n"
        for (pair, v) in zip(pairs, verifications) {
            let relative = { (path: String) in String(path.dropFirst(folders.root.count + 1)) }
            csv += "\(relative(pair.first)),\(relative(pair.second)),\(pair.category.rawValue),\(pair.same),"
            csv += v.map { "\($0.similarity),\($0.threshold),\($0.method.rawValue),\($0.condition.rawValue)" } ?? "-1,,,no_face"
            csv += "\n"
        }
        try ReportFiles.write(Data(csv.utf8), to: output + "/scores.csv")
        var person: [String: Int] = [:]
        for (i, p) in folders.people.enumerated() { for path in p.masked + p.unmasked { person[path] = i } }
        let calibration = Self.calibrate(faces: faces, person: person, excluding: [], thresholds: thresholds)
        var leaveOut: [Set<Int>: [Verification.Condition: Float]] = [:]
        let categories = MaskedFolders.Category.allCases.map { category in
            let chosen = zip(pairs, verifications).filter { $0.0.category == category }
            var report = Self.summarize(chosen.map { ($0.0.same, $0.1) }, category: category)
            let right = chosen.count { pair, verification in
                guard let verification else { return false }
                let excluded: Set<Int> = [person[pair.first]!, person[pair.second]!]
                if leaveOut[excluded] == nil {
                    leaveOut[excluded] = Self.calibrate(faces: faces, person: person, excluding: excluded, thresholds: thresholds).mapValues(\.threshold)
                }
                guard verification.method == .attentionHead, let threshold = leaveOut[excluded]?[verification.condition] else { return verification.same == pair.same }
                return (verification.similarity >= threshold) == pair.same
            }
            report.leavePeopleOutAccuracy = chosen.isEmpty ? nil : Format.rounded(Double(right) / Double(chosen.count))
            return report
        }
        let masked = folders.people.flatMap(\.masked), unmasked = folders.people.flatMap(\.unmasked)
        let report = MaskedFoldersReport(
            name: URL(fileURLWithPath: folders.root).lastPathComponent, source: folders.root, people: folders.people.count,
            maskedPhotos: masked.count, unmaskedPhotos: unmasked.count,
            maskedWithoutFace: masked.filter { faces[$0] == nil }, unmaskedWithoutFace: unmasked.filter { faces[$0] == nil },
            maskedCalledMasked: masked.count { faces[$0]?.mask?.isMasked ?? false },
            unmaskedCalledMasked: unmasked.count { faces[$0]?.mask?.isMasked ?? false },
            unreadableImages: unreadable, thresholds: thresholds,
            attentionHead: analyzer.configuration.permitted(analyzer.configuration.tasks).contains(.maskedFaceEmbedding),
            fallbackScore: analyzer.configuration.fallbackScoreThreshold,
            seed: seed, categories: categories,
            calibration: calibration.sorted { $0.key.rawValue < $1.key.rawValue }.map { condition, value in
                .init(condition: condition.rawValue, impostorPairs: value.impostors, threshold: value.threshold,
                      falseAcceptRateInUse: Format.rounded(value.falseAcceptRateInUse))
            })
        try report.write(to: output)
        return report
    }

    /// Per condition the mask classifier gives a pair (the attention head's conditions only:
    /// one or both masked), the threshold at FAR 1e-3 over every pair of photos of two
    /// different people, leaving out the people in `excluding`; and the false-accept rate of
    /// those pairs at `thresholds`.
    static func calibrate(faces: [String: Face], person: [String: Int], excluding: Set<Int>, thresholds: Verification.Thresholds)
        -> [Verification.Condition: (threshold: Float, impostors: Int, falseAcceptRateInUse: Double)] {
        let paths = faces.keys.filter { !excluding.contains(person[$0]!) }.sorted()
        var scores: [Verification.Condition: [ScoredPair]] = [:]
        var accepted: [Verification.Condition: Int] = [:]
        for (i, a) in paths.enumerated() {
            for b in paths[(i + 1)...] where person[a] != person[b] {
                guard let v = Verification(comparing: faces[a]!, with: faces[b]!, thresholds: thresholds), v.method == .attentionHead else { continue }
                scores[v.condition, default: []].append(ScoredPair(score: v.similarity, same: false))
                if v.same { accepted[v.condition, default: 0] += 1 }
            }
        }
        var out: [Verification.Condition: (threshold: Float, impostors: Int, falseAcceptRateInUse: Double)] = [:]
        for (condition, impostors) in scores {
            let point = VerificationMetrics.trueAcceptRate(impostors, atFalseAcceptRate: 1e-3)
            out[condition] = (point.threshold, impostors.count, Double(accepted[condition] ?? 0) / Double(impostors.count))
        }
        return out
    }

    /// One category's figures from (same person?, Visage's verification or nil for no face).
    static func summarize(_ decided: [(same: Bool, verification: Verification?)], category: MaskedFolders.Category) -> MaskedFoldersReport.Category {
        let genuine = decided.count { $0.same }, impostors = decided.count - genuine
        let right = decided.count { $0.verification.map { $0.same } == $0.same }
        let trueAccepts = decided.count { $0.same && $0.verification?.same == true }
        let falseAccepts = decided.count { !$0.same && $0.verification?.same == true }
        var conditions: [String: Int] = [:]
        for item in decided { conditions[item.verification?.condition.rawValue ?? "no_face", default: 0] += 1 }
        // No face scores −1, a rejection at any threshold.
        let scored = decided.map { ScoredPair(score: $0.verification?.similarity ?? -1, same: $0.same) }
        let best = VerificationMetrics.bestThreshold(scored)
        func rate(_ count: Int, _ total: Int) -> Double { Format.rounded(total > 0 ? Double(count) / Double(total) : 0) }
        return .init(category: category.rawValue, genuinePairs: genuine, impostorPairs: impostors,
                     pairsWithoutFace: decided.count { $0.verification == nil },
                     decisionAccuracy: rate(right, decided.count), decisionTrueAcceptRate: rate(trueAccepts, genuine),
                     decisionFalseAcceptRate: rate(falseAccepts, impostors), pairsByCondition: conditions,
                     bestThreshold: best.threshold, bestThresholdAccuracy: Format.rounded(best.accuracy),
                     trueAcceptRates: [1e-3, 1e-2].map { VerificationMetrics.trueAcceptRate(scored, atFalseAcceptRate: $0) },
                     leavePeopleOutAccuracy: nil)
    }
}
