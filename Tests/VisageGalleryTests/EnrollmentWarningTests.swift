import Testing
import VisageGallery

/// The words of the enrolment warnings: a child's face, masked photos, both.
struct EnrollmentWarningTests {
    @Test func aChildsFaceIsNamedWithTheYoungestEstimate() {
        #expect(Gallery.childEnrollmentWarning(ages: [30, nil, 13]) == nil)
        let warning = Gallery.childEnrollmentWarning(ages: [8.4, 30, 11.6])
        #expect(warning?.hasPrefix("2 of 3 enrolment photos show a face that looks under 13 (estimated age 8)") == true)
        let masked = Template(embedding: [1] + [Float](repeating: 0, count: 127), model: Gallery.embeddingModel, masked: true)
        let both = Gallery.enrollmentWarning([masked], ages: [5])
        #expect(both?.contains("a masked face") == true && both?.contains("; 1 of 1 enrolment photo shows a face that looks under 13") == true)
        #expect(Gallery.enrollmentWarning([masked], ages: [40]) == Gallery.maskedEnrollmentWarning([masked]))
    }
}
