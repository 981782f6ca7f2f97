/// Soft-edged painting: a colour laid over a pixel with a coverage between 0 and 1, as
/// anti-aliased or feathered shapes need (the mask renderer paints this way).
extension Image {
    /// Mixes `color` (components 0–255, clamped) over the pixel at (x, y) by `coverage`
    /// (0 leaves it, 1 replaces it); pixels outside the image are ignored.
    public mutating func blend(x: Int, y: Int, red: Float, green: Float, blue: Float, coverage: Float) {
        guard x >= 0, y >= 0, x < width, y < height, coverage > 0 else { return }
        let a = min(1, coverage), index = (y * width + x) * 3
        func mix(_ old: UInt8, _ new: Float) -> UInt8 {
            UInt8(max(0, min(255, (Float(old) * (1 - a) + max(0, min(255, new)) * a).rounded())))
        }
        pixels[index] = mix(pixels[index], red)
        pixels[index + 1] = mix(pixels[index + 1], green)
        pixels[index + 2] = mix(pixels[index + 2], blue)
    }

    /// Mean BT.601 luma (0–255) of the pixels inside `rect`, clipped to the image; nil when
    /// nothing of it is inside.
    public func meanLuma(in rect: Rect) -> Float? {
        let minX = max(0, Int(rect.x.rounded(.down))), maxX = min(width, Int(rect.maxX.rounded(.up)))
        let minY = max(0, Int(rect.y.rounded(.down))), maxY = min(height, Int(rect.maxY.rounded(.up)))
        guard minX < maxX, minY < maxY else { return nil }
        var sum: Float = 0
        for y in minY..<maxY {
            var index = (y * width + minX) * 3
            for _ in minX..<maxX {
                sum += 0.299 * Float(pixels[index]) + 0.587 * Float(pixels[index + 1]) + 0.114 * Float(pixels[index + 2])
                index += 3
            }
        }
        return sum / Float((maxX - minX) * (maxY - minY))
    }
}
