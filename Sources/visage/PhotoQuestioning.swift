import ArgumentParser
import Foundation
import Visage
import VisageJSON
import VisageAsk
import VisageCore
import VisageGallery
import VisageModels

/// The optional gallery of `describe` and `ask`: identities are looked up only when it is given.
struct OptionalGalleryOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A gallery (SQLite file made by `visage enroll`) to say who faces are; without it Visage does not name anyone.", valueName: "file"))
    var gallery: String?

    @Option(help: ArgumentHelp("File holding the 32-byte key of encrypted templates (default: $VISAGE_GALLERY_KEY).", valueName: "file"))
    var keyFile: String?

    @Option(help: "Similarity at or above which a gallery candidate is a match (default: the calibrated gallery threshold, 0.4952).")
    var threshold: Float?
}

/// Analyses one photo for `describe` and `ask`: every measurement the pipeline has, plus
/// identities when a gallery is given.
enum PhotoQuestioning {
    /// Everything the pipeline measures except the embedding when there is no gallery to
    /// compare it with (the aligned crop, kept for sharpness, needs the embedder to run anyway).
    static let tasks: FaceAnalyzer.Tasks = .all

    static func analyze(_ path: String, analyzer: FaceAnalyzer, gallery: OptionalGalleryOptions) async throws -> (AnalyzedImage, PhotoAnalysis) {
        let analyzed: AnalyzedImage
        do {
            analyzed = try await analyzer.analyze(contentsOf: path)
        } catch {
            printError("\(path): \(FaceReport.message(for: error))")
            throw VisageExitCode.badInput
        }
        // Order faces as PhotoAnalysis will (left to right) so identities line up.
        let faces = analyzed.faces
        guard let location = gallery.gallery else {
            return (analyzed, PhotoAnalysis(faces: faces, width: analyzed.width, height: analyzed.height))
        }
        guard PostgresLocation.isPostgres(location) || FileManager.default.fileExists(atPath: location) else {
            printError("Error: no gallery at \(location); make one with `visage enroll --gallery \(location) …`.")
            throw VisageExitCode.badInput
        }
        var configuration = Gallery.Configuration()
        if let threshold = gallery.threshold { configuration.threshold = threshold }
        configuration.auditsIdentifications = true
        let cipher = try gallery.keyFile.map { try TemplateCipher(keyFile: $0) } ?? TemplateCipher.fromEnvironment()
        let opened: Gallery
        do {
            opened = try await Gallery.open(location, cipher: cipher, analyzer: nil, configuration: configuration)
        } catch let error as GalleryError {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            throw VisageExitCode.badInput
        }
        // Every enrolled person is a candidate, so "is this NAME?" can tell a low score from "not enrolled".
        let everyone = max(1, try await opened.people().count)
        let withEmbedding = faces.filter { $0.embedding != nil }
        let results = try await opened.identify(faces: withEmbedding, topK: everyone)
        var identities: [IdentityFact?] = []
        var next = 0
        for face in faces {
            guard face.embedding != nil else { identities.append(nil); continue }
            let result = results[next]
            next += 1
            identities.append(IdentityFact(name: result.match?.name, candidates: result.candidates.map { .init(name: $0.name, similarity: $0.similarity) },
                                           threshold: result.threshold, gallery: (location as NSString).lastPathComponent))
        }
        return (analyzed, PhotoAnalysis(faces: faces, width: analyzed.width, height: analyzed.height, identities: identities,
                                        gallery: (location as NSString).lastPathComponent))
    }

    /// The measurements of one face as JSON, keys in a fixed order; measurements this build
    /// does not make (expression, mask) and identities without a gallery are left out.
    static func json(_ face: FaceFacts, photo: PhotoAnalysis, description: Describer.FaceDescription? = nil) -> JSONValue {
        var fields: [(String, JSONValue)] = [("face", .integer(face.number))]
        if let description {
            fields.append(("position", .string(description.position)))
            fields.append(("description", .string(description.text)))
        } else {
            fields.append(("position", .string(Wording.position(of: face.box, width: photo.width, height: photo.height))))
        }
        fields += [
            ("box", .array([face.box.x, face.box.y, face.box.width, face.box.height].map { .number($0, decimals: 1) })),
            ("score", .number(face.detectorScore, decimals: 4)),
            ("age", face.age.map { .number($0, decimals: 1) } ?? .null),
            ("gender", face.gender.map { .object([("label", .string($0.label.rawValue)), ("score", .number($0.score, decimals: 4))]) } ?? .null),
        ]
        if let e = face.expression {
            fields.append(("expression", .object([("label", .string(e.label)), ("score", .number(e.probability, decimals: 4))])))
        }
        if let m = face.mask {
            fields.append(("mask", .object([("wearing", .bool(m.wearing)), ("score", m.probability.map { .number($0, decimals: 4) } ?? .null)])))
        }
        if let pose = face.pose {
            fields.append(("pose", .object([("facing", .string(pose.isFrontal ? "frontal" : pose.words)),
                                            ("yaw", .number(pose.yaw, decimals: 3)), ("roll", .number(pose.roll, decimals: 1))])))
        }
        let check = EnrolmentCheck(face: face)
        fields.append(("sharpness", face.sharpness.map { .number($0, decimals: 1) } ?? .null))
        fields.append(("enrolment", .object([("fit", .bool(check.passed)), ("problems", .array(check.problems.map { .string($0) }))])))
        if let id = face.identity {
            fields.append(("identity", .object([
                ("name", id.name.map { .string($0) } ?? .null),
                ("similarity", id.candidates.first.map { .number($0.similarity, decimals: 4) } ?? .null),
                ("threshold", .number(id.threshold, decimals: 4)),
            ])))
        }
        return .object(fields)
    }

    /// The whole photo's measurements: the grounding sent to a model server.
    static func json(_ photo: PhotoAnalysis, path: String) -> JSONValue {
        .object([
            ("image", .string(path)), ("width", .integer(photo.width)), ("height", .integer(photo.height)),
            ("faces", .array(photo.faces.map { json($0, photo: photo) })),
        ])
    }

    /// An answer in the documented `--json` shape: exactly question, answer, value, confidence, source.
    static func json(_ answer: Answer) -> JSONValue {
        let value: JSONValue = switch answer.value {
        case nil: .null
        case let .bool(b)?: .bool(b)
        case let .string(s)?: .string(s)
        case let .number(n)?: .number(n, decimals: n == n.rounded() ? 0 : 2)
        }
        return .object([
            ("question", .string(answer.question)), ("answer", .string(answer.text)), ("value", value),
            ("confidence", answer.confidence.map { .number($0, decimals: 4) } ?? .null), ("source", .string(answer.source)),
        ])
    }
}
