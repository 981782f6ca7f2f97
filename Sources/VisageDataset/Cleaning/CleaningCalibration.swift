/// The similarity distributions the cleaner's thresholds come from, measured on embeddings
/// whose identities are known to be right (CFP's own folders, or a noisy copy's manifest).
///
/// - Duplicates: *genuine* = each identity's images split in two halves (alternating in path
///   order), the two half-centres' similarity; *impostor* = every pair of different identities'
///   centres.
/// - Outliers: *genuine* = each image against its own identity's leave-one-out centre;
///   *impostor* = each image against every other identity's centre.
///
/// ```swift
/// let calibration = CleaningCalibration(samples: samples) { truth[$0.path] ?? $0.identity }
/// print(calibration.duplicateImpostor.max, calibration.duplicateGenuine.quantile(0.01))
/// ```
public struct CleaningCalibration: Sendable {
    /// Sorted similarities with a few summary statistics.
    public struct Distribution: Sendable {
        public var values: [Float]
        public init(_ values: [Float]) { self.values = values.sorted() }
        public var count: Int { values.count }
        public var max: Float { values.last ?? .nan }
        public var min: Float { values.first ?? .nan }
        public func quantile(_ q: Double) -> Float { Stats.quantile(values, q) }
        /// Fraction of values at or above `threshold`.
        public func fraction(atLeast threshold: Float) -> Double {
            guard !values.isEmpty else { return .nan }
            let firstAt = values.firstIndex { $0 >= threshold } ?? values.count
            return Double(values.count - firstAt) / Double(values.count)
        }
    }

    public var duplicateGenuine: Distribution
    public var duplicateImpostor: Distribution
    public var outlierGenuine: Distribution
    public var outlierImpostor: Distribution
    /// The outlier distributions of turned faces only (`|yaw| ≥ turnedYaw`), and of the others.
    public var outlierGenuineTurned: Distribution
    public var outlierImpostorTurned: Distribution
    public var outlierGenuineFrontal: Distribution
    public var outlierImpostorFrontal: Distribution

    /// - Parameter identity: the true identity of a sample (default: its folder).
    public init(samples: [CleaningSample], turnedYaw: Float = CleaningConfiguration().turnedYaw,
                identity: (CleaningSample) -> String = { $0.identity }) {
        var groups: [String: [(String, [Float])]] = [:]
        var turned: Set<String> = []
        for s in samples {
            if let e = s.embedding { groups[identity(s), default: []].append((s.path, e)) }
            if abs(s.yaw) >= turnedYaw { turned.insert(s.path) }
        }
        var genuineTurned: [Float] = [], genuineFrontal: [Float] = [], impostorTurned: [Float] = [], impostorFrontal: [Float] = []
        let ids = groups.keys.sorted()
        var halves: [Float] = [], centres: [[Float]] = [], looScores: [Float] = []
        for id in ids {
            let named = groups[id]!.sorted { $0.0 < $1.0 }
            let members = named.map(\.1)
            centres.append(Vector.mean(members))
            if members.count >= 4 {
                let a = members.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
                let b = members.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
                halves.append(Vector.dot(Vector.mean(a), Vector.mean(b)))
            }
            if members.count >= 2 {
                let sum = members.reduce(into: [Float](repeating: 0, count: members[0].count)) { s, e in for d in 0..<e.count { s[d] += e[d] } }
                for (path, e) in named {
                    var others = sum
                    for d in 0..<e.count { others[d] -= e[d] }
                    let score = Vector.dot(e, Vector.normalised(others))
                    looScores.append(score)
                    if turned.contains(path) { genuineTurned.append(score) } else { genuineFrontal.append(score) }
                }
            }
        }
        var impostorCentres: [Float] = []
        for i in centres.indices { for j in (i + 1)..<centres.count { impostorCentres.append(Vector.dot(centres[i], centres[j])) } }
        var impostorImages: [Float] = []
        for (k, id) in ids.enumerated() {
            for (path, e) in groups[id]! {
                let isTurned = turned.contains(path)
                for j in centres.indices where j != k {
                    let score = Vector.dot(e, centres[j])
                    impostorImages.append(score)
                    if isTurned { impostorTurned.append(score) } else { impostorFrontal.append(score) }
                }
            }
        }
        duplicateGenuine = Distribution(halves)
        duplicateImpostor = Distribution(impostorCentres)
        outlierGenuine = Distribution(looScores)
        outlierImpostor = Distribution(impostorImages)
        outlierGenuineTurned = Distribution(genuineTurned)
        outlierImpostorTurned = Distribution(impostorTurned)
        outlierGenuineFrontal = Distribution(genuineFrontal)
        outlierImpostorFrontal = Distribution(impostorFrontal)
    }
}
