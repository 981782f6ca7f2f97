import Foundation
import Testing
import VisageTestSupport
import VisageAsk
@testable import VisageEvaluation

struct QAGenerationTests {
    static let faces = [
        LabelledFace(path: "utk/34_1_0_2017.jpg.chip.jpg", dataset: "UTKFace", labels: [.age(34), .gender(female: true)]),
        LabelledFace(path: "fer/happy/PublicTest_1.jpg", dataset: "FER2013", labels: [.expression("happy")]),
        LabelledFace(path: "masks/with_mask/1.jpg", dataset: "masks", labels: [.mask(true)]),
        LabelledFace(path: "celeba/000001.jpg", dataset: "CelebA", labels: [.attribute("Eyeglasses", false), .attribute("Attractive", true), .attribute("Smiling", true)]),
    ]

    @Test func conversationsAreDeterministicAndWellFormed() throws {
        var a = QAPairGenerator(seed: 3), b = QAPairGenerator(seed: 3), c = QAPairGenerator(seed: 4)
        let first = Self.faces.compactMap { a.conversation(for: $0)?.jsonLine }
        let second = Self.faces.compactMap { b.conversation(for: $0)?.jsonLine }
        let other = Self.faces.compactMap { c.conversation(for: $0)?.jsonLine }
        #expect(first == second)
        #expect(first != other)
        for line in first {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(line.hasPrefix("{\"image\": "))
            let turns = try #require(object["conversations"] as? [[String: String]])
            #expect(turns.count % 2 == 0)
            #expect(turns.first?["value"]?.hasPrefix("<image>\n") == true)
            #expect(turns.enumerated().allSatisfy { $0.element["from"] == ($0.offset % 2 == 0 ? "human" : "gpt") })
            #expect(turns.dropFirst().allSatisfy { !($0["value"] ?? "").contains("<image>") })
        }
    }

    @Test func judgementAttributesAreLeftOut() throws {
        var generator = QAPairGenerator(seed: 1)
        let made = generator.conversation(for: Self.faces[3])
        let conversation = try #require(made)
        #expect(conversation.turns.count == 4)  // Eyeglasses and Smiling; not Attractive
        #expect(!conversation.jsonLine.lowercased().contains("attractive"))
    }

    @Test func phrasingVaries() {
        var generator = QAPairGenerator(seed: 9)
        let questions = Set((0..<40).compactMap { _ in generator.pair(for: .gender(female: false))?.question })
        #expect(questions.count >= 3)
        let answers = (0..<40).compactMap { _ in generator.pair(for: .age(34)) }
        #expect(answers.allSatisfy { $0.answer.contains("34") || $0.answer.contains("30–39") })
    }

    @Test func benchmarkItemsAreSeededAndHoldTheAnswer() {
        var a = MultipleChoiceBenchmark(seed: 5), b = MultipleChoiceBenchmark(seed: 5)
        let many = (0..<50).map { LabelledFace(path: "utk/\($0).jpg", dataset: "UTKFace", labels: [.age($0 + 5), .gender(female: $0 % 2 == 0)]) }
        a.add(many, limit: 20, source: "utk")
        b.add(many, limit: 20, source: "utk")
        #expect(a.items == b.items)
        #expect(a.items.count == 40)
        for item in a.items {
            #expect(item.options.count == (item.category == "age group" ? 4 : 2))
            #expect(Set(item.options).count == item.options.count)
            #expect(item.options.indices.contains(item.answer))
        }
        let ages = a.items.filter { $0.category == "age group" }
        for item in ages {
            let age = Int(item.image.dropFirst(4).dropLast(4))! + 5
            #expect(item.options[item.answer] == AgeBands.decade(of: Float(age)))
        }
    }

    @Test func categoriesWithoutAModelAreNotAnswerable() {
        let eyeglasses = QACategory.celeba.first { $0.attribute == "Eyeglasses" }!.category
        #expect(eyeglasses.answerability.answerable == false)
        #expect(eyeglasses.answerability.reason == "no glasses model")
        #expect(QACategory.gender.answerability.answerable)
        #expect(QACategory.ageGroup.answerability.answerable)
        #expect(QACategory.expression.answerability.answerable)
        #expect(QACategory.mask.answerability.answerable)
    }

    @Test func answersMapOntoOptions() {
        func answer(_ value: Answer.Value?, declined: Bool = false) -> Answer {
            Answer(question: "q", text: "t", value: value, source: "s", intent: .age, declined: declined)
        }
        #expect(MultipleChoiceBenchmark.choose(answer(.bool(true)), among: ["no", "yes"]) == 1)
        #expect(MultipleChoiceBenchmark.choose(answer(.string("Female")), among: ["male", "female"]) == 1)
        #expect(MultipleChoiceBenchmark.choose(answer(.string("30–39")), among: ["0–9", "30–39", "70+", "50–59"]) == 1)
        // A band that is not offered goes to the nearest one offered.
        #expect(MultipleChoiceBenchmark.choose(answer(.string("40–49")), among: ["0–9", "30–39", "70+", "60–69"]) == 1)
        #expect(MultipleChoiceBenchmark.choose(answer(.string("70+")), among: ["0–9", "30–39", "60–69", "20–29"]) == 2)
        #expect(MultipleChoiceBenchmark.choose(answer(nil, declined: true), among: ["yes", "no"]) == nil)
    }

    @Test(.enabled(if: Fixtures.data("utkface") != nil && Fixtures.data("celeba-attributes") != nil,
                   "../shared/data (VISAGE_DATA) with utkface and celeba-attributes is absent"))
    func realLabelledSetsLoad() throws {
        let utk = try #require(Fixtures.data("utkface")), celeba = try #require(Fixtures.data("celeba-attributes"))
        let faces = try LabelledSets.utkface(utk)
        #expect(faces.count > 100)
        #expect(LabelledSets.kind(of: utk) == .utkface)
        #expect(LabelledSets.kind(of: celeba) == .celeba)
        let celebaFaces = try LabelledSets.celeba(celeba)
        #expect(celebaFaces.allSatisfy { $0.labels.count == 40 })
        if let masks = Fixtures.data("masks") { #expect(LabelledSets.kind(of: masks) == .masks) }
        if let fer = Fixtures.data("fer2013/publictest") {
            #expect(LabelledSets.kind(of: fer) == .expressions)
            #expect(Set(try LabelledSets.expressions(fer, dataset: "FER2013 PublicTest").flatMap(\.labels)).count == 7)
        }
    }
}
