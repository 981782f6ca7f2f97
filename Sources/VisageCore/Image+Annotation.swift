/// Boxes with a label, as `visage analyze --annotate` and `visage video analyze --annotate` draw
/// them: line and text sizes that follow the picture, so labels stay legible on large photos.
extension Image {
    /// The line thickness annotations use on a `width`×`height` picture.
    public static func annotationThickness(width: Int, height: Int) -> Int { max(2, min(width, height) / 300) }

    /// The text scale annotations use on a `width`×`height` picture.
    public static func annotationTextScale(width: Int, height: Int) -> Int { max(1, min(width, height) / 400) }

    /// A rectangle around `box` and `label` in black on `color` above it when there is room,
    /// else below, shifted left to stay in the picture.
    public mutating func drawLabelledBox(_ box: Rect, label: String, color: RGB, thickness: Int, textScale: Int) {
        drawRectangle(box, color: color, thickness: thickness)
        drawLabel(label, over: box, color: color, textScale: textScale)
    }

    /// `label` in black on `color` above `box` when there is room, else below, shifted left to
    /// stay in the picture.
    public mutating func drawLabel(_ label: String, over box: Rect, color: RGB, textScale: Int) {
        let size = Image.textSize(label, scale: textScale)
        let above = box.y - Float(size.height + 2)
        let x = max(0, min(box.x, Float(width - size.width)))
        drawText(label, at: Point(x: x, y: above >= 0 ? above : box.maxY + 2), color: .black, background: color, scale: textScale)
    }
}
