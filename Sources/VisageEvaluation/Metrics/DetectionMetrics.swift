public import VisageCore

/// A ground-truth object box in one image.
public struct GroundTruthBox: Sendable, Hashable {
    public var box: Rect
    public var label: String
    /// VOC's "difficult" flag: such a box counts neither for nor against the detector.
    public var difficult: Bool

    public init(box: Rect, label: String, difficult: Bool = false) {
        self.box = box
        self.label = label
        self.difficult = difficult
    }
}

/// A detector's box in one image, identified by the image's position in the evaluated list.
public struct ScoredBox: Sendable, Hashable {
    public var image: Int
    public var box: Rect
    public var score: Float

    public init(image: Int, box: Rect, score: Float) {
        self.image = image
        self.box = box
        self.score = score
    }
}

/// A point on a precision–recall curve, reached by keeping boxes with `score >= threshold`.
public struct PrecisionRecallPoint: Sendable, Hashable, Codable {
    public var threshold: Float
    public var recall: Double
    public var precision: Double
}

/// What matching detections to ground truth gives: a curve, AP, and recall per label.
public struct DetectionMatch: Sendable {
    /// One point per detection, in descending score order.
    public var curve: [PrecisionRecallPoint]
    /// All-point interpolated average precision (VOC 2010 onwards).
    public var averagePrecision: Double
    /// Ground-truth boxes that count (not difficult).
    public var positives: Int
    /// Label → (matched, total) over boxes that count.
    public var recallByLabel: [String: (matched: Int, total: Int)]
    public var truePositives: Int
    public var falsePositives: Int
}

/// Detection metrics in the Pascal VOC way, class-agnostic (any face box may match a
/// ground-truth box of any label).
///
/// ```swift
/// let truth = [[GroundTruthBox(box: Rect(x: 0, y: 0, width: 10, height: 10), label: "face")]]
/// let found = [ScoredBox(image: 0, box: Rect(x: 1, y: 0, width: 10, height: 10), score: 0.9)]
/// let match = DetectionMetrics.match(found, truth: truth)   // AP 1.0
/// ```
public enum DetectionMetrics {
    /// Matches detections to ground truth as VOC's devkit does: detections in descending score
    /// order; each goes to the ground-truth box of its image with the highest IoU. At IoU ≥
    /// `iouThreshold` it is a true positive if that box is not yet taken, a false positive
    /// (duplicate) if it is, and ignored if the box is difficult; below, a false positive.
    ///
    /// - Parameters:
    ///   - truth: ground truth per image, indexed by ``ScoredBox/image``.
    ///   - iouThreshold: default 0.5.
    public static func match(_ detections: [ScoredBox], truth: [[GroundTruthBox]], iouThreshold: Float = 0.5) -> DetectionMatch {
        // Stable order for equal scores: image, then position, so results do not depend on sorting.
        let order = detections.indices.sorted {
            let a = detections[$0], b = detections[$1]
            return a.score != b.score ? a.score > b.score : $0 < $1
        }
        var taken = truth.map { [Bool](repeating: false, count: $0.count) }
        var byLabel: [String: (matched: Int, total: Int)] = [:]
        for boxes in truth {
            for box in boxes where !box.difficult { byLabel[box.label, default: (0, 0)].total += 1 }
        }
        let positives = byLabel.values.reduce(0) { $0 + $1.total }
        var tp = 0, fp = 0
        var curve: [PrecisionRecallPoint] = []
        for index in order {
            let detection = detections[index]
            let candidates = detection.image < truth.count ? truth[detection.image] : []
            var best = -1
            var bestIoU: Float = 0
            for (j, box) in candidates.enumerated() {
                let iou = detection.box.iou(box.box)
                if iou > bestIoU { bestIoU = iou; best = j }
            }
            if best >= 0, bestIoU >= iouThreshold {
                let box = candidates[best]
                if box.difficult { continue }
                if taken[detection.image][best] {
                    fp += 1
                } else {
                    taken[detection.image][best] = true
                    tp += 1
                    byLabel[box.label, default: (0, 0)].matched += 1
                }
            } else {
                fp += 1
            }
            curve.append(PrecisionRecallPoint(
                threshold: detection.score,
                recall: positives > 0 ? Double(tp) / Double(positives) : 0,
                precision: Double(tp) / Double(tp + fp)))
        }
        return DetectionMatch(curve: curve, averagePrecision: averagePrecision(curve), positives: positives,
                              recallByLabel: byLabel, truePositives: tp, falsePositives: fp)
    }

    /// All-point interpolated AP: the area under the precision envelope (precision at recall r
    /// is the best precision at any recall ≥ r), summed where recall changes.
    public static func averagePrecision(_ curve: [PrecisionRecallPoint]) -> Double {
        guard !curve.isEmpty else { return 0 }
        let recall = [0] + curve.map(\.recall) + [curve.last!.recall]
        var precision = [0] + curve.map(\.precision) + [0]
        for i in stride(from: precision.count - 2, through: 0, by: -1) {
            precision[i] = max(precision[i], precision[i + 1])
        }
        var ap = 0.0
        for i in 1..<recall.count where recall[i] != recall[i - 1] {
            ap += (recall[i] - recall[i - 1]) * precision[i]
        }
        return ap
    }
}
