/// The little linear algebra the cleaner needs, on plain `[Float]`.
enum Vector {
    static func dot(_ a: [Float], _ b: [Float]) -> Float {
        var s: Float = 0
        for i in 0..<min(a.count, b.count) { s += a[i] * b[i] }
        return s
    }

    static func normalised(_ v: [Float]) -> [Float] {
        let n = dot(v, v).squareRoot()
        return n > 0 ? v.map { $0 / n } : v
    }

    /// Normalised mean.
    static func mean(_ vectors: [[Float]]) -> [Float] {
        guard let first = vectors.first else { return [] }
        var sum = [Float](repeating: 0, count: first.count)
        for v in vectors { for d in 0..<sum.count { sum[d] += v[d] } }
        return normalised(sum)
    }
}

enum Stats {
    static func median(_ values: [Float]) -> Float {
        guard !values.isEmpty else { return 0 }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Linear-interpolated quantile, q in [0, 1].
    static func quantile(_ sorted: [Float], _ q: Double) -> Float {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let lo = Int(position.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        let t = Float(position - Double(lo))
        return sorted[lo] * (1 - t) + sorted[hi] * t
    }
}
