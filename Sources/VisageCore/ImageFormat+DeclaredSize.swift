extension ImageFormat {
    /// Width and height as the file's header declares them, read without any decoder, or nil
    /// when the header does not say (yet).
    ///
    /// The pixel limit must hold before a decoder runs: libpng reads every chunk up to the
    /// image data before it reports IHDR, and libjpeg up to the first scan, so a hostile
    /// header followed by junk would otherwise be reported as damaged rather than as too
    /// large — or, with enough plausible data, be allocated.
    func declaredSize(_ bytes: UnsafeBufferPointer<UInt8>) -> (width: Int, height: Int)? {
        switch self {
        case .png: Self.pngSize(bytes)
        case .jpeg: Self.jpegSize(bytes)
        case .webp: nil  // libwebp's header parse (WebPGetInfo) is already header-only.
        }
    }

    private static func bigEndian(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ count: Int) -> Int {
        var value = 0
        for i in 0..<count { value = value << 8 | Int(b[at + i]) }
        return value
    }

    /// IHDR is the first chunk by the PNG specification: width and height at bytes 16–23.
    private static func pngSize(_ b: UnsafeBufferPointer<UInt8>) -> (width: Int, height: Int)? {
        guard b.count >= 24, b[12] == 0x49, b[13] == 0x48, b[14] == 0x44, b[15] == 0x52 else { return nil }
        return (bigEndian(b, 16, 4), bigEndian(b, 20, 4))
    }

    private static func jpegSize(_ b: UnsafeBufferPointer<UInt8>) -> (width: Int, height: Int)? {
        guard let i = jpegFrameHeader(b), i + 9 <= b.count else { return nil }
        return (bigEndian(b, i + 7, 2), bigEndian(b, i + 5, 2))
    }

    /// Whether the JPEG's frame is progressive (SOF2, SOF6, SOF10, SOF14): every scan then
    /// covers the whole picture, so any decode, reduced or of one region, entropy-decodes all of it.
    static func jpegIsProgressive(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let i = jpegFrameHeader(b) else { return false }
        return [0xC2, 0xC6, 0xCA, 0xCE].contains(b[i + 1])
    }

    /// Walks the marker segments to the first start-of-frame (SOF0–SOF15 except DHT, JPG, DAC)
    /// and returns the offset of its 0xFF.
    private static func jpegFrameHeader(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 2
        while i + 4 <= b.count {
            guard b[i] == 0xFF else { return nil }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }  // fill byte
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 { i += 2; continue }
            let length = bigEndian(b, i + 2, 2)
            guard length >= 2 else { return nil }
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) { return i }
            if marker == 0xDA || marker == 0xD9 { return nil }  // scan before any frame header
            i += 2 + length
        }
        return nil
    }
}
