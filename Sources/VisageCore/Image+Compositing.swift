/// Compositing: soft-edged painting (a colour laid over a pixel with a coverage between 0 and
/// 1, as the mask renderer's anti-aliased and feathered shapes need) and placing one image
/// on another (contact sheets, side-by-side figures).
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

    /// Copies `image` onto this one with its top-left corner at pixel (`x`, `y`), clipped to
    /// this image: for contact sheets and side-by-side figures.
    public mutating func place(_ image: Image, x: Int, y: Int) {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x.addingReportingOverflow(image.width).partialValue), y1 = min(height, y.addingReportingOverflow(image.height).partialValue)
        guard x1 > x0, y1 > y0 else { return }
        let run = (x1 - x0) * 3
        let sourceWidth = image.width, destinationWidth = width
        image.pixels.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { destination in
                for row in y0..<y1 {
                    let from = ((row - y) * sourceWidth + (x0 - x)) * 3, to = (row * destinationWidth + x0) * 3
                    for i in 0..<run { destination[to + i] = source[from + i] }
                }
            }
        }
    }
}
