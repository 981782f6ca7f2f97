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

    /// Reads the whole body through `reader` (size limit, upload budget, deadline) and parses it.
    static func read(_ request: Request, context: VisageRequestContext, reader: UploadReader, lease: UploadLease) async throws -> Uploads {
        let expected = try reader.declaredLength(of: request)
        guard let contentType = request.headers[.contentType] else { throw ServiceError.unsupportedMediaType }
        let mediaType = Multipart.parseHeaderValue(contentType).0.lowercased()
        if mediaType == "multipart/form-data" {
            guard let boundary = Multipart.boundary(contentType: contentType) else {
                throw ServiceError.badRequest("The multipart Content-Type has no usable boundary parameter (1 to 70 characters).")
            }
            let body = try await reader.read(request, expected: expected, context: context, lease: lease)
            let parts: [MultipartPart]
            do {
                parts = try Multipart.parse(body, boundary: boundary)
            } catch {
                throw ServiceError.badRequest("The multipart body could not be read: \(error.description).")
            }
            return try form(parts)
        }
        guard rawImageTypes.contains(mediaType) || (mediaType.hasPrefix("image/") && !mediaType.contains("svg")) else {
            throw ServiceError.unsupportedMediaType
        }
        return Uploads(isMultipart: false, parts: [MultipartPart(name: "image", body: try await reader.read(request, expected: expected, context: context, lease: lease))])
    }

    /// A form whose fields each appear once, but for ``repeatableFields``: a repeated `name` or
    /// `question` would otherwise be read as its first copy, and the client would never learn
    /// that the second was ignored.
    static func form(_ parts: [MultipartPart]) throws -> Uploads {
        var seen: Set<String> = []
        for part in parts where !repeatableFields.contains(part.name) {
            guard seen.insert(part.name).inserted else {
                throw ServiceError.badRequest("The form has the field `\(part.name.prefix(64))` more than once; send it once.")
            }
        }
        return Uploads(isMultipart: true, parts: parts)
    }

    /// Fields that may repeat: enrolment takes several images in fields named `image`.
    static let repeatableFields: Set<String> = ["image"]

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
