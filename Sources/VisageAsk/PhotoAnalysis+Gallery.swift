public import Visage
public import VisageGallery

extension PhotoAnalysis {
    /// The photo's measurements with each face looked up in `gallery`, so that `describe` can
    /// name people and `ask` can answer "is this NAME?".
    ///
    /// Every enrolled person is a candidate, so an answer can tell "enrolled, but the score is
    /// low" from "not enrolled". Faces without an embedding get no identity.
    public static func identifying(faces: [Face], width: Int, height: Int, in gallery: Gallery, galleryName: String,
                                   attributeModels: AttributeModels = .init()) async throws -> PhotoAnalysis {
        let everyone = max(1, try await gallery.people().count)
        let results = try await gallery.identify(faces: faces.filter { $0.embedding != nil }, topK: everyone)
        var remaining = results[...]
        let identities: [IdentityFact?] = faces.map { face in
            guard face.embedding != nil, let result = remaining.popFirst() else { return nil }
            return IdentityFact(name: result.match?.name, personID: result.match?.personID, candidates: result.candidates.map { .init(name: $0.name, similarity: $0.similarity) },
                                threshold: result.threshold, gallery: galleryName)
        }
        return PhotoAnalysis(faces: faces, width: width, height: height, identities: identities, gallery: galleryName,
                             attributeModels: attributeModels)
    }
}
