public import VisageCore

/// One face found by a detector, in the original image's pixels.
public struct Detection: Sendable, Hashable, Codable {
    public var box: Rect
    /// Detector confidence in [0, 1].
    public var score: Float
    /// Five points in image order: left eye, right eye, nose tip, left and right mouth corner
    /// (left/right as seen in the picture, the order of the alignment template).
    public var landmarks: [Point]

    public init(box: Rect, score: Float, landmarks: [Point]) {
        self.box = box
        self.score = score
        self.landmarks = landmarks
    }
}

extension Array where Element == Detection {
    /// Greedy non-maximum suppression: keeps the best-scoring box of every overlapping group.
    func suppressingOverlaps(iou threshold: Float) -> [Detection] {
        var kept: [Detection] = []
        for candidate in sorted(by: { $0.score > $1.score })
        where !kept.contains(where: { $0.box.iou(candidate.box) > threshold }) {
            kept.append(candidate)
        }
        return kept
    }
}
