import Testing
import VisageAsk

struct AgeBandsTests {
    @Test func agebandProbabilities() {
        #expect(AgeBands.range(of: "20–29") == 20..<30)
        #expect(AgeBands.range(of: "70+") == 70..<200)
        #expect(AgeBands.decade(of: 69.9) == "60–69")
        let p = AgeBands.probability(0..<200, estimate: 30)
        #expect(abs(p - 1) < 1e-3)
        #expect(AgeBands.probability(20..<30, estimate: 25) > AgeBands.probability(20..<30, estimate: 35))
    }
}
