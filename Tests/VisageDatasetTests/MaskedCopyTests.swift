import Foundation
import Testing
import Visage
@testable import VisageDataset

struct MaskedCopyTests {
    @Test func choiceOfImagesFollowsTheRatio() {
        let copy = MaskedCopy(source: "/in", output: "/out", ratio: 0.3)
        let chosen = (0..<2000).filter { copy.isChosen("id/\($0).jpg") }.count
        #expect(abs(chosen - 600) < 80)
        #expect(MaskedCopy(source: "/in", output: "/out", ratio: 0).isChosen("x") == false)
        #expect(MaskedCopy(source: "/in", output: "/out", ratio: 1).isChosen("x"))
    }

    @Test func stylesAreSeededAndAllUsed() {
        let copy = MaskedCopy(source: "/in", output: "/out", ratio: 1, seed: 3)
        let styles = (0..<500).map { copy.style(for: "id/\($0).jpg") }
        #expect(Set(styles) == Set(MaskStyle.allCases))
        #expect(styles == (0..<500).map { MaskedCopy(source: "/in", output: "/out", ratio: 1, seed: 3).style(for: "id/\($0).jpg") })
        let only = MaskedCopy(source: "/in", output: "/out", ratio: 1, styles: [.whiteN95])
        #expect((0..<50).allSatisfy { only.style(for: "\($0)") == .whiteN95 })
    }
}
