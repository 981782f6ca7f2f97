import Foundation
import Testing
@testable import VisageModels

/// The second level that combines our SFace heads with the package's age and gender networks
/// (``StackedAgeGender``): its constants are the fit that `training/bn1-heads/fit_stack.py`
/// wrote, and its answers are plausible at the two readers' agreement points.
struct StackedAgeGenderTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Coefficients: Decodable {
        struct Age: Decodable {
            let head: Double, package: Double, intercept: Double
            let head_hinges: [Double], package_hinges: [Double]
        }
        struct Gender: Decodable { let head_logit: Double, package_logit: Double, intercept: Double }
        let knots: [Double]
        let age: Age
        let gender: Gender
    }

    @Test func theConstantsAreTheRecipesFit() throws {
        let url = Self.repositoryRoot.appendingPathComponent("training/bn1-heads/results/stack-coefficients.json")
        let fit = try JSONDecoder().decode(Coefficients.self, from: Data(contentsOf: url))
        func close(_ a: [Float], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { abs(Double($0) - $1) < 1e-6 } }
        #expect(close(StackedAgeGender.knots, fit.knots))
        #expect(close([StackedAgeGender.headSlope, StackedAgeGender.packageSlope, StackedAgeGender.ageIntercept],
                      [fit.age.head, fit.age.package, fit.age.intercept]))
        #expect(close(StackedAgeGender.headHinges, fit.age.head_hinges))
        #expect(close(StackedAgeGender.packageHinges, fit.age.package_hinges))
        #expect(close([StackedAgeGender.headLogitWeight, StackedAgeGender.packageLogitWeight, StackedAgeGender.genderIntercept],
                      [fit.gender.head_logit, fit.gender.package_logit, fit.gender.intercept]))
    }

    @Test func agreeingReadersGiveAnAgeNearBoth() {
        for age: Float in [2, 8, 25, 40, 60, 80] {
            let stacked = StackedAgeGender.age(head: age, package: age)
            #expect(abs(stacked - age) < max(4, age * 0.2), "\(age) → \(stacked)")
        }
        #expect(StackedAgeGender.age(head: -3, package: 0.3) >= 0)
    }

    @Test func genderFollowsTheConfidentHead() {
        let male = StackedAgeGender.gender(head: .init(label: .male, score: 0.95), package: .init(label: .male, score: 0.9))
        #expect(male.label == .male && male.score > 0.9)
        let female = StackedAgeGender.gender(head: .init(label: .female, score: 0.97), package: .init(label: .male, score: 0.6))
        #expect(female.label == .female && female.score > 0.5)
        let certain = StackedAgeGender.gender(head: .init(label: .female, score: 1), package: .init(label: .female, score: 1))
        #expect(certain.label == .female && certain.score.isFinite)
    }
}
