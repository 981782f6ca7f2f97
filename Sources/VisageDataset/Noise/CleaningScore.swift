/// Precision and recall of a ``CleaningResult`` against a ``NoisyManifest``, per round.
///
/// Outliers: a flagged image is right when the manifest moved it into the wrong folder;
/// recall's denominator is every moved image (those without a detectable face count as missed).
/// Duplicates: a reported pair is right when both folders are one person (a planted split, or
/// a pair the source itself holds twice — the manifest cannot know those, so they count as wrong).
///
/// ```swift
/// let rows = CleaningScore.rows(result, truth: manifest)
/// ```
public struct CleaningScore: Sendable, Equatable {
    public var iteration: Int
    /// Outliers flagged in rounds ≤ `iteration`, and how many were planted.
    public var outliersFlagged: Int
    public var outliersCorrect: Int
    public var outliersPlanted: Int
    public var duplicatesFlagged: Int
    public var duplicatesCorrect: Int
    public var duplicatesPlanted: Int

    public var outlierPrecision: Double { outliersFlagged == 0 ? .nan : Double(outliersCorrect) / Double(outliersFlagged) }
    public var outlierRecall: Double { outliersPlanted == 0 ? .nan : Double(outliersCorrect) / Double(outliersPlanted) }
    public var duplicatePrecision: Double { duplicatesFlagged == 0 ? .nan : Double(duplicatesCorrect) / Double(duplicatesFlagged) }
    public var duplicateRecall: Double { duplicatesPlanted == 0 ? .nan : Double(duplicatesCorrect) / Double(duplicatesPlanted) }

    public static func rows(_ result: CleaningResult, truth: NoisyManifest) -> [CleaningScore] {
        let planted = Set(truth.moved.map(\.path))
        var samePerson: Set<[String]> = []
        for s in truth.splits { samePerson.insert([s.identity, s.newIdentity].sorted()) }
        return result.iterations.map { round in
            let flagged = result.suspects.filter { $0.reason == .outlier && $0.iteration <= round.iteration }
            let found = round.duplicates.filter { samePerson.contains([$0.a, $0.b].sorted()) }
            return CleaningScore(iteration: round.iteration, outliersFlagged: flagged.count,
                                 outliersCorrect: flagged.filter { planted.contains($0.path) }.count, outliersPlanted: planted.count,
                                 duplicatesFlagged: round.duplicates.count, duplicatesCorrect: found.count, duplicatesPlanted: samePerson.count)
        }
    }
}
