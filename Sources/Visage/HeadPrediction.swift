/// What a custom head (a classifier trained on a user's own labelled photos, see the
/// `VisageHeads` module) says about one face: the winning label and every label's probability.
///
/// The analyzer runs the heads a call gives it (``CustomHead``) and fills ``Face/heads``.
public struct HeadPrediction: Sendable, Equatable {
    /// The head's name (by default its file's name without `.json`).
    public var head: String
    /// The most probable label.
    public var label: String
    /// Every label with its probability, in the head's label order; they sum to 1.
    public var scores: [(label: String, probability: Float)]
    /// For a head whose labels stand for numbers (an age head's bands stand for ages): the
    /// probability-weighted mean of those numbers; nil for a plain classifier.
    public var value: Float?

    public init(head: String, label: String, scores: [(label: String, probability: Float)], value: Float? = nil) {
        self.head = head
        self.label = label
        self.scores = scores
        self.value = value
    }

    public static func == (lhs: HeadPrediction, rhs: HeadPrediction) -> Bool {
        lhs.head == rhs.head && lhs.label == rhs.label && lhs.value == rhs.value
            && lhs.scores.map(\.label) == rhs.scores.map(\.label) && lhs.scores.map(\.probability) == rhs.scores.map(\.probability)
    }
}
