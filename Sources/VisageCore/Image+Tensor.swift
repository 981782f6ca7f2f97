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

extension Image {
    /// Resizes bilinearly to `width`×`height` (pixel centres aligned, as OpenCV's INTER_LINEAR)
    /// and writes the result as planar float32 straight into `destination`, whose planes are
    /// `planeWidth`×`planeHeight` (≥ the target size): the rest of each plane is left as it is,
    /// which is how a detector's zero padding is kept.
    ///
    /// One pass instead of resize-then-convert: for a 12-MP photo scaled to 640 px this skips
    /// an intermediate image and a second sweep over it, the bulk of the detector's own
    /// preprocessing time. Column taps are computed once per call, not per pixel.
    public func writeResizedPlanar(
        into destination: UnsafeMutableBufferPointer<Float>, width outWidth: Int, height outHeight: Int,
        planeWidth: Int, planeHeight: Int, order: ChannelOrder
    ) {
        precondition(outWidth > 0 && outHeight > 0 && outWidth <= planeWidth && outHeight <= planeHeight, "bad resize target")
        let plane = planeWidth * planeHeight
        precondition(destination.count >= plane * 3, "tensor buffer too small")
        let scaleX = Float(width) / Float(outWidth), scaleY = Float(height) / Float(outHeight)
        // Per output column: the two source byte offsets and the weight of the right one.
        var left = [Int](repeating: 0, count: outWidth), right = left
        var weightX = [Float](repeating: 0, count: outWidth)
        for x in 0..<outWidth {
            let sx = min(max((Float(x) + 0.5) * scaleX - 0.5, 0), Float(width - 1))
            let x0 = Int(sx)
            left[x] = x0 * 3
            right[x] = min(x0 + 1, width - 1) * 3
            weightX[x] = sx - Float(x0)
        }
        // Destination plane of each source channel (R, G, B).
        let planeOf = order == .rgb ? [0, plane, 2 * plane] : [2 * plane, plane, 0]
        // Two passes, the same arithmetic as one: each needed source row is interpolated across
        // once into a row of three planar channels (a downscale by 1.6 asks for a row again
        // about every other output row, and it is then reused), and each output row is the
        // vertical blend of two such rows, written channel by channel into contiguous memory,
        // which the compiler vectorises. Doing all of it per pixel with the channel chosen in the
        // inner loop cost the detector about twice OpenCV's resize.
        var rows = [Float](repeating: 0, count: 2 * 3 * outWidth)
        pixels.withUnsafeBufferPointer { src in
            left.withUnsafeBufferPointer { left in
                right.withUnsafeBufferPointer { right in
                    weightX.withUnsafeBufferPointer { weightX in
                        rows.withUnsafeMutableBufferPointer { rows in
                            let base = rows.baseAddress!
                            var slot = [-1, -1]  // the source row held in each half of `rows`
                            func interpolatedRow(_ sourceRow: Int) -> UnsafeMutablePointer<Float> {
                                if slot[0] == sourceRow { return base }
                                if slot[1] == sourceRow { return base + 3 * outWidth }
                                // Replace the half not holding the row just before this one.
                                let half = slot[0] == sourceRow - 1 ? 1 : 0
                                slot[half] = sourceRow
                                let out = base + half * 3 * outWidth
                                let line = sourceRow * width * 3
                                for x in 0..<outWidth {
                                    let l = line + left[x], r = line + right[x], wx = weightX[x]
                                    for c in 0..<3 {
                                        let a = Float(src[l + c])
                                        out[c * outWidth + x] = a + (Float(src[r + c]) - a) * wx
                                    }
                                }
                                return out
                            }
                            for y in 0..<outHeight {
                                let sy = min(max((Float(y) + 0.5) * scaleY - 0.5, 0), Float(height - 1))
                                let y0 = Int(sy)
                                let wy = sy - Float(y0)
                                let top = interpolatedRow(y0)
                                let bottom = interpolatedRow(min(y0 + 1, height - 1))
                                for c in 0..<3 {
                                    let t = top + c * outWidth, b = bottom + c * outWidth
                                    let d = destination.baseAddress! + planeOf[c] + y * planeWidth
                                    for x in 0..<outWidth { d[x] = t[x] + (b[x] - t[x]) * wy }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
