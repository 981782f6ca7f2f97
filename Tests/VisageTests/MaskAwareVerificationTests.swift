import Foundation
import Testing
import Visage
import VisageCore
import VisageJSON
import VisageModels

/// `Verification(comparing:with:)`: the threshold follows the pair's mask condition, and the
/// result says which faces were called masked.
struct MaskAwareVerificationTests {
    static func face(masked: Bool?, embedding: [Float], head: [Float]) -> Face {
        var face = Face(detection: Detection(box: Rect(x: 0, y: 0, width: 10, height: 10), score: 0.9, landmarks: []))
        face.embedding = embedding
        face.maskedFaceEmbedding = head
        face.mask = masked.map { MaskEstimate(label: $0 ? .withMask : .withoutMask, score: 0.99) }
        return face
    }

    static let x: [Float] = [1, 0], y: [Float] = [0.8, 0.6]

    @Test func eachConditionHasItsThreshold() throws {
        let bare = Self.face(masked: false, embedding: Self.x, head: Self.x)
        let masked = Self.face(masked: true, embedding: Self.y, head: Self.y)
        let thresholds = Verification.Thresholds()

        let plain = try #require(Verification(comparing: bare, with: bare))
        #expect(plain.condition == .unmasked && plain.method == .sface && plain.threshold == thresholds.unmasked)
        #expect(plain.firstMasked == false && plain.secondMasked == false)

        let one = try #require(Verification(comparing: bare, with: masked))
        #expect(one.condition == .oneMasked && one.method == .attentionHead && one.threshold == thresholds.oneMasked)
        #expect(one.firstMasked == false && one.secondMasked == true)
        #expect(abs(one.similarity - 0.8) < 1e-6 && one.same == (0.8 >= thresholds.oneMasked))

        let both = try #require(Verification(comparing: masked, with: masked))
        #expect(both.condition == .bothMasked && both.threshold == thresholds.bothMasked)

        // A threshold the caller fixes wins over the condition's.
        #expect(Verification(comparing: bare, with: masked, threshold: 0.9)?.threshold == 0.9)
        #expect(Verification(comparing: bare, with: masked, threshold: 0.9)?.same == false)
    }

    /// Without the mask classifier's call nothing counts as masked, and SFace keeps its threshold.
    @Test func facesWithoutAMaskCallAreComparedAsBare() throws {
        let a = Self.face(masked: nil, embedding: Self.x, head: Self.x), b = Self.face(masked: nil, embedding: Self.y, head: Self.y)
        let v = try #require(Verification(comparing: a, with: b))
        #expect(v.condition == .unmasked && v.method == .sface && v.threshold == Verification.defaultThreshold)
        #expect(v.firstMasked == nil && v.secondMasked == nil)
    }

    @Test func theJSONSaysTheConditionAndWhichFaceWasMasked() throws {
        let v = try #require(Verification(comparing: Self.face(masked: false, embedding: Self.x, head: Self.x),
                                          with: Self.face(masked: true, embedding: Self.y, head: Self.y)))
        let text = v.json.rendered
        for needle in ["\"method\":\"attention_head\"", "\"condition\":\"one_masked\"", "\"first_masked\":false", "\"second_masked\":true",
                       "\"threshold\":\(Verification.oneMaskedThreshold)"] {
            #expect(text.replacingOccurrences(of: " ", with: "").contains(needle), "\(needle) in \(text)")
        }
    }
}
