import Testing
import Visage
import VisageTestSupport
import VisageCore
import VisageModels
@testable import VisageAsk

/// Answers composed from the real analysis of the sample photos (t1.jpg: six people).
struct AnswererTests {
    @Test func countsTheGroupPhoto() async throws {
        let photo = try await Fixtures.photo("t1.jpg")
        let answer = Answerer(photo: photo).answer("How many people are in this photo?")
        #expect(answer.value == .number(6))
        #expect(answer.text.hasPrefix("There are 6 faces"))
        #expect(answer.source == "yunet_2023mar")
        #expect(!answer.declined)
    }

    /// A photo in which the detector found nobody: a filtered count has no answer (not "0 of 0").
    @Test func filteredCountWithoutFacesHasNoValue() {
        let photo = PhotoAnalysis(width: 640, height: 480, faces: [])
        for question in ["Is anyone wearing a mask?", "How many women are there?"] {
            let answer = Answerer(photo: photo).answer(question)
            #expect(answer.value == nil, "\(question): \(answer.text)")
            #expect(answer.text.contains("no face"), "\(question): \(answer.text)")
        }
        #expect(Answerer(photo: photo).answer("How many people are in this photo?").value == .number(0))
    }

    @Test func facesAreNumberedLeftToRight() async throws {
        let photo = try await Fixtures.photo("t1.jpg")
        #expect(photo.faces.map(\.number) == Array(1...6))
        let xs = photo.faces.map(\.box.center.x)
        #expect(xs == xs.sorted())
    }

    @Test func answersForTheLargestFaceAndSaysSo() async throws {
        let photo = try await Fixtures.photo("t1.jpg")
        let answer = Answerer(photo: photo).answer("How old is she?")
        let largest = try #require(photo.largest)
        #expect(answer.face == largest.number)
        #expect(answer.text.contains("this answer is about the largest, face \(largest.number)"))
        #expect(answer.value == .number(Double(largest.age!.rounded())))
        #expect(answer.source == "age-sface-head")
        #expect(answer.text.contains("typical error is ±5 years"))
    }

    @Test func answersAboutThePersonOnTheLeft() async throws {
        let photo = try await Fixtures.photo("t1.jpg")
        let answer = Answerer(photo: photo).answer("How old is the person on the left?")
        #expect(answer.face == 1)
        #expect(answer.text.hasPrefix("Face 1 (on the left"))
        #expect(answer.value == .number(Double(photo.faces[0].age!.rounded())))
    }

    @Test func genderIsABoolForYesNoQuestions() async throws {
        let photo = try await Fixtures.photo("t1.jpg")
        let first = photo.faces[0]
        let answer = Answerer(photo: photo).answer("Is face 1 a woman?")
        #expect(answer.value == .bool(first.gender!.label == .female))
        #expect(answer.confidence == first.gender!.score)
        #expect(answer.source == "gender-sface-head")
    }

    /// An analyzer set to another age-and-gender model (`--age-gender stacked` or `separate`):
    /// answers name that model and quote its error, not the default head's.
    @Test func answersNameTheModelThatMeasured() async throws {
        var photo = try await Fixtures.photo("t1.jpg")
        photo.attributeModels = AttributeModels(age: .separateNetwork, gender: .stacked)
        let age = Answerer(photo: photo).answer("How old is face 1?")
        #expect(age.source == "age-v1")
        #expect(age.text.contains("typical error is ±6 years"))
        #expect(Answerer(photo: photo).answer("Is face 1 a woman?").source == "gender-sface-head + gender-v1 (stacked)")
        var crops = FaceAnalyzer.Configuration()
        crops.ageModel = .stacked
        crops.input = .faceCrop
        #expect(AttributeModels(crops) == AttributeModels(age: .separateNetwork, gender: .separateNetwork))
    }

    @Test func oldestIsTheFaceWithTheHighestAge() async throws {
        let photo = try await Fixtures.photo("t1.jpg")
        let oldest = photo.faces.max { $0.age! < $1.age! }!
        let answer = Answerer(photo: photo).answer("Who is the oldest?")
        #expect(answer.value == .number(Double(oldest.number)))
        let youngest = photo.faces.min { $0.age! < $1.age! }!
        #expect(Answerer(photo: photo).answer("Which face is the youngest?").value == .number(Double(youngest.number)))
    }

    @Test func groupPhotoIsNotForEnrolment() async throws {
        let photo = try await Fixtures.photo("t1.jpg")
        let answer = Answerer(photo: photo).answer("Is this photo good enough for enrolment?")
        #expect(answer.value == .bool(false))
        #expect(answer.text.contains("the photo has 6 faces"))
    }

    @Test func outOfRangeFaceNumberIsDeclined() async throws {
        let photo = try await Fixtures.photo("t1.jpg")
        for (question, number) in [("How old is face 9?", 9), ("How old is face 0?", 0), ("Is the 7th from the right smiling?", 7)] {
            let answer = Answerer(photo: photo).answer(question)
            #expect(answer.declined)
            #expect(answer.value == nil)
            let side = question.contains("right") ? "right" : "left"
            #expect(answer.text == "This photo has 6 faces, numbered 1 to 6 from the \(side), so there is no number \(number).", "\(answer.text)")
        }
    }

    @Test(arguments: ["What is her name?", "Is this Tom Hanks?", "Who is this?"])
    func identityNeedsAGallery(_ question: String) async throws {
        let photo = try await Fixtures.photo("Tom_Hanks_54745.png")
        let answer = Answerer(photo: photo).answer(question)
        #expect(answer.declined)
        #expect(answer.value == nil)
        #expect(answer.source == "none")
        #expect(answer.text.contains("--gallery"))
    }

    @Test(arguments: ["What race is he?", "Is he lying?", "Is he wearing glasses?", "Is he attractive?"])
    func declinesWhatItDoesNotMeasure(_ question: String) async throws {
        let photo = try await Fixtures.photo("Tom_Hanks_54745.png")
        let answer = Answerer(photo: photo).answer(question)
        #expect(answer.declined)
        #expect(answer.value == nil)
        #expect(answer.confidence == nil)
    }

    @Test func maskIsAnsweredFromTheMaskModel() async throws {
        let photo = try await Fixtures.photo("Tom_Hanks_54745.png")
        let answer = Answerer(photo: photo).answer("Is he wearing a mask?")
        #expect(!answer.declined)
        #expect(answer.value == .bool(false) && answer.source == "mask-classifier")
        #expect(answer.text.hasPrefix("No,"))
    }

    /// With the expression model in the pipeline, expression questions are answered from it.
    @Test func expressionAnswersComeFromTheModel() async throws {
        let photo = try await Fixtures.photo("t1.jpg")
        let answerer = Answerer(photo: photo)
        let third = answerer.answer("What expression does face 3 have?")
        #expect(third.value == .string("happy"))
        #expect(third.source == "expression-fer2013")
        let smiling = answerer.answer("Is the person on the left smiling?")
        #expect(smiling.value == .bool(false))
        #expect(!answerer.answer("Who is the happiest?").declined)
    }

    @Test func singlePortrait() async throws {
        let photo = try await Fixtures.photo("Tom_Hanks_54745.png")
        #expect(photo.faces.count == 1)
        let answerer = Answerer(photo: photo)
        #expect(answerer.answer("How many people are there?").value == .number(1))
        #expect(answerer.answer("Is this a man?").value == .bool(true))
        #expect(answerer.answer("Is he looking at the camera?").value == .bool(true))
        let age = answerer.answer("How old is he?")
        #expect(!age.text.contains("largest"))
    }

    // Answers from given facts: the paths that need an expression, mask or gallery measurement.

    static func facts(expression: ExpressionFact? = nil, mask: MaskFact? = nil, identity: IdentityFact? = nil) -> PhotoAnalysis {
        let face = FaceFacts(number: 1, box: Rect(x: 100, y: 100, width: 200, height: 240), detectorScore: 0.95,
                             landmarks: [Point(x: 160, y: 190), Point(x: 240, y: 190), Point(x: 200, y: 235), Point(x: 168, y: 280), Point(x: 232, y: 280)],
                             age: 31, gender: GenderEstimate(label: .female, score: 0.97), expression: expression, mask: mask, sharpness: 250, identity: identity)
        return PhotoAnalysis(width: 400, height: 480, faces: [face], gallery: identity == nil ? nil : "staff.gallery")
    }

    @Test func expressionAnswersUseTheField() {
        let happy = ExpressionFact(label: "happy", probability: 0.9,
                                   scores: ["angry": 0.01, "disgust": 0.01, "fear": 0.01, "happy": 0.9, "neutral": 0.05, "sad": 0.01, "surprise": 0.01])
        let answerer = Answerer(photo: Self.facts(expression: happy))
        let smiling = answerer.answer("Is she smiling?")
        #expect(smiling.value == .bool(true))
        #expect(smiling.confidence == 0.9)
        #expect(smiling.source == "expression-fer2013")
        #expect(smiling.text.contains("smiling"))
        let sad = answerer.answer("Does she look sad?")
        #expect(sad.value == .bool(false))
        #expect(abs(sad.confidence! - 0.99) < 1e-6)
        #expect(answerer.answer("What is her expression?").value == .string("happy"))
    }

    @Test func maskAnswersUseTheField() {
        let answer = Answerer(photo: Self.facts(mask: MaskFact(wearing: true, probability: 0.93, source: "mask-v1"))).answer("Is she wearing a mask?")
        #expect(answer.value == .bool(true))
        #expect(answer.source == "mask-v1")
    }

    @Test func identityAnswersUseTheGallery() {
        let id = IdentityFact(name: "Ada Lovelace", candidates: [.init(name: "Ada Lovelace", similarity: 0.62), .init(name: "Alan Turing", similarity: 0.12)],
                              threshold: 0.4952, gallery: "staff.gallery")
        let answerer = Answerer(photo: Self.facts(identity: id))
        #expect(answerer.answer("Is this Ada Lovelace?").value == .bool(true))
        #expect(answerer.answer("is this ada lovelace").value == .bool(true))
        #expect(answerer.answer("Is this Alan Turing?").value == .bool(false))
        #expect(answerer.answer("Who is this?").value == .string("Ada Lovelace"))
        let unknown = answerer.answer("Is this Grace Hopper?")
        #expect(unknown.declined)
        #expect(unknown.text.contains("not enrolled"))
        #expect(answerer.answer("Who is this?").source == "gallery staff.gallery (sface_2021dec)")
    }

    @Test func ageChecksUseTheTypicalError() {
        let answerer = Answerer(photo: Self.facts())
        let child = answerer.answer("Is she a child?")
        #expect(child.value == .bool(false))
        #expect(child.confidence! > 0.95)
        let thirties = answerer.answer("Is she in her thirties?")
        #expect(thirties.value == .bool(true))
        #expect(thirties.confidence! < 0.8)
    }

    @Test func describesOnlyWhatWasMeasured() async throws {
        let photo = try await Fixtures.photo("t1.jpg")
        let description = Describer(photo: photo).describe()
        #expect(description.summary == "6 faces, numbered from the left of the picture.")
        #expect(description.faces.count == 6)
        for face in description.faces {
            #expect(face.text.contains("looks about"))
            #expect(face.text.contains("appears") || face.text.contains("unclear"))
            #expect(!face.text.contains("gallery"))
            #expect(face.text.contains("no mask"))  // nobody in the group photo wears one
        }
        #expect(description.faces[0].text.hasPrefix("Face 1 (on the left"))
    }
}
