/// A 2-D affine map `p' = [a b; c d] p + [tx; ty]`, used to align faces and to place crops.
public struct AffineTransform: Sendable, Hashable, Codable {
    public var a: Float, b: Float, tx: Float
    public var c: Float, d: Float, ty: Float

    public init(a: Float, b: Float, tx: Float, c: Float, d: Float, ty: Float) {
        self.a = a; self.b = b; self.tx = tx
        self.c = c; self.d = d; self.ty = ty
    }

    public static let identity = AffineTransform(a: 1, b: 0, tx: 0, c: 0, d: 1, ty: 0)

    public func apply(_ p: Point) -> Point {
        Point(x: a * p.x + b * p.y + tx, y: c * p.x + d * p.y + ty)
    }

    /// The inverse map, or nil when the transform is degenerate (determinant ~ 0).
    public var inverted: AffineTransform? {
        let det = a * d - b * c
        guard abs(det) > 1e-12 else { return nil }
        let ia = d / det, ib = -b / det, ic = -c / det, id = a / det
        return AffineTransform(a: ia, b: ib, tx: -(ia * tx + ib * ty), c: ic, d: id, ty: -(ic * tx + id * ty))
    }

    /// Uniform scale factor of a similarity transform (geometric mean for a general affine).
    public var scale: Float { (abs(a * d - b * c)).squareRoot() }

    /// The least-squares similarity transform (rotation, uniform scale, translation; no
    /// reflection) taking `source` points onto `destination` points (Umeyama, 1991). This is
    /// what InsightFace's `norm_crop` estimates for the five-point alignment template.
    ///
    /// Returns nil when fewer than two distinct points are given.
    public static func similarity(from source: [Point], to destination: [Point]) -> AffineTransform? {
        let n = min(source.count, destination.count)
        guard n >= 2 else { return nil }
        // Double precision: landmark coordinates reach thousands of pixels, and the 2x2
        // covariance is a difference of large sums.
        var msx = 0.0, msy = 0.0, mdx = 0.0, mdy = 0.0
        for i in 0..<n {
            msx += Double(source[i].x); msy += Double(source[i].y)
            mdx += Double(destination[i].x); mdy += Double(destination[i].y)
        }
        let count = Double(n)
        msx /= count; msy /= count; mdx /= count; mdy /= count
        // For 2-D similarity the Umeyama solution reduces to two sums:
        // scale·cos = Σ(s·d) / Σ|s|², scale·sin = Σ(s×d) / Σ|s|² over centred points.
        var dot = 0.0, cross = 0.0, norm = 0.0
        for i in 0..<n {
            let sx = Double(source[i].x) - msx, sy = Double(source[i].y) - msy
            let dx = Double(destination[i].x) - mdx, dy = Double(destination[i].y) - mdy
            dot += sx * dx + sy * dy
            cross += sx * dy - sy * dx
            norm += sx * sx + sy * sy
        }
        guard norm > 1e-12 else { return nil }
        let sc = dot / norm, ss = cross / norm
        let tx = mdx - (sc * msx - ss * msy)
        let ty = mdy - (ss * msx + sc * msy)
        return AffineTransform(a: Float(sc), b: Float(-ss), tx: Float(tx), c: Float(ss), d: Float(sc), ty: Float(ty))
    }
}
