import VisageCore
import VisageModels

/// Large JPEGs: detect on a reduced decode, then read the aligned crops from full-resolution
/// pixels decoded only around the faces.
///
/// The detector scales every photo to ``YuNetDetector/Configuration/maxSide`` (640) anyway, so
/// a 12-MP photo decoded at 1/4 (1000×750, libjpeg's DCT scaling) shows it the same picture for
/// a fraction of the decode's time and memory. The crops the models read (ArcFace's 112×112,
/// the age and gender chips, the expression chip) are warped from the full-resolution pixels
/// as before, but only the rectangle under them is decoded (libjpeg-turbo's crop and skip), so
/// each crop is the one the whole decode would give for the same landmarks. Boxes and
/// landmarks are scaled back (output pixel `i` of a 1/`r` decode covers pixels `i·r ..< (i+1)·r`,
/// and the detector maps its coordinates the same way, so multiplying by `r` is exact).
extension FaceAnalyzer {
    /// The smallest reduction worth a second decode: measured on the largest photos at hand
    /// (docs/large-photos.md), at 1/2 the region under a portrait's chips is most of the photo,
    /// so the reduced pass plus the region cost more than one whole decode (CFP 495/profile/04,
    /// 2270×2381: 16 ms whole, 35 ms reduced and region), while at 1/4 (a longer side of 2560 px
    /// or more for the 640-pixel detector) it pays (the 12-MP group photo: 76 against 53 ms,
    /// and no 36-MB full picture).
    public static let largePhotoMinimumReduction = 4

    /// Analyses `path` like ``analyzeFile(_:tasks:)``, through a reduced decode when it is a
    /// baseline JPEG whose longer side is at least `minimumReduction` times the detector's
    /// and the caller does not keep the picture (then ``AnalyzedImage/image`` is nil: no
    /// full-size picture ever exists). Anything else, and face crops
    /// (``Configuration/Input/faceCrop``), go the usual way.
    public func analyzeFile(_ path: String, tasks: Tasks, heads: [any CustomHead] = [], keepingImage: Bool,
                            minimumReduction: Int = largePhotoMinimumReduction) throws -> AnalyzedImage {
        guard !keepingImage, configuration.input == .photo else { return try analyzeFile(path, tasks: tasks, heads: heads) }
        let clock = ContinuousClock()
        let start = clock.now
        let file = try EncodedImage(contentsOf: path)
        var options = configuration.decoding
        options.reduction = file.info.reduction(keepingLongerSideAtLeast: configuration.detector.maxSide)
        if options.reduction < minimumReduction { options.reduction = 1 }
        // A progressive JPEG is decoded once, whole: a second pass would entropy-decode every
        // scan again (obama_and_biden.jpg, 2000×1428: 102 ms whole against 94 at 1/2 plus 58–82 for a region).
        if file.isProgressiveJPEG { options.reduction = 1 }
        guard options.reduction > 1 else {
            let image = try file.decoded(options: options)
            let decoded = clock.now
            var (faces, timings) = try analyzeNow(image, tasks: tasks, heads: heads)
            timings.decode = decoded - start
            return AnalyzedImage(path: path, width: image.width, height: image.height, faces: faces, image: nil, timings: timings)
        }
        let small = try file.decoded(options: options)
        var timings = StageTimings()
        timings.decode = clock.now - start
        let (width, height) = options.appliesOrientation ? (file.info.uprightWidth, file.info.uprightHeight) : (file.info.width, file.info.height)
        let scale = Float(options.reduction)
        var lap = clock.now
        let faces = try detectFaces(in: small).map { $0.scaled(by: scale) }
        timings.detect = clock.now - lap
        guard !faces.isEmpty, let region = Self.sourceRegion(of: faces, width: width, height: height) else {
            return AnalyzedImage(path: path, width: width, height: height, faces: faces, image: nil, timings: timings)
        }
        lap = clock.now
        options.reduction = 1
        options.region = region
        let part = try file.decoded(options: options)
        timings.decode += clock.now - lap
        let origin = Point(x: Float(region.x), y: Float(region.y))
        let (analyzed, rest) = try analyzeNow(part, tasks: tasks, faces: faces.map { $0.moved(by: Point(x: -origin.x, y: -origin.y)) },
                                             heads: heads)
        timings.align = rest.align
        timings.embed = rest.embed
        timings.ageGender = rest.ageGender
        timings.expression = rest.expression
        timings.mask = rest.mask
        return AnalyzedImage(path: path, width: width, height: height, faces: analyzed.map { $0.moved(by: origin) }, image: nil, timings: timings)
    }

    /// ``analyzeFile(_:tasks:heads:keepingImage:minimumReduction:)`` off the caller's thread.
    public func analyze(contentsOf path: String, tasks: Tasks, heads: [any CustomHead] = [], keepingImage: Bool) async throws -> AnalyzedImage {
        try await offload { try self.analyzeFile(path, tasks: tasks, heads: heads, keepingImage: keepingImage) }
    }

    /// Every template a model's input is warped onto, with its size: ArcFace's (SFace and what
    /// reads its crop or feature maps), dlib's chip (age at 64, gender at 32: the same framing),
    /// and the expression chip. A model warping onto a new template must be listed here, or
    /// its crop would be read past the decoded region (black there).
    static let chipTemplates: [(template: [Point], size: Int)] = [
        (FaceAlignment.arcFaceTemplate, 112),
        (AgeEstimator.chipTemplate, AgeEstimator.chipSize),
        (GenderClassifier.chipTemplate, GenderClassifier.chipSize),
        (ExpressionClassifier.chipTemplate, ExpressionClassifier.chipSize),
    ]

    /// The smallest region of the `width`×`height` photo holding every pixel any crop of
    /// `faces` samples (the corners of each chip mapped back, plus the bilinear neighbour and
    /// a margin for rounding), and each face's box; nil when it is empty.
    static func sourceRegion(of faces: [Face], width: Int, height: Int) -> PixelRegion? {
        var minX = Float.infinity, minY = Float.infinity, maxX = -Float.infinity, maxY = -Float.infinity
        func include(_ p: Point) {
            minX = min(minX, p.x); minY = min(minY, p.y)
            maxX = max(maxX, p.x); maxY = max(maxY, p.y)
        }
        for face in faces {
            include(Point(x: face.box.x, y: face.box.y))
            include(Point(x: face.box.maxX, y: face.box.maxY))
            for (template, size) in chipTemplates {
                guard let inverse = AffineTransform.similarity(from: face.landmarks, to: template)?.inverted else { continue }
                let last = Float(size)  // a little past the last pixel centre: the expression chip's supersampling reaches there
                for corner in [Point(x: -1, y: -1), Point(x: last, y: -1), Point(x: -1, y: last), Point(x: last, y: last)] {
                    include(inverse.apply(corner))
                }
            }
        }
        guard minX.isFinite, minY.isFinite, maxX.isFinite, maxY.isFinite else { return nil }
        let margin: Float = 3
        return PixelRegion(covering: Rect(x: minX - margin, y: minY - margin, width: maxX - minX + 2 * margin, height: maxY - minY + 2 * margin),
                           clippedTo: width, height)
    }
}

extension Face {
    /// The face with its box and landmarks multiplied by `factor` (from a reduced decode to the full one).
    func scaled(by factor: Float) -> Face {
        var face = self
        face.box = Rect(x: box.x * factor, y: box.y * factor, width: box.width * factor, height: box.height * factor)
        face.landmarks = landmarks.map { Point(x: $0.x * factor, y: $0.y * factor) }
        return face
    }

    /// The face with its box and landmarks shifted by `offset` (into or out of a decoded region).
    func moved(by offset: Point) -> Face {
        var face = self
        face.box = Rect(x: box.x + offset.x, y: box.y + offset.y, width: box.width, height: box.height)
        face.landmarks = landmarks.map { Point(x: $0.x + offset.x, y: $0.y + offset.y) }
        return face
    }
}
