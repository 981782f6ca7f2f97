import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OpenAPIRuntime

/// One uploaded image: the form field it came in, the client's file name, and its bytes.
struct Upload: Sendable {
    var field: String
    var filename: String?
    var bytes: [UInt8]

    /// What the response's `image` names: the client's file name (its first 255 code points: a
    /// grapheme cluster may be any length), else the field.
    var label: String {
        filename.flatMap { $0.isEmpty ? nil : String(String.UnicodeScalarView($0.unicodeScalars.prefix(255))) } ?? field
    }
}

/// A request body as the handlers read it: one raw image (`image/jpeg`, `image/png`, `image/webp`,
/// `application/octet-stream`), or the fields of a `multipart/form-data` form, which the code
/// generated from openapi.yaml parses (OpenAPIRuntime's `MultipartBody`).
struct Uploads: Sendable {
    struct Part: Sendable {
        var name: String
        var filename: String?
        var bytes: [UInt8]
    }

    var isMultipart: Bool
    var parts: [Part]

    /// At most this many fields, so a body of tiny parts cannot cost more than it should.
    static let maxParts = 32
    /// Fields that may repeat: enrolment takes several images in fields named `image`.
    static let repeatableFields: Set<String> = ["image"]

    /// A raw image body (already read within the limits by ``UploadMiddleware``).
    static func raw(_ body: HTTPBody) async throws -> Uploads {
        Uploads(isMultipart: false, parts: [Part(name: "image", bytes: try await [UInt8](collecting: body, upTo: .max))])
    }

    /// The fields of a form. `required` are the fields the operation cannot do without: when
    /// the generated code refuses the form (a required field missing, a single field repeated, a
    /// field the form does not list, a malformed body), the answer names the field, as a client
    /// needs to fix it.
    static func form<Field: FormField>(_ body: MultipartBody<Field>, required: [String]) async throws -> Uploads {
        var parts: [Part] = []
        do {
            for try await field in body {
                guard parts.count < maxParts else {
                    throw ServiceError.badRequest("The multipart body has more than \(maxParts) fields; send fewer.")
                }
                let (name, filename, content) = field.named
                parts.append(Part(name: name, filename: filename, bytes: try await [UInt8](collecting: content, upTo: .max)))
            }
        } catch let error as ServiceError {
            throw error
        } catch {
            // openapi.yaml's forms say `additionalProperties: false`, so the runtime stops at the
            // first field the form does not list, naming it.
            if let unknown = unknownField(in: "\(error)") { throw ServiceError.unknownField(unknown, accepted: Field.fieldNames) }
            if "\(error)".contains("Received an unnamed part") { throw ServiceError.unnamedField(accepted: Field.fieldNames) }
            // The runtime names the field it refused in quotes; a field already read once was sent twice.
            if let repeated = parts.first(where: { !repeatableFields.contains($0.name) && "\(error)".contains("'\($0.name)'") }) {
                throw ServiceError.badRequest("The form has the field `\(repeated.name.prefix(64))` more than once; send it once.")
            }
            // Only the validator's own complaint means a field is missing: a malformed part after a
            // whole `image` also stops the reading before `image` is kept, but the form has it.
            if "\(error)".contains("Missing required parts"),
               let missing = required.first(where: { name in !parts.contains { $0.name == name } }) {
                throw ServiceError.badRequest(missingField(missing))
            }
            throw ServiceError.badRequest("The multipart body could not be read: \(error)")
        }
        // A repeated `name` or `question` would otherwise be read as its first copy, and the
        // client would never learn that the second was ignored.
        var seen: Set<String> = []
        for part in parts where !repeatableFields.contains(part.name) {
            guard seen.insert(part.name).inserted else {
                throw ServiceError.badRequest("The form has the field `\(part.name.prefix(64))` more than once; send it once.")
            }
        }
        return Uploads(isMultipart: true, parts: parts)
    }

    /// The field named in OpenAPIRuntime's refusal of a part that the form does not list
    /// ("Received an unknown part 'metdata', which is disallowed …"); nil for any other error.
    static func unknownField(in message: String) -> String? {
        guard let start = message.range(of: "Received an unknown part '"),
              let end = message.range(of: "', which is disallowed", options: .backwards, range: start.upperBound..<message.endIndex) else { return nil }
        return String(message[start.upperBound..<end.lowerBound])
    }

    /// Fields that carry text rather than a file.
    static let textFields: Set<String> = ["name", "metadata", "question"]

    static func missingField(_ name: String) -> String {
        textFields.contains(name) ? "The multipart body has no field `\(name)`; send it as a text field named `\(name)`."
            : "The multipart body has no field `\(name)`; send the image in a file field named `\(name)`."
    }

    /// The single image of field `name` (a raw body counts as `image`).
    func file(_ name: String) throws -> Upload {
        let matches = files(name)
        guard let first = matches.first else {
            throw ServiceError.badRequest(isMultipart ? Self.missingField(name) : "Send the image as the raw body, or as a multipart file field named `\(name)`.")
        }
        guard matches.count == 1 else { throw ServiceError.badRequest("Send one image in field `\(name)`, not \(matches.count).") }
        return first
    }

    /// Every image in fields called `name`.
    func files(_ name: String) -> [Upload] {
        parts.filter { $0.name == name }.map { Upload(field: $0.name, filename: $0.filename, bytes: $0.bytes) }
    }

    /// A text field's value; a value that is not UTF-8 is refused, not read with its bytes replaced
    /// (a name stored as "caf\u{FFFD}"). A text field sent as a file (`curl -F "metadata=@meta.json;type=text/plain"`)
    /// is read all the same: skipping it dropped the metadata without a word.
    func text(_ name: String) throws -> String? {
        guard let part = parts.first(where: { $0.name == name }) else { return nil }
        guard let text = String(validating: part.bytes, as: UTF8.self) else {
            throw ServiceError.badRequest("The form field `\(name.prefix(64))` is not UTF-8 text; send it encoded as UTF-8.")
        }
        return text
    }
}

/// A field of a form as the generated code types it (one enum per form in openapi.yaml), read
/// by name: each handler's form type says which case is which field, and which fields there are
/// (the form's `properties`; a field it does not list is refused).
protocol FormField: Sendable {
    var named: (name: String, filename: String?, body: HTTPBody) { get }
    /// The form's fields, in the order openapi.yaml lists them.
    static var fieldNames: [String] { get }
}

/// Reads the body of every request to an operation that takes one (POST) before the generated
/// code sees it: at once a full analysis queue refuses it (503), a declared size over the limit
/// is refused (413), and a body type the service never takes (415); then the body is read
/// within the upload budget (``UploadBudget``: 429 or 503) and its deadline (``UploadReader``:
/// 408), and the reservation is returned once the request is answered. Runs after the API key
/// is checked (the budget is per key).
struct UploadMiddleware: RouterMiddleware {
    typealias Context = VisageRequestContext

    let admission: AdmissionControl
    let budget: UploadBudget
    let reader: UploadReader

    static let rawImageTypes: Set<String> = ["image/jpeg", "image/jpg", "image/png", "image/webp", "application/octet-stream"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        try admission.refuseIfSaturated()
        let expected = try reader.declaredLength(of: request)
        guard let contentType = request.headers[.contentType] else { throw ServiceError.unsupportedMediaType }
        let (mediaType, parameters) = Self.parseHeaderValue(contentType)
        switch mediaType.lowercased() {
        case "multipart/form-data":
            guard let boundary = parameters["boundary"], (1...70).contains(boundary.utf8.count) else {
                throw ServiceError.badRequest("The multipart Content-Type has no usable boundary parameter (1 to 70 characters).")
            }
        case let type where Self.rawImageTypes.contains(type) || (type.hasPrefix("image/") && !type.contains("svg")):
            break
        default:
            throw ServiceError.unsupportedMediaType
        }
        let lease = UploadLease(budget: budget, caller: context.caller?.name)
        defer { lease.release() }
        var request = request
        request.body = RequestBody(buffer: ByteBuffer(bytes: try await reader.read(request, expected: expected, context: context, lease: lease)))
        return try await next(request, context)
    }

    /// `type; key=value; key="quoted \" value"` → the type and the parameters (keys lowercased).
    static func parseHeaderValue(_ value: String) -> (String, [String: String]) {
        var scalars = Substring(value).unicodeScalars[...]
        var type = ""
        while let c = scalars.first, c != ";" { type.unicodeScalars.append(c); scalars.removeFirst() }
        var parameters: [String: String] = [:]
        while !scalars.isEmpty {
            scalars.removeFirst()  // the ';'
            var key = ""
            while let c = scalars.first, c != "=", c != ";" { key.unicodeScalars.append(c); scalars.removeFirst() }
            guard scalars.first == "=" else { continue }
            scalars.removeFirst()
            while scalars.first == " " { scalars.removeFirst() }
            var parameterValue = ""
            if scalars.first == "\"" {
                scalars.removeFirst()
                while let c = scalars.first {
                    scalars.removeFirst()
                    if c == "\"" { break }
                    if c == "\\", let escaped = scalars.first { parameterValue.unicodeScalars.append(escaped); scalars.removeFirst(); continue }
                    parameterValue.unicodeScalars.append(c)
                }
                while let c = scalars.first, c != ";" { scalars.removeFirst() }
            } else {
                while let c = scalars.first, c != ";" { parameterValue.unicodeScalars.append(c); scalars.removeFirst() }
                parameterValue = parameterValue.trimmingSpaces()
            }
            parameters[key.trimmingSpaces().lowercased()] = parameterValue
        }
        return (type.trimmingSpaces(), parameters)
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
