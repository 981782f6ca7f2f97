public import Foundation
public import VisageCore
import VisageModels

/// Which regions of two aligned faces drove their similarity: by occlusion sensitivity, or,
/// when the faces were compared through the masked-face attention head, the head's own
/// visible-face attention (``attention(_:_:similarity:)``).
///
/// Each cell of a `grid`×`grid` lattice over a 112×112 aligned crop is hidden in turn (a square
/// twice the cell's size, filled with the crop's mean colour) and the face is embedded again;
/// the cell's value is how much the similarity to the *other* face dropped. Positive: the region
/// supported the match (hiding it lowers the score). Negative: the region worked against it —
/// typically a mask, a hand or a shadow that the two photos do not share.
///
/// ```swift
/// let analyzer = try FaceAnalyzer(configuration: .init(tasks: [.embedding, .alignedCrop]))
/// let a = try await analyzer.analyze(imageA).largest!, b = try await analyzer.analyze(imageB).largest!
/// let explanation = try analyzer.explainSimilarity(a, b)
/// try explanation.rendered().write(to: "why.png")
/// ```
public struct SimilarityExplanation: Sendable {
    /// How the maps were made.
    public enum Method: String, Sendable, Hashable {
        /// Similarity drop when each cell is hidden (signed).
        case occlusion
        /// The attention head's visible-face weight of each cell, 0–1: the only part of the
        /// feature map its embedding reads.
        case attention
    }

    public var method: Method = .occlusion
    /// Cosine similarity of the two unoccluded faces.
    public var similarity: Float
    /// Cells per side of each map.
    public var grid: Int
    /// Similarity drop when each cell of face A is hidden, row-major from the top left.
    public var mapA: [Float]
    /// Same for face B (compared with the unoccluded A).
    public var mapB: [Float]
    /// The aligned 112×112 crops the maps lie over.
    public var cropA: Image
    public var cropB: Image

    /// The colour scale's end: the value with the largest magnitude over both occlusion maps;
    /// 1 for attention maps, whose values are weights.
    public var scale: Float { method == .attention ? 1 : max(mapA.map(abs).max() ?? 0, mapB.map(abs).max() ?? 0) }

    /// The attention head's visible-face maps of two faces analysed with
    /// ``FaceAnalyzer/Tasks/maskedFaceEmbedding`` and ``FaceAnalyzer/Tasks/alignedCrop``, for a
    /// similarity computed through the head; nil when either lacks its maps or crop.
    public static func attention(_ a: Face, _ b: Face, similarity: Float) -> SimilarityExplanation? {
        guard let mapA = a.attention?.visibleFace, let mapB = b.attention?.visibleFace,
              let cropA = a.alignedCrop, let cropB = b.alignedCrop else { return nil }
        return SimilarityExplanation(method: .attention, similarity: similarity, grid: FaceAttention.grid,
                                     mapA: mapA, mapB: mapB, cropA: cropA, cropB: cropB)
    }

    /// Both crops enlarged to `side` pixels, side by side, each under its map: red where the
    /// region supported the match, blue where it worked against it, opacity by magnitude;
    /// with a caption line of the similarity and, when given, the decision.
    public func rendered(side: Int = 224, threshold: Float? = nil) -> Image {
        let margin = 8, lineHeight = Image.textSize("X").height, captionHeight = 2 * lineHeight + 8
        var canvas = Image(width: 2 * side + 3 * margin, height: side + 2 * margin + captionHeight, color: .white)
        let range = max(scale, 1e-6)
        for (index, (crop, map)) in [(cropA, mapA), (cropB, mapB)].enumerated() {
            let overlay = Self.overlay(crop.resized(width: side, height: side), map: map, grid: grid, range: range)
            canvas.place(overlay, x: margin + index * (side + margin), y: margin)
        }
        var caption = String(format: "similarity %.3f", similarity)
        if let threshold { caption += String(format: " (threshold %.3f): ", threshold) + (similarity >= threshold ? "same person" : "different people") }
        let y = Float(side + 2 * margin)
        canvas.drawText(caption, at: Point(x: Float(margin), y: y), color: .black)
        let legend = method == .attention ? "red: the visible face the attention head compared" : "red: supported the match  blue: worked against it"
        canvas.drawText(legend, at: Point(x: Float(margin), y: y + Float(lineHeight + 4)),
                        color: RGB(r: 90, g: 90, b: 90))
        return canvas
    }

    /// The map bilinearly upsampled over `image` and blended in.
    static func overlay(_ image: Image, map: [Float], grid: Int, range: Float) -> Image {
        var out = image
        let w = image.width, h = image.height
        for y in 0..<h {
            // Cell centres sit at (i + 0.5) · cell; clamp outside the outermost centres.
            let gy = min(max((Float(y) + 0.5) / Float(h) * Float(grid) - 0.5, 0), Float(grid - 1))
            let y0 = Int(gy), y1 = min(y0 + 1, grid - 1), fy = gy - Float(y0)
            for x in 0..<w {
                let gx = min(max((Float(x) + 0.5) / Float(w) * Float(grid) - 0.5, 0), Float(grid - 1))
                let x0 = Int(gx), x1 = min(x0 + 1, grid - 1), fx = gx - Float(x0)
                let top = map[y0 * grid + x0] * (1 - fx) + map[y0 * grid + x1] * fx
                let bottom = map[y1 * grid + x0] * (1 - fx) + map[y1 * grid + x1] * fx
                let value = (top * (1 - fy) + bottom * fy) / range
                let (red, green, blue): (Float, Float, Float) = value >= 0 ? (235, 40, 40) : (40, 90, 245)
                out.blend(x: x, y: y, red: red, green: green, blue: blue, coverage: 0.65 * min(1, abs(value)))
            }
        }
        return out
    }
}

/// Why an explanation could not be made.
public enum ExplanationError: Error, LocalizedError, Sendable {
    /// The analyzer was built without the embedding task.
    case noEmbedder
    /// A face has no aligned crop: analyse with the `.alignedCrop` task.
    case noAlignedCrop

    public var errorDescription: String? {
        switch self {
        case .noEmbedder: "An explanation needs the face embedder: create the FaceAnalyzer with the .embedding task."
        case .noAlignedCrop: "An explanation needs the faces' aligned crops: create the FaceAnalyzer with the .alignedCrop task."
        }
    }
}

extension FaceAnalyzer {
    /// Occlusion-sensitivity maps of `a` and `b` (see ``SimilarityExplanation``): 2 · grid²
    /// extra embeddings, about 2 s for the default 7×7 on two cores.
    public func explainSimilarity(_ a: Face, _ b: Face, grid: Int = 7) throws -> SimilarityExplanation {
        precondition((2...28).contains(grid), "grid must be 2…28 cells per side")
        let embedder = try models.embedder.get()
        guard let cropA = a.alignedCrop, let cropB = b.alignedCrop else { throw ExplanationError.noAlignedCrop }
        let embeddings = try embedder.embed([cropA, cropB])
        let similarity = cosineSimilarity(embeddings[0], embeddings[1])
        func map(of crop: Image, against other: [Float]) throws -> [Float] {
            let occluded = Self.occlusions(of: crop, grid: grid)
            return try embedder.embed(occluded).map { similarity - cosineSimilarity($0, other) }
        }
        return SimilarityExplanation(similarity: similarity, grid: grid,
                                     mapA: try map(of: cropA, against: embeddings[1]), mapB: try map(of: cropB, against: embeddings[0]),
                                     cropA: cropA, cropB: cropB)
    }

    /// The explanation of how `a` and `b` were compared (``Face/maskAwareSimilarity(to:)``): the
    /// attention head's visible-face maps when the comparison went through the head (no extra
    /// embeddings), else occlusion maps (``explainSimilarity(_:_:grid:)``).
    public func explainComparison(_ a: Face, _ b: Face) throws -> SimilarityExplanation {
        if let (similarity, method) = a.maskAwareSimilarity(to: b), method == .attentionHead,
           let maps = SimilarityExplanation.attention(a, b, similarity: similarity) {
            return maps
        }
        return try explainSimilarity(a, b)
    }

    /// One copy of `crop` per cell with a square twice the cell's side, centred on the cell,
    /// filled with the crop's mean colour: overlapping squares give a smoother map than
    /// hiding exactly one cell, and a flat mean is what the embedder sees least information in.
    static func occlusions(of crop: Image, grid: Int) -> [Image] {
        var sums = (0, 0, 0)
        let pixels = crop.pixels
        for i in stride(from: 0, to: pixels.count, by: 3) {
            sums.0 += Int(pixels[i]); sums.1 += Int(pixels[i + 1]); sums.2 += Int(pixels[i + 2])
        }
        let n = max(1, pixels.count / 3)
        let mean = RGB(r: UInt8(sums.0 / n), g: UInt8(sums.1 / n), b: UInt8(sums.2 / n))
        let cell = Float(crop.width) / Float(grid)
        var out: [Image] = []
        out.reserveCapacity(grid * grid)
        for row in 0..<grid {
            for column in 0..<grid {
                var copy = crop
                copy.fillRectangle(Rect(x: (Float(column) - 0.5) * cell, y: (Float(row) - 0.5) * cell, width: 2 * cell, height: 2 * cell), color: mean)
                out.append(copy)
            }
        }
        return out
    }
}
