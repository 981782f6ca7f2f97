import VisageCore

/// Builds PNG files byte by byte, so tests can make every colour type and bit depth,
/// and malformed headers, without an encoder. Image data is stored uncompressed
/// (deflate "stored" blocks), which every inflater accepts.
enum PNGBuilder {
    enum ColorType: UInt8 {
        case grey = 0
        case rgb = 2
        case palette = 3
        case greyAlpha = 4
        case rgba = 6
    }

    /// A PNG of unfiltered `rows` (raw samples, big-endian when 16-bit).
    static func png(
        width: Int, height: Int, bitDepth: UInt8 = 8, colorType: ColorType, rows: [[UInt8]],
        palette: [RGB]? = nil, chunksBeforeData: [(String, [UInt8])] = []
    ) -> [UInt8] {
        var data: [UInt8] = []
        for row in rows { data += [0] + row }  // filter type 0 per row
        var chunks: [(String, [UInt8])] = [("IHDR", header(width: width, height: height, bitDepth: bitDepth, colorType: colorType))]
        if let palette { chunks.append(("PLTE", palette.flatMap { [$0.r, $0.g, $0.b] })) }
        chunks += chunksBeforeData
        chunks += [("IDAT", zlibStored(data)), ("IEND", [])]
        return file(chunks)
    }

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static func header(width: Int, height: Int, bitDepth: UInt8 = 8, colorType: ColorType) -> [UInt8] {
        bigEndian32(UInt32(width)) + bigEndian32(UInt32(height)) + [bitDepth, colorType.rawValue, 0, 0, 0]
    }

    static func file(_ chunks: [(String, [UInt8])]) -> [UInt8] {
        signature + chunks.flatMap { chunk($0.0, $0.1) }
    }

    static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        return bigEndian32(UInt32(body.count)) + typed + bigEndian32(crc32(typed))
    }

    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var output: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let end = min(start + 65_535, data.count)
            let length = UInt16(end - start)
            output.append(end == data.count ? 1 : 0)
            output += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            output += data[start..<end]
            start = end
        } while start < data.count
        return output + bigEndian32(adler32(data))
    }

    static func bigEndian32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return b << 16 | a
    }
}
