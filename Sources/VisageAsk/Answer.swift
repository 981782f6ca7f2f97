/// Visage's answer to a question: a sentence, a machine-readable value, how sure the model
/// behind it is, and which model or gallery produced it.
///
/// ```swift
/// let answer = Answerer(photo: photo).answer("How many people are in this photo?")
/// // answer.value == .number(6), answer.source == "yunet_2023mar"
/// ```
public struct Answer: Sendable, Hashable {
    /// A JSON-friendly value: yes/no questions give a Bool, numeric ones a number.
    public enum Value: Sendable, Hashable {
        case number(Double)
        case string(String)
        case bool(Bool)
    }

    public var question: String
    /// The answer as a sentence.
    public var text: String
    /// nil when Visage declines (``declined``) or cannot tell.
    public var value: Value?
    /// The model's probability for the answer; nil when the measurement has none (age in
    /// years, counts, pose, gallery similarity, the enrolment rules).
    public var confidence: Float?
    /// The model or gallery that produced the answer; "none" when declined.
    public var source: String
    /// The face the answer is about (numbered left to right), nil for whole-photo answers.
    public var face: Int?
    /// The question as understood.
    public var intent: Intent
    /// True when the question is outside what Visage can tell (or needs what was not given,
    /// such as a gallery); `text` says why.
    public var declined: Bool

    public init(question: String, text: String, value: Value?, confidence: Float? = nil, source: String, face: Int? = nil,
                intent: Intent, declined: Bool = false) {
        self.question = question
        self.text = text
        self.value = value
        self.confidence = confidence
        self.source = source
        self.face = face
        self.intent = intent
        self.declined = declined
    }
}
