import Foundation
public import Visage
import VisageModels

/// Which side of each pair wears a synthetic mask in a masked verification run.
public enum MaskCondition: String, Sendable, CaseIterable, Codable {
    /// Neither image masked: the plain benchmark (through the same records).
    case none
    /// The second image of each pair masked (the probe), the first clean (the enrolled face).
    case one
    /// Both images masked.
    case both
}

/// How a pair is scored when the mask classifier says exactly one of its faces wears a mask
/// (probability of `with_mask` ≥ ``MaskedVerification/maskProbabilityThreshold``), or for
/// ``attention`` either face. Any other pair gets the plain cosine whatever the method.
public enum MaskMatching: String, Sendable, CaseIterable, Codable {
    /// The plain cosine of the two embeddings.
    case plain
    /// Mask-offset compensation: a mask moves every face's embedding by roughly the same
    /// offset, which drags a masked probe away from its bare reference. The offset is measured
    /// without labels from the enrolment-time masked templates, as the mean of (mean template
    /// − bare embedding) over the enrolled faces (every image of the run, bare side only; no
    /// masked probe and no pair label enters it), and subtracted from the masked face's
    /// embedding, which is re-normalised, before the cosine.
    case offset
    /// Masked templates: the masked face is compared with the bare face's enrolment-time
    /// renderings in three mask styles (what a gallery would store beside the bare template,
    /// flagged as masked), and the best of those cosines is the score: masked against masked.
    case templates
    /// The masked-face attention head: when either face is called masked, the cosine of both
    /// faces' head embeddings (the head weights SFace's feature map towards the visible face;
    /// its embedding is a space of its own, so both sides go through it). What `visage verify`
    /// does by default.
    case attention
}

/// Verification with synthetic masks (``MaskRenderer``) on CFP-style pairs, plain and with a
/// ``MaskMatching`` method. Thresholds come from the other folds, as in the plain benchmark.
///
/// ```swift
/// let records = await MaskedEmbeddings.collect(pairs.uniqueImages, analyzer: analyzer, seed: 1, cachePath: nil) { _, _, _ in }
/// let scored = MaskedVerification(pairs: pairs).score(records, condition: .one, matching: .templates)
/// ```
public struct MaskedVerification: Sendable {
    public var pairs: VerificationPairs
    /// Probability of `with_mask` from which a face counts as masked; default 0.5.
    public var maskProbabilityThreshold: Float = 0.5

    public init(pairs: VerificationPairs) {
        self.pairs = pairs
    }

    /// One side's embedding, whether the classifier called it masked, and (for a bare side)
    /// its enrolment-time masked templates, under `condition`.
    struct Side {
        var embedding: [Float]?
        var masked: Bool
        var templates: [[Float]] = []
        var head: [Float]?
    }

    func side(_ record: MaskedImageRecord?, wearsMask: Bool) -> Side {
        guard let record else { return Side(embedding: nil, masked: false) }
        if wearsMask {
            return Side(embedding: record.masked, masked: (record.maskedMaskProbability ?? 0) >= maskProbabilityThreshold, head: record.maskedHead)
        }
        return Side(embedding: record.clean, masked: (record.cleanMaskProbability ?? 0) >= maskProbabilityThreshold,
                    templates: record.templates, head: record.cleanHead)
    }

    /// The mean embedding offset a rendered mask causes: mean over the records with a bare face
    /// and templates of (mean template − bare embedding). Zero when there are none.
    public static func maskOffset(_ records: MaskedEmbeddings) -> [Float] {
        var sum = [Float](repeating: 0, count: 0), count = 0
        for record in records.records.values {
            guard let clean = record.clean, !record.templates.isEmpty else { continue }
            if sum.isEmpty { sum = [Float](repeating: 0, count: clean.count) }
            let k = Float(record.templates.count)
            for i in sum.indices { sum[i] += record.templates.reduce(0) { $0 + $1[i] } / k - clean[i] }
            count += 1
        }
        return count == 0 ? sum : sum.map { $0 / Float(count) }
    }

    /// Scores parallel to `pairs.pairs`; −1 where a side has no embedding.
    public func score(_ records: MaskedEmbeddings, condition: MaskCondition, matching: MaskMatching) -> [ScoredPair] {
        let offset = matching == .offset ? Self.maskOffset(records) : []
        return pairs.pairs.map { pair in
            let a = side(records.records[pair.first], wearsMask: condition == .both)
            let b = side(records.records[pair.second], wearsMask: condition != .none)
            guard let ea = a.embedding, let eb = b.embedding else { return ScoredPair(score: -1, same: pair.same) }
            if matching == .attention, a.masked || b.masked, let ha = a.head, let hb = b.head {
                return ScoredPair(score: Self.cosine(ha, hb), same: pair.same)
            }
            guard a.masked != b.masked else { return ScoredPair(score: Self.cosine(ea, eb), same: pair.same) }
            let (masked, bare) = a.masked ? (ea, b) : (eb, a)
            switch matching {
            case .plain, .attention:
                return ScoredPair(score: Self.cosine(ea, eb), same: pair.same)
            case .offset:
                let score = offset.isEmpty ? Self.cosine(ea, eb) : Self.cosine(Self.compensated(masked, offset), bare.embedding!)
                return ScoredPair(score: score, same: pair.same)
            case .templates:
                let best = bare.templates.map { Self.cosine(masked, $0) }.max()
                return ScoredPair(score: best ?? Self.cosine(ea, eb), same: pair.same)
            }
        }
    }

    static func compensated(_ embedding: [Float], _ offset: [Float]) -> [Float] {
        let shifted = zip(embedding, offset).map { $0 - $1 }
        let norm = max(1e-6, shifted.reduce(0) { $0 + $1 * $1 }.squareRoot())
        return shifted.map { $0 / norm }
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    /// How the classifier saw the photos: how many clean and masked faces it called masked.
    public static func classifierCounts(_ records: MaskedEmbeddings, threshold: Float = 0.5) -> MaskedVerificationReport.ClassifierCounts {
        let values = Array(records.records.values)
        return .init(cleanFaces: values.count { $0.cleanMaskProbability != nil },
                     cleanCalledMasked: values.count { ($0.cleanMaskProbability ?? 0) >= threshold },
                     maskedFaces: values.count { $0.maskedMaskProbability != nil },
                     maskedCalledMasked: values.count { ($0.maskedMaskProbability ?? 0) >= threshold },
                     maskedWithoutFace: values.count { $0.clean != nil && $0.masked == nil },
                     maskedKeptByFallback: values.count { ($0.maskedFaceScore ?? 1) < YuNetDetector.Configuration().scoreThreshold })
    }

    /// Measures (or reads from `cachePath`), scores, and writes the verification report of
    /// this condition into `output`, with the mask facts beside it.
    public func run(analyzer: FaceAnalyzer, condition: MaskCondition, matching: MaskMatching, seed: UInt64, cachePath: String?,
                    output: String, progress: EvaluationProgress) async throws(EvaluationError) -> MaskedVerificationReport {
        try ReportFiles.createDirectory(output)
        let images = pairs.uniqueImages
        let records = await MaskedEmbeddings.collect(images, analyzer: analyzer, seed: seed, cachePath: cachePath, progress: progress)
        let scored = score(records, condition: condition, matching: matching)
        var plain = ImageEmbeddings()
        plain.unreadable = records.unreadable
        for (path, record) in records.records {
            if let clean = record.clean { plain.embeddings[path] = clean } else { plain.withoutFace.append(path) }
        }
        plain.withoutFace.sort()
        var evaluation = VerificationEvaluation(pairs: pairs)
        evaluation.pairs.name += condition == .none ? ", no mask" : condition == .one ? ", one side masked" : ", both masked"
        evaluation.pairs.name += " (\(matching.rawValue))"
        var verification = evaluation.summarize(scored, embeddings: plain, images: images.count)
        verification.failedPairs = scored.count { $0.score == -1 }
        verification.plots = try VerificationEvaluation.rocChart([verification], title: "ROC: \(verification.name)").write(to: output + "/roc")
        let styles = Dictionary(grouping: records.records.values, by: \.style).mapValues(\.count)
        let report = MaskedVerificationReport(
            name: verification.name, condition: condition, matching: matching,
            fallbackScore: analyzer.configuration.fallbackScoreThreshold, seed: seed,
            templateStyles: MaskedEmbeddings.templateStyles.map(\.rawValue),
            probeStyles: Dictionary(uniqueKeysWithValues: styles.map { ($0.key.rawValue, $0.value) }),
            classifier: Self.classifierCounts(records, threshold: maskProbabilityThreshold), verification: verification)
        try report.write(to: output)
        return report
    }
}

/// A masked verification run: the plain verification report plus what was masked and how the
/// classifier saw it.
public struct MaskedVerificationReport: EvaluationReport {
    public var kind = "masked-verification"
    public var name: String
    public var condition: MaskCondition
    public var matching: MaskMatching
    /// The detector's fallback score, when weaker faces were kept (nil: off).
    public var fallbackScore: Float?
    public var seed: UInt64
    public var templateStyles: [String]
    /// Photos per style drawn for the masked condition.
    public var probeStyles: [String: Int]
    public var classifier: ClassifierCounts
    public var verification: VerificationReport

    public struct ClassifierCounts: Codable, Sendable, Hashable {
        public var cleanFaces: Int
        public var cleanCalledMasked: Int
        public var maskedFaces: Int
        public var maskedCalledMasked: Int
        /// Photos with a face whose masked rendering the detector no longer found.
        public var maskedWithoutFace: Int
        /// Masked photos whose face only the detector's fallback threshold kept.
        public var maskedKeptByFallback: Int
    }

    public func markdown() -> String {
        var out = verification.markdown()
        out += "\nMasks: condition `\(condition.rawValue)`, matching `\(matching.rawValue)`"
        out += fallbackScore.map { ", faces kept down to detector score \($0)" } ?? ""
        out += "; "
        out += "probe styles (seed \(seed)): " + probeStyles.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        out += "; enrolment templates (for the offset and template matching): " + templateStyles.joined(separator: ", ") + ".\n\n"
        out += "Mask classifier: \(classifier.cleanCalledMasked) of \(classifier.cleanFaces) clean faces called masked; "
        out += "\(classifier.maskedCalledMasked) of \(classifier.maskedFaces) synthetic-masked faces called masked; "
        out += "\(classifier.maskedWithoutFace) masked photos lost their face (no detection)"
        out += fallbackScore == nil ? ".\n" : "; \(classifier.maskedKeptByFallback) kept theirs only through the fallback.\n"
        return out
    }
}
