import Foundation
import VisageTestSupport

/// What the library's tests add to the shared fixtures: URLs, and EXIF surgery.
extension Fixtures {
    /// ``Fixtures/dataDirectory`` as a URL.
    static var dataURL: URL? { dataDirectory.map { URL(fileURLWithPath: $0) } }

    /// A new scratch folder as a URL, removed when the test process exits.
    static func temporaryURL() throws -> URL { URL(fileURLWithPath: try temporaryDirectory()) }

    /// JPEG bytes with an APP1 Exif segment carrying `orientation` inserted right after SOI.
    static func withEXIFOrientation(_ jpeg: [UInt8], _ orientation: UInt16) -> [UInt8] {
        // Big-endian TIFF with one IFD entry: tag 0x0112 (Orientation), type SHORT, count 1.
        let tiff: [UInt8] = [0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08,
                             0x00, 0x01,
                             0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, UInt8(orientation >> 8), UInt8(orientation & 0xFF), 0x00, 0x00,
                             0x00, 0x00, 0x00, 0x00]
        let payload: [UInt8] = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        let segment: [UInt8] = [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        return Array(jpeg[0..<2]) + segment + Array(jpeg[2...])
    }
}
