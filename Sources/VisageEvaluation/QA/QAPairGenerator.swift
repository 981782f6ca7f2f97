import VisageCore
import Foundation
import VisageAsk
import VisageJSON

/// Question-answer conversations about labelled faces, FairFaceGPT-style, for fine-tuning a
/// vision-language model elsewhere (LoRA, as in FaceLLM).
///
/// Each photo becomes one conversation in the common JSONL format (LLaVA's):
/// `{"image": path, "conversations": [{"from": "human", "value": "<image>\n…"}, {"from": "gpt", "value": "…"}, …]}`,
/// one turn pair per label, with the question and answer each drawn from several phrasings.
/// The same seed gives the same file.
///
/// ```swift
/// var generator = QAPairGenerator(seed: 7)
/// for face in try LabelledSets.utkface("../shared/data/utkface") { print(generator.conversation(for: face).jsonLine) }
/// ```
///
/// Answers state the labels as labels ("The person looks about 34 years old"), never more.
/// Race labels (UTKFace has them) are not turned into questions: Visage declines such
/// questions, and a model trained on these pairs should learn the same.
public struct QAPairGenerator: Sendable {
    private var generator: SeededGenerator

    public init(seed: UInt64 = 7) {
        generator = SeededGenerator(seed: seed)
    }

    public struct Turn: Sendable, Hashable {
        public var from: String
        public var value: String
    }

    public struct Conversation: Sendable, Hashable {
        public var image: String
        public var turns: [Turn]

        /// One JSON line, keys in the documented order.
        public var jsonLine: String {
            JSONValue.object([
                ("image", .string(image)),
                ("conversations", .array(turns.map { .object([("from", .string($0.from)), ("value", .string($0.value))]) })),
            ]).rendered
        }
    }

    /// A conversation covering every label of `face` that has templates, in a shuffled order;
    /// nil when none does.
    public mutating func conversation(for face: LabelledFace, imagePath: String? = nil) -> Conversation? {
        var pairs = face.labels.compactMap { pair(for: $0) }
        guard !pairs.isEmpty else { return nil }
        pairs.shuffle(using: &generator)
        var turns: [Turn] = []
        for (i, pair) in pairs.enumerated() {
            turns.append(Turn(from: "human", value: (i == 0 ? "<image>\n" : "") + pair.question))
            turns.append(Turn(from: "gpt", value: pair.answer))
        }
        return Conversation(image: imagePath ?? face.path, turns: turns)
    }

    private mutating func pick(_ options: [String]) -> String {
        options.randomElement(using: &generator)!
    }

    mutating func pair(for label: LabelledFace.Label) -> (question: String, answer: String)? {
        switch label {
        case let .age(age):
            if Bool.random(using: &generator) {
                let question = pick(["How old is the person in this photo?", "What is this person's age?", "Can you estimate how old this person is?",
                                     "About how old does this person look?", "What age would you give the person in the image?"])
                let answer = pick(["The person looks about \(age) years old.", "This person appears to be around \(age).",
                                   "They look roughly \(age) years old.", "About \(age) years old."])
                return (question, answer)
            }
            let band = AgeBands.decade(of: Float(age))
            let question = pick(["Which age group does this person belong to?", "What age range is the person in?",
                                 "In which decade of life is this person?", "Which age bracket fits the person in the image?"])
            let answer = pick(["The person is in the \(band) age group.", "They belong to the \(band) age range.", "\(band) years old."])
            return (question, answer)
        case let .gender(female):
            let word = female ? "female" : "male"
            let noun = female ? "woman" : "man"
            let question = pick(["What is the apparent gender of this person?", "Is the person in the photo male or female?",
                                 "Does this person appear to be a man or a woman?", "What gender does the person in the image present as?"])
            let answer = pick(["The person appears to be \(word).", "They appear \(word).", "This looks like a \(noun).", "The person presents as \(word)."])
            return (question, answer)
        case let .expression(label):
            let adjective = ["angry": "angry", "disgust": "disgusted", "fear": "afraid", "happy": "happy", "neutral": "neutral",
                             "sad": "sad", "surprise": "surprised"][label] ?? label
            if Bool.random(using: &generator), label != "neutral" {
                let question = pick(["Does this person look \(adjective)?", "Is the person's expression \(adjective)?", "Would you say this face looks \(adjective)?"])
                return (question, pick(["Yes, the face looks \(adjective).", "Yes, the expression is \(adjective)."]))
            }
            let question = pick(["What facial expression does this person show?", "How would you describe the expression on this face?",
                                 "Which emotion does this face express?", "What is the expression of the person in the image?"])
            let noun = ["angry": "anger", "disgust": "disgust", "fear": "fear", "happy": "happiness", "sad": "sadness", "surprise": "surprise"][label]
            let answer = pick([noun.map { "The face shows an expression of \($0)." } ?? "The face shows a neutral expression.",
                               "The expression looks \(adjective).", "A \(adjective) expression."])
            return (question, answer)
        case let .mask(wearing):
            let question = pick(["Is this person wearing a face mask?", "Does the person have a mask on?", "Is the face covered by a mask?",
                                 "Is a mask visible on this face?"])
            let answer = wearing
                ? pick(["Yes, the person is wearing a face mask.", "Yes, a mask covers the nose and mouth.", "Yes, they have a mask on."])
                : pick(["No, the person is not wearing a mask.", "No, the face is uncovered.", "No mask is visible."])
            return (question, answer)
        case let .attribute(name, value):
            guard let templates = Self.attributes[name] else { return nil }
            let question = pick(templates.questions)
            return (question, value ? pick(templates.yes) : pick(templates.no))
        }
    }

    /// CelebA attributes turned into questions: those that describe visible things; judgements
    /// of looks (`Attractive`, `Big_Nose`, `Chubby`, …) are left out.
    static let attributes: [String: (questions: [String], yes: [String], no: [String])] = [
        "Male": (["Does this person appear male?", "Is the person in the image a man?"],
                 ["Yes, the person appears male.", "Yes, this looks like a man."], ["No, the person appears female.", "No, this looks like a woman."]),
        "Young": (["Does this person look young?", "Is the person in the picture young?"],
                  ["Yes, the person looks young.", "Yes, they appear young."], ["No, the person does not look young.", "No, they look older."]),
        "Smiling": (["Is this person smiling?", "Is there a smile on this face?", "Does the person smile?"],
                    ["Yes, the person is smiling.", "Yes, there is a smile."], ["No, the person is not smiling.", "No, there is no smile."]),
        "Eyeglasses": (["Is this person wearing glasses?", "Does the person have eyeglasses on?"],
                       ["Yes, the person wears glasses.", "Yes, eyeglasses are visible."], ["No, the person is not wearing glasses.", "No glasses are visible."]),
        "Wearing_Hat": (["Is the person wearing a hat?", "Does this person have a hat on?"],
                        ["Yes, the person wears a hat.", "Yes, there is a hat."], ["No, there is no hat.", "No, the person is not wearing a hat."]),
        "Mustache": (["Does this person have a mustache?", "Is there a mustache on this face?"],
                     ["Yes, the person has a mustache.", "Yes, a mustache is visible."], ["No, there is no mustache.", "No, the person has no mustache."]),
        "No_Beard": (["Does this person have a beard?", "Is the person bearded?"],
                     ["No, the person has no beard.", "No beard is visible."], ["Yes, the person has a beard.", "Yes, a beard is visible."]),
        "Bald": (["Is this person bald?", "Is the person's head bald?"], ["Yes, the person is bald."], ["No, the person is not bald.", "No, they have hair."]),
        "Wearing_Lipstick": (["Is the person wearing lipstick?", "Does this person have lipstick on?"],
                             ["Yes, lipstick is visible."], ["No, there is no lipstick."]),
        "Blond_Hair": (["Does this person have blond hair?", "Is the person's hair blond?"], ["Yes, the hair is blond."], ["No, the hair is not blond."]),
        "Black_Hair": (["Does this person have black hair?", "Is the person's hair black?"], ["Yes, the hair is black."], ["No, the hair is not black."]),
        "Gray_Hair": (["Does this person have grey hair?", "Is the person's hair grey?"], ["Yes, the hair is grey."], ["No, the hair is not grey."]),
        "Mouth_Slightly_Open": (["Is the person's mouth open?", "Is this person's mouth slightly open?"], ["Yes, the mouth is slightly open."], ["No, the mouth is closed."]),
        "Wearing_Earrings": (["Is the person wearing earrings?"], ["Yes, earrings are visible."], ["No earrings are visible."]),
    ]
}
