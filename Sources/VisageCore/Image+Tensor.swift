/// Channel order of a model's input tensor.
public enum ChannelOrder: String, Sendable, Codable {
    case rgb
    case bgr
}

extension Image {
    /// Writes the image as planar (CHW) float32 into `destination`, which must hold
    /// `3·width·height` values: `(pixel − mean[c]) · scale[c]` in the requested channel order.
    /// `mean` and `scale` are listed in the tensor's channel order (B, G, R for `.bgr`).
    ///
    /// Models state their preprocessing contract (order, mean, scale); this is the one loop
    /// that honours it, writing straight into the batch buffer handed to ONNX Runtime.
    public func writePlanar(
        into destination: UnsafeMutableBufferPointer<Float>, order: ChannelOrder,
        mean: (Float, Float, Float) = (0, 0, 0), scale: (Float, Float, Float) = (1, 1, 1)
    ) {
        let plane = width * height
        precondition(destination.count >= plane * 3, "tensor buffer too small for \(width)x\(height)")
        // Destination plane for each source channel (R, G, B).
        let target = order == .rgb ? (0, plane, 2 * plane) : (2 * plane, plane, 0)
        let m = order == .rgb ? mean : (mean.2, mean.1, mean.0)
        let s = order == .rgb ? scale : (scale.2, scale.1, scale.0)
        pixels.withUnsafeBufferPointer { src in
            var i = 0
            for p in 0..<plane {
                destination[target.0 + p] = (Float(src[i]) - m.0) * s.0
                destination[target.1 + p] = (Float(src[i + 1]) - m.1) * s.1
                destination[target.2 + p] = (Float(src[i + 2]) - m.2) * s.2
                i += 3
            }
        }
    }
}
