public import VisageCore

/// Focus measure: the variance of the Laplacian of a grey image (Pech-Pacheco et al., 2000).
///
/// Computed on the 112×112 aligned crop, so faces of every size are compared at one scale.
/// Blur removes the high frequencies the 3×3 Laplacian responds to, so the variance drops.
public enum Sharpness {
    /// Aligned crops whose variance is below this are called blurred: 100.
    ///
    /// Origin: on 200 CFP frontal photos (in focus by the set's construction; identities 001,
    /// 006, … 496, photos 01 and 02, measured by `visage describe --json`) the 1st percentile is
    /// 200 and the 2nd 245. The line sits at half the 1st percentile because faces in ordinary
    /// photos are smaller than CFP's and are upscaled to 112 px, which lowers the variance
    /// without being blur (the six faces of t1.jpg measure 95–334). On CelebA's `Blurry` labels
    /// (held out) it catches 7 of 15 and calls 37 of 276 others blurred, mostly small faces
    /// (docs/ask.md, with a variant at the face's own resolution that did worse).
    public static let blurredBelow: Float = 100

    /// Variance of the 4-neighbour Laplacian of the BT.601 grey image, border pixels skipped.
    public static func laplacianVariance(_ image: Image) -> Float {
        let w = image.width, h = image.height
        guard w >= 3, h >= 3 else { return 0 }
        var grey = [Float](repeating: 0, count: w * h)
        image.pixels.withUnsafeBufferPointer { p in
            for i in 0..<(w * h) {
                grey[i] = 0.299 * Float(p[3 * i]) + 0.587 * Float(p[3 * i + 1]) + 0.114 * Float(p[3 * i + 2])
            }
        }
        var sum: Double = 0, sumSquares: Double = 0
        for y in 1..<(h - 1) {
            for x in 1..<(w - 1) {
                let i = y * w + x
                let l = Double(grey[i - 1] + grey[i + 1] + grey[i - w] + grey[i + w] - 4 * grey[i])
                sum += l
                sumSquares += l * l
            }
        }
        let n = Double((w - 2) * (h - 2))
        let mean = sum / n
        return Float(max(0, sumSquares / n - mean * mean))
    }
}
