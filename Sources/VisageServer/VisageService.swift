import Dispatch
import Foundation
import HTTPTypes
public import Hummingbird
public import Logging
public import NIOCore
public import Visage
import VisageAsk
import VisageCore
public import VisageGallery
import VisageJSON

/// The HTTP service behind `visage serve`: face analysis, verification, identification and
/// people management over REST, its OpenAPI document and a web page.
///
/// ```swift
/// let service = VisageService(analyzer: try FaceAnalyzer(), embedder: try FaceAnalyzer(configuration: embeddingOnly),
///                             gallery: try await Gallery.open("staff.gallery"), keys: try APIKeys.load(file: "keys"))
/// try await service.makeApplication().runService()
/// ```
///
/// Responses use the JSON shapes of the CLI's `--json` (``VisageJSON``); every error is
/// `{"error": {"code": …, "message": …}}` (``ServiceError``). Analyses run at most
/// ``Configuration/concurrentAnalyses`` at a time; requests beyond the queue get 503.
public struct VisageService: Sendable {
    /// Settings of the service; each property states its default.
    public struct Configuration: Sendable {
        /// Interface to listen on; default `127.0.0.1` (this machine only).
        public var host = "127.0.0.1"
        /// TCP port; default 8080 (0 picks a free one).
        public var port = 8080
        /// Largest request body accepted, in bytes; default 20 MiB. Larger ones get 413.
        public var maxBodyBytes = 20 * 1024 * 1024
        /// Most pixels an uploaded image may declare; default 50,000,000 (as the CLI). Larger get 422.
        public var maxPixels = ImageDecodingOptions().maxPixels
        /// Analyses (decode + inference) running at once; default 2, one per core of a small
        /// machine: inference already uses every core, so more only adds latency.
        public var concurrentAnalyses = 2
        /// Requests that may wait for an analysis slot; default 16. Beyond it: 503 with Retry-After.
        /// A waiter's latency is about queue length ÷ throughput: at the ~6 photos/s of a 2-core
        /// machine, 16 keeps it near 3 s, where 64 made it 10 s (`make load`).
        public var queueLimit = 16
        /// Longest a request waits for an analysis slot before a 503; default 20 s.
        public var requestTimeout: Duration = .seconds(20)
        /// A connection with no traffic for this long is closed (slow or stuck clients); default 60 s.
        public var idleTimeout: Duration = .seconds(60)
        /// Candidates listed per face by identify unless `top_k` is given; default 5.
        public var topK = 5
        /// Client connections held open at most; default 1,024. At the cap a new connection takes
        /// the place of the longest-idle one; when every one has a request in flight, the new one
        /// gets 503 (``ConnectionRegistry``). Each connection costs a file descriptor and a few kB.
        public var maxConnections = 1024
        /// Request body bytes all uploads may hold in memory at once; default 256 MiB. Beyond it
        /// an upload is refused with 503 before its body is read (``UploadBudget``). The process
        /// may briefly hold about twice this while bodies are parsed.
        public var maxUploadBytesInFlight = 256 * 1024 * 1024
        /// Request body bytes the uploads of one API key may hold at once; default 64 MiB
        /// (three bodies at the largest size). Beyond it: 429.
        public var maxUploadBytesPerKey = 64 * 1024 * 1024
        /// Time every request body gets on top of what its size needs at ``minimumUploadRate``;
        /// default 10 s.
        public var uploadGrace: Duration = .seconds(10)
        /// Slowest average upload accepted, in bytes per second; default 64 KiB/s (a 20 MiB body
        /// may take 10 + 320 s). A body that arrives slower is answered 408 and its connection closed.
        public var minimumUploadRate = 64 * 1024
        /// How long a connection is still read from (and what arrives dropped) after a refusal
        /// that closes it, so that a client still sending its body sees the answer; default 5 s.
        public var closeLinger: Duration = .seconds(5)

        public init() {}
    }

    public let configuration: Configuration
    /// Analyses uploads for `/v1/analyze` (every task).
    public let analyzer: FaceAnalyzer
    /// Embeds faces for verify, identify and enrolment (detection + embedding only).
    public let embedder: FaceAnalyzer
    public let gallery: Gallery
    /// nil: no authentication (`--insecure-no-auth`).
    public let keys: APIKeys?

    let admission: AdmissionControl
    let uploadBudget: UploadBudget
    let connections: ConnectionRegistry
    let metrics = ServiceMetrics()
    private let decodeQueue = DispatchQueue(label: "visage.server.decode", attributes: .concurrent)

    public init(configuration: Configuration = .init(), analyzer: FaceAnalyzer, embedder: FaceAnalyzer, gallery: Gallery, keys: APIKeys?) {
        self.configuration = configuration
        self.analyzer = analyzer
        self.embedder = embedder
        self.gallery = gallery
        self.keys = keys
        admission = AdmissionControl(slots: configuration.concurrentAnalyses, queueLimit: configuration.queueLimit,
                                     maxWait: configuration.requestTimeout)
        uploadBudget = UploadBudget(totalLimit: configuration.maxUploadBytesInFlight, perCallerLimit: configuration.maxUploadBytesPerKey)
        connections = ConnectionRegistry(limit: configuration.maxConnections)
    }

    private var uploadReader: UploadReader {
        UploadReader(limit: configuration.maxBodyBytes, grace: configuration.uploadGrace, minimumBytesPerSecond: configuration.minimumUploadRate)
    }

    /// The application listening on ``Configuration/host``:``Configuration/port``.
    public func makeApplication(logger: Logger? = nil,
                                onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some ApplicationProtocol {
        let connections = connections, linger = Self.timeAmount(configuration.closeLinger)
        return Application(
            router: makeRouter(),
            server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionGuard(registry: connections, linger: linger)],
                                                idleTimeout: Self.timeAmount(configuration.idleTimeout))),
            // A long accept queue: under a connection flood a short one drops the handshakes of
            // honest clients (a health check among them), which then wait a second to retry.
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "visage", backlog: 4096),
            onServerRunning: onServerRunning,
            logger: logger ?? Logger(label: "visage.server")
        )
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let parts = duration.components
        return .seconds(parts.seconds) + .nanoseconds(parts.attoseconds / 1_000_000_000)
    }

    /// Every route, behind the metrics, security-header, error, connection-cap, audit and
    /// authentication middleware (outermost first).
    public func makeRouter() -> Router<VisageRequestContext> {
        let router = Router(context: VisageRequestContext.self)
        router.middlewares.add(MetricsMiddleware(metrics: metrics))
        router.middlewares.add(SecurityHeadersMiddleware())
        router.middlewares.add(ErrorMiddleware(bodyLimit: configuration.maxBodyBytes))
        router.middlewares.add(ConnectionLimitMiddleware(registry: connections))
        router.middlewares.add(AuditMiddleware(gallery: gallery, bodyLimit: configuration.maxBodyBytes))
        router.middlewares.add(AuthMiddleware(keys: keys))

        router.get("/") { _, _ in
            var page = Self.text(WebPage.html, contentType: "text/html; charset=utf-8")
            page.headers[.contentSecurityPolicy] = WebPage.contentSecurityPolicy
            return page
        }
        router.get("/openapi.json") { _, _ in Self.text(OpenAPIDocument.json, contentType: "application/json") }
        router.get("/metrics") { _, _ in
            Self.text(metrics.render(load: admission.load, connections: connections.counts, uploadBytesInFlight: uploadBudget.inUse),
                      contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/v1/health") { _, _ in
            let load = admission.load
            return Self.json(.object([
                ("status", .string("ok")),
                ("analyses_running", .integer(load.running)),
                ("requests_waiting", .integer(load.waiting)),
            ]))
        }
        router.post("/v1/analyze") { request, context in try await analyze(request, context) }
        router.post("/v1/verify") { request, context in try await verify(request, context) }
        router.post("/v1/identify") { request, context in try await identify(request, context) }
        router.post("/v1/describe") { request, context in try await describe(request, context) }
        router.post("/v1/ask") { request, context in try await ask(request, context) }
        router.get("/v1/people") { _, _ in
            Self.json(.object([("people", .array(try await gallery.people().map(\.json)))]))
        }
        router.post("/v1/people") { request, context in try await createPerson(request, context) }
        router.get("/v1/people/:id") { _, context in
            let (person, templates) = try await gallery.person(try Self.personID(context))
            return Self.json(person.json(templates: templates))
        }
        router.delete("/v1/people/:id") { _, context in
            let id = try Self.personID(context)
            return Self.json(VisageJSON.deletion(id: id, templates: try await gallery.delete(personID: id)))
        }
        router.post("/v1/people/:id/faces") { request, context in try await addFaces(request, context, personID: try Self.personID(context)) }
        router.get("/v1/audit") { request, _ in
            var limit = 100
            if let text = request.uri.queryParameters.get("limit") {
                guard let value = Int(text), (1...10_000).contains(value) else {
                    throw ServiceError.badRequest("`limit` must be a whole number from 1 to 10000; the default is 100.")
                }
                limit = value
            }
            return Self.json(.object([("entries", .array(try await gallery.auditLog(limit: limit).map(\.json)))]))
        }
        return router
    }

    // MARK: - Handlers

    private func analyze(_ request: Request, _ context: VisageRequestContext) async throws -> Response {
        let (uploads, lease) = try await readUploads(request, context)
        defer { lease.release() }
        let upload = try uploads.file("image")
        let embedding = try Self.flag(request, "embedding")
        // `attributes` names what to compute (every attribute when absent); the embedding is
        // printed when named there or asked for with `embedding=true`.
        var tasks = analyzer.configuration.tasks, printsEmbedding = embedding
        if let list = request.uri.queryParameters.get("attributes") {
            do { tasks = try FaceAnalyzer.Tasks(attributeList: String(list)) } catch { throw ServiceError.badRequest("`attributes`: \(error.errorDescription ?? "")") }
            printsEmbedding = printsEmbedding || tasks.contains(.embedding)
        }
        if printsEmbedding { tasks.insert(.embedding) }
        let (width, height, faces) = try await analyzeAll(upload, tasks: tasks)
        return Self.json(VisageJSON.analysis(image: upload.label, width: width, height: height, faces: faces, attributes: true, embedding: printsEmbedding))
    }

    private func verify(_ request: Request, _ context: VisageRequestContext) async throws -> Response {
        let (uploads, lease) = try await readUploads(request, context)
        defer { lease.release() }
        guard uploads.isMultipart else {
            throw ServiceError.badRequest("Verify compares two images: send them as multipart/form-data file fields `a` and `b`.")
        }
        let a = try uploads.file("a"), b = try uploads.file("b")
        // nil: the threshold of the pair's mask condition (Verification.Thresholds).
        var threshold: Float?
        if let text = request.uri.queryParameters.get("threshold") {
            guard let value = Float(text), value.isFinite, (-1...1).contains(value) else {
                throw ServiceError.badRequest("`threshold` must be a number from -1 to 1 (cosine similarity); the default depends on the mask condition (\(Verification.defaultThreshold) with neither face masked).")
            }
            threshold = value
        }
        let explain = try Self.flag(request, "explain")
        // The explanation needs the aligned crops, which the full analyzer keeps.
        let faceAnalyzer = explain ? analyzer : embedder
        let (faces, explanation): ([Face], SimilarityExplanation?) = try await admission.run {
            var faces: [Face] = []
            for upload in [a, b] {
                guard let face = try await faceAnalyzer.analyze(try await decode(upload)).largest else { throw ServiceError.noFace(upload.field) }
                faces.append(face)
            }
            let (a, b) = (faces[0], faces[1])
            return (faces, explain ? try await offload { try analyzer.explainComparison(a, b) } : nil)
        }
        let verification = Verification(comparing: faces[0], with: faces[1], threshold: threshold)
            ?? Verification(similarity: -1, threshold: threshold ?? Verification.defaultThreshold)
        let picture = try explanation.map { try $0.rendered(threshold: verification.threshold).pngData() }
        return Self.json(verification.json(explanation: explanation, explanationImage: picture))
    }

    private func identify(_ request: Request, _ context: VisageRequestContext) async throws -> Response {
        let (uploads, lease) = try await readUploads(request, context)
        defer { lease.release() }
        let upload = try uploads.file("image")
        var topK = configuration.topK
        if let text = request.uri.queryParameters.get("top_k") {
            guard let value = Int(text), (1...100).contains(value) else {
                throw ServiceError.badRequest("`top_k` must be a whole number from 1 to 100; the default is \(configuration.topK).")
            }
            topK = value
        }
        let faces = try await admission.run {
            try await embedder.analyze(try await decode(upload)).filter { $0.embedding != nil }
        }
        let answers = try await gallery.identify(faces: faces, topK: topK)
        context.audit.personIDs = answers.compactMap { $0.match?.personID }
        return Self.json(VisageJSON.identification(image: upload.label, faces: faces, answers: answers))
    }

    private func describe(_ request: Request, _ context: VisageRequestContext) async throws -> Response {
        let (uploads, lease) = try await readUploads(request, context)
        defer { lease.release() }
        let upload = try uploads.file("image")
        let photo = try await questionedPhoto(upload)
        context.audit.personIDs = photo.faces.compactMap { $0.identity?.personID }
        return Self.json(photo.descriptionJSON(image: upload.label))
    }

    private func ask(_ request: Request, _ context: VisageRequestContext) async throws -> Response {
        let (uploads, lease) = try await readUploads(request, context)
        defer { lease.release() }
        // A form carries its question as a field, a raw image in the query; both places are
        // checked, so a bad query parameter is refused even when the form has a question.
        let query = request.uri.queryParameters.get("question").map { String($0) }
        for text in [uploads.text("question"), query].compactMap({ $0 }) where text.count > 500 {
            throw ServiceError.badRequest("The question is longer than 500 characters (\(text.count)); ask something shorter.")
        }
        let question = ((uploads.isMultipart ? uploads.text("question") : query) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !question.isEmpty else {
            throw ServiceError.badRequest("Send the question as the multipart text field `question` (with a raw image body: the query parameter `question`), e.g. \"How many people are in this photo?\".")
        }
        let photo = try await questionedPhoto(try uploads.file("image"))
        context.audit.personIDs = photo.faces.compactMap { $0.identity?.personID }
        return Self.json(Answerer(photo: photo).answer(question).json)
    }

    /// Every measurement of the photo plus each face looked up in the gallery, as `describe`
    /// and `ask --gallery` see it.
    private func questionedPhoto(_ upload: Upload) async throws -> PhotoAnalysis {
        let (width, height, faces) = try await analyzeAll(upload)
        return try await PhotoAnalysis.identifying(faces: faces, width: width, height: height, in: gallery, galleryName: "gallery")
    }

    private func createPerson(_ request: Request, _ context: VisageRequestContext) async throws -> Response {
        let (uploads, lease) = try await readUploads(request, context)
        defer { lease.release() }
        let name = try Self.personName(uploads.text("name") ?? request.uri.queryParameters.get("name").map { String($0) })
        let metadata = try Self.metadata(uploads.text("metadata"))
        let templates = try await templates(from: uploads.files("image"))
        let (person, stored) = try await gallery.enroll(name: name, metadata: metadata, templates: templates)
        context.audit.personIDs = [person.id]
        return Self.json(person.json(templates: stored, warning: Gallery.maskedEnrolmentWarning(stored)), status: .created, headers: [.location: "/v1/people/\(person.id)"])
    }

    private func addFaces(_ request: Request, _ context: VisageRequestContext, personID: Int64) async throws -> Response {
        _ = try await gallery.person(personID)  // 404 before any analysis
        let (uploads, lease) = try await readUploads(request, context)
        defer { lease.release() }
        let templates = try await templates(from: uploads.files("image"))
        let (person, stored) = try await gallery.addTemplates(templates, to: personID)
        return Self.json(person.json(templates: stored, warning: Gallery.maskedEnrolmentWarning(stored)), status: .created)
    }

    /// The largest face of each image as a template; an image without a face refuses the request.
    private func templates(from uploads: [Upload]) async throws -> [Template] {
        guard !uploads.isEmpty else { throw ServiceError.badRequest("Send at least one image: the raw body, or multipart file fields named `image`.") }
        guard uploads.count <= 16 else { throw ServiceError.badRequest("At most 16 images per request; send the others in another request.") }
        var templates: [Template] = []
        for upload in uploads {
            let face = try await admission.run { try await embedder.analyze(try await decode(upload)).largest }
            guard let face else { throw ServiceError.noFace(upload.field) }
            templates.append(try gallery.template(for: face, imageData: Data(upload.bytes)))
        }
        return templates
    }

    /// The request's uploads, read once an analysis could be queued (a full queue refuses before
    /// the body is read) within the upload budget: the lease must be released when the request is answered.
    private func readUploads(_ request: Request, _ context: VisageRequestContext) async throws -> (Uploads, UploadLease) {
        try admission.refuseIfSaturated()
        let lease = UploadLease(budget: uploadBudget, caller: context.caller?.name)
        do {
            return (try await Uploads.read(request, context: context, reader: uploadReader, lease: lease), lease)
        } catch {
            lease.release()
            throw error
        }
    }

    /// Every measurement of the upload's faces (analyze, describe, ask), inside an analysis slot.
    private func analyzeAll(_ upload: Upload, tasks: FaceAnalyzer.Tasks? = nil) async throws -> (width: Int, height: Int, faces: [Face]) {
        try await admission.run {
            let image = try await decode(upload)
            return (image.width, image.height, try await analyzer.analyze(image, tasks: tasks ?? analyzer.configuration.tasks))
        }
    }

    /// Decodes the upload: a large JPEG takes tens of milliseconds of CPU.
    private func decode(_ upload: Upload) async throws -> Image {
        let options = ImageDecodingOptions(maxPixels: configuration.maxPixels)
        return try await offload { try Image(data: upload.bytes, source: "image `\(upload.field)`", options: options) }
    }

    /// Runs CPU-bound work on the private queue, off the cooperative pool the server needs.
    private func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            decodeQueue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    // MARK: - Helpers

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: value.rendered)))
    }

    static func text(_ text: String, contentType: String) -> Response {
        Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func personID(_ context: VisageRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw ServiceError.badRequest("A person id is a positive whole number; GET /v1/people lists them.")
        }
        return id
    }

    static func flag(_ request: Request, _ name: String) throws -> Bool {
        guard let value = request.uri.queryParameters.get(name) else { return false }
        // Exactly the document's boolean: anything else is a client's mistake worth telling.
        switch value {
        case "true": return true
        case "false": return false
        default: throw ServiceError.badRequest("`\(name)` is `true` or `false`.")
        }
    }

    static let bidiControls: Set<UInt32> = [0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]

    static func personName(_ raw: String?) throws -> String {
        let name = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else {
            throw ServiceError.badRequest("Give the person's name: a multipart field `name`, or `?name=` with a raw image body.")
        }
        guard name.count <= 200, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ServiceError.badRequest("A name is at most 200 characters, without control characters.")
        }
        // Bidirectional controls reorder the text around them: "U+202E" makes a listing show a
        // name other than the one stored. Letters of right-to-left scripts need none of them.
        guard !name.unicodeScalars.contains(where: { bidiControls.contains($0.value) }) else {
            throw ServiceError.badRequest("A name may not contain bidirectional control characters (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069).")
        }
        return name
    }

    static func metadata(_ raw: String?) throws -> [String: String] {
        guard let raw, !raw.trimmingCharacters(in: .whitespaces).isEmpty else { return [:] }
        let error = ServiceError.badRequest(#"`metadata` is a JSON object of strings, e.g. {"employee": "1042"}."#)
        guard raw.utf8.count <= 16 * 1024,
              let object = try? JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any] else { throw error }
        var metadata: [String: String] = [:]
        for (key, value) in object {
            guard let text = value as? String else { throw error }
            metadata[key] = text
        }
        return metadata
    }
}

extension VisageService {
    /// Serves until SIGINT or SIGTERM, then finishes the requests in flight and returns.
    ///
    /// - Parameter onListening: called once the socket is bound, with the port (useful with port 0).
    public func run(logger: Logger? = nil, onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let app = makeApplication(logger: logger) { channel in
            onListening(channel.localAddress?.port ?? configuration.port)
        }
        try await app.runService()
    }
}
