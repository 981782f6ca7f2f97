import Foundation

/// Small pictures of faces for the review pages (`visage dataset clean --html`, the pilot's
/// `review.html`): what a person looks at to decide whether two photos show one person.
extension Image {
    /// A square around `box` grown by 30% (the whole image without a box), scaled so that its
    /// longer side is `side` pixels.
    public func faceThumbnail(box: Rect?, side: Int) -> Image {
        var crop = self
        if let box {
            let square = max(box.width, box.height) * 1.3
            let centre = box.center
            crop = cropped(to: Rect(x: centre.x - square / 2, y: centre.y - square / 2, width: square, height: square)) ?? self
        }
        let scale = Float(side) / Float(max(crop.width, crop.height))
        return crop.resized(width: max(1, Int(Float(crop.width) * scale)), height: max(1, Int(Float(crop.height) * scale)))
    }
}

extension String {
    /// The text with `&`, `<`, `>` and `"` written as HTML entities, safe inside an element or
    /// a quoted attribute.
    public var htmlEscaped: String {
        replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// 64-bit FNV-1a of the UTF-8 bytes: the same text gives the same number in every run and
    /// on every machine (Swift's `hashValue` is seeded per process).
    public var stableHash: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}
