import Foundation
import HTTPTypes
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime
import Visage
import VisageAsk
import VisageCore
import VisageGallery
import VisageJSON
import VisageModels

/// The handlers of openapi.yaml's operations: `APIProtocol` and its input types are generated from
/// the spec by swift-openapi-generator's build plugin, so the parameters and bodies arrive typed.
///
/// Each answer is the JSON the CLI's `--json` prints, rendered by ``VisageJSON`` (key order and
/// number formatting as the CLI's, which the generated Codable types would not keep) and sent
/// as it is: `.undocumented(statusCode: 200, .rendered(…))`, through ``RenderedResponses``.
/// openapi.yaml still documents every response, and schemathesis (`bench/serve-schemathesis`)
/// checks the bytes against it. See docs/ARCHITECTURE.md.
extension VisageService: APIProtocol {
    // MARK: analysis (read role)

    func analyze(_ input: Operations.Analyze.Input) async throws -> Operations.Analyze.Output {
        let upload = try await Uploads.read(input.body).file("image")
        // `attributes` names what to compute (every attribute when absent); the embedding is
        // printed when named there or asked for with `embedding=true`.
        var tasks = analyzer.configuration.tasks, printsEmbedding = input.query.embedding ?? false
        if let list = input.query.attributes {
            do { tasks = try FaceAnalyzer.Tasks(attributeList: list.map(\.rawValue).joined(separator: ",")) } catch {
                throw ServiceError.badRequest("`attributes`: \(error.errorDescription ?? "")")
            }
            printsEmbedding = printsEmbedding || tasks.contains(.embedding)
        }
        if printsEmbedding { tasks.insert(.embedding) }
        // Custom heads by name, in the order asked; the analysis computes what they read.
        var chosen: [any CustomHead] = []
        if let names = input.query.head, names.isEmpty || names.contains(where: \.isEmpty) {
            throw ServiceError.badRequest("`head` lists head names, comma-separated, e.g. `?head=age-utkface`.")
        }
        for name in input.query.head ?? [] {
            guard let head = heads[name] else {
                let available = heads.keys.sorted().map { "`\($0)`" }.joined(separator: ", ")
                throw ServiceError.badRequest("`head`: this server has no head named `\(name.prefix(64))`; "
                    + (available.isEmpty ? "it runs none (visage serve --head FILE loads one)." : "it has \(available)."))
            }
            guard !(input.query.head ?? []).prefix(chosen.count).contains(name) else {
                throw ServiceError.badRequest("`head` names `\(name.prefix(64))` twice; name each head once.")
            }
            chosen.append(head)
        }
        let (width, height, faces) = try await analyzeAll(upload, tasks: tasks, heads: chosen)
        return .undocumented(statusCode: 200, .rendered(.json(VisageJSON.analysis(image: upload.label, width: width, height: height, faces: faces,
                                                                           attributes: true, embedding: printsEmbedding))))
    }

    func verify(_ input: Operations.Verify.Input) async throws -> Operations.Verify.Output {
        guard case let .multipartForm(form) = input.body else {
            throw ServiceError.badRequest("Verify compares two images: send them as multipart/form-data file fields `a` and `b`.")
        }
        let uploads = try await Uploads.form(form, required: ["a", "b"])
        let a = try uploads.file("a"), b = try uploads.file("b")
        // nil: the threshold of the pair's mask condition (Verification.Thresholds).
        var threshold: Float?
        if let value = input.query.threshold {
            guard value.isFinite, (-1...1).contains(value) else {
                throw ServiceError.badRequest("`threshold` must be a number from -1 to 1 (cosine similarity); the default depends on the mask condition (\(configuration.verificationThresholds.unmasked) with neither face masked).")
            }
            threshold = Float(value)
        }
        let explain = input.query.explain ?? false
        // The explanation needs the aligned crops, which the full analyzer keeps. A pair is
        // compared mask-aware when that analyzer calls masks (`visage serve` gives both
        // analyzers the mask and the attention head's embedding), else by SFace alone.
        let faceAnalyzer = explain ? analyzer : embedder
        let maskAware = faceAnalyzer.configuration.tasks.contains(.mask)
        let options = Verification.Options(maskMatching: maskAware ? .attention : .plain, threshold: threshold,
                                           thresholds: configuration.verificationThresholds, explain: explain)
        let pair = try await admission.run {
            try await faceAnalyzer.verify(try await decode(a), try await decode(b), options: options)
        }
        let picture = try pair.explanation.map { try $0.rendered(threshold: pair.verification.threshold).pngData() }
        return .undocumented(statusCode: 200, .rendered(.json(pair.verification.json(explanation: pair.explanation, explanationImage: picture))))
    }

    func identify(_ input: Operations.Identify.Input) async throws -> Operations.Identify.Output {
        let upload = try await Uploads.read(input.body).file("image")
        var topK = configuration.topK
        if let value = input.query.topK {
            guard (1...100).contains(value) else {
                throw ServiceError.badRequest("`top_k` must be a whole number from 1 to 100; the default is \(configuration.topK).")
            }
            topK = value
        }
        let faces = try await admission.run {
            try await embedder.analyze(try await decode(upload)).filter { $0.embedding != nil }
        }
        let answers = try await gallery.identify(faces: faces, topK: topK)
        RequestAudit.current?.personIDs = answers.compactMap { $0.match?.personID }
        return .undocumented(statusCode: 200, .rendered(.json(VisageJSON.identification(image: upload.label, faces: faces, answers: answers))))
    }

    func describe(_ input: Operations.Describe.Input) async throws -> Operations.Describe.Output {
        let upload = try await Uploads.read(input.body).file("image")
        let photo = try await questionedPhoto(upload)
        RequestAudit.current?.personIDs = photo.faces.compactMap { $0.identity?.personID }
        return .undocumented(statusCode: 200, .rendered(.json(photo.descriptionJSON(image: upload.label))))
    }

    func ask(_ input: Operations.Ask.Input) async throws -> Operations.Ask.Output {
        let uploads: Uploads
        switch input.body {
        case let .multipartForm(form): uploads = try await .form(form, required: ["image", "question"])
        case let .jpeg(body), let .png(body), let .imageWebp(body), let .binary(body): uploads = try await .raw(body)
        }
        // A form carries its question as a field, a raw image in the query; both places are
        // checked, so a bad query parameter is refused even when the form has a question.
        // Characters are code points, as openapi.yaml's maxLength counts them: one letter with a
        // million combining accents is one grapheme cluster, and took the parser minutes to read.
        for text in [try uploads.text("question"), input.query.question].compactMap({ $0 }) where text.unicodeScalars.count > 500 {
            throw ServiceError.badRequest("The question is longer than 500 characters (\(text.unicodeScalars.count)); ask something shorter.")
        }
        let question = ((uploads.isMultipart ? try uploads.text("question") : input.query.question) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !question.isEmpty else {
            throw ServiceError.badRequest("Send the question as the multipart text field `question` (with a raw image body: the query parameter `question`), e.g. \"How many people are in this photo?\".")
        }
        let photo = try await questionedPhoto(try uploads.file("image"))
        RequestAudit.current?.personIDs = photo.faces.compactMap { $0.identity?.personID }
        return .undocumented(statusCode: 200, .rendered(.json(Answerer(photo: photo).answer(question).json)))
    }

    /// Every measurement of the photo plus each face looked up in the gallery, as `describe`
    /// and `ask --gallery` see it.
    private func questionedPhoto(_ upload: Upload) async throws -> PhotoAnalysis {
        let (width, height, faces) = try await analyzeAll(upload)
        return try await PhotoAnalysis.identifying(faces: faces, width: width, height: height, in: gallery, galleryName: "gallery",
                                                   attributeModels: AttributeModels(analyzer.configuration))
    }

    // MARK: people (admin role)

    func getAuditLog(_ input: Operations.GetAuditLog.Input) async throws -> Operations.GetAuditLog.Output {
        let limit = input.query.limit ?? 100
        guard (1...10_000).contains(limit) else {
            throw ServiceError.badRequest("`limit` must be a whole number from 1 to 10000; the default is 100.")
        }
        return .undocumented(statusCode: 200, .rendered(.json(.object([("entries", .array(try await gallery.auditLog(limit: limit).map(\.json)))]))))
    }

    func getThresholds(_ input: Operations.GetThresholds.Input) async throws -> Operations.GetThresholds.Output {
        // From the store now, not as of the last search: what a reviewer just stored is what this node will use.
        try await gallery.refresh()
        let pair = configuration.verificationThresholds
        return .undocumented(statusCode: 200, .rendered(.json(.object([
            ("identification", await gallery.thresholds.json),
            ("verification", .object([
                ("unmasked", .number(pair.unmasked, decimals: 4)), ("one_masked", .number(pair.oneMasked, decimals: 4)),
                ("both_masked", .number(pair.bothMasked, decimals: 4)),
                ("source", .string(pair == Verification.Thresholds() ? "calibrated" : "operator")),
            ])),
        ]))))
    }

    func getModels(_ input: Operations.GetModels.Input) async throws -> Operations.GetModels.Output {
        let inventory = try await modelSurvey.get()
        return .undocumented(statusCode: 200, .rendered(.json(.object([
            ("models", .array(inventory.entries.map { $0.json(includingAdvice: false) })),
        ]))))
    }

    func listPeople(_ input: Operations.ListPeople.Input) async throws -> Operations.ListPeople.Output {
        .undocumented(statusCode: 200, .rendered(.json(.object([("people", .array(try await gallery.people().map(\.json)))]))))
    }

    func createPerson(_ input: Operations.CreatePerson.Input) async throws -> Operations.CreatePerson.Output {
        let uploads: Uploads
        switch input.body {
        case let .multipartForm(form): uploads = try await .form(form, required: ["name", "image"])
        case let .jpeg(body), let .png(body), let .imageWebp(body): uploads = try await .raw(body)
        }
        let name = try Self.personName(try uploads.text("name") ?? input.query.name)
        let metadata = try Self.metadata(try uploads.text("metadata"))
        let (templates, ages) = try await templates(from: uploads.files("image"))
        let (person, stored) = try await gallery.enroll(name: name, metadata: metadata, templates: templates)
        RequestAudit.current?.personIDs = [person.id]
        return .undocumented(statusCode: 201, .rendered(.json(person.json(templates: stored, warning: Gallery.enrollmentWarning(stored, ages: ages)),
                                                             headers: [.location: "/v1/people/\(person.id)"])))
    }

    func getPerson(_ input: Operations.GetPerson.Input) async throws -> Operations.GetPerson.Output {
        let (person, templates) = try await gallery.person(try Self.personID(input.path.id))
        return .undocumented(statusCode: 200, .rendered(.json(person.json(templates: templates))))
    }

    func deletePerson(_ input: Operations.DeletePerson.Input) async throws -> Operations.DeletePerson.Output {
        let id = try Self.personID(input.path.id)
        return .undocumented(statusCode: 200, .rendered(.json(VisageJSON.deletion(id: id, templates: try await gallery.delete(personID: id)))))
    }

    func addFaces(_ input: Operations.AddFaces.Input) async throws -> Operations.AddFaces.Output {
        let personID = try Self.personID(input.path.id)
        _ = try await gallery.person(personID)  // 404 before any analysis
        let uploads: Uploads
        switch input.body {
        case let .multipartForm(form): uploads = try await .form(form, required: ["image"])
        case let .jpeg(body), let .png(body), let .imageWebp(body): uploads = try await .raw(body)
        }
        let (templates, ages) = try await templates(from: uploads.files("image"))
        let (person, stored) = try await gallery.addTemplates(templates, to: personID)
        return .undocumented(statusCode: 201, .rendered(.json(person.json(templates: stored, warning: Gallery.enrollmentWarning(stored, ages: ages)))))
    }

    // MARK: service (open)

    func health(_ input: Operations.Health.Input) async throws -> Operations.Health.Output {
        let load = admission.load
        return .undocumented(statusCode: 200, .rendered(.json(.object([
            ("status", .string("ok")),
            ("analyses_running", .integer(load.running)),
            ("requests_waiting", .integer(load.waiting)),
        ]))))
    }

    func metrics(_ input: Operations.Metrics.Input) async throws -> Operations.Metrics.Output {
        requestMetrics.record(try await modelSurvey.get())
        let text = requestMetrics.render(load: admission.load, connections: connections.counts, uploadBytesInFlight: uploadBudget.inUse)
        return .undocumented(statusCode: 200, .rendered(.text(text, contentType: "text/plain; version=0.0.4; charset=utf-8")))
    }

    func openapi(_ input: Operations.Openapi.Input) async throws -> Operations.Openapi.Output {
        .undocumented(statusCode: 200, .rendered(.text(OpenAPISpec.bundled.json, contentType: "application/json")))
    }

    func openapiYAML(_ input: Operations.OpenapiYAML.Input) async throws -> Operations.OpenapiYAML.Output {
        .undocumented(statusCode: 200, .rendered(.text(OpenAPISpec.bundled.yaml, contentType: "application/yaml; charset=utf-8")))
    }

    func webPage(_ input: Operations.WebPage.Input) async throws -> Operations.WebPage.Output {
        .undocumented(statusCode: 200, .rendered(.text(WebPage.html, contentType: "text/html; charset=utf-8",
                                             headers: [.contentSecurityPolicy: WebPage.contentSecurityPolicy])))
    }
}

// MARK: - Request bodies: each form of openapi.yaml, field by field

extension Uploads {
    /// The shared image body (`#/components/requestBodies/Image`): raw, or a form with `image`.
    static func read(_ body: Components.RequestBodies.Image) async throws -> Uploads {
        switch body {
        case let .jpeg(body), let .png(body), let .imageWebp(body), let .binary(body): try await raw(body)
        case let .multipartForm(form): try await self.form(form, required: ["image"])
        }
    }
}

extension Components.RequestBodies.Image.MultipartFormPayload: FormField {
    static let fieldNames = ["image"]

    var named: (name: String, filename: String?, body: HTTPBody) {
        switch self {
        case let .image(part): ("image", part.filename, part.payload.body)
        }
    }
}

extension Operations.Verify.Input.Body.MultipartFormPayload: FormField {
    static let fieldNames = ["a", "b"]

    var named: (name: String, filename: String?, body: HTTPBody) {
        switch self {
        case let .a(part): ("a", part.filename, part.payload.body)
        case let .b(part): ("b", part.filename, part.payload.body)
        }
    }
}

extension Operations.Ask.Input.Body.MultipartFormPayload: FormField {
    static let fieldNames = ["image", "question"]

    var named: (name: String, filename: String?, body: HTTPBody) {
        switch self {
        case let .image(part): ("image", part.filename, part.payload.body)
        case let .question(part): ("question", part.filename, part.payload.body)
        }
    }
}

extension Operations.CreatePerson.Input.Body.MultipartFormPayload: FormField {
    static let fieldNames = ["name", "metadata", "image"]

    var named: (name: String, filename: String?, body: HTTPBody) {
        switch self {
        case let .name(part): ("name", part.filename, part.payload.body)
        case let .metadata(part): ("metadata", part.filename, part.payload.body)
        case let .image(part): ("image", part.filename, part.payload.body)
        }
    }
}

extension Operations.AddFaces.Input.Body.MultipartFormPayload: FormField {
    static let fieldNames = ["image"]

    var named: (name: String, filename: String?, body: HTTPBody) {
        switch self {
        case let .image(part): ("image", part.filename, part.payload.body)
        }
    }
}

// MARK: - Responses rendered by VisageJSON

extension UndocumentedPayload {
    /// The handler's answer, headers and bytes as they are, under the status of the
    /// `.undocumented(statusCode:_:)` output that carries it (``RenderedResponses``).
    static func rendered(_ payload: UndocumentedPayload) -> UndocumentedPayload {
        RenderedResponses.current?.set(payload)
        return payload
    }

    /// A JSON body rendered by ``VisageJSON`` (the CLI's bytes).
    static func json(_ value: JSONValue, headers: HTTPFields = [:]) -> UndocumentedPayload {
        text(value.rendered, contentType: "application/json; charset=utf-8", headers: headers)
    }

    static func text(_ text: String, contentType: String, headers: HTTPFields = [:]) -> UndocumentedPayload {
        var headers = headers
        headers[.contentType] = contentType
        return UndocumentedPayload(headerFields: headers, body: HTTPBody(text))
    }
}

/// The generated server code sends an `undocumented(statusCode:_:)` output's status only, not
/// its headers or body. This middleware, around each operation, hands the handler a slot for the
/// payload it rendered (``UndocumentedPayload/rendered(_:)``) and answers with the status the
/// generated code chose and that payload's headers and bytes.
struct RenderedResponses: ServerMiddleware {
    @TaskLocal static var current: Slot?

    final class Slot: @unchecked Sendable {
        private let lock = NSLock()
        private var payload: UndocumentedPayload?

        func set(_ payload: UndocumentedPayload) { lock.withLock { self.payload = payload } }

        var taken: UndocumentedPayload? { lock.withLock { payload } }
    }

    func intercept(_ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
                   next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?))
        async throws -> (HTTPResponse, HTTPBody?) {
        let slot = Slot()
        var (response, responseBody) = try await Self.$current.withValue(slot) { try await next(request, body, metadata) }
        if let payload = slot.taken {
            response.headerFields = payload.headerFields
            responseBody = payload.body
        }
        return (response, responseBody)
    }
}

// MARK: - Routes

/// Where the generated `registerHandlers(on:)` puts each operation: in the router group of the
/// API-key role its `x-visage-role` in openapi.yaml names (open without one).
struct RoleGroups: ServerTransport {
    let spec: OpenAPISpec
    let open: RouterGroup<VisageRequestContext>
    let read: RouterGroup<VisageRequestContext>
    let admin: RouterGroup<VisageRequestContext>

    func register(_ handler: @escaping @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?),
                  method: HTTPRequest.Method, path: String) throws {
        guard let operation = spec.operation(method: method, template: path) else {
            throw OpenAPISpecError("the generated code registers \(method) \(path), which openapi.yaml does not list")
        }
        let group = switch operation.role {
        case nil: open
        case .read: read
        case .admin: admin
        }
        // A query parameter the operation does not take, and a path or query parameter that does
        // not fit its schema, are refused naming them, before the generated code, which ignores the
        // first, reports no name for the second (and the decoder's types) and reads an empty list
        // (`?head=`) as absent.
        group.register({ request, body, metadata in
            let query = request.path.flatMap { $0.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) } ?? ""
            if let name = operation.unknownParameter(in: query) {
                throw ServiceError.unknownParameter(name, accepted: operation.queryParameters.map(\.name))
            }
            if let name = operation.misfit(inPath: metadata.pathParameters) ?? operation.misfit(in: query) { throw ServiceError.misfit(name) }
            return try await handler(request, body, metadata)
        }, method: method, path: path)
    }
}
