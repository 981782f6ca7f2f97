import Foundation
import VisageCore

/// Photos of people with and without real masks: `DIR/<person>/{masked,unmasked}/*.jpg`
/// (`../shared/data/masked-people` has this shape), and the pairs built from them.
///
/// ```swift
/// let folders = try MaskedFolders(root: "../shared/data/masked-people")
/// let pairs = folders.pairs(seed: 1)
/// ```
public struct MaskedFolders: Sendable {
    /// One person's photos, paths sorted by bytes.
    public struct Person: Sendable, Hashable {
        public var name: String
        public var masked: [String]
        public var unmasked: [String]
    }

    /// Which photos a pair compares, by folder (not by what the mask classifier says).
    public enum Category: String, Sendable, Hashable, Codable, CaseIterable {
        /// A masked photo against an unmasked one (the masked one first).
        case maskedVersusUnmasked = "masked_vs_unmasked"
        /// Two unmasked photos.
        case unmaskedVersusUnmasked = "unmasked_vs_unmasked"
    }

    /// A pair of photos, its category and whether they show the same person.
    public struct Pair: Sendable, Hashable {
        public var first: String
        public var second: String
        public var same: Bool
        public var category: Category
    }

    public var root: String
    /// People with at least one photo, sorted by name.
    public var people: [Person]


    /// Reads the folder; a person without `masked/` or `unmasked/` has no photos of that kind.
    public init(root: String) throws(EvaluationError) {
        self.root = root
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: root) else {
            throw .missing(path: root, hint: "Give a folder of <person>/{masked,unmasked}/ photos, such as ../shared/data/masked-people.")
        }
        func photos(_ folder: String) -> [String] {
            ((try? manager.contentsOfDirectory(atPath: folder)) ?? [])
                .filter { !$0.hasPrefix(".") && ImageFormat.hasImageExtension($0) }
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                .map { folder + "/" + $0 }
        }
        people = names.filter { !$0.hasPrefix(".") }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.compactMap { name in
            let person = Person(name: name, masked: photos(root + "/" + name + "/masked"), unmasked: photos(root + "/" + name + "/unmasked"))
            return person.masked.isEmpty && person.unmasked.isEmpty ? nil : person
        }
        guard people.count >= 2 else {
            throw .empty(path: root, what: "pairs of people: it needs two or more <person>/{masked,unmasked}/ folders with photos (found \(people.count))")
        }
    }

    /// Every photo once.
    public var images: [String] { people.flatMap { $0.masked + $0.unmasked } }

    /// Every genuine pair (each masked photo against each unmasked photo of the same person;
    /// each two unmasked photos of the same person), and per category as many impostor pairs
    /// drawn at random (seeded) from photos of two different people, without repeats while
    /// there are enough distinct ones.
    public func pairs(seed: UInt64) -> [Pair] {
        var generator = SeededGenerator(seed: seed)
        var out: [Pair] = []
        for category in Category.allCases {
            var genuine: [Pair] = []
            for person in people {
                switch category {
                case .maskedVersusUnmasked:
                    for m in person.masked { for u in person.unmasked { genuine.append(Pair(first: m, second: u, same: true, category: category)) } }
                case .unmaskedVersusUnmasked:
                    for (i, a) in person.unmasked.enumerated() { for b in person.unmasked[(i + 1)...] { genuine.append(Pair(first: a, second: b, same: true, category: category)) } }
                }
            }
            out += genuine
            let firsts = people.indices.flatMap { p in (category == .maskedVersusUnmasked ? people[p].masked : people[p].unmasked).map { (p, $0) } }
            let seconds = people.indices.flatMap { p in people[p].unmasked.map { (p, $0) } }
            let possible = firsts.reduce(0) { total, first in total + seconds.count { $0.0 != first.0 } }
            guard possible > 0 else { continue }
            var drawn = Set<[String]>()
            var attempts = 0
            while drawn.count < min(genuine.count, possible), attempts < 100 * max(1, genuine.count) {
                attempts += 1
                let a = firsts.randomElement(using: &generator)!, b = seconds.randomElement(using: &generator)!
                guard a.0 != b.0 else { continue }
                // Two unmasked photos make the same pair in either order.
                let key = category == .unmaskedVersusUnmasked ? [a.1, b.1].sorted() : [a.1, b.1]
                guard drawn.insert(key).inserted else { continue }
                out.append(Pair(first: a.1, second: b.1, same: false, category: category))
            }
        }
        return out
    }
}
