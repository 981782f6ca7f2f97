import Testing
import VisageTestSupport
import Visage
import VisageCore
import VisageModels

/// The attention head through the pipeline: a real portrait, bare and with a rendered mask.
struct MaskedFaceAttentionTests {
    let analyzer: FaceAnalyzer
    let bare: Face
    let masked: Face
    let stranger: Face

    init() async throws {
        var configuration = FaceAnalyzer.Configuration()
        configuration.tasks = [.embedding, .mask, .maskedFaceEmbedding, .alignedCrop]
        configuration.fallbackScoreThreshold = 0.3
        analyzer = try FaceAnalyzer(configuration: configuration)
        let portrait = try Image(contentsOf: try Fixtures.sample("Tom_Hanks_54745.png"))
        bare = try #require(try await analyzer.analyze(portrait).largest)
        var maskedPortrait = portrait
        MaskRenderer().render(on: &maskedPortrait, landmarks: bare.landmarks, style: .surgicalBlue)
        masked = try #require(try await analyzer.analyze(maskedPortrait).largest)
        let group = try await analyzer.analyze(Image(contentsOf: try Fixtures.sample("t1.jpg")))
        stranger = try #require(group.first)
    }

    @Test func theClassifierSeesTheRenderedMask() {
        #expect(bare.mask?.label == .withoutMask)
        #expect(masked.mask?.label == .withMask)
    }

    @Test func aMaskedFaceIsComparedThroughTheHead() throws {
        let same = try #require(bare.maskAwareSimilarity(to: masked))
        #expect(same.method == .attentionHead)
        #expect(same.similarity >= Verification.defaultThreshold, "same person, one side masked: \(same.similarity)")
        let other = try #require(stranger.maskAwareSimilarity(to: masked))
        #expect(other.method == .attentionHead)
        #expect(other.similarity < Verification.defaultThreshold, "different people: \(other.similarity)")
        // Two bare faces keep SFace's own cosine.
        let plain = try #require(bare.maskAwareSimilarity(to: stranger))
        #expect(plain.method == .sface && plain.similarity == bare.similarity(to: stranger))
    }

    /// The masked-region branch covers the mouth and chin of the masked face (the bottom three
    /// rows of the 7×7 grid), less of its forehead, and little of the bare face.
    @Test func theMaskedRegionMapFindsTheMask() throws {
        func lowerRows(_ map: [Float]) -> Float { map[(4 * 7)...].reduce(0, +) / 21 }
        let maskedMap = try #require(masked.attention?.maskedRegion)
        let bareMap = try #require(bare.attention?.maskedRegion)
        #expect(lowerRows(maskedMap) > 0.5, "\(maskedMap)")
        #expect(lowerRows(bareMap) < 0.2, "\(bareMap)")
        #expect(maskedMap[0..<7].reduce(0, +) / 7 < 0.3, "forehead row: \(maskedMap[0..<7])")
    }

    /// The explanation of a comparison through the head is the head's visible-face maps: the
    /// masked face's mouth and chin weigh less than the bare face's.
    @Test func theExplanationIsTheVisibleFaceMap() throws {
        let similarity = try #require(bare.maskAwareSimilarity(to: masked)).similarity
        let explanation = try #require(SimilarityExplanation.attention(bare, masked, similarity: similarity))
        #expect(explanation.method == .attention && explanation.grid == 7 && explanation.scale == 1)
        func lowerRows(_ map: [Float]) -> Float { map[(4 * 7)...].reduce(0, +) / 21 }
        #expect(lowerRows(explanation.mapB) < lowerRows(explanation.mapA) - 0.3, "masked \(explanation.mapB) bare \(explanation.mapA)")
        let picture = explanation.rendered(threshold: Verification.defaultThreshold)
        #expect(picture.width > 2 * 224)
    }
}
