import Foundation
import Testing
import VisageCore
import VisageRuntime
@testable import VisageModels

struct YuNetDetectorTests {
    let detector: YuNetDetector

    init() throws {
        detector = try YuNetDetector(runtime: try OnnxRuntime.shared(RuntimeConfiguration()))
    }

    private var home: URL {
        if let home = ProcessInfo.processInfo.environment["VISAGE_HOME"], !home.isEmpty { return URL(fileURLWithPath: home) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/visage")
    }

    @Test func findsTheSixFacesOfTheGroupPhoto() throws {
        let image = try Image(contentsOf: home.appendingPathComponent("samples/t1.jpg").path)
        let faces = try detector.detect(in: image)
        #expect(faces.count == 6)
        // Sorted by score and without overlaps after NMS.
        #expect(faces.map(\.score) == faces.map(\.score).sorted(by: >))
        for i in faces.indices { for j in faces.indices where j > i { #expect(faces[i].box.iou(faces[j].box) < 0.3) } }
    }

    /// The detector's input is allocated uninitialised and only its padding is cleared: the
    /// padding must be zero (what YuNet saw in training) and the picture must fill the rest.
    @Test func inputTensorIsThePictureAndZeroPadding() throws {
        let image = try Image(contentsOf: home.appendingPathComponent("samples/t1.jpg").path)
        for _ in 0..<3 {  // later buffers may reuse memory the earlier ones left non-zero
            let box = YuNetDetector.Letterbox(width: image.width, height: image.height, maxSide: 640)
            #expect(box.scaledWidth < box.paddedWidth || box.scaledHeight < box.paddedHeight)
            let tensor = try detector.preprocess(image, box)
            #expect(tensor.shape == [1, 3, box.paddedHeight, box.paddedWidth])
            let plane = box.paddedWidth * box.paddedHeight
            var padding = 0, nonZeroPadding = 0, picture = 0.0
            for channel in 0..<3 {
                for y in 0..<box.paddedHeight {
                    for x in 0..<box.paddedWidth {
                        let value = tensor.values[channel * plane + y * box.paddedWidth + x]
                        if x >= box.scaledWidth || y >= box.scaledHeight {
                            padding += 1
                            if value != 0 { nonZeroPadding += 1 }
                        } else {
                            picture += Double(value)
                        }
                    }
                }
            }
            #expect(padding > 0 && nonZeroPadding == 0)
            #expect(picture / Double(3 * box.scaledWidth * box.scaledHeight) > 20)  // a real photo, not black
        }
    }

    @Test func alignmentPutsLandmarksOnTheTemplate() throws {
        let image = try Image(contentsOf: home.appendingPathComponent("samples/t1.jpg").path)
        for face in try detector.detect(in: image) {
            let (crop, transform) = try #require(FaceAlignment.arcFaceCrop(of: image, landmarks: face.landmarks))
            #expect(crop.width == 112 && crop.height == 112)
            // A similarity cannot fit five points exactly: frontal faces leave 2–4 px, the two
            // turned heads in this photo about 5 and 7 px (in 112-px crop units).
            let residual = zip(face.landmarks.map(transform.apply), FaceAlignment.arcFaceTemplate)
                .map { hypot($0.x - $1.x, $0.y - $1.y) }.reduce(0, +) / 5
            #expect(residual < 8)
        }
    }

    @Test func aBlankImageHasNoFaces() throws {
        let grey = try Image(width: 320, height: 240, pixels: [UInt8](repeating: 128, count: 320 * 240 * 3))
        #expect(try detector.detect(in: grey).isEmpty)
    }

    @Test func tinyAndOddSizedImagesAreFine() throws {
        for (w, h) in [(1, 1), (31, 7), (33, 65)] {
            let image = try Image(width: w, height: h, pixels: [UInt8](repeating: 200, count: w * h * 3))
            #expect(try detector.detect(in: image).isEmpty)
        }
    }
}
