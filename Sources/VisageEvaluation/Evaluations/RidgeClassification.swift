/// Linear ridge classification in dual form for small labelled sets (CelebA's 291 photos):
/// targets −1/+1, an unpenalised intercept, one Gram matrix shared by every fit, so that each
/// fit is one small linear solve. The features are SFace `bn1` values, batch-normalised
/// already, so they are not standardised.
struct RidgeClassification {
    /// Inner products of every pair of rows.
    let gram: [[Double]]

    init(rows: [[Float]]) {
        let n = rows.count
        var gram = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in i..<n {
                var s: Double = 0
                let a = rows[i], b = rows[j]
                for k in a.indices { s += Double(a[k]) * Double(b[k]) }
                gram[i][j] = s
                gram[j][i] = s
            }
        }
        self.gram = gram
    }

    /// Scores of `test` (positive: label 1) from a fit on `train` with penalty `decay` per training row.
    func scores(labels: [Int], train: [Int], test: [Int], decay: Double) -> [Double] {
        let n = train.count
        let t = train.map { labels[$0] == 1 ? 1.0 : -1.0 }
        let tm = t.reduce(0, +) / Double(n)
        // Centre the kernel on the training rows: the same as fitting an unpenalised intercept.
        var rowMean = [Double](repeating: 0, count: n)
        for (a, i) in train.enumerated() { for j in train { rowMean[a] += gram[i][j] } }
        rowMean = rowMean.map { $0 / Double(n) }
        let allMean = rowMean.reduce(0, +) / Double(n)
        var k = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for a in 0..<n {
            for b in 0..<n { k[a][b] = gram[train[a]][train[b]] - rowMean[a] - rowMean[b] + allMean }
            k[a][a] += decay * Double(n)
        }
        let alpha = Self.solve(k, t.map { $0 - tm })
        return test.map { i in
            let row = train.map { gram[i][$0] }
            let m = row.reduce(0, +) / Double(n)
            var s = 0.0
            for a in 0..<n { s += (row[a] - m - rowMean[a] + allMean) * alpha[a] }
            return s + tm
        }
    }

    /// Solves a symmetric positive-definite system by Cholesky decomposition.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double] {
        let n = b.count
        var l = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in 0...i {
                var s = a[i][j]
                for k in 0..<j { s -= l[i][k] * l[j][k] }
                l[i][j] = i == j ? max(s, 1e-12).squareRoot() : s / l[j][j]
            }
        }
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var s = b[i]
            for k in 0..<i { s -= l[i][k] * y[k] }
            y[i] = s / l[i][i]
        }
        var x = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = y[i]
            for k in (i + 1)..<n { s -= l[k][i] * x[k] }
            x[i] = s / l[i][i]
        }
        return x
    }
}
