import Foundation
import Testing
import VisageTestSupport
import VisageCore
@testable import VisageAsk

struct PoseAndSharpnessTests {
    @Test func frontalLandmarksAreFrontal() throws {
        let pose = try #require(Pose(landmarks: [Point(x: 40, y: 50), Point(x: 80, y: 50), Point(x: 60, y: 70), Point(x: 45, y: 90), Point(x: 75, y: 90)]))
        #expect(abs(pose.yaw) < 1e-6)
        #expect(abs(pose.roll) < 1e-6)
        #expect(pose.isFrontal)
        #expect(pose.words == "facing the camera")
    }

    @Test func noseTowardsTheRightOfThePictureIsTurnedRight() throws {
        let pose = try #require(Pose(landmarks: [Point(x: 40, y: 50), Point(x: 80, y: 50), Point(x: 78, y: 70)]))
        #expect(abs(pose.yaw - 0.45) < 1e-5)
        #expect(pose.facing == .right)
        #expect(!pose.isFrontal)
    }

    @Test func rollIsNotReadAsYaw() throws {
        // A frontal face rotated by 30°: the nose stays on the eyes' perpendicular bisector.
        let c = Float(cos(Double.pi / 6)), s = Float(sin(Double.pi / 6))
        func rotate(_ x: Float, _ y: Float) -> Point { Point(x: x * c - y * s, y: x * s + y * c) }
        let pose = try #require(Pose(landmarks: [rotate(-20, 0), rotate(20, 0), rotate(0, 20)]))
        #expect(abs(pose.yaw) < 1e-5)
        #expect(abs(pose.roll - 30) < 1e-3)
        #expect(pose.words == "facing the camera, head tilted")
    }

    @Test func blurLowersTheLaplacianVariance() async throws {
        let photo = try Image(contentsOf: try Fixtures.sample("Tom_Hanks_54745.png"))
        let sharp = Sharpness.laplacianVariance(photo)
        // A 4× box-downscale and upscale back removes the fine detail.
        let blurred = photo.resized(width: photo.width / 4, height: photo.height / 4).resized(width: photo.width, height: photo.height)
        #expect(sharp > 2 * Sharpness.laplacianVariance(blurred))
        #expect(Sharpness.laplacianVariance(Image(width: 20, height: 20, color: .white)) == 0)
    }
}
