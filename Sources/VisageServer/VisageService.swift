import Dispatch
import Foundation
import Synchronization
import HTTPTypes
public import Hummingbird
public import Logging
public import NIOCore
public import Visage
import VisageAsk
import VisageCore
public import VisageGallery
import VisageJSON
public import VisageModels

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
        /// The thresholds `POST /v1/verify` decides with, per mask condition, when a request gives
        /// no `threshold`; default the calibrated ones (``Verification/Thresholds``). An operator
        /// sets them after reviewing a pilot (`visage serve --verify-thresholds`).
        public var verificationThresholds = Verification.Thresholds()
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
    /// Custom heads `/v1/analyze?head=NAME` may run, by name (`visage serve --head FILE`).
    public let heads: [String: any CustomHead]
    /// The model files this node runs, as `GET /v1/models` reports them.
    let modelSurvey: ModelSurvey

    let admission: AdmissionControl
    let uploadBudget: UploadBudget
    let connections: ConnectionRegistry
    let requestMetrics = ServiceMetrics()
    let decodeQueue = DispatchQueue(label: "visage.server.decode", attributes: .concurrent)

    /// - Parameter models: the survey of the model files the two analyzers opened
    ///   (``servedModels(analyzer:embedder:)``), made when they were loaded so that it describes
    ///   the files this node runs; nil surveys them at the first `GET /v1/models`.
    public init(configuration: Configuration = .init(), analyzer: FaceAnalyzer, embedder: FaceAnalyzer, gallery: Gallery, keys: APIKeys?,
                heads: [String: any CustomHead] = [:], models: ModelInventory? = nil) {
        self.configuration = configuration
        modelSurvey = ModelSurvey(models) { Self.servedModels(analyzer: analyzer, embedder: embedder) }
        self.heads = heads
        self.analyzer = analyzer
        self.embedder = embedder
        self.gallery = gallery
        self.keys = keys
        admission = AdmissionControl(slots: configuration.concurrentAnalyses, queueLimit: configuration.queueLimit,
                                     maxWait: configuration.requestTimeout)
        uploadBudget = UploadBudget(totalLimit: configuration.maxUploadBytesInFlight, perCallerLimit: configuration.maxUploadBytesPerKey)
        connections = ConnectionRegistry(limit: configuration.maxConnections)
    }

    /// The model files `analyzer` and `embedder` have open, read and hashed now, against their cards.
    public static func servedModels(analyzer: FaceAnalyzer, embedder: FaceAnalyzer) -> ModelInventory {
        var seen = Set<String>()
        let files = (analyzer.openedModelFiles + embedder.openedModelFiles).filter { seen.insert($0).inserted }
        return ModelInventory.survey(analyzer.configuration.models, cards: files.compactMap(ModelCard.named))
    }

    var uploadReader: UploadReader {
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

    /// Every operation of openapi.yaml, registered by the code generated from it, behind the
    /// metrics, HEAD, security-header, error, connection-cap and audit middleware (outermost
    /// first); each operation sits in the router group of its API-key role (``RoleMiddleware``),
    /// where ``UploadMiddleware`` reads request bodies within the limits. Every GET route also
    /// answers HEAD: the router runs the GET route once and sends its status and headers
    /// without the body (``HeadMiddleware``).
    public func makeRouter() -> Router<VisageRequestContext> {
        let router = Router(context: VisageRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.middlewares.add(MetricsMiddleware(metrics: requestMetrics))
        router.middlewares.add(HeadMiddleware())
        router.middlewares.add(SecurityHeadersMiddleware())
        router.middlewares.add(ErrorMiddleware(bodyLimit: configuration.maxBodyBytes))
        router.middlewares.add(ConnectionLimitMiddleware(registry: connections))
        router.middlewares.add(AuditMiddleware(gallery: gallery, bodyLimit: configuration.maxBodyBytes))
        let uploads = UploadMiddleware(admission: admission, budget: uploadBudget, reader: uploadReader)
        let groups = RoleGroups(
            spec: .bundled,
            open: router.group().add(middleware: uploads),
            read: router.group().add(middleware: RoleMiddleware(role: .read, keys: keys)).add(middleware: uploads),
            admin: router.group().add(middleware: RoleMiddleware(role: .admin, keys: keys)).add(middleware: uploads)
        )
        do {
            try registerHandlers(on: groups, middlewares: [RenderedResponses()])
        } catch {
            // openapi.yaml and the generated code are built together: only a broken build gets here.
            fatalError("The API's routes could not be registered: \(error)")
        }
        return router
    }

    // MARK: - Shared by the handlers (VisageService+Handlers.swift)

    /// The largest face of each upload as a template, and its estimated age (for the
    /// enrolment's warning only, never stored); an upload without a face refuses the request.
    /// The full analyzer runs, as `visage enroll` does: the embedder has no age model.
    func templates(from uploads: [Upload]) async throws -> (templates: [Template], ages: [Float?]) {
        guard !uploads.isEmpty else { throw ServiceError.badRequest("Send at least one image: the raw body, or multipart file fields named `image`.") }
        guard uploads.count <= 16 else { throw ServiceError.badRequest("At most 16 images per request; send the others in another request.") }
        var templates: [Template] = [], ages: [Float?] = []
        for upload in uploads {
            let face = try await admission.run { try await analyzer.analyze(try await decode(upload), tasks: Gallery.enrollmentTasks).largest }
            guard let face else { throw ServiceError.noFace(upload.field) }
            templates.append(try gallery.template(for: face, imageData: Data(upload.bytes)))
            ages.append(face.age)
        }
        return (templates, ages)
    }

    /// Every measurement of the upload's faces (analyze, describe, ask), inside an analysis slot.
    func analyzeAll(_ upload: Upload, tasks: FaceAnalyzer.Tasks? = nil, heads: [any CustomHead] = []) async throws -> (width: Int, height: Int, faces: [Face]) {
        try await admission.run {
            let image = try await decode(upload)
            return (image.width, image.height, try await analyzer.analyze(image, tasks: tasks ?? analyzer.configuration.tasks, heads: heads))
        }
    }

    /// Decodes the upload: a large JPEG takes tens of milliseconds of CPU.
    func decode(_ upload: Upload) async throws -> Image {
        let options = ImageDecodingOptions(maxPixels: configuration.maxPixels)
        return try await offload(on: decodeQueue) { try Image(data: upload.bytes, source: "image `\(upload.field)`", options: options) }
    }

    // MARK: - Helpers

    /// A person id from the path; the spec's `minimum: 1`, which the generated code does not check.
    static func personID(_ id: Int64) throws -> Int64 {
        guard id > 0 else { throw ServiceError.badRequest("A person id is a positive whole number; GET /v1/people lists them.") }
        return id
    }

    static func personName(_ raw: String?) throws -> String {
        switch Person.nameProblem(raw ?? "") {
        case .empty?: throw ServiceError.badRequest("Give the person's name: a multipart field `name`, or `?name=` with a raw image body.")
        case let problem?: throw ServiceError.badRequest(problem.sentence)
        case nil: return Person.storedName(raw ?? "")
        }
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
    ///
    /// - Throws: ``ListenError`` when the address cannot be listened on (the port is taken, a
    ///   port under 1024 without the right, a host that does not resolve or is not this machine's).
    public func run(logger: Logger? = nil, onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let app = makeApplication(logger: logger) { channel in
            onListening(channel.localAddress?.port ?? configuration.port)
        }
        do {
            try await app.runService()
        } catch let error as IOError where [EADDRINUSE, EACCES, EADDRNOTAVAIL].contains(error.errnoCode) {
            throw ListenError(host: configuration.host, port: configuration.port, errno: error.errnoCode)
        } catch is SocketAddressError, is SocketAddressError.UnknownHost {
            throw ListenError(host: configuration.host, port: configuration.port, errno: nil)
        }
    }
}

/// Why `visage serve` could not listen where it was told to, and what to do: NIO's own text
/// ("bind(descriptor:ptr:bytes:): Address already in use) (errno: 98)") says neither.
public struct ListenError: Error, Equatable, CustomStringConvertible {
    public let host: String
    public let port: Int
    /// The system's error number; nil when the host name did not resolve.
    public let errno: CInt?

    public var description: String {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return switch errno {
        case EADDRINUSE?: "Cannot listen on \(address): the port is in use (another visage serve?). Choose another with --port, or --port 0 for a free one."
        case EACCES?: "Cannot listen on \(address): ports under 1024 need privileges. Use a port from 1024 up (8080, the default), behind a reverse proxy for 80/443."
        case EADDRNOTAVAIL?: "Cannot listen on \(address): \(host) is not an address of this machine. Use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)."
        default: "Cannot listen on \(address): the host name \(host) does not resolve. Use an IP address such as 127.0.0.1 or 0.0.0.0."
        }
    }
}

/// The survey `GET /v1/models` answers with, made once: given at start-up, or at the first request.
final class ModelSurvey: Sendable {
    private let inventory: Mutex<ModelInventory?>
    private let survey: @Sendable () -> ModelInventory

    init(_ inventory: ModelInventory?, survey: @escaping @Sendable () -> ModelInventory) {
        self.inventory = Mutex(inventory)
        self.survey = survey
    }

    /// The survey; the first call without one reads every file (tens of megabytes), so it runs off
    /// the cooperative pool.
    func get() async throws -> ModelInventory {
        if let known = inventory.withLock({ $0 }) { return known }
        let made = try await offload { [survey] in survey() }
        return inventory.withLock { stored in
            if let stored { return stored }
            stored = made
            return made
        }
    }
}
