import Crypto
public import Foundation
import VisageCore

/// Encrypts embeddings at rest with AES-256-GCM; each template gets its own random nonce.
///
/// ```swift
/// let cipher = try TemplateCipher(keyFile: "/etc/visage/gallery.key")
/// ```
///
/// The key is 32 bytes: a file holding them raw, as 64 hex digits or as base64, or the same
/// text in the environment variable `VISAGE_GALLERY_KEY`. Only the embedding is encrypted;
/// names and metadata stay readable so that people can be listed and deleted without the key.
public struct TemplateCipher: Sendable {
    /// Environment variable read by ``fromEnvironment()``.
    public static let environmentKey = "VISAGE_GALLERY_KEY"

    // The raw bytes: `SymmetricKey` is not `Sendable` in swift-crypto 3.
    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    public init(keyBytes: [UInt8]) throws {
        guard keyBytes.count == 32 else { throw GalleryError.invalidKey(reason: "\(keyBytes.count) bytes instead of 32") }
        self.keyBytes = keyBytes
    }

    /// Reads a key from text (64 hex digits or base64) or, failing that, raw bytes.
    public init(keyData data: Data) throws {
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count == 64, let bytes = Self.hex(text) {
            try self.init(keyBytes: bytes)
        } else if let decoded = Data(base64Encoded: text), decoded.count == 32 {
            try self.init(keyBytes: Array(decoded))
        } else {
            try self.init(keyBytes: Array(data))
        }
    }

    public init(keyFile path: String) throws {
        // SmallFile reads a pipe too, so `--key-file <(vault kv get …)` keeps the key off the
        // disk; a key is 32 bytes, so a file over 64 KiB is a wrong path, not a key.
        let data: Data
        do { data = try SmallFile.contents(of: path, limit: 1 << 16) } catch {
            throw GalleryError.invalidKey(reason: "cannot read the key file \(path) (\(error.reason))")
        }
        try self.init(keyData: data)
    }

    /// The key in `VISAGE_GALLERY_KEY`, nil when the variable is unset or empty.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TemplateCipher? {
        guard let text = environment[environmentKey], !text.isEmpty else { return nil }
        return try TemplateCipher(keyData: Data(text.utf8))
    }

    /// Nonce, ciphertext and tag in one blob.
    public func seal(_ plaintext: Data) throws -> Data {
        guard let combined = try AES.GCM.seal(plaintext, using: key).combined else {
            throw GalleryError.invalidKey(reason: "AES-GCM produced no combined box")
        }
        return combined
    }

    public func open(_ blob: Data) throws -> Data {
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: blob), using: key)
        } catch {
            throw GalleryError.wrongKey
        }
    }

    private static func hex(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = hexValue(high), let l = hexValue(low) else { return nil }
            bytes.append(h << 4 | l)
        }
        return bytes
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 65...70: c - 55
        case 97...102: c - 87
        default: nil
        }
    }
}

/// Hex SHA-256 of a file's bytes, for ``Template/sourceSHA256``.
public func sha256Hex(of data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
}
