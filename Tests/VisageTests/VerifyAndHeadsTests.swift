import Foundation
import Testing
import VisageTestSupport
import Visage
import VisageCore
import VisageModels

/// The library's one verification path (`FaceAnalyzer.verify`, which `visage verify` and the
/// service call) and custom heads given per call.
struct VerifyAndHeadsTests {
    /// An analyzer that computes nothing by itself: every call names its own tasks.
    static let analyzer = Result { try FaceAnalyzer(configuration: { var c = FaceAnalyzer.Configuration(); c.tasks = []; return c }()) }

    @Test func aPortraitMatchesItselfAndTheGroupPhotoDoesNot() async throws {
        let analyzer = try Self.analyzer.get()
        let portrait = try Image(contentsOf: Fixtures.sample("Tom_Hanks_54745.png"))
        let group = try Image(contentsOf: Fixtures.sample("t1.jpg"))

        let same = try await analyzer.verify(portrait, portrait)
        #expect(same.verification.same && same.verification.method == .sface)
        #expect(same.verification.threshold == Verification.defaultThreshold)
        #expect(same.verification.firstMasked == false && same.verification.secondMasked == false)
        #expect(same.first.maskedFaceEmbedding != nil && same.explanation == nil)

        // Plain matching runs no mask classifier: the flags stay nil.
        let plain = try await analyzer.verify(portrait, group, options: .init(maskMatching: .plain, threshold: 0.5))
        #expect(!plain.verification.same && plain.verification.threshold == 0.5)
        #expect(plain.verification.firstMasked == nil && plain.first.mask == nil)
    }

    @Test func anImageWithoutAFaceSaysWhichOne() async throws {
        let analyzer = try Self.analyzer.get()
        let portrait = try Image(contentsOf: Fixtures.sample("Tom_Hanks_54745.png"))
        let blank = Image(width: 160, height: 120, color: RGB(r: 128, g: 128, b: 128))
        await #expect(throws: VerificationError.noFace(.second)) { try await analyzer.verify(portrait, blank) }
        await #expect(throws: VerificationError.noFace(.first)) { try await analyzer.verify(blank, portrait) }
    }

    /// A head that reads the SFace embedding's first value.
    struct SignHead: CustomHead {
        var requiredTasks: FaceAnalyzer.Tasks { .embedding }
        func predict(_ face: Face) -> HeadPrediction? {
            guard let first = face.embedding?.first else { return nil }
            let positive: Float = first >= 0 ? 1 : 0
            return HeadPrediction(head: "sign", label: first >= 0 ? "positive" : "negative",
                                  scores: [("positive", positive), ("negative", 1 - positive)])
        }
    }

    @Test func headsGivenPerCallRunOnTheFeaturesTheyNeed() async throws {
        let analyzer = try Self.analyzer.get()
        let group = try Image(contentsOf: Fixtures.sample("t1.jpg"))
        // The call asks for age only; the head's embedding is computed for it.
        let faces = try await analyzer.analyze(group, tasks: [.age], heads: [SignHead()])
        #expect(!faces.isEmpty)
        for face in faces {
            #expect(face.age != nil && face.embedding != nil)
            #expect(face.heads.count == 1 && face.heads[0].head == "sign")
            #expect(face.heads[0].label == ((face.embedding?.first ?? 0) >= 0 ? "positive" : "negative"))
        }
        // Without heads nothing is added, and the head's features are not computed.
        let bare = try await analyzer.analyze(group, tasks: [.age])
        #expect(bare.allSatisfy { $0.heads.isEmpty && $0.embedding == nil })
        #expect(FaceAnalyzer.Tasks([.age]).adding([SignHead()]) == [.age, .embedding])
    }
}
