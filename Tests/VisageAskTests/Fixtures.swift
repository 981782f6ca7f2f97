import Foundation
import Testing
import Visage
import VisageAsk
import VisageTestSupport

/// What the Ask tests add to the shared fixtures: sample photos analysed as `visage ask` sees
/// them (the models load once per process), and the committed fixture files.
extension Fixtures {
    static let analyzer: FaceAnalyzer? = try? FaceAnalyzer()

    /// The measured analysis of a sample photo, as `visage ask` builds it.
    static func photo(_ name: String) async throws -> PhotoAnalysis {
        let path = try sample(name)
        let analyzer = try #require(analyzer, "models missing: run `make setup`")
        let analyzed = try await analyzer.analyze(contentsOf: path)
        return PhotoAnalysis(faces: analyzed.faces, width: analyzed.width, height: analyzed.height)
    }

    static let fixtureDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
}
