extension Array {
    /// Inserts `item` where `before` puts it, keeping the array sorted by `before` and at most
    /// `count` long (after equal items: the earlier of two equals stays): the highest or lowest
    /// few of a stream too long to keep whole, such as every pair of a data set.
    mutating func keepFirst(_ item: Element, count: Int, by before: (Element, Element) -> Bool) {
        guard count > 0 else { return }
        if self.count == count, let last, !before(item, last) { return }
        insert(item, at: firstIndex { before(item, $0) } ?? endIndex)
        if self.count > count { removeLast() }
    }
}
