/// Finds and patches JPEG segments, to make hostile twins of real photos.
enum JPEGSurgery {
    /// Offset of the first marker of `kind` (such as SOF0 0xC0 or SOS 0xDA), scanning segments from SOI.
    static func markerOffset(_ jpeg: [UInt8], where kind: (UInt8) -> Bool) -> Int? {
        var index = 2
        while index + 4 <= jpeg.count, jpeg[index] == 0xFF {
            let marker = jpeg[index + 1]
            if kind(marker) { return index }
            index += 2 + (Int(jpeg[index + 2]) << 8 | Int(jpeg[index + 3]))
        }
        return nil
    }

    /// `jpeg` with its frame header claiming `width` × `height`.
    static func withDimensions(_ jpeg: [UInt8], width: Int, height: Int) -> [UInt8]? {
        // SOF0 to SOF15, less DHT (C4), JPG (C8) and DAC (CC), which share the range.
        guard let sof = markerOffset(jpeg, where: { (0xC0...0xCF).contains($0) && ![0xC4, 0xC8, 0xCC].contains($0) }) else {
            return nil
        }
        var patched = jpeg
        // FF Cn, length (2), precision (1), height (2), width (2).
        patched[sof + 5] = UInt8(height >> 8)
        patched[sof + 6] = UInt8(height & 0xFF)
        patched[sof + 7] = UInt8(width >> 8)
        patched[sof + 8] = UInt8(width & 0xFF)
        return patched
    }
}
