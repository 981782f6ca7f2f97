import Foundation
import Testing
import VisageTestSupport
import VisageCore

/// Encoding round-trips: PNG exactly, JPEG within a stated PSNR.
struct ImageEncodingTests {
    @Test func pngRoundTripsExactly() throws {
        let original = try Image(contentsOf: Fixtures.sample("t1.jpg"))
        let png = try original.pngData()
        #expect(png.starts(with: PNGBuilder.signature))
        #expect(try Image(data: png) == original)
    }

    @Test func pngRoundTripsOnePixel() throws {
        let pixel = try Image(width: 1, height: 1, pixels: [1, 2, 3])
        #expect(try Image(data: pixel.pngData()) == pixel)
    }

    /// Re-encoding an already-JPEG photo at quality 90 stays above 40 dB (measured: 49.4 dB
    /// for t1.jpg with libjpeg-turbo 2.1); lower quality makes smaller files.
    @Test func jpegRoundTripsWithinTolerance() throws {
        let original = try Image(contentsOf: Fixtures.sample("t1.jpg"))
        let jpeg = try original.jpegData()
        let decoded = try Image(data: jpeg)
        #expect(decoded.width == original.width && decoded.height == original.height)
        #expect(PixelMetrics.psnr(decoded, original) > 40)

        let small = try original.jpegData(quality: 30)
        #expect(small.count < jpeg.count)
        #expect(PixelMetrics.psnr(try Image(data: small), original) > 28)
    }

    @Test(arguments: [-5, 0, 1, 100, 1000])
    func jpegQualityIsClamped(quality: Int) throws {
        let image = Image(width: 16, height: 8, color: .orange)
        let decoded = try Image(data: image.jpegData(quality: quality))
        #expect(decoded.width == 16 && decoded.height == 8)
    }

    @Test(arguments: ["out.jpg", "out.JPEG", "out.png", "out.Png"])
    func writeChoosesFormatByExtension(name: String) throws {
        let folder = try TemporaryDirectory()
        let image = try Image(contentsOf: Fixtures.sample("Tom_Hanks_54745.png"))
        let path = folder.path + "/" + name
        try image.write(to: path)
        let info = try Image.probe(path: path)
        #expect(info.format == (name.lowercased().hasSuffix("png") ? .png : .jpeg))
        #expect(info.width == 112 && info.height == 112)
        if info.format == .png { #expect(try Image(contentsOf: path) == image) }
    }

    @Test(arguments: ["out.bmp", "out.webp", "out", "dir.png/out"])
    func writeRefusesOtherExtensions(name: String) throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/" + name
        let error = try #require(throws: ImageError.self) { try Image(width: 2, height: 2).write(to: path) }
        guard case let .unsupportedFormat(source, detail) = error else {
            Issue.record("expected unsupportedFormat, got \(error)")
            return
        }
        #expect(source == path)
        #expect(detail.contains(".jpg, .jpeg or .png"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func writeIntoMissingFolderIsUnwritable() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/missing/out.png"
        #expect(throws: ImageError.unwritable(destination: path, reason: "No such file or directory")) {
            try Image(width: 2, height: 2).write(to: path)
        }
    }

    @Test func jpegRefusesSidesLibjpegCannotStore() throws {
        let wide = Image(width: 70_000, height: 1)
        let error = try #require(throws: ImageError.self) { try wide.jpegData() }
        guard case .encodingFailed(.jpeg, _) = error else {
            Issue.record("expected encodingFailed, got \(error)")
            return
        }
        #expect(try Image(data: wide.pngData()) == wide)
    }
}
