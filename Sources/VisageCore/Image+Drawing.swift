/// Drawing for annotated output. Every method clips to the image: shapes partly or
/// wholly outside it, and any coordinate (huge, negative, infinite, NaN), are safe.
/// Pixel (x, y) is the square from (x, y) to (x + 1, y + 1); coordinates are rounded
/// to the nearest pixel edge.
extension Image {
    /// Outlines `rect` with a border `thickness` pixels wide (at least 1), drawn inside it
    /// so that the rectangle's edges are the border's outer edges. An empty rectangle
    /// draws nothing; a border thicker than half the rectangle fills it.
    public mutating func drawRectangle(_ rect: Rect, color: RGB, thickness: Int = 2) {
        guard let box = PixelBox(rect) else { return }
        let thickness = max(thickness, 1)
        let rows = min(thickness, box.maxY - box.minY), columns = min(thickness, box.maxX - box.minX)
        fill(minX: box.minX, minY: box.minY, maxX: box.maxX, maxY: box.minY + rows, color: color)
        fill(minX: box.minX, minY: box.maxY - rows, maxX: box.maxX, maxY: box.maxY, color: color)
        fill(minX: box.minX, minY: box.minY, maxX: box.minX + columns, maxY: box.maxY, color: color)
        fill(minX: box.maxX - columns, minY: box.minY, maxX: box.maxX, maxY: box.maxY, color: color)
    }

    /// Paints every pixel of `rect`.
    public mutating func fillRectangle(_ rect: Rect, color: RGB) {
        guard let box = PixelBox(rect) else { return }
        fill(minX: box.minX, minY: box.minY, maxX: box.maxX, maxY: box.maxY, color: color)
    }

    /// Paints a filled disc centred on the pixel containing `center`; radius 0 paints that one pixel.
    public mutating func drawDot(at center: Point, radius: Int = 2, color: RGB) {
        guard let cx = PixelBox.coordinate(center.x.rounded(.down)), let cy = PixelBox.coordinate(center.y.rounded(.down))
        else { return }
        // Past this a disc covers any image it touches; the cap keeps the squares below in range.
        let radius = min(max(radius, 0), 1 << 24)
        // r² + r rather than r² rounds the outline outwards, so small dots look round, not diamond-shaped.
        let reach = radius * radius + radius
        let top = max(cy - radius, 0), bottom = min(cy + radius + 1, height)
        guard top < bottom else { return }
        for y in top..<bottom {
            let dy = y - cy
            var half = Int(Double(reach - dy * dy).squareRoot())
            while half * half > reach - dy * dy { half -= 1 }
            fill(minX: cx - half, minY: y, maxX: cx + half + 1, maxY: y + 1, color: color)
        }
    }

    /// Writes `text` with the built-in 5×7 pixel font, `origin` being the top-left corner
    /// of the label; see ``textSize(_:scale:)`` for how much room it takes.
    ///
    /// Each font pixel becomes a `scale`×`scale` square (scale is kept within 1...64).
    /// Characters outside printable ASCII are shown as "?", and "\n" starts a new line.
    ///
    /// - Parameter background: when set, the label's whole box is painted first, so the
    ///   text stays legible on any photo. Default: none.
    public mutating func drawText(_ text: String, at origin: Point, color: RGB, background: RGB? = nil, scale: Int = 1) {
        guard let left = PixelBox.coordinate(origin.x.rounded()), let top = PixelBox.coordinate(origin.y.rounded())
        else { return }
        let scale = Self.clampedScale(scale)
        if let background {
            let size = Self.textSize(text, scale: scale)
            fill(minX: left, minY: top, maxX: left + size.width, maxY: top + size.height, color: background)
        }
        // The label's one-font-pixel margin, matching textSize.
        var lineTop = top + scale
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var glyphLeft = left + scale
            for character in line {
                if glyphLeft >= width || lineTop >= height { break }
                drawGlyph(BitmapFont.rows(for: character), left: glyphLeft, top: lineTop, scale: scale, color: color)
                glyphLeft += BitmapFont.advance * scale
            }
            lineTop += BitmapFont.lineHeight * scale
        }
    }

    /// The width and height in pixels of the box ``drawText(_:at:color:background:scale:)``
    /// uses for `text`, margins included; (0, 0) for an empty string.
    public static func textSize(_ text: String, scale: Int = 1) -> (width: Int, height: Int) {
        guard !text.isEmpty else { return (0, 0) }
        let scale = clampedScale(scale)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let columns = lines.map(\.count).max() ?? 0
        // Each glyph cell includes the gap after it; a margin replaces the final gap on
        // each side, so the box is one font pixel wider than the cells and exactly as tall.
        return ((columns * BitmapFont.advance + 1) * scale, lines.count * BitmapFont.lineHeight * scale)
    }

    private static func clampedScale(_ scale: Int) -> Int { min(max(scale, 1), 64) }

    private mutating func drawGlyph(_ rows: ArraySlice<UInt8>, left: Int, top: Int, scale: Int, color: RGB) {
        for (row, mask) in rows.enumerated() where mask != 0 {
            let y = top + row * scale
            for column in 0..<BitmapFont.glyphWidth where mask & (1 << (BitmapFont.glyphWidth - 1 - column)) != 0 {
                let x = left + column * scale
                fill(minX: x, minY: y, maxX: x + scale, maxY: y + scale, color: color)
            }
        }
    }

    /// Paints the pixels with minX <= x < maxX and minY <= y < maxY that lie in the image.
    private mutating func fill(minX: Int, minY: Int, maxX: Int, maxY: Int, color: RGB) {
        let x0 = max(minX, 0), x1 = min(maxX, width)
        let y0 = max(minY, 0), y1 = min(maxY, height)
        guard x0 < x1, y0 < y1 else { return }
        let width = width
        pixels.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            for y in y0..<y1 {
                var pixel = base + (y * width + x0) * 3
                for _ in x0..<x1 {
                    pixel[0] = color.r
                    pixel[1] = color.g
                    pixel[2] = color.b
                    pixel += 3
                }
            }
        }
    }
}

/// A rectangle rounded to whole pixels, or nil when it is empty or not finite.
private struct PixelBox {
    var minX: Int
    var minY: Int
    var maxX: Int
    var maxY: Int

    init?(_ rect: Rect) {
        guard let x0 = Self.coordinate(rect.x.rounded()), let y0 = Self.coordinate(rect.y.rounded()),
            let x1 = Self.coordinate(rect.maxX.rounded()), let y1 = Self.coordinate(rect.maxY.rounded())
        else { return nil }
        (minX, maxX) = (min(x0, x1), max(x0, x1))
        (minY, maxY) = (min(y0, y1), max(y0, y1))
        guard minX < maxX, minY < maxY else { return nil }
    }

    /// A pixel coordinate from a float, limited to ±2³⁰ (far outside any image yet safe
    /// to add to without overflow); nil for NaN and infinities.
    static func coordinate(_ value: Float) -> Int? {
        guard value.isFinite else { return nil }
        let limit: Float = 1_073_741_824
        return Int(min(max(value, -limit), limit))
    }
}
