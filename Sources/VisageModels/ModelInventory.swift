import Crypto
import Foundation
import VisageCore

/// The model files in a folder against their cards: which are there, whether each is the exact
/// file `scripts/setup` installs (its sha256), and what each may be used for.
///
/// The set-up checks its files when it installs them; nothing checks them afterwards, and a
/// retrained head copied over a shipped one, a truncated copy or a different machine's folder all
/// load without complaint when their tensors fit. This is the check an operator runs
/// (`visage models --check`) and what a service reports (`GET /v1/models`).
///
/// ```swift
/// let inventory = ModelInventory.survey(.default)
/// for entry in inventory.entries where entry.isProblem { print(entry.card.fileName, entry.state) }
/// ```
public struct ModelInventory: Sendable {
    /// What the folder holds under one card's file name.
    public enum State: Sendable, Hashable {
        /// The bytes `scripts/setup` installs.
        case asInstalled
        /// A file whose bytes are not the set-up's: the operator's own (a retrained head), or a
        /// damaged copy.
        case differs
        /// A file set-up does not install (an opt-in model the operator trained): nothing to
        /// compare it with.
        case present
        case missing
        /// Something is there but cannot be read as a file: a folder, a named pipe, no permission.
        case unreadable(reason: String)

        /// The state's name in `visage models` and in JSON.
        public var name: String {
            switch self {
            case .asInstalled: "as-installed"
            case .differs: "differs"
            case .present: "present"
            case .missing: "missing"
            case .unreadable: "unreadable"
            }
        }
    }

    public struct Entry: Sendable, Hashable {
        public var card: ModelCard
        public var state: State
        /// The file's size and sha256; nil unless it was read.
        public var bytes: Int?
        public var sha256: String?

        /// Whether an operator has something to fix: a file Visage needs by default is missing,
        /// a file is not the set-up's, or a file cannot be read. An opt-in file that is absent is not.
        public var isProblem: Bool {
            switch state {
            case .asInstalled, .present: false
            case .differs, .unreadable: true
            case .missing: !card.isOptIn
            }
        }

        /// What an operator should do about a problem, nil when there is none.
        public var advice: String? {
            guard isProblem else { return nil }
            return switch state {
            case .missing: "run `make setup` (scripts/setup) to install it"
            case .differs: "not the file set-up installs: if it is your own model, keep its card with it; else delete it and run `make setup`"
            case let .unreadable(reason): reason
            case .asInstalled, .present: nil
            }
        }
    }

    /// The folder surveyed.
    public var directory: ModelDirectory
    /// One entry per card asked about, in the order asked.
    public var entries: [Entry]

    /// Surveys `directory` for `cards` (default: every model Visage can open), reading and hashing
    /// each file that is there. Never throws: what cannot be read is an entry saying why.
    public static func survey(_ directory: ModelDirectory, cards: [ModelCard] = ModelCard.all) -> ModelInventory {
        ModelInventory(directory: directory, entries: cards.map { entry(for: $0, in: directory) })
    }

    private static func entry(for card: ModelCard, in directory: ModelDirectory) -> Entry {
        let path = directory.path(for: card.fileName)
        let kind = FileKind(of: path)
        if kind == .missing {
            // stat follows links: a link to nothing (or to itself) is there, but cannot be read.
            guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else { return Entry(card: card, state: .missing) }
            return Entry(card: card, state: .unreadable(reason: "\(path): a symbolic link to \(link), which cannot be followed to a file"))
        }
        // Checked before opening: a named pipe under a model's name would block the read for good.
        if let refusal = kind.refusal { return Entry(card: card, state: .unreadable(reason: "\(path): \(refusal)")) }
        do {
            let (bytes, sha256) = try digest(of: path)
            let state: State = switch card.installedSHA256 {
            case nil: .present
            case sha256?: .asInstalled
            case _?: .differs
            }
            return Entry(card: card, state: state, bytes: bytes, sha256: sha256)
        } catch {
            return Entry(card: card, state: .unreadable(reason: "\(path): \(error.localizedDescription)"))
        }
    }

    /// The file's size and lower-case hex sha256, read a megabyte at a time (SFace is 39 MB).
    static func digest(of path: String) throws -> (bytes: Int, sha256: String) {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var hash = SHA256()
        var bytes = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hash.update(data: chunk)
            bytes += chunk.count
        }
        return (bytes, hash.finalize().map { String(format: "%02x", $0) }.joined())
    }
}

extension ModelInventory.Entry {
    init(card: ModelCard, state: ModelInventory.State) {
        self.init(card: card, state: state, bytes: nil, sha256: nil)
    }
}
