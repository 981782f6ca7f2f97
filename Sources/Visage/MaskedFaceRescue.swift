public import VisageModels
import VisageCore
import VisageRuntime

extension FaceAnalyzer {
    /// A second look at faces the detector scored too low, kept only when they wear a mask.
    ///
    /// YuNet was trained mostly on bare faces: a mask hides the nose and mouth and its score
    /// falls, often below the usual 0.7, while a group photo's weak boxes are mostly not faces.
    /// The rescue tells the two apart with the mask classifier: a box scoring from
    /// ``scoreThreshold`` up to the detector's threshold is kept when the classifier, on SFace's
    /// feature map of the box's aligned crop, says "with mask" with at least
    /// ``minimumMaskProbability``. The defaults and their measurements are in
    /// docs/models/masked-face-rescue.md.
    public struct MaskedFaceRescue: Sendable, Hashable {
        /// Lowest detector score a masked face may have; default 0.3.
        public var scoreThreshold: Float = 0.3
        /// Probability of "with mask" at or above which a weak face is kept; default 0.95.
        /// The frames of the second look a picture with no face at all gets, tried in turn until
        /// one gives a face: the black border on each side as a fraction of the picture's width
        /// and height; default 0.25, then 0.8 (empty: no second look).
        public var frames: [Float] = [0.25, 0.8]
        public var minimumMaskProbability: Float = 0.95
        /// Beside faces the detector is sure of, a weak box must be at least this fraction of
        /// the smallest one's width; default 0.5. A masked face in a group is about as large as
        /// the bare ones around it, while the weak boxes the classifier calls masked in bare
        /// photos are mostly small blobs in the background.
        public var minimumRelativeWidth: Float = 0.5
        /// A weak box with at least this fraction of its area inside a face already kept is a
        /// part of that face, not another one; default 0.5.
        public var maximumOverlap: Float = 0.5

        public init() {}

        /// Whether a face the detector scored `score`, whose mask estimate is `mask`, is kept by
        /// the rescue. Faces at or above the detector's own threshold do not ask.
        public func accepts(score: Float, mask: MaskEstimate) -> Bool {
            guard score >= scoreThreshold else { return false }
            return mask.maskedProbability >= minimumMaskProbability
        }
    }
}

extension MaskEstimate {
    /// The classifier's probability of "with mask", whichever label won.
    public var maskedProbability: Float { isMasked ? score : 1 - score }
}

/// Runs the rescue's models (SFace's feature map, then the mask classifier) on weak detections.
struct MaskedFaceRescuer: Sendable {
    let settings: FaceAnalyzer.MaskedFaceRescue
    /// The analyzer's models: SFace and the mask classifier open on the first weak box, and are
    /// the same sessions the analyzer's own tasks use.
    let models: FaceAnalyzer.Models

    /// The rescuer a configuration asks for; nil when ``FaceAnalyzer/Configuration/maskedFaceRescue``
    /// is off or the input is a given face crop (nothing is detected).
    init?(configuration: FaceAnalyzer.Configuration, models: FaceAnalyzer.Models) {
        guard let settings = configuration.maskedFaceRescue, configuration.input == .photo else { return nil }
        self.settings = settings
        self.models = models
    }

    /// The detections of `weak` (each scoring below the detector's threshold) that the rescue
    /// keeps beside the `sure` ones, best first. When the picture has no face at all (no `sure`
    /// face and none of `weak` kept), the detector takes a second look at the picture framed and enlarged
    /// (``MaskedFaceRescue/frames``), and its faces there are kept by the same rules.
    func rescued(_ weak: [Detection], in image: Image, besides sure: [Detection] = []) throws -> [Detection] {
        let smallest = sure.map(\.box.width).min()
        let sized = weak.filter { smallest == nil || $0.box.width >= settings.minimumRelativeWidth * smallest! }
        var kept: [Detection] = []
        // Best first, so that of two overlapping boxes the stronger stays.
        for detection in try masked(sized, in: image).sorted(by: { $0.score > $1.score }) {
            guard !(sure + kept).contains(where: { detection.box.overlapArea(with: $0.box) >= settings.maximumOverlap * detection.box.area }) else { continue }
            kept.append(detection)
        }
        guard kept.isEmpty, sure.isEmpty else { return kept }
        for margin in settings.frames {
            let faces = try secondLook(in: image, margin: margin)
            if !faces.isEmpty { return faces }
        }
        return []
    }

    /// The detections of `weak` at or above the floor that the mask classifier calls masked
    /// with enough probability.
    private func masked(_ weak: [Detection], in image: Image) throws -> [Detection] {
        let candidates = weak.filter { $0.score >= settings.scoreThreshold }
        guard !candidates.isEmpty else { return [] }
        // A box whose landmarks cannot be aligned is not a face worth a second look.
        let aligned = candidates.compactMap { detection in
            FaceAlignment.arcFaceCrop(of: image, landmarks: detection.landmarks).map { (detection, $0.crop) }
        }
        guard !aligned.isEmpty, let maps = try models.embedder.get().run(aligned.map(\.1), featureMaps: true).featureMaps else { return [] }
        let masks = try models.maskClassifier.get().classify(featureMaps: maps)
        return zip(aligned, masks).compactMap { settings.accepts(score: $0.0.score, mask: $1) ? $0.0 : nil }
    }

    /// The detector on the picture inside a black frame, enlarged: a face cut by the picture's
    /// edges (a tight crop) gets the margin the detector was trained with, and a small face in
    /// a small picture gets the pixels. Boxes and landmarks come back in the picture's pixels.
    private func secondLook(in image: Image, margin: Float) throws -> [Detection] {
        let detector = try models.detector.get()
        let threshold = detector.configuration.scoreThreshold
        let paddedWidth = Float(image.width) * (1 + 2 * margin), paddedHeight = Float(image.height) * (1 + 2 * margin)
        // Up to the detector's input side (it only ever shrinks), at most 4×.
        let scale = min(4, max(1, Float(detector.configuration.maxSide) / max(paddedWidth, paddedHeight)))
        let transform = AffineTransform(a: scale, b: 0, tx: scale * margin * Float(image.width),
                                        c: 0, d: scale, ty: scale * margin * Float(image.height))
        let framed = image.warped(by: transform, width: Int((paddedWidth * scale).rounded()), height: Int((paddedHeight * scale).rounded()))
        guard let back = transform.inverted else { return [] }
        let candidates = try detector.detect(in: framed, scoreThreshold: min(threshold, settings.scoreThreshold))
        let sure = candidates.filter { $0.score >= threshold }
        let found = sure.isEmpty ? try masked(candidates.filter { $0.score < threshold }, in: framed) : sure
        return found.map { detection in
            let corner = back.apply(Point(x: detection.box.x, y: detection.box.y))
            return Detection(box: Rect(x: corner.x, y: corner.y, width: detection.box.width / scale, height: detection.box.height / scale),
                             score: detection.score, landmarks: detection.landmarks.map(back.apply))
        }
    }
}

extension Rect {
    /// The area the two rectangles share, 0 when they do not overlap.
    fileprivate func overlapArea(with other: Rect) -> Float {
        max(0, min(maxX, other.maxX) - max(x, other.x)) * max(0, min(maxY, other.maxY) - max(y, other.y))
    }
}
