/// A point in image pixels (x to the right, y down), after EXIF orientation.
public struct Point: Sendable, Hashable, Codable {
    public var x: Float
    public var y: Float

    public init(x: Float, y: Float) {
        self.x = x
        self.y = y
    }
}

/// An axis-aligned rectangle in image pixels: top-left corner, width and height.
public struct Rect: Sendable, Hashable, Codable {
    public var x: Float
    public var y: Float
    public var width: Float
    public var height: Float

    public init(x: Float, y: Float, width: Float, height: Float) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var area: Float { max(0, width) * max(0, height) }
    public var maxX: Float { x + width }
    public var maxY: Float { y + height }
    public var center: Point { Point(x: x + width / 2, y: y + height / 2) }

    /// Intersection over union, 0 when the rectangles do not overlap.
    public func iou(_ other: Rect) -> Float {
        let w = min(maxX, other.maxX) - max(x, other.x)
        let h = min(maxY, other.maxY) - max(y, other.y)
        guard w > 0, h > 0 else { return 0 }
        let inter = w * h
        return inter / (area + other.area - inter)
    }
}
