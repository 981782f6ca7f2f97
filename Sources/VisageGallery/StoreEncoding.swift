import Foundation

/// How every store writes what SQL has no type for, so that the SQLite and PostgreSQL stores hold
/// the same bytes: embeddings as little-endian float32 (AES-GCM sealed when the gallery is
/// encrypted), metadata as a JSON object with sorted keys, the audit's person ids as a JSON
/// array, and the encryption mode with its key check in the `meta` table.
struct StoreEncoding: Sendable {
    let cipher: TemplateCipher?
    /// Where the store is, for error messages (a path, or a URL without its password).
    let location: String

    /// Little-endian float32, sealed when the gallery is encrypted.
    func embeddingBytes(_ embedding: [Float]) throws -> Data {
        var data = Data(capacity: embedding.count * 4)
        for value in embedding { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return try cipher?.seal(data) ?? data
    }

    func embedding(from blob: Data, dimension: Int) throws -> [Float] {
        let data = try cipher?.open(blob) ?? blob
        guard data.count == dimension * 4 else {
            throw GalleryError.damaged(path: location, detail: "a template holds \(data.count) bytes instead of \(dimension * 4)")
        }
        return data.withUnsafeBytes { raw in
            (0..<dimension).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    /// An embedding whose size is its byte count's (the attention head's, stored without a dimension column).
    func embedding(from blob: Data) throws -> [Float] {
        let data = try cipher?.open(blob) ?? blob
        return try embedding(fromOpened: data)
    }

    private func embedding(fromOpened data: Data) throws -> [Float] {
        guard data.count % 4 == 0 else {
            throw GalleryError.damaged(path: location, detail: "an attention-head template holds \(data.count) bytes, not whole floats")
        }
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    static func metadataText(_ metadata: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(metadata), as: UTF8.self)
    }

    static func metadata(from text: String) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
    }

    static func personIDsText(_ ids: [Int64]) -> String { "[" + ids.map(String.init).joined(separator: ",") + "]" }

    static func personIDs(from text: String) -> [Int64] {
        text.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: ",").compactMap { Int64($0) }
    }

    // MARK: - Encryption mode

    private static let keyCheckPlaintext = Data("visage gallery key check".utf8)

    /// The `meta` rows of a new gallery: its encryption mode and, with a key, a sealed check text.
    static func newEncryptionMeta(cipher: TemplateCipher?) throws -> [(key: String, value: String)] {
        guard let cipher else { return [("encryption", "none")] }
        return [("encryption", "aes-256-gcm"), ("key_check", try cipher.seal(keyCheckPlaintext).base64EncodedString())]
    }

    /// Whether an existing gallery (encryption mode `mode`) is encrypted, after checking that
    /// `cipher` fits it: the key is required, must open the key check, and cannot be added later.
    static func checkEncryption(mode: String, keyCheck: String?, cipher: TemplateCipher?) throws -> Bool {
        if mode == "none" {
            if cipher != nil { throw GalleryError.encryptionMismatch(galleryEncrypted: false) }
            return false
        }
        guard let cipher else { throw GalleryError.keyRequired }
        guard let keyCheck, let sealed = Data(base64Encoded: keyCheck), try cipher.open(sealed) == keyCheckPlaintext else {
            throw GalleryError.wrongKey
        }
        return true
    }
}
