/// Crafted JPEGs that attack the decoder rather than hold a picture, built at run time so that
/// no such file sits in the repository.
public enum HostileJPEG {
    /// A grey progressive JPEG of `width`×`height` with one DC scan and then `acScans` AC scans
    /// of a few bytes each: every block ends at once in an end-of-band run of up to 32,767
    /// blocks, yet libjpeg walks every block of the image again for each scan. About
    /// 20 + 2 × blocks ÷ 32,767 bytes a scan, so a 49 MP picture with 600 scans is 141 kB.
    public static func manyScans(width: Int, height: Int, acScans: Int) -> [UInt8] {
        precondition((1...65_535).contains(width) && (1...65_535).contains(height) && acScans >= 0)
        var writer = BitWriter()
        func marker(_ code: UInt8, _ payload: [UInt8]) {
            writer.bytes += [0xFF, code, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
        }
        func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
        let blocks = ((width + 7) / 8) * ((height + 7) / 8)
        writer.bytes = [0xFF, 0xD8]
        marker(0xDB, [0] + [UInt8](repeating: 1, count: 64))                              // one quantisation table, all 1
        marker(0xC2, [8] + be16(height) + be16(width) + [1, 1, 0x11, 0])                 // progressive frame, one component
        marker(0xC4, [0x00, 1] + [UInt8](repeating: 0, count: 15) + [0x00])              // DC: one 1-bit code, "no change"
        marker(0xC4, [0x10, 1] + [UInt8](repeating: 0, count: 15) + [0xE0])              // AC: one 1-bit code, EOB14 (a run of 16,384 + 14 bits)
        marker(0xDA, [1, 1, 0x00, 0, 0, 0])                                              // DC first scan
        for _ in 0..<blocks { writer.write(0, bits: 1) }
        writer.padWithOnes()
        for _ in 0..<acScans {
            marker(0xDA, [1, 1, 0x00, 1, 63, 0])                                         // AC first scan, coefficients 1…63
            var left = blocks
            while left > 0 {
                writer.write(0, bits: 1)
                writer.write(0x3FFF, bits: 14)                                           // 16,384 + 16,383 blocks end here
                left -= 32_767
            }
            writer.padWithOnes()
        }
        writer.bytes += [0xFF, 0xD9]
        return writer.bytes
    }

    /// Entropy-coded bits, most significant first, with a 0x00 stuffed after each 0xFF.
    private struct BitWriter {
        var bytes: [UInt8] = []
        private var accumulator: UInt32 = 0
        private var count = 0

        mutating func write(_ value: UInt32, bits: Int) {
            for shift in stride(from: bits - 1, through: 0, by: -1) {
                accumulator = (accumulator << 1) | ((value >> UInt32(shift)) & 1)
                count += 1
                if count == 8 {
                    bytes.append(UInt8(accumulator))
                    if accumulator == 0xFF { bytes.append(0) }
                    accumulator = 0
                    count = 0
                }
            }
        }

        mutating func padWithOnes() {
            while count != 0 { write(1, bits: 1) }
        }
    }
}
