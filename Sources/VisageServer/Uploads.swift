import HTTPTypes
import Hummingbird
import NIOCore

/// One uploaded image: the form field it came in, the client's file name, and its bytes.
struct Upload: Sendable {
    var field: String
    var filename: String?
    var bytes: [UInt8]

    /// What the response's `image` names: the client's file name, else the field.
    var label: String { filename.flatMap { $0.isEmpty ? nil : String($0.prefix(255)) } ?? field }
}

/// The body of a request that carries images: either one raw image (`image/jpeg`, `image/png`,
/// `image/webp`, `application/octet-stream`) or `multipart/form-data` fields.
struct Uploads: Sendable {
    var isMultipart: Bool
    var parts: [MultipartPart]

    static let rawImageTypes: Set<String> = ["image/jpeg", "image/jpg", "image/png", "image/webp", "application/octet-stream"]

    /// Reads the whole body, refusing more than `limit` bytes (413) before and while reading.
    static func read(_ request: Request, limit: Int) async throws -> Uploads {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw ServiceError.payloadTooLarge(limit: limit)
        }
        guard let contentType = request.headers[.contentType] else { throw ServiceError.unsupportedMediaType }
        let mediaType = Multipart.parseHeaderValue(contentType).0.lowercased()
        if mediaType == "multipart/form-data" {
            guard let boundary = Multipart.boundary(contentType: contentType) else {
                throw ServiceError.badRequest("The multipart Content-Type has no usable boundary parameter (1 to 70 characters).")
            }
            let body = try await collect(request, limit: limit)
            do {
                return Uploads(isMultipart: true, parts: try Multipart.parse(body, boundary: boundary))
            } catch {
                throw ServiceError.badRequest("The multipart body could not be read: \(error.description).")
            }
        }
        guard rawImageTypes.contains(mediaType) || (mediaType.hasPrefix("image/") && !mediaType.contains("svg")) else {
            throw ServiceError.unsupportedMediaType
        }
        return Uploads(isMultipart: false, parts: [MultipartPart(name: "image", body: try await collect(request, limit: limit))])
    }

    private static func collect(_ request: Request, limit: Int) async throws -> [UInt8] {
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw ServiceError.payloadTooLarge(limit: limit)
        }
    }

    /// The single image of field `name` (a raw body counts as `image`).
    func file(_ name: String) throws -> Upload {
        let matches = files(name)
        guard let first = matches.first else {
            throw ServiceError.badRequest(isMultipart
                ? "The multipart body has no field `\(name)`; send the image in a file field named `\(name)`."
                : "Send the image as the raw body, or as a multipart file field named `\(name)`.")
        }
        guard matches.count == 1 else { throw ServiceError.badRequest("Send one image in field `\(name)`, not \(matches.count).") }
        return first
    }

    /// Every image in fields called `name`.
    func files(_ name: String) -> [Upload] {
        parts.filter { $0.name == name }.map { Upload(field: $0.name, filename: $0.filename, bytes: $0.body) }
    }

    /// A text field's value.
    func text(_ name: String) -> String? {
        parts.first { $0.name == name && $0.filename == nil }?.text
    }
}
