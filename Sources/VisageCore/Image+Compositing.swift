extension Image {
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
