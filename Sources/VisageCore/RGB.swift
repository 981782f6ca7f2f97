/// A colour as 8-bit red, green and blue, the channel order ``Image`` stores.
///
/// ```swift
/// image.drawRectangle(box, color: .green, thickness: 2)
/// image.drawDot(at: eye, radius: 2, color: RGB(r: 255, g: 128, b: 0))
/// ```
public struct RGB: Sendable, Hashable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(r: UInt8, g: UInt8, b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// BT.601 luma, 0–255: `0.299 R + 0.587 G + 0.114 B` (what `meanLuma(in:)` averages).
    public var luma: Float { 0.299 * Float(r) + 0.587 * Float(g) + 0.114 * Float(b) }

    public static let black = RGB(r: 0, g: 0, b: 0)
    public static let white = RGB(r: 255, g: 255, b: 255)
    public static let red = RGB(r: 255, g: 0, b: 0)
    public static let green = RGB(r: 0, g: 255, b: 0)
    public static let blue = RGB(r: 0, g: 0, b: 255)
    public static let yellow = RGB(r: 255, g: 255, b: 0)
    public static let cyan = RGB(r: 0, g: 255, b: 255)
    public static let magenta = RGB(r: 255, g: 0, b: 255)
    public static let orange = RGB(r: 255, g: 165, b: 0)
}
