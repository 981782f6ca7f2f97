import Testing
@testable import VisageEvaluation

struct LinearProbeTests {
    /// Three classes centred apart in 5-d with overlapping noise: the head must find the
    /// centres (far above the 33% of chance) and be exact on the centres themselves.
    @Test func separatesGaussianClasses() {
        var generator = SplitMix64(seed: 7)
        let centres: [[Float]] = [[2, 0, 0, 0, 0], [0, 2, 0, 0, 0], [0, 0, 2, 0, 100]]
        func noise() -> Float { Float.random(in: -1...1, using: &generator) }
        var features: [[Float]] = [], labels: [Int] = []
        for i in 0..<300 {
            let c = i % 3
            features.append(centres[c].map { $0 + noise() })
            labels.append(c)
        }
        let probe = LinearProbe.fit(features: features, labels: labels, classes: 3)
        let correct = zip(features, labels).filter { probe.predict($0.0) == $0.1 }.count
        #expect(Double(correct) / 300 > 0.9)
        #expect(centres.map(probe.predict) == [0, 1, 2])
    }

    /// A constant feature (zero variance) must not turn into NaN through standardisation.
    @Test func constantFeatureIsHarmless() {
        let features: [[Float]] = (0..<40).map { [Float($0 % 2) * 3, 1] }
        let labels = (0..<40).map { $0 % 2 }
        let probe = LinearProbe.fit(features: features, labels: labels, classes: 2)
        #expect(probe.predict([0, 1]) == 0)
        #expect(probe.predict([3, 1]) == 1)
    }
}
