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
                let from = source.baseAddress!, to = target.baseAddress!
                var written = 0
                for y in 0..<outputHeight {
                    var index = start + y * stepY
                    for _ in 0..<outputWidth {
                        let pixel = from + index * 3
                        to[written] = pixel[0]
                        to[written + 1] = pixel[1]
                        to[written + 2] = pixel[2]
                        written += 3
                        index += stepX
                    }
                }
            }
            initialized = count
        }
        return Image(uncheckedWidth: outputWidth, height: outputHeight, pixels: output)
    }
}
