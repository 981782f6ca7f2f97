import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Visage
import VisageGallery
import VisageHeads
import VisageModels
import VisageServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve analysis, verification, identification and the gallery over HTTP, with a web page.",
        discussion: """
        The API is under /v1 (GET /openapi.json describes it), the web page at /, Prometheus \
        metrics at /metrics. Clients send `Authorization: Bearer KEY`; keys come from --keys FILE \
        or $VISAGE_API_KEYS, one `role key [name]` entry per line (roles: read, admin; the name is what \
        the audit trail records for the key). Without keys the \
        server refuses to start unless given --insecure-no-auth.

        Several nodes may serve one gallery: give each the same PostgreSQL URL as --gallery; \
        each sees the others' enrolments and deletions before its next identification.

        Examples:
          visage serve --gallery staff.gallery --keys keys.txt
          VISAGE_API_KEYS="admin $(openssl rand -hex 16)" visage serve --gallery staff.gallery --port 9000
          PGPASSWORD=... visage serve --gallery postgres://visage@db.internal/staff --keys keys.txt --port 8081
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var galleryOptions: GalleryOptions

    @Option(help: "Interface to listen on (127.0.0.1: this machine only; 0.0.0.0: every interface).")
    var host = "127.0.0.1"

    @Option(help: "TCP port (0 picks a free one).")
    var port = 8080

    @Option(help: ArgumentHelp("File of API keys, one `role key [name]` entry per line (default: $VISAGE_API_KEYS).", valueName: "file"))
    var keys: String?

    @Flag(help: "Serve without API keys: anyone who can reach the port may analyse and manage people.")
    var insecureNoAuth = false

    @Option(help: "Largest request body in bytes (the default is 20 MiB).")
    var maxBodyBytes = VisageService.Configuration().maxBodyBytes

    @Option(help: "Analyses running at once.")
    var concurrency = VisageService.Configuration().concurrentAnalyses

    @Option(help: "Requests that may wait for an analysis; beyond them the answer is 503.")
    var queue = VisageService.Configuration().queueLimit

    @Option(help: "Seconds a request may wait for an analysis before a 503.")
    var timeout: Double = 20

    @Option(help: "Client connections held open at most; at the cap the longest-idle one is closed for a new one.")
    var maxConnections = VisageService.Configuration().maxConnections

    @Option(help: "Request body bytes all uploads may hold in memory at once; beyond it 503 before the body is read.")
    var maxUploadBytesInFlight = VisageService.Configuration().maxUploadBytesInFlight

    @Option(help: "Request body bytes the uploads of one API key may hold at once; beyond it 429.")
    var maxUploadBytesPerKey = VisageService.Configuration().maxUploadBytesPerKey

    @Option(help: "Slowest average upload accepted, in bytes per second, after a 10 s grace; slower bodies get 408.")
    var minUploadRate = VisageService.Configuration().minimumUploadRate

    @Option(help: ArgumentHelp("The thresholds POST /v1/verify decides with when a request gives none, per mask condition: neither face masked, one, both (default: the calibrated 0.303,0.401,0.578). Set them after reviewing a pilot (`visage calibrate --protocol folders`).", valueName: "u,one,both"))
    var verifyThresholds: String?

    @Option(help: "Days audit entries are kept (default: for ever).")
    var auditRetentionDays: Int?

    @Option(name: .customLong("head"), help: ArgumentHelp("A custom head (from `visage train-head`) that POST /v1/analyze?head=NAME may run, by the name it was trained under; repeat for several.", valueName: "file"))
    var heads: [String] = []

    @Option(help: ArgumentHelp("Where age and gender come from in POST /v1/analyze (default: sface-head; as `analyze --age-gender`).", valueName: "model"))
    var ageGender: FaceAnalyzer.AttributeModel?

    func validate() throws {
        if !(0...65535).contains(port) { throw ValidationError("--port must be from 0 to 65535.") }
        if maxBodyBytes < 1024 { throw ValidationError("--max-body-bytes must be at least 1024.") }
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1.") }
        if let verifyThresholds { _ = try parseVerificationThresholds(verifyThresholds, "--verify-thresholds") }
        if queue < 0 { throw ValidationError("--queue must be 0 or more.") }
        if !(timeout > 0 && timeout <= 3600) { throw ValidationError("--timeout must be more than 0 and at most 3600 seconds.") }
        if maxConnections < 1 { throw ValidationError("--max-connections must be at least 1.") }
        if maxUploadBytesInFlight < maxBodyBytes { throw ValidationError("--max-upload-bytes-in-flight must be at least --max-body-bytes, or no upload of the largest size could be read.") }
        if maxUploadBytesPerKey < maxBodyBytes { throw ValidationError("--max-upload-bytes-per-key must be at least --max-body-bytes.") }
        if minUploadRate < 1 { throw ValidationError("--min-upload-rate must be at least 1 byte per second.") }
        // Days become seconds: Int.max days overflowed and crashed the server at start.
        if let days = auditRetentionDays, !(1...36_500).contains(days) { throw ValidationError("--audit-retention-days must be from 1 to 36500 (a century).") }
    }

    func run() async throws {
        let apiKeys: APIKeys
        do {
            apiKeys = try APIKeys.load(file: keys)
        } catch {
            throw ValidationError(error.localizedDescription)
        }
        if apiKeys.isEmpty, !insecureNoAuth {
            throw ValidationError("""
            \(keys.map { "No API keys in \($0)" } ?? "No API keys"): give --keys FILE or set $VISAGE_API_KEYS (one `role key [name]` entry \
            per line, roles read and admin; `openssl rand -hex 16` makes a key), or pass --insecure-no-auth to serve without authentication.
            """)
        }
        if !apiKeys.isEmpty, insecureNoAuth {
            throw ValidationError("--insecure-no-auth and API keys exclude each other; drop one.")
        }
        if insecureNoAuth {
            printError("warning: serving WITHOUT authentication (--insecure-no-auth): anyone who can reach \(host):\(port) may analyse photos and read, enrol and delete people.")
        }

        // Verify compares a masked face through the attention head, so both analyzers compute
        // the mask and the head's embedding besides SFace's (a few milliseconds per face). The
        // embedder shares the analyzer's models (its tasks are a subset: nothing more is opened).
        let analyzer = try global.makeAnalyzer(tasks: FaceAnalyzer.Tasks.all.union(.maskedFaceEmbedding), ageGender: ageGender)
        let embedder = try analyzer.sharingModels(tasks: [.embedding, .mask, .maskedFaceEmbedding])
        // The service writes one audit entry per request itself, naming the API key.
        let retention = auditRetentionDays
        let gallery = try await galleryOptions.open(analyzer: embedder, creating: true) { configuration in
            configuration.recordsAudit = false
            configuration.auditRetention = retention.map { .seconds(Int64($0) * 86_400) }
        }

        // Which thresholds decide, and why, belongs in the operator's log from the first line.
        // Without the attention head (--no-research-only-models) the masked thresholds decide nothing.
        let headless = !analyzer.configuration.tasks.contains(.maskedFaceEmbedding)
        let masksThroughSFace = headless ? "; masked faces through SFace at the unmasked threshold (no attention head)" : ""
        printError("visage: identification thresholds: " + GalleryCommand.Threshold.oneLine(await gallery.thresholds) + masksThroughSFace)

        var configuration = VisageService.Configuration()
        configuration.host = host
        configuration.port = port
        configuration.maxBodyBytes = maxBodyBytes
        if let maxPixels = global.maxPixels { configuration.maxPixels = maxPixels }
        configuration.concurrentAnalyses = concurrency
        configuration.queueLimit = queue
        configuration.requestTimeout = .milliseconds(Int64(timeout * 1000))
        configuration.maxConnections = Self.connectionCap(maxConnections)
        configuration.maxUploadBytesInFlight = maxUploadBytesInFlight
        configuration.maxUploadBytesPerKey = maxUploadBytesPerKey
        configuration.minimumUploadRate = minUploadRate
        if let verifyThresholds { configuration.verificationThresholds = try parseVerificationThresholds(verifyThresholds, "--verify-thresholds") }
        let pair = configuration.verificationThresholds
        printError(String(format: "visage: verification thresholds: neither face masked %.4f, one %.4f, both %.4f (%@)", pair.unmasked, pair.oneMasked, pair.bothMasked,
                          verifyThresholds == nil ? "calibrated defaults" : "--verify-thresholds") + masksThroughSFace)
        var loaded: [String: any CustomHead] = [:]
        for path in heads {
            let head: FaceHead
            do { head = try FaceHead(contentsOf: path) } catch { throw CommandFailure(error.errorDescription ?? "\(error)") }
            guard loaded[head.name] == nil else {
                throw ValidationError("Two heads are named \"\(head.name)\"; each --head must have its own name (set at training with --name).")
            }
            loaded[head.name] = head
        }
        // The files just loaded, hashed once, so GET /v1/models describes what this node runs.
        let models = VisageService.servedModels(analyzer: analyzer, embedder: embedder)
        for line in Self.modelLines(models) { printError(line) }
        let service = VisageService(configuration: configuration, analyzer: analyzer, embedder: embedder, gallery: gallery,
                                    keys: insecureNoAuth ? nil : apiKeys, heads: loaded, models: models)
        let host = host
        try await service.run { port in
            printError("visage: serving http://\(host.contains(":") ? "[\(host)]" : host):\(port)/ (API under /v1, description at /openapi.json)")
        }
    }

    /// What the operator's log says of the models from the start: which ones allow no commercial
    /// use, and a warning for any file that is not the one set-up installs.
    static func modelLines(_ models: ModelInventory) -> [String] {
        var lines: [String] = []
        let restricted = models.entries.filter { $0.card.use == .researchOnly }.map(\.card.fileName)
        if !restricted.isEmpty {
            lines.append("visage: models for non-commercial research only: \(restricted.joined(separator: ", ")) (licences and training data: GET /v1/models, `visage models`)")
        }
        for entry in models.entries where entry.isProblem {
            lines.append("warning: model \(entry.card.fileName) (\(entry.state.name)): \(entry.advice ?? "")")
        }
        return lines
    }

    /// Each connection is a file descriptor: the process's soft limit is raised to its hard
    /// limit, and the cap lowered, with a warning, when even that leaves too few files for the
    /// connections plus the models, the gallery and the accept queue (256 kept for those).
    static func connectionCap(_ requested: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return requested }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        let available = Int(clamping: limit.rlim_cur) - 256
        guard requested > available else { return requested }
        let cap = max(16, available)
        printError("warning: --max-connections \(requested) is more than this process may open (\(limit.rlim_cur) files); serving at most \(cap) connections. Raise the limit (ulimit -n) for more.")
        return cap
    }
}
