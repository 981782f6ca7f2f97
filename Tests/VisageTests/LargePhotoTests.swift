import Foundation
import Testing
import VisageTestSupport
import Visage
import VisageCore

/// One analyzer for the suite (age, gender, expression and embedding: every crop the reduced
/// path must read from the full-resolution region).
private let largePhotoAnalyzer = Result {
    var configuration = FaceAnalyzer.Configuration()
    configuration.tasks = [.age, .gender, .expression, .embedding]
    // The networks that read chips of their own (dlib's framing, the expression template), so
    // that every kind of crop is read from the decoded region.
    configuration.ageModel = .separateNetwork
    configuration.genderModel = .separateNetwork
    return try FaceAnalyzer(configuration: configuration)
}

/// Large JPEGs analysed through a reduced decode (DCT scaling) for the detector and
/// full-resolution regions for the crops must give the faces a whole decode gives.
struct LargePhotoTests {
    let analyzer: FaceAnalyzer

    init() throws {
        analyzer = try largePhotoAnalyzer.get()
    }

    /// Pairs each face of `whole` with the reduced path's face over it, checking geometry
    /// and attributes; returns the lowest embedding cosine.
    @discardableResult
    func expectSameFaces(_ whole: [Face], _ reduced: [Face], _ name: String, minimumIoU: Float, minimumCosine: Float) throws -> Float {
        #expect(whole.count == reduced.count, "\(name): \(whole.count) faces whole, \(reduced.count) reduced")
        var lowest: Float = 1
        for face in whole {
            let match = try #require(reduced.max { $0.box.iou(face.box) < $1.box.iou(face.box) }, "\(name)")
            #expect(match.box.iou(face.box) >= minimumIoU, "\(name): box IoU \(match.box.iou(face.box))")
            let cosine = try #require(face.similarity(to: match))
            lowest = min(lowest, cosine)
            #expect(cosine >= minimumCosine, "\(name): embedding cosine \(cosine) at \(face.box)")
            #expect(abs((face.age ?? 0) - (match.age ?? 0)) < 5, "\(name): age \(face.age ?? 0) against \(match.age ?? 0)")
        }
        return lowest
    }

    @Test func theGroupPhotoGivesTheSameSixFacesReduced() throws {
        // 1280×886: decoded at 1/2 (640×443) for the detector when asked to (the default
        // starts at 1/4, where it pays). Measured: box IoU ≥ 0.995, cosine ≥ 0.9987.
        let path = try Fixtures.sample("t1.jpg")
        #expect(try Image.probe(path: path).reduction(keepingLongerSideAtLeast: 640) == 2)
        let whole = try analyzer.analyzeFile(path).faces
        let reduced = try analyzer.analyzeFile(path, tasks: analyzer.configuration.tasks, keepingImage: false, minimumReduction: 2)
        #expect(reduced.image == nil && reduced.width == 1280 && reduced.height == 886)
        #expect(reduced.faces.count == 6)
        try expectSameFaces(whole, reduced.faces, "t1.jpg", minimumIoU: 0.95, minimumCosine: 0.99)
        // By default a photo this size is decoded whole: the very same faces.
        let usual = try analyzer.analyzeFile(path, tasks: analyzer.configuration.tasks, keepingImage: false).faces
        #expect(usual.map(\.box) == whole.map(\.box) && usual.map(\.embedding) == whole.map(\.embedding))
    }

    @Test func aTwelveMegapixelJPEGMadeHereIsAnalysedCorrectly() throws {
        // The group photo enlarged to 4000×3000 and encoded by VisageCore's encoder at quality 90.
        let folder = try Fixtures.temporaryURL()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("group-12mp.jpg").path
        try Image(contentsOf: try Fixtures.sample("t1.jpg")).resized(width: 4000, height: 3000).write(to: path, jpegQuality: 90)
        #expect(try Image.probe(path: path).reduction(keepingLongerSideAtLeast: 640) == 4)

        let whole = try analyzer.analyzeFile(path).faces
        let reduced = try analyzer.analyzeFile(path, tasks: analyzer.configuration.tasks, keepingImage: false)
        #expect(reduced.faces.count == 6 && reduced.width == 4000 && reduced.height == 3000)
        // Measured: box IoU ≥ 0.987, cosine ≥ 0.9876.
        try expectSameFaces(whole, reduced.faces, "group-12mp.jpg", minimumIoU: 0.95, minimumCosine: 0.97)
        // The same people as in the original photo, where they are scaled up.
        let original = try analyzer.analyzeFile(try Fixtures.sample("t1.jpg")).faces
        for face in original {
            let scaled = Rect(x: face.box.x * 4000 / 1280, y: face.box.y * 3000 / 886, width: face.box.width * 4000 / 1280, height: face.box.height * 3000 / 886)
            let match = try #require(reduced.faces.max { $0.box.iou(scaled) < $1.box.iou(scaled) })
            #expect(match.box.iou(scaled) > 0.7)
            #expect(try #require(face.similarity(to: match)) > 0.8)
        }
    }

    @Test func exifOrientationIsRightOnTheReducedPath() throws {
        // The enlarged group photo stored turned (EXIF 6 and 8, and upside down: 3): the reduced decode
        // and the regions must be turned upright like the whole decode.
        let folder = try Fixtures.temporaryURL()
        defer { try? FileManager.default.removeItem(at: folder) }
        let upright = try Image(contentsOf: try Fixtures.sample("t1.jpg")).resized(width: 3000, height: 2000)
        let expected = try analyzer.analyzeNow(upright).faces
        #expect(expected.count == 6)
        for orientation: UInt16 in [3, 6, 8] {
            let path = folder.appendingPathComponent("turned-\(orientation).jpg").path
            let stored = try upright.rotatedForStorage(orientation: orientation).jpegData(quality: 90)
            try Data(Fixtures.withEXIFOrientation(stored, orientation)).write(to: URL(fileURLWithPath: path))
            let whole = try analyzer.analyzeFile(path)
            let reduced = try analyzer.analyzeFile(path, tasks: analyzer.configuration.tasks, keepingImage: false)
            #expect(reduced.width == 3000 && reduced.height == 2000, "orientation \(orientation)")
            // Measured 0.957–0.968 in every orientation (the same faces: the detector's 640-px input
            // is made from the 1/4 decode, see docs/large-photos.md), 0.9876 at 4000×3000.
            try expectSameFaces(whole.faces, reduced.faces, "orientation \(orientation)", minimumIoU: 0.9, minimumCosine: 0.95)
            try expectSameFaces(expected, reduced.faces, "orientation \(orientation) against upright", minimumIoU: 0.9, minimumCosine: 0.9)
        }
    }

    @Test(.enabled(if: Fixtures.hasData, "needs ../shared/data (or $VISAGE_DATA)"))
    func theLargestSharedPhotosGiveTheSameFacesReduced() throws {
        // Forced to 1/2 (the default decodes these whole). Measured: box IoU ≥ 0.974, cosine ≥ 0.959;
        // the progressive obama_and_biden.jpg is always decoded whole.
        let data = try #require(Fixtures.dataURL).path
        for name in ["face-recognition-samples/knn/test/obama_and_biden.jpg", "face-recognition-samples/test_images/obama3.jpg",
                     "cfp/Data/Images/495/profile/04.jpg", "cfp/Data/Images/490/frontal/10.jpg"] {
            let path = data + "/" + name
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let whole = try analyzer.analyzeFile(path).faces
            let reduced = try analyzer.analyzeFile(path, tasks: analyzer.configuration.tasks, keepingImage: false, minimumReduction: 2).faces
            #expect(!reduced.isEmpty, "\(name)")
            try expectSameFaces(whole, reduced, name, minimumIoU: 0.95, minimumCosine: 0.93)
        }
    }

    @Test func aTruncatedTwelveMegapixelJPEGIsAnErrorNamingIt() async throws {
        let folder = try Fixtures.temporaryURL()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = try Image(contentsOf: try Fixtures.sample("t1.jpg")).resized(width: 4000, height: 3000).jpegData(quality: 90)
        let path = folder.appendingPathComponent("cut-12mp.jpg").path
        try Data(bytes[..<(bytes.count * 3 / 5)]).write(to: URL(fileURLWithPath: path))
        let corrupt = folder.appendingPathComponent("junk-12mp.jpg").path
        var junk = bytes
        for i in stride(from: junk.count / 3, to: junk.count / 3 + 4000, by: 1) { junk[i] = 0xFF }
        try Data(junk).write(to: URL(fileURLWithPath: corrupt))
        for path in [path, corrupt] {
            #expect {
                _ = try analyzer.analyzeFile(path, tasks: analyzer.configuration.tasks, keepingImage: false)
            } throws: { error in
                guard case let .corrupt(source, _) = error as? ImageError else { return false }
                return source == path
            }
        }
        // Through the batch API (which takes the reduced path without keepImages) too.
        for await item in analyzer.analyzeFiles([path]) {
            #expect(throws: ImageError.self) { try item.result.get() }
            #expect(String(describing: item.result).contains("cut-12mp.jpg"))
        }
    }
}
