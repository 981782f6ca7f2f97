import Testing
import VisageTestSupport
import VisageCore

/// `Image.probe` reads format, size and orientation from headers alone.
struct ImageInfoTests {
    @Test func probesJPEG() throws {
        let info = try Image.probe(path: Fixtures.sample("t1.jpg"))
        #expect(info == ImageInfo(format: .jpeg, width: 1280, height: 886, orientation: .up))
    }

    @Test func probesPNG() throws {
        let info = try Image.probe(path: Fixtures.sample("Tom_Hanks_54745.png"))
        #expect(info == ImageInfo(format: .png, width: 112, height: 112, orientation: .up))
    }

    @Test func probesWebP() throws {
        let image = try Image(contentsOf: Fixtures.sample("mask_green.jpg"))
        let webp = ReferenceEncoders.webp(rgb: image.pixels, width: image.width, height: image.height, lossless: false)
        #expect(try Image.probe(data: webp) == ImageInfo(format: .webp, width: 189, height: 107, orientation: .up))
    }

    @Test func reportsUprightSizeForRotatedPhotos() throws {
        let bytes = ExifBuilder.jpeg(try Fixtures.sampleBytes("t1.jpg"), orientation: 8, bigEndian: true)
        let info = try Image.probe(data: bytes)
        #expect(info.orientation == .left)
        #expect(info.width == 1280 && info.height == 886)
        #expect(info.uprightWidth == 886 && info.uprightHeight == 1280)
    }

    @Test func probeReportsHugeHeadersWithoutDecoding() throws {
        let png = PNGBuilder.file([
            ("IHDR", PNGBuilder.header(width: 60_000, height: 60_000, colorType: .rgb)),
            ("IDAT", PNGBuilder.zlibStored([0])), ("IEND", []),
        ])
        #expect(try Image.probe(data: png) == ImageInfo(format: .png, width: 60_000, height: 60_000, orientation: .up))
    }

    @Test func probeRejectsWhatDecodingRejects() throws {
        #expect(throws: ImageError.empty(source: "nothing")) { try Image.probe(data: [], source: "nothing") }
        let gif = Array("GIF89a".utf8) + [1, 0, 1, 0]
        #expect(throws: ImageError.self) { try Image.probe(data: gif) }
        let jpegStart = Array(try Fixtures.sampleBytes("t1.jpg").prefix(40))
        let error = try #require(throws: ImageError.self) { try Image.probe(data: jpegStart, source: "stub") }
        #expect(error == .corrupt(source: "stub", reason: "JPEG: Premature end of JPEG file"))
    }
}
