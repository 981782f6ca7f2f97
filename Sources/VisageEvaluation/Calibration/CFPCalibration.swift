import Foundation
import VisageGallery
public import VisageJSON
import Visage
import VisageModels

/// `visage calibrate --protocol cfp`: genuine and impostor similarity distributions on CFP and the
/// thresholds at false-accept rates ``rates``, for pairs (the FF and FP protocols) and for the
/// open set (identities 251–500 enrolled from frontal photos 01–05, every photo of 001–250
/// searched as a stranger; an impostor score is a stranger's best similarity to anyone in the
/// gallery). The open-set threshold at 1e-3 is the gallery's default; the open-set
/// identification protocol (``CFPIdentificationResult``) then runs on the other half at the
/// compiled-in default and at each threshold measured, so the strangers it reports on are not
/// the ones it calibrated on.
///
/// ```swift
/// let cfp = try CFPDataset(path: "../shared/data/cfp")
/// let found = try await cfp.embeddings(analyzer: analyzer, cacheDirectory: "out/calibration") { _, _, _ in }
/// let calibration = try await CFPCalibration.run(cfp, embeddings: found.byImage)
/// print(calibration.text)
/// ```
public struct CFPCalibration: Sendable {
    /// The false-accept rates thresholds are measured at.
    public static let rates = [1e-2, 1e-3, 1e-4]

    /// What `thresholds.json` holds.
    public var json: JSONValue
    /// The report as the command prints it without `--json`.
    public var text: String

    public static func run(_ cfp: CFPDataset, embeddings: [String: [Float]?]) async throws -> CFPCalibration {
        let rates = Self.rates
        let missing = embeddings.values.filter { $0 == nil }.count

        var pairSections: [(String, JSONValue)] = []
        var text: [String] = [String(format: "CFP: %d photos, %d without a detected face (left out)", embeddings.count, missing)]
        var allImpostors: [Float] = [], allGenuine: [Float] = []
        for (name, kind) in [("FF", CFPProtocol.frontalFrontal), ("FP", .frontalProfile)] {
            var genuine: [Float] = [], impostor: [Float] = []
            var skipped = 0
            for pair in try cfp.pairs(kind) {
                guard let a = embeddings[pair.a] ?? nil, let b = embeddings[pair.b] ?? nil else { skipped += 1; continue }
                let score = cosineSimilarity(a, b)
                if pair.same { genuine.append(score) } else { impostor.append(score) }
            }
            allGenuine += genuine
            allImpostors += impostor
            pairSections.append((name, Self.section(genuine: genuine, impostor: impostor, skipped: skipped)))
            text.append(Self.summary("pairs \(name)", genuine: genuine, impostor: impostor))
        }
        pairSections.append(("all", Self.section(genuine: allGenuine, impostor: allImpostors, skipped: 0)))
        text.append(Self.summary("pairs FF+FP", genuine: allGenuine, impostor: allImpostors))

        // Open set: gallery 251–500, strangers 001–250 (all 14 photos each); genuine probes are
        // the gallery people's own frontal photos 06–10 and profiles.
        let openSet = try await CFPOpenSet(embeddings: embeddings, enrolled: 251...500)
        defer { openSet.remove() }
        var maxima: [Float] = [], genuineBest: [Float] = []
        for id in CFPDataset.identities {
            let photos = CFPDataset.frontal.map { CFPDataset.image(id, "frontal", $0) } + CFPDataset.profile.map { CFPDataset.image(id, "profile", $0) }
            for photo in photos {
                guard let embedding = embeddings[photo] ?? nil else { continue }
                if let personID = openSet.personIDs[id] {
                    if photo.contains("frontal/0") && CFPOpenSet.enrollmentPhotos.contains(Int(photo.suffix(6).prefix(2))!) { continue }
                    let answer = await openSet.gallery.search(embedding, topK: 1)
                    // A wrong rank-1 answer counts as a miss at any threshold (-2 is below every cosine).
                    genuineBest.append(answer.candidates.first?.personID == personID ? answer.bestSimilarity ?? -2 : -2)
                } else {
                    maxima.append(await openSet.gallery.search(embedding, topK: 1).bestSimilarity ?? -1)
                }
            }
        }
        let openPoints = rates.map { ThresholdCalibration.threshold(impostorScores: maxima, falseAcceptRate: $0) }
        text.append(Self.summary("open set (250 enrolled × 5 frontal; \(maxima.count) stranger maxima)", genuine: genuineBest, impostor: maxima, points: openPoints))
        let chosen = openPoints[1]

        // The must-show protocol, on the other half of the identities: at the compiled-in default
        // and at each open-set threshold just measured.
        var evaluations: [CFPIdentificationResult] = []
        for threshold in [Gallery.defaultThreshold] + openPoints.map(\.threshold) {
            evaluations.append(try await CFPIdentificationResult.run(embeddings: embeddings, threshold: threshold))
        }
        let compact = try await CFPIdentificationResult.run(embeddings: embeddings, threshold: Gallery.defaultThreshold, compact: true)
        let result = JSONValue.object([
            ("protocol", .string("cfp")),
            ("model", .string(Gallery.embeddingModel)),
            ("photos", .integer(embeddings.count)),
            ("photos_without_face", .integer(missing)),
            ("pairs", .object(pairSections)),
            ("open_set", .object([
                ("gallery", .string("CFP identities 251-500, frontal photos 01-05 (up to 5 templates per person)")),
                ("strangers", .string("every photo of CFP identities 001-250 (10 frontal + 4 profile)")),
                ("impostor_score", .string("a stranger's best similarity to anyone in the gallery")),
                ("strangers_searched", .integer(maxima.count)),
                ("stranger_maximum", .number(maxima.max() ?? -1, decimals: 4)),
                ("genuine_searches", .integer(genuineBest.count)),
                ("genuine_rate", .string("share of genuine searches (gallery people's frontal 06-10 and profiles) identified correctly at or above the threshold")),
                ("thresholds", .array(openPoints.map { Self.pointJSON($0, genuine: genuineBest) })),
            ])),
            ("default", .object([
                ("threshold", .number(chosen.threshold, decimals: 4)),
                ("origin", .string("open set, false-positive identification rate 1e-3 on CFP (250-person gallery)")),
                ("compiled_in", .number(Gallery.defaultThreshold, decimals: 4)),
            ])),
            ("identification", .object([
                ("protocol", .string("enrol 001-250 from frontal 01-05; search frontal 06-10 and profiles; 251-500 (all photos) as strangers")),
                ("at_compiled_default", evaluations[0].json),
                ("at_compiled_default_compact_search", compact.json),
                ("at_open_set_thresholds", .array(evaluations.dropFirst().map(\.json))),
            ])),
        ])
        var report = text
        report.append(String(format: "default gallery threshold (open set, FPIR 1e-3): %.4f (compiled in: %.4f)", chosen.threshold, Gallery.defaultThreshold))
        for evaluation in evaluations { report.append(evaluation.text) }
        report.append("compact (int8 + re-rank) search at the compiled-in default:\n" + compact.text)
        return CFPCalibration(json: result, text: report.joined(separator: "\n"))
    }

    private static func pointJSON(_ p: ThresholdCalibration.Point, genuine: [Float]) -> JSONValue {
        .object([
            ("far", .number(p.falseAcceptRate, decimals: 6)),
            ("threshold", .number(p.threshold, decimals: 4)),
            ("measured_far", .number(p.measuredRate, decimals: 6)),
            ("impostors", .integer(p.impostors)),
            ("resolved", .bool(p.resolved)),
            ("genuine_accept_rate", .number(ThresholdCalibration.rate(of: genuine, atOrAbove: p.threshold), decimals: 4)),
        ])
    }

    private static func section(genuine: [Float], impostor: [Float], skipped: Int) -> JSONValue {
        .object([
            ("genuine", .integer(genuine.count)),
            ("impostor", .integer(impostor.count)),
            ("pairs_without_face", .integer(skipped)),
            ("genuine_mean", .number(Self.mean(genuine), decimals: 4)),
            ("impostor_mean", .number(Self.mean(impostor), decimals: 4)),
            ("impostor_max", .number(impostor.max() ?? -1, decimals: 4)),
            ("thresholds", .array(rates.map { Self.pointJSON(ThresholdCalibration.threshold(impostorScores: impostor, falseAcceptRate: $0), genuine: genuine) })),
        ])
    }

    private static func summary(_ title: String, genuine: [Float], impostor: [Float], points: [ThresholdCalibration.Point]? = nil) -> String {
        let points = points ?? rates.map { ThresholdCalibration.threshold(impostorScores: impostor, falseAcceptRate: $0) }
        var lines = [String(format: "%@: genuine %d (mean %.3f), impostor %d (mean %.3f, max %.3f)", title, genuine.count, Self.mean(genuine), impostor.count, Self.mean(impostor), impostor.max() ?? -1)]
        for p in points {
            lines.append(String(format: "  FAR %.0e: threshold %.4f  (measured %.5f, genuine accepted %.2f%%)%@", p.falseAcceptRate, p.threshold, p.measuredRate,
                                ThresholdCalibration.rate(of: genuine, atOrAbove: p.threshold) * 100,
                                p.resolved ? "" : "  [under-resolved: \(p.impostors) impostor scores; a lower bound]"))
        }
        return lines.joined(separator: "\n")
    }

    private static func mean(_ values: [Float]) -> Float {
        let valid = values.filter { $0 > -2 }
        return valid.isEmpty ? 0 : valid.reduce(0, +) / Float(valid.count)
    }
}
