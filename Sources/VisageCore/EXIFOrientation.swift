/// How the stored pixels must be turned to appear upright: the EXIF `Orientation`
/// tag (0x0112), values 1 to 8, named as in Apple's `CGImagePropertyOrientation`.
///
/// Cameras store the sensor's rows as they come and record the rotation here instead
/// of rotating the pixels. Each case names where the stored top row ends up when viewed:
/// ``right`` (6) is a phone held upright, which must be turned 90° clockwise.
public enum EXIFOrientation: Int, Sendable, CaseIterable, Codable {
    case up = 1
    case upMirrored = 2
    case down = 3
    case downMirrored = 4
    case leftMirrored = 5
    case right = 6
    case rightMirrored = 7
    case left = 8

    /// Whether the upright image is the stored one turned a quarter, swapping width and height.
    public var swapsDimensions: Bool { rawValue >= 5 }

    /// The orientation recorded in an image's metadata, ``up`` when there is none or it
    /// cannot be parsed: a broken tag must not make a readable image unreadable.
    ///
    /// Looks in the JPEG APP1 `Exif` segment, the PNG `eXIf` chunk and the WebP `EXIF` chunk.
    static func read(from bytes: [UInt8], format: ImageFormat) -> EXIFOrientation {
        bytes.withUnsafeBufferPointer { buffer in
            let tiff: Range<Int>? =
                switch format {
                case .jpeg: jpegExifRange(buffer)
                case .png: pngExifRange(buffer)
                case .webp: webpExifRange(buffer)
                }
            return tiff.flatMap { orientation(inTIFF: UnsafeBufferPointer(rebasing: buffer[$0])) } ?? .up
        }
    }

    // MARK: Finding the TIFF block

    private static let exifHeader: [UInt8] = Array("Exif".utf8) + [0, 0]

    private static func jpegExifRange(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        var index = 2
        while index + 4 <= bytes.count {
            guard bytes[index] == 0xFF else { return nil }
            let marker = bytes[index + 1]
            if marker == 0xFF {  // fill byte before a marker
                index += 1
                continue
            }
            // Markers without a length field: TEM and the restart markers.
            if marker == 0x01 || (0xD0...0xD7).contains(marker) {
                index += 2
                continue
            }
            // Metadata segments all come before the first scan.
            if marker == 0xDA || marker == 0xD9 { return nil }
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            let body = index + 4
            let end = index + 2 + length
            guard length >= 2, end <= bytes.count else { return nil }
            if marker == 0xE1, end - body >= exifHeader.count,
                bytes[body..<body + exifHeader.count].elementsEqual(exifHeader)
            {
                return body + exifHeader.count..<end
            }
            index = end
        }
        return nil
    }

    private static func pngExifRange(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        var index = 8
        while index + 8 <= bytes.count {
            let length = Int(readUInt32(bytes, at: index, bigEndian: true))
            let body = index + 8
            guard length <= bytes.count - body else { return nil }
            let type = bytes[index + 4..<index + 8]
            if type.elementsEqual("eXIf".utf8) { return body..<body + length }
            if type.elementsEqual("IEND".utf8) { return nil }
            index = body + length + 4  // skip the CRC
        }
        return nil
    }

    private static func webpExifRange(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        var index = 12
        while index + 8 <= bytes.count {
            let length = Int(readUInt32(bytes, at: index + 4, bigEndian: false))
            let body = index + 8
            guard length <= bytes.count - body else { return nil }
            if bytes[index..<index + 4].elementsEqual("EXIF".utf8) {
                // Some writers keep the JPEG-style "Exif\0\0" prefix inside the chunk.
                if length >= exifHeader.count, bytes[body..<body + exifHeader.count].elementsEqual(exifHeader) {
                    return body + exifHeader.count..<body + length
                }
                return body..<body + length
            }
            index = body + length + (length & 1)  // chunks are padded to even sizes
        }
        return nil
    }

    // MARK: Reading IFD0

    private static func orientation(inTIFF tiff: UnsafeBufferPointer<UInt8>) -> EXIFOrientation? {
        guard tiff.count >= 8 else { return nil }
        let bigEndian: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): bigEndian = false  // "II", Intel
        case (0x4D, 0x4D): bigEndian = true  // "MM", Motorola
        default: return nil
        }
        guard readUInt16(tiff, at: 2, bigEndian: bigEndian) == 42 else { return nil }
        let ifd = Int(readUInt32(tiff, at: 4, bigEndian: bigEndian))
        guard ifd <= tiff.count - 2 else { return nil }
        let entries = Int(readUInt16(tiff, at: ifd, bigEndian: bigEndian))
        for entry in 0..<entries {
            let offset = ifd + 2 + entry * 12
            guard offset <= tiff.count - 12 else { return nil }
            guard readUInt16(tiff, at: offset, bigEndian: bigEndian) == 0x0112 else { continue }
            // The standard says SHORT (type 3), held in the first two bytes of the value
            // field; a few writers use LONG (type 4), which fills all four.
            switch readUInt16(tiff, at: offset + 2, bigEndian: bigEndian) {
            case 3: return EXIFOrientation(rawValue: Int(readUInt16(tiff, at: offset + 8, bigEndian: bigEndian)))
            case 4: return EXIFOrientation(rawValue: Int(readUInt32(tiff, at: offset + 8, bigEndian: bigEndian)))
            default: return nil
            }
        }
        return nil
    }

    private static func readUInt16(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, bigEndian: Bool) -> UInt16 {
        let first = UInt16(bytes[offset]), second = UInt16(bytes[offset + 1])
        return bigEndian ? first << 8 | second : second << 8 | first
    }

    private static func readUInt32(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, bigEndian: Bool) -> UInt32 {
        let first = UInt32(readUInt16(bytes, at: offset, bigEndian: bigEndian))
        let second = UInt32(readUInt16(bytes, at: offset + 2, bigEndian: bigEndian))
        return bigEndian ? first << 16 | second : second << 16 | first
    }
}
