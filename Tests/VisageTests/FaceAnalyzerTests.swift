import Foundation
import Testing
import VisageTestSupport
import Visage
import VisageCore
import VisageModels

/// One analyzer for the suite: loading four ONNX sessions per test would dominate the run.
private let sharedAnalyzer = Result { try FaceAnalyzer() }

struct FaceAnalyzerTests {
    let analyzer: FaceAnalyzer

    init() throws {
        analyzer = try sharedAnalyzer.get()
    }

    @Test func groupPhotoFindsEveryFaceWithPlausibleGeometry() async throws {
        let image = try Image(contentsOf: try Fixtures.sample("t1.jpg"))
        let faces = try await analyzer.analyze(image)
        // The insightface group photo shows six people, all facing the camera.
        #expect(faces.count == 6)
        for face in faces {
            let b = face.box
            #expect(b.x >= -b.width * 0.1 && b.y >= -b.height * 0.1 && b.maxX <= Float(image.width) * 1.02 && b.maxY <= Float(image.height) * 1.02)
            #expect(b.width > 20 && b.width < Float(image.width) / 2 && b.height / b.width > 0.9 && b.height / b.width < 1.8)
            #expect(face.score >= 0.7)
            #expect(face.landmarks.count == 5)
            let (leftEye, rightEye, nose, mouthLeft, mouthRight) = (face.landmarks[0], face.landmarks[1], face.landmarks[2], face.landmarks[3], face.landmarks[4])
            for p in face.landmarks { #expect(p.x >= b.x && p.x <= b.maxX && p.y >= b.y && p.y <= b.maxY) }
            #expect(leftEye.x < rightEye.x && mouthLeft.x < mouthRight.x)
            #expect(max(leftEye.y, rightEye.y) < nose.y && nose.y < min(mouthLeft.y, mouthRight.y))
            let embedding = try #require(face.embedding)
            #expect(embedding.count == 128)
            #expect(abs(embedding.reduce(0) { $0 + $1 * $1 } - 1) < 1e-3)
            let age = try #require(face.age)
            #expect(age > 10 && age < 70)
            #expect(face.gender != nil)
            #expect(face.expression.map { abs($0.scores.reduce(0, +) - 1) < 1e-3 } == true)
            #expect(face.alignedCrop?.width == 112 && face.alignedCrop?.height == 112)
        }
        // Six different people. Strangers can exceed the pair threshold 0.303 (its FAR is 1e-3
        // per pair, and this photo has 15 pairs: one reaches 0.35), but none comes near the
        // same-person range (0.6 and above on real photos).
        for i in faces.indices { for j in faces.indices where j > i { #expect(faces[i].similarity(to: faces[j])! < 0.45) } }
    }

    @Test(arguments: [3, 6, 8] as [UInt16])
    func exifRotatedPhotoGivesTheSameFacesUpright(orientation: UInt16) async throws {
        let upright = try Image(contentsOf: try Fixtures.sample("t1.jpg"))
        // Store the pixels turned the other way and let the EXIF tag turn them back.
        let stored = upright.rotatedForStorage(orientation: orientation)
        let file = try Fixtures.temporaryURL().appendingPathComponent("exif-\(orientation)-rotated.jpg")
        try Data(Fixtures.withEXIFOrientation(try stored.jpegData(quality: 95), orientation)).write(to: file)

        let analyzed = try await analyzer.analyze(contentsOf: file.path)
        #expect(analyzed.width == upright.width && analyzed.height == upright.height)
        let expected = try await analyzer.analyze(upright)
        #expect(analyzed.faces.count == expected.count)
        for face in expected {
            let match = try #require(analyzed.faces.max { $0.box.iou(face.box) < $1.box.iou(face.box) })
            #expect(match.box.iou(face.box) > 0.85)
            for (p, q) in zip(match.landmarks, face.landmarks) { #expect(hypot(p.x - q.x, p.y - q.y) < 4) }
            #expect(match.similarity(to: face)! > 0.9)
        }
    }

    @Test func batchKeepsInputOrderAndReportsBadFilesWithoutStopping() async throws {
        let directory = try Fixtures.temporaryURL()
        let empty = directory.appendingPathComponent("zero-bytes.jpg")
        try Data().write(to: empty)
        let paths = [try Fixtures.sample("t1.jpg"), empty.path, try Fixtures.sample("Tom_Hanks_54745.png")]
        var items: [FaceAnalyzer.BatchItem] = []
        for await item in analyzer.analyzeFiles(paths) { items.append(item) }
        #expect(items.map(\.path) == paths)
        #expect((try? items[0].result.get().faces.count) == 6)
        #expect(throws: ImageError.self) { try items[1].result.get() }
        #expect((try? items[2].result.get().faces.count) == 1)
    }

    @Test func samePersonScoresHigherThanStrangers() async throws {
        let portrait = try await analyzer.analyze(contentsOf: try Fixtures.sample("Tom_Hanks_54745.png"))
        let group = try await analyzer.analyze(contentsOf: try Fixtures.sample("t1.jpg"))
        let tom = try #require(portrait.faces.largest)
        for stranger in group.faces { #expect(tom.similarity(to: stranger)! < Verification.defaultThreshold) }
        let mirrored = try #require(portrait.image).applyingOrientation(.upMirrored)
        let tomMirrored = try #require(try await analyzer.analyze(mirrored).largest)
        #expect(tom.similarity(to: tomMirrored)! > 0.6)
    }
}

extension Image {
    /// Written out independently of VisageCore's orientation code, so that it can check it.
    /// The stored pixels that an EXIF `orientation` (3, 6 or 8) turns into this upright image.
    func rotatedForStorage(orientation: UInt16) -> Image {
        let (w, h) = (width, height)
        let turnsSides = orientation == 6 || orientation == 8
        let (sw, sh) = turnsSides ? (h, w) : (w, h)
        var out = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                // Where upright (x, y) sits in the stored image.
                let (sx, sy): (Int, Int) = switch orientation {
                case 3: (w - 1 - x, h - 1 - y)   // stored upside down
                case 6: (y, w - 1 - x)           // display rotates stored 90° clockwise
                default: (h - 1 - y, x)          // 8: display rotates stored 90° counter-clockwise
                }
                for c in 0..<3 { out[(sy * sw + sx) * 3 + c] = pixels[(y * w + x) * 3 + c] }
            }
        }
        return try! Image(width: sw, height: sh, pixels: out)
    }
}
