import VisageCore

extension Array {
    /// Up to `count` elements chosen without replacement, in a seeded order.
    func sample(_ count: Int, using generator: inout SeededGenerator) -> [Element] {
        Array(shuffled(using: &generator).prefix(count))
    }
}
