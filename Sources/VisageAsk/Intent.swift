public import VisageModels

/// What a question asks for, in terms of what Visage measures.
///
/// Every case but ``outside(_:)`` maps to a measurement (a model output, the landmarks, the
/// detector, a gallery); ``outside(_:)`` carries the reason Visage declines.
public enum Intent: Sendable, Hashable {
    /// "How old is she?": apparent age in years.
    case age
    /// "Which age group is he in?": the decade band.
    case ageGroup
    /// "Is she a child?", "Is he over 40?": whether apparent age lies in a range.
    case ageCheck(AgeRange)
    /// "Is this a man or a woman?": apparent gender.
    case gender
    /// "Is this a woman?": whether apparent gender is the one named.
    case isGender(GenderLabel)
    /// "What is her expression?".
    case expression
    /// "Is she smiling?", "Does he look angry?": whether the expression is the FER2013 label named.
    case isExpression(String)
    /// "Is he wearing a mask?".
    case mask
    /// "How many people are in this photo?", "How many are smiling?", "Who is wearing a mask?".
    case count(CountFilter?)
    /// "Who is the oldest?": which face.
    case superlative(Superlative)
    /// "Is this photo good enough for enrolment?".
    case enrollment
    /// "Is the photo blurry?" (`askedBlurred` true) or "Is it sharp?" (false).
    case blur(askedBlurred: Bool)
    /// "Which way is she looking?".
    case pose
    /// "Is he looking at the camera?".
    case isFrontal
    /// "Who is this?" (nil) or "Is this Ada Lovelace?" (the name); needs a gallery.
    case identity(String?)
    /// A question Visage does not answer, and why.
    case outside(Outside)

    /// Whether the answer is yes or no (`value` is a Bool).
    public var isYesNo: Bool {
        switch self {
        case .ageCheck, .isGender, .isExpression, .mask, .enrollment, .blur, .isFrontal: true
        case let .identity(name): name != nil
        default: false
        }
    }
}

/// An age range with the words that name it ("a child", "over 40").
public struct AgeRange: Sendable, Hashable {
    public var range: Range<Float>
    public var words: String

    public init(_ range: Range<Float>, _ words: String) {
        self.range = range
        self.words = words
    }

    /// Under 13.
    public static let child = AgeRange(0..<13, "a child")
    public static let teenager = AgeRange(13..<20, "a teenager")
    public static let adult = AgeRange(18..<200, "an adult")
    public static let minor = AgeRange(0..<18, "under 18")
    public static let senior = AgeRange(65..<200, "a senior (65 or over)")
    public static let old = AgeRange(60..<200, "old (60 or over)")
    /// Under 35: "young adult" in the sense of 18–34 used by census bureaus, extended down to
    /// children. Chosen before looking at any labelled data (CelebA's `Young` is a judgement
    /// by annotators with no stated age).
    public static let young = AgeRange(0..<35, "young (under 35)")
}

/// Which faces a counting question counts.
public enum CountFilter: String, Sendable, Hashable {
    case female, male, smiling, masked
}

/// "Who is the …est?".
public enum Superlative: String, Sendable, Hashable {
    case oldest, youngest, happiest, largest
}

/// Why a question is outside what Visage can tell.
public struct Outside: Sendable, Hashable {
    /// A short name of the topic ("race or ethnicity", "glasses", "not understood").
    public var topic: String
    /// The sentence the answer gives.
    public var reason: String

    public init(topic: String, reason: String) {
        self.topic = topic
        self.reason = reason
    }
}

/// Which face a question is about.
public struct FaceSelector: Sendable, Hashable {
    public enum Position: String, Sendable, Hashable {
        case left, right, centre, top, bottom
    }

    /// Face number counted from the left (1-based), or from the right when ``fromRight``.
    public var ordinal: Int?
    public var fromRight = false
    public var position: Position?
    /// "the woman", "the man": restricts to faces of that apparent gender.
    public var gender: GenderLabel?

    public init(ordinal: Int? = nil, fromRight: Bool = false, position: Position? = nil, gender: GenderLabel? = nil) {
        self.ordinal = ordinal
        self.fromRight = fromRight
        self.position = position
        self.gender = gender
    }
}

/// A question, understood: its text, what it asks and which face it is about.
///
/// ```swift
/// let q = Question("Is the person on the left smiling?")
/// // q.intent == .isExpression("happy"), q.target.position == .left
/// ```
public struct Question: Sendable, Hashable {
    public var text: String
    public var intent: Intent
    public var target: FaceSelector

    public init(_ text: String) {
        self.text = text
        (intent, target) = IntentParser.parse(text)
    }

    public init(text: String, intent: Intent, target: FaceSelector = .init()) {
        self.text = text
        self.intent = intent
        self.target = target
    }
}
