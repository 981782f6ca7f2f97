import VisageModels
import VisageCore
import Foundation

/// Whether a face is fit to enrol in a gallery, from what was measured: its size, the
/// detector's confidence, the sharpness of the aligned crop and the head pose.
///
/// ```swift
/// let check = EnrollmentCheck(face: photo.faces[0])
/// print(check.passed, check.problems)   // false ["blurred (Laplacian variance 31 < 60)"]
/// ```
public struct EnrollmentCheck: Sendable, Hashable {
    /// Faces narrower than this are upscaled to the embedder's 112×112 input: 112 px.
    public static let minimumWidth: Float = 112
    /// Detections below this score are doubtful as faces: 0.8 (a convention, above the
    /// detector's own 0.7 threshold for reporting a face at all).
    public static let minimumScore: Float = 0.8

    /// What is wrong, in words; empty when the face passes.
    public var problems: [String]
    public var passed: Bool { problems.isEmpty }

    public init(face: FaceFacts) {
        var problems: [String] = []
        if face.box.width < Self.minimumWidth {
            problems.append(String(format: "too small (%.0f px wide, under %.0f)", face.box.width, Self.minimumWidth))
        }
        if face.detectorScore < Self.minimumScore {
            problems.append(String(format: "a doubtful detection (score %.2f, under %.2f)", face.detectorScore, Self.minimumScore))
        }
        if let sharpness = face.sharpness, sharpness < Sharpness.blurredBelow {
            problems.append(String(format: "blurred (Laplacian variance %.0f, under %.0f)", sharpness, Sharpness.blurredBelow))
        }
        if let pose = face.pose, !pose.isFrontal {
            problems.append("not frontal (\(pose.words))")
        }
        self.problems = problems
    }

    /// What was checked, for `source`.
    public static let source = "face size, detector score, Laplacian variance of the aligned crop, landmark pose"
}
