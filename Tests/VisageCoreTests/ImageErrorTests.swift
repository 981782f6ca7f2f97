import Foundation
import Testing
import VisageTestSupport
@testable import VisageCore
import CWebP

/// Every bad input ends in its own ``ImageError`` case: no crash, no hang, no grey-filled
/// image, no giant allocation.
struct ImageErrorTests {
    // MARK: Files that cannot be read

    @Test func missingFileIsUnreadable() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/nope.jpg"
        #expect(throws: ImageError.unreadable(source: path, reason: "No such file or directory")) {
            try Image(contentsOf: path)
        }
    }

    /// A file whose name holds a byte that is not UTF-8 (a Latin-1 "é" from an old archive) is
    /// listed with U+FFFD in its place, and that name does not open it: the error says so
    /// rather than "No such file or directory".
    @Test func fileNamedInAnotherEncodingSaysSo() throws {
        let folder = try TemporaryDirectory()
        let bytes = Array((folder.path + "/caf").utf8) + [0xE9] + Array(".jpg".utf8) + [0]
        let descriptor = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { open($0, O_WRONLY | O_CREAT, 0o644) }
        }
        try #require(descriptor >= 0)
        close(descriptor)
        let listed = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        try #require(listed == ["caf\u{FFFD}.jpg"])
        let path = folder.path + "/" + listed[0]
        let error = #expect(throws: ImageError.self) { try Image(contentsOf: path) }
        guard case let .unreadable(source, reason)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(source == path)
        #expect(reason.contains("not valid UTF-8"))
        // A missing file is still just missing.
        #expect(throws: ImageError.unreadable(source: folder.path + "/gone.jpg", reason: "No such file or directory")) {
            try Image(contentsOf: folder.path + "/gone.jpg")
        }
    }

    @Test func directoryIsUnreadable() throws {
        let folder = try TemporaryDirectory()
        #expect(throws: ImageError.unreadable(source: folder.path, reason: "it is a folder, not a file")) {
            try Image(contentsOf: folder.path)
        }
    }

    @Test func deviceIsRefusedRatherThanReadForever() {
        #expect(throws: ImageError.unreadable(source: "/dev/zero", reason: "it is not a regular file")) {
            try Image(contentsOf: "/dev/zero")
        }
    }

    /// Opening a named pipe for reading waits for a writer: `visage detect` on a folder holding
    /// one hung for good. It is refused at once, the files beside it are still read.
    @Test func namedPipeIsRefusedWithoutWaitingForAWriter() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/pipe.jpg"
        #expect(mkfifo(path, 0o644) == 0)
        #expect(throws: ImageError.unreadable(source: path, reason: "it is a named pipe (FIFO), not a regular file")) {
            try Image(contentsOf: path)
        }
        #expect(throws: ImageError.unreadable(source: path, reason: "it is a named pipe (FIFO), not a regular file")) {
            try Image.probe(path: path)
        }
    }

    @Test(.disabled(if: getuid() == 0, "root may read any file, so permissions cannot be tested"))
    func fileWithoutPermissionIsUnreadable() throws {
        let folder = try TemporaryDirectory()
        let path = try folder.file("secret.jpg", Fixtures.sampleBytes("t1.jpg"))
        chmod(path, 0)
        #expect(throws: ImageError.unreadable(source: path, reason: "Permission denied")) {
            try Image(contentsOf: path)
        }
    }

    /// A file over 1 GiB is refused before it is read (a sparse file here, so the test writes
    /// nothing to disk): reading a 3 GB one whole took 10 s and 3.2 GB of memory before, and a
    /// larger one could take the machine's. One that is no image is refused from its first bytes.
    @Test func hugeFilesAreRefusedUnread() throws {
        let folder = try TemporaryDirectory()
        let jpeg = try folder.file("huge.jpg", [0xFF, 0xD8, 0xFF, 0xE0])
        let video = try folder.file("huge-video.jpg", [0, 0, 0, 0x20] + Array("ftypisom".utf8))
        for path in [jpeg, video] { #expect(truncate(path, 3 << 30) == 0) }
        #expect(throws: ImageError.fileTooLarge(source: jpeg, bytes: 3 << 30, limit: 1 << 30)) { try Image(contentsOf: jpeg) }
        #expect(throws: ImageError.fileTooLarge(source: jpeg, bytes: 3 << 30, limit: 1 << 30)) { try Image.probe(path: jpeg) }
        let error = try #require(throws: ImageError.self) { try Image(contentsOf: video) }
        guard case let .unsupportedFormat(source, detail) = error else { Issue.record("expected unsupportedFormat, got \(error)"); return }
        #expect(source == video && detail.contains("MP4"), "\(detail)")
        #expect(ImageError.fileTooLarge(source: jpeg, bytes: 3 << 30, limit: 1 << 30).errorDescription?.contains("3072 MiB") == true)
    }

    @Test func zeroByteFileIsEmpty() throws {
        let folder = try TemporaryDirectory()
        let path = try folder.file("empty.jpg", [])
        #expect(throws: ImageError.empty(source: path)) { try Image(contentsOf: path) }
        #expect(throws: ImageError.empty(source: "upload")) { try Image(data: [], source: "upload") }
    }

    // MARK: Not an image we decode

    @Test(arguments: [
        ("text", Array("Hello, this is not a photo.\n".utf8), "text"),
        ("gif", Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0, 0], "GIF"),
        ("bmp", Array("BM".utf8) + [UInt8](repeating: 0, count: 52), "BMP"),
        ("heic", [0, 0, 0, 24] + Array("ftypheic".utf8) + [UInt8](repeating: 0, count: 12), "HEIC"),
        ("tiff", [0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0], "TIFF"),
        ("binary", [0x00, 0x01, 0x02, 0x03, 0xFE], "00 01 02 03"),
    ])
    func unknownBytesAreUnsupported(name: String, bytes: [UInt8], mentions: String) throws {
        let folder = try TemporaryDirectory()
        let path = try folder.file(name + ".jpg", bytes)
        let error = try #require(throws: ImageError.self) { try Image(contentsOf: path) }
        guard case let .unsupportedFormat(source, detail) = error else {
            Issue.record("expected unsupportedFormat, got \(error)")
            return
        }
        #expect(source == path)
        #expect(detail.contains(mentions), "\(detail)")
        #expect(error.errorDescription?.contains("JPEG, PNG and WebP") == true)
    }

    // MARK: Truncated and damaged data

    /// A file whose first bytes are one of our formats' with a byte or two changed is reported
    /// as damaged (re-copy it), not as a format to convert from.
    @Test(arguments: [
        ("Tom_Hanks_54745.png", 4, [0x0A, 0x1A, 0x0A] as [UInt8], 8, "line-ending bytes"),
        ("Tom_Hanks_54745.png", 4, [0x0D, 0x0A, 0x1A, 0x0D, 0x0A], 8, "line-ending bytes"),
        ("Tom_Hanks_54745.png", 6, [0x00], 7, "PNG: its 8-byte signature is damaged"),
        ("Tom_Hanks_54745.png", 0, [0x00, 0x00], 2, "PNG: its 8-byte signature is damaged"),
        ("t1.jpg", 2, [0xE8], 3, "JPEG: its first markers are damaged"),
        ("t1.jpg", 0, [0xFF, 0xE9], 2, "JPEG: its first markers are damaged"),
        ("webp", 8, Array("WEBQ".utf8), 12, "WebP: its RIFF header is damaged"),
        ("webp", 0, Array("RIFX".utf8), 4, "WebP: its RIFF header is damaged"),
    ])
    func damagedSignatureIsCorruptNotUnsupported(name: String, at offset: Int, replacement: [UInt8], upTo end: Int, mentions: String) throws {
        var bytes: [UInt8]
        if name == "webp" {
            let original = try Image(contentsOf: Fixtures.sample("mask_green.jpg"))
            bytes = ReferenceEncoders.webp(rgb: original.pixels, width: original.width, height: original.height, lossless: false)
        } else {
            bytes = try Fixtures.sampleBytes(name)
        }
        bytes.replaceSubrange(offset..<end, with: replacement)
        let error = try #require(throws: ImageError.self) { try Image(data: bytes, source: name) }
        guard case let .corrupt(source, reason) = error else {
            Issue.record("expected corrupt, got \(error)")
            return
        }
        #expect(source == name)
        #expect(reason.contains(mentions), "\(reason)")
        #expect(error.errorDescription?.contains("Re-copy") == true)
    }

    static let truncationFractions = [0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99]

    @Test(arguments: ["t1.jpg", "mask_black.jpg", "mask_white.jpg", "Tom_Hanks_54745.png"])
    func truncatedFileIsCorruptNotGrey(_ name: String) throws {
        let bytes = try Fixtures.sampleBytes(name)
        for fraction in Self.truncationFractions {
            let cut = Array(bytes.prefix(Int(Double(bytes.count) * fraction)))
            expectCorrupt(source: "\(name) cut at \(fraction)") { try Image(data: cut, source: "\(name) cut at \(fraction)") }
        }
        // A few bytes short of the end: in the middle of the last Huffman bits or the PNG IEND chunk.
        let nearlyWhole = Array(bytes.dropLast(name.hasSuffix(".png") ? 20 : 5))
        expectCorrupt(source: name) { try Image(data: nearlyWhole, source: name) }
    }

    @Test func truncatedWebPIsCorrupt() throws {
        let original = try Image(contentsOf: Fixtures.sample("mask_green.jpg"))
        let webp = ReferenceEncoders.webp(rgb: original.pixels, width: original.width, height: original.height, lossless: false)
        for fraction in Self.truncationFractions {
            let cut = Array(webp.prefix(Int(Double(webp.count) * fraction)))
            expectCorrupt(source: "webp") { try Image(data: cut, source: "webp") }
        }
    }

    @Test func everyWebPStatusOfADamagedFileIsPutInWords() {
        let statuses = [VP8_STATUS_NOT_ENOUGH_DATA, VP8_STATUS_SUSPENDED, VP8_STATUS_BITSTREAM_ERROR, VP8_STATUS_INVALID_PARAM,
                        VP8_STATUS_OUT_OF_MEMORY, VP8_STATUS_UNSUPPORTED_FEATURE, VP8_STATUS_USER_ABORT]
        for status in statuses {
            #expect(!ImageCodec.webPReason(status).contains("libwebp status"), "status \(status.rawValue)")
        }
        // What a flipped byte in a lossy frame's header gave in a fuzzing run: too few bytes for its partitions.
        #expect(ImageCodec.webPReason(VP8_STATUS_SUSPENDED) == "the data ends early")
    }

    @Test func truncatedFileOnDiskIsCorrupt() throws {
        let folder = try TemporaryDirectory()
        let bytes = try Fixtures.sampleBytes("t1.jpg")
        let path = try folder.file("half.jpg", Array(bytes.prefix(bytes.count / 2)))
        let error = try #require(throws: ImageError.self) { try Image(contentsOf: path) }
        #expect(error == .corrupt(source: path, reason: "JPEG: Corrupt JPEG data: premature end of data segment"))
    }

    @Test func flippedBytesNeverCrash() throws {
        // Deterministic damage: every outcome is fine except a crash, a non-ImageError or a
        // reason in libwebp's numbers rather than words.
        var generator = SplitMix64(seed: 42)
        let green = try Image(contentsOf: Fixtures.sample("mask_green.jpg"))
        let webp = [false, true].map { ReferenceEncoders.webp(rgb: green.pixels, width: green.width, height: green.height, lossless: $0) }
        for (name, bytes) in [("t1.jpg", try Fixtures.sampleBytes("t1.jpg")), ("mask_black.jpg", try Fixtures.sampleBytes("mask_black.jpg")),
                              ("Tom_Hanks_54745.png", try Fixtures.sampleBytes("Tom_Hanks_54745.png")),
                              ("lossy.webp", webp[0]), ("lossless.webp", webp[1])] {
            for _ in 0..<25 {
                var damaged = bytes
                for _ in 0..<8 {
                    damaged[Int(generator.next() % UInt64(damaged.count - 8)) + 8] = UInt8(truncatingIfNeeded: generator.next())
                }
                do {
                    let image = try Image(data: damaged, source: name)
                    #expect(image.pixels.count == image.width * image.height * 3)
                } catch {
                    switch error {
                    case let .corrupt(_, reason): #expect(!reason.contains("libwebp status"), "\(name): \(reason)")
                    case .unsupportedFormat, .tooLarge: break
                    default: Issue.record("\(name): unexpected \(error)")
                    }
                }
            }
        }
    }

    @Test func pngWithBadHeaderChecksumIsCorrupt() {
        var png = PNGBuilder.png(width: 1, height: 1, colorType: .grey, rows: [[0]])
        png[29] ^= 0xFF  // last byte of the IHDR CRC
        expectCorrupt(source: "bad-crc") { try Image(data: png, source: "bad-crc") }
    }

    // MARK: Hostile dimensions

    @Test func pngClaimingHugeDimensionsIsRefusedFromTheHeader() {
        // Signature, IHDR for 60000×60000 RGB, a token IDAT: a few dozen bytes.
        let png = PNGBuilder.file([
            ("IHDR", PNGBuilder.header(width: 60_000, height: 60_000, colorType: .rgb)),
            ("IDAT", PNGBuilder.zlibStored([0, 1, 2, 3])), ("IEND", []),
        ])
        #expect(throws: ImageError.tooLarge(source: "bomb.png", width: 60_000, height: 60_000, limit: 50_000_000)) {
            try Image(data: png, source: "bomb.png")
        }
    }

    @Test func jpegClaimingHugeDimensionsIsRefusedFromTheHeader() throws {
        let bytes = try Fixtures.sampleBytes("t1.jpg")
        func stub(side: Int) throws -> [UInt8] {
            let patched = try #require(JPEGSurgery.withDimensions(bytes, width: side, height: side))
            let scan = try #require(JPEGSurgery.markerOffset(patched) { $0 == 0xDA })
            return Array(patched.prefix(scan + 200))
        }
        #expect(throws: ImageError.tooLarge(source: "bomb.jpg", width: 65_000, height: 65_000, limit: 50_000_000)) {
            try Image(data: stub(side: 65_000), source: "bomb.jpg")
        }
        // Sides libjpeg itself would refuse (over 65500) are caught by the header check first.
        #expect(throws: ImageError.tooLarge(source: "bomb.jpg", width: 65_535, height: 65_535, limit: 50_000_000)) {
            try Image(data: stub(side: 65_535), source: "bomb.jpg")
        }
    }

    @Test func limitComesFromTheOptions() throws {
        let path = try Fixtures.sample("t1.jpg")
        #expect(throws: ImageError.tooLarge(source: path, width: 1280, height: 886, limit: 1_000_000)) {
            try Image(contentsOf: path, options: ImageDecodingOptions(maxPixels: 1_000_000))
        }
        #expect(try Image(contentsOf: path, options: ImageDecodingOptions(maxPixels: 1280 * 886)).width == 1280)
    }

    // MARK: Hostile progressive JPEGs

    /// Each scan of a progressive JPEG makes libjpeg go over every block of the picture again,
    /// and a scan can be a few bytes: a 49 MP file of 141 kB with 600 scans held the decoder
    /// 4.5 s before it was refused at the old limit of 500 (as "damaged or incomplete"), and one
    /// of 20,000 scans for minutes. Decoding stops at the first scan past the limit, quickly,
    /// with an error of its own that names the file. HostileJPEG builds the file at run time.
    @Test func aJPEGOfThousandsOfScansIsRefusedQuickly() throws {
        let jpeg = HostileJPEG.manyScans(width: 4096, height: 4096, acScans: 10_000)  // 280 kB, ~26 s to decode whole here
        for options in [ImageDecodingOptions(), ImageDecodingOptions(reduction: 8),
                        ImageDecodingOptions(region: PixelRegion(x: 0, y: 0, width: 64, height: 64))] {
            let start = ContinuousClock.now
            #expect(throws: ImageError.tooManyScans(source: "scans.jpg", limit: 100)) {
                try Image(data: jpeg, source: "scans.jpg", options: options)
            }
            // About 0.3 s at the limit of 100 on a 2-core machine; 5 s leaves room for a busy one.
            #expect(ContinuousClock.now - start < .seconds(5), "\(options)")
        }
        let message = ImageError.tooManyScans(source: "/photos/scans.jpg", limit: 100).localizedDescription
        #expect(message.contains("/photos/scans.jpg") && message.contains("more than 100 scans"), "\(message)")
    }

    /// The limit counts every scan, the DC scan included, and comes from the options.
    @Test func theScanLimitIsExact() throws {
        let jpeg = HostileJPEG.manyScans(width: 64, height: 48, acScans: 99)  // 100 scans
        let image = try Image(data: jpeg, source: "100.jpg")
        #expect(image.width == 64 && image.height == 48)
        #expect(throws: ImageError.tooManyScans(source: "100.jpg", limit: 99)) {
            try Image(data: jpeg, source: "100.jpg", options: ImageDecodingOptions(maxProgressiveScans: 99))
        }
        let more = HostileJPEG.manyScans(width: 64, height: 48, acScans: 100)  // 101 scans
        #expect(throws: ImageError.tooManyScans(source: "101.jpg", limit: 100)) { try Image(data: more, source: "101.jpg") }
        #expect(try Image(data: more, source: "101.jpg", options: ImageDecodingOptions(maxProgressiveScans: 101)).width == 64)
    }

    @Test func zeroDimensionsAreCorrupt() throws {
        let png = PNGBuilder.png(width: 0, height: 1, colorType: .grey, rows: [[]])
        expectCorrupt(source: "zero.png") { try Image(data: png, source: "zero.png") }

        let jpeg = try #require(JPEGSurgery.withDimensions(Fixtures.sampleBytes("t1.jpg"), width: 1280, height: 0))
        expectCorrupt(source: "zero.jpg") { try Image(data: jpeg, source: "zero.jpg") }
    }

    // MARK: Messages

    @Test func messagesNameTheSourceAndTheRemedy() {
        let tooLarge = ImageError.tooLarge(source: "pano.jpg", width: 20_000, height: 10_000, limit: 50_000_000)
        #expect(tooLarge.errorDescription?.contains("pano.jpg") == true)
        #expect(tooLarge.errorDescription?.contains("maxPixels") == true)
        let corrupt = ImageError.corrupt(source: "cut.jpg", reason: "JPEG: Premature end of JPEG file")
        #expect(corrupt.errorDescription?.contains("cut.jpg") == true)
        #expect(corrupt.errorDescription?.contains("Premature end") == true)
        #expect(ImageError.empty(source: "e.png").errorDescription?.contains("e.png") == true)
        #expect(ImageError.unreadable(source: "m.png", reason: "No such file or directory").localizedDescription.contains("m.png"))
    }

    private func expectCorrupt(source: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Image) {
        do {
            let image = try body()
            Issue.record("\(source) decoded to a \(image.width)×\(image.height) image", sourceLocation: sourceLocation)
        } catch let error as ImageError {
            guard case .corrupt(let reported, _) = error, reported == source else {
                Issue.record("\(source): expected corrupt, got \(error)", sourceLocation: sourceLocation)
                return
            }
        } catch {
            Issue.record("\(source): unexpected \(error)", sourceLocation: sourceLocation)
        }
    }
}

/// A tiny seeded generator, so damaged-file tests are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
