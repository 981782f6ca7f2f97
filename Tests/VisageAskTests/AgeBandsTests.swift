import Testing
import Visage
import VisageAsk

struct AgeBandsTests {
    @Test func agebandProbabilities() {
        #expect(AgeBands.range(of: "20–29") == 20..<30)
        #expect(AgeBands.range(of: "70+") == 70..<200)
        #expect(AgeBands.decade(of: 69.9) == "60–69")
        let error = AgeBands.typicalError(of: .sfaceHead)
        let p = AgeBands.probability(0..<200, estimate: 30, typicalError: error)
        #expect(abs(p - 1) < 1e-3)
        #expect(AgeBands.probability(20..<30, estimate: 25, typicalError: error) > AgeBands.probability(20..<30, estimate: 35, typicalError: error))
        // A less accurate model is less sure the true age lies in the estimate's own band.
        #expect(AgeBands.probability(20..<30, estimate: 25, typicalError: AgeBands.typicalError(of: .separateNetwork))
                < AgeBands.probability(20..<30, estimate: 25, typicalError: AgeBands.typicalError(of: .stacked)))
    }
}
