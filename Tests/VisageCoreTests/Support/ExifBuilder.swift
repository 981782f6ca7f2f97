/// Minimal EXIF blocks holding one Orientation tag, and ways to splice them into files,
/// so every orientation and both byte orders can be tested on real photos.
enum ExifBuilder {
    static func tiff(orientation: Int, bigEndian: Bool) -> [UInt8] {
        func u16(_ value: Int) -> [UInt8] {
            bigEndian ? [UInt8(value >> 8), UInt8(value & 0xFF)] : [UInt8(value & 0xFF), UInt8(value >> 8)]
        }
        func u32(_ value: Int) -> [UInt8] {
            bigEndian ? u16(value >> 16) + u16(value & 0xFFFF) : u16(value & 0xFFFF) + u16(value >> 16)
        }
        let byteOrder: [UInt8] = bigEndian ? [0x4D, 0x4D] : [0x49, 0x49]
        return byteOrder + u16(42) + u32(8)  // header; IFD0 follows at offset 8
            + u16(1)  // one entry
            + u16(0x0112) + u16(3) + u32(1) + u16(orientation) + u16(0)  // Orientation, SHORT, count 1
            + u32(0)  // no next IFD
    }

    /// `jpeg` with an APP1 Exif segment inserted right after its SOI marker.
    static func jpeg(_ jpeg: [UInt8], orientation: Int, bigEndian: Bool) -> [UInt8] {
        let segment = Array("Exif".utf8) + [0, 0] + tiff(orientation: orientation, bigEndian: bigEndian)
        let length = segment.count + 2
        return [0xFF, 0xD8, 0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + segment + jpeg[2...]
    }
}
