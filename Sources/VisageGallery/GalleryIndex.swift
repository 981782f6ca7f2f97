/// The search side of a gallery: a ``VectorIndex`` of every template plus who each row belongs to.
///
/// A person's score is their best template's. To return the top `k` people it asks the
/// vector index for the top `k × m` templates, where `m` is the most templates any one person
/// has: each person ranked above the `k`-th best person holds at most `m` of the templates
/// scoring above it, so those `k × m` rows contain every top-`k` person's best template.
public struct GalleryIndex: Sendable {
    public struct Candidate: Sendable, Hashable {
        public var personID: Int64
        public var similarity: Float
        /// The template that gave the score.
        public var templateID: Int64
    }

    public private(set) var vectors: VectorIndex
    private var templateIDs: [Int64] = []
    private var personIDs: [Int64] = []
    private var templatesPerPerson: [Int64: Int] = [:]
    private var knownTemplates: Set<Int64> = []

    /// - Parameter invertedThreshold: templates above which the vector index becomes an inverted
    ///   file with fast-scan codes (``VectorIndex/defaultInvertedThreshold`` by default).
    public init(dimension: Int, invertedThreshold: Int = VectorIndex.defaultInvertedThreshold) {
        vectors = VectorIndex(dimension: dimension, invertedThreshold: invertedThreshold)
    }

    public var templateCount: Int { vectors.count }
    public var personCount: Int { templatesPerPerson.count }
    public var dimension: Int { vectors.dimension }

    /// Adds a template; one whose id is already in the index is skipped, so that replaying a
    /// store's changes over the gallery's own writes adds nothing twice.
    public mutating func add(_ template: Template) {
        guard knownTemplates.insert(template.id).inserted else { return }
        vectors.append(template.embedding)
        templateIDs.append(template.id)
        personIDs.append(template.personID)
        templatesPerPerson[template.personID, default: 0] += 1
    }

    public mutating func removePerson(_ personID: Int64) {
        let rows = Set(personIDs.indices.filter { personIDs[$0] == personID })
        guard !rows.isEmpty else { return }
        vectors.remove(rows: rows)
        for row in rows { knownTemplates.remove(templateIDs[row]) }
        templateIDs = templateIDs.indices.filter { !rows.contains($0) }.map { templateIDs[$0] }
        personIDs = personIDs.indices.filter { !rows.contains($0) }.map { personIDs[$0] }
        templatesPerPerson[personID] = nil
    }

    /// The `k` people whose best template is most similar to `embedding`, best first.
    public func search(_ embedding: [Float], k: Int, mode: VectorIndex.Mode = .exact) -> [Candidate] {
        guard k > 0, vectors.count > 0 else { return [] }
        // No more people than templates: a huge k (`identify --top-k` of Int.max) overflowed `k * perPerson`.
        let k = min(k, vectors.count)
        let perPerson = templatesPerPerson.values.max() ?? 1
        var seen = Set<Int64>()
        var candidates: [Candidate] = []
        for hit in vectors.search(embedding, k: min(vectors.count, k * perPerson), mode: mode) {
            let person = personIDs[hit.row]
            guard seen.insert(person).inserted else { continue }
            candidates.append(Candidate(personID: person, similarity: hit.score, templateID: templateIDs[hit.row]))
            if candidates.count == k { break }
        }
        return candidates
    }
}
