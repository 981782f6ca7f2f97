extension Image {
    /// Resamples the image through an affine map into a new `width`×`height` image.
    ///
    /// `transform` maps *source* pixel coordinates to *destination* ones (the direction in which
    /// an alignment is estimated); each destination pixel centre is mapped back and sampled
    /// bilinearly. Pixels that fall outside the source are black, like OpenCV's `warpAffine`
    /// with a constant border, so aligned crops match the reference pipeline.
    public func warped(by transform: AffineTransform, width outWidth: Int, height outHeight: Int) -> Image {
        precondition(outWidth > 0 && outHeight > 0, "warp target must be non-empty")
        guard let inverse = transform.inverted else {
            return Image(width: outWidth, height: outHeight)
        }
        var out = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        let w = width, h = height
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<outHeight {
                    let fy = Float(oy)
                    // Source position of the row start, then step by the inverse's columns.
                    var sx = inverse.b * fy + inverse.tx
                    var sy = inverse.d * fy + inverse.ty
                    var o = oy * outWidth * 3
                    for _ in 0..<outWidth {
                        Image.sampleBilinear(src, w, h, sx, sy, dst, o)
                        sx += inverse.a
                        sy += inverse.c
                        o += 3
                    }
                }
            }
        }
        return Image(uncheckedWidth: outWidth, height: outHeight, pixels: out)
    }

    /// Bilinear resize to exactly `width`×`height` (pixel centres aligned, like OpenCV's
    /// INTER_LINEAR without its area fallback).
    public func resized(width outWidth: Int, height outHeight: Int) -> Image {
        precondition(outWidth > 0 && outHeight > 0, "resize target must be non-empty")
        if outWidth == width && outHeight == height { return self }
        let sx = Float(width) / Float(outWidth), sy = Float(height) / Float(outHeight)
        // Centre-aligned: dst x maps to (x + 0.5)·s − 0.5 in the source.
        let transform = AffineTransform(a: 1 / sx, b: 0, tx: 0.5 / sx - 0.5, c: 0, d: 1 / sy, ty: 0.5 / sy - 0.5)
        return warpedClamped(by: transform, width: outWidth, height: outHeight)
    }

    /// Shrinks (or enlarges) the whole picture to exactly `width`×`height` without the
    /// aliasing a plain bilinear resize gives when shrinking a lot: whole `k`×`k` blocks are
    /// averaged first (k = how many times both sides fit), then the rest is bilinear. Used when
    /// a whole face crop goes to a model's small input (a 1000-pixel crop to 48×48, say).
    public func shrunk(width outWidth: Int, height outHeight: Int) -> Image {
        precondition(outWidth > 0 && outHeight > 0, "resize target must be non-empty")
        let factor = min(width / outWidth, height / outHeight)
        let averaged = factor > 1 ? boxDownsampled(by: factor) : self
        return averaged.resized(width: outWidth, height: outHeight)
    }

    /// Averages `factor`×`factor` blocks; the last `width % factor` columns and
    /// `height % factor` rows, which fill no whole block, are dropped.
    public func boxDownsampled(by factor: Int) -> Image {
        precondition(factor >= 1 && factor <= width && factor <= height, "block size must fit the image")
        let ow = width / factor, oh = height / factor, area = Float(factor * factor)
        var out = [UInt8](repeating: 0, count: ow * oh * 3)
        pixels.withUnsafeBufferPointer { src in
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var r: Float = 0, g: Float = 0, b: Float = 0
                    for y in (oy * factor)..<((oy + 1) * factor) {
                        var s = (y * width + ox * factor) * 3
                        for _ in 0..<factor {
                            r += Float(src[s]); g += Float(src[s + 1]); b += Float(src[s + 2])
                            s += 3
                        }
                    }
                    let o = (oy * ow + ox) * 3
                    out[o] = UInt8((r / area).rounded())
                    out[o + 1] = UInt8((g / area).rounded())
                    out[o + 2] = UInt8((b / area).rounded())
                }
            }
        }
        return Image(uncheckedWidth: ow, height: oh, pixels: out)
    }

    /// A crop of the pixels inside `rect` (clipped to the image), or nil when nothing is left.
    public func cropped(to rect: Rect) -> Image? {
        let x0 = max(0, Int(rect.x.rounded(.down))), y0 = max(0, Int(rect.y.rounded(.down)))
        let x1 = min(width, Int(rect.maxX.rounded(.up))), y1 = min(height, Int(rect.maxY.rounded(.up)))
        guard x1 > x0, y1 > y0 else { return nil }
        let cw = x1 - x0
        var out = [UInt8](repeating: 0, count: cw * (y1 - y0) * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in y0..<y1 {
                    let from = (y * width + x0) * 3, to = (y - y0) * cw * 3
                    for i in 0..<(cw * 3) { dst[to + i] = src[from + i] }
                }
            }
        }
        return Image(uncheckedWidth: cw, height: y1 - y0, pixels: out)
    }

    /// Like `warped`, but samples outside the source repeat the edge pixels, which is what a
    /// resize wants (no dark fringe on the last row and column).
    private func warpedClamped(by transform: AffineTransform, width outWidth: Int, height outHeight: Int) -> Image {
        let inverse = transform.inverted!
        var out = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        let w = width, h = height
        let maxX = Float(w - 1), maxY = Float(h - 1)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<outHeight {
                    let sy = min(max(inverse.d * Float(oy) + inverse.ty, 0), maxY)
                    var o = oy * outWidth * 3
                    for ox in 0..<outWidth {
                        let sx = min(max(inverse.a * Float(ox) + inverse.tx, 0), maxX)
                        Image.sampleBilinear(src, w, h, sx, sy, dst, o)
                        o += 3
                    }
                }
            }
        }
        return Image(uncheckedWidth: outWidth, height: outHeight, pixels: out)
    }

    @inline(__always)
    private static func sampleBilinear(
        _ src: UnsafeBufferPointer<UInt8>, _ w: Int, _ h: Int, _ sx: Float, _ sy: Float,
        _ dst: UnsafeMutableBufferPointer<UInt8>, _ o: Int
    ) {
        let fx = sx.rounded(.down), fy = sy.rounded(.down)
        let x0 = Int(fx), y0 = Int(fy)
        // Fully outside (including the one-pixel apron where all four taps miss): stays black.
        guard x0 >= -1, y0 >= -1, x0 < w, y0 < h else { return }
        let ax = sx - fx, ay = sy - fy
        let w00 = (1 - ax) * (1 - ay), w10 = ax * (1 - ay), w01 = (1 - ax) * ay, w11 = ax * ay
        let inX0 = x0 >= 0, inX1 = x0 + 1 < w, inY0 = y0 >= 0, inY1 = y0 + 1 < h
        let row0 = y0 * w * 3, row1 = (y0 + 1) * w * 3
        for ch in 0..<3 {
            var v: Float = 0
            if inY0 && inX0 { v += w00 * Float(src[row0 + x0 * 3 + ch]) }
            if inY0 && inX1 { v += w10 * Float(src[row0 + (x0 + 1) * 3 + ch]) }
            if inY1 && inX0 { v += w01 * Float(src[row1 + x0 * 3 + ch]) }
            if inY1 && inX1 { v += w11 * Float(src[row1 + (x0 + 1) * 3 + ch]) }
            dst[o + ch] = UInt8(min(max(v + 0.5, 0), 255))
        }
    }
}
