import VisageCore

extension Image {
    /// Draws a straight line of square `thickness`-pixel pens from `start` to `end`
    /// (Bresenham), painting only pixels inside `clip`. A `dash` of (on, off) pixel counts
    /// draws a dashed line; nil draws it solid. Non-finite points draw nothing.
    mutating func drawLine(from start: Point, to end: Point, color: RGB, thickness: Int = 2, clip: Rect? = nil, dash: (on: Int, off: Int)? = nil) {
        guard start.x.isFinite, start.y.isFinite, end.x.isFinite, end.y.isFinite else { return }
        let limit: Float = 1_048_576
        func clamp(_ v: Float) -> Int { Int(min(max(v, -limit), limit).rounded(.down)) }
        var x = clamp(start.x), y = clamp(start.y)
        let x1 = clamp(end.x), y1 = clamp(end.y)
        let dx = abs(x1 - x), dy = -abs(y1 - y)
        let sx = x < x1 ? 1 : -1, sy = y < y1 ? 1 : -1
        var error = dx + dy
        let pen = max(thickness, 1), offset = (pen - 1) / 2
        let clip = clip ?? Rect(x: 0, y: 0, width: Float(width), height: Float(height))
        var step = 0
        while true {
            let on = dash.map { step % max($0.on + $0.off, 1) < $0.on } ?? true
            if on {
                let px = Float(x - offset), py = Float(y - offset)
                // Clip the pen square to the plot area.
                let left = max(px, clip.x), top = max(py, clip.y)
                let right = min(px + Float(pen), clip.maxX), bottom = min(py + Float(pen), clip.maxY)
                if left < right, top < bottom {
                    fillRectangle(Rect(x: left, y: top, width: right - left, height: bottom - top), color: color)
                }
            }
            if x == x1, y == y1 { break }
            step += 1
            let doubled = 2 * error
            if doubled >= dy { error += dy; x += sx }
            if doubled <= dx { error += dx; y += sy }
        }
    }
}
