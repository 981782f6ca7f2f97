import Foundation
public import VisageCore

/// Head pose read from the detector's five landmarks: how far the nose sits off the eyes'
/// midline (yaw) and how steep the eye line is (roll).
///
/// ```swift
/// if let pose = Pose(landmarks: face.landmarks) { print(pose.facing, pose.yaw, pose.roll) }
/// ```
///
/// `yaw` is the nose tip's horizontal offset from the midpoint of the eyes divided by the
/// distance between the eyes, after undoing the roll: 0 for a frontal face, positive when the
/// nose points towards the right of the picture. It is a ratio, not an angle.
public struct Pose: Sendable, Hashable {
    public enum Facing: String, Sendable, Hashable, CaseIterable {
        case frontal
        case slightlyLeft = "turned slightly towards the left of the picture"
        case left = "turned towards the left of the picture"
        case slightlyRight = "turned slightly towards the right of the picture"
        case right = "turned towards the right of the picture"
    }

    public var yaw: Float
    /// Angle of the eye line in degrees, positive when the right-hand eye (in the picture) is lower.
    public var roll: Float

    /// |yaw| below this is frontal: 0.15. On CFP (identities 001, 006, … 496, measured by
    /// `visage describe --json`, docs/ask.md) all 200 frontal photos (01, 02) measure below
    /// it (99th percentile 0.127) and 192 of the 193 profile photos (01, 02) with a face found
    /// measure above it.
    public static let frontalYaw: Float = 0.15
    /// |yaw| at or above this is turned rather than slightly turned: 0.35, which 89% of those
    /// CFP profile photos reach (median 0.555).
    public static let turnedYaw: Float = 0.35
    /// Roll beyond this many degrees is called tilted: 15.
    public static let tiltedRoll: Float = 15

    public init?(landmarks: [Point]) {
        guard landmarks.count >= 3 else { return nil }
        let a = landmarks[0], b = landmarks[1], nose = landmarks[2]
        let dx = b.x - a.x, dy = b.y - a.y
        let distance = (dx * dx + dy * dy).squareRoot()
        guard distance > 0 else { return nil }
        let mid = Point(x: (a.x + b.x) / 2, y: (a.y + b.y) / 2)
        // Project the nose offset onto the eye line, so a tilted head is not read as turned.
        yaw = ((nose.x - mid.x) * dx + (nose.y - mid.y) * dy) / (distance * distance)
        roll = atan2(dy, dx) * 180 / .pi
    }

    public init(yaw: Float, roll: Float) {
        self.yaw = yaw
        self.roll = roll
    }

    public var facing: Facing {
        switch yaw {
        case ..<(-Self.turnedYaw): .left
        case ..<(-Self.frontalYaw): .slightlyLeft
        case ..<Self.frontalYaw: .frontal
        case ..<Self.turnedYaw: .slightlyRight
        default: .right
        }
    }

    public var isFrontal: Bool { facing == .frontal && abs(roll) <= Self.tiltedRoll }

    /// "facing the camera", "turned slightly towards the left of the picture", plus "head tilted".
    public var words: String {
        var text = facing == .frontal ? "facing the camera" : facing.rawValue
        if abs(roll) > Self.tiltedRoll { text += ", head tilted" }
        return text
    }
}
