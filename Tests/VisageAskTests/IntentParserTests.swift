import Testing
import VisageModels
@testable import VisageAsk

/// The parser on many phrasings: each row is a question and the intent it must be read as.
struct IntentParserTests {
    static let cases: [(String, Intent)] = [
        // Counting
        ("How many people are in this photo?", .count(nil)),
        ("how many faces can you see", .count(nil)),
        ("What's the number of people here?", .count(nil)),
        ("Is there anyone in the picture?", .count(nil)),
        ("How many women are there?", .count(.female)),
        ("How many men are in the photo?", .count(.male)),
        ("How many people are smiling?", .count(.smiling)),
        ("Who is smiling?", .count(.smiling)),
        ("How many people wear a mask?", .count(.masked)),
        ("Who is wearing a mask?", .count(.masked)),
        // Age
        ("How old is she?", .age),
        ("How old is the person on the left?", .age),
        ("What age is he?", .age),
        ("Can you estimate his age?", .age),
        ("Which age group is she in?", .ageGroup),
        ("What is the age range of this person?", .ageGroup),
        ("Is she a child?", .ageCheck(.child)),
        ("Is this a kid?", .ageCheck(.child)),
        ("Is he a teenager?", .ageCheck(.teenager)),
        ("Is she an adult?", .ageCheck(.adult)),
        ("Is he a minor?", .ageCheck(.minor)),
        ("Is the person elderly?", .ageCheck(.senior)),
        ("Is the person in the image young?", .ageCheck(.young)),
        ("Is he over 40?", .ageCheck(AgeRange(40..<200, "over 40"))),
        ("Is she under 18?", .ageCheck(AgeRange(0..<18, "under 18"))),
        ("Is he older than 65?", .ageCheck(AgeRange(65..<200, "over 65"))),
        ("Is she in her thirties?", .ageCheck(AgeRange(30..<40, "in the thirties"))),
        ("Is he in his 20s?", .ageCheck(AgeRange(20..<30, "in the 20s"))),
        // Gender
        ("Is this a man or a woman?", .gender),
        ("What is the gender of the person in the image?", .gender),
        ("Male or female?", .gender),
        ("Is this a woman?", .isGender(.female)),
        ("Is the person in the image male?", .isGender(.male)),
        ("Is that a boy?", .isGender(.male)),
        ("Is the person on the right a girl?", .isGender(.female)),
        // Expression
        ("Is she smiling?", .isExpression("happy")),
        ("Is the woman on the right smiling?", .isExpression("happy")),
        ("Does he look happy?", .isExpression("happy")),
        ("Is he laughing?", .isExpression("happy")),
        ("Does she look sad?", .isExpression("sad")),
        ("Is he angry?", .isExpression("angry")),
        ("Does she look surprised?", .isExpression("surprise")),
        ("Is he scared?", .isExpression("fear")),
        ("Does the face look disgusted?", .isExpression("disgust")),
        ("What is her expression?", .expression),
        ("Which facial expression does the person in the image show?", .expression),
        ("What emotion is he showing?", .expression),
        // Mask
        ("Is he wearing a mask?", .mask),
        ("Does she have a face mask on?", .mask),
        ("Is the person in the image wearing a mask?", .mask),
        // Superlatives
        ("Who is the oldest?", .superlative(.oldest)),
        ("Which face is the youngest?", .superlative(.youngest)),
        ("Who is the happiest person here?", .superlative(.happiest)),
        ("Which face is the largest?", .superlative(.largest)),
        ("Who is closest to the camera?", .superlative(.largest)),
        // Enrolment, sharpness, pose
        ("Is this photo good enough for enrolment?", .enrollment),
        ("Can I enroll this picture?", .enrollment),
        ("Is this a good passport photo?", .enrollment),
        ("Is the image quality ok for face recognition?", .enrollment),
        ("Is the photo blurry?", .blur(askedBlurred: true)),
        ("Is the face in focus?", .blur(askedBlurred: false)),
        ("Is she looking at the camera?", .isFrontal),
        ("Which way is he looking?", .pose),
        ("Is his head turned?", .pose),
        // Identity
        ("Who is this?", .identity(nil)),
        ("What is her name?", .identity(nil)),
        ("What's his name?", .identity(nil)),
        ("Do you know who this is?", .identity(nil)),
        ("Is this Tom Hanks?", .identity("Tom Hanks")),
        ("Is the person on the left Ada Lovelace?", .identity("Ada Lovelace")),
        ("is this tom hanks", .identity("Tom Hanks")),
        ("Is that Ludwig van Beethoven?", .identity("Ludwig van Beethoven")),
    ]

    @Test(arguments: cases)
    func understands(_ question: String, _ expected: Intent) {
        #expect(Question(question).intent == expected, "\(question)")
    }

    /// Questions Visage must decline, with the topic it names.
    static let declined: [(String, String)] = [
        ("What race is she?", "race or ethnicity"),
        ("Is he Asian?", "race or ethnicity"),
        ("What is her ethnicity?", "race or ethnicity"),
        ("Where is he from?", "race or ethnicity"),
        ("Is he lying?", "deception"),
        ("Is she telling the truth?", "deception"),
        ("Is he honest?", "deception"),
        ("Is she attractive?", "attractiveness"),
        ("Is he trustworthy?", "personality or character"),
        ("Is this person a criminal?", "personality or character"),
        ("Is she pregnant?", "health"),
        ("Is he gay?", "sexual orientation or gender identity"),
        ("What religion is she?", "religion"),
        ("How does she feel?", "feelings"),
        ("Is he depressed?", "feelings"),
        ("Is she nervous?", "feelings"),
        ("Is he wearing glasses?", "glasses"),
        ("Is the person in the image wearing eyeglasses?", "glasses"),
        ("Is the person in the image wearing a hat?", "headwear"),
        ("Does the person in the image have a mustache?", "facial hair"),
        ("Is the person in the image bald?", "hair"),
        ("What colour is her hair?", "hair"),
        ("What is he wearing?", "clothing"),
        ("What's the weather like?", "not understood"),
        ("", "not understood"),
    ]

    @Test(arguments: declined)
    func declines(_ question: String, _ topic: String) {
        guard case let .outside(outside) = Question(question).intent else {
            Issue.record("\"\(question)\" was read as \(Question(question).intent), not declined")
            return
        }
        #expect(outside.topic == topic, "\(question)")
    }

    static let selectors: [(String, FaceSelector)] = [
        ("Is the person on the left smiling?", FaceSelector(position: .left)),
        ("How old is the man on the right?", FaceSelector(position: .right, gender: .male)),
        ("Is the woman in the middle happy?", FaceSelector(position: .centre, gender: .female)),
        ("How old is face 3?", FaceSelector(ordinal: 3)),
        ("How old is #2?", FaceSelector(ordinal: 2)),
        ("Is the second person from the right a woman?", FaceSelector(ordinal: 2, fromRight: true)),
        ("How old is the third person?", FaceSelector(ordinal: 3)),
        ("How old is the leftmost face?", FaceSelector(position: .left)),
        ("How old is she?", FaceSelector()),
        ("Is his head turned to the left?", FaceSelector()),
    ]

    @Test(arguments: selectors)
    func picksTheFace(_ question: String, _ expected: FaceSelector) {
        #expect(Question(question).target == expected, "\(question)")
    }

    @Test func yesNoIntentsAreMarked() {
        #expect(Question("Is she smiling?").intent.isYesNo)
        #expect(Question("Is this Tom Hanks?").intent.isYesNo)
        #expect(!Question("Who is this?").intent.isYesNo)
        #expect(!Question("How many people are here?").intent.isYesNo)
    }
}
