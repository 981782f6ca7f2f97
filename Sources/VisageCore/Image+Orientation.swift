/// One RGB pixel: moving whole 3-byte pixels, not single bytes, lets the compiler emit one copy per pixel.
private typealias Pixel = (UInt8, UInt8, UInt8)

extension Image {
    /// The image turned and/or mirrored so that stored pixels tagged with `orientation`
    /// appear upright; `.up` returns the image unchanged.
    ///
    /// Decoding already does this unless ``ImageDecodingOptions/appliesOrientation`` is false.
    public func applyingOrientation(_ orientation: EXIFOrientation) -> Image {
        if orientation == .up { return self }
        let (outputWidth, outputHeight) = orientation.swapsDimensions ? (height, width) : (width, height)
        // Every orientation maps output pixel (x, y) to source pixel
        // `start + x * stepX + y * stepY` (in pixels), so one loop serves all eight.
        let last = width * height - 1
        let (start, stepX, stepY): (Int, Int, Int) =
            switch orientation {
            case .up: (0, 1, width)
            case .upMirrored: (width - 1, -1, width)
            case .down: (last, -1, -width)
            case .downMirrored: ((height - 1) * width, 1, -width)
            case .leftMirrored: (0, width, 1)
            case .right: ((height - 1) * width, -width, 1)
            case .rightMirrored: (last, -width, -1)
            case .left: (width - 1, width, -1)
            }
        let count = pixels.count
        let output = [UInt8](unsafeUninitializedCapacity: count) { target, initialized in
            pixels.withUnsafeBufferPointer { source in
                let pixelCount = count / 3
                source.baseAddress!.withMemoryRebound(to: Pixel.self, capacity: pixelCount) { from in
                    target.baseAddress!.withMemoryRebound(to: Pixel.self, capacity: pixelCount) { to in
                        if stepX == 1 {
                            // Rows stay rows, in order: a vertical flip is one block copy per row.
                            for y in 0..<outputHeight {
                                (to + y * outputWidth).update(from: from + (start + y * stepY), count: outputWidth)
                            }
                        } else if stepX == -1 {
                            for y in 0..<outputHeight {
                                let row = to + y * outputWidth, last = from + (start + y * stepY)
                                for x in 0..<outputWidth { row[x] = last[-x] }
                            }
                        } else {
                            remapInTiles(from: from, to: to, width: outputWidth, height: outputHeight, start: start, stepX: stepX, stepY: stepY)
                        }
                    }
                }
            }
            initialized = count
        }
        return Image(uncheckedWidth: outputWidth, height: outputHeight, pixels: output)
    }

    /// Quarter turns read the source down its columns; working in small square tiles
    /// keeps those reads within a few cache lines instead of one line per pixel.
    private func remapInTiles(
        from: UnsafePointer<Pixel>, to: UnsafeMutablePointer<Pixel>, width: Int, height: Int, start: Int, stepX: Int, stepY: Int
    ) {
        let tile = 32
        for tileY in stride(from: 0, to: height, by: tile) {
            for tileX in stride(from: 0, to: width, by: tile) {
                let columns = min(tile, width - tileX)
                for y in tileY..<min(tileY + tile, height) {
                    var index = start &+ y &* stepY &+ tileX &* stepX
                    let row = to + (y * width + tileX)
                    for x in 0..<columns {
                        row[x] = from[index]
                        index &+= stepX
                    }
                }
            }
        }
    }
}
